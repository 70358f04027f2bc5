#include "client/realtimeclient.h"

#include "stockserver.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

using namespace cb;
using namespace cb::test;

class TestRealtimeClient : public QObject
{
    Q_OBJECT

    StockServer m_server;

    static QByteArray callEvent(qint64 seq, const QString &id)
    {
        Call c;
        c.id = id;
        c.orgId = QStringLiteral("acme");
        c.provider = Provider::Bolna;
        c.status = CallStatus::Ringing;
        c.seq = seq;
        return toBytes(Json{{"seq", seq}, {"org_id", "acme"}, {"call", toJson(c)}});
    }

    static RealtimeClient::Options fastOptions()
    {
        RealtimeClient::Options options;
        options.baseDelayMs = 50; // real backoff shape, short enough for a test
        options.random = [] { return 0.5; };
        return options;
    }

    /// Points @p client at the stock server (or @p url) as the holder of @p token in @p org.
    void aim(RealtimeClient &client, const char *token, const char *org, const QUrl &url = {})
    {
        client.setServerUrl(url.isEmpty() ? m_server.url() : url);
        client.setToken(QString::fromLatin1(token));
        client.setOrg(QString::fromLatin1(org));
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY2(m_server.start(), "the stock socket.io server did not start"); }

    void backoffShape()
    {
        RealtimeClient::Options options;
        double r = 0.0;
        options.random = [&r] { return r; };
        RealtimeClient client(options);
        QCOMPARE(client.backoffDelay(0), 500);
        r = 0.999999;
        QVERIFY(client.backoffDelay(0) >= 1499 && client.backoffDelay(0) <= 1500);
        r = 0.5;
        QCOMPARE(client.backoffDelay(0), 1000);
        QCOMPARE(client.backoffDelay(1), 2000);
        QCOMPARE(client.backoffDelay(4), 16000);
        QCOMPARE(client.backoffDelay(5), 30000);
        QCOMPARE(client.backoffDelay(40), 30000);
        // Default jitter stays inside the documented first window.
        RealtimeClient plain;
        for (int i = 0; i < 100; ++i) {
            const int d = plain.backoffDelay(0);
            QVERIFY(d >= 500 && d <= 1500);
        }
    }

    void connectsJoinsAndReceivesEvents()
    {
        RealtimeClient client(fastOptions());
        aim(client, "tok-acme", "acme");
        QSignalSpy joined(&client, &RealtimeClient::joined);
        QSignalSpy upserted(&client, &RealtimeClient::callUpserted);
        QSignalSpy deleted(&client, &RealtimeClient::callDeleted);
        QSignalSpy metrics(&client, &RealtimeClient::metricsUpdated);
        QSignalSpy protocol(&client, &RealtimeClient::protocolError);
        client.open();
        QVERIFY(joined.wait(10000));
        QCOMPARE(client.state(), RealtimeClient::State::Live);
        QCOMPARE(joined.first().at(0).toString(), QStringLiteral("acme"));

        m_server.control(QStringLiteral("/emit?org=acme&event=call:created"),
                         callEvent(7, QStringLiteral("c-7")));
        QTRY_VERIFY_WITH_TIMEOUT(!upserted.isEmpty(), 5000);
        QCOMPARE(upserted.first().at(1).toLongLong(), 7);
        QCOMPARE(upserted.first().at(2).value<Call>().id, QStringLiteral("c-7"));
        m_server.control(QStringLiteral("/emit?org=acme&event=call:deleted"),
                         R"({"seq":8,"org_id":"acme","call_id":"c-7"})");
        QTRY_VERIFY_WITH_TIMEOUT(!deleted.isEmpty(), 5000);
        QCOMPARE(deleted.first().at(2).toString(), QStringLiteral("c-7"));
        m_server.control(
            QStringLiteral("/emit?org=acme&event=metrics:updated"),
            R"({"org_id":"acme","active":3,"answer_rate":0.5,"totals":{"completed":2}})");
        QTRY_VERIFY_WITH_TIMEOUT(!metrics.isEmpty(), 5000);
        QCOMPARE(metrics.first().at(0).value<Metrics>().active, 3);
        // Garbage payloads are reported and skipped, never fatal.
        m_server.control(QStringLiteral("/emit?org=acme&event=call:updated"), R"({"seq":"x"})");
        QTRY_VERIFY_WITH_TIMEOUT(!protocol.isEmpty(), 5000);
        QCOMPARE(client.state(), RealtimeClient::State::Live);
        // Another org's room is not ours.
        m_server.control(QStringLiteral("/emit?org=globex&event=call:created"),
                         callEvent(1, QStringLiteral("g-1")));
        QTest::qWait(200);
        QCOMPARE(upserted.count(), 1);

        // Survives several server pings (300 ms interval).
        QTest::qWait(1000);
        QCOMPARE(client.state(), RealtimeClient::State::Live);
        client.close();
        QCOMPARE(client.state(), RealtimeClient::State::Offline);
    }

    void badTokenSurfacesAndNeverRetries()
    {
        RealtimeClient client(fastOptions());
        aim(client, "tok-expired", "acme");
        QSignalSpy authFailed(&client, &RealtimeClient::authFailed);
        QSignalSpy retries(&client, &RealtimeClient::retryScheduled);
        const int before = m_server.control(QStringLiteral("/stats")).value("connections", 0);
        client.open();
        QVERIFY(authFailed.wait(10000));
        QCOMPARE(authFailed.first().at(0).value<Error>().code, QStringLiteral("unauthorized"));
        QCOMPARE(client.state(), RealtimeClient::State::Offline);
        QTest::qWait(500); // ten times the first retry delay
        QCOMPARE(retries.count(), 0);
        QCOMPARE(m_server.control(QStringLiteral("/stats")).value("connections", 0), before + 1);
    }

    void refusedJoinSurfaces()
    {
        RealtimeClient client(fastOptions());
        aim(client, "tok-acme", "globex");
        QSignalSpy joinFailed(&client, &RealtimeClient::joinFailed);
        client.open();
        QVERIFY(joinFailed.wait(10000));
        QCOMPARE(joinFailed.first().at(1).value<Error>().code, QStringLiteral("forbidden"));
        QCOMPARE(client.state(), RealtimeClient::State::Offline);
    }

    void droppedConnectionReconnectsWithBackoffAndRejoins()
    {
        RealtimeClient client(fastOptions());
        aim(client, "tok-both", "acme");
        QSignalSpy joined(&client, &RealtimeClient::joined);
        QSignalSpy retries(&client, &RealtimeClient::retryScheduled);
        QSignalSpy states(&client, &RealtimeClient::stateChanged);
        client.open();
        QVERIFY(joined.wait(10000));
        m_server.control(QStringLiteral("/drop"));
        QTRY_COMPARE_WITH_TIMEOUT(joined.count(), 2, 10000);
        QCOMPARE(retries.count(), 1);
        QCOMPARE(retries.first().at(0).toInt(), 50); // base × (1 ± 0) for attempt 0
        QVERIFY(states.contains(
            QVariantList{QVariant::fromValue(RealtimeClient::State::Reconnecting)}));
        QCOMPARE(client.attempt(), 0); // reset by the good join

        // Dropping on our side too.
        client.dropConnection();
        QCOMPARE(client.state(), RealtimeClient::State::Reconnecting);
        QVERIFY(client.nextRetryAt().isValid());
        QTRY_COMPARE_WITH_TIMEOUT(joined.count(), 3, 10000);

        // Switching org while live leaves the old room and joins the new one.
        client.setOrg(QStringLiteral("globex"));
        QTRY_COMPARE_WITH_TIMEOUT(joined.count(), 4, 10000);
        const auto stats = m_server.control(QStringLiteral("/stats"));
        QVERIFY(stats.dump().find("org:globex") != std::string::npos);
        QVERIFY(stats.dump().find("org:acme") == std::string::npos);
        client.close();
    }

    void hundredDropsInARow()
    {
        RealtimeClient::Options options = fastOptions();
        options.baseDelayMs = 1;
        RealtimeClient client(options);
        aim(client, "tok-acme", "acme");
        QSignalSpy joined(&client, &RealtimeClient::joined);
        client.open();
        QVERIFY(joined.wait(10000));
        QElapsedTimer elapsed;
        elapsed.start();
        for (int i = 0; i < 100; ++i) {
            client.dropConnection();
            // Waits on the signal, not by polling: a poll interval would dominate the cycle.
            QVERIFY(joined.wait(10000));
            QCOMPARE(client.attempt(), 0);
        }
        qInfo() << "100 drop/rejoin cycles in" << elapsed.elapsed() << "ms";
        client.close();
    }

    void tooManyConnectionsIsRetried()
    {
        RealtimeClient client(fastOptions());
        aim(client, "tok-acme", "acme");
        QSignalSpy joined(&client, &RealtimeClient::joined);
        QSignalSpy authFailed(&client, &RealtimeClient::authFailed);
        QSignalSpy retries(&client, &RealtimeClient::retryScheduled);
        m_server.control(QStringLiteral("/crowd?n=2"));
        client.open();
        QVERIFY(joined.wait(10000));
        QCOMPARE(retries.count(), 2);
        QCOMPARE(authFailed.count(), 0);
        QCOMPARE(client.state(), RealtimeClient::State::Live);
        client.close();
    }

    void serverDisconnectIsNotRetried()
    {
        RealtimeClient client(fastOptions());
        aim(client, "tok-acme", "acme");
        QSignalSpy joined(&client, &RealtimeClient::joined);
        QSignalSpy disconnected(&client, &RealtimeClient::disconnected);
        QSignalSpy retries(&client, &RealtimeClient::retryScheduled);
        client.open();
        QVERIFY(joined.wait(10000));
        m_server.control(QStringLiteral("/kick"));
        QTRY_VERIFY_WITH_TIMEOUT(!disconnected.isEmpty(), 5000);
        QCOMPARE(disconnected.first().at(0).toString(), QStringLiteral("io server disconnect"));
        QTest::qWait(300);
        QCOMPARE(retries.count(), 0);
        QCOMPARE(client.state(), RealtimeClient::State::Offline);
    }

    void missingPingsAreDetected()
    {
        RealtimeClient client(fastOptions());
        aim(client, "tok-acme", "acme");
        QSignalSpy joined(&client, &RealtimeClient::joined);
        QSignalSpy disconnected(&client, &RealtimeClient::disconnected);
        client.open();
        QVERIFY(joined.wait(10000));
        m_server.control(QStringLiteral("/mute"));
        // pingInterval + pingTimeout = 500 ms without a ping: dead.
        QTRY_VERIFY_WITH_TIMEOUT(!disconnected.isEmpty(), 5000);
        QCOMPARE(disconnected.first().at(0).toString(), QStringLiteral("ping timeout"));
        QTRY_COMPARE_WITH_TIMEOUT(joined.count(), 2, 10000);
        client.close();
    }

    void serverGoneKeepsRetryingWithGrowingDelays()
    {
        StockServer doomed;
        QVERIFY(doomed.start());
        RealtimeClient client(fastOptions());
        aim(client, "tok-acme", "acme", doomed.url());
        QSignalSpy joined(&client, &RealtimeClient::joined);
        QSignalSpy retries(&client, &RealtimeClient::retryScheduled);
        client.open();
        QVERIFY(joined.wait(10000));
        doomed.stop();
        QTRY_VERIFY_WITH_TIMEOUT(retries.count() >= 4, 10000);
        QCOMPARE(retries.at(0).at(0).toInt(), 50);
        QCOMPARE(retries.at(1).at(0).toInt(), 100);
        QCOMPARE(retries.at(2).at(0).toInt(), 200);
        QCOMPARE(retries.at(3).at(0).toInt(), 400);
        QVERIFY(client.state() == RealtimeClient::State::Reconnecting ||
                client.state() == RealtimeClient::State::Connecting);
        client.close();
    }
};

QTEST_GUILESS_MAIN(TestRealtimeClient)
#include "tst_realtimeclient.moc"
