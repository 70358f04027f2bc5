// Server limits against the real callboard-server binary: per-address webhook and
// per-token REST rate limits (429 + Retry-After), idle connections closed, a request head
// that never ends answered 408, an oversized head 431, an oversized body 413 before it
// is read, and bad limit flags refused.
#include "testsupport.h"

#include <QProcess>
#include <QTcpSocket>
#include <QTest>
#include <QUuid>

using namespace cbtest;
using cb::Json;

namespace {

QByteArray vapiWebhook()
{
    Json body = Json::parse(
        fixture(QStringLiteral("vapi/answered/02-status-update-in-progress.json")).toStdString());
    body["message"]["call"]["id"] =
        QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString();
    return cb::toBytes(body);
}

QByteArray headerValue(const HttpResult &result, const QByteArray &name)
{
    for (const auto &[key, value] : result.headers) {
        if (key == name)
            return value;
    }
    return {};
}

/// Checks a 429 answer: Retry-After in whole seconds ≥ 1 and the JSON error shape.
int checkRateLimited(const HttpResult &result)
{
    if (result.status != 429)
        return -1;
    bool ok = false;
    const int retryAfter = headerValue(result, "retry-after").toInt(&ok);
    const Json body = result.json();
    if (!ok || retryAfter < 1 || !body.is_object() || !body.contains("error") ||
        body["error"].value("code", std::string()) != "rate_limited" ||
        body["error"].value("message", std::string()).empty())
        return -1;
    return retryAfter;
}

/// Reads from @p socket until it is closed by the server; false if it stays open.
bool readUntilClosed(QTcpSocket &socket, QByteArray &received, int timeoutMs)
{
    const bool closed = QTest::qWaitFor(
        [&] {
            received += socket.readAll();
            return socket.state() == QAbstractSocket::UnconnectedState;
        },
        timeoutMs);
    received += socket.readAll();
    return closed;
}

} // namespace

class TestLimits : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void webhooksAreRateLimitedPerAddress();
    void restIsRateLimitedPerToken();
    void loopbackIsExemptByDefault();
    void proxiedClientsAreLimitedByForwardedAddress();
    void idleConnectionIsClosed();
    void slowHeadGets408();
    void oversizedHeadGets431();
    void oversizedBodyGets413BeforeItIsRead();
    void badLimitFlagsAreRefused();
};

void TestLimits::webhooksAreRateLimitedPerAddress()
{
    // One request a second, a burst of two: slow enough that a loaded machine still hammers.
    ServerProcess server({QStringLiteral("--demo"), QStringLiteral("--webhook-rate"),
                          QStringLiteral("1"), QStringLiteral("--rate-limit-loopback")});
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));

    // The burst (twice the rate) goes through; hammering on gets 429.
    for (int i = 0; i < 2; ++i)
        QCOMPARE(postWebhook(server.port(), "vapi", vapiWebhook()).status, 200);
    int retryAfter = -1;
    for (int i = 0; i < 50 && retryAfter < 0; ++i) {
        const HttpResult r = postWebhook(server.port(), "vapi", vapiWebhook());
        QVERIFY2(r.status == 200 || r.status == 429, qPrintable(QString::number(r.status)));
        if (r.status == 429) {
            retryAfter = checkRateLimited(r);
            QVERIFY2(retryAfter >= 1, r.body.constData());
        }
    }
    QVERIFY(retryAfter >= 1);
    // Every webhook route shares the address's bucket; a refused one is not even authenticated.
    QCOMPARE(http(server.port(), "POST", "/api/webhooks/retell", "{}").status, 429);

    // Health checks are never limited.
    for (int i = 0; i < 30; ++i) {
        QCOMPARE(http(server.port(), "GET", "/healthz").status, 200);
        QCOMPARE(http(server.port(), "GET", "/readyz").status, 200);
    }

    QTest::qWait(retryAfter * 1000);
    QCOMPARE(postWebhook(server.port(), "vapi", vapiWebhook()).status, 200);
}

void TestLimits::restIsRateLimitedPerToken()
{
    ServerProcess server({QStringLiteral("--demo"), QStringLiteral("--api-rate"),
                          QStringLiteral("1"), QStringLiteral("--rate-limit-loopback")});
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    const QByteArray first = server.login(QStringLiteral("viewer@demo"));
    const QByteArray second = server.login(QStringLiteral("viewer@demo"));
    QVERIFY(!first.isEmpty() && !second.isEmpty());

    // One keep-alive connection, as a desktop client holds it.
    cbtest::HttpConnection connection(server.port());
    const Headers auth{{"Authorization", "Bearer " + first}};
    for (int i = 0; i < 2; ++i)
        QCOMPARE(connection.request("GET", "/api/orgs/org-acme/calls", {}, auth).status, 200);
    int retryAfter = -1;
    for (int i = 0; i < 50 && retryAfter < 0; ++i) {
        const HttpResult r = connection.request("GET", "/api/orgs/org-acme/calls", {}, auth);
        if (r.status == 429)
            retryAfter = checkRateLimited(r);
        else
            QCOMPARE(r.status, 200);
    }
    QVERIFY(retryAfter >= 1);

    // Another session of the same user, from the same address, has its own bucket.
    QCOMPARE(server.get("/api/orgs/org-acme/calls", second).status, 200);
    // Health checks are never limited.
    QCOMPARE(http(server.port(), "GET", "/healthz").status, 200);

    QTest::qWait(retryAfter * 1000);
    QCOMPARE(connection.request("GET", "/api/orgs/org-acme/calls", {}, auth).status, 200);
}

void TestLimits::loopbackIsExemptByDefault()
{
    ServerProcess server({QStringLiteral("--demo"), QStringLiteral("--webhook-rate"),
                          QStringLiteral("1"), QStringLiteral("--api-rate"), QStringLiteral("1")});
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    const QByteArray token = server.login(QStringLiteral("viewer@demo"));
    QVERIFY(!token.isEmpty());
    for (int i = 0; i < 10; ++i) {
        QCOMPARE(postWebhook(server.port(), "vapi", vapiWebhook()).status, 200);
        QCOMPARE(server.get("/api/orgs/org-acme/calls", token).status, 200);
    }
}

void TestLimits::proxiedClientsAreLimitedByForwardedAddress()
{
    ServerProcess server({QStringLiteral("--demo"), QStringLiteral("--webhook-rate"),
                          QStringLiteral("1"), QStringLiteral("--trust-proxy")});
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    const auto post = [&server](const QByteArray &forwardedFor) {
        const QByteArray body = vapiWebhook();
        Headers headers = demoWebhookHeaders("vapi", body);
        if (!forwardedFor.isEmpty())
            headers.append({"X-Forwarded-For", forwardedFor});
        return http(server.port(), "POST", webhookPath("vapi"), body, headers).status;
    };
    // The proxy appended 203.0.113.5; what the client claimed before it does not count.
    int refused = 0;
    for (int i = 0; i < 50 && refused == 0; ++i) {
        const int status = post("10.9.9." + QByteArray::number(i) + ", 203.0.113.5");
        QVERIFY2(status == 200 || status == 429, qPrintable(QString::number(status)));
        refused += status == 429 ? 1 : 0;
    }
    QCOMPARE(refused, 1);
    // Another forwarded client has its own bucket; the proxy's own requests stay exempt.
    QCOMPARE(post("203.0.113.6"), 200);
    for (int i = 0; i < 5; ++i)
        QCOMPARE(post({}), 200);
}

void TestLimits::idleConnectionIsClosed()
{
    ServerProcess server({QStringLiteral("--idle-timeout"), QStringLiteral("300ms")});
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));

    // A connection that never sends a byte is closed without an answer.
    QTcpSocket silent;
    silent.connectToHost(QStringLiteral("127.0.0.1"), server.port());
    QVERIFY(silent.waitForConnected(5000));
    QByteArray received;
    QVERIFY(readUntilClosed(silent, received, 10000));
    QVERIFY2(received.isEmpty(), received.constData());

    // A keep-alive connection is closed once idle after its request.
    cbtest::HttpConnection keepAlive(server.port());
    QCOMPARE(keepAlive.request("GET", "/healthz").status, 200);
    QTcpSocket idle;
    idle.connectToHost(QStringLiteral("127.0.0.1"), server.port());
    QVERIFY(idle.waitForConnected(5000));
    idle.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    received.clear();
    QVERIFY(readUntilClosed(idle, received, 10000));
    QVERIFY2(received.startsWith("HTTP/1.1 200 "), received.constData());
    QVERIFY(!received.contains("Connection: close"));
}

void TestLimits::slowHeadGets408()
{
    ServerProcess server({QStringLiteral("--header-timeout"), QStringLiteral("500ms")});
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));

    // Slowloris: a head that keeps growing by one field every 100 ms and never ends.
    QTcpSocket socket;
    socket.connectToHost(QStringLiteral("127.0.0.1"), server.port());
    QVERIFY(socket.waitForConnected(5000));
    socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    QByteArray received;
    int fields = 0;
    const bool closed = QTest::qWaitFor(
        [&] {
            if (socket.state() == QAbstractSocket::ConnectedState && fields < 200) {
                socket.write("X-Slow-" + QByteArray::number(fields++) + ": 1\r\n");
                socket.flush();
            }
            QTest::qWait(100);
            received += socket.readAll();
            return socket.state() == QAbstractSocket::UnconnectedState;
        },
        10000);
    received += socket.readAll();
    QVERIFY2(closed, "the server kept a never-ending head open");
    QVERIFY2(received.startsWith("HTTP/1.1 408 "), received.constData());
    QVERIFY(received.contains("\"request_timeout\""));
}

void TestLimits::oversizedHeadGets431()
{
    ServerProcess server({QStringLiteral("--max-header-bytes"), QStringLiteral("4096")});
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));

    const HttpResult fits =
        http(server.port(), "GET", "/healthz", {}, {{"X-Padding", QByteArray(3000, 'a')}});
    QCOMPARE(fits.status, 200);
    const HttpResult tooLarge =
        http(server.port(), "GET", "/healthz", {}, {{"X-Padding", QByteArray(5000, 'a')}});
    QCOMPARE(tooLarge.status, 431);
    QCOMPARE(tooLarge.json()["error"].value("code", std::string()),
             std::string("headers_too_large"));
}

void TestLimits::oversizedBodyGets413BeforeItIsRead()
{
    ServerProcess server;
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));

    // The head announces 2 MB and no body byte follows: the answer must not wait for it.
    QTcpSocket socket;
    socket.connectToHost(QStringLiteral("127.0.0.1"), server.port());
    QVERIFY(socket.waitForConnected(5000));
    socket.write("POST /api/webhooks/vapi HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 "Content-Type: application/json\r\nContent-Length: 2000000\r\n\r\n");
    QByteArray received;
    QVERIFY(readUntilClosed(socket, received, 10000));
    QVERIFY2(received.startsWith("HTTP/1.1 413 "), received.constData());
    QVERIFY(received.contains("\"payload_too_large\""));
}

void TestLimits::badLimitFlagsAreRefused()
{
    const QStringList bad[] = {
        {QStringLiteral("--webhook-rate"), QStringLiteral("fast")},
        {QStringLiteral("--api-rate"), QStringLiteral("-1")},
        {QStringLiteral("--max-ws-per-user"), QStringLiteral("many")},
        {QStringLiteral("--idle-timeout"), QStringLiteral("0")},
        {QStringLiteral("--header-timeout"), QStringLiteral("soon")},
        {QStringLiteral("--max-header-bytes"), QStringLiteral("10")},
    };
    for (const QStringList &arguments : bad) {
        QProcess process;
        process.start(QStringLiteral(CALLBOARD_BIN_DIR "/callboard-server"),
                      arguments +
                          QStringList{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")});
        QVERIFY(process.waitForFinished(10000));
        QCOMPARE(process.exitCode(), 2);
        const QByteArray stderrText = process.readAllStandardError();
        QVERIFY2(stderrText.contains(arguments.first().toUtf8()), stderrText.constData());
    }
}

QTEST_GUILESS_MAIN(TestLimits)
#include "tst_limits.moc"
