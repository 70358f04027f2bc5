#pragma once

#include "json.h"
#include "normalizedevent.h"
#include "result.h"

namespace cb {

/// Maps a Retell webhook (`{"event": ..., "call": {...}}`, providers.md §3.3) to a
/// normalized event. The state follows `event` and `disconnection_reason`, never
/// `call.call_status`, which the docs' own samples show stale. `call_started`,
/// `call_ended`, `call_analyzed` and `transfer_started` carry state; other events
/// are returned with `ignored` set. Dedup key `retell:<call_id>:<event>`.
Result<NormalizedEvent> mapRetellWebhook(const Json &body);

/// Maps a Retell call object (`GET /v2/get-call/{id}`) to the event the webhook for
/// its current state would have produced, with the same dedup key: `registered` →
/// `retell:<id>:registered` (initiated), `ongoing` → call_started, an ended call →
/// call_analyzed when it carries `call_analysis`, else call_ended.
Result<NormalizedEvent> mapRetellCall(const Json &call);

/// The normalized outcome of a `disconnection_reason` (providers.md §6.2).
/// @p connected says whether the call was ever answered (it decides `manual_stopped`);
/// @p callStatus is used only when the reason is missing or unknown.
CallStatus retellEndedStatus(QStringView disconnectionReason, bool connected,
                             QStringView callStatus = {});

} // namespace cb
