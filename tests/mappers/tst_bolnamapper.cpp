#include "core/bolnamapper.h"
#include "core/callmerge.h"
#include "core/providermapper.h"

#include "fixtures.h"

#include <QTest>
#include <QTimeZone>

using namespace cb;

namespace {

/// A trimmed real-shaped execution (providers.md §1.6) at @p status.
Json execution(const char *status)
{
    return Json{
        {"id", "6c972873-19b2-44b0-a6bf-d4f690a7a9cf"},
        {"agent_id", "9fb77fd4-3c1e-4a57-9d55-2b8f0e6a1c44"},
        {"status", status},
        {"created_at", "2026-01-28T13:17:50.116924"},
        {"initiated_at", "2026-01-28T13:17:51.402118"},
        {"updated_at", "2026-01-28T13:19:08.672994"},
        {"conversation_duration", 68.4},
        {"total_cost", 12.71},
        {"answered_by_voice_mail", nullptr},
        {"error_message", nullptr},
        {"transcript", "assistant: Hello\nuser: yes"},
        {"telephony_data",
         {{"duration", "69"},
          {"to_number", "+919876543210"},
          {"from_number", "+918035738412"},
          {"recording_url",
           "https://bolna-recordings-india.s3.ap-south-1.amazonaws.com/plivo/x.mp3"},
          {"call_type", "outbound"},
          {"provider", "plivo"},
          {"hangup_by", "Caller"},
          {"hangup_reason", "Call recipient hungup"},
          {"hangup_provider_code", 4000}}},
        {"context_details",
         {{"recipient_data",
           {{"customer_name", "Anita"}, {"org_id", "org-acme"}, {"is_test_call", true}}},
          {"recipient_phone_number", "+919876543210"}}},
    };
}

QDateTime utc(int h, int m, int s, int ms)
{
    return QDateTime(QDate(2026, 1, 28), QTime(h, m, s, ms), QTimeZone::utc());
}

} // namespace

class TestBolnaMapper : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyStatus_data()
    {
        QTest::addColumn<QString>("raw");
        QTest::addColumn<CallStatus>("status");
        QTest::addColumn<int>("precedence");
        QTest::addColumn<bool>("final");

        const int analyzed = int(Phase::Analyzed);
        QTest::newRow("scheduled") << u"scheduled"_qs << CallStatus::Queued << 0 << false;
        QTest::newRow("queued") << u"queued"_qs << CallStatus::Queued << 0 << false;
        QTest::newRow("rescheduled") << u"rescheduled"_qs << CallStatus::Queued << 0 << false;
        QTest::newRow("initiated") << u"initiated"_qs << CallStatus::Initiated << 10 << false;
        QTest::newRow("ringing") << u"ringing"_qs << CallStatus::Ringing << 20 << false;
        QTest::newRow("in-progress") << u"in-progress"_qs << CallStatus::InProgress << 30 << false;
        QTest::newRow("call-disconnected")
            << u"call-disconnected"_qs << CallStatus::Completed << 40 << false;
        QTest::newRow("completed")
            << u"completed"_qs << CallStatus::Completed << 40 + analyzed << true;
        QTest::newRow("busy") << u"busy"_qs << CallStatus::Busy << 40 + analyzed << true;
        QTest::newRow("no-answer")
            << u"no-answer"_qs << CallStatus::NoAnswer << 40 + analyzed << true;
        QTest::newRow("failed") << u"failed"_qs << CallStatus::Failed << 40 + analyzed << true;
        QTest::newRow("error") << u"error"_qs << CallStatus::Failed << 40 + analyzed << true;
        QTest::newRow("balance-low")
            << u"balance-low"_qs << CallStatus::Failed << 40 + analyzed << true;
        QTest::newRow("balance_low")
            << u"balance_low"_qs << CallStatus::Failed << 40 + analyzed << true;
        QTest::newRow("canceled") << u"canceled"_qs << CallStatus::Canceled << 40 + analyzed
                                  << true;
        QTest::newRow("stopped") << u"stopped"_qs << CallStatus::Canceled << 40 + analyzed << true;
    }

    void everyStatus()
    {
        QFETCH(QString, raw);
        QFETCH(CallStatus, status);
        QFETCH(int, precedence);
        QFETCH(bool, final);

        Json body = execution("x");
        body["status"] = raw.toStdString();
        const auto e = mapBolnaWebhook(body);
        QVERIFY(e.ok());
        QCOMPARE(e->status, status);
        QCOMPARE(e->precedence, precedence);
        QCOMPARE(e->finalReport, final);
        QCOMPARE(e->finalizes, final);
        QCOMPARE(e->rawStatus, raw);
        QCOMPARE(e->kind, raw);
        QCOMPARE(e->dedupKey, u"bolna:6c972873-19b2-44b0-a6bf-d4f690a7a9cf:"_qs + raw);
        QVERIFY(!e->ignored);
        QCOMPARE(e->provider, Provider::Bolna);

        const auto polled = mapBolnaExecution(body);
        QVERIFY(polled.ok());
        QCOMPARE(*polled, *e);
        QCOMPARE(*mapWebhook(Provider::Bolna, body), *e);
        QCOMPARE(*mapPolledCall(Provider::Bolna, body), *e);
    }

    void completedFields()
    {
        const auto e = mapBolnaWebhook(execution("completed"));
        QVERIFY(e.ok());
        QCOMPARE(e->providerCallId, u"6c972873-19b2-44b0-a6bf-d4f690a7a9cf"_qs);
        QCOMPARE(e->providerAgentId, u"9fb77fd4-3c1e-4a57-9d55-2b8f0e6a1c44"_qs);
        QCOMPARE(e->direction, Direction::Outbound);
        QCOMPARE(e->toNumber, u"+919876543210"_qs);
        QCOMPARE(e->fromNumber, u"+918035738412"_qs);
        QCOMPARE(e->createdAt, utc(13, 17, 50, 116));
        QCOMPARE(e->startedAt, utc(13, 17, 51, 402));
        QCOMPARE(e->occurredAt, utc(13, 19, 8, 672));
        QVERIFY(!e->answeredAt.isValid());
        // completed comes minutes after the hang-up: its updated_at is no end time.
        QVERIFY(!e->endedAt.isValid());
        QCOMPARE(e->durationS, 68.4);
        QCOMPARE(e->costCents, 12.71);
        QCOMPARE(e->currency, u"USD"_qs);
        QCOMPARE(e->endReason, u"Call recipient hungup"_qs);
        QCOMPARE(e->recordingUrl,
                 u"https://bolna-recordings-india.s3.ap-south-1.amazonaws.com/plivo/x.mp3"_qs);
        QCOMPARE(e->transcript, u"assistant: Hello\nuser: yes"_qs);
        QCOMPARE(e->orgIdHint, u"org-acme"_qs);
        QCOMPARE(e->isTestHint, true);
        const Json metadata = Json::parse(e->metadata.toStdString());
        QCOMPARE(metadata.value("customer_name", ""), std::string("Anita"));
    }

    void timesPerStatus()
    {
        const auto inProgress = mapBolnaWebhook(execution("in-progress"));
        QCOMPARE(inProgress->answeredAt, utc(13, 19, 8, 672));
        QVERIFY(!inProgress->endedAt.isValid());
        const auto disconnected = mapBolnaWebhook(execution("call-disconnected"));
        QCOMPARE(disconnected->endedAt, utc(13, 19, 8, 672));
        QVERIFY(!disconnected->answeredAt.isValid());
        const auto busy = mapBolnaWebhook(execution("busy"));
        QCOMPARE(busy->endedAt, utc(13, 19, 8, 672));

        Json noInitiatedAt = execution("initiated");
        noInitiatedAt.erase("initiated_at");
        QCOMPARE(mapBolnaWebhook(noInitiatedAt)->startedAt, utc(13, 19, 8, 672));
        const auto ringing = mapBolnaWebhook(execution("ringing"));
        QVERIFY(!ringing->durationS);
        QVERIFY(!ringing->costCents);
    }

    void stringDurationAndLegacyConversationTime()
    {
        Json body = execution("completed");
        body.erase("conversation_duration");
        body["telephony_data"]["duration"] = "69";
        QCOMPARE(mapBolnaWebhook(body)->durationS, 69.0);
        body["conversation_time"] = 42.5;
        QCOMPARE(mapBolnaWebhook(body)->durationS, 42.5);
        body["conversation_time"] = "12.25";
        QCOMPARE(mapBolnaWebhook(body)->durationS, 12.25);
        body.erase("conversation_time");
        body["telephony_data"]["duration"] = "sixty";
        QVERIFY(!mapBolnaWebhook(body)->durationS);
    }

    void timestampsWithoutZoneAreUtc()
    {
        Json body = execution("in-progress");
        body["updated_at"] = "2026-01-28T13:18:00";
        QCOMPARE(mapBolnaWebhook(body)->answeredAt, utc(13, 18, 0, 0));
        body["updated_at"] = "2026-01-28T18:48:00+05:30";
        QCOMPARE(mapBolnaWebhook(body)->answeredAt, utc(13, 18, 0, 0));
        body["updated_at"] = "yesterday";
        QVERIFY(!mapBolnaWebhook(body)->answeredAt.isValid());
    }

    void emptyRecordingUrlIsAbsent()
    {
        Json body = execution("call-disconnected");
        body["telephony_data"]["recording_url"] = "";
        const auto e = mapBolnaWebhook(body);
        QVERIFY(e->recordingUrl.isEmpty());

        CallRecord r;
        r = apply(r, *mapBolnaWebhook(execution("completed")));
        r = apply(r, *e);
        QCOMPARE(r.call.recordingUrl,
                 u"https://bolna-recordings-india.s3.ap-south-1.amazonaws.com/plivo/x.mp3"_qs);
    }

    void zeroConversationIsRemappedByHangup_data()
    {
        QTest::addColumn<QString>("raw");
        QTest::addColumn<QString>("reason");
        QTest::addColumn<int>("code");
        QTest::addColumn<CallStatus>("status");

        QTest::newRow("completed busy")
            << u"completed"_qs << u"Call recipient was busy"_qs << 0 << CallStatus::Busy;
        QTest::newRow("completed rejected")
            << u"completed"_qs << u"Call recipient rejected"_qs << 0 << CallStatus::Busy;
        QTest::newRow("completed declined")
            << u"completed"_qs << u"Call declined"_qs << 0 << CallStatus::Busy;
        QTest::newRow("completed code 3010")
            << u"completed"_qs << QString() << 3010 << CallStatus::Busy;
        QTest::newRow("completed unanswered")
            << u"completed"_qs << u"Call unanswered"_qs << 0 << CallStatus::NoAnswer;
        QTest::newRow("completed no answer")
            << u"completed"_qs << u"No answer"_qs << 0 << CallStatus::NoAnswer;
        QTest::newRow("completed other")
            << u"completed"_qs << u"Call recipient hungup"_qs << 4000 << CallStatus::Failed;
        QTest::newRow("completed none") << u"completed"_qs << QString() << 0 << CallStatus::Failed;
        QTest::newRow("disconnected busy")
            << u"call-disconnected"_qs << u"Call recipient was busy"_qs << 0 << CallStatus::Busy;
        QTest::newRow("disconnected unanswered")
            << u"call-disconnected"_qs << u"Call unanswered"_qs << 0 << CallStatus::NoAnswer;
        // At call-disconnected the duration is often 0 until post-processing ends.
        QTest::newRow("disconnected other")
            << u"call-disconnected"_qs << u"Call recipient hungup"_qs << 4000
            << CallStatus::Completed;
    }

    void zeroConversationIsRemappedByHangup()
    {
        QFETCH(QString, raw);
        QFETCH(QString, reason);
        QFETCH(int, code);
        QFETCH(CallStatus, status);

        Json body = execution("x");
        body["status"] = raw.toStdString();
        body["conversation_duration"] = 0;
        body["telephony_data"]["hangup_reason"] =
            reason.isNull() ? Json() : Json(reason.toStdString());
        body["telephony_data"]["hangup_provider_code"] = code ? Json(code) : Json();
        const auto e = mapBolnaWebhook(body);
        QVERIFY(e.ok());
        QCOMPARE(e->status, status);
        QCOMPARE(e->rawStatus, raw);
        const Phase phase = raw == u"completed" ? Phase::Analyzed : Phase::Plain;
        QCOMPARE(e->precedence, precedenceOf(status, phase));
    }

    void voicemailIsCompleted()
    {
        Json body = execution("completed");
        body["answered_by_voice_mail"] = true;
        body["conversation_duration"] = 0;
        const auto e = mapBolnaWebhook(body);
        QCOMPARE(e->status, CallStatus::Completed);
        QCOMPARE(e->voicemail, true);
        body["answered_by_voice_mail"] = false;
        body["conversation_duration"] = 12;
        QCOMPARE(mapBolnaWebhook(body)->voicemail, false);
    }

    void endReasonOfFailures()
    {
        Json body = execution("failed");
        body["error_message"] = "Telephony provider error";
        QCOMPARE(mapBolnaWebhook(body)->endReason, u"Telephony provider error"_qs);
        body["status"] = "error";
        QCOMPARE(mapBolnaWebhook(body)->endReason, u"Telephony provider error"_qs);
        body["status"] = "busy";
        QCOMPARE(mapBolnaWebhook(body)->endReason, u"Call recipient hungup"_qs);
        body["status"] = "failed";
        body["error_message"] = nullptr;
        QCOMPARE(mapBolnaWebhook(body)->endReason, u"Call recipient hungup"_qs);
    }

    void inboundAndFallbackNumbers()
    {
        Json body = execution("in-progress");
        body["telephony_data"]["call_type"] = "inbound";
        QCOMPARE(mapBolnaWebhook(body)->direction, Direction::Inbound);

        body["telephony_data"].erase("to_number");
        body["telephony_data"].erase("from_number");
        body["user_number"] = "+919811111111";
        body["agent_number"] = "+918022222222";
        auto e = mapBolnaWebhook(body);
        QCOMPARE(e->fromNumber, u"+919811111111"_qs);
        QCOMPARE(e->toNumber, u"+918022222222"_qs);

        body["telephony_data"]["call_type"] = "outbound";
        body.erase("user_number");
        e = mapBolnaWebhook(body);
        QCOMPARE(e->toNumber, u"+919876543210"_qs);
        QCOMPARE(e->fromNumber, u"+918022222222"_qs);
    }

    void numericIdIsOpaque()
    {
        Json body = execution("queued");
        body["id"] = 7432382142914LL;
        const auto e = mapBolnaWebhook(body);
        QVERIFY(e.ok());
        QCOMPARE(e->providerCallId, u"7432382142914"_qs);
        QCOMPARE(e->dedupKey, u"bolna:7432382142914:queued"_qs);
    }

    void costZeroBeforePostProcessingIsAbsent()
    {
        Json body = execution("call-disconnected");
        body["total_cost"] = 0;
        QVERIFY(!mapBolnaWebhook(body)->costCents);
        body["status"] = "busy";
        QCOMPARE(mapBolnaWebhook(body)->costCents, 0.0);
    }

    void metadataHints()
    {
        Json body = execution("queued");
        body["context_details"]["recipient_data"] = Json::object();
        auto e = mapBolnaWebhook(body);
        QVERIFY(e->metadata.isEmpty());
        QVERIFY(e->orgIdHint.isEmpty());
        QVERIFY(!e->isTestHint);
        body["context_details"]["recipient_data"] = {{"org_id", 42}, {"is_test_call", "TRUE"}};
        e = mapBolnaWebhook(body);
        QCOMPARE(e->orgIdHint, u"42"_qs);
        QCOMPARE(e->isTestHint, true);
        body["context_details"] = "not an object";
        QVERIFY(mapBolnaWebhook(body).ok());
    }

    void unknownStatus()
    {
        Json body = execution("warming-up");
        const auto e = mapBolnaWebhook(body);
        QVERIFY(!e.ok());
        QCOMPARE(e.error().code, u"unknown_status"_qs);
        QVERIFY(e.error().message.contains(u"warming-up"));
    }

    void malformedBodies_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::newRow("array") << QByteArray(R"([{"id":"a","status":"queued"}])");
        QTest::newRow("string") << QByteArray(R"("completed")");
        QTest::newRow("null") << QByteArray("null");
        QTest::newRow("number") << QByteArray("42");
        QTest::newRow("empty object") << QByteArray("{}");
        QTest::newRow("no id") << QByteArray(R"({"status":"completed"})");
        QTest::newRow("empty id") << QByteArray(R"({"id":"","status":"completed"})");
        QTest::newRow("id object") << QByteArray(R"({"id":{"a":1},"status":"completed"})");
        QTest::newRow("id float") << QByteArray(R"({"id":1.5,"status":"completed"})");
        QTest::newRow("id array") << QByteArray(R"({"id":["x"],"status":"completed"})");
        QTest::newRow("no status") << QByteArray(R"({"id":"a"})");
        QTest::newRow("status number") << QByteArray(R"({"id":"a","status":3})");
        QTest::newRow("status array") << QByteArray(R"({"id":"a","status":["completed"]})");
    }

    void malformedBodies()
    {
        QFETCH(QByteArray, json);
        const auto e = mapBolnaWebhook(Json::parse(json.toStdString()));
        QVERIFY(!e.ok());
        QCOMPARE(e.error().code, u"invalid_payload"_qs);
        QVERIFY(!e.error().message.isEmpty());
    }

    void wrongTypesEverywhereAreAbsent()
    {
        const Json body = {
            {"id", "exec-1"},
            {"status", "completed"},
            {"agent_id", Json::array()},
            {"created_at", 12.5e300},
            {"initiated_at", Json::object()},
            {"updated_at", true},
            {"conversation_duration", Json::array({1})},
            {"total_cost", "lots"},
            {"answered_by_voice_mail", "maybe"},
            {"transcript", 7},
            {"summary", Json::object()},
            {"error_message", false},
            {"telephony_data",
             {{"duration", Json::object()},
              {"to_number", 919876543210LL},
              {"recording_url", Json::array()},
              {"call_type", 1},
              {"hangup_reason", Json::object()},
              {"hangup_provider_code", "x"}}},
            {"context_details", {{"recipient_data", Json::array({1, 2})}}},
        };
        const auto e = mapBolnaWebhook(body);
        QVERIFY(e.ok());
        QCOMPARE(e->status, CallStatus::Completed);
        QVERIFY(e->providerAgentId.isEmpty());
        QVERIFY(!e->createdAt.isValid());
        QVERIFY(!e->durationS);
        QVERIFY(!e->costCents);
        QVERIFY(!e->direction);
        QVERIFY(e->toNumber.isEmpty());
        QVERIFY(e->transcript.isEmpty());
        QVERIFY(e->metadata.isEmpty());

        Json telephonyArray = {
            {"id", "exec-1"}, {"status", "ringing"}, {"telephony_data", Json::array()}};
        QVERIFY(mapBolnaWebhook(telephonyArray).ok());
    }

    void fixturesMap_data()
    {
        QTest::addColumn<QString>("file");
        for (const auto &outcome : fixtures::outcomes) {
            for (const auto &file : fixtures::sequence(u"bolna"_qs, outcome))
                QTest::newRow(qPrintable(file)) << file;
        }
    }

    void fixturesMap()
    {
        QFETCH(QString, file);
        const Json body = fixtures::load(file);
        QVERIFY(body.is_object());
        const auto e = mapBolnaWebhook(body);
        QVERIFY2(e.ok(), qPrintable(e.ok() ? QString() : e.error().message));
        QVERIFY(!e->ignored);
        QVERIFY(e->status);
        QCOMPARE(e->rawStatus, stringField(body, "status"));
    }
};

QTEST_GUILESS_MAIN(TestBolnaMapper)
#include "tst_bolnamapper.moc"
