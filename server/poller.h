#pragma once

#include "pollerconfig.h"
#include "restapi.h"

#include "server/providers/providerclient.h"

#include "core/call.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>
#include <unordered_map>

namespace cb {

class ServerApp;
class Store;

/// Starts calls at the providers and polls them (DESIGN §3 "Fallback and reconciliation"):
/// - `POST /api/orgs/{org}/calls` creates the row at once, then asks the provider; a
///   provider error marks the call failed with the provider's message;
/// - after a start, the call is polled every pollIntervalMs for up to pollWindowMs or
///   until it is finalized, each answer going through the same intake and merge as a
///   webhook, with the webhook's dedup key, so a poll and a webhook count once;
/// - `POST …/calls/{id}/refresh` polls one call now.
/// Provider clients are made per org and provider from the org's stored settings.
class Poller final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Poller)

public:
    Poller(ServerApp &app, PollerConfig config, QObject *parent = nullptr);
    ~Poller() override;

    const PollerConfig &config() const { return m_config; }
    void setBaseUrlOverride(Provider provider, const QUrl &url);
    void setPublicUrl(const QUrl &url) { m_config.publicUrl = url; }

    /// Replaces the 501 routes for starting and refreshing calls.
    void registerRoutes();

    /// The client for @p orgId's account at @p provider (`provider_not_configured` when the
    /// org has no settings for it).
    Result<ProviderClient *> client(const QString &orgId, Provider provider);

    /// Asks the provider about one call now and records the answer. @p done gets the call as
    /// stored afterwards, or the provider's (or store's) error.
    void pollNow(const QString &orgId, const QString &callId,
                 std::function<void(Result<Call>)> done);

    /// Starts a call the way the REST route does; @p done gets the stored call and, when the
    /// provider refused, its error.
    struct StartRequest
    {
        QString orgId;
        QString agentId;
        QString toNumber;
        bool isTest = false;
        QString userId;
    };
    void startCall(const StartRequest &request,
                   std::function<void(Result<Call>, std::optional<Error> providerError)> done);

    /// Polls @p call in the background until it is finalized or the window closes.
    void watch(const Call &call);
    int pollsRunning(const QString &orgId) const;
    int pollsRunning() const { return int(m_watches.size()); }

private:
    struct Watch
    {
        QString orgId;
        QString callId;
        QElapsedTimer since;
        qint64 dueMs = 0;
        QString lastDedupKey;
        int terminalPolls = 0;
        bool inFlight = false;
    };

    void startRoute(const RestApi::Caller &caller, const HttpRequest &request,
                    HttpResponder responder);
    void refreshRoute(const RestApi::Caller &caller, const QString &callId,
                      HttpResponder responder);
    void tick();
    void pollWatched(const QString &callId);
    void record(const QString &orgId, const PolledCall &polled,
                std::function<void(Result<void>)> done);

    ServerApp &m_app;
    PollerConfig m_config;
    struct CachedClient
    {
        QString baseUrl;
        QString apiKey;
        std::unique_ptr<ProviderClient> client;
    };
    std::unordered_map<QString, CachedClient> m_clients; ///< key: org id + '/' + provider
    QHash<QString, Watch> m_watches; ///< key: call id
    QElapsedTimer m_clock;
    QTimer m_timer;
};

/// Whether @p call is past its state's timeout at @p now (DESIGN §3): queued, initiated or
/// ringing longer than dialTimeoutMs; in progress longer than the maximum duration plus
/// inProgressGraceMs; ended without its final report longer than unfinalizedTimeoutMs.
bool isOverdue(const Call &call, const PollerConfig &config, const QDateTime &now);

} // namespace cb
