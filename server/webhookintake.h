#pragma once

#include "httpconnection.h"
#include "storetypes.h"

#include "core/enums.h"

#include <QElapsedTimer>
#include <QObject>
#include <QStringList>

namespace cb {

class Store;
class StoreWriter;

/// Server-wide webhook credentials (flags and environment); per-org ones live in the
/// store's provider settings. A server-wide secret lets an event reach any org; a
/// per-org secret only that org.
struct WebhookAuthSettings
{
    QByteArray bolnaSecret; ///< `x-callboard-token` header or `?token=`
    QStringList bolnaAllowIps; ///< addresses/CIDR Bolna may post from; empty: any
    QByteArray vapiSecret; ///< `x-vapi-secret` or Bearer; "hmac:<secret>" for HMAC
    QByteArray retellApiKey; ///< the key Retell signs `x-retell-signature` with
    /// Accept webhooks of a provider for which no secret is configured anywhere. For
    /// local development only.
    bool allowUnsigned = false;
};

/// The webhook endpoints (DESIGN §3 Intake): size cap → authenticate → parse with a
/// depth cap → map → hand to the store writer → answer 2xx only after the commit.
class WebhookIntake final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WebhookIntake)

public:
    WebhookIntake(Store &store, StoreWriter &writer, WebhookAuthSettings settings,
                  QObject *parent = nullptr);

    void handle(Provider provider, const HttpRequest &request, const HttpResponder &responder);

    static constexpr qsizetype maxBodyBytes = 1024 * 1024;
    static constexpr int maxDepth = 64;

private:
    /// The org the request proved to speak for ("" for a server-wide secret), or an error.
    Result<QString> authenticate(Provider provider, const HttpRequest &request);
    const QList<WebhookSecret> &orgSecrets(Provider provider);

    Store &m_store;
    StoreWriter &m_writer;
    WebhookAuthSettings m_settings;
    struct SecretCache
    {
        QList<WebhookSecret> secrets;
        QElapsedTimer age;
    };
    SecretCache m_cache[3];
};

} // namespace cb
