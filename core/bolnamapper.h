#pragma once

#include "json.h"
#include "normalizedevent.h"
#include "result.h"

namespace cb {

/// Maps a Bolna call-status webhook body (the full execution object, providers.md
/// §1.5–1.6) to a normalized event. Dedup key `bolna:<id>:<status>`.
///
/// Bolna's quirks are absorbed here: durations as strings, cost already in cents,
/// timestamps without a zone (UTC), `recording_url: ""` before post-processing, and
/// `completed` for calls that never had a conversation (re-mapped by hang-up reason).
Result<NormalizedEvent> mapBolnaWebhook(const Json &body);

/// Maps the answer of `GET /executions/{id}`. It has the webhook's shape, so a poll
/// and the webhook for the same status share the dedup key.
Result<NormalizedEvent> mapBolnaExecution(const Json &execution);

} // namespace cb
