#include "serverapp.h"

#include "demoseed.h"
#include "ingest.h"
#include "logging.h"

#include <QCryptographicHash>
#include <QElapsedTimer>

namespace cb {

ServerApp::ServerApp(ServerConfig config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_webhookLimiter(m_config.webhookRate, 2 * m_config.webhookRate)
    , m_apiLimiter(m_config.apiRate, 2 * m_config.apiRate)
{ }

ServerApp::~ServerApp()
{
    m_replayTimer.stop();
    if (m_writer)
        m_writer->stop();
}

Result<quint16> ServerApp::start()
{
    auto store = Store::open(m_config.db, QStringLiteral("callboard-main"));
    if (!store)
        return store.error();
    m_store = std::move(*store);
    if (auto r = m_store->migrate(); !r)
        return r.error();
    if (m_config.demo) {
        if (auto r = seedDemo(*m_store); !r)
            return r.error();
    }
    m_auth = std::make_unique<Auth>(*m_store, m_config.tokenLifetime);
    m_writer = std::make_unique<StoreWriter>(m_config.db, &m_feed, this);
    m_writer->setMaxBatch(m_config.maxBatch);
    if (auto r = m_writer->start(); !r)
        return r.error();

    m_rest = std::make_unique<RestApi>(*m_store, *m_auth, *m_writer, this);
    m_rest->registerRoutes(m_router);
    m_intake = std::make_unique<WebhookIntake>(*m_store, *m_writer, m_config.webhooks, this);
    const std::pair<Provider, QString> hooks[] = {
        {Provider::Bolna, QStringLiteral("/api/webhooks/bolna/call-status")},
        {Provider::Vapi, QStringLiteral("/api/webhooks/vapi")},
        {Provider::Retell, QStringLiteral("/api/webhooks/retell")},
    };
    for (const auto &[provider, path] : hooks) {
        m_router.add("POST", path,
                     [this, provider](const HttpRequest &request, const RouteParams &,
                                      HttpResponder r) { m_intake->handle(provider, request, r); });
    }

    m_http.setLimits(m_config.http);
    m_http.setRequestHandler([this](const HttpRequest &request, HttpResponder responder) {
        handle(request, responder);
    });
    m_http.setUpgradeHandler([this](const HttpRequest &request, QTcpSocket *socket) {
        return m_upgradeHandler && !m_shuttingDown && m_upgradeHandler(request, socket);
    });
    auto port = m_http.listen(m_config.listenAddress, m_config.port);
    if (!port)
        return port.error();

    connect(&m_replayTimer, &QTimer::timeout, this, &ServerApp::replayUnrouted);
    m_replayTimer.start(2000);
    replayUnrouted();
    connect(&m_purgeTimer, &QTimer::timeout, this,
            [this] { m_store->purgeSessions(QDateTime::currentDateTimeUtc().addDays(-1)); });
    m_purgeTimer.start(3600 * 1000);
    qCInfo(lcHttp) << "store" << m_config.db.describe() << "listening on port" << *port;
    return port;
}

void ServerApp::handle(const HttpRequest &request, const HttpResponder &responder)
{
    if (auto refusal = rateLimit(request)) {
        responder.send(std::move(*refusal));
        return;
    }
    m_router.dispatch(request, responder);
}

namespace {

/// The rate-limit key of a client address: IPv4 (also when mapped into IPv6) as is, IPv6
/// by its /64, which is what one client usually holds.
QByteArray addressKey(const QHostAddress &peer)
{
    bool isV4 = false;
    const quint32 v4 = peer.toIPv4Address(&isV4);
    if (isV4)
        return "4:" + QByteArray::number(v4);
    const Q_IPV6ADDR v6 = peer.toIPv6Address();
    return "6:" + QByteArray(reinterpret_cast<const char *>(v6.c), 8).toHex();
}

bool isLoopback(const QHostAddress &peer)
{
    bool isV4 = false;
    const quint32 v4 = peer.toIPv4Address(&isV4);
    return isV4 ? (v4 >> 24) == 127 : peer.isLoopback();
}

} // namespace

QHostAddress ServerApp::clientAddress(const HttpRequest &request) const
{
    if (!m_config.trustProxy || !isLoopback(request.peer))
        return request.peer;
    // The proxy appends the address it saw; earlier entries are the client's own say.
    const QByteArray forwarded = request.header("x-forwarded-for");
    const QHostAddress address(
        QString::fromLatin1(forwarded.mid(forwarded.lastIndexOf(',') + 1).trimmed()));
    return address.isNull() ? request.peer : address;
}

std::optional<HttpResponse> ServerApp::rateLimit(const HttpRequest &request)
{
    RateLimiter *limiter = nullptr;
    if (request.path.startsWith("/api/webhooks/"))
        limiter = &m_webhookLimiter;
    else if (request.path.startsWith("/api/"))
        limiter = &m_apiLimiter;
    if (!limiter || !limiter->isEnabled())
        return std::nullopt;
    const QHostAddress client = clientAddress(request);
    if (!m_config.rateLimitLoopback && isLoopback(client))
        return std::nullopt;
    QByteArray key;
    // REST per session, keyed by a digest so the limiter never holds a usable token.
    if (limiter == &m_apiLimiter) {
        if (const QString token = request.bearerToken(); !token.isEmpty())
            key = "t:" +
                QCryptographicHash::hash(token.toUtf8(), QCryptographicHash::Sha256).left(16);
    }
    if (key.isEmpty())
        key = addressKey(client);
    const RateLimiter::Decision decision = limiter->take(key);
    if (decision.allowed)
        return std::nullopt;
    qCDebug(lcHttp) << "rate limited" << request.method << request.path << "from"
                    << client.toString();
    HttpResponse response = HttpResponse::error(
        429, QStringLiteral("rate_limited"),
        QStringLiteral("too many requests; retry in %1 s").arg(decision.retryAfterSeconds));
    response.headers.append({"Retry-After", QByteArray::number(decision.retryAfterSeconds)});
    return response;
}

void ServerApp::replayUnrouted()
{
    if (m_replayPending || m_shuttingDown)
        return;
    m_replayPending = true;
    m_writer->submit(
        [](Store &store) -> Result<StoreWriter::Output> {
            auto changes = cb::replayUnrouted(store);
            if (!changes)
                return changes.error();
            return StoreWriter::Output{*changes, Json()};
        },
        [this](const Result<StoreWriter::Output> &result) {
            m_replayPending = false;
            if (result && !result->changes.isEmpty())
                qCInfo(lcIntake) << "routed" << result->changes.size()
                                 << "formerly unrouted events";
            else if (!result)
                qCWarning(lcIntake)
                    << "replaying unrouted events failed:" << result.error().message;
        });
}

void ServerApp::shutdown(int graceMs)
{
    if (m_shuttingDown)
        return;
    m_shuttingDown = true;
    m_replayTimer.stop();
    m_http.stopListening();
    auto *poll = new QTimer(this);
    auto clock = std::make_shared<QElapsedTimer>();
    clock->start();
    connect(poll, &QTimer::timeout, this, [this, poll, clock, graceMs] {
        const bool idle = m_http.connectionCount() == 0 && (!m_writer || m_writer->queued() == 0);
        if (!idle && clock->elapsed() < graceMs)
            return;
        poll->stop();
        poll->deleteLater();
        if (m_writer)
            m_writer->stop();
        qCInfo(lcHttp) << "stopped";
        Q_EMIT stopped();
    });
    poll->start(20);
}

} // namespace cb
