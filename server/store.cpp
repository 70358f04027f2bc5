#include "store.h"

#include "logging.h"
#include "migrations.h"

#include <QDir>
#include <QFileInfo>
#include <QSqlDriver>
#include <QSqlError>
#include <QTimeZone>
#include <QUuid>

namespace cb {

namespace sql {

QVariant text(const QString &value)
{
    return value.isNull() ? QVariant(QMetaType::fromType<QString>()) : QVariant(value);
}

QVariant str(const QString &value)
{
    return value.isNull() ? QVariant(QStringLiteral("")) : QVariant(value);
}

QVariant time(const QDateTime &value)
{
    return value.isValid() ? QVariant(value.toMSecsSinceEpoch())
                           : QVariant(QMetaType::fromType<qint64>());
}

QVariant number(const std::optional<double> &value)
{
    return value ? QVariant(*value) : QVariant(QMetaType::fromType<double>());
}

QVariant flag(const std::optional<bool> &value)
{
    return value ? QVariant(int(*value)) : QVariant(QMetaType::fromType<int>());
}

QDateTime timeAt(const QVariant &value)
{
    if (value.isNull())
        return {};
    return QDateTime::fromMSecsSinceEpoch(value.toLongLong(), QTimeZone::utc());
}

std::optional<double> numberAt(const QVariant &value)
{
    if (value.isNull())
        return std::nullopt;
    return value.toDouble();
}

std::optional<bool> flagAt(const QVariant &value)
{
    if (value.isNull())
        return std::nullopt;
    return value.toInt() != 0;
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QString likeEscaped(const QString &text)
{
    QString out;
    out.reserve(text.size() + 4);
    for (QChar c : text) {
        if (c == u'\\' || c == u'%' || c == u'_')
            out.append(u'\\');
        out.append(c);
    }
    return out;
}

} // namespace sql

QString wireName(EventSource source)
{
    switch (source) {
    case EventSource::Webhook:
        return QStringLiteral("webhook");
    case EventSource::Poll:
        return QStringLiteral("poll");
    case EventSource::Operator:
        return QStringLiteral("operator");
    }
    return {};
}

QString CallCursor::encode() const
{
    const QByteArray raw = QByteArray::number(sortAt) + ':' + id.toUtf8();
    return QString::fromLatin1(
        raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

std::optional<CallCursor> CallCursor::decode(QStringView text)
{
    if (text.size() > 256)
        return std::nullopt;
    const auto decoded = QByteArray::fromBase64Encoding(
        text.toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    const QByteArray &raw = *decoded;
    const qsizetype colon = raw.indexOf(':');
    if (colon <= 0)
        return std::nullopt;
    bool ok = false;
    CallCursor cursor;
    cursor.sortAt = raw.left(colon).toLongLong(&ok);
    cursor.id = QString::fromUtf8(raw.mid(colon + 1));
    if (!ok || cursor.id.isEmpty())
        return std::nullopt;
    return cursor;
}

Store::Store(const DbConfig &config, const QString &connectionName)
    : m_config(config)
    , m_connectionName(connectionName)
    , m_dialect(config.kind == DbConfig::Kind::Postgres ? SqlDialect::Postgres : SqlDialect::Sqlite)
{ }

Store::~Store()
{
    m_prepared.clear();
    if (m_db.isValid()) {
        if (m_inTransaction)
            m_db.rollback();
        m_db.close();
    }
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connectionName);
}

Result<std::unique_ptr<Store>> Store::open(const DbConfig &config, const QString &connectionName)
{
    using R = Result<std::unique_ptr<Store>>;
    std::unique_ptr<Store> store(new Store(config, connectionName));
    const bool postgres = config.kind == DbConfig::Kind::Postgres;
    if (!QSqlDatabase::isDriverAvailable(postgres ? QStringLiteral("QPSQL")
                                                  : QStringLiteral("QSQLITE")))
        return R::failure(QStringLiteral("db_driver_missing"),
                          postgres
                              ? QStringLiteral("the Qt PostgreSQL driver (QPSQL) is not installed")
                              : QStringLiteral("the Qt SQLite driver (QSQLITE) is not installed"));

    store->m_db = QSqlDatabase::addDatabase(
        postgres ? QStringLiteral("QPSQL") : QStringLiteral("QSQLITE"), connectionName);
    if (postgres) {
        store->m_db.setHostName(config.host);
        store->m_db.setPort(config.port);
        store->m_db.setUserName(config.user);
        store->m_db.setPassword(config.password);
        store->m_db.setDatabaseName(config.database);
        QString options = QStringLiteral("connect_timeout=10");
        if (!config.options.isEmpty())
            options += u';' + config.options;
        store->m_db.setConnectOptions(options);
    } else {
        const QFileInfo file(config.sqlitePath);
        if (!QDir().mkpath(file.absolutePath()))
            return R::failure(
                QStringLiteral("db_open_failed"),
                QStringLiteral("cannot create the data directory %1").arg(file.absolutePath()));
        store->m_db.setDatabaseName(config.sqlitePath);
        store->m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000"));
    }
    if (!store->m_db.open())
        return R::failure(QStringLiteral("db_open_failed"),
                          QStringLiteral("cannot open %1: %2")
                              .arg(config.describe(), store->m_db.lastError().text()));

    QStringList setup;
    if (postgres) {
        setup = {QStringLiteral("SET client_min_messages TO WARNING"),
                 QStringLiteral("SET TIME ZONE 'UTC'")};
    } else {
        const QString sync = config.sqliteSync.compare(u"normal", Qt::CaseInsensitive) == 0
            ? QStringLiteral("NORMAL")
            : QStringLiteral("FULL");
        setup = {QStringLiteral("PRAGMA journal_mode=WAL"),
                 QStringLiteral("PRAGMA synchronous=") + sync,
                 QStringLiteral("PRAGMA foreign_keys=ON"),
                 QStringLiteral("PRAGMA busy_timeout=10000"),
                 QStringLiteral("PRAGMA temp_store=MEMORY"),
                 QStringLiteral("PRAGMA cache_size=-16000")};
    }
    for (const QString &statement : std::as_const(setup)) {
        if (auto r = store->exec(statement); !r)
            return R(r.error());
    }
    return R(std::move(store));
}

QString Store::dialectSql(QString sql) const
{
    if (m_dialect == SqlDialect::Postgres) {
        sql.replace(QStringLiteral("{id_pk}"), QStringLiteral("BIGSERIAL PRIMARY KEY"));
        sql.replace(QStringLiteral("{blob}"), QStringLiteral("BYTEA"));
    } else {
        sql.replace(QStringLiteral("{id_pk}"), QStringLiteral("INTEGER PRIMARY KEY AUTOINCREMENT"));
        sql.replace(QStringLiteral("{blob}"), QStringLiteral("BLOB"));
    }
    return sql;
}

Error Store::sqlError(const QString &what, const QSqlQuery &query) const
{
    const QSqlError error = query.lastError();
    const QString native = error.nativeErrorCode();
    const QString text = error.databaseText().isEmpty() ? error.text() : error.databaseText();
    // 23505 (PostgreSQL) and 2067/1555/19 (SQLite) are unique-constraint violations.
    const bool unique = native == u"23505" || native == u"2067" || native == u"1555" ||
        native == u"19" || text.contains(QStringLiteral("UNIQUE constraint"), Qt::CaseInsensitive);
    return Error{unique ? QStringLiteral("conflict") : QStringLiteral("db_error"),
                 QStringLiteral("%1: %2").arg(what, text)};
}

Result<void> Store::exec(const QString &sql)
{
    QSqlQuery query(m_db);
    if (!query.exec(sql))
        return sqlError(sql.left(60), query);
    return {};
}

Result<QSqlQuery *> Store::run(const QString &sqlText, std::initializer_list<QVariant> bindings)
{
    return run(sqlText, QVariantList(bindings));
}

Result<QSqlQuery *> Store::run(const QString &sqlText, const QVariantList &bindings)
{
    auto it = m_prepared.find(sqlText);
    if (it == m_prepared.end()) {
        auto query = std::make_unique<QSqlQuery>(m_db);
        query->setForwardOnly(true);
        if (!query->prepare(sqlText))
            return sqlError(QStringLiteral("prepare"), *query);
        it = m_prepared.emplace(sqlText, std::move(query)).first;
    }
    QSqlQuery &query = *it->second;
    for (int i = 0; i < bindings.size(); ++i)
        query.bindValue(i, bindings.at(i));
    if (!query.exec()) {
        Error error = sqlError(QStringLiteral("query"), query);
        query.finish();
        // A statement broken by a lost connection is prepared afresh next time.
        m_prepared.erase(it);
        return error;
    }
    return &query;
}

Result<void> Store::execute(const QString &sql, const QVariantList &bindings)
{
    auto q = run(sql, bindings);
    if (!q)
        return q.error();
    (*q)->finish();
    return {};
}

Result<void> Store::begin()
{
    if (m_inTransaction)
        return Result<void>::failure(QStringLiteral("db_error"),
                                     QStringLiteral("transaction already open"));
    const QString statement = m_dialect == SqlDialect::Sqlite ? QStringLiteral("BEGIN IMMEDIATE")
                                                              : QStringLiteral("BEGIN");
    auto r = exec(statement);
    if (!r && m_dialect == SqlDialect::Postgres) {
        // The server may have restarted: reconnect once, so the writer recovers on its own.
        m_prepared.clear();
        m_db.close();
        if (m_db.open()) {
            qCWarning(lcDb) << "reconnected to" << m_config.describe();
            r = exec(statement);
        }
    }
    if (r)
        m_inTransaction = true;
    return r;
}

Result<void> Store::commit()
{
    auto r = exec(QStringLiteral("COMMIT"));
    if (!r) {
        rollback();
        return r;
    }
    m_inTransaction = false;
    return r;
}

void Store::rollback()
{
    if (!m_inTransaction)
        return;
    for (auto &entry : m_prepared)
        entry.second->finish();
    QSqlQuery query(m_db);
    query.exec(QStringLiteral("ROLLBACK"));
    m_inTransaction = false;
}

Result<void> Store::savepoint(const QString &name)
{
    // SQLite can keep these prepared; PostgreSQL cannot prepare transaction control.
    if (m_dialect == SqlDialect::Sqlite) {
        return execute(QStringLiteral("SAVEPOINT ") + name, {});
    }
    return exec(QStringLiteral("SAVEPOINT ") + name);
}

Result<void> Store::releaseSavepoint(const QString &name)
{
    if (m_dialect == SqlDialect::Sqlite) {
        return execute(QStringLiteral("RELEASE SAVEPOINT ") + name, {});
    }
    return exec(QStringLiteral("RELEASE SAVEPOINT ") + name);
}

void Store::rollbackToSavepoint(const QString &name)
{
    for (auto &entry : m_prepared)
        entry.second->finish();
    QSqlQuery query(m_db);
    if (query.exec(QStringLiteral("ROLLBACK TO SAVEPOINT ") + name))
        query.exec(QStringLiteral("RELEASE SAVEPOINT ") + name);
}

bool Store::ping()
{
    QSqlQuery query(m_db);
    return query.exec(QStringLiteral("SELECT 1")) && query.next();
}

Result<int> Store::schemaVersion()
{
    auto q = run(QStringLiteral("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"), {});
    if (!q)
        return q.error();
    const int version = (*q)->next() ? (*q)->value(0).toInt() : 0;
    (*q)->finish();
    return version;
}

Result<void> Store::migrate()
{
    if (auto r = exec(QStringLiteral("CREATE TABLE IF NOT EXISTS schema_migrations ("
                                     " version INTEGER PRIMARY KEY,"
                                     " description TEXT NOT NULL,"
                                     " applied_at BIGINT NOT NULL)"));
        !r) {
        // Two processes creating the table at once: the loser sees it exist on retry.
        if (auto again = exec(QStringLiteral("SELECT 1 FROM schema_migrations")); !again)
            return r;
    }
    for (const Migration &migration : migrations()) {
        if (auto r = begin(); !r)
            return r;
        if (m_dialect == SqlDialect::Postgres) {
            // Serializes concurrent migrators across instances.
            if (auto r = exec(QStringLiteral("LOCK TABLE schema_migrations IN EXCLUSIVE MODE"));
                !r) {
                rollback();
                return r;
            }
        }
        auto applied = run(QStringLiteral("SELECT 1 FROM schema_migrations WHERE version = ?"),
                           {migration.version});
        if (!applied) {
            rollback();
            return applied.error();
        }
        const bool done = (*applied)->next();
        (*applied)->finish();
        if (done) {
            rollback();
            continue;
        }
        for (const QString &statement : migration.statements) {
            if (auto r = exec(dialectSql(statement)); !r) {
                rollback();
                return Result<void>::failure(
                    QStringLiteral("migration_failed"),
                    QStringLiteral("migration %1: %2")
                        .arg(QString::number(migration.version), r.error().message));
            }
        }
        auto record =
            run(QStringLiteral("INSERT INTO schema_migrations (version, description, applied_at) "
                               "VALUES (?, ?, ?)"),
                {migration.version, migration.description, sql::nowMs()});
        if (!record) {
            rollback();
            return record.error();
        }
        if (auto r = commit(); !r)
            return r;
        qCInfo(lcDb) << "applied migration" << migration.version << migration.description;
    }
    return {};
}

// Accounts ----------------------------------------------------------------------------

Result<Org> Store::createOrg(const QString &name, const QString &id)
{
    Org org;
    org.id = id.isEmpty() ? QUuid::createUuid().toString(QUuid::WithoutBraces) : id;
    org.name = name;
    org.role = Role::Admin;
    auto q =
        run(QStringLiteral("INSERT INTO orgs (id, name, last_seq, created_at) VALUES (?, ?, 0, ?)"),
            {org.id, name, sql::nowMs()});
    if (!q)
        return q.error();
    return org;
}

Result<std::optional<Org>> Store::orgById(const QString &orgId)
{
    return one(QStringLiteral("SELECT id, name FROM orgs WHERE id = ?"), {orgId},
               [](const QSqlQuery &q) {
                   return Org{q.value(0).toString(), q.value(1).toString(), Role::Viewer};
               });
}

Result<QList<Org>> Store::listOrgs()
{
    return all(QStringLiteral("SELECT id, name FROM orgs ORDER BY name, id"), {},
               [](const QSqlQuery &q) {
                   return Org{q.value(0).toString(), q.value(1).toString(), Role::Viewer};
               });
}

Result<UserRecord> Store::createUser(const QString &email, const QString &name,
                                     const QString &passwordHash)
{
    UserRecord user{QUuid::createUuid().toString(QUuid::WithoutBraces), email.trimmed().toLower(),
                    name, passwordHash};
    auto q = run(QStringLiteral("INSERT INTO users (id, email, name, password_hash, created_at) "
                                "VALUES (?, ?, ?, ?, ?)"),
                 {user.id, user.email, sql::str(user.name), user.passwordHash, sql::nowMs()});
    if (!q)
        return q.error();
    return user;
}

Result<void> Store::setPasswordHash(const QString &userId, const QString &passwordHash)
{
    return execute(QStringLiteral("UPDATE users SET password_hash = ? WHERE id = ?"),
                   {passwordHash, userId});
}

namespace {
UserRecord userFrom(const QSqlQuery &q)
{
    return UserRecord{q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),
                      q.value(3).toString()};
}
} // namespace

Result<std::optional<UserRecord>> Store::userByEmail(const QString &email)
{
    return one(QStringLiteral("SELECT id, email, name, password_hash FROM users WHERE email = ?"),
               {email.trimmed().toLower()}, [](const QSqlQuery &q) { return userFrom(q); });
}

Result<std::optional<UserRecord>> Store::userById(const QString &userId)
{
    return one(QStringLiteral("SELECT id, email, name, password_hash FROM users WHERE id = ?"),
               {userId}, [](const QSqlQuery &q) { return userFrom(q); });
}

Result<QList<UserRecord>> Store::listUsers()
{
    return all(QStringLiteral("SELECT id, email, name, '' FROM users ORDER BY email"), {},
               [](const QSqlQuery &q) { return userFrom(q); });
}

Result<void> Store::setMembership(const QString &orgId, const QString &userId, Role role)
{
    return execute(
        QStringLiteral("INSERT INTO memberships (org_id, user_id, role) VALUES (?, ?, ?) "
                       "ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role"),
        {orgId, userId, wireName(role)});
}

Result<QList<Org>> Store::orgsOf(const QString &userId)
{
    auto q =
        run(QStringLiteral(
                "SELECT o.id, o.name, m.role FROM memberships m JOIN orgs o ON o.id = m.org_id "
                "WHERE m.user_id = ? ORDER BY o.name, o.id"),
            {userId});
    if (!q)
        return q.error();
    QList<Org> orgs;
    while ((*q)->next()) {
        const auto role = roleFromString((*q)->value(2).toString());
        if (role)
            orgs.append(Org{(*q)->value(0).toString(), (*q)->value(1).toString(), *role});
    }
    (*q)->finish();
    return orgs;
}

Result<std::optional<Role>> Store::roleIn(const QString &userId, const QString &orgId)
{
    auto q = run(QStringLiteral("SELECT role FROM memberships WHERE user_id = ? AND org_id = ?"),
                 {userId, orgId});
    if (!q)
        return q.error();
    std::optional<Role> role;
    if ((*q)->next())
        role = roleFromString((*q)->value(0).toString());
    (*q)->finish();
    return role;
}

Result<void> Store::insertSession(const QByteArray &tokenHash, const QString &userId,
                                  const QDateTime &expiresAt)
{
    return execute(
        QStringLiteral("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) "
                       "VALUES (?, ?, ?, ?)"),
        {QString::fromLatin1(tokenHash), userId, sql::nowMs(), expiresAt.toMSecsSinceEpoch()});
}

Result<std::optional<SessionRecord>> Store::session(const QByteArray &tokenHash,
                                                    const QDateTime &now)
{
    return one(QStringLiteral("SELECT user_id, expires_at FROM sessions "
                              "WHERE token_hash = ? AND revoked_at IS NULL AND expires_at > ?"),
               {QString::fromLatin1(tokenHash), now.toMSecsSinceEpoch()}, [](const QSqlQuery &q) {
                   return SessionRecord{q.value(0).toString(), sql::timeAt(q.value(1))};
               });
}

Result<void> Store::revokeSession(const QByteArray &tokenHash, const QDateTime &now)
{
    return execute(
        QStringLiteral(
            "UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL"),
        {now.toMSecsSinceEpoch(), QString::fromLatin1(tokenHash)});
}

Result<int> Store::purgeSessions(const QDateTime &expiredBefore)
{
    auto q = run(QStringLiteral("DELETE FROM sessions WHERE expires_at < ?"),
                 {expiredBefore.toMSecsSinceEpoch()});
    if (!q)
        return q.error();
    return (*q)->numRowsAffected();
}

// Routing -------------------------------------------------------------------------------

Result<std::optional<Store::AgentRoute>> Store::agentRoute(Provider provider,
                                                           const QString &providerAgentId)
{
    if (providerAgentId.isEmpty())
        return std::optional<AgentRoute>();
    return one(QStringLiteral(
                   "SELECT org_id, id FROM agents WHERE provider = ? AND provider_agent_id = ?"),
               {wireName(provider), providerAgentId}, [](const QSqlQuery &q) {
                   return AgentRoute{q.value(0).toString(), q.value(1).toString()};
               });
}

Result<QList<WebhookSecret>> Store::webhookSecrets(Provider provider)
{
    return all(QStringLiteral("SELECT org_id, webhook_secret FROM provider_settings "
                              "WHERE provider = ? AND webhook_secret <> ''"),
               {wireName(provider)}, [](const QSqlQuery &q) {
                   return WebhookSecret{q.value(0).toString(), q.value(1).toString()};
               });
}

// Unrouted ------------------------------------------------------------------------------

Result<bool> Store::insertUnrouted(const UnroutedEvent &event)
{
    auto q =
        run(QStringLiteral(
                "INSERT INTO unrouted_events (provider, provider_agent_id, provider_call_id, "
                "org_hint, dedup_key, kind, received_at, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING"),
            {wireName(event.provider), sql::str(event.providerAgentId), event.providerCallId,
             sql::str(event.orgHint), event.dedupKey, sql::str(event.kind),
             event.receivedAt.toMSecsSinceEpoch(), QString::fromUtf8(event.payload)});
    if (!q)
        return q.error();
    return (*q)->numRowsAffected() > 0;
}

namespace {
const QString unroutedColumns =
    QStringLiteral("u.id, u.provider, u.provider_agent_id, u.provider_call_id, u.org_hint, "
                   "u.dedup_key, u.kind, u.received_at, "
                   "u.payload");

UnroutedEvent unroutedFrom(const QSqlQuery &q)
{
    UnroutedEvent e;
    e.id = q.value(0).toLongLong();
    e.provider = providerFromString(q.value(1).toString()).value_or(Provider::Bolna);
    e.providerAgentId = q.value(2).toString();
    e.providerCallId = q.value(3).toString();
    e.orgHint = q.value(4).toString();
    e.dedupKey = q.value(5).toString();
    e.kind = q.value(6).toString();
    e.receivedAt = sql::timeAt(q.value(7));
    e.payload = q.value(8).toString().toUtf8();
    return e;
}
} // namespace

Result<QList<UnroutedEvent>> Store::listUnrouted(int limit)
{
    return all(QStringLiteral("SELECT ") + unroutedColumns +
                   QStringLiteral(" FROM unrouted_events u ORDER BY u.id LIMIT ?"),
               {limit}, [](const QSqlQuery &q) { return unroutedFrom(q); });
}

Result<QList<UnroutedEvent>> Store::routableUnrouted(int limit)
{
    return all(
        QStringLiteral("SELECT ") + unroutedColumns +
            QStringLiteral(
                " FROM unrouted_events u WHERE EXISTS (SELECT 1 FROM agents a "
                "WHERE a.provider = u.provider AND a.provider_agent_id = u.provider_agent_id "
                "AND u.provider_agent_id <> '') "
                "OR EXISTS (SELECT 1 FROM orgs o WHERE o.id = u.org_hint) "
                "ORDER BY u.id LIMIT ?"),
        {limit}, [](const QSqlQuery &q) { return unroutedFrom(q); });
}

Result<void> Store::deleteUnrouted(qint64 id)
{
    return execute(QStringLiteral("DELETE FROM unrouted_events WHERE id = ?"), {id});
}

} // namespace cb
