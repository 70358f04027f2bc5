#pragma once

#include "core/result.h"

#include <QObject>
#include <QProcess>
#include <QTimer>
#include <QUrl>

namespace cb {

/// The bundled `callboard-server --demo` run as a child process on a free local port,
/// with its data in @p dataDir. ready() carries the URL it printed ("listening on
/// http://127.0.0.1:PORT"); the child is stopped with this object.
class LocalDemo final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LocalDemo)

public:
    /// The demo admin the server seeds (server/demoseed.h).
    static QString adminEmail() { return QStringLiteral("admin@demo"); }
    static QString password() { return QStringLiteral("callboard-demo"); }

    LocalDemo(QString program, QString dataDir, QObject *parent = nullptr);
    ~LocalDemo() override;

    /// callboard-server next to this program, else on PATH; empty when neither exists.
    static QString findServerProgram();
    /// `<AppDataLocation>/demo`.
    static QString defaultDataDir();

    void start();
    void stop();
    bool isRunning() const { return m_process.state() != QProcess::NotRunning; }
    QUrl url() const { return m_url; }
    qint64 processId() const { return m_process.processId(); }
    /// How long start() waits for the port (default 30 s).
    void setStartTimeout(int ms) { m_timeout.setInterval(ms); }

Q_SIGNALS:
    void ready(const QUrl &url);
    void failed(const cb::Error &error);
    /// The server stopped after it was ready.
    void stopped(const QString &reason);

private:
    void onOutput();
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void fail(const QString &message);

    QString m_program;
    QString m_dataDir;
    QProcess m_process;
    QTimer m_timeout;
    QByteArray m_stdout;
    QByteArray m_stderrTail;
    QUrl m_url;
    bool m_stopping = false;
};

} // namespace cb
