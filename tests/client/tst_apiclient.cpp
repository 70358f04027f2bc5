#include "client/apiclient.h"

#include "fakenetwork.h"

#include <QSignalSpy>
#include <QTest>

using namespace cb;
using namespace cb::test;

namespace {

Json parse(const QByteArray &body)
{
    return Json::parse(body.constData(), body.constData() + body.size(), nullptr, false);
}

template<typename T>
Result<T> wait(ApiJob<T> *job)
{
    QSignalSpy done(job, &ApiJobBase::finished);
    std::optional<Result<T>> result;
    job->onFinished(job, [&result](const Result<T> &r) { result.emplace(r); });
    if (!done.wait(5000))
        return Error{QStringLiteral("test_timeout"), QStringLiteral("job never finished")};
    return *result;
}

} // namespace

class TestApiClient : public QObject
{
    Q_OBJECT

    FakeNetwork *m_network = nullptr;
    ApiClient *m_api = nullptr;

private Q_SLOTS:
    void init()
    {
        m_network = new FakeNetwork;
        m_api = new ApiClient(m_network);
        m_api->setBaseUrl(QUrl(QStringLiteral("https://cb.example/")));
    }
    void cleanup()
    {
        delete m_api;
        delete m_network;
    }

    void loginSendsCredentialsWithoutToken()
    {
        m_api->setToken(QStringLiteral("old"));
        m_network->handler = [](const RecordedRequest &) {
            return CannedReply{200,
                               R"({"token":"tok-1","user":{"id":"u1","email":"a@b.c","name":"Ann"},
                                        "orgs":[{"id":"o1","name":"Acme","role":"admin"},{"id":"o2","name":"Beta","role":"viewer"}]})"};
        };
        auto result = wait(m_api->login(QStringLiteral("a@b.c"), QStringLiteral("s3cret")));
        QVERIFY(result.ok());
        QCOMPARE(result->token, QStringLiteral("tok-1"));
        QCOMPARE(result->user.name, QStringLiteral("Ann"));
        QCOMPARE(result->orgs.size(), 2);
        QCOMPARE(result->orgs.at(0).role, Role::Admin);

        QCOMPARE(m_network->requests.size(), 1);
        const RecordedRequest &r = m_network->requests.first();
        QCOMPARE(r.verb, QByteArray("POST"));
        QCOMPARE(r.url.toString(), QStringLiteral("https://cb.example/api/auth/login"));
        QVERIFY(!r.headers.contains("authorization"));
        QCOMPARE(r.headers.value("content-type"), QByteArray("application/json"));
        QCOMPARE(r.headers.value("accept"), QByteArray("application/json"));
        QVERIFY(parse(r.body) == (Json{{"email", "a@b.c"}, {"password", "s3cret"}}));
    }

    void loginErrorCarriesServerCode()
    {
        m_network->handler = [](const RecordedRequest &) {
            return CannedReply{
                401,
                R"({"error":{"code":"invalid_credentials","message":"Wrong email or password."}})"};
        };
        QSignalSpy unauthorized(m_api, &ApiClient::unauthorized);
        auto result = wait(m_api->login(QStringLiteral("a@b.c"), QStringLiteral("nope")));
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, QStringLiteral("invalid_credentials"));
        QCOMPARE(result.error().message, QStringLiteral("Wrong email or password."));
        QCOMPARE(unauthorized.count(), 0); // a failed login is not an expired session
    }

    void callsQueryEncodesFilters()
    {
        m_api->setToken(QStringLiteral("tok-1"));
        m_network->handler = [](const RecordedRequest &) {
            return CannedReply{
                200, R"({"calls":[{"id":"c1","provider":"vapi","status":"ringing","seq":7}],
                                        "next_cursor":"abc","last_seq":9})"};
        };
        CallQuery query;
        query.statuses = {CallStatus::Completed, CallStatus::NoAnswer};
        query.agentId = QStringLiteral("ag 1");
        query.provider = Provider::Retell;
        query.direction = Direction::Inbound;
        query.includeTest = false;
        query.text = QStringLiteral("+1 415&x");
        query.from = QDateTime::fromMSecsSinceEpoch(1769606270116, Qt::UTC);
        query.sinceSeq = 5;
        query.cursor = QStringLiteral("c/1");
        auto result = wait(m_api->calls(QStringLiteral("org 1"), query));
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
        QCOMPARE(result->calls.size(), 1);
        QCOMPARE(result->calls.first().seq, 7);
        QCOMPARE(result->nextCursor, QStringLiteral("abc"));
        QCOMPARE(result->lastSeq, 9);

        const RecordedRequest &r = m_network->requests.first();
        QCOMPARE(r.verb, QByteArray("GET"));
        QCOMPARE(r.headers.value("authorization"), QByteArray("Bearer tok-1"));
        QCOMPARE(
            r.url.toString(QUrl::FullyEncoded),
            QStringLiteral("https://cb.example/api/orgs/org%201/"
                           "calls?status=completed%2Cno_answer&agent=ag%201"
                           "&provider=retell&direction=inbound&include_test=false&q=%2B1%20415%26x"
                           "&from=2026-01-28T13%3A17%3A50.116Z&cursor=c%2F1&since_seq=5"));
        QVERIFY(r.body.isEmpty());
    }

    void everyRouteHasItsMethodAndPath()
    {
        m_api->setToken(QStringLiteral("t"));
        const QString org = QStringLiteral("o1");
        m_network->handler = [](const RecordedRequest &) { return CannedReply{200, "{}"}; };
        m_api->call(org, QStringLiteral("c1"));
        m_api->startCall(org, {QStringLiteral("a1"), QStringLiteral("+14155550100"), true});
        m_api->refreshCall(org, QStringLiteral("c1"));
        m_api->markFailed(org, {QStringLiteral("c1"), QStringLiteral("c2")});
        m_api->deleteCall(org, QStringLiteral("c1"));
        m_api->agents(org);
        m_api->syncAgent(org, QStringLiteral("a1"));
        m_api->syncAllAgents(org);
        m_api->metrics(org);
        m_api->diagnostics(org);
        m_api->logout();
        m_api->orgs();
        m_api->health();
        QTRY_COMPARE(m_network->requests.size(), 13);
        const QList<std::pair<QByteArray, QString>> expected{
            {"GET", QStringLiteral("/api/orgs/o1/calls/c1")},
            {"POST", QStringLiteral("/api/orgs/o1/calls")},
            {"POST", QStringLiteral("/api/orgs/o1/calls/c1/refresh")},
            {"POST", QStringLiteral("/api/orgs/o1/calls/mark-failed")},
            {"DELETE", QStringLiteral("/api/orgs/o1/calls/c1")},
            {"GET", QStringLiteral("/api/orgs/o1/agents")},
            {"POST", QStringLiteral("/api/orgs/o1/agents/a1/sync")},
            {"POST", QStringLiteral("/api/orgs/o1/agents/sync")},
            {"GET", QStringLiteral("/api/orgs/o1/metrics")},
            {"GET", QStringLiteral("/api/orgs/o1/diagnostics")},
            {"POST", QStringLiteral("/api/auth/logout")},
            {"GET", QStringLiteral("/api/auth/me")},
            {"GET", QStringLiteral("/healthz")},
        };
        for (qsizetype i = 0; i < expected.size(); ++i) {
            QCOMPARE(m_network->requests.at(i).verb, expected.at(i).first);
            QCOMPARE(m_network->requests.at(i).url.path(), expected.at(i).second);
        }
        QVERIFY(parse(m_network->requests.at(1).body) ==
                (Json{{"agent_id", "a1"}, {"to_number", "+14155550100"}, {"is_test", true}}));
        QVERIFY(parse(m_network->requests.at(3).body) == (Json{{"ids", {"c1", "c2"}}}));
        QCOMPARE(m_network->requests.at(5).headers.value("authorization"), QByteArray("Bearer t"));
        QVERIFY(!m_network->requests.at(12).headers.contains("authorization"));
    }

    void expiredTokenSignalsUnauthorized()
    {
        m_api->setToken(QStringLiteral("expired"));
        m_network->handler = [](const RecordedRequest &) {
            return CannedReply{401,
                               R"({"error":{"code":"unauthorized","message":"Token expired"}})"};
        };
        QSignalSpy unauthorized(m_api, &ApiClient::unauthorized);
        auto result = wait(m_api->agents(QStringLiteral("o1")));
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, QStringLiteral("unauthorized"));
        QCOMPARE(unauthorized.count(), 1);
    }

    void failuresAreResults_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("code");
        QTest::newRow("network") << 0 << QByteArray() << QStringLiteral("network");
        QTest::newRow("not json") << 200 << QByteArray("<html>")
                                  << QStringLiteral("invalid_response");
        QTest::newRow("wrong shape")
            << 200 << QByteArray(R"({"calls":5})") << QStringLiteral("invalid_response");
        QTest::newRow("bad call")
            << 200 << QByteArray(R"({"calls":[{"id":"x","provider":"skype","status":"queued"}]})")
            << QStringLiteral("invalid_response");
        QTest::newRow("plain 500") << 500 << QByteArray("oops") << QStringLiteral("http_500");
        QTest::newRow("404 with code")
            << 404 << QByteArray(R"({"error":{"code":"not_found","message":"No such org"}})")
            << QStringLiteral("not_found");
        QTest::newRow("forbidden") << 403 << QByteArray() << QStringLiteral("forbidden");
    }
    void failuresAreResults()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(QString, code);
        m_network->handler = [=](const RecordedRequest &) { return CannedReply{status, body}; };
        auto result = wait(m_api->calls(QStringLiteral("o1"), {}));
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, code);
        QVERIFY(!result.error().message.isEmpty());
    }

    void abortFinishesOnce()
    {
        auto *job = m_api->agents(QStringLiteral("o1"));
        QSignalSpy done(job, &ApiJobBase::finished);
        job->abort();
        QCOMPARE(done.count(), 1);
        QCOMPARE(job->result()->error().code, QStringLiteral("aborted"));
        QTest::qWait(20);
        QCOMPARE(done.count(), 0 + 1);
    }

    void diagnosticsReadsTheServerShape()
    {
        m_network->handler = [](const RecordedRequest &) {
            return CannedReply{
                200, R"({"active_calls":11,"agents":{"by_webhook_state":{"synced":2,"missing":1},
                                        "total":3,"webhook_synced":2},"last_webhook":{"vapi":"2026-11-22T00:19:28.957Z"},
                                        "stale_calls":1,"unrouted":{"count":4,"events":[]},"polls_running":5})"};
        };
        auto d = wait(m_api->diagnostics(QStringLiteral("o1")));
        QVERIFY(d.ok());
        QCOMPARE(d->agentsTotal, 3);
        QCOMPARE(d->agentsSynced, 2);
        QCOMPARE(d->agentsWithWebhook, 2);
        QCOMPARE(d->unroutedEvents, 4);
        QCOMPARE(d->staleCalls, 1);
        QCOMPARE(d->activeCalls, 11);
        QCOMPARE(d->lastWebhookByProvider.size(), 1);
    }

    void callDetailReadsTranscriptAndTimeline()
    {
        m_network->handler = [](const RecordedRequest &) {
            return CannedReply{200, R"({"call":{"id":"c1","provider":"bolna","status":"completed"},
                                        "transcript":"agent: hello",
                                        "timeline":[{"at":"2026-01-28T13:17:50Z","kind":"completed","source":"webhook","status":"completed"}]})"};
        };
        auto result = wait(m_api->call(QStringLiteral("o1"), QStringLiteral("c1")));
        QVERIFY(result.ok());
        QCOMPARE(result->call.transcript, QStringLiteral("agent: hello"));
        QCOMPARE(result->timeline.size(), 1);
        QCOMPARE(result->timeline.first().status, CallStatus::Completed);
        QCOMPARE(result->timeline.first().source, QStringLiteral("webhook"));
    }
};

QTEST_GUILESS_MAIN(TestApiClient)
#include "tst_apiclient.moc"
