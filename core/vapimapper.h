#pragma once

#include "json.h"
#include "normalizedevent.h"
#include "result.h"

namespace cb {

/// Maps a Vapi server-URL message (`{"message": {...}}`, providers.md §2.3) to a
/// normalized event. `status-update` and `end-of-call-report` carry call state; every
/// other message type is returned with `ignored` set. Dedup key
/// `vapi:<call.id>:<type>:<status or endedReason>`.
Result<NormalizedEvent> mapVapiWebhook(const Json &body);

/// Maps a Vapi `Call` object (`GET /call/{id}`) to the event the webhook for its
/// current state would have produced, with the same dedup key: an ended call with
/// analysis or artifacts counts as its end-of-call-report.
Result<NormalizedEvent> mapVapiCall(const Json &call);

/// The normalized outcome of an `endedReason` (providers.md §2.4). Unknown reasons are
/// failed when they speak of an error or failure, otherwise completed.
CallStatus vapiEndedStatus(QStringView endedReason);

} // namespace cb
