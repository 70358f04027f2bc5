// The provider clients against callboard-sim's engine on a real loopback socket.

#include "server/providers/providerclient.h"
#include "sim/simulator.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace cb;
using cb::sim::SimConfig;
using cb::sim::Simulator;

class TestProviderClients : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<Simulator> m_sim;

    ProviderClientConfig configFor(Provider provider, QString key = {}) const
    {
        ProviderClientConfig config;
        config.provider = provider;
        config.baseUrl = m_sim->baseUrl(provider);
        config.apiKey = key.isNull()
            ? (provider == Provider::Bolna      ? m_sim->config().bolnaKey
                   : provider == Provider::Vapi ? m_sim->config().vapiKey
                                                : m_sim->config().retellKey)
            : key;
        config.timeoutMs = 2000;
        config.backoffMs = 10;
        return config;
    }

    template<typename T, typename F>
    Result<T> run(F &&start, int timeoutMs = 10000)
    {
        std::optional<Result<T>> out;
        start([&out](Result<T> r) { out.emplace(std::move(r)); });
        QDeadlineTimer deadline(timeoutMs);
        while (!out && !deadline.hasExpired())
            QTest::qWait(5);
        if (!out)
            return Error{QStringLiteral("test_timeout"), QStringLiteral("no answer")};
        return std::move(*out);
    }

    OutboundCallRequest request(const QString &agent, const QString &to) const
    {
        OutboundCallRequest r;
        r.providerAgentId = agent;
        r.toNumber = to;
        r.fromNumber = QStringLiteral("+14155550000");
        r.callId = QStringLiteral("our-call-1");
        r.orgId = QStringLiteral("org-1");
        r.isTest = true;
        return r;
    }

private Q_SLOTS:
    void init()
    {
        SimConfig config;
        config.seed = 7;
        config.timeScale = 0.002;
        config.bolnaFinalDelayS = 20;
        m_sim = std::make_unique<Simulator>(config);
        QVERIFY(m_sim->listen());
    }
    void cleanup() { m_sim.reset(); }

    void startAndPoll_data()
    {
        QTest::addColumn<Provider>("provider");
        QTest::addColumn<QString>("number");
        QTest::addColumn<CallStatus>("status");
        const QList<std::pair<QString, CallStatus>> scripts = {
            {QStringLiteral("+14155550100"), CallStatus::Completed},
            {QStringLiteral("+14155550101"), CallStatus::Busy},
            {QStringLiteral("+14155550102"), CallStatus::NoAnswer},
            {QStringLiteral("+14155550103"), CallStatus::Failed},
            {QStringLiteral("+14155550104"), CallStatus::Completed},
        };
        for (auto p : {Provider::Bolna, Provider::Vapi, Provider::Retell}) {
            for (const auto &[number, status] : scripts) {
                QTest::addRow("%s %s", qPrintable(wireName(p)), qPrintable(number))
                    << p << number << status;
            }
        }
    }

    void startAndPoll()
    {
        QFETCH(Provider, provider);
        QFETCH(QString, number);
        QFETCH(CallStatus, status);
        auto client = makeProviderClient(configFor(provider));
        const auto started = run<StartedCall>(
            [&](auto cb) { client->startCall(request(QStringLiteral("agent-1"), number), cb); });
        QVERIFY2(started.ok(), qPrintable(started.ok() ? QString() : started.error().message));
        QVERIFY(!started->providerCallId.isEmpty());

        const auto sim = m_sim->call(started->providerCallId);
        QVERIFY(sim.has_value());
        QCOMPARE(sim->metadata.value("callboard_call_id", std::string()),
                 std::string("our-call-1"));
        QCOMPARE(sim->metadata.value("org_id", std::string()), std::string("org-1"));
        QCOMPARE(sim->metadata.value("is_test_call", false), true);

        // Poll until the provider reports the final state, as the poller does.
        std::optional<PolledCall> last;
        QDeadlineTimer deadline(10000);
        while (!deadline.hasExpired()) {
            const bool wasDone = m_sim->call(started->providerCallId)->done;
            const auto polled =
                run<PolledCall>([&](auto cb) { client->getCall(started->providerCallId, cb); });
            QVERIFY2(polled.ok(), qPrintable(polled.ok() ? QString() : polled.error().message));
            QCOMPARE(polled->event.providerCallId, started->providerCallId);
            last = polled.value();
            if (wasDone)
                break;
            QTest::qWait(20);
        }
        QVERIFY(last && last->event.status);
        QCOMPARE(*last->event.status, status);
        if (status == CallStatus::Completed) {
            QVERIFY(!last->event.transcript.isEmpty());
            QVERIFY(!last->event.recordingUrl.isEmpty());
            QVERIFY(last->event.costCents.value_or(0) > 0);
        }
    }

    void providerMessagesSurface_data()
    {
        QTest::addColumn<Provider>("provider");
        QTest::addColumn<QString>("message");
        QTest::newRow("bolna")
            << Provider::Bolna
            << QStringLiteral("Call could not be placed: recipient number is on the DND registry");
        QTest::newRow("vapi") << Provider::Vapi
                              << QStringLiteral(
                                     "Couldn't Create Call. Number is on the do-not-call list.");
        QTest::newRow("retell") << Provider::Retell
                                << QStringLiteral("Call failed: destination is marked as spam");
    }

    void providerMessagesSurface()
    {
        QFETCH(Provider, provider);
        QFETCH(QString, message);
        auto client = makeProviderClient(configFor(provider));
        const auto started = run<StartedCall>([&](auto cb) {
            client->startCall(request(QStringLiteral("agent-1"), QStringLiteral("+14155550199")),
                              cb);
        });
        QVERIFY(!started.ok());
        QCOMPARE(started.error().code, QStringLiteral("provider_rejected"));
        QCOMPARE(started.error().message, message);
        QCOMPARE(client->requestCount(), 1); // 4xx: never retried

        const auto invalid = run<StartedCall>([&](auto cb) {
            client->startCall(request(QStringLiteral("agent-1"), QStringLiteral("0415")), cb);
        });
        QVERIFY(!invalid.ok());
        QVERIFY(invalid.error().message.contains(QStringLiteral("E.164")));
    }

    void badKeyIsUnauthorized()
    {
        for (auto p : {Provider::Bolna, Provider::Vapi, Provider::Retell}) {
            auto client = makeProviderClient(configFor(p, QStringLiteral("wrong")));
            const auto r =
                run<PolledCall>([&](auto cb) { client->getCall(QStringLiteral("x"), cb); });
            QVERIFY(!r.ok());
            QCOMPARE(r.error().code, QStringLiteral("provider_unauthorized"));
            QCOMPARE(r.error().message, QStringLiteral("Invalid API key"));
            QCOMPARE(client->requestCount(), 1);
        }
    }

    void unknownCallIsNotFound()
    {
        auto client = makeProviderClient(configFor(Provider::Bolna));
        const auto r =
            run<PolledCall>([&](auto cb) { client->getCall(QStringLiteral("nope/../x"), cb); });
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, QStringLiteral("provider_rejected"));
        QCOMPARE(r.error().message, QStringLiteral("Execution not found"));
    }

    void pollsRetryServerErrors()
    {
        auto client = makeProviderClient(configFor(Provider::Vapi));
        const auto started = run<StartedCall>([&](auto cb) {
            client->startCall(request(QStringLiteral("a"), QStringLiteral("+14155550100")), cb);
        });
        QVERIFY(started.ok());

        m_sim->config().faults.poll5xx = 1.0;
        const qint64 before = client->requestCount();
        const auto failed =
            run<PolledCall>([&](auto cb) { client->getCall(started->providerCallId, cb); });
        QVERIFY(!failed.ok());
        QCOMPARE(failed.error().code, QStringLiteral("provider_unavailable"));
        QCOMPARE(failed.error().message, QStringLiteral("Internal server error"));
        QCOMPARE(client->requestCount() - before, 3);

        m_sim->config().faults.poll5xx = 0.5;
        int ok = 0;
        for (int i = 0; i < 10; ++i) {
            const auto r =
                run<PolledCall>([&](auto cb) { client->getCall(started->providerCallId, cb); });
            ok += r.ok() ? 1 : 0;
        }
        QVERIFY(ok >= 7); // each poll fails only if three tries in a row do (1 in 8)
    }

    void webhookConfigRoundTrip_data()
    {
        QTest::addColumn<Provider>("provider");
        QTest::newRow("bolna") << Provider::Bolna;
        QTest::newRow("vapi") << Provider::Vapi;
        QTest::newRow("retell") << Provider::Retell;
    }

    void webhookConfigRoundTrip()
    {
        QFETCH(Provider, provider);
        auto client = makeProviderClient(configFor(provider));
        const QString agent = QStringLiteral("agent-sync");
        if (provider == Provider::Vapi) {
            sim::SimAgent a;
            a.provider = provider;
            a.id = agent;
            a.events = {QStringLiteral("tool-calls")};
            m_sim->setAgent(a);
        }
        const auto before = run<AgentWebhook>([&](auto cb) { client->getAgentWebhook(agent, cb); });
        QVERIFY(before.ok());
        QVERIFY(before->url.isEmpty());

        const QString url =
            QStringLiteral("https://callboard.example/api/webhooks/%1").arg(wireName(provider));
        const auto set = run<void>([&](auto cb) {
            client->setAgentWebhook(agent, AgentWebhook{url, {}}, cb);
        });
        QVERIFY2(set.ok(), qPrintable(set.ok() ? QString() : set.error().message));

        const auto after = run<AgentWebhook>([&](auto cb) { client->getAgentWebhook(agent, cb); });
        QVERIFY(after.ok());
        QCOMPARE(after->url, url);
        for (const auto &event : ProviderClient::requiredEvents(provider))
            QVERIFY2(after->events.contains(event), qPrintable(event));
        if (provider == Provider::Vapi)
            QVERIFY(after->events.contains(QStringLiteral("tool-calls"))); // kept

        sim::SimAgent locked = *m_sim->agent(provider, agent);
        locked.rejectUpdates = true;
        m_sim->setAgent(locked);
        const auto refused = run<void>([&](auto cb) {
            client->setAgentWebhook(agent,
                                    AgentWebhook{QStringLiteral("https://other.example/"), {}}, cb);
        });
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, QStringLiteral("provider_rejected"));
        QVERIFY(refused.error().message.contains(QStringLiteral("locked")) ||
                refused.error().message.contains(QStringLiteral("managed")));
    }

    void unreachableProvider()
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const quint16 port = probe.serverPort();
        probe.close();
        ProviderClientConfig config = configFor(Provider::Retell);
        config.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port));
        auto client = makeProviderClient(config);
        const auto r = run<StartedCall>([&](auto cb) {
            client->startCall(request(QStringLiteral("a"), QStringLiteral("+14155550100")), cb);
        });
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, QStringLiteral("provider_unreachable"));
        QCOMPARE(client->requestCount(), 3); // refused: the provider cannot have acted
    }

    void timeoutsRetryOnlyIdempotentRequests()
    {
        // A server that accepts and never answers.
        QTcpServer silent;
        QList<QTcpSocket *> held;
        QVERIFY(silent.listen(QHostAddress::LocalHost));
        connect(&silent, &QTcpServer::newConnection, this, [&] {
            while (silent.hasPendingConnections())
                held << silent.nextPendingConnection();
        });
        ProviderClientConfig config = configFor(Provider::Bolna);
        config.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(silent.serverPort()));
        config.timeoutMs = 150;
        auto client = makeProviderClient(config);

        const auto start = run<StartedCall>([&](auto cb) {
            client->startCall(request(QStringLiteral("a"), QStringLiteral("+14155550100")), cb);
        });
        QVERIFY(!start.ok());
        QCOMPARE(start.error().code, QStringLiteral("provider_timeout"));
        QCOMPARE(client->requestCount(), 1); // never place a call twice

        const auto poll =
            run<PolledCall>([&](auto cb) { client->getCall(QStringLiteral("x"), cb); });
        QVERIFY(!poll.ok());
        QCOMPARE(poll.error().code, QStringLiteral("provider_timeout"));
        QCOMPARE(client->requestCount(), 4);
        qDeleteAll(held);
    }

    void errorMessageShapes()
    {
        QCOMPARE(providerErrorMessage(Json::parse(R"({"error":400,"message":"bad agent"})"), 400),
                 QStringLiteral("bad agent"));
        QCOMPARE(
            providerErrorMessage(
                Json::parse(
                    R"({"message":["a must be x","b must be y"],"error":"Bad Request","statusCode":400})"),
                400),
            QStringLiteral("a must be x; b must be y"));
        QCOMPARE(
            providerErrorMessage(Json::parse(R"({"error_message":"Invalid from_number"})"), 400),
            QStringLiteral("Invalid from_number"));
        QCOMPARE(providerErrorMessage(Json::parse(R"({"detail":[{"msg":"field required"}]})"), 422),
                 QStringLiteral("field required"));
        QCOMPARE(providerErrorMessage(Json(), 503), QStringLiteral("Service Unavailable"));
        QCOMPARE(providerErrorMessage(Json::parse(R"({"error":{"message":"nested"}})"), 400),
                 QStringLiteral("nested"));
    }
};

QTEST_GUILESS_MAIN(TestProviderClients)
#include "tst_providerclients.moc"
