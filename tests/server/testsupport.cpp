#include "testsupport.h"

#include "core/webhookauth.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTcpSocket>
#include <QThread>

namespace cbtest {

cb::Json HttpResult::json() const
{
    return cb::Json::parse(body.constData(), body.constData() + body.size(), nullptr, false);
}

namespace {

QByteArray requestBytes(const QByteArray &method, const QByteArray &target, const QByteArray &body,
                        const Headers &headers, bool close)
{
    QByteArray out = method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (close)
        out += "Connection: close\r\n";
    bool haveType = false;
    for (const auto &[name, value] : headers) {
        out += name + ": " + value + "\r\n";
        haveType = haveType || name.toLower() == "content-type";
    }
    if (!body.isEmpty() && !haveType)
        out += "Content-Type: application/json\r\n";
    if (!body.isEmpty() || method == "POST" || method == "PUT")
        out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    out += "\r\n";
    out += body;
    return out;
}

/// Reads one response from @p socket; false on timeout or a broken response.
bool readResponse(QTcpSocket &socket, QByteArray &buffer, HttpResult &result, int timeoutMs,
                  bool untilClose)
{
    QElapsedTimer clock;
    clock.start();
    qsizetype headEnd = -1;
    qint64 length = -1;
    for (;;) {
        if (headEnd < 0) {
            headEnd = buffer.indexOf("\r\n\r\n");
            if (headEnd >= 0) {
                const QList<QByteArray> lines = buffer.left(headEnd).split('\n');
                const QList<QByteArray> statusLine = lines.value(0).trimmed().split(' ');
                result.status = statusLine.value(1).toInt();
                for (qsizetype i = 1; i < lines.size(); ++i) {
                    const QByteArray line = lines.at(i).trimmed();
                    const qsizetype colon = line.indexOf(':');
                    if (colon > 0) {
                        result.headers.append(
                            {line.left(colon).toLower(), line.mid(colon + 1).trimmed()});
                        if (line.left(colon).toLower() == "content-length")
                            length = line.mid(colon + 1).trimmed().toLongLong();
                    }
                }
                if (result.status == 204)
                    length = 0;
            }
        }
        if (headEnd >= 0 && length >= 0 && buffer.size() >= headEnd + 4 + length) {
            result.body = buffer.mid(headEnd + 4, length);
            buffer.remove(0, headEnd + 4 + length);
            return true;
        }
        if (clock.elapsed() > timeoutMs)
            return false;
        if (socket.state() != QAbstractSocket::ConnectedState && socket.bytesAvailable() == 0) {
            if (headEnd >= 0 && untilClose) {
                result.body = buffer.mid(headEnd + 4);
                return true;
            }
            return false;
        }
        if (socket.waitForReadyRead(100) || socket.bytesAvailable() > 0)
            buffer += socket.readAll();
    }
}

} // namespace

HttpResult http(quint16 port, const QByteArray &method, const QByteArray &target,
                const QByteArray &body, const Headers &headers, int timeoutMs)
{
    HttpResult result;
    QTcpSocket socket;
    socket.connectToHost(QStringLiteral("127.0.0.1"), port);
    if (!socket.waitForConnected(timeoutMs))
        return result;
    socket.write(requestBytes(method, target, body, headers, true));
    socket.waitForBytesWritten(timeoutMs);
    QByteArray buffer;
    if (!readResponse(socket, buffer, result, timeoutMs, true))
        result.status = result.status ? result.status : 0;
    return result;
}

struct HttpConnection::Private
{
    quint16 port = 0;
    QTcpSocket socket;
    QByteArray buffer;
};

HttpConnection::HttpConnection(quint16 port) : d(std::make_unique<Private>())
{
    d->port = port;
}

HttpConnection::~HttpConnection() = default;

HttpResult HttpConnection::request(const QByteArray &method, const QByteArray &target,
                                   const QByteArray &body, const Headers &headers, int timeoutMs)
{
    HttpResult result;
    if (d->socket.state() != QAbstractSocket::ConnectedState) {
        d->socket.abort();
        d->buffer.clear();
        d->socket.connectToHost(QStringLiteral("127.0.0.1"), d->port);
        if (!d->socket.waitForConnected(timeoutMs))
            return result;
    }
    d->socket.write(requestBytes(method, target, body, headers, false));
    if (!d->socket.waitForBytesWritten(timeoutMs) ||
        !readResponse(d->socket, d->buffer, result, timeoutMs, false)) {
        d->socket.abort();
        return HttpResult{};
    }
    return result;
}

ServerProcess::ServerProcess(QStringList arguments, QString dataDir)
    : m_arguments(std::move(arguments)), m_dataDir(std::move(dataDir))
{
    if (m_dataDir.isEmpty()) {
        m_tempDir = std::make_unique<QTemporaryDir>();
        m_dataDir = m_tempDir->path();
    }
}

ServerProcess::~ServerProcess()
{
    terminate();
}

bool ServerProcess::start(QString *error)
{
    // The demo data without --demo's simulated traffic, so tests see only their own calls.
    if (m_arguments.removeAll(QStringLiteral("--demo")) > 0) {
        QByteArray out;
        if (runAdmin(m_dataDir, {QStringLiteral("seed-demo")}, &out) != 0) {
            if (error)
                *error = QStringLiteral("seeding the demo data failed");
            return false;
        }
    }
    QStringList arguments{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")};
    if (!m_arguments.contains(QStringLiteral("--db")))
        arguments << QStringLiteral("--data") << m_dataDir;
    arguments += m_arguments;
    m_process.setProgram(QStringLiteral(CALLBOARD_BIN_DIR "/callboard-server"));
    m_process.setArguments(arguments);
    m_process.start();
    if (!m_process.waitForStarted(10000)) {
        if (error)
            *error = m_process.errorString();
        return false;
    }
    QByteArray out;
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < 30000) {
        m_process.waitForReadyRead(100);
        out += m_process.readAllStandardOutput();
        m_stderr += m_process.readAllStandardError();
        const qsizetype at = out.indexOf("listening on http://127.0.0.1:");
        if (at >= 0 && out.indexOf('\n', at) > 0) {
            const QByteArray line = out.mid(at, out.indexOf('\n', at) - at);
            m_port = quint16(line.mid(line.lastIndexOf(':') + 1).toUInt());
            return m_port != 0;
        }
        if (m_process.state() == QProcess::NotRunning)
            break;
    }
    if (error)
        *error = QString::fromUtf8(out + m_stderr + m_process.readAllStandardError());
    return false;
}

QByteArray ServerProcess::logs()
{
    m_stderr += m_process.readAllStandardError();
    return m_stderr;
}

void ServerProcess::terminate()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.terminate();
    if (!m_process.waitForFinished(10000)) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

void ServerProcess::kill()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.kill();
    m_process.waitForFinished(5000);
}

QByteArray ServerProcess::login(const QString &email, const QString &password)
{
    const cb::Json body{{"email", email}, {"password", password}};
    const HttpResult r = http(m_port, "POST", "/api/auth/login", cb::toBytes(body));
    if (r.status != 200)
        return {};
    return QByteArray::fromStdString(r.json().value("token", std::string()));
}

HttpResult ServerProcess::get(const QByteArray &target, const QByteArray &token)
{
    Headers headers;
    if (!token.isEmpty())
        headers.append({"Authorization", "Bearer " + token});
    return http(m_port, "GET", target, {}, headers);
}

HttpResult ServerProcess::post(const QByteArray &target, const cb::Json &body,
                               const QByteArray &token)
{
    Headers headers;
    if (!token.isEmpty())
        headers.append({"Authorization", "Bearer " + token});
    return http(m_port, "POST", target, cb::toBytes(body), headers);
}

int runAdmin(const QString &dataDir, const QStringList &arguments, QByteArray *out)
{
    QProcess process;
    process.setProgram(QStringLiteral(CALLBOARD_BIN_DIR "/callboard-server"));
    process.setArguments(QStringList{QStringLiteral("admin")} + arguments +
                         QStringList{QStringLiteral("--data"), dataDir});
    process.start();
    if (!process.waitForFinished(30000))
        return -1;
    if (out)
        *out = process.readAllStandardOutput();
    return process.exitCode();
}

bool jsonEquals(const cb::Json &actual, const cb::Json &expected)
{
    if (actual == expected)
        return true;
    qWarning("got %s, expected %s", actual.dump().c_str(), expected.dump().c_str());
    return false;
}

QByteArray fixture(const QString &relativePath)
{
    QFile file(QStringLiteral(CALLBOARD_TEST_DATA "/") + relativePath);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

QByteArray webhookPath(const QByteArray &provider)
{
    if (provider == "bolna")
        return "/api/webhooks/bolna/call-status";
    return "/api/webhooks/" + provider;
}

Headers demoWebhookHeaders(const QByteArray &provider, const QByteArray &body)
{
    if (provider == "bolna")
        return {{"x-callboard-token", "demo-bolna-token"}};
    if (provider == "vapi")
        return {{"x-vapi-secret", "demo-vapi-secret"}};
    return {{"x-retell-signature",
             cb::signRetell(body, "demo-retell-key", QDateTime::currentDateTimeUtc())}};
}

HttpResult postWebhook(quint16 port, const QByteArray &provider, const QByteArray &body)
{
    return http(port, "POST", webhookPath(provider), body, demoWebhookHeaders(provider, body));
}

} // namespace cbtest
