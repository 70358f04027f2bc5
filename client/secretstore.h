#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QString>

#include <functional>

namespace cb {

/// Where the session token is kept between runs. Asynchronous, because OS keychains are.
/// Error codes: `not_found`, `no_keychain` (no keychain service is running), `keychain_denied`,
/// `keychain_error`.
class SecretStore : public QObject
{
    Q_OBJECT

public:
    using ReadHandler = std::function<void(const Result<QByteArray> &)>;
    using DoneHandler = std::function<void(const Result<void> &)>;

    using QObject::QObject;
    ~SecretStore() override;

    virtual void read(const QString &key, ReadHandler done) = 0;
    virtual void write(const QString &key, const QByteArray &secret, DoneHandler done) = 0;
    virtual void remove(const QString &key, DoneHandler done) = 0;
};

/// The OS keychain through qtkeychain (Secret Service, KWallet, macOS Keychain, Windows
/// Credential Store), with qtkeychain's insecure plain-text fallback turned off.
class KeychainStore final : public SecretStore
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KeychainStore)

public:
    explicit KeychainStore(const QString &service = QStringLiteral("Callboard"),
                           QObject *parent = nullptr);
    ~KeychainStore() override;

    void read(const QString &key, ReadHandler done) override;
    void write(const QString &key, const QByteArray &secret, DoneHandler done) override;
    void remove(const QString &key, DoneHandler done) override;

private:
    QString m_service;
};

/// Keeps secrets in this process only (`--no-keychain`, tests).
class MemorySecretStore final : public SecretStore
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MemorySecretStore)

public:
    explicit MemorySecretStore(QObject *parent = nullptr);
    ~MemorySecretStore() override;

    void read(const QString &key, ReadHandler done) override;
    void write(const QString &key, const QByteArray &secret, DoneHandler done) override;
    void remove(const QString &key, DoneHandler done) override;

    /// Makes every call fail with @p error (tests of a missing keychain); empty code clears it.
    void setFailure(const Error &error) { m_failure = error; }
    bool contains(const QString &key) const { return m_secrets.contains(key); }

private:
    QHash<QString, QByteArray> m_secrets;
    Error m_failure;
};

} // namespace cb
