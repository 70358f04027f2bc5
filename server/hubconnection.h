#pragma once

#include "core/socketio.h"

#include <QBasicTimer>
#include <QByteArray>
#include <QObject>
#include <QSet>
#include <QString>

namespace cb {

class Hub;
class RealtimeWebSocket;
struct HubOptions;

/// One client of the hub: an Engine.IO v4 session over a RealtimeWebSocket and its
/// Socket.IO socket on the main namespace.
///
/// Engine.IO is handled here as a stock engine.io 6 server does it: the open packet, the
/// server's pings, the pong deadline, `invalid heartbeat direction` for a client ping, the
/// connect timeout, and closing on any packet socket.io-parser would reject. Socket.IO
/// packets that survive decoding go to the Hub.
class HubConnection final : public QObject
{
    Q_OBJECT

public:
    HubConnection(Hub &hub, RealtimeWebSocket *socket, const HubOptions &options,
                  QObject *parent = nullptr);
    ~HubConnection() override;
    Q_DISABLE_COPY_MOVE(HubConnection)

    /// Sends the open packet and starts the timers.
    void start();

    const QString &engineId() const { return m_engineId; }
    /// The Socket.IO id of the main namespace; empty until CONNECT succeeded.
    const QString &socketId() const { return m_socketId; }
    const QString &userId() const { return m_userId; }
    bool isConnected() const { return !m_socketId.isEmpty(); }
    const QSet<QString> &orgs() const { return m_orgs; }
    bool isOpen() const;

    /// A frame made once for many receivers (RealtimeWebSocket::frame()).
    bool sendFrame(const QByteArray &frame);
    /// Encodes and sends one Socket.IO packet.
    bool sendPacket(const sio::SioPacket &packet);
    /// Closes the transport, as engine.io's `socket.close()` does (an empty close frame).
    void closeTransport(const char *reason);

Q_SIGNALS:
    /// Emitted once when the transport is gone; the hub then forgets the connection.
    void closed(cb::HubConnection *connection);

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    friend class Hub;

    void onText(const QByteArray &frame);
    void onBinary(const QByteArray &frame);
    void onPong();
    void schedulePing();

    Hub &m_hub;
    RealtimeWebSocket *m_socket;
    const HubOptions &m_options;
    QString m_engineId;
    QString m_socketId;
    QString m_userId;
    QSet<QString> m_orgs;
    QBasicTimer m_pingTimer;
    QBasicTimer m_pongTimer;
    QBasicTimer m_connectTimer;
    bool m_awaitingPong = false;
    bool m_pongDeadlineRefreshed = false;
    bool m_closed = false;
};

} // namespace cb
