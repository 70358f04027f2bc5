#include "client/apiclient.h"
#include "client/callsync.h"
#include "client/realtimeclient.h"
#include "client/secretstore.h"
#include "client/session.h"
#include "models/calltablemodel.h"

#include "serverprocess.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace cb;
using namespace cb::test;

namespace {

const QString password = QStringLiteral("callboard-demo");
const QString org = QStringLiteral("org-acme");

/// One desktop client: session, REST, realtime, sync and the live table, wired as the UI does.
struct Desk
{
    QNetworkAccessManager network;
    ApiClient api{&network};
    MemorySecretStore store;
    Session session{&api, &store};
    RealtimeClient realtime;
    CallSync sync{&api};
    CallTableModel model;
    QAbstractItemModelTester tester{&model, QAbstractItemModelTester::FailureReportingMode::QtTest};

    explicit Desk(RealtimeClient::Options options = {}) : realtime(std::move(options))
    {
        model.setFlushInterval(5);
        QObject::connect(&sync, &CallSync::callsReset, &model, &CallTableModel::resetCalls);
        QObject::connect(&sync, &CallSync::callsChanged, &model, &CallTableModel::applyBatch);
        QObject::connect(&realtime, &RealtimeClient::joined, &sync, &CallSync::onJoined);
        QObject::connect(&realtime, &RealtimeClient::callUpserted, &sync,
                         &CallSync::onCallUpserted);
        QObject::connect(&realtime, &RealtimeClient::callDeleted, &sync, &CallSync::onCallDeleted);
        QObject::connect(&realtime, &RealtimeClient::disconnected, &sync,
                         &CallSync::onDisconnected);
        QObject::connect(&realtime, &RealtimeClient::authFailed, &session, &Session::expire);
    }

    bool signIn(const QUrl &server, const QString &email)
    {
        QSignalSpy loggedIn(&session, &Session::loggedIn);
        session.login(server, email, password);
        if (!loggedIn.wait(15000))
            return false;
        if (!session.setCurrentOrg(org))
            return false;
        sync.setOrg(org);
        realtime.setServerUrl(server);
        realtime.setToken(session.token());
        realtime.setOrg(org);
        realtime.open();
        return true;
    }

    QMap<QString, std::pair<qint64, CallStatus>> table() const
    {
        QMap<QString, std::pair<qint64, CallStatus>> rows;
        for (int r = 0; r < model.rowCount(); ++r)
            rows.insert(model.callAt(r).id, {model.callAt(r).seq, model.callAt(r).status});
        return rows;
    }
};

template<typename T>
Result<T> await(ApiJob<T> *job)
{
    std::optional<Result<T>> result;
    QSignalSpy done(job, &ApiJobBase::finished);
    job->onFinished(job, [&](const Result<T> &r) { result.emplace(r); });
    if (!done.wait(30000))
        return Error{QStringLiteral("timeout"), QStringLiteral("no answer")};
    return *result;
}

/// Every call of the org as REST reports it, by id.
QMap<QString, std::pair<qint64, CallStatus>> restView(ApiClient &api)
{
    QMap<QString, std::pair<qint64, CallStatus>> rows;
    CallQuery query;
    query.includeTest = true;
    query.limit = 500;
    for (;;) {
        auto page = await(api.calls(org, query));
        if (!page.ok())
            return {};
        for (const Call &c : page->calls)
            rows.insert(c.id, {c.seq, c.status});
        if (page->nextCursor.isEmpty())
            return rows;
        query.cursor = page->nextCursor;
    }
}

} // namespace

class TestIntegration : public QObject
{
    Q_OBJECT

    std::unique_ptr<ServerProcess> m_server;
    QString m_agentId;

    /// Changes that need no provider: new calls through the REST API (the demo's simulated
    /// providers answer them) and operator actions.
    bool makeTraffic(ApiClient &admin, int calls)
    {
        for (int i = 0; i < calls; ++i) {
            auto call = await(admin.startCall(
                org, {m_agentId, QStringLiteral("+1415555%1").arg(1000 + i), i % 3 == 0}));
            if (!call.ok()) {
                qWarning() << "start call:" << call.error().code << call.error().message;
                return false;
            }
        }
        return true;
    }

private Q_SLOTS:
    void initTestCase()
    {
        // A thousand reconnects would otherwise log four thousand lines.
        QLoggingCategory::setFilterRules(QStringLiteral("callboard.*.info=false"));
        if (!ServerProcess::available())
            QSKIP("callboard-server is not built");
        m_server = std::make_unique<ServerProcess>();
        QVERIFY(m_server->start());
        QNetworkAccessManager network;
        {
            QNetworkReply *probe = network.get(
                QNetworkRequest(QUrl(m_server->url().toString() +
                                     QStringLiteral("/socket.io/?EIO=4&transport=polling"))));
            QSignalSpy done(probe, &QNetworkReply::finished);
            QVERIFY(done.wait(10000));
            const int status = probe->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            probe->deleteLater();
            if (status == 404)
                QSKIP("this callboard-server build does not serve /socket.io/ yet");
        }
        ApiClient api(&network);
        api.setBaseUrl(m_server->url());
        auto login = await(api.login(QStringLiteral("admin@demo"), password));
        QVERIFY2(login.ok(), qPrintable(login.ok() ? QString() : login.error().message));
        api.setToken(login->token);
        auto agents = await(api.agents(org));
        QVERIFY(agents.ok() && !agents->isEmpty());
        m_agentId = agents->first().id;
    }

    void twoClientsSeeTheSameLiveTable()
    {
        Desk admin;
        Desk staff;
        QVERIFY(admin.signIn(m_server->url(), QStringLiteral("admin@demo")));
        QVERIFY(staff.signIn(m_server->url(), QStringLiteral("staff@demo")));
        QTRY_COMPARE_WITH_TIMEOUT(admin.realtime.state(), RealtimeClient::State::Live, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(staff.realtime.state(), RealtimeClient::State::Live, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(!admin.sync.isResyncing() && !staff.sync.isResyncing(), 15000);
        const int before = admin.model.rowCount();

        QSignalSpy inserted(&admin.model, &QAbstractItemModel::rowsInserted);
        QVERIFY(makeTraffic(admin.api, 3));
        // The new rows arrive live, without a refresh.
        QTRY_VERIFY_WITH_TIMEOUT(admin.model.rowCount() >= before + 3, 15000);
        QVERIFY(!inserted.isEmpty());
        QVERIFY(admin.sync.stats().eventsApplied > 0);

        // Let the simulated providers settle, then both tables equal REST.
        QTest::qWait(3000);
        const auto rest = restView(admin.api);
        QVERIFY(!rest.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(admin.table(), restView(admin.api), 20000);
        QTRY_COMPARE_WITH_TIMEOUT(staff.table(), restView(admin.api), 20000);
    }

    void badTokenGoesBackToLogin()
    {
        Desk desk;
        QSignalSpy loggedIn(&desk.session, &Session::loggedIn);
        desk.session.adopt(m_server->url(), QStringLiteral("not-a-token"),
                           {{org, QStringLiteral("Acme"), Role::Admin}});
        QSignalSpy authFailed(&desk.realtime, &RealtimeClient::authFailed);
        QSignalSpy expired(&desk.session, &Session::expired);
        desk.realtime.setServerUrl(m_server->url());
        desk.realtime.setToken(QStringLiteral("not-a-token"));
        desk.realtime.setOrg(org);
        desk.realtime.open();
        QVERIFY(authFailed.wait(15000));
        QCOMPARE(expired.count(), 1);
        QCOMPARE(desk.session.state(), Session::State::LoggedOut);
        QCOMPARE(desk.realtime.state(), RealtimeClient::State::Offline);
    }

    void soakThousandReconnectsEndsEqualToRest()
    {
        RealtimeClient::Options fast;
        fast.baseDelayMs = 1; // the real backoff shape, compressed: a cycle takes milliseconds
        fast.maxDelayMs = 50;
        Desk desk(fast);
        QVERIFY(desk.signIn(m_server->url(), QStringLiteral("admin@demo")));
        QTRY_COMPARE_WITH_TIMEOUT(desk.realtime.state(), RealtimeClient::State::Live, 15000);
        QSignalSpy joined(&desk.realtime, &RealtimeClient::joined);

        QNetworkAccessManager network;
        ApiClient traffic(&network);
        traffic.setBaseUrl(m_server->url());
        auto login = await(traffic.login(QStringLiteral("admin@demo"), password));
        QVERIFY(login.ok());
        traffic.setToken(login->token);

        int cycles = 0;
        int restarts = 0;
        QElapsedTimer elapsed;
        elapsed.start();
        while (cycles < 1000) {
            if (cycles % 50 == 0) // live traffic between drops
                traffic.startCall(
                    org, {m_agentId, QStringLiteral("+1415666%1").arg(1000 + cycles), false});
            if (cycles == 400 || cycles == 800) { // and two server restarts
                m_server->stop();
                QTRY_VERIFY_WITH_TIMEOUT(desk.realtime.state() != RealtimeClient::State::Live,
                                         10000);
                QVERIFY(m_server->start());
                ++restarts;
                const auto joins = joined.count();
                QTRY_VERIFY_WITH_TIMEOUT(joined.count() > joins, 30000);
            }
            // Waits on the signal, not by polling: a poll interval would dominate the cycle.
            desk.realtime.dropConnection();
            QVERIFY(joined.wait(10000));
            ++cycles;
        }
        QCOMPARE(restarts, 2);
        QTest::qWait(3000); // the simulated providers finish their calls
        QTRY_VERIFY_WITH_TIMEOUT(!desk.sync.isResyncing(), 10000);
        const auto rest = restView(traffic);
        QVERIFY(!rest.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(desk.table(), restView(traffic), 20000);
        qInfo() << "soak:" << cycles << "reconnects in" << elapsed.elapsed() << "ms," << restarts
                << "server restarts," << rest.size() << "calls; resyncs"
                << desk.sync.stats().resyncs << "duplicates ignored"
                << desk.sync.stats().duplicatesIgnored << "gaps healed"
                << desk.sync.stats().gapsHealed;
    }
};

QTEST_MAIN(TestIntegration)
#include "tst_integration.moc"
