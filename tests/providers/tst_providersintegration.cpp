// callboard-server and callboard-sim as real processes: calls started through the REST API
// for every provider and script, agent sync, and convergence under webhook faults.

#include "stack.h"

#include <QElapsedTimer>
#include <QHash>
#include <QSet>

#include <algorithm>

using namespace cbtest;

class TestProvidersIntegration : public QObject
{
    Q_OBJECT

private:
    struct Stack
    {
        QTemporaryDir data;
        std::unique_ptr<QProcess> sim;
        std::unique_ptr<QProcess> server;
        QUrl simUrl;
        QUrl serverUrl;
        Rest rest;
        Rest control;

        ~Stack()
        {
            stop(server);
            stop(sim);
        }

        QUrl api(const QString &path) const
        {
            QUrl url = serverUrl;
            const qsizetype q = path.indexOf(u'?');
            url.setPath(QStringLiteral("/api/orgs/org-acme") + (q < 0 ? path : path.left(q)));
            if (q >= 0)
                url.setQuery(path.mid(q + 1));
            return url;
        }
        QUrl simPath(const QString &path) const
        {
            QUrl url = simUrl;
            url.setPath(path);
            return url;
        }
    };

    std::unique_ptr<Stack> startStack(const QStringList &simArgs, const QStringList &serverArgs)
    {
        auto stack = std::make_unique<Stack>();
        if (!stack->data.isValid())
            return nullptr;
        stack->sim =
            startListening(binary("callboard-sim"),
                           QStringList{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")} +
                               simKeyArguments() + simArgs,
                           stack->simUrl);
        if (!stack->sim)
            return nullptr;
        stack->server = startListening(
            binary("callboard-server"),
            QStringList{QStringLiteral("--data"), stack->data.path(), QStringLiteral("--listen"),
                        QStringLiteral("127.0.0.1:0"), QStringLiteral("--demo")} +
                baseUrlArguments(stack->simUrl) + serverArgs,
            stack->serverUrl);
        if (!stack->server)
            return nullptr;
        QUrl login = stack->serverUrl;
        login.setPath(QStringLiteral("/api/auth/login"));
        const auto answer = stack->rest.send(
            "POST", login, Json{{"email", "admin@demo"}, {"password", "callboard-demo"}});
        if (answer.status != 200)
            return nullptr;
        stack->rest.token = str(answer.body, "token");
        return stack;
    }

    /// Our agent id per provider in the demo org.
    QHash<QString, QString> agentsByProvider(Stack &stack)
    {
        QHash<QString, QString> agents;
        const auto list = stack.rest.send("GET", stack.api(QStringLiteral("/agents")));
        for (const auto &agent : list.body.value("agents", Json::array()))
            agents.insert(str(agent, "provider"), str(agent, "id"));
        return agents;
    }

    bool syncAll(Stack &stack)
    {
        const auto synced =
            stack.rest.send("POST", stack.api(QStringLiteral("/agents/sync")), Json::object());
        if (synced.status != 200)
            return false;
        for (const auto &entry : synced.body.value("results", Json::array())) {
            if (!entry.value("ok", false)) {
                qWarning() << "sync failed:" << QString::fromStdString(entry.dump());
                return false;
            }
        }
        return true;
    }

    QList<Json> allCalls(Stack &stack)
    {
        QList<Json> calls;
        QString cursor;
        do {
            QString path = QStringLiteral("/calls?include_test=true&limit=500");
            if (!cursor.isEmpty())
                path += QStringLiteral("&cursor=") +
                    QString::fromLatin1(QUrl::toPercentEncoding(cursor));
            const auto page = stack.rest.send("GET", stack.api(path));
            if (page.status != 200)
                break;
            for (const auto &call : page.body.value("calls", Json::array()))
                calls << call;
            cursor = str(page.body, "next_cursor");
        } while (!cursor.isEmpty());
        return calls;
    }

private Q_SLOTS:
    void everyProviderAndScript()
    {
        auto stack = startStack({QStringLiteral("--seed"), QStringLiteral("3"),
                                 QStringLiteral("--time-scale"), QStringLiteral("0.005"),
                                 QStringLiteral("--bolna-final-delay"), QStringLiteral("100"),
                                 QStringLiteral("--post-call-delay"), QStringLiteral("20")},
                                {QStringLiteral("--poll-interval-ms"), QStringLiteral("400")});
        QVERIFY(stack);
        const auto agents = agentsByProvider(*stack);
        QCOMPARE(agents.size(), 3);

        // Before a sync the agents cannot place calls.
        auto refused = stack->rest.send("POST", stack->api(QStringLiteral("/calls")),
                                        Json{{"agent_id", agents.value(QStringLiteral("vapi"))},
                                             {"to_number", "+14155550100"}});
        QCOMPARE(refused.status, 409);
        QVERIFY(syncAll(*stack));

        const auto bad = stack->rest.send(
            "POST", stack->api(QStringLiteral("/calls")),
            Json{{"agent_id", agents.value(QStringLiteral("vapi"))}, {"to_number", "555-0100"}});
        QCOMPARE(bad.status, 400);
        QCOMPARE(str(bad.body["error"], "code"), QStringLiteral("invalid_number"));

        struct Expect
        {
            QString callId;
            QString provider;
            QString status;
            bool voicemail = false;
            bool talked = false;
        };
        QList<Expect> expected;
        const std::pair<const char *, const char *> scripts[] = {
            {"0", "completed"}, {"1", "busy"},      {"2", "no_answer"},
            {"3", "failed"},    {"4", "completed"}, {"5", "completed"},
        };
        for (const char *provider : {"bolna", "vapi", "retell"}) {
            for (const auto &[digit, status] : scripts) {
                const QString number = QStringLiteral("+1415555010") + QString::fromLatin1(digit);
                const bool isTest = digit[0] == '4';
                const auto started =
                    stack->rest.send("POST", stack->api(QStringLiteral("/calls")),
                                     Json{{"agent_id", agents.value(QString::fromLatin1(provider))},
                                          {"to_number", number},
                                          {"is_test", isTest}});
                QCOMPARE(started.status, 201);
                const Json &call = started.body["call"];
                QCOMPARE(call.value("is_test", !isTest), isTest);
                QVERIFY(!str(call, "provider_call_id").startsWith(u"pending:"));
                expected.append({str(call, "id"), QString::fromLatin1(provider),
                                 QString::fromLatin1(status), digit[0] == '4',
                                 digit[0] == '0' || digit[0] == '4' || digit[0] == '5'});
            }
        }

        // A destination the provider refuses: failed at once, with the provider's message.
        const auto rejected =
            stack->rest.send("POST", stack->api(QStringLiteral("/calls")),
                             Json{{"agent_id", agents.value(QStringLiteral("retell"))},
                                  {"to_number", "+14155550199"}});
        QCOMPARE(rejected.status, 201);
        QCOMPARE(str(rejected.body["call"], "status"), QStringLiteral("failed"));
        QCOMPARE(str(rejected.body["call"], "end_reason"),
                 QStringLiteral("Call failed: destination is marked as spam"));
        QCOMPARE(str(rejected.body["provider_error"], "code"), QStringLiteral("provider_rejected"));

        QElapsedTimer clock;
        clock.start();
        QSet<QString> done;
        while (done.size() < expected.size() && clock.elapsed() < 60000) {
            for (const Expect &e : std::as_const(expected)) {
                if (done.contains(e.callId))
                    continue;
                const auto detail =
                    stack->rest.send("GET", stack->api(QStringLiteral("/calls/") + e.callId));
                const Json &call = detail.body.contains("call") ? detail.body["call"] : detail.body;
                if (str(call, "status") != e.status || !call.value("finalized", false))
                    continue;
                QCOMPARE(call.value("voicemail", false), e.voicemail);
                if (e.talked) {
                    const QString transcript = str(detail.body, "transcript").isEmpty()
                        ? str(call, "transcript")
                        : str(detail.body, "transcript");
                    QVERIFY2(!transcript.isEmpty(), qPrintable(e.provider));
                    QVERIFY2(!str(call, "recording_url").isEmpty(), qPrintable(e.provider));
                    QVERIFY2(call.value("cost_cents", Json(0)).is_number() &&
                                 call["cost_cents"].get<double>() > 0,
                             qPrintable(e.provider));
                    QVERIFY(call.value("duration_s", Json(0)).is_number());
                }
                done.insert(e.callId);
            }
            QTest::qWait(200);
        }
        for (const Expect &e : std::as_const(expected)) {
            if (!done.contains(e.callId))
                qWarning().noquote() << "not converged:" << e.provider << e.status << e.callId;
        }
        QCOMPARE(done.size(), expected.size());

        // Refresh polls the provider now and answers with the call.
        const auto refreshed =
            stack->rest.send("POST",
                             stack->api(QStringLiteral("/calls/") + expected.first().callId +
                                        QStringLiteral("/refresh")),
                             Json::object());
        QCOMPARE(refreshed.status, 200);
        QCOMPARE(str(refreshed.body["call"], "id"), expected.first().callId);
    }

    void agentSync()
    {
        auto stack = startStack({}, {});
        QVERIFY(stack);
        const auto agents = agentsByProvider(*stack);
        const QString vapi = agents.value(QStringLiteral("vapi"));
        const QString retell = agents.value(QStringLiteral("retell"));
        const QString sync = QStringLiteral("/agents/%1/sync");

        // No webhook at the provider: a check says missing, a sync fixes it.
        auto check =
            stack->rest.send("POST", stack->api(sync.arg(vapi)), Json{{"check_only", true}});
        QCOMPARE(check.status, 200);
        QCOMPARE(str(check.body["agent"], "webhook_state"), QStringLiteral("missing"));
        auto fixed = stack->rest.send("POST", stack->api(sync.arg(vapi)), Json::object());
        QCOMPARE(str(fixed.body["agent"], "webhook_state"), QStringLiteral("synced"));
        const QString url = str(fixed.body["agent"], "webhook_url");
        QVERIFY(url.endsWith(u"/api/webhooks/vapi"));
        const auto atProvider = stack->control.send(
            "GET", stack->simPath(QStringLiteral("/_sim/agents/vapi/demo-vapi-assistant")));
        QCOMPARE(str(atProvider.body["server"], "url"), url);
        const Json messages = atProvider.body["serverMessages"];
        QVERIFY(std::find(messages.begin(), messages.end(), Json("status-update")) !=
                messages.end());
        QVERIFY(std::find(messages.begin(), messages.end(), Json("end-of-call-report")) !=
                messages.end());

        // Someone changes it at the provider: detected as differs, then fixed.
        stack->control.send("PUT",
                            stack->simPath(QStringLiteral("/_sim/agents/vapi/demo-vapi-assistant")),
                            Json{{"webhook_url", "https://elsewhere.example/hook"}});
        check = stack->rest.send("POST", stack->api(sync.arg(vapi)), Json{{"check_only", true}});
        QCOMPARE(str(check.body["agent"], "webhook_state"), QStringLiteral("differs"));
        QVERIFY(str(check.body["agent"], "webhook_message").contains(u"elsewhere.example"));
        const auto listed = stack->rest.send("GET", stack->api(QStringLiteral("/agents")));
        bool seenDiffers = false;
        for (const auto &agent : listed.body["agents"])
            seenDiffers |= str(agent, "id") == vapi && str(agent, "webhook_state") == u"differs";
        QVERIFY(seenDiffers);
        fixed = stack->rest.send("POST", stack->api(sync.arg(vapi)), Json::object());
        QCOMPARE(str(fixed.body["agent"], "webhook_state"), QStringLiteral("synced"));

        // The provider refuses the update: error, with the provider's message.
        stack->control.send("PUT",
                            stack->simPath(QStringLiteral("/_sim/agents/retell/demo-retell-agent")),
                            Json{{"reject_updates", true}});
        const auto refused = stack->rest.send("POST", stack->api(sync.arg(retell)), Json::object());
        QCOMPARE(refused.status, 200);
        QCOMPARE(refused.body.value("ok", true), false);
        QCOMPARE(str(refused.body["agent"], "webhook_state"), QStringLiteral("error"));
        QCOMPARE(str(refused.body["agent"], "webhook_message"),
                 QStringLiteral("Agent is not editable: a published version is locked"));

        // Sync all reports each agent.
        const auto all =
            stack->rest.send("POST", stack->api(QStringLiteral("/agents/sync")), Json::object());
        QCOMPARE(all.status, 200);
        QCOMPARE(int(all.body["results"].size()), 3);

        // Bolna's webhook carries the org's token in its URL; members never see it.
        const auto afterAll = stack->rest.send("GET", stack->api(QStringLiteral("/agents")));
        for (const auto &agent : afterAll.body["agents"]) {
            if (str(agent, "provider") != u"bolna")
                continue;
            QCOMPARE(str(agent, "webhook_state"), QStringLiteral("synced"));
            QVERIFY(str(agent, "webhook_url").contains(u"token=redacted"));
            QVERIFY(!QString::fromStdString(agent.dump()).contains(u"demo-bolna-token"));
        }
        const auto bolnaAtProvider = stack->control.send(
            "GET", stack->simPath(QStringLiteral("/_sim/agents/bolna/demo-bolna-agent")));
        QVERIFY(str(bolnaAtProvider.body, "webhook_url").contains(u"token=demo-bolna-token"));
    }

    void staleUntilTheProviderAnswers()
    {
        auto stack = startStack({QStringLiteral("--seed"), QStringLiteral("4"),
                                 QStringLiteral("--time-scale"), QStringLiteral("0.02"),
                                 QStringLiteral("--never-final"), QStringLiteral("1"),
                                 QStringLiteral("--poll-5xx"), QStringLiteral("1")},
                                {QStringLiteral("--poll-interval-ms"), QStringLiteral("300"),
                                 QStringLiteral("--reconcile-interval-ms"), QStringLiteral("300"),
                                 QStringLiteral("--max-call-duration-s"), QStringLiteral("1"),
                                 QStringLiteral("--in-progress-grace-ms"), QStringLiteral("500"),
                                 QStringLiteral("--provider-timeout-ms"), QStringLiteral("2000")});
        QVERIFY(stack);
        const auto agents = agentsByProvider(*stack);
        QVERIFY(syncAll(*stack));
        const auto started =
            stack->rest.send("POST", stack->api(QStringLiteral("/calls")),
                             Json{{"agent_id", agents.value(QStringLiteral("retell"))},
                                  {"to_number", "+14155550100"}});
        QCOMPARE(started.status, 201);
        const QString callId = str(started.body["call"], "id");
        const QUrl detail = stack->api(QStringLiteral("/calls/") + callId);

        // The call ends at the provider, but no ending webhook comes and polls fail: stale.
        Json call;
        QDeadlineTimer deadline(20000);
        while (!deadline.hasExpired()) {
            const auto answer = stack->rest.send("GET", detail);
            call = answer.body.contains("call") ? answer.body["call"] : answer.body;
            if (call.value("stale", false))
                break;
            QTest::qWait(100);
        }
        QVERIFY2(call.value("stale", false), call.dump().c_str());
        QCOMPARE(str(call, "status"), QStringLiteral("in_progress"));
        const auto diagnostics =
            stack->rest.send("GET", stack->api(QStringLiteral("/diagnostics")));
        QVERIFY(diagnostics.body.value("stale_calls", 0) >= 1);

        // The provider answers polls again: the truth arrives and clears the flag.
        stack->control.send("PUT", stack->simPath(QStringLiteral("/_sim/faults")),
                            Json{{"poll_5xx", 0}});
        deadline = QDeadlineTimer(20000);
        while (!deadline.hasExpired()) {
            const auto answer = stack->rest.send("GET", detail);
            call = answer.body.contains("call") ? answer.body["call"] : answer.body;
            if (str(call, "status") == u"completed" && !call.value("stale", true))
                break;
            QTest::qWait(100);
        }
        QCOMPARE(str(call, "status"), QStringLiteral("completed"));
        QCOMPARE(call.value("stale", true), false);
    }

    void convergenceUnderFaults()
    {
        const int calls = qEnvironmentVariableIntValue("CALLBOARD_CONVERGENCE_CALLS") > 0
            ? qEnvironmentVariableIntValue("CALLBOARD_CONVERGENCE_CALLS")
            : 200;
        auto stack = startStack(
            {QStringLiteral("--seed"), QStringLiteral("11"), QStringLiteral("--time-scale"),
             QStringLiteral("0.01"), QStringLiteral("--bolna-final-delay"), QStringLiteral("150"),
             QStringLiteral("--post-call-delay"), QStringLiteral("5"), QStringLiteral("--drop"),
             QStringLiteral("0.3"), QStringLiteral("--duplicate"), QStringLiteral("0.2"),
             QStringLiteral("--reorder"), QStringLiteral("0.2"), QStringLiteral("--never-final"),
             QStringLiteral("0.05"), QStringLiteral("--no-live-messages")},
            {QStringLiteral("--poll-interval-ms"), QStringLiteral("700"),
             QStringLiteral("--reconcile-interval-ms"), QStringLiteral("1000"),
             QStringLiteral("--dial-timeout-ms"), QStringLiteral("5000"),
             QStringLiteral("--max-call-duration-s"), QStringLiteral("10"),
             QStringLiteral("--in-progress-grace-ms"), QStringLiteral("2000"),
             QStringLiteral("--unfinalized-timeout-ms"), QStringLiteral("5000")});
        QVERIFY(stack);
        const auto agents = agentsByProvider(*stack);
        QVERIFY(syncAll(*stack));
        const QStringList providers = {QStringLiteral("bolna"), QStringLiteral("vapi"),
                                       QStringLiteral("retell")};

        QElapsedTimer clock;
        clock.start();
        for (int i = 0; i < calls; ++i) {
            const QString number =
                QStringLiteral("+1646%1").arg(2000000 + i * 37, 7, 10, QLatin1Char('0'));
            const auto started = stack->rest.send(
                "POST", stack->api(QStringLiteral("/calls")),
                Json{{"agent_id", agents.value(providers.at(i % 3))}, {"to_number", number}});
            QCOMPARE(started.status, 201);
        }
        const qint64 startedAllMs = clock.elapsed();

        // Watch the provider's truth and the store together: a call has converged when the
        // store says what the provider finally says; its time counts from the moment the
        // provider's last report was due.
        QHash<QString, Json> truth;
        QHash<QString, qint64> convergedAt; // provider call id → ms after its truth was final
        QList<Json> stored;
        qint64 truthCompleteMs = -1;
        while (clock.elapsed() < 150000) {
            const auto answer =
                stack->control.send("GET", stack->simPath(QStringLiteral("/_sim/calls")));
            truth.clear();
            bool allDone = true;
            for (const auto &call : answer.body.value("calls", Json::array())) {
                truth.insert(str(call, "call_id"), call);
                allDone &= call.value("done", false);
            }
            if (allDone && truth.size() == calls && truthCompleteMs < 0)
                truthCompleteMs = clock.elapsed();
            stored = allCalls(*stack);
            const QDateTime now = QDateTime::currentDateTimeUtc();
            for (const Json &call : std::as_const(stored)) {
                const QString id = str(call, "provider_call_id");
                if (convergedAt.contains(id) || !truth.contains(id) ||
                    !truth[id].value("done", false))
                    continue;
                const Json &t = truth[id];
                if (str(call, "status") == str(t, "expected_status") &&
                    call.value("voicemail", false) == t.value("voicemail", false)) {
                    const QDateTime final = cb::timeFromJson(t["final_at"]);
                    convergedAt.insert(
                        id, final.isValid() ? std::max<qint64>(0, final.msecsTo(now)) : 0);
                }
            }
            if (convergedAt.size() == calls)
                break;
            if (truthCompleteMs >= 0 && clock.elapsed() > truthCompleteMs + 30000)
                break;
            QTest::qWait(250);
        }
        QCOMPARE(truth.size(), calls);
        QVERIFY(truthCompleteMs >= 0);
        const auto stats =
            stack->control.send("GET", stack->simPath(QStringLiteral("/_sim/stats")));
        qInfo().noquote() << "sim:" << QString::fromStdString(stats.body.dump());
        qInfo().noquote() << QStringLiteral(
                                 "%1 calls started in %2 ms; provider truth final after %3 ms")
                                 .arg(calls)
                                 .arg(startedAllMs)
                                 .arg(truthCompleteMs);

        QList<qint64> times = convergedAt.values();
        std::sort(times.begin(), times.end());
        if (!times.isEmpty()) {
            const auto pct = [&times](double p) {
                return times.at(std::min<qsizetype>(times.size() - 1, qsizetype(p * times.size())));
            };
            qInfo().noquote()
                << QStringLiteral(
                       "convergence after the provider's final state (ms): p50 %1, p90 %2, p99 %3, "
                       "max %4; converged %5/%6")
                       .arg(pct(0.5))
                       .arg(pct(0.9))
                       .arg(pct(0.99))
                       .arg(times.last())
                       .arg(times.size())
                       .arg(calls);
            const qint64 buckets[] = {0, 1000, 2000, 5000, 10000, 20000, 30000};
            QString histogram;
            for (size_t b = 0; b < std::size(buckets); ++b) {
                const qint64 low = buckets[b];
                const qint64 high = b + 1 < std::size(buckets) ? buckets[b + 1]
                                                               : std::numeric_limits<qint64>::max();
                const auto n = std::count_if(times.begin(), times.end(),
                                             [&](qint64 t) { return t >= low && t < high; });
                histogram += QStringLiteral(" [%1s,%2): %3")
                                 .arg(low / 1000)
                                 .arg(high == std::numeric_limits<qint64>::max()
                                          ? QStringLiteral("inf")
                                          : QString::number(high / 1000))
                                 .arg(n);
            }
            qInfo().noquote() << "histogram:" << histogram;
        }
        for (auto it = truth.cbegin(); it != truth.cend(); ++it) {
            if (!convergedAt.contains(it.key()))
                qWarning().noquote()
                    << "not converged:" << QString::fromStdString(it.value().dump());
        }
        QCOMPARE(int(convergedAt.size()), calls);

        // Nothing is left non-terminal without being flagged stale.
        for (const Json &call : std::as_const(stored)) {
            const QString status = str(call, "status");
            const bool terminal = status != u"queued" && status != u"initiated" &&
                status != u"ringing" && status != u"in_progress";
            QVERIFY2(terminal || call.value("stale", false),
                     qPrintable(QString::fromStdString(call.dump())));
        }
    }
};

QTEST_GUILESS_MAIN(TestProvidersIntegration)
#include "tst_providersintegration.moc"
