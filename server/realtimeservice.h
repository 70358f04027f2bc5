#pragma once

#include "hub.h"

#include "core/result.h"

#include <QObject>
#include <QString>

#include <memory>

namespace cb {

class ServerApp;

/// Attaches the realtime hub to a ServerApp (DESIGN §3 "Realtime"):
/// - WebSocket upgrades for `/socket.io/` go to the hub; plain requests there get
///   engine.io's 400 (`{"code":0,"message":"Transport unknown"}` for polling);
/// - tokens are checked with the server's Auth, `org:join` with the membership and the
///   org's last seq, `metrics:updated` comes from the store;
/// - every change on the ChangeFeed is published to its org's room;
/// - with PostgreSQL, instances LISTEN on one channel and NOTIFY (org, call, seq, kind)
///   after each local change; the others load the row and publish it to their members,
///   holding events behind a seq gap briefly so each room stays in seq order.
///
/// Create it before ServerApp::start(), call start() after.
class RealtimeService final : public QObject
{
    Q_OBJECT

public:
    /// The PostgreSQL channel instances notify each other on.
    static constexpr const char *channel = "callboard_changes";

    explicit RealtimeService(ServerApp &app, HubOptions options = {}, QObject *parent = nullptr);
    ~RealtimeService() override;
    Q_DISABLE_COPY_MOVE(RealtimeService)

    /// With a PostgreSQL store, opens the LISTEN connection. Call after ServerApp::start().
    Result<void> start();

    Hub &hub() { return *m_hub; }
    /// True when changes travel between instances (PostgreSQL).
    bool isShared() const { return !m_listenConnection.isEmpty(); }

    /// HubOptions with the defaults overridden by CALLBOARD_PING_INTERVAL_MS,
    /// CALLBOARD_PING_TIMEOUT_MS, CALLBOARD_CONNECT_TIMEOUT_MS and
    /// CALLBOARD_MAX_SEND_QUEUE_BYTES when set.
    static HubOptions optionsFromEnvironment();

private:
    class Access;
    class MetricsSource;

    void onLocalChange(const QString &orgId, qint64 seq, const Call &call, int kind);
    void onNotification(const QString &name, const QVariant &payload);

    ServerApp &m_app;
    std::unique_ptr<Access> m_access;
    std::unique_ptr<MetricsSource> m_metrics;
    std::unique_ptr<Hub> m_hub;
    QString m_instanceId;
    QString m_listenConnection;
};

} // namespace cb
