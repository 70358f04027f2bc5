#pragma once

#include "core/enums.h"
#include "core/json.h"
#include "core/normalizedevent.h"
#include "core/result.h"

#include <QObject>
#include <QStringList>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>

class QNetworkAccessManager;
class QNetworkReply;

namespace cb {

/// Where and how to reach one provider for one organization.
struct ProviderClientConfig
{
    Provider provider = Provider::Bolna;
    QUrl baseUrl; ///< e.g. https://api.vapi.ai, or a callboard-sim URL such as
                  ///< http://127.0.0.1:PORT/vapi
    QString apiKey;
    int timeoutMs = 10000; ///< per attempt
    int maxAttempts = 3; ///< first try included
    int backoffMs = 500; ///< doubled after each failed attempt
};

/// The provider's default base URL (https://api.bolna.ai, https://api.vapi.ai,
/// https://api.retellai.com).
QUrl defaultProviderBaseUrl(Provider provider);

/// What Callboard asks a provider to dial.
struct OutboundCallRequest
{
    QString providerAgentId;
    QString toNumber; ///< E.164
    QString fromNumber; ///< E.164 caller id (Vapi: a phone number id is also accepted)
    QString callId; ///< our call id, sent back to us in the provider's metadata
    QString orgId;
    bool isTest = false;
};

/// The provider's answer to a start-call request.
struct StartedCall
{
    QString providerCallId;
    QString rawStatus;
    Json response;
};

/// A provider's current view of one call.
struct PolledCall
{
    NormalizedEvent event; ///< same dedup key as the webhook for that state
    Json raw; ///< the provider's call object, as received
};

/// An agent's webhook configuration at its provider.
struct AgentWebhook
{
    QString url; ///< null when none is set
    /// Vapi serverMessages / Retell webhook_events (the provider's defaults when it reports none);
    /// empty for Bolna, which has no such list.
    QStringList events;
};

/// One provider's REST API, as Callboard uses it (DESIGN §3 "Providers"): start a call,
/// read a call's state, read and set an agent's webhook. Every operation is
/// asynchronous and finishes by calling its callback once, on the client's thread.
///
/// Failures carry the provider's own message. Error codes: `provider_rejected` (4xx),
/// `provider_unauthorized` (401/403), `provider_unavailable` (5xx after the retries),
/// `provider_timeout`, `provider_unreachable`, `provider_bad_response` (a 2xx the client
/// cannot read). GETs and PATCHes are retried with exponential backoff on 5xx, 429,
/// timeouts and network errors; starting a call is retried only when the provider
/// cannot have acted on it (5xx, refused connection), never after a timeout, so a call
/// is never placed twice. 4xx answers are never retried.
class ProviderClient : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProviderClient)

public:
    template<typename T>
    using Callback = std::function<void(Result<T>)>;

    ~ProviderClient() override;

    Provider provider() const { return m_config.provider; }
    const ProviderClientConfig &config() const { return m_config; }

    virtual void startCall(const OutboundCallRequest &request, Callback<StartedCall> done) = 0;
    virtual void getCall(const QString &providerCallId, Callback<PolledCall> done) = 0;
    virtual void getAgentWebhook(const QString &providerAgentId, Callback<AgentWebhook> done) = 0;
    /// Points the agent's webhook at @p webhook.url. For Vapi and Retell the event list
    /// is the union of what the agent already receives and @p webhook.events.
    virtual void setAgentWebhook(const QString &providerAgentId, const AgentWebhook &webhook,
                                 Callback<void> done) = 0;

    /// The events Callboard needs from @p provider: Vapi status-update and end-of-call-report,
    /// Retell call_started, call_ended and call_analyzed.
    static QStringList requiredEvents(Provider provider);

    /// Requests made so far, retries included (for diagnostics and tests).
    qint64 requestCount() const { return m_requests; }

protected:
    ProviderClient(ProviderClientConfig config, QObject *parent);

    enum class Retry { Always, OnlyIfNotReceived };

    /// Sends @p verb @p path (relative to the base URL) with an optional JSON body and
    /// hands the parsed JSON answer of a 2xx to @p done.
    void send(const QByteArray &verb, const QString &path, const std::optional<Json> &body,
              Retry retry, Callback<Json> done);
    /// Percent-encodes an id for use as one path segment.
    static QString segment(const QString &id);
    /// What every provider carries back to us in its payloads' metadata: our call id, the
    /// org (the mappers' `metadata.org_id` routing hint) and the test flag.
    static Json callMetadata(const OutboundCallRequest &request);
    /// @p current with the entries of @p required it lacks appended.
    static QStringList unite(QStringList current, const QStringList &required);

private:
    struct Pending;
    void attempt(std::shared_ptr<Pending> pending);
    void finished(QNetworkReply *reply, std::shared_ptr<Pending> pending);

    ProviderClientConfig m_config;
    QNetworkAccessManager *m_network;
    qint64 m_requests = 0;
};

/// The client for @p config.provider.
std::unique_ptr<ProviderClient> makeProviderClient(const ProviderClientConfig &config,
                                                   QObject *parent = nullptr);

/// The provider's message in an error body: Bolna `{error, message}`, Vapi
/// `{message (string or list), error, statusCode}`, Retell `{error_message}`, FastAPI
/// `{detail}`; falls back to the HTTP reason.
QString providerErrorMessage(const Json &body, int httpStatus);

} // namespace cb
