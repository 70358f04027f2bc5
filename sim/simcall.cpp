#include "simcall.h"

#include <QTimeZone>

#include <cmath>

namespace cb::sim {

namespace {

constexpr const char *dialogue[] = {
    "assistant: Hello, this is Maya calling from Northwind Clinic. Am I speaking with the patient?",
    "user: Yes, speaking.",
    "assistant: I am calling to confirm your appointment tomorrow at 10 AM. Does that still work?",
    "user: Yes, that works for me.",
    "assistant: Great. Please bring your insurance card. Is there anything else I can help with?",
    "user: No, that's all. Thank you.",
    "assistant: Thank you, have a nice day. Goodbye.",
};

constexpr const char *voicemailLines[] = {
    "assistant: Hello, this is Maya calling from Northwind Clinic about your appointment.",
    "assistant: Please call us back at your convenience. Goodbye.",
};

/// Bolna writes Python isoformat() times: microseconds and no zone.
Json bolnaTime(const QDateTime &time)
{
    if (!time.isValid())
        return nullptr;
    return time.toUTC().toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzz000")).toStdString();
}

Json epochMs(const QDateTime &time)
{
    if (!time.isValid())
        return nullptr;
    return time.toMSecsSinceEpoch();
}

double round2(double value)
{
    return std::round(value * 100.0) / 100.0;
}

QStringList transcriptLines(const SimCall &call)
{
    QStringList lines;
    if (call.script == Script::Voicemail) {
        for (const char *line : voicemailLines)
            lines << QString::fromUtf8(line);
        return lines;
    }
    const int count = int(std::size(dialogue));
    for (int i = 0; i < count; ++i)
        lines << QString::fromUtf8(dialogue[i]);
    if (call.script == Script::LongCall) {
        for (int i = 0; i < 20; ++i) {
            lines.insert(lines.size() - 1,
                         QStringLiteral("user: One more question about item %1.").arg(i + 1));
            lines.insert(lines.size() - 1,
                         QStringLiteral("assistant: Of course, item %1 is covered.").arg(i + 1));
        }
    }
    return lines;
}

Json vapiMessages(const SimCall &call)
{
    Json messages = Json::array();
    if (!call.answeredAt.isValid())
        return messages;
    const qint64 base = call.answeredAt.toMSecsSinceEpoch();
    const QStringList lines = transcriptLines(call);
    const qsizetype spoken =
        call.stage >= Stage::Ended ? lines.size() : std::min<qsizetype>(call.turns, lines.size());
    for (qsizetype i = 0; i < spoken; ++i) {
        const QString line = lines.at(i);
        const bool bot = line.startsWith(u"assistant");
        const QString text = line.mid(line.indexOf(u':') + 2);
        const double secs = double(i) * call.talkSeconds / double(lines.size());
        messages.push_back({{"role", bot ? "bot" : "user"},
                            {"message", text},
                            {"time", base + qint64(secs * 1000)},
                            {"endTime", base + qint64((secs + 2) * 1000)},
                            {"secondsFromStart", round2(secs)},
                            {"duration", 2000}});
    }
    return messages;
}

} // namespace

QString wireName(Script script)
{
    switch (script) {
    case Script::Answered:
        return QStringLiteral("answered");
    case Script::Busy:
        return QStringLiteral("busy");
    case Script::NoAnswer:
        return QStringLiteral("no_answer");
    case Script::Failed:
        return QStringLiteral("failed");
    case Script::Voicemail:
        return QStringLiteral("voicemail");
    case Script::LongCall:
        return QStringLiteral("long");
    }
    return {};
}

std::optional<Script> scriptFromString(QStringView text)
{
    for (auto s : allScripts) {
        if (text == wireName(s))
            return s;
    }
    return std::nullopt;
}

CallStatus expectedStatus(Script script)
{
    switch (script) {
    case Script::Busy:
        return CallStatus::Busy;
    case Script::NoAnswer:
        return CallStatus::NoAnswer;
    case Script::Failed:
        return CallStatus::Failed;
    default:
        return CallStatus::Completed;
    }
}

std::optional<Script> scriptForNumber(QStringView number)
{
    if (number.size() < 7)
        return std::nullopt;
    const QStringView tail = number.right(7);
    if (!tail.startsWith(u"555010"))
        return std::nullopt;
    const int digit = tail.at(6).digitValue();
    if (digit < 0 || digit >= int(std::size(allScripts)))
        return std::nullopt;
    return allScripts[digit];
}

bool isRejectedNumber(QStringView number)
{
    return number.endsWith(u"5550199");
}

QString SimCall::providerStatus() const
{
    switch (provider) {
    case Provider::Bolna:
        switch (stage) {
        case Stage::Queued:
            return QStringLiteral("queued");
        case Stage::Initiated:
            return QStringLiteral("initiated");
        case Stage::Ringing:
            return QStringLiteral("ringing");
        case Stage::InProgress:
            return QStringLiteral("in-progress");
        case Stage::Ended:
        case Stage::Final:
            if (script == Script::Busy)
                return QStringLiteral("busy");
            if (script == Script::NoAnswer)
                return QStringLiteral("no-answer");
            if (script == Script::Failed)
                return QStringLiteral("failed");
            return stage == Stage::Final ? QStringLiteral("completed")
                                         : QStringLiteral("call-disconnected");
        }
        break;
    case Provider::Vapi:
        switch (stage) {
        case Stage::Queued:
        case Stage::Initiated:
            return QStringLiteral("queued");
        case Stage::Ringing:
            return QStringLiteral("ringing");
        case Stage::InProgress:
            return QStringLiteral("in-progress");
        case Stage::Ended:
        case Stage::Final:
            return QStringLiteral("ended");
        }
        break;
    case Provider::Retell:
        switch (stage) {
        case Stage::Queued:
        case Stage::Initiated:
        case Stage::Ringing:
            return QStringLiteral("registered");
        case Stage::InProgress:
            return QStringLiteral("ongoing");
        case Stage::Ended:
        case Stage::Final:
            return answered() ? QStringLiteral("ended") : QStringLiteral("not_connected");
        }
        break;
    }
    return {};
}

QString SimCall::transcript() const
{
    if (!answered() || stage < Stage::Ended)
        return {};
    return transcriptLines(*this).join(u'\n');
}

QString SimCall::recordingUrl() const
{
    if (!answered() || stage < Stage::Final)
        return {};
    switch (provider) {
    case Provider::Bolna:
        return QStringLiteral(
                   "https://bolna-recordings-india.s3.ap-south-1.amazonaws.com/plivo/%1.mp3")
            .arg(id);
    case Provider::Vapi:
        return QStringLiteral("https://storage.vapi.ai/%1-mono.wav").arg(id);
    case Provider::Retell:
        return QStringLiteral("https://dxc03zgurdly9.cloudfront.net/%1/recording.wav").arg(id);
    }
    return {};
}

double SimCall::costCents() const
{
    if (stage < Stage::Ended)
        return 0;
    const double minutes = answered() ? talkSeconds / 60.0 : 0.0;
    switch (provider) {
    case Provider::Bolna:
        return round2(minutes * 11.5);
    case Provider::Vapi:
        return round2(minutes * 11.0);
    case Provider::Retell:
        return round2(minutes * 7.0);
    }
    return 0;
}

QString SimCall::vapiEndedReason() const
{
    switch (script) {
    case Script::Busy:
        return QStringLiteral("customer-busy");
    case Script::NoAnswer:
        return QStringLiteral("customer-did-not-answer");
    case Script::Failed:
        return QStringLiteral("twilio-failed-to-connect-call");
    case Script::Voicemail:
        return QStringLiteral("voicemail");
    case Script::LongCall:
        return QStringLiteral("assistant-ended-call");
    case Script::Answered:
        return QStringLiteral("customer-ended-call");
    }
    return {};
}

QString SimCall::retellDisconnectionReason() const
{
    switch (script) {
    case Script::Busy:
        return QStringLiteral("dial_busy");
    case Script::NoAnswer:
        return QStringLiteral("dial_no_answer");
    case Script::Failed:
        return QStringLiteral("dial_failed");
    case Script::Voicemail:
        return QStringLiteral("voicemail_reached");
    case Script::LongCall:
        return QStringLiteral("agent_hangup");
    case Script::Answered:
        return QStringLiteral("user_hangup");
    }
    return {};
}

Json SimCall::bolnaExecution() const
{
    const bool ended = stage >= Stage::Ended;
    const bool final = stage >= Stage::Final;
    const bool talked = answered() && ended;
    const QString status = providerStatus();
    const QString agentNumber = direction == Direction::Inbound ? toNumber : fromNumber;
    const QString userNumber = direction == Direction::Inbound ? fromNumber : toNumber;

    Json telephony = {
        {"duration",
         talked ? QString::number(qint64(std::ceil(talkSeconds))) : QStringLiteral("0")},
        {"to_number", toNumber},
        {"from_number", fromNumber},
        {"recording_url", recordingUrl().toStdString()}, // "" until completed, as Bolna sends it
        {"hosted_telephony", true},
        {"provider_call_id", QString(QStringLiteral("plivo-") + id.left(18))},
        {"call_type", direction == Direction::Inbound ? "inbound" : "outbound"},
        {"provider", "plivo"},
        {"hangup_by", nullptr},
        {"hangup_reason", nullptr},
        {"hangup_provider_code", nullptr},
        {"ring_duration", stage >= Stage::InProgress || ended ? qint64(ringSeconds) : 0},
        {"post_dial_delay", 1},
        {"to_number_carrier", nullptr},
    };
    Json errorMessage = nullptr;
    if (ended) {
        switch (script) {
        case Script::Busy:
            telephony["hangup_by"] = "Carrier";
            telephony["hangup_reason"] = "Call recipient was busy";
            telephony["hangup_provider_code"] = 3010;
            break;
        case Script::NoAnswer:
            telephony["hangup_by"] = "Carrier";
            telephony["hangup_reason"] = "Call unanswered";
            telephony["hangup_provider_code"] = 3020;
            break;
        case Script::Failed:
            telephony["hangup_by"] = "Error";
            telephony["hangup_reason"] = "Invalid destination number";
            telephony["hangup_provider_code"] = 2000;
            errorMessage = "Call could not be connected: invalid destination";
            break;
        case Script::Voicemail:
            telephony["hangup_by"] = "Plivo";
            telephony["hangup_reason"] = "End of inputs from Bolna";
            telephony["hangup_provider_code"] = 4000;
            break;
        case Script::Answered:
        case Script::LongCall:
            telephony["hangup_by"] = "Callee";
            telephony["hangup_reason"] = "Call recipient hungup";
            telephony["hangup_provider_code"] = 4000;
            break;
        }
    }

    const double cost = costCents();
    Json execution = {
        {"id", id},
        {"agent_id", agentId},
        {"batch_id", nullptr},
        {"created_at", bolnaTime(createdAt)},
        {"updated_at", bolnaTime(updatedAt)},
        {"scheduled_at", nullptr},
        {"rescheduled_at", nullptr},
        {"initiated_at", bolnaTime(initiatedAt)},
        {"status", status},
        {"smart_status", nullptr},
        {"error_message", errorMessage},
        {"answered_by_voice_mail", ended ? Json(script == Script::Voicemail) : Json(nullptr)},
        {"conversation_duration", talked ? round2(talkSeconds) : 0.0},
        {"total_cost", cost},
        {"cost_breakdown",
         {{"llm", round2(cost * 0.12)},
          {"network", round2(cost * 0.08)},
          {"platform", round2(cost * 0.3)},
          {"synthesizer", round2(cost * 0.4)},
          {"transcriber", round2(cost * 0.1)}}},
        {"transcript", talked ? Json(transcript()) : Json(nullptr)},
        {"telephony_data", telephony},
        {"transfer_call_data", nullptr},
        {"context_details", {{"recipient_data", metadata}, {"recipient_phone_number", userNumber}}},
        {"batch_run_details", nullptr},
        {"user_number", userNumber},
        {"agent_number", agentNumber},
        {"provider", "plivo"},
        {"retry_count", 0},
        {"deleted", false},
    };
    if (final && answered()) {
        execution["summary"] = script == Script::Voicemail
            ? "The call reached voicemail; a callback message was left."
            : "The patient confirmed tomorrow's 10 AM appointment.";
        execution["extracted_data"] = {{"appointment_confirmed", script != Script::Voicemail}};
    } else {
        execution["extracted_data"] = nullptr;
    }
    return execution;
}

Json SimCall::vapiCall() const
{
    const bool ended = stage >= Stage::Ended;
    const bool inbound = direction == Direction::Inbound;
    const QString ours = inbound ? toNumber : fromNumber;
    const QString customer = inbound ? fromNumber : toNumber;
    const double usd = costCents() / 100.0;
    Json call = {
        {"id", id},
        {"orgId", "5e1f6a4e-6c1b-4a53-9a3f-6b1f2f0e7d11"},
        {"type", inbound ? "inboundPhoneCall" : "outboundPhoneCall"},
        {"createdAt", timeToJson(createdAt)},
        {"updatedAt", timeToJson(updatedAt)},
        {"status", providerStatus()},
        {"assistantId", agentId},
        {"phoneNumberId", "42b4b25d-0000-4000-8000-" + id.right(12).toStdString()},
        {"phoneNumber", {{"number", ours}}},
        {"customer", {{"number", customer}}},
        {"phoneCallProvider", "twilio"},
        {"phoneCallProviderId", "CA" + id.left(32).toStdString()},
        {"phoneCallTransport", "pstn"},
        {"cost", usd},
        {"costBreakdown",
         {{"transport", usd * 0.1},
          {"stt", usd * 0.15},
          {"llm", usd * 0.25},
          {"tts", usd * 0.2},
          {"vapi", usd * 0.3},
          {"total", usd}}},
        {"monitor",
         {{"listenUrl",
           "wss://phone-call-websocket.aws-us-west-2-backend-production2.vapi.ai/" +
               id.toStdString() + "/listen"},
          {"controlUrl",
           "https://phone-call-websocket.aws-us-west-2-backend-production2.vapi.ai/" +
               id.toStdString() + "/control"}}},
    };
    if (!metadata.empty())
        call["assistantOverrides"] = {{"metadata", metadata}};
    if (answeredAt.isValid())
        call["startedAt"] = timeToJson(answeredAt);
    if (ended) {
        call["endedAt"] = timeToJson(endedAt);
        call["endedReason"] = vapiEndedReason();
    }
    Json artifact = {{"messages", vapiMessages(*this)}};
    if (ended && answered())
        artifact["transcript"] = transcript()
                                     .replace(QStringLiteral("assistant:"), QStringLiteral("AI:"))
                                     .replace(QStringLiteral("user:"), QStringLiteral("User:"));
    if (stage >= Stage::Final && answered()) {
        artifact["recordingUrl"] = recordingUrl();
        artifact["recording"] = {{"mono", {{"combinedUrl", recordingUrl()}}}};
        call["analysis"] = {{"summary",
                             script == Script::Voicemail
                                 ? "Reached voicemail and left a message."
                                 : "The customer confirmed the appointment."},
                            {"successEvaluation", script == Script::Voicemail ? "false" : "true"},
                            {"structuredData", Json::object()}};
    }
    call["artifact"] = artifact;
    return call;
}

Json SimCall::vapiMessage(const QString &type) const
{
    const Json call = vapiCall();
    Json message = {
        {"type", type},
        {"timestamp", updatedAt.toMSecsSinceEpoch()},
        {"call", call},
        {"phoneNumber", call["phoneNumber"]},
        {"customer", call["customer"]},
        {"assistant", {{"id", agentId}, {"name", "Appointment reminder"}}},
        {"artifact", call["artifact"]},
    };
    if (type == u"status-update") {
        message["status"] = providerStatus();
        if (stage >= Stage::Ended)
            message["endedReason"] = vapiEndedReason();
    } else if (type == u"end-of-call-report") {
        message["endedReason"] = vapiEndedReason();
        message["startedAt"] = call.value("startedAt", Json(nullptr));
        message["endedAt"] = call.value("endedAt", Json(nullptr));
        message["cost"] = call["cost"];
        message["costBreakdown"] = call["costBreakdown"];
        message["analysis"] = call.value("analysis", Json::object());
        message["durationSeconds"] = answered() ? round2(talkSeconds) : 0.0;
        message["durationMs"] = answered() ? qint64(talkSeconds * 1000) : 0;
        if (answered()) {
            message["transcript"] = call["artifact"].value("transcript", Json(""));
            message["recordingUrl"] = recordingUrl();
            message["summary"] = message["analysis"].value("summary", Json(""));
            message["messages"] = call["artifact"]["messages"];
        }
    } else if (type == u"speech-update") {
        message["status"] = turns % 2 == 0 ? "started" : "stopped";
        message["role"] = (turns / 2) % 2 == 0 ? "assistant" : "user";
        message["turn"] = turns / 2;
    } else if (type == u"transcript") {
        const QStringList lines = transcriptLines(*this);
        const QString line = lines.value(std::max(0, turns - 1) % lines.size());
        message["role"] = line.startsWith(u"assistant") ? "assistant" : "user";
        message["transcriptType"] = "final";
        message["transcript"] = line.mid(line.indexOf(u':') + 2);
    } else if (type == u"conversation-update") {
        message["messages"] = call["artifact"]["messages"];
        message["messagesOpenAIFormatted"] = Json::array();
    }
    return {{"message", message}};
}

Json SimCall::retellCall(bool withAnalysis) const
{
    const bool ended = stage >= Stage::Ended;
    Json call = {
        {"call_type", "phone_call"},
        {"call_id", id},
        {"agent_id", agentId},
        {"agent_version", 1},
        {"agent_name", "Appointment reminder"},
        {"call_status", providerStatus()},
        {"direction", direction == Direction::Inbound ? "inbound" : "outbound"},
        {"from_number", fromNumber},
        {"to_number", toNumber},
        {"telephony_identifier", {{"twilio_call_sid", "CA" + id.left(32).toStdString()}}},
        {"latency", Json::object()},
    };
    if (!metadata.empty())
        call["metadata"] = metadata;
    if (answeredAt.isValid())
        call["start_timestamp"] = epochMs(answeredAt);
    if (ended) {
        call["end_timestamp"] = epochMs(endedAt);
        call["disconnection_reason"] = retellDisconnectionReason();
        const double secs = answered() ? talkSeconds : 0.0;
        call["duration_ms"] = qint64(secs * 1000);
        call["call_cost"] = {{"combined_cost", costCents()},
                             {"product_costs",
                              Json::array({{{"product", "retell_platform"},
                                            {"cost", costCents()},
                                            {"unit_price", 0.1167},
                                            {"is_transfer_leg_cost", false}}})},
                             {"total_duration_seconds", qint64(std::ceil(secs))},
                             {"total_duration_unit_price", 0.1167}};
        if (answered()) {
            call["transcript"] =
                transcript()
                    .replace(QStringLiteral("assistant:"), QStringLiteral("Agent:"))
                    .replace(QStringLiteral("user:"), QStringLiteral("User:"));
            call["transcript_object"] = Json::array();
            call["recording_url"] =
                QStringLiteral("https://dxc03zgurdly9.cloudfront.net/%1/recording.wav").arg(id);
            call["public_log_url"] =
                QStringLiteral("https://dxc03zgurdly9.cloudfront.net/%1/public.log").arg(id);
        }
    }
    if (withAnalysis && stage >= Stage::Final) {
        call["call_analysis"] = {
            {"call_summary",
             answered()
                 ? (script == Script::Voicemail ? "The agent reached voicemail and left a message."
                                                : "The user confirmed the appointment.")
                 : "The call did not connect."},
            {"call_successful", answered() && script != Script::Voicemail},
            {"user_sentiment", answered() && script != Script::Voicemail ? "Positive" : "Unknown"},
            {"in_voicemail", script == Script::Voicemail},
            {"custom_analysis_data", Json::object()},
        };
    }
    return call;
}

Json SimCall::retellEvent(const QString &event) const
{
    const bool analyzed = event == u"call_analyzed";
    Json call = retellCall(analyzed);
    if (event == u"transcript_updated")
        call["transcript_with_tool_calls"] = Json::array();
    return {{"event", event}, {"call", call}};
}

Json SimCall::truthJson() const
{
    return {
        {"provider", wireName(provider)},
        {"call_id", id},
        {"agent_id", agentId},
        {"direction", wireName(direction)},
        {"to_number", toNumber},
        {"from_number", fromNumber},
        {"script", wireName(script)},
        {"expected_status", wireName(expected())},
        {"voicemail", script == Script::Voicemail},
        {"provider_status", providerStatus()},
        {"talk_seconds", answered() ? round2(talkSeconds) : 0.0},
        {"cost_cents", costCents()},
        {"never_final", neverFinal},
        {"done", done},
        {"created_at", timeToJson(createdAt)},
        {"ended_at", timeToJson(endedAt)},
        {"final_at", timeToJson(finalAt)},
    };
}

} // namespace cb::sim
