#include "hub.h"

#include "hubconnection.h"
#include "logging.h"
#include "realtimehttp.h"
#include "realtimewebsocket.h"

#include <QRandomGenerator>
#include <QTcpSocket>
#include <QTimer>
#include <QTimerEvent>

#include <array>

namespace cb {

namespace {

constexpr int tickMs = 20;
/// How long a connection handed over may take to finish sending its request head.
constexpr int headTimeoutMs = 10000;
/// How long a refused HTTP request may take to flush its answer.
constexpr int refuseLingerMs = 5000;

QByteArray eventFrame(const QString &name, Json body)
{
    Json args = Json::array();
    args.push_back(std::move(body));
    return RealtimeWebSocket::textFrame(sio::encodeMessage(sio::eventPacket(name, args)));
}

Json ackBody(bool ok)
{
    return Json{{"ok", ok}};
}

} // namespace

Hub::Hub(HubAccess &access, HubOptions options, QObject *parent)
    : QObject(parent), m_access(access), m_options(options), m_flusher(options.coalesceMs)
{
    m_clock.start();
}

Hub::~Hub()
{
    // Connections are children; make sure none calls back into a half-destroyed hub.
    const auto connections = m_connections;
    for (HubConnection *connection : connections)
        connection->disconnect(this);
}

QString Hub::randomId()
{
    std::array<quint32, 4> words;
    QRandomGenerator::system()->fillRange(words.data(), words.size());
    const QByteArray bytes(reinterpret_cast<const char *>(words.data()), 15);
    return QString::fromLatin1(
        bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

int Hub::memberCount(const QString &orgId) const
{
    const auto it = m_rooms.constFind(orgId);
    return it == m_rooms.constEnd() ? 0 : int(it->members.size());
}

bool Hub::acceptUpgrade(QTcpSocket *socket)
{
    const QByteArray buffer = socket->peek(realtimehttp::maxHeadBytes);
    const auto line = realtimehttp::requestLine(buffer);
    if (line && !realtimehttp::isRealtimeTarget(line->second))
        return false;
    socket->setParent(this);
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { readHead(socket); });
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    QTimer::singleShot(headTimeoutMs, socket, [socket] {
        if (socket->property("cb_awaiting_head").toBool())
            socket->abort();
    });
    socket->setProperty("cb_awaiting_head", true);
    readHead(socket);
    return true;
}

void Hub::readHead(QTcpSocket *socket)
{
    if (!socket->property("cb_awaiting_head").toBool())
        return;
    const QByteArray buffer = socket->peek(realtimehttp::maxHeadBytes);
    if (!realtimehttp::headEnd(buffer)) {
        if (buffer.size() >= realtimehttp::maxHeadBytes)
            socket->abort();
        return;
    }
    socket->setProperty("cb_awaiting_head", false);
    socket->disconnect(this);
    disconnect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    auto head = realtimehttp::parseHead(buffer);
    if (!head) {
        socket->write("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        socket->disconnectFromHost();
        return;
    }
    if (!realtimehttp::isRealtimeTarget(head->target)) {
        socket->write("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        socket->disconnectFromHost();
        return;
    }
    handleHttp(socket, head.value());
}

void Hub::handleHttp(QTcpSocket *socket, const HttpRequestHead &head)
{
    using namespace realtimehttp;
    socket->read(head.size);

    auto refuse = [socket](const QByteArray &response) {
        socket->write(response);
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        socket->disconnectFromHost();
        QTimer::singleShot(refuseLingerMs, socket, [socket] {
            socket->abort();
            socket->deleteLater();
        });
    };

    const QUrlQuery query = head.query();
    const QString transport = query.queryItemValue(QStringLiteral("transport"));
    const bool hasSid = query.hasQueryItem(QStringLiteral("sid"));
    const bool isGet = head.method == "GET";
    const bool upgrade = head.header("upgrade").compare("websocket", Qt::CaseInsensitive) == 0;

    if (!upgrade) {
        const realtimehttp::Refusal refusal = realtimehttp::engineRefusal(head.method, query);
        refuse("HTTP/1.1 " + QByteArray::number(refusal.status) +
               (refusal.status == 403 ? " Forbidden" : " Bad Request") +
               "\r\nContent-Type: application/json\r\nContent-Length: " +
               QByteArray::number(refusal.body.size()) + "\r\nConnection: close\r\n\r\n" +
               refusal.body);
        return;
    }
    if (transport != u"websocket")
        return refuse(upgradeErrorResponse(engineErrorMessage(EngineError::UnknownTransport)));
    if (hasSid)
        return refuse(upgradeErrorResponse(engineErrorMessage(EngineError::UnknownSid)));
    if (!isGet)
        return refuse(upgradeErrorResponse(engineErrorMessage(EngineError::BadHandshakeMethod)));
    const QByteArray version = head.header("sec-websocket-version");
    if (version != "13" && version != "8")
        return refuse(upgradeErrorResponse("Missing or invalid Sec-WebSocket-Version header"));
    const QByteArray key = head.header("sec-websocket-key");
    if (!validWebSocketKey(key))
        return refuse(upgradeErrorResponse("Missing or invalid Sec-WebSocket-Key header"));

    socket->write(switchingProtocolsResponse(key));
    if (query.queryItemValue(QStringLiteral("EIO")) != u"4") {
        // A stock server completes the upgrade, then drops the socket without a word.
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        socket->disconnectFromHost();
        QTimer::singleShot(refuseLingerMs, socket, [socket] {
            socket->abort();
            socket->deleteLater();
        });
        return;
    }

    auto *webSocket = new RealtimeWebSocket(socket, m_options.maxPayload,
                                            m_options.maxSendQueueBytes, &m_flusher);
    connect(webSocket, &RealtimeWebSocket::overflowed, this, [this] { ++m_overflows; });
    auto *connection = new HubConnection(*this, webSocket, m_options, this);
    connect(connection, &HubConnection::closed, this, &Hub::removeConnection);
    m_connections.insert(connection);
    connection->start();
    Q_EMIT connectionCountChanged(connectionCount());
}

void Hub::removeConnection(HubConnection *connection)
{
    if (!m_connections.remove(connection))
        return;
    endSession(*connection);
    connection->deleteLater();
    Q_EMIT connectionCountChanged(connectionCount());
}

void Hub::handlePacket(HubConnection &connection, sio::SioPacket packet)
{
    if (packet.nsp != u"/") {
        // Only the main namespace exists; packets for others are ignored, as stock does.
        if (packet.type == sio::SioType::Connect)
            connection.sendPacket(
                sio::connectErrorPacket(QStringLiteral("Invalid namespace"), nullptr, packet.nsp));
        return;
    }
    switch (packet.type) {
    case sio::SioType::Connect:
        handleConnect(connection, packet);
        return;
    case sio::SioType::Disconnect:
        // The main namespace is the only one: a stock server closes the connection once
        // its last namespace is gone.
        if (connection.isConnected()) {
            endSession(connection);
            connection.closeTransport("client namespace disconnect");
        }
        return;
    case sio::SioType::Event:
        if (connection.isConnected())
            handleEvent(connection, packet);
        return;
    case sio::SioType::Ack:
    case sio::SioType::ConnectError:
    case sio::SioType::BinaryEvent:
    case sio::SioType::BinaryAck:
        return;
    }
}

void Hub::handleConnect(HubConnection &connection, const sio::SioPacket &packet)
{
    const QString token = packet.data.is_object() ? stringField(packet.data, "token") : QString();
    Result<QString> user = token.isEmpty()
        ? Result<QString>::failure(QStringLiteral("missing_token"),
                                   QStringLiteral("no token in the CONNECT packet"))
        : m_access.authenticate(token);
    if (!user || user->isEmpty()) {
        const QString code = user ? QStringLiteral("invalid_token") : user.error().code;
        connection.sendPacket(
            sio::connectErrorPacket(QStringLiteral("unauthorized"), Json{{"code", code}}));
        return;
    }
    // A second CONNECT on the same namespace replaces the socket, as socket.io does.
    if (connection.isConnected())
        endSession(connection);
    int &held = m_userConnections[user.value()];
    if (m_options.maxConnectionsPerUser > 0 && held >= m_options.maxConnectionsPerUser) {
        qCInfo(lcHub) << "refusing a connection over the per-user limit of"
                      << m_options.maxConnectionsPerUser;
        connection.sendPacket(sio::connectErrorPacket(QStringLiteral("too many connections"),
                                                      Json{{"code", "too_many_connections"}}));
        connection.closeTransport("too many connections");
        return;
    }
    ++held;
    connection.m_userId = user.value();
    connection.m_socketId = randomId();
    connection.sendPacket(sio::connectedPacket(connection.m_socketId));
}

void Hub::endSession(HubConnection &connection)
{
    leaveAll(connection);
    if (connection.isConnected()) {
        auto it = m_userConnections.find(connection.m_userId);
        if (it != m_userConnections.end() && --it.value() <= 0)
            m_userConnections.erase(it);
    }
    connection.m_socketId.clear();
    connection.m_userId.clear();
}

void Hub::handleEvent(HubConnection &connection, const sio::SioPacket &packet)
{
    const QString name = sio::eventName(packet);
    if (name == u"org:join")
        join(connection, sio::eventArgs(packet), packet.ackId);
    else if (name == u"org:leave")
        leave(connection, sio::eventArgs(packet), packet.ackId);
}

namespace {

QString orgIdArgument(const Json &args)
{
    if (!args.is_array() || args.empty() || !args.front().is_object())
        return {};
    return stringField(args.front(), "org_id");
}

Json failure(const QString &code, const QString &message)
{
    return Json{{"ok", false}, {"error", Json{{"code", code}, {"message", message}}}};
}

} // namespace

void Hub::join(HubConnection &connection, const Json &args, std::optional<qint64> ackId)
{
    auto reply = [&](const Json &body) {
        if (ackId)
            connection.sendPacket(sio::ackPacket(*ackId, Json::array({body})));
    };
    const QString orgId = orgIdArgument(args);
    if (orgId.isEmpty())
        return reply(failure(QStringLiteral("invalid_request"),
                             QStringLiteral("org:join takes {\"org_id\": \"…\"}")));
    const Result<qint64> lastSeq = m_access.joinOrg(connection.userId(), orgId);
    if (!lastSeq)
        return reply(failure(lastSeq.error().code, lastSeq.error().message));

    Room &room = m_rooms[orgId];
    if (!connection.m_orgs.contains(orgId)) {
        connection.m_orgs.insert(orgId);
        room.members.append(&connection);
    }
    Json body = ackBody(true);
    body["last_seq"] = lastSeq.value();
    reply(body);
    if (m_metrics) {
        // Clients rejoining together (after a restart) share one computation while
        // nothing changes.
        const qint64 now = m_clock.elapsed();
        if (room.metricsCache.isEmpty() ||
            now - room.metricsCacheMs >= m_options.metricsIntervalMs) {
            room.metricsCache = metricsFrame(orgId);
            room.metricsCacheMs = now;
        }
        if (!room.metricsCache.isEmpty())
            connection.sendFrame(room.metricsCache);
    }
}

void Hub::leave(HubConnection &connection, const Json &args, std::optional<qint64> ackId)
{
    const QString orgId = orgIdArgument(args);
    if (orgId.isEmpty()) {
        if (ackId)
            connection.sendPacket(sio::ackPacket(
                *ackId,
                Json::array({failure(QStringLiteral("invalid_request"),
                                     QStringLiteral("org:leave takes {\"org_id\": \"…\"}"))})));
        return;
    }
    if (connection.m_orgs.remove(orgId)) {
        auto it = m_rooms.find(orgId);
        if (it != m_rooms.end())
            it->members.removeOne(&connection);
    }
    if (ackId)
        connection.sendPacket(sio::ackPacket(*ackId, Json::array({ackBody(true)})));
}

void Hub::leaveAll(HubConnection &connection)
{
    for (const QString &orgId : std::as_const(connection.m_orgs)) {
        auto it = m_rooms.find(orgId);
        if (it != m_rooms.end())
            it->members.removeOne(&connection);
    }
    connection.m_orgs.clear();
}

void Hub::publishCall(const QString &orgId, qint64 seq, CallEvent event, const Call &call)
{
    if (event == CallEvent::Deleted) {
        publishDeleted(orgId, seq, call.id);
        return;
    }
    const Room &room = m_rooms[orgId];
    QByteArray frame;
    if (!room.members.isEmpty() || m_options.reorderHoldMs > 0) {
        const QString name = event == CallEvent::Created ? QStringLiteral("call:created")
                                                         : QStringLiteral("call:updated");
        frame = eventFrame(name, Json{{"seq", seq}, {"org_id", orgId}, {"call", toJson(call)}});
    }
    offer(orgId, seq, std::move(frame));
}

void Hub::publishDeleted(const QString &orgId, qint64 seq, const QString &callId)
{
    const Room &room = m_rooms[orgId];
    QByteArray frame;
    if (!room.members.isEmpty() || m_options.reorderHoldMs > 0)
        frame = eventFrame(QStringLiteral("call:deleted"),
                           Json{{"seq", seq}, {"org_id", orgId}, {"call_id", callId}});
    offer(orgId, seq, std::move(frame));
}

void Hub::skipSeq(const QString &orgId, qint64 seq)
{
    offer(orgId, seq, {});
}

void Hub::markMetricsDirty(const QString &orgId)
{
    noteChange(orgId, m_rooms[orgId]);
}

void Hub::offer(const QString &orgId, qint64 seq, QByteArray frame)
{
    Room &room = m_rooms[orgId];
    if (m_options.reorderHoldMs <= 0) {
        room.lastSeq = std::max(room.lastSeq, seq);
        if (!frame.isEmpty())
            broadcast(room, frame);
    } else if (room.lastSeq < 0 || seq == room.lastSeq + 1) {
        room.lastSeq = seq;
        if (!frame.isEmpty())
            broadcast(room, frame);
        releasePending(room, false);
    } else if (seq > room.lastSeq) {
        room.pending[seq] = PendingEvent{std::move(frame), m_clock.elapsed()};
        armTicker();
    }
    noteChange(orgId, room);
}

void Hub::broadcast(Room &room, const QByteArray &frame)
{
    // A member may drop out while we write (its queue overflowed): iterate a snapshot.
    const QList<HubConnection *> members = room.members;
    for (HubConnection *member : members)
        member->sendFrame(frame);
}

void Hub::releasePending(Room &room, bool force)
{
    const qint64 now = m_clock.elapsed();
    while (!room.pending.empty()) {
        auto it = room.pending.begin();
        if (it->first <= room.lastSeq) {
            room.pending.erase(it);
            continue;
        }
        const bool expired = now - it->second.heldSinceMs >= m_options.reorderHoldMs;
        if (it->first != room.lastSeq + 1 && !(force && expired))
            break;
        room.lastSeq = it->first;
        const QByteArray frame = std::move(it->second.frame);
        room.pending.erase(it);
        if (!frame.isEmpty())
            broadcast(room, frame);
    }
}

void Hub::noteChange(const QString &orgId, Room &room)
{
    Q_UNUSED(orgId);
    if (!m_metrics)
        return;
    room.metricsDirty = true;
    room.metricsCache.clear();
    armTicker();
}

QByteArray Hub::metricsFrame(const QString &orgId)
{
    if (!m_metrics)
        return {};
    const Result<Metrics> metrics = m_metrics->metrics(orgId);
    if (!metrics) {
        qCWarning(lcHub) << "metrics for" << orgId << "failed:" << metrics.error().message;
        return {};
    }
    return eventFrame(QStringLiteral("metrics:updated"), toJson(metrics.value()));
}

void Hub::sendMetrics(const QString &orgId, Room &room)
{
    room.metricsDirty = false;
    if (room.members.isEmpty())
        return;
    room.lastMetricsMs = m_clock.elapsed();
    const QByteArray frame = metricsFrame(orgId);
    room.metricsCache = frame;
    room.metricsCacheMs = room.lastMetricsMs;
    if (!frame.isEmpty())
        broadcast(room, frame);
}

void Hub::armTicker()
{
    if (!m_ticker.isActive())
        m_ticker.start(tickMs, Qt::PreciseTimer, this);
}

void Hub::timerEvent(QTimerEvent *event)
{
    if (event->timerId() != m_ticker.timerId()) {
        QObject::timerEvent(event);
        return;
    }
    const qint64 now = m_clock.elapsed();
    bool busy = false;
    for (auto it = m_rooms.begin(); it != m_rooms.end(); ++it) {
        Room &room = it.value();
        if (!room.pending.empty()) {
            releasePending(room, true);
            busy = busy || !room.pending.empty();
        }
        if (room.metricsDirty) {
            if (room.lastMetricsMs < 0 || now - room.lastMetricsMs >= m_options.metricsIntervalMs)
                sendMetrics(it.key(), room);
            else
                busy = true;
        }
    }
    if (!busy)
        m_ticker.stop();
}

} // namespace cb
