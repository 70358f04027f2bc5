#pragma once

#include "auth.h"
#include "changefeed.h"
#include "httpserver.h"
#include "ratelimiter.h"
#include "restapi.h"
#include "router.h"
#include "serverconfig.h"
#include "store.h"
#include "storewriter.h"
#include "webhookintake.h"

#include <QObject>
#include <QTimer>

#include <memory>
#include <optional>

namespace cb {

/// The running backend: the main-thread store connection (reads, sessions), the store
/// writer (every call change), the HTTP server with the REST routes and webhook intake,
/// and the change feed. Other layers attach here:
/// - the realtime hub subscribes to changeFeed() and takes WebSocket upgrades through
///   setUpgradeHandler(); it authenticates with auth() and reads with store();
/// - provider clients and the poller feed results through writer() (see ingest.h) and
///   can replace the 501 routes on router() with RestApi::orgRoute().
class ServerApp final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServerApp)

public:
    explicit ServerApp(ServerConfig config, QObject *parent = nullptr);
    ~ServerApp() override;

    /// Opens and migrates the store, seeds the demo if asked, starts the writer and
    /// listens. Returns the bound port.
    Result<quint16> start();
    /// Stops accepting, lets requests in flight finish (at most @p graceMs), stops the
    /// writer after its queue is committed, then emits stopped().
    void shutdown(int graceMs = 5000);

    const ServerConfig &config() const { return m_config; }
    Store &store() { return *m_store; }
    Auth &auth() { return *m_auth; }
    StoreWriter &writer() { return *m_writer; }
    ChangeFeed &changeFeed() { return m_feed; }
    Router &router() { return m_router; }
    RestApi &restApi() { return *m_rest; }
    HttpServer &http() { return m_http; }

    /// Takes WebSocket upgrade requests (for `/socket.io/`); see HttpServer::setUpgradeHandler().
    void setUpgradeHandler(HttpConnection::UpgradeHandler handler)
    {
        m_upgradeHandler = std::move(handler);
    }

Q_SIGNALS:
    void stopped();

private:
    void handle(const HttpRequest &request, const HttpResponder &responder);
    /// The 429 answer when @p request is over its rate limit.
    std::optional<HttpResponse> rateLimit(const HttpRequest &request);
    /// Who sent @p request: its peer, or behind a trusted local proxy the forwarded client.
    QHostAddress clientAddress(const HttpRequest &request) const;
    void replayUnrouted();

    ServerConfig m_config;
    std::unique_ptr<Store> m_store;
    std::unique_ptr<Auth> m_auth;
    ChangeFeed m_feed;
    std::unique_ptr<StoreWriter> m_writer;
    Router m_router;
    std::unique_ptr<RestApi> m_rest;
    std::unique_ptr<WebhookIntake> m_intake;
    HttpServer m_http;
    RateLimiter m_webhookLimiter;
    RateLimiter m_apiLimiter;
    HttpConnection::UpgradeHandler m_upgradeHandler;
    QTimer m_replayTimer;
    QTimer m_purgeTimer;
    bool m_replayPending = false;
    bool m_shuttingDown = false;
};

} // namespace cb
