#include "httpserver.h"

#include "logging.h"

#include <QTcpServer>
#include <QTcpSocket>

namespace cb {

HttpServer::HttpServer(QObject *parent) : QObject(parent), m_server(new QTcpServer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, &HttpServer::onNewConnection);
}

HttpServer::~HttpServer()
{
    for (HttpConnection *connection : std::as_const(m_connections))
        disconnect(connection, nullptr, this, nullptr);
}

Result<quint16> HttpServer::listen(const QHostAddress &address, quint16 port)
{
    if (!m_server->listen(address, port))
        return Result<quint16>::failure(
            QStringLiteral("listen_failed"),
            QStringLiteral("cannot listen on %1:%2: %3")
                .arg(address.toString(), QString::number(port), m_server->errorString()));
    return m_server->serverPort();
}

quint16 HttpServer::port() const
{
    return m_server->serverPort();
}

QHostAddress HttpServer::address() const
{
    return m_server->serverAddress();
}

void HttpServer::stopListening()
{
    m_server->close();
    const auto connections = m_connections;
    for (HttpConnection *connection : connections)
        connection->closeWhenIdle();
}

void HttpServer::onNewConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        if (m_connections.size() >= m_maxConnections) {
            qCWarning(lcHttp) << "connection limit reached, refusing a client";
            socket->abort();
            socket->deleteLater();
            continue;
        }
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        auto *connection = new HttpConnection(socket, m_limits, m_handler, m_upgradeHandler, this);
        m_connections.insert(connection);
        connect(connection, &HttpConnection::finished, this,
                [this, connection] { m_connections.remove(connection); });
    }
}

} // namespace cb
