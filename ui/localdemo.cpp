#include "localdemo.h"

#include "logging.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>

namespace cb {

LocalDemo::LocalDemo(QString program, QString dataDir, QObject *parent)
    : QObject(parent), m_program(std::move(program)), m_dataDir(std::move(dataDir))
{
    m_timeout.setSingleShot(true);
    m_timeout.setInterval(30000);
    connect(&m_timeout, &QTimer::timeout, this, [this] {
        fail(tr("The local demo server did not start within %1 s.")
                 .arg(m_timeout.interval() / 1000));
    });
    connect(&m_process, &QProcess::readyReadStandardOutput, this, &LocalDemo::onOutput);
    connect(&m_process, &QProcess::readyReadStandardError, this, [this] {
        m_stderrTail += m_process.readAllStandardError();
        if (m_stderrTail.size() > 4096)
            m_stderrTail = m_stderrTail.right(4096);
    });
    connect(&m_process, &QProcess::finished, this, &LocalDemo::onFinished);
    connect(&m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            fail(tr("Could not run %1: %2").arg(m_program, m_process.errorString()));
    });
}

LocalDemo::~LocalDemo()
{
    stop();
}

QString LocalDemo::findServerProgram()
{
    const QString beside =
        QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("callboard-server"));
    if (QFileInfo(beside).isExecutable())
        return beside;
    return QStandardPaths::findExecutable(QStringLiteral("callboard-server"));
}

QString LocalDemo::defaultDataDir()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
        .filePath(QStringLiteral("demo"));
}

void LocalDemo::start()
{
    if (isRunning())
        return;
    if (m_program.isEmpty()) {
        fail(tr("The demo server (callboard-server) is not installed next to this program."));
        return;
    }
    if (!QDir().mkpath(m_dataDir)) {
        fail(tr("Cannot create the demo data folder %1.").arg(QDir::toNativeSeparators(m_dataDir)));
        return;
    }
    m_stopping = false;
    m_url.clear();
    m_stdout.clear();
    m_stderrTail.clear();
    qCInfo(lcUi) << "starting the local demo:" << m_program << "data in" << m_dataDir;
    m_process.setProgram(m_program);
    m_process.setArguments({QStringLiteral("--demo"), QStringLiteral("--listen"),
                            QStringLiteral("127.0.0.1:0"), QStringLiteral("--data"), m_dataDir});
    m_process.start(QIODevice::ReadOnly);
    m_timeout.start();
}

void LocalDemo::stop()
{
    m_timeout.stop();
    if (!isRunning())
        return;
    m_stopping = true;
    m_process.terminate();
    if (!m_process.waitForFinished(5000)) {
        m_process.kill();
        m_process.waitForFinished(2000);
    }
}

void LocalDemo::onOutput()
{
    m_stdout += m_process.readAllStandardOutput();
    if (m_url.isValid()) {
        m_stdout.clear();
        return;
    }
    static const QRegularExpression listening(QStringLiteral("listening on (https?://[^\\s]+)"));
    const QRegularExpressionMatch match = listening.match(QString::fromUtf8(m_stdout));
    if (!match.hasMatch())
        return;
    m_url = QUrl(match.captured(1));
    m_timeout.stop();
    m_stdout.clear();
    qCInfo(lcUi) << "local demo listening on" << m_url.toString();
    Q_EMIT ready(m_url);
}

void LocalDemo::onFinished(int exitCode, QProcess::ExitStatus status)
{
    m_timeout.stop();
    if (m_stopping)
        return;
    const QString tail = QString::fromUtf8(m_stderrTail).trimmed().split(u'\n').constLast();
    const QString why = status == QProcess::CrashExit
        ? tr("the demo server crashed")
        : tr("the demo server exited with code %1").arg(exitCode);
    const QString message = tail.isEmpty() ? why : why + QStringLiteral(": ") + tail;
    if (m_url.isValid())
        Q_EMIT stopped(message);
    else
        fail(message);
}

void LocalDemo::fail(const QString &message)
{
    m_timeout.stop();
    qCWarning(lcUi) << "local demo:" << message;
    if (isRunning()) {
        m_stopping = true;
        m_process.kill();
        m_process.waitForFinished(2000);
    }
    Q_EMIT failed(Error{QStringLiteral("demo_failed"), message});
}

} // namespace cb
