#include "realtimeclient.h"

#include "logging.h"

#include "core/socketio.h"

#include <QRandomGenerator>
#include <QUrlQuery>
#include <QWebSocket>

#include <cmath>

namespace cb {

RealtimeClient::RealtimeClient(QObject *parent) : RealtimeClient(Options{}, parent) { }

RealtimeClient::RealtimeClient(Options options, QObject *parent)
    : QObject(parent), m_options(std::move(options))
{
    qRegisterMetaType<Error>();
    qRegisterMetaType<Call>();
    qRegisterMetaType<Metrics>();
    m_retryTimer.setSingleShot(true);
    m_watchdog.setSingleShot(true);
    m_handshakeTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &RealtimeClient::startAttempt);
    connect(&m_watchdog, &QTimer::timeout, this,
            [this] { connectionLost(QStringLiteral("ping timeout")); });
    connect(&m_handshakeTimer, &QTimer::timeout, this, [this] {
        connectionLost(m_state == State::Joining ? QStringLiteral("join timeout")
                                                 : QStringLiteral("connect timeout"));
    });
}

RealtimeClient::~RealtimeClient()
{
    m_wantOpen = false;
    teardownSocket();
}

void RealtimeClient::setServerUrl(const QUrl &url)
{
    m_serverUrl = url;
}

void RealtimeClient::setToken(const QString &token)
{
    m_token = token;
}

void RealtimeClient::setOrg(const QString &orgId)
{
    if (orgId == m_orgId)
        return;
    const QString previous = m_joinedOrg;
    m_orgId = orgId;
    if (m_state == State::Live || m_state == State::Joining) {
        if (!previous.isEmpty())
            sendFrame(sio::encodeMessage(sio::eventPacket(
                QStringLiteral("org:leave"), Json::array({Json{{"org_id", previous}}}))));
        m_joinedOrg.clear();
        sendJoin();
    }
}

int RealtimeClient::backoffDelay(int attempt) const
{
    const double base = double(m_options.baseDelayMs) * std::pow(2.0, std::min(attempt, 20));
    const double r =
        m_options.random ? m_options.random() : QRandomGenerator::global()->generateDouble();
    const double jittered = base * (1.0 + m_options.randomization * (2.0 * r - 1.0));
    return int(std::min(jittered, double(m_options.maxDelayMs)));
}

void RealtimeClient::setState(State state)
{
    if (state == m_state)
        return;
    m_state = state;
    if (state != State::Reconnecting)
        m_nextRetryAt = {};
    Q_EMIT stateChanged(state);
}

void RealtimeClient::open()
{
    m_wantOpen = true;
    m_attempt = 0;
    m_retryTimer.stop();
    teardownSocket();
    startAttempt();
}

void RealtimeClient::close()
{
    m_wantOpen = false;
    m_retryTimer.stop();
    if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState)
        sendFrame(sio::encodeMessage(sio::disconnectPacket()));
    teardownSocket();
    setState(State::Offline);
}

void RealtimeClient::dropConnection()
{
    if (m_socket)
        connectionLost(QStringLiteral("transport close"));
}

void RealtimeClient::teardownSocket()
{
    m_watchdog.stop();
    m_handshakeTimer.stop();
    m_joinAckId.reset();
    m_joinedOrg.clear();
    m_hasPid = false;
    if (QWebSocket *socket = m_socket.data()) {
        m_socket = nullptr;
        socket->disconnect(this);
        socket->abort();
        socket->deleteLater();
    }
}

void RealtimeClient::startAttempt()
{
    if (!m_wantOpen)
        return;
    teardownSocket();
    QUrl url = m_serverUrl;
    if (url.scheme() == u"https" || url.scheme() == u"wss")
        url.setScheme(QStringLiteral("wss"));
    else
        url.setScheme(QStringLiteral("ws"));
    QString path = url.path();
    while (path.endsWith(u'/'))
        path.chop(1);
    url.setPath(path + QStringLiteral("/socket.io/"));
    url.setQuery(QStringLiteral("EIO=4&transport=websocket"));

    auto *socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    m_socket = socket;
    connect(socket, &QWebSocket::textMessageReceived, this, &RealtimeClient::onTextMessage);
    connect(socket, &QWebSocket::disconnected, this, &RealtimeClient::onSocketClosed);
    connect(socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            [this, socket](QAbstractSocket::SocketError) {
                if (socket == m_socket) {
                    m_lastError = Error{QStringLiteral("network"), socket->errorString()};
                    connectionLost(socket->errorString());
                }
            });
    setState(State::Connecting);
    m_handshakeTimer.start(m_options.connectTimeoutMs);
    qCDebug(lcWs) << "connecting to" << url.host() << url.port();
    socket->open(url);
}

void RealtimeClient::onSocketClosed()
{
    auto *socket = qobject_cast<QWebSocket *>(sender());
    if (socket && socket != m_socket)
        return;
    QString reason = QStringLiteral("transport close");
    if (socket && socket->closeCode() != QWebSocketProtocol::CloseCodeNormal &&
        !socket->closeReason().isEmpty())
        reason = socket->closeReason();
    connectionLost(reason);
}

void RealtimeClient::connectionLost(const QString &reason)
{
    if (!m_socket && m_state != State::Connecting)
        return;
    const bool wasLive = m_state == State::Live;
    teardownSocket();
    qCInfo(lcWs) << "connection lost:" << reason;
    if (m_lastError.code.isEmpty() || wasLive)
        m_lastError = Error{QStringLiteral("disconnected"), reason};
    Q_EMIT disconnected(reason);
    if (m_wantOpen)
        scheduleRetry();
    else
        setState(State::Offline);
}

void RealtimeClient::scheduleRetry()
{
    const int delay = backoffDelay(m_attempt);
    ++m_attempt;
    m_nextRetryAt = now().addMSecs(delay);
    m_state = State::Reconnecting; // set directly so nextRetryAt() is valid when the signal fires
    Q_EMIT stateChanged(m_state);
    Q_EMIT retryScheduled(delay, m_nextRetryAt);
    m_retryTimer.start(delay);
}

void RealtimeClient::armWatchdog()
{
    m_lastPing.restart();
    m_watchdog.start(m_pingDeadlineMs);
}

void RealtimeClient::sendFrame(const QByteArray &frame)
{
    if (m_socket)
        m_socket->sendTextMessage(QString::fromUtf8(frame));
}

void RealtimeClient::sendJoin()
{
    if (m_orgId.isEmpty())
        return;
    m_joinAckId = m_nextAckId++;
    setState(State::Joining);
    m_handshakeTimer.start(m_options.joinTimeoutMs);
    sendFrame(sio::encodeMessage(sio::eventPacket(
        QStringLiteral("org:join"), Json::array({Json{{"org_id", m_orgId}}}), m_joinAckId)));
}

void RealtimeClient::onTextMessage(const QString &message)
{
    handlePacket(message.toUtf8());
}

void RealtimeClient::handlePacket(const QByteArray &frame)
{
    auto eio = sio::decodeEio(frame);
    if (!eio) {
        qCWarning(lcWs) << "bad frame:" << eio.error().code;
        Q_EMIT protocolError(eio.error());
        return;
    }
    switch (eio->type) {
    case sio::EioType::Open: {
        auto open = sio::decodeOpen(eio->payload);
        if (!open) {
            Q_EMIT protocolError(open.error());
            connectionLost(QStringLiteral("invalid open packet"));
            return;
        }
        m_pingDeadlineMs = open->pingInterval + open->pingTimeout;
        armWatchdog();
        const Json auth = Json{{"token", m_token}};
        sendFrame(sio::encodeMessage(sio::connectPacket(auth)));
        return;
    }
    case sio::EioType::Ping:
        sendFrame(sio::encodeEio(sio::EioType::Pong));
        armWatchdog();
        return;
    case sio::EioType::Message:
        break;
    default:
        return;
    }

    auto decoded = sio::decodeSio(eio->payload);
    if (!decoded) {
        qCWarning(lcWs) << "bad packet:" << decoded.error().code;
        Q_EMIT protocolError(decoded.error());
        return;
    }
    sio::SioPacket &packet = *decoded;
    if (packet.nsp != u"/")
        return;
    switch (packet.type) {
    case sio::SioType::Connect:
        m_hasPid = !stringField(packet.data, "pid").isEmpty();
        m_handshakeTimer.stop();
        m_lastError = {};
        qCInfo(lcWs) << "connected";
        Q_EMIT connected();
        if (m_orgId.isEmpty())
            setState(State::Live);
        else
            sendJoin();
        return;
    case sio::SioType::ConnectError: {
        const Json data = sio::connectErrorData(packet);
        QString code = stringField(data, "code");
        if (code.isEmpty())
            code = QStringLiteral("unauthorized");
        QString text = sio::connectErrorMessage(packet);
        if (text.isEmpty())
            text = QStringLiteral("The server refused the connection.");
        qCWarning(lcWs) << "connection refused:" << code;
        if (code == u"too_many_connections") {
            // The account has its fill of open connections (other windows or machines):
            // one may close soon, so this is retried like a lost connection.
            m_lastError = Error{code,
                                QStringLiteral("Too many open connections for this "
                                               "account; retrying.")};
            teardownSocket();
            Q_EMIT disconnected(text);
            scheduleRetry();
            return;
        }
        m_lastError = Error{code, text};
        m_wantOpen = false;
        m_retryTimer.stop();
        teardownSocket();
        setState(State::Offline);
        Q_EMIT authFailed(m_lastError);
        return;
    }
    case sio::SioType::Disconnect:
        m_lastError = Error{QStringLiteral("server_disconnect"),
                            QStringLiteral("The server closed the session.")};
        m_wantOpen = false;
        teardownSocket();
        setState(State::Offline);
        Q_EMIT disconnected(QStringLiteral("io server disconnect"));
        return;
    case sio::SioType::Ack: {
        if (!m_joinAckId || packet.ackId != m_joinAckId)
            return;
        m_joinAckId.reset();
        m_handshakeTimer.stop();
        const Json args = sio::eventArgs(packet);
        const Json body = args.is_array() && !args.empty() ? args.front() : Json();
        if (boolField(body, "ok").value_or(false)) {
            m_joinSeq = qint64(numberField(body, "last_seq").value_or(0));
            m_joinedOrg = m_orgId;
            m_attempt = 0;
            setState(State::Live);
            qCInfo(lcWs) << "joined org at seq" << m_joinSeq;
            Q_EMIT joined(m_orgId, m_joinSeq);
        } else {
            const Json *error = objectField(body, "error");
            Error e{error ? stringField(*error, "code") : QString(),
                    error ? stringField(*error, "message") : QString()};
            if (e.code.isEmpty())
                e.code = QStringLiteral("join_refused");
            if (e.message.isEmpty())
                e.message = QStringLiteral("The server refused to join the organization.");
            m_lastError = e;
            m_wantOpen = false;
            if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState)
                sendFrame(sio::encodeMessage(sio::disconnectPacket()));
            teardownSocket();
            setState(State::Offline);
            Q_EMIT joinFailed(m_orgId, e);
        }
        return;
    }
    case sio::SioType::Event: {
        if (m_hasPid && !packet.ackId)
            sio::takeRecoveryOffset(packet);
        if (packet.ackId)
            sendFrame(sio::encodeMessage(sio::ackPacket(*packet.ackId)));
        handleEvent(sio::eventName(packet), sio::eventArgs(packet));
        return;
    }
    default:
        return;
    }
}

void RealtimeClient::handleEvent(const QString &name, const Json &args)
{
    Q_EMIT eventReceived(name, toBytes(args));
    const Json body = args.is_array() && !args.empty() ? args.front() : Json();
    auto bad = [this, &name](const QString &why) {
        qCWarning(lcWs) << "ignored" << name << ":" << why;
        Q_EMIT protocolError(
            Error{QStringLiteral("invalid_event"), name + QStringLiteral(": ") + why});
    };
    if (name == u"call:created" || name == u"call:updated") {
        const auto seq = numberField(body, "seq");
        const Json *callJson = objectField(body, "call");
        if (!seq || !callJson)
            return bad(QStringLiteral("no seq or call"));
        auto call = callFromJson(*callJson);
        if (!call)
            return bad(call.error().message);
        QString orgId = stringField(body, "org_id");
        if (orgId.isEmpty())
            orgId = call->orgId;
        Q_EMIT callUpserted(orgId, qint64(*seq), *call);
    } else if (name == u"call:deleted") {
        const auto seq = numberField(body, "seq");
        const QString callId = stringField(body, "call_id");
        if (!seq || callId.isEmpty())
            return bad(QStringLiteral("no seq or call_id"));
        Q_EMIT callDeleted(stringField(body, "org_id"), qint64(*seq), callId);
    } else if (name == u"metrics:updated") {
        auto metrics = metricsFromJson(body);
        if (!metrics)
            return bad(metrics.error().message);
        Q_EMIT metricsUpdated(*metrics);
    }
}

} // namespace cb
