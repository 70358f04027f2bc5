#include "core/callmerge.h"
#include "core/providermapper.h"
#include "core/retellmapper.h"

#include "fixtures.h"

#include <QTest>
#include <QTimeZone>

using namespace cb;

namespace {

constexpr qint64 startMs = 1770737275945;
constexpr qint64 endMs = 1770737357736;

Json call(const char *status, const char *reason = nullptr, bool connected = true)
{
    Json c = {
        {"call_id", "Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6"},
        {"agent_id", "oBeDLoLOeuAbiuaMFXRtDOLriTJ5tSxD"},
        {"call_type", "phone_call"},
        {"call_status", status},
        {"direction", "outbound"},
        {"from_number", "+14157774444"},
        {"to_number", "+12137774445"},
        {"metadata", {{"org_id", "org-acme"}, {"is_test_call", false}}},
    };
    if (connected)
        c["start_timestamp"] = startMs;
    if (reason) {
        c["disconnection_reason"] = reason;
        c["end_timestamp"] = endMs;
        c["duration_ms"] = connected ? endMs - startMs : 0;
        c["transcript"] = "Agent: Hi John\nUser: Hi\n";
        c["recording_url"] = "https://dxc03zgurdly9.cloudfront.net/x/recording.wav";
        c["call_cost"] = {{"combined_cost", 23.52}, {"total_duration_seconds", 82}};
    }
    return c;
}

Json webhook(const char *name, Json c)
{
    return Json{{"event", name}, {"call", std::move(c)}};
}

Json analysis()
{
    return {{"call_summary", "Rescheduled to Monday."},
            {"call_successful", true},
            {"user_sentiment", "Positive"},
            {"in_voicemail", false},
            {"custom_analysis_data", Json::object()}};
}

QDateTime ms(qint64 value)
{
    return QDateTime::fromMSecsSinceEpoch(value, QTimeZone::utc());
}

} // namespace

class TestRetellMapper : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void callStarted()
    {
        const auto e = mapRetellWebhook(webhook("call_started", call("ongoing")));
        QVERIFY(e.ok());
        QCOMPARE(e->status, CallStatus::InProgress);
        QCOMPARE(e->precedence, precedenceOf(CallStatus::InProgress));
        QCOMPARE(e->kind, u"call_started"_qs);
        QCOMPARE(e->rawStatus, u"call_started"_qs);
        QCOMPARE(e->dedupKey, u"retell:Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6:call_started"_qs);
        QCOMPARE(e->startedAt, ms(startMs));
        QCOMPARE(e->answeredAt, ms(startMs));
        QVERIFY(!e->endedAt.isValid());
        QVERIFY(!e->finalReport);
        QCOMPARE(e->direction, Direction::Outbound);
        QCOMPARE(e->fromNumber, u"+14157774444"_qs);
        QCOMPARE(e->toNumber, u"+12137774445"_qs);
        QCOMPARE(e->providerAgentId, u"oBeDLoLOeuAbiuaMFXRtDOLriTJ5tSxD"_qs);
        QCOMPARE(e->orgIdHint, u"org-acme"_qs);
        QCOMPARE(e->isTestHint, false);
        QCOMPARE(*mapWebhook(Provider::Retell, webhook("call_started", call("ongoing"))), *e);
    }

    void callEndedAndAnalyzed()
    {
        const auto ended = mapRetellWebhook(webhook("call_ended", call("ended", "user_hangup")));
        QVERIFY(ended.ok());
        QCOMPARE(ended->status, CallStatus::Completed);
        QCOMPARE(ended->precedence, precedenceOf(CallStatus::Completed, Phase::FinalReport));
        QVERIFY(ended->finalReport);
        QVERIFY(!ended->finalizes);
        QCOMPARE(ended->endReason, u"user_hangup"_qs);
        QCOMPARE(ended->endedAt, ms(endMs));
        QCOMPARE(ended->answeredAt, ms(startMs));
        QCOMPARE(ended->durationS, 81.791);
        QCOMPARE(ended->costCents, 23.52);
        QCOMPARE(ended->currency, u"USD"_qs);
        QCOMPARE(ended->transcript, u"Agent: Hi John\nUser: Hi\n"_qs);
        QCOMPARE(ended->recordingUrl, u"https://dxc03zgurdly9.cloudfront.net/x/recording.wav"_qs);
        QVERIFY(ended->summary.isEmpty());
        QVERIFY(!ended->success);

        Json c = call("ended", "user_hangup");
        c["call_analysis"] = analysis();
        const auto analyzed = mapRetellWebhook(webhook("call_analyzed", c));
        QVERIFY(analyzed.ok());
        QCOMPARE(analyzed->precedence, precedenceOf(CallStatus::Completed, Phase::Analyzed));
        QVERIFY(analyzed->finalReport);
        QVERIFY(analyzed->finalizes);
        QCOMPARE(analyzed->summary, u"Rescheduled to Monday."_qs);
        QCOMPARE(analyzed->success, true);
        QCOMPARE(analyzed->sentiment, u"Positive"_qs);
        QCOMPARE(analyzed->voicemail, std::nullopt);
        QCOMPARE(analyzed->dedupKey, u"retell:Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6:call_analyzed"_qs);
    }

    void stateFollowsEventNotCallStatus()
    {
        // The docs' sample carries call_status "registered" inside call_ended.
        const auto e = mapRetellWebhook(webhook("call_ended", call("registered", "agent_hangup")));
        QCOMPARE(e->status, CallStatus::Completed);
        QVERIFY(e->finalReport);
        const auto started = mapRetellWebhook(webhook("call_started", call("registered")));
        QCOMPARE(started->status, CallStatus::InProgress);
    }

    void disconnectionReasons_data()
    {
        QTest::addColumn<QString>("reason");
        QTest::addColumn<bool>("connected");
        QTest::addColumn<CallStatus>("status");

        const auto row = [](const char *reason, bool connected, CallStatus status) {
            QTest::addRow("%s%s", reason, connected ? "" : " (not connected)")
                << QString::fromLatin1(reason) << connected << status;
        };
        for (const char *r : {"user_hangup", "agent_hangup", "call_transfer", "transfer_bridged",
                              "transfer_cancelled", "inactivity", "max_duration_reached",
                              "ivr_reached", "call_take_over", "voicemail_reached"})
            row(r, true, CallStatus::Completed);
        row("dial_busy", false, CallStatus::Busy);
        row("user_declined", false, CallStatus::Busy);
        row("dial_no_answer", false, CallStatus::NoAnswer);
        for (const char *r :
             {"dial_failed", "invalid_destination", "telephony_provider_permission_denied",
              "telephony_provider_unavailable", "sip_routing_error", "marked_as_spam",
              "concurrency_limit_reached", "no_concurrency_fallback", "no_valid_payment",
              "scam_detected", "registered_call_timeout"})
            row(r, false, CallStatus::Failed);
        for (const char *r : {"error_llm_websocket_open", "error_llm_websocket_lost_connection",
                              "error_llm_websocket_runtime", "error_llm_websocket_corrupt_payload",
                              "error_no_audio_received", "error_asr", "error_retell",
                              "error_unknown", "error_user_not_joined"})
            row(r, true, CallStatus::Failed);
        row("manual_stopped", true, CallStatus::Completed);
        row("manual_stopped", false, CallStatus::Canceled);
        row("some_new_reason", true, CallStatus::Completed);
        row("some_new_reason", false, CallStatus::Failed);
        row("new_thing_failed", true, CallStatus::Failed);
    }

    void disconnectionReasons()
    {
        QFETCH(QString, reason);
        QFETCH(bool, connected);
        QFETCH(CallStatus, status);

        QCOMPARE(retellEndedStatus(reason, connected), status);
        const QByteArray r = reason.toUtf8();
        for (const char *name : {"call_ended", "call_analyzed"}) {
            const auto e = mapRetellWebhook(webhook(name, call("ended", r.constData(), connected)));
            QVERIFY(e.ok());
            QCOMPARE(e->status, status);
            QCOMPARE(e->endReason, reason);
            QCOMPARE(e->voicemail.value_or(false), reason == u"voicemail_reached");
            QCOMPARE(e->answeredAt.isValid(), connected);
        }
    }

    void missingReasonUsesCallStatus()
    {
        Json c = call("error", "x", false);
        c.erase("disconnection_reason");
        QCOMPARE(mapRetellWebhook(webhook("call_ended", c))->status, CallStatus::Failed);
        c = call("ended", "x", true);
        c.erase("disconnection_reason");
        QCOMPARE(mapRetellWebhook(webhook("call_ended", c))->status, CallStatus::Completed);
        c["call_status"] = "not_connected";
        QCOMPARE(mapRetellWebhook(webhook("call_ended", c))->status, CallStatus::Failed);
    }

    void manualStopBeforeConnectIsCanceled()
    {
        Json c = call("ended", "manual_stopped", true);
        c["duration_ms"] = 0;
        QCOMPARE(mapRetellWebhook(webhook("call_ended", c))->status, CallStatus::Canceled);
        c.erase("duration_ms");
        QCOMPARE(mapRetellWebhook(webhook("call_ended", c))->status, CallStatus::Completed);
        c.erase("start_timestamp");
        QCOMPARE(mapRetellWebhook(webhook("call_ended", c))->status, CallStatus::Canceled);
    }

    void inVoicemailFlag()
    {
        Json c = call("ended", "user_hangup");
        c["call_analysis"] = analysis();
        c["call_analysis"]["in_voicemail"] = true;
        const auto e = mapRetellWebhook(webhook("call_analyzed", c));
        QCOMPARE(e->status, CallStatus::Completed);
        QCOMPARE(e->voicemail, true);
    }

    void webCallIsTest()
    {
        Json c = call("ongoing");
        c["call_type"] = "web_call";
        c.erase("direction");
        const auto e = mapRetellWebhook(webhook("call_started", c));
        QCOMPARE(e->direction, Direction::Web);
        QCOMPARE(e->isTestHint, true);
        c["call_type"] = "phone_call";
        c["direction"] = "inbound";
        QCOMPARE(mapRetellWebhook(webhook("call_started", c))->direction, Direction::Inbound);
        c["metadata"]["is_test_call"] = true;
        QCOMPARE(mapRetellWebhook(webhook("call_started", c))->isTestHint, true);
    }

    void transferStarted()
    {
        const auto e = mapRetellWebhook(webhook("transfer_started", call("ongoing")));
        QCOMPARE(e->status, CallStatus::InProgress);
        QCOMPARE(e->precedence, precedenceOf(CallStatus::InProgress, Phase::Transferring));
        QCOMPARE(e->dedupKey, u"retell:Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6:transfer_started"_qs);
    }

    void otherEventsAreIgnored_data()
    {
        QTest::addColumn<QString>("name");
        for (const char *n : {"transcript_updated", "transfer_bridged", "transfer_cancelled",
                              "transfer_ended", "call_something_new"})
            QTest::newRow(n) << QString::fromLatin1(n);
    }

    void otherEventsAreIgnored()
    {
        QFETCH(QString, name);
        const auto e = mapRetellWebhook(webhook(name.toUtf8().constData(), call("ongoing")));
        QVERIFY(e.ok());
        QVERIFY(e->ignored);
        QVERIFY(!e->status);
        QCOMPARE(e->kind, name);
        QCOMPARE(e->dedupKey, u"retell:Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6:"_qs + name);
        CallRecord r;
        QCOMPARE(apply(r, *e), r);
    }

    void polledCall_data()
    {
        QTest::addColumn<QString>("callStatus");
        QTest::addColumn<bool>("analyzed");
        QTest::addColumn<QString>("event");
        QTest::addColumn<CallStatus>("status");

        QTest::newRow("registered")
            << u"registered"_qs << false << u"registered"_qs << CallStatus::Initiated;
        QTest::newRow("ongoing") << u"ongoing"_qs << false << u"call_started"_qs
                                 << CallStatus::InProgress;
        QTest::newRow("ended") << u"ended"_qs << false << u"call_ended"_qs << CallStatus::Busy;
        QTest::newRow("ended analyzed")
            << u"ended"_qs << true << u"call_analyzed"_qs << CallStatus::Busy;
        QTest::newRow("not_connected")
            << u"not_connected"_qs << false << u"call_ended"_qs << CallStatus::Busy;
        QTest::newRow("error analyzed")
            << u"error"_qs << true << u"call_analyzed"_qs << CallStatus::Busy;
    }

    void polledCall()
    {
        QFETCH(QString, callStatus);
        QFETCH(bool, analyzed);
        QFETCH(QString, event);
        QFETCH(CallStatus, status);

        const bool ended = status != CallStatus::Initiated && status != CallStatus::InProgress;
        Json c = call(callStatus.toUtf8().constData(), ended ? "dial_busy" : nullptr, !ended);
        if (analyzed)
            c["call_analysis"] = analysis();
        const auto e = mapRetellCall(c);
        QVERIFY(e.ok());
        QCOMPARE(e->dedupKey, u"retell:Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6:"_qs + event);
        QCOMPARE(e->kind, event);
        QCOMPARE(e->status, status);
        QCOMPARE(e->finalizes, analyzed);
        QCOMPARE(*mapPolledCall(Provider::Retell, c), *e);
        if (event != u"registered") {
            const auto hook = mapRetellWebhook(webhook(event.toUtf8().constData(), c));
            QCOMPARE(*hook, *e);
        }
    }

    void polledCallErrors()
    {
        QCOMPARE(mapRetellCall(Json::array()).error().code, u"invalid_payload"_qs);
        QCOMPARE(mapRetellCall(Json{{"call_status", "ended"}}).error().code, u"invalid_payload"_qs);
        QCOMPARE(mapRetellCall(Json{{"call_id", "c1"}}).error().code, u"invalid_payload"_qs);
        QCOMPARE(mapRetellCall(Json{{"call_id", "c1"}, {"call_status", "paused"}}).error().code,
                 u"unknown_status"_qs);
    }

    void malformedBodies_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::newRow("array") << QByteArray(R"([{"event":"call_started"}])");
        QTest::newRow("null") << QByteArray("null");
        QTest::newRow("no event") << QByteArray(R"({"call":{"call_id":"c"}})");
        QTest::newRow("event number") << QByteArray(R"({"event":1,"call":{"call_id":"c"}})");
        QTest::newRow("no call") << QByteArray(R"({"event":"call_started"})");
        QTest::newRow("call array")
            << QByteArray(R"({"event":"call_started","call":[{"call_id":"c"}]})");
        QTest::newRow("call string") << QByteArray(R"({"event":"call_started","call":"c"})");
        QTest::newRow("no call_id")
            << QByteArray(R"({"event":"call_ended","call":{"agent_id":"a"}})");
        QTest::newRow("call_id object")
            << QByteArray(R"({"event":"call_ended","call":{"call_id":{}}})");
        QTest::newRow("ignored event without call")
            << QByteArray(R"({"event":"transcript_updated"})");
    }

    void malformedBodies()
    {
        QFETCH(QByteArray, json);
        const auto e = mapRetellWebhook(Json::parse(json.toStdString()));
        QVERIFY(!e.ok());
        QCOMPARE(e.error().code, u"invalid_payload"_qs);
        QVERIFY(!e.error().message.isEmpty());
    }

    void wrongTypesEverywhereAreAbsent()
    {
        const Json body = {{"event", "call_analyzed"},
                           {"call",
                            {{"call_id", "c1"},
                             {"disconnection_reason", Json::array()},
                             {"start_timestamp", "early"},
                             {"end_timestamp", -5},
                             {"duration_ms", "long"},
                             {"call_cost", Json::array()},
                             {"call_analysis", "good"},
                             {"metadata", 7},
                             {"direction", Json::object()},
                             {"from_number", 1},
                             {"transcript", Json::object()}}}};
        const auto e = mapRetellWebhook(body);
        QVERIFY(e.ok());
        QCOMPARE(e->status, CallStatus::Failed);
        QVERIFY(!e->startedAt.isValid());
        QVERIFY(!e->endedAt.isValid());
        QVERIFY(!e->durationS);
        QVERIFY(!e->costCents);
        QVERIFY(!e->direction);
        QVERIFY(e->fromNumber.isEmpty());
        QVERIFY(e->metadata.isEmpty());
        QVERIFY(e->summary.isEmpty());
    }

    void fixturesMap_data()
    {
        QTest::addColumn<QString>("file");
        for (const auto &outcome : fixtures::outcomes) {
            for (const auto &file : fixtures::sequence(u"retell"_qs, outcome))
                QTest::newRow(qPrintable(file)) << file;
        }
    }

    void fixturesMap()
    {
        QFETCH(QString, file);
        const Json body = fixtures::load(file);
        QVERIFY(body.is_object());
        const auto e = mapRetellWebhook(body);
        QVERIFY2(e.ok(), qPrintable(e.ok() ? QString() : e.error().message));
        QCOMPARE(e->ignored, stringField(body, "event") == u"transcript_updated");
    }
};

QTEST_GUILESS_MAIN(TestRetellMapper)
#include "tst_retellmapper.moc"
