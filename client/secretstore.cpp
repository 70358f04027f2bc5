#include "secretstore.h"

#include "logging.h"

#include <QTimer>

#include <qt6keychain/keychain.h>

namespace cb {

namespace {

Error keychainError(QKeychain::Error error, const QString &detail)
{
    switch (error) {
    case QKeychain::EntryNotFound:
        return {QStringLiteral("not_found"), QStringLiteral("No saved session.")};
    case QKeychain::OtherError:
        // qtkeychain reports a missing session bus (no Secret Service, no KWallet) this way.
        if (!detail.contains(QStringLiteral("D-Bus"), Qt::CaseInsensitive) &&
            !detail.contains(QStringLiteral("org.freedesktop"), Qt::CaseInsensitive))
            return {QStringLiteral("keychain_error"),
                    QStringLiteral("The keychain failed: %1").arg(detail)};
        Q_FALLTHROUGH();
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        return {
            QStringLiteral("no_keychain"),
            QStringLiteral(
                "No keychain service is running (%1). Start one (GNOME Keyring, KWallet) or choose "
                "to keep the session in memory only (--no-keychain).")
                .arg(detail)};
    case QKeychain::AccessDeniedByUser:
    case QKeychain::AccessDenied:
        return {QStringLiteral("keychain_denied"),
                QStringLiteral("Access to the keychain was denied (%1).").arg(detail)};
    default:
        return {QStringLiteral("keychain_error"),
                QStringLiteral("The keychain failed: %1").arg(detail)};
    }
}

} // namespace

SecretStore::~SecretStore() = default;

KeychainStore::KeychainStore(const QString &service, QObject *parent)
    : SecretStore(parent), m_service(service)
{ }

KeychainStore::~KeychainStore() = default;

void KeychainStore::read(const QString &key, ReadHandler done)
{
    auto *job = new QKeychain::ReadPasswordJob(m_service, this);
    job->setInsecureFallback(false);
    job->setAutoDelete(true);
    job->setKey(key);
    connect(job, &QKeychain::Job::finished, this, [job, done = std::move(done)](QKeychain::Job *) {
        if (job->error() != QKeychain::NoError)
            done(keychainError(job->error(), job->errorString()));
        else
            done(job->binaryData());
    });
    job->start();
}

void KeychainStore::write(const QString &key, const QByteArray &secret, DoneHandler done)
{
    auto *job = new QKeychain::WritePasswordJob(m_service, this);
    job->setInsecureFallback(false);
    job->setAutoDelete(true);
    job->setKey(key);
    job->setBinaryData(secret);
    connect(job, &QKeychain::Job::finished, this, [job, done = std::move(done)](QKeychain::Job *) {
        if (job->error() != QKeychain::NoError)
            done(keychainError(job->error(), job->errorString()));
        else
            done({});
    });
    job->start();
}

void KeychainStore::remove(const QString &key, DoneHandler done)
{
    auto *job = new QKeychain::DeletePasswordJob(m_service, this);
    job->setInsecureFallback(false);
    job->setAutoDelete(true);
    job->setKey(key);
    connect(job, &QKeychain::Job::finished, this, [job, done = std::move(done)](QKeychain::Job *) {
        if (job->error() != QKeychain::NoError && job->error() != QKeychain::EntryNotFound)
            done(keychainError(job->error(), job->errorString()));
        else
            done({});
    });
    job->start();
}

MemorySecretStore::MemorySecretStore(QObject *parent) : SecretStore(parent) { }

MemorySecretStore::~MemorySecretStore() = default;

void MemorySecretStore::read(const QString &key, ReadHandler done)
{
    Result<QByteArray> result = !m_failure.code.isEmpty() ? Result<QByteArray>(m_failure)
        : m_secrets.contains(key)                         ? Result<QByteArray>(m_secrets.value(key))
                                  : Result<QByteArray>(Error{QStringLiteral("not_found"),
                                                             QStringLiteral("No saved session.")});
    QTimer::singleShot(0, this, [result, done = std::move(done)] { done(result); });
}

void MemorySecretStore::write(const QString &key, const QByteArray &secret, DoneHandler done)
{
    Result<void> result;
    if (!m_failure.code.isEmpty())
        result = m_failure;
    else
        m_secrets.insert(key, secret);
    QTimer::singleShot(0, this, [result, done = std::move(done)] { done(result); });
}

void MemorySecretStore::remove(const QString &key, DoneHandler done)
{
    Result<void> result;
    if (!m_failure.code.isEmpty())
        result = m_failure;
    else
        m_secrets.remove(key);
    QTimer::singleShot(0, this, [result, done = std::move(done)] { done(result); });
}

} // namespace cb
