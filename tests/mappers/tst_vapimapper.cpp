#include "core/callmerge.h"
#include "core/providermapper.h"
#include "core/vapimapper.h"

#include "fixtures.h"

#include <QTest>
#include <QTimeZone>

using namespace cb;

namespace {

const char *const callId = "3f9b6c2e-5a1d-4e8b-9c47-1d2e3f4a5b6c";

Json call(const char *status)
{
    return Json{
        {"id", callId},
        {"orgId", "eb166faa-7e12-4c7a-9b5d-2f3a4b5c6d7e"},
        {"type", "outboundPhoneCall"},
        {"status", status},
        {"assistantId", "5b0a4a08-1f2e-4d3c-8b7a-6c5d4e3f2a1b"},
        {"phoneNumberId", "42b4b25d-9c8b-4a7d-8e6f-5a4b3c2d1e0f"},
        {"customer", {{"number", "+14155550123"}}},
        {"createdAt", "2026-02-03T16:04:10.339Z"},
        {"updatedAt", "2026-02-03T16:04:12.000Z"},
        {"assistantOverrides", {{"metadata", {{"org_id", "org-acme"}, {"is_test_call", false}}}}},
    };
}

Json message(const char *type, Json extra = Json::object(), const char *callStatus = "in-progress")
{
    Json m = {
        {"type", type},
        {"timestamp", 1770134655000LL},
        {"call", call(callStatus)},
        {"phoneNumber", {{"number", "+14155550100"}}},
    };
    m.update(extra);
    return Json{{"message", m}};
}

Json report(const char *endedReason)
{
    return message("end-of-call-report",
                   {{"endedReason", endedReason},
                    {"startedAt", "2026-02-03T16:04:18.021Z"},
                    {"endedAt", "2026-02-03T16:05:52.400Z"},
                    {"cost", 0.1842},
                    {"artifact",
                     {{"transcript", "AI: Hi\nUser: Hello\n"},
                      {"recordingUrl", "https://storage.vapi.ai/x-mono.wav"},
                      {"messages", Json::array()}}},
                    {"analysis", {{"summary", "Confirmed."}, {"successEvaluation", "true"}}}},
                   "ended");
}

QDateTime utc(int h, int m, int s, int ms)
{
    return QDateTime(QDate(2026, 2, 3), QTime(h, m, s, ms), QTimeZone::utc());
}

} // namespace

class TestVapiMapper : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void statusUpdates_data()
    {
        QTest::addColumn<QString>("raw");
        QTest::addColumn<CallStatus>("status");
        QTest::addColumn<int>("precedence");

        QTest::newRow("scheduled") << u"scheduled"_qs << CallStatus::Queued << 0;
        QTest::newRow("queued") << u"queued"_qs << CallStatus::Queued << 0;
        QTest::newRow("ringing") << u"ringing"_qs << CallStatus::Ringing << 20;
        QTest::newRow("in-progress") << u"in-progress"_qs << CallStatus::InProgress << 30;
        QTest::newRow("forwarding") << u"forwarding"_qs << CallStatus::InProgress
                                    << precedenceOf(CallStatus::InProgress, Phase::Transferring);
        QTest::newRow("ended") << u"ended"_qs << CallStatus::Completed << 40;
        QTest::newRow("not-found") << u"not-found"_qs << CallStatus::Failed << 40;
    }

    void statusUpdates()
    {
        QFETCH(QString, raw);
        QFETCH(CallStatus, status);
        QFETCH(int, precedence);

        const auto e = mapVapiWebhook(message("status-update", {{"status", raw.toStdString()}}));
        QVERIFY(e.ok());
        QVERIFY(!e->ignored);
        QCOMPARE(e->status, status);
        QCOMPARE(e->precedence, precedence);
        QCOMPARE(e->rawStatus, raw);
        QCOMPARE(e->kind, u"status-update"_qs);
        QCOMPARE(e->dedupKey, u"vapi:"_qs + QLatin1StringView(callId) + u":status-update:" + raw);
        QVERIFY(!e->finalReport);
        QVERIFY(!e->finalizes);
        QCOMPARE(e->occurredAt, QDateTime::fromMSecsSinceEpoch(1770134655000LL, QTimeZone::utc()));
        QCOMPARE(
            *mapWebhook(Provider::Vapi, message("status-update", {{"status", raw.toStdString()}})),
            *e);
    }

    void deletionFailedIsIgnored()
    {
        const auto e = mapVapiWebhook(message("status-update", {{"status", "deletion-failed"}}));
        QVERIFY(e.ok());
        QVERIFY(e->ignored);
        QVERIFY(!e->status);
    }

    void unknownStatus()
    {
        const auto e = mapVapiWebhook(message("status-update", {{"status", "teleporting"}}));
        QVERIFY(!e.ok());
        QCOMPARE(e.error().code, u"unknown_status"_qs);
    }

    void endedReasonGroups_data()
    {
        QTest::addColumn<QString>("reason");
        QTest::addColumn<CallStatus>("status");

        const auto row = [](const char *reason, CallStatus status) {
            QTest::newRow(reason) << QString::fromLatin1(reason) << status;
        };
        for (const char *r :
             {"customer-ended-call", "assistant-ended-call", "assistant-said-end-call-phrase",
              "assistant-ended-call-with-hangup-task", "assistant-ended-call-after-message-spoken",
              "assistant-forwarded-call", "silence-timed-out", "exceeded-max-duration",
              "call.in-progress.twilio-completed-call", "call.in-progress.sip-completed-call",
              "vonage-completed", "customer-ended-call-during-transfer",
              "customer-ended-call-before-warm-transfer",
              "customer-ended-call-after-warm-transfer-attempt", "voicemail"})
            row(r, CallStatus::Completed);
        row("customer-busy", CallStatus::Busy);
        for (const char *r :
             {"customer-did-not-answer",
              "call.in-progress.error-providerfault-outbound-sip-408-request-timeout",
              "call.in-progress.error-providerfault-outbound-sip-480-temporarily-unavailable"})
            row(r, CallStatus::NoAnswer);
        for (const char *r : {"manually-canceled", "scheduled-call-deleted", "call-deleted",
                              "call.ringing.sip-inbound-caller-hungup-before-call-connect"})
            row(r, CallStatus::Canceled);
        for (const char *r : {"call.start.error-subscription-concurrency-limit-reached",
                              "call.start.error-get-assistant",
                              "call.start.error-fraud-check-failed",
                              "call-start-error-neither-assistant-nor-server-set",
                              "assistant-not-found",
                              "assistant-not-valid",
                              "assistant-request-failed",
                              "assistant-request-returned-error",
                              "twilio-failed-to-connect-call",
                              "vonage-failed-to-connect-call",
                              "vonage-rejected",
                              "twilio-reported-customer-misdialed",
                              "call.ringing.error-sip-inbound-call-failed",
                              "assistant-transport-never-connected",
                              "phone-call-provider-bypass-enabled-but-no-call-received",
                              "pipeline-error-openai-llm-failed",
                              "pipeline-error-eleven-labs-voice-not-found",
                              "call.in-progress.error-vapifault-openai-llm-failed",
                              "call.in-progress.error-providerfault-twilio",
                              "worker-shutdown",
                              "phone-call-provider-closed-websocket",
                              "assistant-join-timed-out",
                              "some-new-error-reason",
                              "something-failed"})
            row(r, CallStatus::Failed);
        for (const char *r : {"call.forwarding.operator-busy", "call.forwarding.no-answer",
                              "assistant-transfer-failed", "customer-warm-transfer-timeout"})
            row(r, CallStatus::Completed);
        row("some-new-normal-reason", CallStatus::Completed);
        QTest::newRow("empty") << QString() << CallStatus::Completed;
    }

    void endedReasonGroups()
    {
        QFETCH(QString, reason);
        QFETCH(CallStatus, status);
        QCOMPARE(vapiEndedStatus(reason), status);

        const auto ended = mapVapiWebhook(
            message("status-update", {{"status", "ended"}, {"endedReason", reason.toStdString()}}));
        QVERIFY(ended.ok());
        QCOMPARE(ended->status, status);
        QCOMPARE(ended->precedence, precedenceOf(status));
        QCOMPARE(ended->endReason, reason);
        QVERIFY(!ended->finalReport);

        const auto eocr = mapVapiWebhook(report(reason.toUtf8().constData()));
        QVERIFY(eocr.ok());
        QCOMPARE(eocr->status, status);
        QCOMPARE(eocr->precedence, precedenceOf(status, Phase::Analyzed));
        QVERIFY(eocr->finalReport);
        QVERIFY(eocr->finalizes);
        QCOMPARE(eocr->voicemail.value_or(false), reason == u"voicemail");
        QCOMPARE(eocr->dedupKey,
                 u"vapi:"_qs + QLatin1StringView(callId) + u":end-of-call-report:" + reason);
    }

    void endOfCallReportFields()
    {
        const auto e = mapVapiWebhook(report("customer-ended-call"));
        QVERIFY(e.ok());
        QCOMPARE(e->kind, u"end-of-call-report"_qs);
        QCOMPARE(e->rawStatus, u"ended"_qs);
        QCOMPARE(e->endReason, u"customer-ended-call"_qs);
        QCOMPARE(e->startedAt, utc(16, 4, 18, 21));
        QCOMPARE(e->endedAt, utc(16, 5, 52, 400));
        QCOMPARE(e->durationS, 94.379);
        QVERIFY(qFuzzyCompare(*e->costCents, 18.42));
        QCOMPARE(e->currency, u"USD"_qs);
        QCOMPARE(e->transcript, u"AI: Hi\nUser: Hello\n"_qs);
        QCOMPARE(e->recordingUrl, u"https://storage.vapi.ai/x-mono.wav"_qs);
        QCOMPARE(e->summary, u"Confirmed."_qs);
        QCOMPARE(e->success, true);
        QCOMPARE(e->providerAgentId, u"5b0a4a08-1f2e-4d3c-8b7a-6c5d4e3f2a1b"_qs);
        QCOMPARE(e->direction, Direction::Outbound);
        QCOMPARE(e->toNumber, u"+14155550123"_qs);
        QCOMPARE(e->fromNumber, u"+14155550100"_qs);
        QCOMPARE(e->createdAt, utc(16, 4, 10, 339));
        QCOMPARE(e->orgIdHint, u"org-acme"_qs);
        QCOMPARE(e->isTestHint, false);
        QVERIFY(!e->answeredAt.isValid());
    }

    void reportVariants()
    {
        Json body = report("customer-ended-call");
        auto &m = body["message"];
        m["durationSeconds"] = 90.5;
        QCOMPARE(mapVapiWebhook(body)->durationS, 90.5);
        m.erase("durationSeconds");
        m["durationMs"] = 91250;
        QCOMPARE(mapVapiWebhook(body)->durationS, 91.25);
        m["analysis"]["successEvaluation"] = "false";
        QCOMPARE(mapVapiWebhook(body)->success, false);
        m["analysis"]["successEvaluation"] = false;
        QCOMPARE(mapVapiWebhook(body)->success, false);
        m["analysis"]["successEvaluation"] = "8";
        QVERIFY(!mapVapiWebhook(body)->success);
        m.erase("artifact");
        m["transcript"] = "top level";
        m["recordingUrl"] = "https://storage.vapi.ai/top.wav";
        const auto e = mapVapiWebhook(body);
        QCOMPARE(e->transcript, u"top level"_qs);
        QCOMPARE(e->recordingUrl, u"https://storage.vapi.ai/top.wav"_qs);
        m.erase("endedReason");
        m["call"]["endedReason"] = "customer-busy";
        QCOMPARE(mapVapiWebhook(body)->status, CallStatus::Busy);
    }

    void inProgressSetsAnswered()
    {
        auto e = mapVapiWebhook(message("status-update", {{"status", "in-progress"}}));
        QCOMPARE(e->answeredAt, QDateTime::fromMSecsSinceEpoch(1770134655000LL, QTimeZone::utc()));
        Json body = message("status-update", {{"status", "in-progress"}});
        body["message"]["call"]["startedAt"] = "2026-02-03T16:04:18.021Z";
        e = mapVapiWebhook(body);
        QCOMPARE(e->answeredAt, utc(16, 4, 18, 21));
        QVERIFY(!e->costCents);
        QVERIFY(!e->endedAt.isValid());
    }

    void endedStatusUpdateTimes()
    {
        const auto e = mapVapiWebhook(
            message("status-update", {{"status", "ended"}, {"endedReason", "customer-ended-call"}},
                    "ended"));
        QCOMPARE(e->endedAt, QDateTime::fromMSecsSinceEpoch(1770134655000LL, QTimeZone::utc()));
        // The message's own clock is no duration source: only explicit times are.
        QVERIFY(!e->durationS);
    }

    void directionsAndNumbers()
    {
        Json body = message("status-update", {{"status", "ringing"}});
        body["message"]["call"]["type"] = "inboundPhoneCall";
        auto e = mapVapiWebhook(body);
        QCOMPARE(e->direction, Direction::Inbound);
        QCOMPARE(e->fromNumber, u"+14155550123"_qs);
        QCOMPARE(e->toNumber, u"+14155550100"_qs);

        body["message"]["call"]["type"] = "webCall";
        e = mapVapiWebhook(body);
        QCOMPARE(e->direction, Direction::Web);
        QCOMPARE(e->isTestHint, true);

        body["message"]["call"]["type"] = "vapi.websocketCall";
        QCOMPARE(mapVapiWebhook(body)->direction, Direction::Web);

        body["message"].erase("phoneNumber");
        body["message"]["call"]["phoneNumber"] = {{"number", "+14155550999"}};
        body["message"]["call"]["type"] = "outboundPhoneCall";
        QCOMPARE(mapVapiWebhook(body)->fromNumber, u"+14155550999"_qs);
    }

    void agentAndMetadataSources()
    {
        Json body = message("status-update", {{"status", "ringing"}});
        auto &c = body["message"]["call"];
        c.erase("assistantId");
        c["squadId"] = "squad-1";
        QCOMPARE(mapVapiWebhook(body)->providerAgentId, u"squad-1"_qs);
        c.erase("squadId");
        c["workflowId"] = "wf-1";
        QCOMPARE(mapVapiWebhook(body)->providerAgentId, u"wf-1"_qs);

        c["metadata"] = {{"org_id", "org-legacy"}, {"is_test_call", true}};
        auto e = mapVapiWebhook(body);
        QCOMPARE(e->orgIdHint, u"org-legacy"_qs);
        QCOMPARE(e->isTestHint, true);
        QCOMPARE(Json::parse(e->metadata.toStdString()).value("org_id", ""),
                 std::string("org-legacy"));
        c.erase("metadata");
        c.erase("assistantOverrides");
        e = mapVapiWebhook(body);
        QVERIFY(e->orgIdHint.isEmpty());
        QVERIFY(e->metadata.isEmpty());
    }

    void otherTypesAreIgnored_data()
    {
        QTest::addColumn<QString>("type");
        for (const char *t : {"speech-update", "transcript", "transcript[transcriptType=\"final\"]",
                              "conversation-update", "hang", "tool-calls", "user-interrupted",
                              "model-output", "transfer-update", "assistant.started",
                              "assistant-request", "transfer-destination-request", "voice-input",
                              "phone-call-control", "call.deleted", "something-new"})
            QTest::newRow(t) << QString::fromLatin1(t);
    }

    void otherTypesAreIgnored()
    {
        QFETCH(QString, type);
        const auto e = mapVapiWebhook(message(type.toUtf8().constData(), {{"status", "started"}}));
        QVERIFY(e.ok());
        QVERIFY(e->ignored);
        QVERIFY(!e->status);
        QCOMPARE(e->kind, type);
        QCOMPARE(e->providerCallId, QLatin1StringView(callId));
        QCOMPARE(e->dedupKey,
                 u"vapi:"_qs + QLatin1StringView(callId) + u':' + type + u":1770134655000");

        CallRecord r;
        QCOMPARE(apply(r, *e), r);
    }

    void polledCall_data()
    {
        QTest::addColumn<QString>("status");
        QTest::addColumn<bool>("postCall");
        QTest::addColumn<QString>("key");
        QTest::addColumn<CallStatus>("normalized");

        const QString base = u"vapi:"_qs + QLatin1StringView(callId);
        QTest::newRow("queued") << u"queued"_qs << false << base + u":status-update:queued"
                                << CallStatus::Queued;
        QTest::newRow("ringing") << u"ringing"_qs << false << base + u":status-update:ringing"
                                 << CallStatus::Ringing;
        QTest::newRow("in-progress")
            << u"in-progress"_qs << false << base + u":status-update:in-progress"
            << CallStatus::InProgress;
        QTest::newRow("forwarding")
            << u"forwarding"_qs << false << base + u":status-update:forwarding"
            << CallStatus::InProgress;
        QTest::newRow("ended bare")
            << u"ended"_qs << false << base + u":status-update:ended" << CallStatus::Busy;
        QTest::newRow("ended report")
            << u"ended"_qs << true << base + u":end-of-call-report:customer-busy"
            << CallStatus::Busy;
        QTest::newRow("not-found")
            << u"not-found"_qs << false << base + u":status-update:not-found" << CallStatus::Failed;
    }

    void polledCall()
    {
        QFETCH(QString, status);
        QFETCH(bool, postCall);
        QFETCH(QString, key);
        QFETCH(CallStatus, normalized);

        Json c = call(status.toUtf8().constData());
        c["endedReason"] = "customer-busy";
        if (postCall)
            c["analysis"] = {{"summary", "Busy."}};
        const auto e = mapVapiCall(c);
        QVERIFY(e.ok());
        QCOMPARE(e->dedupKey, key);
        QCOMPARE(e->status, normalized);
        QCOMPARE(e->finalizes, postCall);
        QCOMPARE(*mapPolledCall(Provider::Vapi, c), *e);
    }

    void polledCallBeforePostProcessingLeavesTheReportToCome()
    {
        // Between hang-up and end-of-call-report the call already carries its transcript and
        // sometimes its recording, but no analysis yet.
        Json c = call("ended");
        c["endedReason"] = "customer-ended-call";
        c["artifact"] = {{"transcript", "AI: Hello.\nUser: Hi."},
                         {"recordingUrl", "https://example.invalid/r.wav"}};
        const auto poll = mapVapiCall(c);
        QVERIFY(poll.ok());
        QVERIFY(!poll->finalizes);
        QCOMPARE(poll->dedupKey,
                 u"vapi:"_qs + QLatin1StringView(callId) + u":status-update:ended"_qs);

        c["analysis"] = {{"summary", "Confirmed."}};
        const auto report = mapVapiCall(c);
        QVERIFY(report.ok());
        QVERIFY(report->finalizes);
        QVERIFY(report->dedupKey != poll->dedupKey);
    }

    void polledCallSharesTheWebhookKey()
    {
        for (const auto &outcome : fixtures::outcomes) {
            for (const auto &file : fixtures::sequence(u"vapi"_qs, outcome)) {
                const Json body = fixtures::load(file);
                const auto hook = mapVapiWebhook(body);
                QVERIFY(hook.ok());
                if (hook->ignored)
                    continue;
                Json c = body["message"]["call"];
                if (hook->kind == u"end-of-call-report") {
                    c["artifact"] = body["message"]["artifact"];
                    c["analysis"] = body["message"]["analysis"];
                    if (c["analysis"].empty())
                        c["analysis"] = {{"summary", "No conversation."}};
                }
                const auto poll = mapVapiCall(c);
                QVERIFY2(poll.ok(), qPrintable(file));
                QCOMPARE(poll->dedupKey, hook->dedupKey);
                QCOMPARE(poll->status, hook->status);
                QCOMPARE(poll->precedence, hook->precedence);
            }
        }
    }

    void polledCallErrors()
    {
        QCOMPARE(mapVapiCall(Json::array()).error().code, u"invalid_payload"_qs);
        QCOMPARE(mapVapiCall(Json{{"status", "ended"}}).error().code, u"invalid_payload"_qs);
        QCOMPARE(mapVapiCall(Json{{"id", "c1"}}).error().code, u"invalid_payload"_qs);
        QCOMPARE(mapVapiCall(Json{{"id", "c1"}, {"status", "paused"}}).error().code,
                 u"unknown_status"_qs);
        QVERIFY(mapVapiCall(Json{{"id", "c1"}, {"status", "deletion-failed"}})->ignored);
    }

    void malformedBodies_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::newRow("array") << QByteArray(R"([{"message":{}}])");
        QTest::newRow("null") << QByteArray("null");
        QTest::newRow("no message") << QByteArray(R"({"type":"status-update","call":{"id":"c"}})");
        QTest::newRow("message string") << QByteArray(R"({"message":"status-update"})");
        QTest::newRow("message array") << QByteArray(R"({"message":[{"type":"status-update"}]})");
        QTest::newRow("no type") << QByteArray(
            R"({"message":{"status":"ringing","call":{"id":"c"}}})");
        QTest::newRow("type number") << QByteArray(R"({"message":{"type":1,"call":{"id":"c"}}})");
        QTest::newRow("no call") << QByteArray(
            R"({"message":{"type":"status-update","status":"ringing"}})");
        QTest::newRow("call array")
            << QByteArray(R"({"message":{"type":"status-update","call":[{"id":"c"}]}})");
        QTest::newRow("call id number")
            << QByteArray(R"({"message":{"type":"status-update","call":{"id":5}}})");
        QTest::newRow("ignored type without call")
            << QByteArray(R"({"message":{"type":"speech-update"}})");
        QTest::newRow("no status")
            << QByteArray(R"({"message":{"type":"status-update","call":{"id":"c"}}})");
        QTest::newRow("status object")
            << QByteArray(R"({"message":{"type":"status-update","status":{},"call":{"id":"c"}}})");
    }

    void malformedBodies()
    {
        QFETCH(QByteArray, json);
        const auto e = mapVapiWebhook(Json::parse(json.toStdString()));
        QVERIFY(!e.ok());
        QCOMPARE(e.error().code, u"invalid_payload"_qs);
        QVERIFY(!e.error().message.isEmpty());
    }

    void wrongTypesEverywhereAreAbsent()
    {
        const Json body = {{"message",
                            {{"type", "end-of-call-report"},
                             {"timestamp", "soon"},
                             {"endedReason", 7},
                             {"startedAt", 5e300},
                             {"endedAt", Json::array()},
                             {"cost", "free"},
                             {"durationSeconds", Json::object()},
                             {"artifact", "none"},
                             {"analysis", Json::array()},
                             {"customer", "+1415"},
                             {"phoneNumber", 3},
                             {"call",
                              {{"id", "c1"},
                               {"type", Json::object()},
                               {"assistantId", 12},
                               {"customer", Json::array()},
                               {"metadata", "org"},
                               {"assistantOverrides", 1},
                               {"cost", -1}}}}}};
        const auto e = mapVapiWebhook(body);
        QVERIFY(e.ok());
        QCOMPARE(e->status, CallStatus::Completed);
        QVERIFY(!e->occurredAt.isValid());
        QVERIFY(!e->costCents);
        QVERIFY(!e->durationS);
        QVERIFY(!e->direction);
        QVERIFY(e->providerAgentId.isEmpty());
        QVERIFY(e->toNumber.isEmpty());
        QVERIFY(e->metadata.isEmpty());
        QVERIFY(!e->success);
    }

    void fixturesMap_data()
    {
        QTest::addColumn<QString>("file");
        for (const auto &outcome : fixtures::outcomes) {
            for (const auto &file : fixtures::sequence(u"vapi"_qs, outcome))
                QTest::newRow(qPrintable(file)) << file;
        }
    }

    void fixturesMap()
    {
        QFETCH(QString, file);
        const Json body = fixtures::load(file);
        QVERIFY(body.is_object());
        const auto e = mapVapiWebhook(body);
        QVERIFY2(e.ok(), qPrintable(e.ok() ? QString() : e.error().message));
        const QString type = stringField(body["message"], "type");
        QCOMPARE(e->ignored, type != u"status-update" && type != u"end-of-call-report");
    }
};

QTEST_GUILESS_MAIN(TestVapiMapper)
#include "tst_vapimapper.moc"
