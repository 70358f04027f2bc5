#include "hubconnection.h"

#include "hub.h"
#include "logging.h"
#include "realtimewebsocket.h"

#include <QTimerEvent>

namespace cb {

HubConnection::HubConnection(Hub &hub, RealtimeWebSocket *socket, const HubOptions &options,
                             QObject *parent)
    : QObject(parent), m_hub(hub), m_socket(socket), m_options(options), m_engineId(Hub::randomId())
{
    socket->setParent(this);
    connect(socket, &RealtimeWebSocket::textMessageReceived, this, &HubConnection::onText);
    connect(socket, &RealtimeWebSocket::binaryMessageReceived, this, &HubConnection::onBinary);
    connect(socket, &RealtimeWebSocket::disconnected, this, [this] {
        if (m_closed)
            return;
        m_closed = true;
        m_pingTimer.stop();
        m_pongTimer.stop();
        m_connectTimer.stop();
        Q_EMIT closed(this);
    });
}

HubConnection::~HubConnection() = default;

bool HubConnection::isOpen() const
{
    return !m_closed && m_socket->isOpen();
}

void HubConnection::start()
{
    sio::OpenPacket open;
    open.sid = m_engineId;
    open.pingInterval = m_options.pingIntervalMs;
    open.pingTimeout = m_options.pingTimeoutMs;
    open.maxPayload = m_options.maxPayload;
    m_socket->sendText(sio::encodeEio(sio::EioType::Open, sio::encodeOpen(open)));
    schedulePing();
    m_connectTimer.start(m_options.connectTimeoutMs, Qt::CoarseTimer, this);
    m_socket->start();
}

bool HubConnection::sendFrame(const QByteArray &frame)
{
    return !m_closed && m_socket->sendFrame(frame);
}

bool HubConnection::sendPacket(const sio::SioPacket &packet)
{
    return sendFrame(RealtimeWebSocket::textFrame(sio::encodeMessage(packet)));
}

void HubConnection::closeTransport(const char *reason)
{
    if (m_closed)
        return;
    qCDebug(lcHub) << "closing" << m_engineId << reason;
    m_pingTimer.stop();
    m_pongTimer.stop();
    m_connectTimer.stop();
    m_socket->close();
}

void HubConnection::schedulePing()
{
    m_awaitingPong = false;
    m_pongTimer.stop();
    m_pingTimer.start(m_options.pingIntervalMs, Qt::CoarseTimer, this);
}

void HubConnection::timerEvent(QTimerEvent *event)
{
    if (event->timerId() == m_pingTimer.timerId()) {
        m_pingTimer.stop();
        m_awaitingPong = true;
        m_pongDeadlineRefreshed = false;
        m_socket->sendText(sio::encodeEio(sio::EioType::Ping));
        m_pongTimer.start(m_options.pingTimeoutMs, Qt::CoarseTimer, this);
    } else if (event->timerId() == m_pongTimer.timerId()) {
        closeTransport("ping timeout");
    } else if (event->timerId() == m_connectTimer.timerId()) {
        m_connectTimer.stop();
        if (!isConnected())
            closeTransport("connect timeout");
    } else {
        QObject::timerEvent(event);
    }
}

void HubConnection::onPong()
{
    schedulePing();
}

void HubConnection::onBinary(const QByteArray &)
{
    // A binary frame is a message packet with raw bytes: only an attachment of a binary
    // Socket.IO packet may be one, and the hub accepts none.
    closeTransport("binary data without a binary packet");
}

void HubConnection::onText(const QByteArray &frame)
{
    if (m_closed)
        return;
    const auto eio = sio::decodeEio(frame);
    if (!eio) {
        closeTransport("parse error");
        return;
    }
    if (m_awaitingPong && !m_pongDeadlineRefreshed && eio->type != sio::EioType::Pong) {
        // engine.io refreshes the pong deadline once for any other traffic.
        m_pongDeadlineRefreshed = true;
        m_pongTimer.start(m_options.pingTimeoutMs, Qt::CoarseTimer, this);
    }
    switch (eio->type) {
    case sio::EioType::Ping:
        closeTransport("invalid heartbeat direction");
        return;
    case sio::EioType::Pong:
        onPong();
        return;
    case sio::EioType::Message: {
        auto packet = sio::decodeSio(eio->payload);
        if (!packet) {
            qCDebug(lcHub) << "closing" << m_engineId << "on a bad packet:" << packet.error().code;
            closeTransport("parse error");
            return;
        }
        m_hub.handlePacket(*this, std::move(packet).value());
        return;
    }
    case sio::EioType::Open:
    case sio::EioType::Close:
    case sio::EioType::Upgrade:
    case sio::EioType::Noop:
        return;
    }
}

} // namespace cb
