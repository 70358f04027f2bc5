#pragma once

#include "enums.h"
#include "json.h"
#include "normalizedevent.h"
#include "result.h"

#include <QStringList>

namespace cb {

/// Maps one provider webhook body to a normalized event (Bolna execution, Vapi
/// server message, Retell event). Never throws. Errors: `invalid_payload` for a body
/// without the fields that identify the call, `unknown_status` for a well-formed
/// body whose status is not in the provider's table (store it, do not apply it).
/// Recognised messages without call state come back with `ignored` set.
Result<NormalizedEvent> mapWebhook(Provider provider, const Json &body);

/// Maps the provider's current call object, as its REST API returns it (Bolna
/// `GET /executions/{id}`, Vapi `GET /call/{id}`, Retell `GET /v2/get-call/{id}`), to
/// the event its webhook would have produced, with the same dedup key.
Result<NormalizedEvent> mapPolledCall(Provider provider, const Json &call);

/// The webhook events a provider sends for an agent whose configuration names none:
/// Vapi's default `serverMessages`, Retell's default `webhook_events` (providers.md §2.3,
/// §3). Bolna has no event selection and sends every status.
QStringList defaultWebhookEvents(Provider provider);

} // namespace cb
