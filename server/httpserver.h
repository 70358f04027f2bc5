#pragma once

#include "httpconnection.h"

#include "core/result.h"

#include <QHostAddress>
#include <QObject>
#include <QSet>

class QTcpServer;

namespace cb {

/// A small HTTP/1.1 server on QTcpServer: keep-alive, pipelining in order, size and
/// time limits, asynchronous answers through HttpResponder, and WebSocket upgrades
/// handed over untouched (see setUpgradeHandler()).
class HttpServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpServer)

public:
    explicit HttpServer(QObject *parent = nullptr);
    ~HttpServer() override;

    void setLimits(const HttpLimits &limits) { m_limits = limits; }
    void setMaxConnections(int count) { m_maxConnections = count; }
    void setRequestHandler(HttpConnection::RequestHandler handler)
    {
        m_handler = std::move(handler);
    }
    /// Called for requests carrying `Connection: Upgrade` and `Upgrade: websocket`,
    /// before any byte of the request is consumed. Return true to take the socket: it
    /// is then unparented, its signals are free, and the handshake request is still
    /// unread in it (QWebSocketServer::handleConnection() can take it from there).
    /// Return false and the request is handled as a plain one.
    void setUpgradeHandler(HttpConnection::UpgradeHandler handler)
    {
        m_upgradeHandler = std::move(handler);
    }

    /// Listens on @p address : @p port (0 picks a free port); returns the bound port.
    Result<quint16> listen(const QHostAddress &address, quint16 port);
    quint16 port() const;
    QHostAddress address() const;
    /// Stops accepting; connections finish the request in flight and close.
    void stopListening();
    int connectionCount() const { return int(m_connections.size()); }

private:
    void onNewConnection();

    QTcpServer *m_server = nullptr;
    HttpLimits m_limits;
    int m_maxConnections = 10000;
    HttpConnection::RequestHandler m_handler;
    HttpConnection::UpgradeHandler m_upgradeHandler;
    QSet<HttpConnection *> m_connections;
};

} // namespace cb
