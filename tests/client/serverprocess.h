#pragma once

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QUrl>

namespace cb::test {

/// build/bin/callboard-server --demo on 127.0.0.1, port 0 the first time (the port it prints
/// is kept, so a restart comes back where clients expect it).
class ServerProcess
{
public:
    ~ServerProcess() { stop(); }

    static QString binary() { return QStringLiteral(CALLBOARD_BIN_DIR "/callboard-server"); }
    static bool available() { return QFileInfo(binary()).isExecutable(); }

    bool start()
    {
        const QString listen = QStringLiteral("127.0.0.1:%1").arg(m_port);
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_process.start(binary(),
                        {QStringLiteral("--data"), m_data.path(), QStringLiteral("--listen"),
                         listen, QStringLiteral("--demo")});
        if (!m_process.waitForStarted(10000))
            return false;
        static const QRegularExpression line(QStringLiteral("listening on http://[^:]+:(\\d+)"));
        for (;;) {
            if (!m_process.canReadLine() && !m_process.waitForReadyRead(30000))
                return false;
            const QString text = QString::fromUtf8(m_process.readLine());
            const auto match = line.match(text);
            if (match.hasMatch()) {
                m_port = match.captured(1).toInt();
                return true;
            }
        }
    }

    void stop()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.terminate();
            if (!m_process.waitForFinished(10000)) {
                m_process.kill();
                m_process.waitForFinished(5000);
            }
        }
    }

    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_port)); }

private:
    QTemporaryDir m_data;
    QProcess m_process;
    int m_port = 0;
};

} // namespace cb::test
