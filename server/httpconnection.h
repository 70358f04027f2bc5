#pragma once

#include "httpmessage.h"
#include "httprequestparser.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>

class QTcpSocket;

namespace cb {

class HttpConnection;

/// Answers one request, now or later, from the connection's thread. Copies share the
/// request: the first send() wins, later ones and sends to a closed connection do nothing.
class HttpResponder
{
public:
    HttpResponder() = default;
    void send(HttpResponse response) const;
    /// False once the client went away; long work for it can be skipped.
    bool isConnected() const;

private:
    friend class HttpConnection;
    HttpResponder(HttpConnection *connection, quint64 requestId);
    QPointer<HttpConnection> m_connection;
    quint64 m_requestId = 0;
};

/// Limits an HTTP connection enforces before any handler runs.
struct HttpLimits
{
    qsizetype maxHeaderBytes = 16 * 1024;
    qsizetype maxBodyBytes = 1024 * 1024;
    int headerTimeoutMs = 15000; ///< from the first byte of a request to its full head
    int bodyTimeoutMs = 30000; ///< from the head to the full body
    int idleTimeoutMs = 75000; ///< keep-alive connection with no request in flight
};

/// One client connection speaking HTTP/1.1 with keep-alive: parses requests one at a
/// time (pipelined requests wait for the answer before), enforces the limits, and
/// hands requests to the server. A request asking to upgrade to WebSocket is offered
/// to the upgrade handler before its bytes are consumed, so the handler receives the
/// socket exactly as the client sent the handshake.
class HttpConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpConnection)

public:
    using RequestHandler = std::function<void(const HttpRequest &, HttpResponder)>;
    using UpgradeHandler = std::function<bool(const HttpRequest &, QTcpSocket *)>;

    HttpConnection(QTcpSocket *socket, const HttpLimits &limits, RequestHandler handler,
                   UpgradeHandler upgradeHandler, QObject *parent = nullptr);
    ~HttpConnection() override;

    /// Finishes the request in flight, then closes.
    void closeWhenIdle();

Q_SIGNALS:
    void finished();

private:
    friend class HttpResponder;
    enum class State { Head, Body, Handling, Closing, Detached };

    void onReadyRead();
    void processInput();
    bool parseHead(const QByteArray &head);
    bool readBody();
    void dispatch();
    void respond(quint64 requestId, HttpResponse response);
    void fail(int status, const QString &code, const QString &message);
    void write(const HttpResponse &response, bool close);
    void close();
    void armTimer(int ms);

    QTcpSocket *m_socket = nullptr;
    HttpLimits m_limits;
    RequestHandler m_handler;
    UpgradeHandler m_upgradeHandler;
    QTimer m_timer;
    State m_state = State::Head;
    HttpRequest m_request;
    qint64 m_contentLength = 0;
    bool m_chunked = false;
    ChunkedBodyDecoder m_chunkDecoder;
    bool m_keepAlive = true;
    bool m_closeRequested = false;
    bool m_processing = false;
    quint64 m_requestId = 0;
};

} // namespace cb
