#pragma once

#include <QString>
#include <QTemporaryDir>

#include <memory>

namespace cbtest {

/// A throwaway PostgreSQL cluster for one test run: initdb into a temporary directory,
/// pg_ctl start on a free loopback port (as the `postgres` user when running as root,
/// since PostgreSQL refuses root), and stop + remove at destruction.
class PgTestServer
{
public:
    PgTestServer();
    ~PgTestServer();

    /// The directory with initdb and pg_ctl, or empty when PostgreSQL is not installed.
    static QString binDir();

    bool start(QString *error);
    void stop();
    quint16 port() const { return m_port; }
    /// Creates a new empty database and returns its postgres:// URL.
    QString createDatabase(QString *error);

private:
    bool run(const QString &program, const QStringList &arguments, QString *error,
             int timeoutMs = 60000);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_dataDir;
    quint16 m_port = 0;
    bool m_running = false;
    bool m_asPostgres = false;
    int m_databases = 0;
};

} // namespace cbtest
