#include "auth.h"

#include "store.h"

#include <QCryptographicHash>
#include <QRandomGenerator>

namespace cb {

Auth::Auth(Store &store, std::chrono::seconds tokenLifetime)
    : m_store(store), m_lifetime(tokenLifetime)
{ }

QString Auth::newToken()
{
    QByteArray bytes(32, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), 8);
    return QString::fromLatin1(
        bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

QByteArray Auth::tokenHash(const QString &token)
{
    return QCryptographicHash::hash(token.toUtf8(), QCryptographicHash::Sha256).toHex();
}

Result<Auth::Session> Auth::createSession(const QString &userId)
{
    Session session{newToken(), QDateTime::currentDateTimeUtc().addSecs(m_lifetime.count())};
    if (auto r = m_store.insertSession(tokenHash(session.token), userId, session.expiresAt); !r)
        return r.error();
    return session;
}

Result<AuthUser> Auth::authenticate(const QString &token)
{
    const auto unauthorized = Result<AuthUser>::failure(
        QStringLiteral("unauthorized"), QStringLiteral("missing, expired or revoked token"));
    if (token.isEmpty() || token.size() > 200)
        return unauthorized;
    auto session = m_store.session(tokenHash(token), QDateTime::currentDateTimeUtc());
    if (!session)
        return session.error();
    if (!*session)
        return unauthorized;
    auto user = m_store.userById((*session)->userId);
    if (!user)
        return user.error();
    if (!*user)
        return unauthorized;
    return AuthUser{(*user)->id, (*user)->email, (*user)->name};
}

Result<void> Auth::logout(const QString &token)
{
    return m_store.revokeSession(tokenHash(token), QDateTime::currentDateTimeUtc());
}

Result<std::optional<Role>> Auth::roleIn(const QString &userId, const QString &orgId)
{
    return m_store.roleIn(userId, orgId);
}

Result<qint64> Auth::lastSeq(const QString &orgId)
{
    return m_store.org(orgId).lastSeq();
}

} // namespace cb
