#pragma once

#include "simconfig.h"

#include "core/webhookauth.h"

#include <QHash>
#include <QObject>
#include <QUrl>

#include <random>

class QNetworkAccessManager;
class QNetworkReply;

namespace cb::sim {

/// Counters of what the simulator did with webhooks and polls.
struct SimStats
{
    qint64 webhooksSent = 0; ///< HTTP requests made, retries and duplicates included
    qint64 webhooksAcked = 0; ///< answered 2xx
    qint64 webhooksFailed = 0; ///< gave up after the provider's retries
    qint64 dropped = 0;
    qint64 duplicated = 0;
    qint64 reordered = 0;
    qint64 withheldFinals = 0;
    qint64 polls = 0;
    qint64 polls5xx = 0;
    qint64 callsStarted = 0;
    qint64 agentUpdatesRejected = 0;
};

/// One webhook a provider is about to post.
struct OutgoingWebhook
{
    Provider provider = Provider::Bolna;
    QString callId;
    QUrl url;
    QByteArray body;
    HttpHeaders extraHeaders; ///< static headers the agent's configuration asks for
};

/// Posts webhooks the way each provider does: signed or authenticated per provider,
/// with the provider's timeout and retry policy (Retell and Bolna retry non-2xx up to
/// three times, Vapi not at all), and with the configured faults applied.
class WebhookDelivery final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WebhookDelivery)

public:
    WebhookDelivery(const SimConfig &config, SimStats &stats, QObject *parent = nullptr);
    ~WebhookDelivery() override;

    /// Sends @p webhook, drawing the fault decisions from @p rng (the call's own stream,
    /// so one call's faults do not depend on other calls).
    void send(OutgoingWebhook webhook, std::mt19937_64 &rng);
    /// Releases a webhook of @p callId held back for reordering.
    void releaseHeld(const QString &callId);
    int inFlight() const { return m_inFlight; }

private:
    void dispatch(const OutgoingWebhook &webhook, int attempt);
    void post(const OutgoingWebhook &webhook, int attempt);
    void finished(QNetworkReply *reply, const OutgoingWebhook &webhook, int attempt);
    int retriesFor(Provider provider) const;
    int scaledMs(double nominalSeconds) const;

    const SimConfig &m_config;
    SimStats &m_stats;
    QNetworkAccessManager *m_network;
    QHash<QString, OutgoingWebhook> m_held;
    VapiAuthConfig m_vapiAuth;
    int m_inFlight = 0;
};

} // namespace cb::sim
