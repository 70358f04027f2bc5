#pragma once

#include "storetypes.h"

#include "core/result.h"

#include <QDateTime>

#include <chrono>
#include <optional>

namespace cb {

class Store;

/// A signed-in user, as the REST routes and the realtime hub see them.
struct AuthUser
{
    QString id;
    QString email;
    QString name;
};

/// Bearer-token sessions: 256-bit random tokens handed out once, stored only as their
/// SHA-256, with an expiry; logout revokes. Password checks are slow on purpose and
/// live in passwordhash, so callers run them off the event loop.
class Auth
{
public:
    explicit Auth(Store &store, std::chrono::seconds tokenLifetime = std::chrono::hours(12));

    std::chrono::seconds tokenLifetime() const { return m_lifetime; }

    struct Session
    {
        QString token; ///< shown to the client once; only its hash is kept
        QDateTime expiresAt;
    };
    /// Starts a session for @p userId (whose password was verified).
    Result<Session> createSession(const QString &userId);
    /// The user behind a bearer token; fails with "unauthorized" for unknown, expired
    /// or revoked tokens.
    Result<AuthUser> authenticate(const QString &token);
    Result<void> logout(const QString &token);
    /// The user's role in @p orgId, or nothing when not a member.
    Result<std::optional<Role>> roleIn(const QString &userId, const QString &orgId);
    Result<qint64> lastSeq(const QString &orgId);

    static QByteArray tokenHash(const QString &token);
    static QString newToken();

private:
    Store &m_store;
    std::chrono::seconds m_lifetime;
};

} // namespace cb
