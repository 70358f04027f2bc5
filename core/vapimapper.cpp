#include "vapimapper.h"

#include "mappersupport.h"

#include <exception>

namespace cb {

namespace {

const QString statusUpdate = QStringLiteral("status-update");
const QString endOfCallReport = QStringLiteral("end-of-call-report");

bool isOneOf(QStringView value, std::initializer_list<QStringView> list)
{
    for (auto item : list) {
        if (value == item)
            return true;
    }
    return false;
}

struct VapiState
{
    CallStatus status;
    Phase phase = Phase::Plain;
};

/// `status-update` statuses; nullopt for an unknown one. `deletion-failed` is
/// handled by the caller (ignored).
std::optional<VapiState> liveState(QStringView status, QStringView endedReason)
{
    if (status == u"scheduled" || status == u"queued")
        return VapiState{CallStatus::Queued};
    if (status == u"ringing")
        return VapiState{CallStatus::Ringing};
    if (status == u"in-progress")
        return VapiState{CallStatus::InProgress};
    if (status == u"forwarding")
        return VapiState{CallStatus::InProgress, Phase::Transferring};
    if (status == u"ended")
        return VapiState{vapiEndedStatus(endedReason)};
    if (status == u"not-found")
        return VapiState{CallStatus::Failed};
    return std::nullopt;
}

std::optional<Direction> directionOf(const QString &type)
{
    if (type == u"inboundPhoneCall")
        return Direction::Inbound;
    if (type == u"outboundPhoneCall")
        return Direction::Outbound;
    if (type == u"webCall" || type == u"vapi.websocketCall")
        return Direction::Web;
    return std::nullopt;
}

QString firstString(std::initializer_list<QString> values)
{
    for (const auto &v : values) {
        if (!v.isEmpty())
            return v;
    }
    return {};
}

QDateTime firstTime(std::initializer_list<const Json *> values)
{
    for (const Json *v : values) {
        const QDateTime t = timeFromJson(*v);
        if (t.isValid())
            return t;
    }
    return {};
}

/// Fills what any message (or a polled Call) says about the call itself.
void readCall(NormalizedEvent &e, const Json &call, const Json &message)
{
    const QString type = stringField(call, "type");
    e.direction = directionOf(type);
    if (type == u"webCall")
        e.isTestHint = true;
    e.providerAgentId = firstString({stringField(call, "assistantId"), stringField(call, "squadId"),
                                     stringField(call, "workflowId")});

    const QString customer = firstString({stringField(member(message, "customer"), "number"),
                                          stringField(member(call, "customer"), "number")});
    const QString ours = firstString({stringField(member(message, "phoneNumber"), "number"),
                                      stringField(member(call, "phoneNumber"), "number")});
    if (e.direction == Direction::Inbound) {
        e.fromNumber = customer;
        e.toNumber = ours;
    } else {
        e.toNumber = customer;
        e.fromNumber = ours;
    }

    if (member(call, "metadata").is_object())
        mapping::readMetadata(e, member(call, "metadata"));
    else if (member(member(call, "assistantOverrides"), "metadata").is_object())
        mapping::readMetadata(e, member(member(call, "assistantOverrides"), "metadata"));
    else
        mapping::readMetadata(e, member(member(message, "assistant"), "metadata"));

    e.createdAt = timeFromJson(member(call, "createdAt"));
    e.startedAt = firstTime({&member(message, "startedAt"), &member(call, "startedAt")});

    const Json &artifact = member(message, "artifact").is_object() ? member(message, "artifact")
                                                                   : member(call, "artifact");
    e.transcript =
        firstString({stringField(artifact, "transcript"), stringField(message, "transcript")});
    e.recordingUrl =
        firstString({stringField(artifact, "recordingUrl"), stringField(message, "recordingUrl"),
                     stringField(member(member(artifact, "recording"), "mono"), "combinedUrl")});
    const Json &analysis = member(message, "analysis").is_object() ? member(message, "analysis")
                                                                   : member(call, "analysis");
    e.summary = firstString({stringField(analysis, "summary"), stringField(message, "summary")});
    e.success = mapping::lenientBool(analysis, "successEvaluation");
}

/// Fills the end of a call: end time, duration, cost and reason.
void readEnd(NormalizedEvent &e, const Json &call, const Json &message, const QString &endedReason)
{
    e.endReason = endedReason;
    if (endedReason == u"voicemail")
        e.voicemail = true;
    const QDateTime endedAt = firstTime({&member(message, "endedAt"), &member(call, "endedAt")});
    e.endedAt = endedAt;
    // The status-update is sent as the call ends; its own clock stands in for the end
    // time but is no source for the duration.
    if (!e.endedAt.isValid() && message.is_object() && stringField(message, "type") == statusUpdate)
        e.endedAt = e.occurredAt;

    auto duration = mapping::lenientNumber(message, "durationSeconds");
    if (!duration) {
        if (const auto ms = mapping::lenientNumber(message, "durationMs"))
            duration = *ms / 1000.0;
    }
    if (!duration)
        duration = mapping::lenientNumber(call, "durationSeconds");
    if (!duration && e.startedAt.isValid() && endedAt.isValid() && e.startedAt <= endedAt)
        duration = double(e.startedAt.msecsTo(endedAt)) / 1000.0;
    if (duration && *duration >= 0)
        e.durationS = duration;

    auto cost = mapping::lenientNumber(message, "cost");
    if (!cost)
        cost = mapping::lenientNumber(call, "cost");
    if (cost && *cost >= 0) {
        e.costCents = *cost * 100.0;
        e.currency = QStringLiteral("USD");
    }
}

/// One mapping for webhooks and polls: @p message is null for a poll.
NormalizedEvent mapState(const QString &id, const Json &call, const Json &message,
                         const QString &type, const QString &status, const VapiState &state,
                         const QString &endedReason)
{
    NormalizedEvent e;
    e.provider = Provider::Vapi;
    e.providerCallId = id;
    e.kind = type;
    e.occurredAt = message.is_object() ? timeFromJson(member(message, "timestamp"))
                                       : timeFromJson(member(call, "updatedAt"));
    const bool report = type == endOfCallReport;
    e.dedupKey =
        QStringLiteral("vapi:") + id + u':' + type + u':' + (report ? endedReason : status);
    e.rawStatus = report ? QStringLiteral("ended") : status;
    e.status = state.status;
    const Phase phase = report ? Phase::Analyzed : state.phase;
    e.precedence = precedenceOf(state.status, phase);
    e.finalReport = report;
    e.finalizes = report;

    readCall(e, call, message);
    if (state.status == CallStatus::InProgress)
        e.answeredAt = e.startedAt.isValid() ? e.startedAt : e.occurredAt;
    if (isTerminal(state.status))
        readEnd(e, call, message, endedReason);
    return e;
}

NormalizedEvent ignoredEvent(const QString &id, const QString &type, const QString &detail,
                             const QDateTime &at)
{
    NormalizedEvent e;
    e.provider = Provider::Vapi;
    e.providerCallId = id;
    e.kind = type;
    e.ignored = true;
    e.occurredAt = at;
    e.dedupKey = QStringLiteral("vapi:") + id + u':' + type + u':' + detail;
    return e;
}

Result<NormalizedEvent> mapMessage(const Json &body)
{
    if (!body.is_object())
        return mapping::fail(mapping::invalidPayload,
                             QStringLiteral("Vapi body is not a JSON object"));
    const Json &message = member(body, "message");
    if (!message.is_object())
        return mapping::fail(mapping::invalidPayload,
                             QStringLiteral("Vapi body has no message object"));
    const QString type = stringField(message, "type");
    if (type.isEmpty())
        return mapping::fail(mapping::invalidPayload, QStringLiteral("Vapi message has no type"));
    const Json &call = member(message, "call");
    if (!call.is_object())
        return mapping::fail(
            mapping::invalidPayload,
            QStringLiteral("Vapi %1 message has no call object").arg(type.left(64)));
    const QString id = stringField(call, "id");
    if (id.isEmpty())
        return mapping::fail(mapping::invalidPayload,
                             QStringLiteral("Vapi %1 message has no call.id").arg(type.left(64)));

    if (type == statusUpdate) {
        const QString status = stringField(message, "status");
        if (status.isEmpty())
            return mapping::fail(
                mapping::invalidPayload,
                QStringLiteral("Vapi status-update for call %1 has no status").arg(id));
        if (status == u"deletion-failed")
            return ignoredEvent(id, type, status, timeFromJson(member(message, "timestamp")));
        const QString endedReason =
            firstString({stringField(message, "endedReason"), stringField(call, "endedReason")});
        const auto state = liveState(status, endedReason);
        if (!state)
            return mapping::fail(
                mapping::unknownStatus,
                QStringLiteral("Vapi call %1 has unknown status \"%2\"").arg(id, status.left(64)));
        return mapState(id, call, message, type, status, *state, endedReason);
    }
    if (type == endOfCallReport) {
        const QString endedReason =
            firstString({stringField(message, "endedReason"), stringField(call, "endedReason")});
        return mapState(id, call, message, type, QStringLiteral("ended"),
                        VapiState{vapiEndedStatus(endedReason)}, endedReason);
    }
    const Json &timestamp = member(message, "timestamp");
    const QString detail = timestamp.is_number() ? QString::number(timestamp.get<double>(), 'f', 0)
                                                 : stringField(message, "timestamp");
    return ignoredEvent(id, type, detail, timeFromJson(timestamp));
}

/// Vapi sends end-of-call-report once post-processing is complete, and analysis is the last
/// thing it fills in. The transcript and the recording appear earlier, so a poll that sees only
/// those must not claim the report's dedup key, or the real report would count as a duplicate.
bool hasPostCallData(const Json &call)
{
    const Json &analysis = member(call, "analysis");
    return analysis.is_object() && !analysis.empty();
}

Result<NormalizedEvent> mapPolledCall(const Json &call)
{
    if (!call.is_object())
        return mapping::fail(mapping::invalidPayload,
                             QStringLiteral("Vapi call is not a JSON object"));
    const QString id = stringField(call, "id");
    if (id.isEmpty())
        return mapping::fail(mapping::invalidPayload, QStringLiteral("Vapi call has no id"));
    const QString status = stringField(call, "status");
    if (status.isEmpty())
        return mapping::fail(mapping::invalidPayload,
                             QStringLiteral("Vapi call %1 has no status").arg(id));
    if (status == u"deletion-failed")
        return ignoredEvent(id, statusUpdate, status, timeFromJson(member(call, "updatedAt")));
    const QString endedReason = stringField(call, "endedReason");
    const auto state = liveState(status, endedReason);
    if (!state)
        return mapping::fail(
            mapping::unknownStatus,
            QStringLiteral("Vapi call %1 has unknown status \"%2\"").arg(id, status.left(64)));
    const QString type =
        status == u"ended" && hasPostCallData(call) ? endOfCallReport : statusUpdate;
    return mapState(id, call, Json(), type, status, *state, endedReason);
}

} // namespace

CallStatus vapiEndedStatus(QStringView reason)
{
    if (reason.isEmpty())
        return CallStatus::Completed;
    if (isOneOf(reason,
                {u"customer-ended-call", u"assistant-ended-call", u"assistant-said-end-call-phrase",
                 u"assistant-ended-call-with-hangup-task",
                 u"assistant-ended-call-after-message-spoken", u"assistant-forwarded-call",
                 u"silence-timed-out", u"exceeded-max-duration",
                 u"call.in-progress.twilio-completed-call", u"call.in-progress.sip-completed-call",
                 u"vonage-completed", u"customer-ended-call-during-transfer",
                 u"customer-ended-call-before-warm-transfer",
                 u"customer-ended-call-after-warm-transfer-attempt", u"voicemail"}))
        return CallStatus::Completed;
    if (reason == u"customer-busy")
        return CallStatus::Busy;
    if (reason == u"customer-did-not-answer" || reason.contains(u"sip-408") ||
        reason.contains(u"sip-480"))
        return CallStatus::NoAnswer;
    if (isOneOf(reason,
                {u"manually-canceled", u"scheduled-call-deleted", u"call-deleted",
                 u"call.ringing.sip-inbound-caller-hungup-before-call-connect"}))
        return CallStatus::Canceled;
    // The customer had been talking to the assistant; only the hand-off failed.
    if (reason.startsWith(u"call.forwarding.") || reason.contains(u"transfer-failed") ||
        reason.contains(u"warm-transfer"))
        return CallStatus::Completed;
    if (reason.startsWith(u"call.start.error") || reason.startsWith(u"call-start-error") ||
        reason.startsWith(u"assistant-request-") || reason.startsWith(u"call.ringing.error") ||
        reason.startsWith(u"pipeline-error") || reason.startsWith(u"call.in-progress.error") ||
        reason.endsWith(u"-transport-never-connected") ||
        isOneOf(reason,
                {u"assistant-not-found", u"assistant-not-valid", u"twilio-failed-to-connect-call",
                 u"vonage-failed-to-connect-call", u"vonage-rejected",
                 u"twilio-reported-customer-misdialed", u"worker-shutdown",
                 u"phone-call-provider-closed-websocket", u"assistant-join-timed-out",
                 u"phone-call-provider-bypass-enabled-but-no-call-received"}))
        return CallStatus::Failed;
    if (reason.contains(u"error") || reason.contains(u"failed"))
        return CallStatus::Failed;
    return CallStatus::Completed;
}

Result<NormalizedEvent> mapVapiWebhook(const Json &body)
{
    try {
        return mapMessage(body);
    } catch (const std::exception &error) {
        return mapping::fail(
            mapping::invalidPayload,
            QStringLiteral("Vapi body could not be read: %1").arg(QString::fromUtf8(error.what())));
    }
}

Result<NormalizedEvent> mapVapiCall(const Json &call)
{
    try {
        return mapPolledCall(call);
    } catch (const std::exception &error) {
        return mapping::fail(
            mapping::invalidPayload,
            QStringLiteral("Vapi call could not be read: %1").arg(QString::fromUtf8(error.what())));
    }
}

} // namespace cb
