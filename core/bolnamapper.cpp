#include "bolnamapper.h"

#include "mappersupport.h"

#include <exception>

namespace cb {

namespace {

struct BolnaState
{
    CallStatus status;
    Phase phase = Phase::Plain;
    /// Bolna sends nothing after this status: it carries the final data.
    bool final = false;
};

std::optional<BolnaState> stateOf(QStringView status)
{
    if (status == u"scheduled" || status == u"queued" || status == u"rescheduled")
        return BolnaState{CallStatus::Queued};
    if (status == u"initiated")
        return BolnaState{CallStatus::Initiated};
    if (status == u"ringing")
        return BolnaState{CallStatus::Ringing};
    if (status == u"in-progress")
        return BolnaState{CallStatus::InProgress};
    if (status == u"call-disconnected")
        return BolnaState{CallStatus::Completed};

    std::optional<CallStatus> terminal;
    if (status == u"completed")
        terminal = CallStatus::Completed;
    else if (status == u"busy")
        terminal = CallStatus::Busy;
    else if (status == u"no-answer")
        terminal = CallStatus::NoAnswer;
    else if (status == u"failed" || status == u"error" || status == u"balance-low" ||
             status == u"balance_low")
        terminal = CallStatus::Failed;
    else if (status == u"canceled" || status == u"cancelled" || status == u"stopped")
        terminal = CallStatus::Canceled;
    if (!terminal)
        return std::nullopt;
    return BolnaState{*terminal, Phase::Analyzed, true};
}

/// What a hang-up says about a call without conversation, when it says anything.
std::optional<CallStatus> hangupOutcome(const Json &telephony)
{
    const QString reason = stringField(telephony, "hangup_reason").toLower();
    const auto code = mapping::lenientNumber(telephony, "hangup_provider_code");
    if (reason.contains(u"busy") || reason.contains(u"reject") || reason.contains(u"declin") ||
        code == 3010.0)
        return CallStatus::Busy;
    if (reason.contains(u"unanswered") || reason.contains(u"no answer") ||
        reason.contains(u"no-answer") || reason.contains(u"not answered"))
        return CallStatus::NoAnswer;
    return std::nullopt;
}

std::optional<Direction> directionOf(const QString &callType)
{
    if (callType == u"inbound")
        return Direction::Inbound;
    if (callType == u"outbound")
        return Direction::Outbound;
    if (callType == u"web-call" || callType == u"websocket")
        return Direction::Web;
    return std::nullopt;
}

Result<NormalizedEvent> mapExecution(const Json &body)
{
    if (!body.is_object())
        return mapping::fail(mapping::invalidPayload,
                             QStringLiteral("Bolna body is not a JSON object"));
    const QString id = mapping::idField(body, "id");
    if (id.isEmpty())
        return mapping::fail(mapping::invalidPayload, QStringLiteral("Bolna execution has no id"));
    const QString raw = stringField(body, "status");
    if (raw.isEmpty())
        return mapping::fail(mapping::invalidPayload,
                             QStringLiteral("Bolna execution %1 has no status").arg(id));
    const auto state = stateOf(raw);
    if (!state)
        return mapping::fail(
            mapping::unknownStatus,
            QStringLiteral("Bolna execution %1 has unknown status \"%2\"").arg(id, raw.left(64)));

    const Json &telephony = member(body, "telephony_data");
    const bool disconnected = raw == u"call-disconnected";
    const bool ended = state->final || disconnected;

    NormalizedEvent e;
    e.provider = Provider::Bolna;
    e.providerCallId = id;
    e.kind = raw;
    e.rawStatus = raw;
    e.dedupKey = QStringLiteral("bolna:") + id + u':' + raw;
    e.finalReport = state->final;
    e.finalizes = state->final;
    e.providerAgentId = mapping::idField(body, "agent_id");

    e.direction = directionOf(stringField(telephony, "call_type"));
    e.toNumber = stringField(telephony, "to_number");
    e.fromNumber = stringField(telephony, "from_number");
    const bool inbound = e.direction == Direction::Inbound;
    if (e.toNumber.isEmpty())
        e.toNumber = stringField(body, inbound ? "agent_number" : "user_number");
    if (e.toNumber.isEmpty() && !inbound)
        e.toNumber = stringField(member(body, "context_details"), "recipient_phone_number");
    if (e.fromNumber.isEmpty())
        e.fromNumber = stringField(body, inbound ? "user_number" : "agent_number");

    e.occurredAt = timeFromJson(member(body, "updated_at"));
    e.createdAt = timeFromJson(member(body, "created_at"));
    e.startedAt = timeFromJson(member(body, "initiated_at"));
    if (!e.startedAt.isValid() && raw == u"initiated")
        e.startedAt = e.occurredAt;
    if (state->status == CallStatus::InProgress)
        e.answeredAt = e.occurredAt;
    // `completed` arrives minutes after the hang-up (observed ~13 min), so its
    // updated_at is not an end time; call-disconnected and the other terminal
    // statuses are sent as the call ends.
    if (ended && raw != u"completed")
        e.endedAt = e.occurredAt;

    auto talk = mapping::lenientNumber(body, "conversation_duration");
    if (!talk)
        talk = mapping::lenientNumber(body, "conversation_time");
    const auto telephonyDuration = mapping::lenientNumber(telephony, "duration");
    e.voicemail = mapping::lenientBool(body, "answered_by_voice_mail");
    const bool voicemail = e.voicemail.value_or(false);

    CallStatus status = state->status;
    // "completed" follows the telephony lifecycle, so a rejected or unanswered call can
    // arrive as completed with no conversation (providers.md §1.4). At call-disconnected
    // the duration is often still 0 while post-processing runs, so only a hang-up
    // reason that names the outcome re-maps it there.
    if (status == CallStatus::Completed && !voicemail && talk && *talk == 0) {
        const auto outcome = hangupOutcome(telephony);
        if (outcome)
            status = *outcome;
        else if (!disconnected)
            status = CallStatus::Failed;
    }
    e.status = status;
    e.precedence = precedenceOf(status, state->phase);

    if (ended) {
        if (talk)
            e.durationS = qMax(0.0, *talk);
        else if (telephonyDuration)
            e.durationS = qMax(0.0, *telephonyDuration);
        const auto cost = mapping::lenientNumber(body, "total_cost");
        if (cost && *cost >= 0 && (state->final || *cost > 0)) {
            e.costCents = cost;
            e.currency = QStringLiteral("USD");
        }
    }

    const QString hangupReason = stringField(telephony, "hangup_reason");
    const QString errorMessage = stringField(body, "error_message");
    if (state->status == CallStatus::Failed && !errorMessage.isEmpty())
        e.endReason = errorMessage;
    else if (!hangupReason.isEmpty())
        e.endReason = hangupReason;
    else if (ended)
        e.endReason = errorMessage;

    e.recordingUrl = stringField(telephony, "recording_url");
    e.transcript = stringField(body, "transcript");
    e.summary = stringField(body, "summary");
    mapping::readMetadata(e, member(member(body, "context_details"), "recipient_data"));
    return e;
}

Result<NormalizedEvent> guarded(const Json &body)
{
    try {
        return mapExecution(body);
    } catch (const std::exception &error) {
        return mapping::fail(mapping::invalidPayload,
                             QStringLiteral("Bolna body could not be read: %1")
                                 .arg(QString::fromUtf8(error.what())));
    }
}

} // namespace

Result<NormalizedEvent> mapBolnaWebhook(const Json &body)
{
    return guarded(body);
}

Result<NormalizedEvent> mapBolnaExecution(const Json &execution)
{
    return guarded(execution);
}

} // namespace cb
