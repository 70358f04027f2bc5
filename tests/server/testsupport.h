#pragma once

#include "core/json.h"

#include <QByteArray>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>
#include <utility>

namespace cbtest {

using Headers = QList<std::pair<QByteArray, QByteArray>>;

/// One HTTP exchange, as seen by the client.
struct HttpResult
{
    int status = 0; ///< 0 when the connection failed
    QByteArray body;
    Headers headers;
    cb::Json json() const;
};

/// A blocking HTTP/1.1 request on a fresh connection (Connection: close). Works in any thread.
HttpResult http(quint16 port, const QByteArray &method, const QByteArray &target,
                const QByteArray &body = {}, const Headers &headers = {}, int timeoutMs = 15000);

/// A keep-alive connection for many requests in a row (one thread).
class HttpConnection
{
public:
    explicit HttpConnection(quint16 port);
    ~HttpConnection();
    HttpResult request(const QByteArray &method, const QByteArray &target,
                       const QByteArray &body = {}, const Headers &headers = {},
                       int timeoutMs = 15000);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

/// The real callboard-server binary, started on 127.0.0.1 port 0 with a temporary data
/// directory (or the one given), stopped with SIGTERM at destruction. "--demo" among the
/// arguments seeds the demo data (`admin seed-demo`) but leaves the simulated traffic out.
class ServerProcess
{
public:
    explicit ServerProcess(QStringList arguments = {}, QString dataDir = {});
    ~ServerProcess();

    /// Starts and waits for the "listening on" line; false (with the output in @p error) otherwise.
    bool start(QString *error = nullptr);
    void terminate();
    void kill();
    quint16 port() const { return m_port; }
    QString dataDir() const { return m_dataDir; }
    QProcess &process() { return m_process; }
    /// Everything the process wrote to stderr so far.
    QByteArray logs();

    /// Logs in and returns the token.
    QByteArray login(const QString &email,
                     const QString &password = QStringLiteral("callboard-demo"));
    HttpResult get(const QByteArray &target, const QByteArray &token);
    HttpResult post(const QByteArray &target, const cb::Json &body, const QByteArray &token);

private:
    QStringList m_arguments;
    std::unique_ptr<QTemporaryDir> m_tempDir;
    QString m_dataDir;
    QProcess m_process;
    QByteArray m_stderr;
    quint16 m_port = 0;
};

/// Runs `callboard-server admin …` against @p dataDir; returns the exit code, stdout in @p out.
int runAdmin(const QString &dataDir, const QStringList &arguments, QByteArray *out = nullptr);

/// Reads a fixture file under tests/data.
QByteArray fixture(const QString &relativePath);

/// Equality of JSON values, printing both when they differ.
bool jsonEquals(const cb::Json &actual, const cb::Json &expected);

/// The headers that authenticate @p body as the demo org's webhook of @p provider.
Headers demoWebhookHeaders(const QByteArray &provider, const QByteArray &body);

/// Posts a webhook body for @p provider ("bolna", "vapi", "retell") signed as the demo org.
HttpResult postWebhook(quint16 port, const QByteArray &provider, const QByteArray &body);
QByteArray webhookPath(const QByteArray &provider);

} // namespace cbtest
