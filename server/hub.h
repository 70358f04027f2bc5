#pragma once

#include "hubaccess.h"
#include "realtimewebsocket.h"

#include "core/call.h"
#include "core/json.h"
#include "core/socketio.h"

#include <QBasicTimer>
#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>

#include <map>

class QTcpSocket;

namespace cb {

class HubConnection;
struct HttpRequestHead;

/// Settings of the realtime endpoint; the defaults are a stock socket.io 4.8 server's.
struct HubOptions
{
    int pingIntervalMs = 25000;
    int pingTimeoutMs = 20000;
    int connectTimeoutMs = 45000;
    qint64 maxPayload = 1000000; ///< largest message a client may send, bytes
    /// Bytes a client may have waiting to be sent before it is dropped as too slow.
    qint64 maxSendQueueBytes = 4 * 1024 * 1024;
    /// Under load, frames are written to the clients at most once per this many ms, so
    /// each client gets one write with all events of the window; when idle, at once.
    /// The window in use follows the time the last write round took, up to this.
    int coalesceMs = 10;
    /// Least time between two `metrics:updated` of one organization.
    int metricsIntervalMs = 1000;
    /// With several server instances, changes can reach this one out of seq order: an
    /// event after a gap waits this long for the missing ones. 0 sends in arrival order.
    int reorderHoldMs = 0;
    /// Socket.IO connections one user may hold at once; the next CONNECT gets
    /// CONNECT_ERROR `too_many_connections` and is closed. 0 is unlimited.
    int maxConnectionsPerUser = 0;
};

/// The event a committed change of a call becomes.
enum class CallEvent { Created, Updated, Deleted };

/// The realtime hub: Socket.IO rooms `org:<id>` on the REST port (DESIGN §3 "Realtime").
///
/// Connections arrive as TCP sockets whose unread request targets `/socket.io/` (the HTTP
/// server's upgrade hook); the hub answers refused handshakes as engine.io does and keeps
/// the WebSocket ones. Clients CONNECT with `{"token"}`, then `org:join` / `org:leave` rooms.
/// After each committed change the server calls publishCall() or publishDeleted(): the
/// event is encoded once per organization and the same frame is written to every member,
/// in seq order; `metrics:updated` follows at most once per metricsIntervalMs per org, and
/// once to a client right after it joins.
class Hub final : public QObject
{
    Q_OBJECT

public:
    explicit Hub(HubAccess &access, HubOptions options = {}, QObject *parent = nullptr);
    ~Hub() override;
    Q_DISABLE_COPY_MOVE(Hub)

    const HubOptions &options() const { return m_options; }
    void setMetricsSource(HubMetricsSource *source) { m_metrics = source; }

    /// Offers a connection whose request is still unread in @p socket. Returns false, and
    /// leaves the socket alone, when the request does not target `/socket.io/`. Otherwise
    /// the hub owns the socket: refused handshakes get engine.io's answer, the rest become
    /// clients. A head not yet complete is waited for.
    bool acceptUpgrade(QTcpSocket *socket);

    /// A committed change of a call (the transcript is never sent).
    void publishCall(const QString &orgId, qint64 seq, CallEvent event, const Call &call);
    /// A committed deletion.
    void publishDeleted(const QString &orgId, qint64 seq, const QString &callId);
    /// A seq this instance will never publish (its change was superseded before it could
    /// be loaded); lets events held behind it go.
    void skipSeq(const QString &orgId, qint64 seq);
    /// Asks for a `metrics:updated` (throttled) without a call event, e.g. after a
    /// reconciler pass.
    void markMetricsDirty(const QString &orgId);

    int connectionCount() const { return int(m_connections.size()); }
    int memberCount(const QString &orgId) const;
    /// Clients dropped because their send queue went over the bound, since start.
    qint64 overflowCount() const { return m_overflows; }

    /// 20 characters of URL-safe base64 from 15 random bytes, like engine.io's ids.
    static QString randomId();

Q_SIGNALS:
    void connectionCountChanged(int count);

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    friend class HubConnection;

    struct PendingEvent
    {
        QByteArray frame; ///< empty for a skipped seq
        qint64 heldSinceMs = 0;
    };
    struct Room
    {
        QList<HubConnection *> members;
        qint64 lastSeq = -1; ///< -1 until the first event
        std::map<qint64, PendingEvent> pending;
        qint64 lastMetricsMs = -1;
        bool metricsDirty = false;
        /// The last `metrics:updated` frame, reused for joins until a change or
        /// metricsIntervalMs.
        QByteArray metricsCache;
        qint64 metricsCacheMs = -1;
    };

    void readHead(QTcpSocket *socket);
    void handleHttp(QTcpSocket *socket, const HttpRequestHead &head);
    void handlePacket(HubConnection &connection, sio::SioPacket packet);
    void handleConnect(HubConnection &connection, const sio::SioPacket &packet);
    void handleEvent(HubConnection &connection, const sio::SioPacket &packet);
    void join(HubConnection &connection, const Json &args, std::optional<qint64> ackId);
    void leave(HubConnection &connection, const Json &args, std::optional<qint64> ackId);
    void leaveAll(HubConnection &connection);
    void removeConnection(HubConnection *connection);
    /// Forgets the Socket.IO session of @p connection (rooms and its user's slot).
    void endSession(HubConnection &connection);

    void offer(const QString &orgId, qint64 seq, QByteArray frame);
    void broadcast(Room &room, const QByteArray &frame);
    void releasePending(Room &room, bool force);
    void noteChange(const QString &orgId, Room &room);
    void sendMetrics(const QString &orgId, Room &room);
    QByteArray metricsFrame(const QString &orgId);
    void armTicker();

    HubAccess &m_access;
    HubMetricsSource *m_metrics = nullptr;
    HubOptions m_options;
    QHash<QString, Room> m_rooms;
    QSet<HubConnection *> m_connections;
    QHash<QString, int> m_userConnections; ///< connected sockets per user id
    QElapsedTimer m_clock;
    QBasicTimer m_ticker;
    RealtimeFlusher m_flusher;
    qint64 m_overflows = 0;
};

} // namespace cb
