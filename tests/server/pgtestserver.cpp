#include "pgtestserver.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpServer>

#include <unistd.h>

namespace cbtest {

QString PgTestServer::binDir()
{
    const QByteArray fromEnv = qgetenv("CALLBOARD_PG_BINDIR");
    if (!fromEnv.isEmpty())
        return QString::fromLocal8Bit(fromEnv);
    QDir base(QStringLiteral("/usr/lib/postgresql"));
    QStringList versions =
        base.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name | QDir::Reversed);
    for (const QString &version : std::as_const(versions)) {
        const QString dir = base.filePath(version + QStringLiteral("/bin"));
        if (QFile::exists(dir + QStringLiteral("/initdb")) &&
            QFile::exists(dir + QStringLiteral("/pg_ctl")))
            return dir;
    }
    return {};
}

PgTestServer::PgTestServer() = default;

PgTestServer::~PgTestServer()
{
    stop();
}

bool PgTestServer::run(const QString &program, const QStringList &arguments, QString *error,
                       int timeoutMs)
{
    QProcess process;
    if (m_asPostgres) {
        process.setProgram(QStringLiteral("runuser"));
        process.setArguments(QStringList{QStringLiteral("-u"), QStringLiteral("postgres"),
                                         QStringLiteral("--"), program} +
                             arguments);
    } else {
        process.setProgram(program);
        process.setArguments(arguments);
    }
    process.setWorkingDirectory(m_dir->path());
    process.start();
    if (!process.waitForFinished(timeoutMs) || process.exitStatus() != QProcess::NormalExit ||
        process.exitCode() != 0) {
        if (error)
            *error = QStringLiteral("%1 failed: %2%3")
                         .arg(program, QString::fromLocal8Bit(process.readAllStandardError()),
                              QString::fromLocal8Bit(process.readAllStandardOutput()));
        return false;
    }
    return true;
}

bool PgTestServer::start(QString *error)
{
    const QString bin = binDir();
    if (bin.isEmpty()) {
        *error = QStringLiteral("PostgreSQL server binaries not found");
        return false;
    }
    m_dir =
        std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/callboard-pg-XXXXXX"));
    if (!m_dir->isValid()) {
        *error = QStringLiteral("cannot create a temporary directory");
        return false;
    }
    m_dataDir = m_dir->filePath(QStringLiteral("data"));
    m_asPostgres = ::geteuid() == 0;
    if (m_asPostgres) {
        // The cluster belongs to the unprivileged postgres user; the directory is ours.
        QProcess::execute(QStringLiteral("chown"),
                          {QStringLiteral("postgres:postgres"), m_dir->path()});
    }
    {
        QTcpServer probe;
        if (!probe.listen(QHostAddress::LocalHost, 0)) {
            *error = QStringLiteral("no free port");
            return false;
        }
        m_port = probe.serverPort();
    }
    if (!run(bin + QStringLiteral("/initdb"),
             {QStringLiteral("-D"), m_dataDir, QStringLiteral("-U"), QStringLiteral("callboard"),
              QStringLiteral("-A"), QStringLiteral("trust"), QStringLiteral("-E"),
              QStringLiteral("UTF8"), QStringLiteral("--no-sync")},
             error))
        return false;
    const QString options = QStringLiteral("-p %1 -k %2 -c listen_addresses=127.0.0.1 -c fsync=off "
                                           "-c synchronous_commit=off -c full_page_writes=off")
                                .arg(m_port)
                                .arg(m_dir->path());
    if (!run(bin + QStringLiteral("/pg_ctl"),
             {QStringLiteral("-D"), m_dataDir, QStringLiteral("-o"), options, QStringLiteral("-l"),
              m_dir->filePath(QStringLiteral("server.log")), QStringLiteral("-w"),
              QStringLiteral("-t"), QStringLiteral("60"), QStringLiteral("start")},
             error))
        return false;
    m_running = true;
    return true;
}

void PgTestServer::stop()
{
    if (!m_running)
        return;
    m_running = false;
    for (const QString &name : QSqlDatabase::connectionNames()) {
        if (name.startsWith(QStringLiteral("pgtest-admin")))
            QSqlDatabase::removeDatabase(name);
    }
    run(binDir() + QStringLiteral("/pg_ctl"),
        {QStringLiteral("-D"), m_dataDir, QStringLiteral("-m"), QStringLiteral("immediate"),
         QStringLiteral("-w"), QStringLiteral("stop")},
        nullptr);
    m_dir.reset();
}

QString PgTestServer::createDatabase(QString *error)
{
    const QString name = QStringLiteral("cbtest_%1").arg(++m_databases);
    const QString connection = QStringLiteral("pgtest-admin-%1").arg(m_databases);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connection);
        db.setHostName(QStringLiteral("127.0.0.1"));
        db.setPort(m_port);
        db.setUserName(QStringLiteral("callboard"));
        db.setDatabaseName(QStringLiteral("postgres"));
        if (!db.open()) {
            *error = db.lastError().text();
        } else {
            QSqlQuery query(db);
            if (!query.exec(QStringLiteral("CREATE DATABASE ") + name))
                *error = query.lastError().text();
            db.close();
        }
    }
    QSqlDatabase::removeDatabase(connection);
    return QStringLiteral("postgres://callboard@127.0.0.1:%1/%2").arg(m_port).arg(name);
}

} // namespace cbtest
