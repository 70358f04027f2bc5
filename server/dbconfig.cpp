#include "dbconfig.h"

#include <QDir>
#include <QUrl>

namespace cb {

DbConfig DbConfig::sqliteIn(const QString &dataDir)
{
    DbConfig config;
    config.kind = Kind::Sqlite;
    config.sqlitePath = QDir(dataDir).filePath(QStringLiteral("callboard.sqlite"));
    return config;
}

Result<DbConfig> DbConfig::fromUrl(const QString &text)
{
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != u"postgres" && url.scheme() != u"postgresql"))
        return Result<DbConfig>::failure(
            QStringLiteral("invalid_db_url"),
            QStringLiteral("expected postgres://user:pass@host:port/db"));
    DbConfig config;
    config.kind = Kind::Postgres;
    config.host = url.host().isEmpty() ? QStringLiteral("127.0.0.1") : url.host();
    config.port = url.port(5432);
    config.user = url.userName(QUrl::FullyDecoded);
    config.password = url.password(QUrl::FullyDecoded);
    config.database = url.path(QUrl::FullyDecoded).mid(1);
    if (config.database.isEmpty() || config.database.contains(u'/'))
        return Result<DbConfig>::failure(QStringLiteral("invalid_db_url"),
                                         QStringLiteral("the database URL names no database"));
    return config;
}

QString DbConfig::describe() const
{
    if (kind == Kind::Sqlite)
        return QStringLiteral("sqlite:%1").arg(sqlitePath);
    return QStringLiteral("postgres://%1@%2:%3/%4")
        .arg(user, host, QString::number(port), database);
}

} // namespace cb
