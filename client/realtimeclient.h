#pragma once

#include "core/call.h"
#include "core/json.h"
#include "core/metrics.h"
#include "core/result.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>

#include <functional>
#include <optional>

class QWebSocket;

namespace cb {

/// The desktop's Socket.IO connection (Engine.IO v4 / Socket.IO v5 over QWebSocket, using
/// core's codec; `reference/socketio.md`), and the single owner of reconnects.
///
/// open() connects to `/socket.io/?EIO=4&transport=websocket`, sends CONNECT with
/// `{"token": …}`, then emits `org:join {org_id}` and waits for its ack `{ok, last_seq}`.
/// Server pings are answered at once; no ping within pingInterval + pingTimeout counts as a
/// dead connection. A lost connection is retried with exponential backoff and jitter (the
/// first try after 0.5–1.5 s, doubling, capped at 30 s), reset after a successful join. A
/// refused CONNECT (bad or expired token) or a refused join surfaces through authFailed()
/// or joinFailed() and is never retried; neither is a server-side disconnect. A CONNECT
/// refused because the user has too many connections open is retried with the backoff.
class RealtimeClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RealtimeClient)

public:
    enum class State {
        Offline, ///< not started, closed, or given up (auth failure, server disconnect)
        Connecting, ///< WebSocket and Socket.IO handshake
        Joining, ///< connected, waiting for the org:join ack
        Live, ///< joined: events flow
        Reconnecting, ///< waiting for the next attempt (see nextRetryAt())
    };
    Q_ENUM(State)

    struct Options
    {
        int baseDelayMs = 1000; ///< first retry after base ± randomization
        double randomization = 0.5;
        int maxDelayMs = 30000;
        int connectTimeoutMs = 20000; ///< WebSocket + CONNECT
        int joinTimeoutMs = 10000;
        /// Uniform in [0, 1); injected so tests can pin the jitter.
        std::function<double()> random;
        /// Wall clock for nextRetryAt(); the system clock when empty.
        std::function<QDateTime()> clock;
    };

    explicit RealtimeClient(QObject *parent = nullptr);
    RealtimeClient(Options options, QObject *parent = nullptr);
    ~RealtimeClient() override;

    /// http(s):// or ws(s):// base URL of the server.
    void setServerUrl(const QUrl &url);
    void setToken(const QString &token);
    /// The org to join; when connected, leaves the old one and joins the new one.
    void setOrg(const QString &orgId);
    QString orgId() const { return m_orgId; }

    State state() const { return m_state; }
    /// When the next attempt starts, while Reconnecting.
    QDateTime nextRetryAt() const { return m_nextRetryAt; }
    /// Failed attempts since the last good join.
    int attempt() const { return m_attempt; }
    Error lastError() const { return m_lastError; }
    qint64 lastSeqAtJoin() const { return m_joinSeq; }

    /// The delay before retry number @p attempt (0-based), as the backoff computes it.
    int backoffDelay(int attempt) const;

public Q_SLOTS:
    void open();
    /// Leaves cleanly (Socket.IO DISCONNECT, then close) and stays Offline.
    void close();
    /// Kills the transport as a network failure would, which schedules a reconnect.
    void dropConnection();

Q_SIGNALS:
    void stateChanged(cb::RealtimeClient::State state);
    /// A reconnect is scheduled: in @p delayMs, at @p at.
    void retryScheduled(int delayMs, const QDateTime &at);
    void connected();
    void joined(const QString &orgId, qint64 lastSeq);
    void joinFailed(const QString &orgId, const cb::Error &error);
    /// CONNECT_ERROR: the token was refused. Not retried. (A refusal for too many
    /// connections is not an auth failure: it is retried.)
    void authFailed(const cb::Error &error);
    void disconnected(const QString &reason);

    void callUpserted(const QString &orgId, qint64 seq, const cb::Call &call);
    void callDeleted(const QString &orgId, qint64 seq, const QString &callId);
    void metricsUpdated(const cb::Metrics &metrics);
    /// Every server event, as compact JSON of its arguments (for `callboard-cli watch`).
    void eventReceived(const QString &name, const QByteArray &argsJson);
    /// A frame that could not be decoded or an event with an invalid payload; it is skipped.
    void protocolError(const cb::Error &error);

private:
    void setState(State state);
    void startAttempt();
    void onTextMessage(const QString &message);
    void onSocketClosed();
    void handlePacket(const QByteArray &frame);
    void handleEvent(const QString &name, const Json &args);
    void sendFrame(const QByteArray &frame);
    void sendJoin();
    void connectionLost(const QString &reason);
    void scheduleRetry();
    void armWatchdog();
    void teardownSocket();
    QDateTime now() const
    {
        return m_options.clock ? m_options.clock() : QDateTime::currentDateTimeUtc();
    }

    Options m_options;
    QUrl m_serverUrl;
    QString m_token;
    QString m_orgId;
    QString m_joinedOrg;
    State m_state = State::Offline;
    QPointer<QWebSocket> m_socket;
    QTimer m_retryTimer;
    QTimer m_watchdog;
    QTimer m_handshakeTimer;
    QElapsedTimer m_lastPing;
    QDateTime m_nextRetryAt;
    int m_attempt = 0;
    int m_pingDeadlineMs = 45000;
    qint64 m_nextAckId = 0;
    std::optional<qint64> m_joinAckId;
    qint64 m_joinSeq = 0;
    bool m_hasPid = false;
    bool m_wantOpen = false;
    Error m_lastError;
};

} // namespace cb
