#pragma once

// A real callboard-sim and callboard-server as child processes on 127.0.0.1 port 0, and a
// small synchronous REST client for driving them from tests.

#include "core/json.h"

#include <QDir>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <memory>

namespace cbtest {

using cb::Json;

struct HttpResult
{
    int status = 0;
    Json body;
};

/// Blocking JSON requests (with a running event loop) against one base URL.
class Rest
{
public:
    QString token;

    HttpResult send(const QByteArray &verb, const QUrl &url,
                    const std::optional<Json> &body = std::nullopt, int timeoutMs = 15000)
    {
        QNetworkRequest request(url);
        request.setTransferTimeout(timeoutMs);
        if (!token.isEmpty())
            request.setRawHeader("Authorization", "Bearer " + token.toUtf8());
        QByteArray bytes;
        if (body) {
            request.setHeader(QNetworkRequest::ContentTypeHeader,
                              QByteArrayLiteral("application/json"));
            bytes = cb::toBytes(*body);
            if (bytes.isEmpty())
                bytes = "{}";
        }
        QNetworkReply *reply = body ? m_network.sendCustomRequest(request, verb, bytes)
                                    : m_network.sendCustomRequest(request, verb);
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        HttpResult result;
        result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray answer = reply->readAll();
        result.body =
            Json::parse(answer.constData(), answer.constData() + answer.size(), nullptr, false);
        if (result.body.is_discarded())
            result.body = Json();
        reply->deleteLater();
        return result;
    }

private:
    QNetworkAccessManager m_network;
};

/// Starts @p program with @p arguments and waits for its "listening on URL" line.
inline std::unique_ptr<QProcess> startListening(const QString &program,
                                                const QStringList &arguments, QUrl &url)
{
    auto process = std::make_unique<QProcess>();
    process->setProcessChannelMode(QProcess::SeparateChannels);
    process->setProgram(program);
    process->setArguments(arguments);
    process->start();
    if (!process->waitForStarted(10000))
        return nullptr;
    static const QRegularExpression line(QStringLiteral("listening on (http://\\S+)"));
    QByteArray output;
    QDeadlineTimer deadline(20000);
    while (!deadline.hasExpired()) {
        if (!process->waitForReadyRead(200) && process->state() != QProcess::Running)
            break;
        output += process->readAllStandardOutput();
        const auto match = line.match(QString::fromUtf8(output));
        if (match.hasMatch()) {
            url = QUrl(match.captured(1));
            return process;
        }
    }
    qWarning().noquote() << "no listening line from" << program << QString::fromUtf8(output)
                         << QString::fromUtf8(process->readAllStandardError());
    process->kill();
    process->waitForFinished(5000);
    return nullptr;
}

inline void stop(std::unique_ptr<QProcess> &process)
{
    if (!process)
        return;
    process->terminate();
    if (!process->waitForFinished(5000)) {
        process->kill();
        process->waitForFinished(5000);
    }
    process.reset();
}

inline QString binary(const char *name)
{
    return QStringLiteral(CALLBOARD_BIN_DIR "/") + QString::fromLatin1(name);
}

/// The demo data's keys and secrets (server/demoseed.h), which the sim must accept and use.
inline QStringList simKeyArguments()
{
    return {QStringLiteral("--bolna-key"),   QStringLiteral("demo-bolna-api-key"),
            QStringLiteral("--vapi-key"),    QStringLiteral("demo-vapi-api-key"),
            QStringLiteral("--retell-key"),  QStringLiteral("demo-retell-key"),
            QStringLiteral("--vapi-secret"), QStringLiteral("demo-vapi-secret")};
}

inline QStringList baseUrlArguments(const QUrl &sim)
{
    QStringList args;
    for (const char *p : {"bolna", "vapi", "retell"}) {
        args << QStringLiteral("--provider-base-url")
             << QString::fromLatin1(p) + u'=' + sim.toString() + u'/' + QString::fromLatin1(p);
    }
    return args;
}

inline QString str(const Json &object, const char *key)
{
    return cb::stringField(object, key);
}

} // namespace cbtest
