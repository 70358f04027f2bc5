#pragma once

#include "dbconfig.h"
#include "orgscope.h"
#include "storetypes.h"

#include "core/result.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QVariant>

#include <initializer_list>
#include <memory>
#include <optional>
#include <type_traits>
#include <unordered_map>
#include <utility>

namespace cb {

enum class SqlDialect { Sqlite, Postgres };

/// One connection to the Callboard database (SQLite or PostgreSQL) and every query the
/// server runs. A Store belongs to the thread that opened it. Organization data is read
/// and written only through org(): an OrgScope binds the org id into every statement, so
/// no call site can forget it. Functions here that are not scoped are the cross-org ones
/// by nature: accounts, sessions, routing a webhook to its org, unrouted events.
class Store final
{
public:
    /// Opens (and for SQLite creates) the database under a connection name unique to
    /// the calling thread, and applies the pragmas the store relies on.
    static Result<std::unique_ptr<Store>> open(const DbConfig &config,
                                               const QString &connectionName);
    ~Store();
    Q_DISABLE_COPY_MOVE(Store)

    SqlDialect dialect() const { return m_dialect; }
    const DbConfig &config() const { return m_config; }

    /// Brings the schema to the newest version; safe to run concurrently from several
    /// processes (each migration runs in its own transaction and is recorded once).
    Result<void> migrate();
    Result<int> schemaVersion();
    /// True when the database answers a trivial query.
    bool ping();

    /// Write transactions. On SQLite the lock is taken at begin, so a transaction never
    /// fails half-way for lack of it.
    Result<void> begin();
    Result<void> commit();
    void rollback();
    bool inTransaction() const { return m_inTransaction; }
    /// Nested undo points inside a transaction: one failing unit of a grouped commit is
    /// undone without losing the others.
    Result<void> savepoint(const QString &name);
    Result<void> releaseSavepoint(const QString &name);
    void rollbackToSavepoint(const QString &name);

    // Accounts and sessions.
    Result<Org> createOrg(const QString &name, const QString &id = {});
    Result<std::optional<Org>> orgById(const QString &orgId);
    Result<QList<Org>> listOrgs();
    Result<UserRecord> createUser(const QString &email, const QString &name,
                                  const QString &passwordHash);
    Result<void> setPasswordHash(const QString &userId, const QString &passwordHash);
    Result<std::optional<UserRecord>> userByEmail(const QString &email);
    Result<std::optional<UserRecord>> userById(const QString &userId);
    Result<QList<UserRecord>> listUsers();
    Result<void> setMembership(const QString &orgId, const QString &userId, Role role);
    /// The orgs @p userId belongs to, each with the user's role in it.
    Result<QList<Org>> orgsOf(const QString &userId);
    Result<std::optional<Role>> roleIn(const QString &userId, const QString &orgId);
    Result<void> insertSession(const QByteArray &tokenHash, const QString &userId,
                               const QDateTime &expiresAt);
    /// The unrevoked session with that hash that has not expired at @p now.
    Result<std::optional<SessionRecord>> session(const QByteArray &tokenHash, const QDateTime &now);
    Result<void> revokeSession(const QByteArray &tokenHash, const QDateTime &now);
    Result<int> purgeSessions(const QDateTime &expiredBefore);

    // Routing of webhooks.
    struct AgentRoute
    {
        QString orgId;
        QString agentId;
    };
    Result<std::optional<AgentRoute>> agentRoute(Provider provider, const QString &providerAgentId);
    /// Every webhook secret configured for @p provider, in any org.
    Result<QList<WebhookSecret>> webhookSecrets(Provider provider);

    // Unrouted events.
    /// False when an event with the same dedup key is already held.
    Result<bool> insertUnrouted(const UnroutedEvent &event);
    Result<QList<UnroutedEvent>> listUnrouted(int limit);
    /// Unrouted events whose agent is now registered, or whose org hint now names an org.
    Result<QList<UnroutedEvent>> routableUnrouted(int limit);
    Result<void> deleteUnrouted(qint64 id);

    /// The data of one organization. Cheap; holds a reference to this store.
    OrgScope org(const QString &orgId) { return OrgScope(*this, orgId); }

    /// Runs a prepared (and cached) statement with positional bindings. The query stays
    /// valid until the same SQL is run again; call finish() on it when done reading.
    Result<QSqlQuery *> run(const QString &sql, std::initializer_list<QVariant> bindings);
    Result<QSqlQuery *> run(const QString &sql, const QVariantList &bindings);

    /// Runs a statement whose rows, if any, are not needed.
    Result<void> execute(const QString &sql, const QVariantList &bindings = {});
    /// Runs a query and reads its first row, if there is one, with @p read(const QSqlQuery &).
    template<typename Read>
    auto one(const QString &sql, const QVariantList &bindings, Read read)
        -> Result<std::optional<std::invoke_result_t<Read, const QSqlQuery &>>>
    {
        auto q = run(sql, bindings);
        if (!q)
            return q.error();
        std::optional<std::invoke_result_t<Read, const QSqlQuery &>> row;
        if ((*q)->next())
            row = read(std::as_const(**q));
        (*q)->finish();
        return row;
    }
    /// Runs a query and reads every row with @p read(const QSqlQuery &).
    template<typename Read>
    auto all(const QString &sql, const QVariantList &bindings, Read read)
        -> Result<QList<std::invoke_result_t<Read, const QSqlQuery &>>>
    {
        auto q = run(sql, bindings);
        if (!q)
            return q.error();
        QList<std::invoke_result_t<Read, const QSqlQuery &>> rows;
        while ((*q)->next())
            rows.append(read(std::as_const(**q)));
        (*q)->finish();
        return rows;
    }

    /// Statement text for this dialect: replaces `{id_pk}` and `{blob}`.
    QString dialectSql(QString sql) const;

private:
    Store(const DbConfig &config, const QString &connectionName);
    Result<void> exec(const QString &sql);
    Error sqlError(const QString &what, const QSqlQuery &query) const;

    DbConfig m_config;
    QString m_connectionName;
    QSqlDatabase m_db;
    SqlDialect m_dialect = SqlDialect::Sqlite;
    std::unordered_map<QString, std::unique_ptr<QSqlQuery>> m_prepared;
    bool m_inTransaction = false;
};

/// Bindings for nullable columns.
namespace sql {
QVariant text(const QString &value); ///< null for a null string
QVariant str(const QString &value); ///< never null: "" for a null string (NOT NULL columns)
QVariant time(const QDateTime &value); ///< epoch ms, or null
QVariant number(const std::optional<double> &value);
QVariant flag(const std::optional<bool> &value);
QDateTime timeAt(const QVariant &value);
std::optional<double> numberAt(const QVariant &value);
std::optional<bool> flagAt(const QVariant &value);
qint64 nowMs();
/// Escapes `\`, `%` and `_` for a LIKE pattern with ESCAPE '\'.
QString likeEscaped(const QString &text);
} // namespace sql

} // namespace cb
