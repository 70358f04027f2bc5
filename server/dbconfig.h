#pragma once

#include "core/result.h"

#include <QString>

namespace cb {

/// Where the store lives: an SQLite file in a data directory (the embedded default)
/// or a PostgreSQL database named by a `postgres://user:pass@host:port/db` URL.
struct DbConfig
{
    enum class Kind { Sqlite, Postgres };

    Kind kind = Kind::Sqlite;
    QString sqlitePath; ///< the database file, for Kind::Sqlite
    /// SQLite `synchronous` level: "full" (fsync the WAL on every commit, survives power
    /// loss) or "normal" (survives a process crash, may lose the last commits on power loss).
    QString sqliteSync = QStringLiteral("full");

    QString host = QStringLiteral("127.0.0.1");
    int port = 5432;
    QString user;
    QString password;
    QString database;
    QString options; ///< extra QPSQL connect options

    static DbConfig sqliteIn(const QString &dataDir);
    /// Parses `postgres://` or `postgresql://` URLs; user, password and database are
    /// percent-decoded.
    static Result<DbConfig> fromUrl(const QString &url);

    /// For logs: never includes the password.
    QString describe() const;
};

} // namespace cb
