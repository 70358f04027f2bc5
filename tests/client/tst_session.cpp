#include "client/apiclient.h"
#include "client/secretstore.h"
#include "client/session.h"

#include "fakenetwork.h"

#include <QSignalSpy>
#include <QTest>

using namespace cb;
using namespace cb::test;

class TestSession : public QObject
{
    Q_OBJECT

    FakeNetwork *m_network = nullptr;
    ApiClient *m_api = nullptr;
    const QUrl m_server{QStringLiteral("https://cb.example")};

    static CannedReply loginReply()
    {
        return {200, R"({"token":"tok-1","user":{"id":"u1","email":"ann@acme.test","name":"Ann"},
                         "orgs":[{"id":"acme","name":"Acme","role":"admin"},{"id":"beta","name":"Beta","role":"viewer"}]})"};
    }

private Q_SLOTS:
    void init()
    {
        m_network = new FakeNetwork;
        m_network->handler = [](const RecordedRequest &) { return loginReply(); };
        m_api = new ApiClient(m_network);
    }
    void cleanup()
    {
        delete m_api;
        delete m_network;
    }

    void loginStoresTokenAndRestoreReadsIt()
    {
        MemorySecretStore store;
        {
            Session session(m_api, &store);
            QSignalSpy loggedIn(&session, &Session::loggedIn);
            session.login(m_server, QStringLiteral("Ann@Acme.test"), QStringLiteral("pw"));
            QCOMPARE(session.state(), Session::State::LoggingIn);
            QVERIFY(loggedIn.wait());
            QCOMPARE(session.token(), QStringLiteral("tok-1"));
            QCOMPARE(session.currentOrg().id, QStringLiteral("acme"));
            QVERIFY(session.setCurrentOrg(QStringLiteral("beta")));
            QVERIFY(!session.setCurrentOrg(QStringLiteral("evil")));
            QTRY_VERIFY(
                store.contains(Session::secretKey(m_server, QStringLiteral("ann@acme.test"))));
        }
        m_api->setToken({});
        Session session(m_api, &store);
        QSignalSpy loggedIn(&session, &Session::loggedIn);
        session.restore(m_server, QStringLiteral("ann@acme.test"));
        QVERIFY(loggedIn.wait());
        QCOMPARE(session.token(), QStringLiteral("tok-1"));
        QCOMPARE(session.currentOrg().id, QStringLiteral("beta"));
        QCOMPARE(session.orgs().size(), 2);
        QVERIFY(m_api->hasToken());
    }

    void wrongPasswordFails()
    {
        m_network->handler = [](const RecordedRequest &) {
            return CannedReply{
                401,
                R"({"error":{"code":"invalid_credentials","message":"Wrong email or password."}})"};
        };
        Session session(m_api, nullptr);
        QSignalSpy failed(&session, &Session::loginFailed);
        session.login(m_server, QStringLiteral("a@b.c"), QStringLiteral("bad"));
        QVERIFY(failed.wait());
        QCOMPARE(failed.first().at(0).value<Error>().code, QStringLiteral("invalid_credentials"));
        QCOMPARE(session.state(), Session::State::LoggedOut);
    }

    void missingKeychainIsReportedButSessionWorks()
    {
        MemorySecretStore store;
        store.setFailure(
            {QStringLiteral("no_keychain"), QStringLiteral("No keychain service is running")});
        Session session(m_api, &store);
        QSignalSpy storeFailed(&session, &Session::secretStoreFailed);
        session.login(m_server, QStringLiteral("a@b.c"), QStringLiteral("pw"));
        QVERIFY(storeFailed.wait());
        QCOMPARE(storeFailed.first().at(0).value<Error>().code, QStringLiteral("no_keychain"));
        QVERIFY(session.isLoggedIn());
    }

    void expiredTokenLogsOutOnceAndForgetsIt()
    {
        MemorySecretStore store;
        Session session(m_api, &store);
        QSignalSpy loggedIn(&session, &Session::loggedIn);
        session.login(m_server, QStringLiteral("a@b.c"), QStringLiteral("pw"));
        QVERIFY(loggedIn.wait());
        QTRY_VERIFY(store.contains(Session::secretKey(m_server, QStringLiteral("a@b.c"))));
        m_network->handler = [](const RecordedRequest &) { return CannedReply{401, "{}"}; };
        QSignalSpy expired(&session, &Session::expired);
        m_api->agents(QStringLiteral("acme"));
        m_api->agents(QStringLiteral("acme"));
        QVERIFY(expired.wait());
        QTest::qWait(20);
        QCOMPARE(expired.count(), 1);
        QCOMPARE(session.state(), Session::State::LoggedOut);
        QCOMPARE(session.lastError().code, QStringLiteral("unauthorized"));
        QVERIFY(!m_api->hasToken());
        QTRY_VERIFY(!store.contains(Session::secretKey(m_server, QStringLiteral("a@b.c"))));
        const qsizetype requests = m_network->requests.size();
        QTest::qWait(50);
        QCOMPARE(m_network->requests.size(), requests); // nothing retries
    }

    void restoreWithoutSavedSessionFails()
    {
        MemorySecretStore store;
        Session session(m_api, &store);
        QSignalSpy failed(&session, &Session::restoreFailed);
        session.restore(m_server, QStringLiteral("nobody@x"));
        QVERIFY(failed.wait());
        QCOMPARE(failed.first().at(0).value<Error>().code, QStringLiteral("not_found"));
        QCOMPARE(session.state(), Session::State::LoggedOut);
    }
};

QTEST_GUILESS_MAIN(TestSession)
#include "tst_session.moc"
