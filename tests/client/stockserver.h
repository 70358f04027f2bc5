#pragma once

#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTimer>
#include <QUrl>

#include <nlohmann/json.hpp>

namespace cb::test {

/// tests/client/node/stock-server.js as a child process on a free port.
class StockServer
{
public:
    ~StockServer() { stop(); }

    bool start()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("NODE_PATH"), QStringLiteral(CALLBOARD_NODE_MODULES));
        m_process.setProcessEnvironment(env);
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_process.start(
            QStringLiteral(CALLBOARD_NODE),
            {QStringLiteral(CALLBOARD_SOURCE_DIR "/tests/client/node/stock-server.js")});
        if (!m_process.waitForStarted(10000))
            return false;
        QByteArray line;
        while (!line.startsWith("PORT ")) {
            if (!m_process.canReadLine() && !m_process.waitForReadyRead(15000))
                return false;
            line = m_process.readLine().trimmed();
        }
        m_port = line.mid(5).toInt();
        return m_port > 0;
    }

    void stop()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

    int port() const { return m_port; }
    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_port)); }

    /// POSTs to a control endpoint and returns the JSON answer.
    nlohmann::json control(const QString &pathAndQuery, const QByteArray &body = "{}")
    {
        QNetworkRequest request(QUrl(url().toString() + pathAndQuery));
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/json"));
        QNetworkReply *reply = m_network.post(request, body);
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(10000, &loop, &QEventLoop::quit);
        loop.exec();
        const QByteArray answer = reply->readAll();
        reply->deleteLater();
        return nlohmann::json::parse(answer.constData(), answer.constData() + answer.size(),
                                     nullptr, false);
    }

private:
    QProcess m_process;
    QNetworkAccessManager m_network;
    int m_port = 0;
};

} // namespace cb::test
