// The simulator's scripts, payload shapes, signing and faults, received by a real
// loopback HTTP server in the test.

#include "sim/simulator.h"

#include "core/providermapper.h"
#include "core/webhookauth.h"

#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QTest>

using namespace cb;
using namespace cb::sim;

namespace {

struct Received
{
    QString path;
    HttpHeaders headers;
    QByteArray body;
    Json json;
};

} // namespace

class TestSimulator : public QObject
{
    Q_OBJECT

private:
    QHttpServer m_receiver;
    QList<Received> m_received;
    quint16 m_port = 0;

    QString hookUrl(const char *path) const
    {
        return QStringLiteral("http://127.0.0.1:%1/%2").arg(m_port).arg(QString::fromLatin1(path));
    }

    QList<Received> receivedFor(const QString &callId) const
    {
        QList<Received> list;
        for (const Received &r : m_received) {
            const Json &j = r.json;
            const QString id = j.contains("message") ? stringField(j["message"]["call"], "id")
                : j.contains("call")                 ? stringField(j["call"], "call_id")
                                                     : stringField(j, "id");
            if (id == callId)
                list << r;
        }
        return list;
    }

    static SimConfig fastConfig()
    {
        SimConfig config;
        config.seed = 5;
        config.timeScale = 0.002;
        config.bolnaFinalDelayS = 50;
        config.bolnaSecretHeader = "x-callboard-token";
        config.bolnaSecret = QStringLiteral("bolna-token");
        return config;
    }

    void waitDone(Simulator &sim, const QString &id)
    {
        QTRY_VERIFY_WITH_TIMEOUT(sim.call(id)->done, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!receivedFor(id).isEmpty(), 5000);
        QTest::qWait(100);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_receiver.setMissingHandler([this](const QHttpServerRequest &request,
                                            QHttpServerResponder &&responder) {
            Received r;
            r.path = request.url().path();
            r.headers = request.headers();
            r.body = request.body();
            r.json =
                Json::parse(r.body.constData(), r.body.constData() + r.body.size(), nullptr, false);
            m_received << r;
            responder.write(QHttpServerResponder::StatusCode::Ok);
        });
        m_port = m_receiver.listen(QHostAddress::LocalHost, 0);
        QVERIFY(m_port != 0);
    }

    void init() { m_received.clear(); }

    void bolnaAnsweredSequence()
    {
        Simulator sim(fastConfig());
        QVERIFY(sim.listen());
        sim.setAgent({Provider::Bolna,
                      QStringLiteral("b1"),
                      {},
                      {},
                      hookUrl("bolna"),
                      {},
                      {},
                      false,
                      {},
                      {}});
        const auto id = sim.originate(Provider::Bolna, QStringLiteral("b1"), Direction::Outbound,
                                      Script::Answered);
        QVERIFY(id.ok());
        waitDone(sim, *id);
        const auto got = receivedFor(*id);
        QStringList statuses;
        for (const Received &r : got) {
            statuses << stringField(r.json, "status");
            QCOMPARE(headerValue(r.headers, "x-callboard-token"), QByteArray("bolna-token"));
            QVERIFY(mapWebhook(Provider::Bolna, r.json).ok());
        }
        QCOMPARE(statuses,
                 (QStringList{QStringLiteral("initiated"), QStringLiteral("ringing"),
                              QStringLiteral("in-progress"), QStringLiteral("call-disconnected"),
                              QStringLiteral("completed")}));
        // The recording is "" until Bolna's late completed; the transcript comes at the hang-up.
        QVERIFY(got.at(3).json["telephony_data"]["recording_url"] == Json(""));
        QVERIFY(got.at(3).json["transcript"].is_string());
        QVERIFY(!stringField(got.at(4).json["telephony_data"], "recording_url").isEmpty());
        const auto final = mapWebhook(Provider::Bolna, got.at(4).json);
        QVERIFY(final.ok());
        QCOMPARE(*final->status, CallStatus::Completed);
        QVERIFY(final->finalizes);
    }

    void retellSignedAndNotConnected()
    {
        SimConfig config = fastConfig();
        config.retellKey = QStringLiteral("key_retell_test");
        Simulator sim(config);
        QVERIFY(sim.listen());
        sim.setAgent({Provider::Retell,
                      QStringLiteral("r1"),
                      {},
                      {},
                      hookUrl("retell"),
                      {},
                      {},
                      false,
                      {},
                      {}});
        const auto id = sim.originate(Provider::Retell, QStringLiteral("r1"), Direction::Outbound,
                                      Script::Busy);
        QVERIFY(id.ok());
        waitDone(sim, *id);
        QStringList events;
        for (const Received &r : receivedFor(*id)) {
            events << stringField(r.json, "event");
            const QByteArray signature = headerValue(r.headers, "x-retell-signature");
            QVERIFY(verifyRetellSignature(r.body, signature, "key_retell_test",
                                          QDateTime::currentDateTimeUtc())
                        .ok());
            QVERIFY(!verifyRetellSignature(r.body, signature, "other-key",
                                           QDateTime::currentDateTimeUtc())
                         .ok());
        }
        // No call_started for a call that never connects.
        QCOMPARE(events,
                 (QStringList{QStringLiteral("call_ended"), QStringLiteral("call_analyzed")}));
        const auto ended = mapWebhook(Provider::Retell, receivedFor(*id).first().json);
        QVERIFY(ended.ok());
        QCOMPARE(*ended->status, CallStatus::Busy);
    }

    void vapiSendsOnlySubscribedMessages()
    {
        Simulator sim(fastConfig());
        QVERIFY(sim.listen());
        sim.setAgent({Provider::Vapi,
                      QStringLiteral("v1"),
                      {},
                      {},
                      hookUrl("vapi"),
                      {QStringLiteral("status-update"), QStringLiteral("end-of-call-report")},
                      {},
                      false,
                      {},
                      {}});
        const auto id = sim.originate(Provider::Vapi, QStringLiteral("v1"), Direction::Outbound,
                                      Script::Voicemail);
        QVERIFY(id.ok());
        waitDone(sim, *id);
        QStringList types;
        for (const Received &r : receivedFor(*id)) {
            types << stringField(r.json["message"], "type") + u':' +
                    stringField(r.json["message"], "status");
            QCOMPARE(headerValue(r.headers, "x-vapi-secret"), QByteArray("sim-vapi-secret"));
        }
        QCOMPARE(types,
                 (QStringList{QStringLiteral("status-update:ringing"),
                              QStringLiteral("status-update:in-progress"),
                              QStringLiteral("status-update:ended"),
                              QStringLiteral("end-of-call-report:")}));
        const auto report = mapWebhook(Provider::Vapi, receivedFor(*id).last().json);
        QVERIFY(report.ok());
        QCOMPARE(*report->status, CallStatus::Completed);
        QCOMPARE(report->voicemail.value_or(false), true);

        // With the default subscription the live messages come too.
        m_received.clear();
        sim.setAgent(
            {Provider::Vapi, QStringLiteral("v2"), {}, {}, hookUrl("vapi"), {}, {}, false, {}, {}});
        const auto live = sim.originate(Provider::Vapi, QStringLiteral("v2"), Direction::Inbound,
                                        Script::Answered);
        waitDone(sim, *live);
        bool sawSpeech = false;
        for (const Received &r : receivedFor(*live))
            sawSpeech |= stringField(r.json["message"], "type") == u"speech-update";
        QVERIFY(sawSpeech);
        QCOMPARE(sim.call(*live)->direction, Direction::Inbound);
    }

    void faultsAreDeterministic()
    {
        QList<QStringList> runs;
        QList<SimStats> stats;
        for (int run = 0; run < 2; ++run) {
            SimConfig config = fastConfig();
            config.seed = 99;
            config.faults.drop = 0.3;
            config.faults.duplicate = 0.2;
            config.faults.reorder = 0.2;
            config.faults.neverFinal = 0.2;
            Simulator sim(config);
            QVERIFY(sim.listen());
            sim.setAgent({Provider::Retell,
                          QStringLiteral("r"),
                          {},
                          {},
                          hookUrl("retell"),
                          {},
                          {},
                          false,
                          {},
                          {}});
            QStringList ids;
            for (int i = 0; i < 20; ++i)
                ids << *sim.originate(Provider::Retell, QStringLiteral("r"), Direction::Outbound,
                                      std::nullopt);
            QTRY_COMPARE_WITH_TIMEOUT(sim.activeCalls(), 0, 20000);
            QTest::qWait(300);
            QStringList scripts;
            for (const auto &call : sim.calls())
                scripts << call.id + u'/' + wireName(call.script) +
                        (call.neverFinal ? u"/nf" : u"");
            runs << scripts;
            stats << sim.stats();
        }
        QCOMPARE(runs.at(0), runs.at(1));
        QCOMPARE(stats.at(0).dropped, stats.at(1).dropped);
        QCOMPARE(stats.at(0).duplicated, stats.at(1).duplicated);
        QCOMPARE(stats.at(0).reordered, stats.at(1).reordered);
        QCOMPARE(stats.at(0).withheldFinals, stats.at(1).withheldFinals);
        QVERIFY(stats.at(0).dropped > 0 && stats.at(0).duplicated > 0 && stats.at(0).reordered > 0);
    }

    void magicNumbersPickScripts()
    {
        QCOMPARE(scriptForNumber(u"+14155550100"), std::optional<Script>(Script::Answered));
        QCOMPARE(scriptForNumber(u"+14155550105"), std::optional<Script>(Script::LongCall));
        QCOMPARE(scriptForNumber(u"+14155550106"), std::optional<Script>());
        QCOMPARE(scriptForNumber(u"+1"), std::optional<Script>());
        QVERIFY(isRejectedNumber(u"+14155550199"));
    }
};

QTEST_GUILESS_MAIN(TestSimulator)
#include "tst_simulator.moc"
