// The real callboard-server binary on 127.0.0.1 port 0: fixture webhooks in, REST view out.

#include "testsupport.h"

#include "core/webhookauth.h"

#include <QDir>
#include <QTcpSocket>
#include <QTest>
#include <QUrl>

#include <algorithm>
#include <cmath>
#include <random>

using namespace cbtest;
using cb::Json;

class TestServerApi : public QObject
{
    Q_OBJECT

private:
    static QStringList scenarioFiles(const QString &provider, const QString &scenario);
    static Json findCall(ServerProcess &server, const QByteArray &token,
                         const QString &providerCallId);
    static Json comparable(Json call);

    std::unique_ptr<ServerProcess> m_server;
    QByteArray m_admin;

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void fixturesProduceTheExpectedCall_data();
    void fixturesProduceTheExpectedCall();
    void anyOrderAndDuplicatesEndInTheSameRow();
    void unroutedIsRoutedOnceTheAgentIsRegistered();
    void markFailedAndDelete();
    void loginAndLogout();
    void badInputIsRefusedAndNothingIsStored();
    void keepAliveAndPipelining();
    void helpDocumentsEveryOption();
};

QStringList TestServerApi::scenarioFiles(const QString &provider, const QString &scenario)
{
    QDir dir(QStringLiteral(CALLBOARD_TEST_DATA "/") + provider + u'/' + scenario);
    QStringList files = dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
    files.removeAll(QStringLiteral("expected.json"));
    for (QString &file : files)
        file = provider + u'/' + scenario + u'/' + file;
    return files;
}

Json TestServerApi::findCall(ServerProcess &server, const QByteArray &token,
                             const QString &providerCallId)
{
    const HttpResult r = server.get("/api/orgs/org-acme/calls?include_test=true&limit=10&q=" +
                                        QUrl::toPercentEncoding(providerCallId),
                                    token);
    if (r.status != 200)
        return Json();
    const Json page = r.json();
    for (const Json &call : page["calls"]) {
        if (call.value("provider_call_id", std::string()) == providerCallId.toStdString())
            return call;
    }
    return Json();
}

Json TestServerApi::comparable(Json call)
{
    for (const char *key : {"id", "seq", "updated_at"})
        call.erase(key);
    return call;
}

void TestServerApi::initTestCase()
{
    m_server = std::make_unique<ServerProcess>(QStringList{QStringLiteral("--demo")});
    QString error;
    QVERIFY2(m_server->start(&error), qPrintable(error));
    m_admin = m_server->login(QStringLiteral("admin@demo"));
    QVERIFY(!m_admin.isEmpty());
}

void TestServerApi::cleanupTestCase()
{
    m_server.reset();
}

void TestServerApi::fixturesProduceTheExpectedCall_data()
{
    QTest::addColumn<QString>("provider");
    QTest::addColumn<QString>("scenario");
    for (const char *provider : {"bolna", "vapi", "retell"}) {
        for (const char *scenario : {"answered", "busy", "failed", "no_answer", "voicemail"}) {
            if (!scenarioFiles(QString::fromLatin1(provider), QString::fromLatin1(scenario))
                     .isEmpty())
                QTest::addRow("%s/%s", provider, scenario)
                    << QString::fromLatin1(provider) << QString::fromLatin1(scenario);
        }
    }
}

void TestServerApi::fixturesProduceTheExpectedCall()
{
    QFETCH(QString, provider);
    QFETCH(QString, scenario);
    const Json expected = Json::parse(
        fixture(provider + u'/' + scenario + QStringLiteral("/expected.json")).toStdString(),
        nullptr, false);
    QVERIFY(expected.is_object());
    const qint64 seqBefore =
        m_server->get("/api/orgs/org-acme/calls?limit=1", m_admin).json().value("last_seq", 0LL);

    int applied = 0;
    for (const QString &file : scenarioFiles(provider, scenario)) {
        const HttpResult r = postWebhook(m_server->port(), provider.toLatin1(), fixture(file));
        QVERIFY2(r.status == 200, qPrintable(file + u' ' + QString::fromUtf8(r.body)));
        const std::string outcome = r.json().value("outcome", std::string());
        QVERIFY2(outcome == "applied" || outcome == "unchanged" || outcome == "ignored",
                 outcome.c_str());
        applied += outcome == "applied";
        // A second delivery of the same message changes nothing.
        const HttpResult again = postWebhook(m_server->port(), provider.toLatin1(), fixture(file));
        QCOMPARE(again.status, 200);
        const std::string second = again.json().value("outcome", std::string());
        QVERIFY2(second == "duplicate" || second == "ignored", second.c_str());
    }
    const Json call =
        findCall(*m_server, m_admin,
                 QString::fromStdString(expected["provider_call_id"].get<std::string>()));
    QVERIFY2(call.is_object(), "the call is not listed");
    for (const char *key :
         {"provider", "provider_call_id", "status", "raw_status", "end_reason", "finalized",
          "voicemail", "is_test", "direction", "to_number", "from_number", "duration_s",
          "cost_cents", "recording_url", "summary", "ended_at", "created_at"}) {
        if (!expected.contains(key))
            continue;
        const bool same = call[key].is_number() && expected[key].is_number()
            ? std::abs(call[key].get<double>() - expected[key].get<double>()) < 1e-6
            : call[key] == expected[key];
        QVERIFY2(
            same,
            qPrintable(QStringLiteral("%1: got %2, expected %3")
                           .arg(QLatin1StringView(key), QString::fromStdString(call[key].dump()),
                                QString::fromStdString(expected[key].dump()))));
    }
    const qint64 seqAfter =
        m_server->get("/api/orgs/org-acme/calls?limit=1", m_admin).json().value("last_seq", 0LL);
    QCOMPARE(seqAfter - seqBefore, qint64(applied));
    QCOMPARE(call["seq"].get<qint64>(), seqAfter);

    const HttpResult detail = m_server->get(
        "/api/orgs/org-acme/calls/" + QByteArray::fromStdString(call["id"].get<std::string>()),
        m_admin);
    QCOMPARE(detail.status, 200);
    QVERIFY(detail.json()["events"].size() >= size_t(applied));
    if (expected.contains("transcript") && expected["transcript"].is_string())
        QVERIFY(jsonEquals(detail.json()["call"]["transcript"], Json(expected["transcript"])));
}

void TestServerApi::anyOrderAndDuplicatesEndInTheSameRow()
{
    const Json inOrder =
        findCall(*m_server, m_admin, QStringLiteral("6c972873-19b2-44b0-a6bf-d4f690a7a9cf"));
    QVERIFY2(inOrder.is_object(), "run after the fixture test");

    ServerProcess other({QStringLiteral("--demo")});
    QString error;
    QVERIFY2(other.start(&error), qPrintable(error));
    const QByteArray token = other.login(QStringLiteral("admin@demo"));
    QStringList files = scenarioFiles(QStringLiteral("bolna"), QStringLiteral("answered"));
    files += files;
    std::mt19937 random(7);
    std::shuffle(files.begin(), files.end(), random);
    int applied = 0;
    for (const QString &file : std::as_const(files)) {
        const HttpResult r = postWebhook(other.port(), "bolna", fixture(file));
        QCOMPARE(r.status, 200);
        applied += r.json().value("outcome", std::string()) == "applied";
    }
    const Json shuffled =
        findCall(other, token, QStringLiteral("6c972873-19b2-44b0-a6bf-d4f690a7a9cf"));
    QCOMPARE(QString::fromStdString(comparable(shuffled).dump()),
             QString::fromStdString(comparable(inOrder).dump()));
    QCOMPARE(shuffled["seq"].get<int>(), applied);
}

void TestServerApi::unroutedIsRoutedOnceTheAgentIsRegistered()
{
    ServerProcess server({QStringLiteral("--demo"), QStringLiteral("--bolna-webhook-secret"),
                          QStringLiteral("server-wide")});
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    const QByteArray token = server.login(QStringLiteral("admin@demo"));

    Json body = Json::parse(fixture(QStringLiteral("bolna/busy/03-busy.json")).toStdString());
    body["id"] = "unrouted-call-1";
    body["agent_id"] = "agent-registered-later";
    body.erase("context_details");
    const QByteArray bytes = cb::toBytes(body);
    const Headers auth{{"x-callboard-token", "server-wide"}};
    HttpResult r = http(server.port(), "POST", webhookPath("bolna"), bytes, auth);
    QCOMPARE(r.status, 200);
    QVERIFY(jsonEquals(r.json()["outcome"], Json("unrouted")));
    r = http(server.port(), "POST", webhookPath("bolna"), bytes, auth);
    QVERIFY(jsonEquals(r.json()["outcome"], Json("duplicate")));
    QVERIFY(findCall(server, token, QStringLiteral("unrouted-call-1")).is_null());

    QByteArray out;
    QCOMPARE(runAdmin(server.dataDir(), {QStringLiteral("list"), QStringLiteral("unrouted")}, &out),
             0);
    QVERIFY(out.contains("unrouted-call-1"));
    QCOMPARE(
        runAdmin(server.dataDir(),
                 {QStringLiteral("create-agent"), QStringLiteral("--org"),
                  QStringLiteral("org-acme"), QStringLiteral("--provider"), QStringLiteral("bolna"),
                  QStringLiteral("--provider-agent-id"), QStringLiteral("agent-registered-later"),
                  QStringLiteral("--name"), QStringLiteral("Late")},
                 &out),
        0);
    QTRY_VERIFY_WITH_TIMEOUT(findCall(server, token, QStringLiteral("unrouted-call-1")).is_object(),
                             10000);
    const Json call = findCall(server, token, QStringLiteral("unrouted-call-1"));
    QVERIFY(jsonEquals(call["status"], Json("busy")));
    QVERIFY(!call["agent_id"].is_null());
    QCOMPARE(runAdmin(server.dataDir(), {QStringLiteral("list"), QStringLiteral("unrouted")}, &out),
             0);
    QCOMPARE(out.trimmed(), QByteArray("[]"));
}

void TestServerApi::markFailedAndDelete()
{
    Json body =
        Json::parse(fixture(QStringLiteral("bolna/answered/02-ringing.json")).toStdString());
    body["id"] = "stuck-call";
    QCOMPARE(postWebhook(m_server->port(), "bolna", cb::toBytes(body)).status, 200);
    const Json call = findCall(*m_server, m_admin, QStringLiteral("stuck-call"));
    QVERIFY(call.is_object());
    const std::string id = call["id"].get<std::string>();

    const QByteArray staff = m_server->login(QStringLiteral("staff@demo"));
    HttpResult r =
        m_server->post("/api/orgs/org-acme/calls/mark-failed", Json{{"ids", {id}}}, staff);
    QCOMPARE(r.status, 403);
    r = m_server->post("/api/orgs/org-acme/calls/mark-failed", Json{{"ids", {id, "no-such-call"}}},
                       m_admin);
    QCOMPARE(r.status, 200);
    const Json results = r.json()["results"];
    QCOMPARE(results.size(), size_t(2));
    QVERIFY(jsonEquals(results[0]["ok"], Json(true)));
    QVERIFY(jsonEquals(results[1]["ok"], Json(false)));
    QVERIFY(jsonEquals(results[1]["error"]["code"], Json("not_found")));
    const qint64 seq = results[0]["seq"].get<qint64>();

    r = m_server->get("/api/orgs/org-acme/calls/" + QByteArray::fromStdString(id), m_admin);
    QVERIFY(jsonEquals(r.json()["call"]["status"], Json("failed")));
    QVERIFY(jsonEquals(r.json()["call"]["end_reason"], Json("operator_marked_failed")));
    QVERIFY(jsonEquals(r.json()["events"].back()["source"], Json("operator")));

    r = http(m_server->port(), "DELETE",
             "/api/orgs/org-acme/calls/" + QByteArray::fromStdString(id), {},
             {{"Authorization", "Bearer " + m_admin}});
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json()["seq"].get<qint64>(), seq + 1);
    r = m_server->get("/api/orgs/org-acme/calls/" + QByteArray::fromStdString(id), m_admin);
    QCOMPARE(r.status, 404);
    r = m_server->get("/api/orgs/org-acme/calls?since_seq=" + QByteArray::number(seq), m_admin);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json()["deleted"].size(), size_t(1));
    QVERIFY(jsonEquals(r.json()["deleted"][0]["call_id"], Json(id)));
    QCOMPARE(r.json()["last_seq"].get<qint64>(), seq + 1);
}

void TestServerApi::loginAndLogout()
{
    HttpResult r = http(m_server->port(), "POST", "/api/auth/login",
                        cb::toBytes(Json{{"email", "admin@demo"}, {"password", "wrong password"}}));
    QCOMPARE(r.status, 401);
    QVERIFY(jsonEquals(r.json()["error"]["code"], Json("invalid_credentials")));
    r = http(m_server->port(), "POST", "/api/auth/login",
             cb::toBytes(Json{{"email", "nobody@demo"}, {"password", "x"}}));
    QCOMPARE(r.status, 401);
    r = http(m_server->port(), "POST", "/api/auth/login",
             cb::toBytes(Json{{"email", "viewer@demo"}, {"password", "callboard-demo"}}));
    QCOMPARE(r.status, 200);
    const Json login = r.json();
    QCOMPARE(login["orgs"].size(), size_t(1));
    QVERIFY(jsonEquals(login["orgs"][0]["id"], Json("org-acme")));
    QVERIFY(jsonEquals(login["orgs"][0]["role"], Json("viewer")));
    const QByteArray token = QByteArray::fromStdString(login["token"].get<std::string>());
    QVERIFY(token.size() >= 43);
    QCOMPARE(m_server->get("/api/orgs/org-acme/agents", token).status, 200);
    QVERIFY(jsonEquals(m_server->get("/api/auth/me", token).json()["user"]["email"],
                       Json("viewer@demo")));
    r = http(m_server->port(), "POST", "/api/auth/logout", {},
             {{"Authorization", "Bearer " + token}});
    QCOMPARE(r.status, 204);
    QCOMPARE(m_server->get("/api/orgs/org-acme/agents", token).status, 401);
    QVERIFY(!m_server->logs().contains(token));
    QVERIFY(!m_server->logs().contains("callboard-demo"));
}

void TestServerApi::badInputIsRefusedAndNothingIsStored()
{
    const quint16 port = m_server->port();
    const qint64 seqBefore =
        m_server->get("/api/orgs/org-acme/calls?limit=1", m_admin).json()["last_seq"].get<qint64>();
    const QByteArray good = fixture(QStringLiteral("bolna/answered/02-ringing.json"));
    const auto post = [port](const QByteArray &provider, const QByteArray &body) {
        return postWebhook(port, provider, body);
    };

    QByteArray huge = "{\"id\":\"x\",\"pad\":\"" + QByteArray(1024 * 1024, 'a') + "\"}";
    QCOMPARE(post("bolna", huge).status, 413);
    QByteArray deep = QByteArray(100, '[') + QByteArray(100, ']');
    QCOMPARE(post("bolna", deep).status, 400);
    QByteArray deepObject;
    for (int i = 0; i < 200; ++i)
        deepObject += "{\"a\":";
    deepObject += "1" + QByteArray(200, '}');
    QCOMPARE(post("vapi", deepObject).status, 400);
    QCOMPARE(post("bolna", "{not json").status, 400);
    QCOMPARE(post("retell", "").status, 400);
    QCOMPARE(post("bolna", "[1,2,3]").status, 400);
    QCOMPARE(post("bolna", R"({"id":{"nested":true},"status":"ringing"})").status, 400);
    QCOMPARE(post("bolna", R"({"status":"ringing"})").status, 400);
    QCOMPARE(post("vapi", R"({"message":{"type":"status-update","status":"ringing"}})").status,
             400);
    QCOMPARE(post("retell", R"({"event":"call_started","call":{}})").status, 400);
    Json unknown = Json::parse(good.toStdString());
    unknown["id"] = "unknown-status-call";
    unknown["status"] = "teleported";
    HttpResult r = post("bolna", cb::toBytes(unknown));
    QCOMPARE(r.status, 422);
    QVERIFY(jsonEquals(r.json()["error"]["code"], Json("unknown_status")));

    // Bad credentials, for each provider.
    QCOMPARE(http(port, "POST", webhookPath("bolna"), good).status, 401);
    QCOMPARE(
        http(port, "POST", webhookPath("bolna"), good, {{"x-callboard-token", "guess"}}).status,
        401);
    QCOMPARE(http(port, "POST", webhookPath("vapi"), good, {{"x-vapi-secret", "guess"}}).status,
             401);
    QCOMPARE(http(port, "POST", webhookPath("retell"), good,
                  {{"x-retell-signature",
                    cb::signRetell(good, "wrong-key", QDateTime::currentDateTimeUtc())}})
                 .status,
             401);
    QCOMPARE(http(port, "POST", webhookPath("retell"), good,
                  {{"x-retell-signature",
                    cb::signRetell(good, "demo-retell-key",
                                   QDateTime::currentDateTimeUtc().addSecs(-3600))}})
                 .status,
             401);
    // A signature over other bytes than the ones sent.
    const QByteArray signedFor = demoWebhookHeaders("retell", good).first().second;
    QCOMPARE(
        http(port, "POST", webhookPath("retell"), good + " ", {{"x-retell-signature", signedFor}})
            .status,
        401);

    // Hostile or malformed REST parameters.
    const QList<QByteArray> sqlish = {
        "%27%20OR%201%3D1%20--",      "%27%3B%20DROP%20TABLE%20calls%3B%20--", "%25", "_", "%5C",
        "%22)%20OR%20(%221%22%3D%221"};
    for (const QByteArray &text : sqlish) {
        for (const char *param : {"q", "agent"}) {
            r = m_server->get("/api/orgs/org-acme/calls?" + QByteArray(param) + '=' + text,
                              m_admin);
            QCOMPARE(r.status, 200);
            QVERIFY2(r.json()["calls"].empty(), text.constData());
        }
        for (const char *param : {"status", "provider", "direction", "include_test", "from", "to",
                                  "limit", "cursor", "since_seq"}) {
            r = m_server->get("/api/orgs/org-acme/calls?" + QByteArray(param) + '=' + text,
                              m_admin);
            QVERIFY2(r.status == 400, param);
            QCOMPARE(r.json()["error"]["code"].is_string(), true);
        }
        r = m_server->get("/api/orgs/" + text + "/calls", m_admin);
        QCOMPARE(r.status, 403);
    }
    QCOMPARE(m_server->get("/api/orgs/org-acme/calls?limit=501", m_admin).status, 400);
    QCOMPARE(m_server->get("/api/orgs/org-acme/calls?q=" + QByteArray(101, 'a'), m_admin).status,
             400);
    QCOMPARE(
        m_server->post("/api/orgs/org-acme/calls/mark-failed", Json{{"ids", "not-a-list"}}, m_admin)
            .status,
        400);
    QCOMPARE(m_server->post("/api/orgs/org-acme/calls/mark-failed", Json{{"ids", {1, 2}}}, m_admin)
                 .status,
             400);
    QCOMPARE(http(port, "POST", "/api/auth/login", "{\"email\":").status, 400);
    QCOMPARE(http(port, "POST", "/api/auth/login", R"({"email":1,"password":[]})").status, 400);
    QCOMPARE(http(port, "GET", "/api/nowhere").status, 404);
    QCOMPARE(http(port, "PUT", "/api/auth/login").status, 405);

    // Garbage on the wire.
    QCOMPARE(http(port, "GET", "no-slash").status, 400);
    QCOMPARE(http(port, "GET", "/healthz", {}, {{"Content-Length", "-1"}}).status, 400);
    QCOMPARE(http(port, "GET", "/healthz", {}, {{"X-Big", QByteArray(20000, 'x')}}).status, 431);
    QCOMPARE(
        http(port, "PATCH", webhookPath("bolna"), {}, {{"Content-Length", "99999999999"}}).status,
        413);

    const qint64 seqAfter =
        m_server->get("/api/orgs/org-acme/calls?limit=1", m_admin).json()["last_seq"].get<qint64>();
    QCOMPARE(seqAfter, seqBefore);
    QVERIFY(findCall(*m_server, m_admin, QStringLiteral("unknown-status-call")).is_null());
    QByteArray out;
    QCOMPARE(
        runAdmin(m_server->dataDir(), {QStringLiteral("list"), QStringLiteral("unrouted")}, &out),
        0);
    QCOMPARE(out.trimmed(), QByteArray("[]"));
    QCOMPARE(http(port, "GET", "/healthz").status, 200);
    QCOMPARE(http(port, "GET", "/readyz").status, 200);
}

void TestServerApi::keepAliveAndPipelining()
{
    HttpConnection connection(m_server->port());
    for (int i = 0; i < 20; ++i)
        QCOMPARE(connection.request("GET", "/healthz").status, 200);

    // Two requests in one write are answered in order on the same connection.
    QTcpSocket socket;
    socket.connectToHost(QStringLiteral("127.0.0.1"), m_server->port());
    QVERIFY(socket.waitForConnected(5000));
    socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /nowhere HTTP/1.1\r\nHost: "
                 "x\r\nConnection: close\r\n\r\n");
    QByteArray all;
    while (socket.waitForReadyRead(5000))
        all += socket.readAll();
    all += socket.readAll();
    QVERIFY(all.startsWith("HTTP/1.1 200"));
    QVERIFY(all.indexOf("HTTP/1.1 404") > 0);

    // A chunked body is accepted.
    QTcpSocket chunked;
    chunked.connectToHost(QStringLiteral("127.0.0.1"), m_server->port());
    QVERIFY(chunked.waitForConnected(5000));
    chunked.write("POST /api/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
                  "chunked\r\nConnection: close\r\n\r\n"
                  "d\r\n{\"email\":\"a\",\r\ne;ext=1\r\n\"password\":\"\"}\r\n0\r\n\r\n");
    QByteArray reply;
    while (chunked.waitForReadyRead(5000))
        reply += chunked.readAll();
    QVERIFY2(reply.startsWith("HTTP/1.1 400"), reply.constData());
    QVERIFY(reply.contains("invalid_body"));
}

void TestServerApi::helpDocumentsEveryOption()
{
    QProcess process;
    process.start(QStringLiteral(CALLBOARD_BIN_DIR "/callboard-server"),
                  {QStringLiteral("--help")});
    QVERIFY(process.waitForFinished(10000));
    const QByteArray help = process.readAllStandardOutput();
    for (const char *option :
         {"--data", "--db", "--listen", "--demo", "--token-ttl", "--sqlite-sync",
          "--bolna-webhook-secret", "--vapi-webhook-secret", "--retell-webhook-key",
          "CALLBOARD_DATA", "CALLBOARD_DB", "CALLBOARD_LISTEN"})
        QVERIFY2(help.contains(option), option);
}

QTEST_GUILESS_MAIN(TestServerApi)
#include "tst_serverapi.moc"
