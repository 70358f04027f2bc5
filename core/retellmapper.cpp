#include "retellmapper.h"

#include "mappersupport.h"

#include <exception>

namespace cb {

namespace {

bool isOneOf(QStringView value, std::initializer_list<QStringView> list)
{
    for (auto item : list) {
        if (value == item)
            return true;
    }
    return false;
}

/// Answered at some point: a duration above zero, or a start time without a duration.
bool wasConnected(const Json &call)
{
    const auto duration = mapping::lenientNumber(call, "duration_ms");
    if (duration)
        return *duration > 0;
    return timeFromJson(member(call, "start_timestamp")).isValid();
}

enum class Step { Registered, Started, Transferring, Ended, Analyzed };

NormalizedEvent mapStep(const QString &id, const Json &call, const QString &kind, Step step)
{
    NormalizedEvent e;
    e.provider = Provider::Retell;
    e.providerCallId = id;
    e.kind = kind;
    e.rawStatus = kind;
    e.dedupKey = QStringLiteral("retell:") + id + u':' + kind;

    const QString callType = stringField(call, "call_type");
    if (callType == u"web_call") {
        e.direction = Direction::Web;
        e.isTestHint = true;
    } else if (stringField(call, "direction") == u"inbound") {
        e.direction = Direction::Inbound;
    } else if (stringField(call, "direction") == u"outbound") {
        e.direction = Direction::Outbound;
    }
    e.fromNumber = stringField(call, "from_number");
    e.toNumber = stringField(call, "to_number");
    e.providerAgentId = stringField(call, "agent_id");
    mapping::readMetadata(e, member(call, "metadata"));
    e.transcript = stringField(call, "transcript");
    e.recordingUrl = stringField(call, "recording_url");

    const QDateTime start = timeFromJson(member(call, "start_timestamp"));
    const QDateTime end = timeFromJson(member(call, "end_timestamp"));
    e.startedAt = start;

    switch (step) {
    case Step::Registered:
        e.status = CallStatus::Initiated;
        e.precedence = precedenceOf(CallStatus::Initiated);
        return e;
    case Step::Started:
    case Step::Transferring:
        e.status = CallStatus::InProgress;
        e.precedence =
            precedenceOf(CallStatus::InProgress,
                         step == Step::Transferring ? Phase::Transferring : Phase::Plain);
        e.answeredAt = start;
        e.occurredAt = start;
        return e;
    case Step::Ended:
    case Step::Analyzed:
        break;
    }

    const QString reason = stringField(call, "disconnection_reason");
    const bool connected = wasConnected(call);
    const CallStatus status =
        retellEndedStatus(reason, connected, stringField(call, "call_status"));
    const bool analyzed = step == Step::Analyzed;
    e.status = status;
    e.precedence = precedenceOf(status, analyzed ? Phase::Analyzed : Phase::FinalReport);
    e.finalReport = true;
    e.finalizes = analyzed;
    e.endReason = reason;
    e.occurredAt = end;
    e.endedAt = end;
    if (connected)
        e.answeredAt = start;
    if (reason == u"voicemail_reached")
        e.voicemail = true;

    if (const auto ms = mapping::lenientNumber(call, "duration_ms"); ms && *ms >= 0)
        e.durationS = *ms / 1000.0;
    else if (connected && start.isValid() && end.isValid() && start <= end)
        e.durationS = double(start.msecsTo(end)) / 1000.0;
    if (const auto cost = mapping::lenientNumber(member(call, "call_cost"), "combined_cost");
        cost && *cost >= 0) {
        e.costCents = cost;
        e.currency = QStringLiteral("USD");
    }

    const Json &analysis = member(call, "call_analysis");
    e.summary = stringField(analysis, "call_summary");
    e.success = mapping::lenientBool(analysis, "call_successful");
    e.sentiment = stringField(analysis, "user_sentiment");
    if (mapping::lenientBool(analysis, "in_voicemail").value_or(false))
        e.voicemail = true;
    return e;
}

NormalizedEvent ignoredEvent(const QString &id, const QString &event)
{
    NormalizedEvent e;
    e.provider = Provider::Retell;
    e.providerCallId = id;
    e.kind = event;
    e.ignored = true;
    e.dedupKey = QStringLiteral("retell:") + id + u':' + event;
    return e;
}

Result<NormalizedEvent> mapEvent(const Json &body)
{
    if (!body.is_object())
        return mapping::fail(mapping::invalidPayload,
                             QStringLiteral("Retell body is not a JSON object"));
    const QString event = stringField(body, "event");
    if (event.isEmpty())
        return mapping::fail(mapping::invalidPayload, QStringLiteral("Retell body has no event"));
    const Json &call = member(body, "call");
    if (!call.is_object())
        return mapping::fail(
            mapping::invalidPayload,
            QStringLiteral("Retell %1 event has no call object").arg(event.left(64)));
    const QString id = stringField(call, "call_id");
    if (id.isEmpty())
        return mapping::fail(
            mapping::invalidPayload,
            QStringLiteral("Retell %1 event has no call.call_id").arg(event.left(64)));

    if (event == u"call_started")
        return mapStep(id, call, event, Step::Started);
    if (event == u"transfer_started")
        return mapStep(id, call, event, Step::Transferring);
    if (event == u"call_ended")
        return mapStep(id, call, event, Step::Ended);
    if (event == u"call_analyzed")
        return mapStep(id, call, event, Step::Analyzed);
    // transcript_updated, the other transfer_* events and anything newer.
    return ignoredEvent(id, event);
}

bool hasAnalysis(const Json &call)
{
    const Json &analysis = member(call, "call_analysis");
    return analysis.is_object() && !analysis.empty();
}

Result<NormalizedEvent> mapPolledCall(const Json &call)
{
    if (!call.is_object())
        return mapping::fail(mapping::invalidPayload,
                             QStringLiteral("Retell call is not a JSON object"));
    const QString id = stringField(call, "call_id");
    if (id.isEmpty())
        return mapping::fail(mapping::invalidPayload, QStringLiteral("Retell call has no call_id"));
    const QString status = stringField(call, "call_status");
    if (status.isEmpty())
        return mapping::fail(mapping::invalidPayload,
                             QStringLiteral("Retell call %1 has no call_status").arg(id));
    if (status == u"registered")
        return mapStep(id, call, status, Step::Registered);
    if (status == u"ongoing")
        return mapStep(id, call, QStringLiteral("call_started"), Step::Started);
    if (status == u"ended" || status == u"not_connected" || status == u"error") {
        if (hasAnalysis(call))
            return mapStep(id, call, QStringLiteral("call_analyzed"), Step::Analyzed);
        return mapStep(id, call, QStringLiteral("call_ended"), Step::Ended);
    }
    return mapping::fail(
        mapping::unknownStatus,
        QStringLiteral("Retell call %1 has unknown call_status \"%2\"").arg(id, status.left(64)));
}

} // namespace

CallStatus retellEndedStatus(QStringView reason, bool connected, QStringView callStatus)
{
    if (reason == u"voicemail_reached")
        return CallStatus::Completed;
    if (isOneOf(reason,
                {u"user_hangup", u"agent_hangup", u"call_transfer", u"transfer_bridged",
                 u"transfer_cancelled", u"inactivity", u"max_duration_reached", u"ivr_reached",
                 u"call_take_over"}))
        return CallStatus::Completed;
    if (reason == u"dial_busy" || reason == u"user_declined")
        return CallStatus::Busy;
    if (reason == u"dial_no_answer")
        return CallStatus::NoAnswer;
    if (reason == u"manual_stopped")
        return connected ? CallStatus::Completed : CallStatus::Canceled;
    if (isOneOf(reason,
                {u"dial_failed", u"invalid_destination", u"telephony_provider_permission_denied",
                 u"telephony_provider_unavailable", u"sip_routing_error", u"marked_as_spam",
                 u"concurrency_limit_reached", u"no_concurrency_fallback", u"no_valid_payment",
                 u"scam_detected", u"registered_call_timeout"}) ||
        reason.startsWith(u"error_"))
        return CallStatus::Failed;
    if (reason.contains(u"error") || reason.contains(u"fail") || callStatus == u"error" ||
        callStatus == u"not_connected")
        return CallStatus::Failed;
    return connected ? CallStatus::Completed : CallStatus::Failed;
}

Result<NormalizedEvent> mapRetellWebhook(const Json &body)
{
    try {
        return mapEvent(body);
    } catch (const std::exception &error) {
        return mapping::fail(mapping::invalidPayload,
                             QStringLiteral("Retell body could not be read: %1")
                                 .arg(QString::fromUtf8(error.what())));
    }
}

Result<NormalizedEvent> mapRetellCall(const Json &call)
{
    try {
        return mapPolledCall(call);
    } catch (const std::exception &error) {
        return mapping::fail(mapping::invalidPayload,
                             QStringLiteral("Retell call could not be read: %1")
                                 .arg(QString::fromUtf8(error.what())));
    }
}

} // namespace cb
