// Tenant isolation: every org route × every kind of caller.

#include "testsupport.h"

#include <QCryptographicHash>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>

using namespace cbtest;
using cb::Json;

class TestIsolation : public QObject
{
    Q_OBJECT

private:
    struct Route
    {
        QByteArray method;
        QByteArray path; ///< with {org} and {call}
        QByteArray body;
        int minimumRole; ///< 0 viewer, 1 staff, 2 admin
    };
    QList<Route> routes() const;
    QByteArray expiredToken();
    QString postCall(const QByteArray &secret, const QByteArray &agentId, const QByteArray &callId);
    void checkNoForeignIds(const QByteArray &body, const QStringList &foreign,
                           const QByteArray &what);

    std::unique_ptr<ServerProcess> m_server;
    QString m_acmeCall;
    QString m_globexCall;

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void everyRouteEveryCaller_data();
    void everyRouteEveryCaller();
    void foreignIdsThroughOwnOrg();
};

QList<TestIsolation::Route> TestIsolation::routes() const
{
    return {
        {"GET", "/api/orgs/{org}/calls", {}, 0},
        {"GET", "/api/orgs/{org}/calls?since_seq=0", {}, 0},
        {"GET", "/api/orgs/{org}/calls?include_test=true&q=%2B", {}, 0},
        {"GET", "/api/orgs/{org}/calls/{call}", {}, 0},
        {"GET", "/api/orgs/{org}/calls/{call}?include_payload=true", {}, 0},
        {"GET", "/api/orgs/{org}/agents", {}, 0},
        {"GET", "/api/orgs/{org}/metrics", {}, 0},
        {"GET", "/api/orgs/{org}/diagnostics", {}, 0},
        {"POST", "/api/orgs/{org}/calls",
         R"({"agent_id":"none","to_number":"+14155550123","is_test":true})", 1},
        {"POST", "/api/orgs/{org}/calls/{call}/refresh", "{}", 1},
        {"POST", "/api/orgs/{org}/calls/mark-failed", R"({"ids":["{call}"]})", 2},
        {"POST", "/api/orgs/{org}/agents/sync", "{}", 2},
        {"POST", "/api/orgs/{org}/agents/none/sync", "{}", 2},
        {"DELETE", "/api/orgs/{org}/calls/no-such-call", {}, 2},
    };
}

QString TestIsolation::postCall(const QByteArray &secret, const QByteArray &agentId,
                                const QByteArray &callId)
{
    Json body =
        Json::parse(fixture(QStringLiteral("bolna/answered/02-ringing.json")).toStdString());
    body["id"] = callId.toStdString();
    body["agent_id"] = agentId.toStdString();
    body.erase("context_details");
    const HttpResult r = http(m_server->port(), "POST", webhookPath("bolna"), cb::toBytes(body),
                              {{"x-callboard-token", secret}});
    return r.status == 200 ? QString::fromUtf8(callId) : QString();
}

QByteArray TestIsolation::expiredToken()
{
    // A session that existed but ran out: written straight into the store.
    const QByteArray token = "expired-token-for-the-isolation-test-0123456789";
    const QByteArray hash = QCryptographicHash::hash(token, QCryptographicHash::Sha256).toHex();
    {
        QSqlDatabase db =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("direct"));
        db.setDatabaseName(m_server->dataDir() + QStringLiteral("/callboard.sqlite"));
        if (db.open()) {
            QSqlQuery query(db);
            query.exec(QStringLiteral("SELECT id FROM users WHERE email = 'admin@demo'"));
            query.next();
            const QString userId = query.value(0).toString();
            QSqlQuery insert(db);
            insert.prepare(
                QStringLiteral("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) "
                               "VALUES (?, ?, ?, ?)"));
            const qint64 now = QDateTime::currentMSecsSinceEpoch();
            insert.addBindValue(QString::fromLatin1(hash));
            insert.addBindValue(userId);
            insert.addBindValue(now - 7200000);
            insert.addBindValue(now - 3600000);
            insert.exec();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("direct"));
    return token;
}

void TestIsolation::initTestCase()
{
    m_server = std::make_unique<ServerProcess>(QStringList{QStringLiteral("--demo")});
    QString error;
    QVERIFY2(m_server->start(&error), qPrintable(error));
    QVERIFY(!postCall("demo-bolna-token", "demo-bolna-agent", "acme-call-1").isEmpty());
    QVERIFY(
        !postCall("demo-globex-bolna-token", "demo-globex-bolna-agent", "globex-call-1").isEmpty());
    const QByteArray acmeAdmin = m_server->login(QStringLiteral("admin@demo"));
    const QByteArray globexAdmin = m_server->login(QStringLiteral("globex@demo"));
    const Json acme = m_server->get("/api/orgs/org-acme/calls", acmeAdmin).json();
    const Json globex = m_server->get("/api/orgs/org-globex/calls", globexAdmin).json();
    QCOMPARE(acme["calls"].size(), size_t(1));
    QCOMPARE(globex["calls"].size(), size_t(1));
    m_acmeCall = QString::fromStdString(acme["calls"][0]["id"].get<std::string>());
    m_globexCall = QString::fromStdString(globex["calls"][0]["id"].get<std::string>());
    // A Globex-signed webhook naming an Acme agent is refused, not routed to Acme.
    Json body =
        Json::parse(fixture(QStringLiteral("bolna/answered/02-ringing.json")).toStdString());
    body["id"] = "cross-tenant";
    body["agent_id"] = "demo-bolna-agent";
    const HttpResult crossed =
        http(m_server->port(), "POST", webhookPath("bolna"), cb::toBytes(body),
             {{"x-callboard-token", "demo-globex-bolna-token"}});
    QCOMPARE(crossed.status, 403);
}

void TestIsolation::cleanupTestCase()
{
    m_server.reset();
}

void TestIsolation::checkNoForeignIds(const QByteArray &body, const QStringList &foreign,
                                      const QByteArray &what)
{
    for (const QString &id : foreign)
        QVERIFY2(!body.contains(id.toUtf8()),
                 QByteArray(what + " leaked " + id.toUtf8() + ": " + body.left(300)).constData());
}

void TestIsolation::everyRouteEveryCaller_data()
{
    QTest::addColumn<QString>("caller");
    for (const char *caller : {"viewer", "staff", "admin", "other-org-admin", "no-token",
                               "expired-token", "garbage-token"})
        QTest::newRow(caller) << QString::fromLatin1(caller);
}

void TestIsolation::everyRouteEveryCaller()
{
    QFETCH(QString, caller);
    QByteArray token;
    int role = -1;
    if (caller == u"viewer" || caller == u"staff" || caller == u"admin") {
        token = m_server->login(caller + QStringLiteral("@demo"));
        role = caller == u"viewer" ? 0 : caller == u"staff" ? 1 : 2;
        QVERIFY(!token.isEmpty());
    } else if (caller == u"other-org-admin") {
        token = m_server->login(QStringLiteral("globex@demo"));
        QVERIFY(!token.isEmpty());
    } else if (caller == u"expired-token") {
        token = expiredToken();
    } else if (caller == u"garbage-token") {
        token = "not-a-token";
    }
    const bool authenticated = role >= 0 || caller == u"other-org-admin";
    const QStringList acmeSecrets = {
        m_globexCall, QStringLiteral("org-globex"), QStringLiteral("globex-call-1"),
        QStringLiteral("demo-globex-bolna-agent"), QStringLiteral("demo-globex-bolna-token")};
    const QStringList globexSecrets = {m_acmeCall,
                                       QStringLiteral("org-acme"),
                                       QStringLiteral("acme-call-1"),
                                       QStringLiteral("demo-bolna-agent"),
                                       QStringLiteral("demo-bolna-token"),
                                       QStringLiteral("demo-vapi-secret"),
                                       QStringLiteral("demo-retell-key")};

    for (const Route &route : routes()) {
        QByteArray path = route.path;
        path.replace("{org}", "org-acme").replace("{call}", m_acmeCall.toUtf8());
        QByteArray body = route.body;
        body.replace("{call}", m_acmeCall.toUtf8());
        Headers headers;
        if (!token.isEmpty())
            headers.append({"Authorization", "Bearer " + token});
        const HttpResult r = http(m_server->port(), route.method, path, body, headers);
        const QByteArray what = caller.toUtf8() + ' ' + route.method + ' ' + path + " -> " +
            QByteArray::number(r.status);
        QVERIFY2(r.status != 0, what.constData());
        QVERIFY2(r.json().is_object(), what.constData());
        if (!authenticated) {
            QVERIFY2(r.status == 401, what.constData());
        } else if (role < 0) {
            QVERIFY2(r.status == 403, what.constData());
            checkNoForeignIds(r.body, globexSecrets, what);
        } else if (role < route.minimumRole) {
            QVERIFY2(r.status == 403, what.constData());
        } else {
            QVERIFY2(r.status != 401 && r.status != 403 && r.status != 500, what.constData());
            checkNoForeignIds(r.body, acmeSecrets, what);
        }
        // Secrets never appear in any answer.
        for (const char *secret :
             {"demo-bolna-token", "demo-vapi-secret", "demo-retell-key", "demo-bolna-api-key"})
            QVERIFY2(!r.body.contains(secret), what.constData());
    }
}

void TestIsolation::foreignIdsThroughOwnOrg()
{
    // Globex's admin addresses Acme's call through Globex's own org: nothing is found or changed.
    const QByteArray globex = m_server->login(QStringLiteral("globex@demo"));
    const QByteArray acmeAdmin = m_server->login(QStringLiteral("admin@demo"));
    const Json before =
        m_server->get("/api/orgs/org-acme/calls/" + m_acmeCall.toUtf8(), acmeAdmin).json();
    const QByteArray acmeCall = m_acmeCall.toUtf8();
    HttpResult r = m_server->get("/api/orgs/org-globex/calls/" + acmeCall, globex);
    QCOMPARE(r.status, 404);
    r = m_server->post("/api/orgs/org-globex/calls/mark-failed", Json{{"ids", {m_acmeCall}}},
                       globex);
    QCOMPARE(r.status, 200);
    QVERIFY(jsonEquals(r.json()["results"][0]["error"]["code"], Json("not_found")));
    r = http(m_server->port(), "DELETE", "/api/orgs/org-globex/calls/" + acmeCall, {},
             {{"Authorization", "Bearer " + globex}});
    QCOMPARE(r.status, 404);
    r = m_server->get("/api/orgs/org-globex/calls?include_test=true&q=" + acmeCall, globex);
    QCOMPARE(r.json()["calls"].size(), size_t(0));
    r = m_server->get("/api/orgs/org-globex/calls?agent=" + acmeCall, globex);
    QCOMPARE(r.json()["calls"].size(), size_t(0));
    r = m_server->get("/api/orgs/org-acme/calls/" + acmeCall, acmeAdmin);
    QCOMPARE(r.status, 200);
    QVERIFY(jsonEquals(r.json()["call"], before["call"]));
}

QTEST_GUILESS_MAIN(TestIsolation)
#include "tst_isolation.moc"
