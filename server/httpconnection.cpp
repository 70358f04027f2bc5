#include "httpconnection.h"

#include "httprequestparser.h"
#include "logging.h"

#include <QTcpSocket>

namespace cb {

QByteArray httpReason(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 101:
        return "Switching Protocols";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 411:
        return "Length Required";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Content";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Unknown";
    }
}

HttpResponder::HttpResponder(HttpConnection *connection, quint64 requestId)
    : m_connection(connection), m_requestId(requestId)
{ }

void HttpResponder::send(HttpResponse response) const
{
    if (m_connection)
        m_connection->respond(m_requestId, std::move(response));
}

bool HttpResponder::isConnected() const
{
    return !m_connection.isNull() && m_connection->m_state == HttpConnection::State::Handling;
}

HttpConnection::HttpConnection(QTcpSocket *socket, const HttpLimits &limits, RequestHandler handler,
                               UpgradeHandler upgradeHandler, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_limits(limits)
    , m_handler(std::move(handler))
    , m_upgradeHandler(std::move(upgradeHandler))
{
    m_socket->setParent(this);
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        switch (m_state) {
        case State::Head:
            if (m_socket->bytesAvailable() > 0)
                fail(408, QStringLiteral("request_timeout"),
                     QStringLiteral("the request head did not arrive in time"));
            else
                close();
            break;
        case State::Body:
            fail(408, QStringLiteral("request_timeout"),
                 QStringLiteral("the request body did not arrive in time"));
            break;
        default:
            break;
        }
    });
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &HttpConnection::close);
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError error) {
        if (error != QAbstractSocket::RemoteHostClosedError)
            qCDebug(lcHttp) << "socket error" << m_socket->errorString();
        close();
    });
    armTimer(m_limits.idleTimeoutMs);
    if (m_socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &HttpConnection::processInput, Qt::QueuedConnection);
}

HttpConnection::~HttpConnection() = default;

void HttpConnection::closeWhenIdle()
{
    m_closeRequested = true;
    if (m_state == State::Head && m_socket && m_socket->bytesAvailable() == 0)
        close();
}

void HttpConnection::armTimer(int ms)
{
    m_timer.start(ms);
}

void HttpConnection::onReadyRead()
{
    processInput();
}

void HttpConnection::processInput()
{
    if (m_processing || !m_socket)
        return;
    m_processing = true;
    while (m_state == State::Head || m_state == State::Body) {
        if (m_state == State::Head) {
            // Tolerate blank lines between requests (RFC 9112 §2.2).
            while (m_socket->bytesAvailable() >= 2 && m_socket->peek(2) == "\r\n")
                m_socket->skip(2);
            if (m_socket->bytesAvailable() == 0)
                break;
            const QByteArray peeked = m_socket->peek(m_limits.maxHeaderBytes + 4);
            const qsizetype end = peeked.indexOf("\r\n\r\n");
            if (end < 0) {
                if (peeked.size() >= m_limits.maxHeaderBytes)
                    fail(431, QStringLiteral("headers_too_large"),
                         QStringLiteral("the request head is too large"));
                else if (m_timer.remainingTime() > m_limits.headerTimeoutMs || !m_timer.isActive())
                    armTimer(m_limits.headerTimeoutMs);
                break;
            }
            if (!parseHead(peeked.left(end)))
                break;
            if (m_upgradeHandler && hasHttpToken(m_request.header("connection"), "upgrade") &&
                m_request.header("upgrade").compare("websocket", Qt::CaseInsensitive) == 0) {
                m_timer.stop();
                disconnect(m_socket, nullptr, this, nullptr);
                QTcpSocket *socket = m_socket;
                m_state = State::Detached;
                socket->setParent(nullptr);
                if (m_upgradeHandler(m_request, socket)) {
                    m_socket = nullptr;
                    m_processing = false;
                    Q_EMIT finished();
                    deleteLater();
                    return;
                }
                socket->setParent(this);
                m_state = State::Head;
                connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
                connect(m_socket, &QTcpSocket::disconnected, this, &HttpConnection::close);
            }
            m_socket->skip(end + 4);
            m_state = State::Body;
            armTimer(m_limits.bodyTimeoutMs);
            if (m_request.header("expect").compare("100-continue", Qt::CaseInsensitive) == 0 &&
                (m_contentLength > 0 || m_chunked) && !m_request.http10)
                m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
        }
        if (m_state == State::Body) {
            if (!readBody())
                break;
            dispatch();
        }
    }
    m_processing = false;
}

bool HttpConnection::parseHead(const QByteArray &head)
{
    m_request = HttpRequest{};
    auto parsed = parseRequestHead(head, m_limits.maxBodyBytes, &m_request.method);
    if (!parsed) {
        m_keepAlive = false;
        fail(httpErrorStatus(parsed.error()), parsed.error().code, parsed.error().message);
        return false;
    }
    m_request = std::move(parsed->request);
    m_request.peer = m_socket->peerAddress();
    m_contentLength = parsed->contentLength;
    m_chunked = parsed->chunked;
    m_keepAlive = parsed->keepAlive;
    m_chunkDecoder = ChunkedBodyDecoder(m_limits.maxBodyBytes, m_limits.maxHeaderBytes);
    return true;
}

bool HttpConnection::readBody()
{
    if (!m_chunked) {
        const qint64 missing = m_contentLength - m_request.body.size();
        if (missing > 0) {
            const QByteArray data = m_socket->read(missing);
            m_request.body.append(data);
        }
        return m_request.body.size() == m_contentLength;
    }
    // Only what the decoder consumed leaves the socket: bytes after the body belong to
    // the next request.
    const QByteArray input = m_socket->peek(m_socket->bytesAvailable());
    qsizetype consumed = 0;
    const auto status = m_chunkDecoder.decode(input, m_request.body, consumed);
    m_socket->skip(consumed);
    if (status == ChunkedBodyDecoder::Status::Failed) {
        m_keepAlive = false;
        fail(httpErrorStatus(m_chunkDecoder.error()), m_chunkDecoder.error().code,
             m_chunkDecoder.error().message);
        return false;
    }
    if (status == ChunkedBodyDecoder::Status::NeedMore)
        return false;
    m_contentLength = m_request.body.size();
    return true;
}

void HttpConnection::dispatch()
{
    m_state = State::Handling;
    m_timer.stop();
    const quint64 id = ++m_requestId;
    m_handler(m_request, HttpResponder(this, id));
}

void HttpConnection::respond(quint64 requestId, HttpResponse response)
{
    if (requestId != m_requestId || m_state != State::Handling || !m_socket)
        return;
    const bool closeAfter = !m_keepAlive || m_closeRequested;
    write(response, closeAfter);
    m_request = HttpRequest{};
    if (closeAfter) {
        m_state = State::Closing;
        m_socket->disconnectFromHost();
        return;
    }
    m_state = State::Head;
    armTimer(m_limits.idleTimeoutMs);
    if (!m_processing && m_socket->bytesAvailable() > 0)
        processInput();
}

void HttpConnection::fail(int status, const QString &code, const QString &message)
{
    if (!m_socket)
        return;
    // After a framing error the rest of the stream cannot be trusted.
    write(HttpResponse::error(status, code, message), true);
    m_state = State::Closing;
    m_socket->disconnectFromHost();
}

void HttpConnection::write(const HttpResponse &response, bool closeAfter)
{
    QByteArray out;
    out.reserve(160 + response.body.size());
    out += "HTTP/1.1 ";
    out += QByteArray::number(response.status);
    out += ' ';
    out += httpReason(response.status);
    out += "\r\n";
    if (response.status != 204 && response.status != 304) {
        if (!response.contentType.isEmpty()) {
            out += "Content-Type: ";
            out += response.contentType;
            out += "\r\n";
        }
        out += "Content-Length: ";
        out += QByteArray::number(response.body.size());
        out += "\r\n";
    }
    for (const auto &[name, value] : response.headers) {
        out += name;
        out += ": ";
        out += value;
        out += "\r\n";
    }
    if (closeAfter)
        out += "Connection: close\r\n";
    else if (m_request.http10)
        out += "Connection: keep-alive\r\n";
    out += "Cache-Control: no-store\r\n\r\n";
    if (m_request.method != "HEAD" && response.status != 204 && response.status != 304)
        out += response.body;
    m_socket->write(out);
    // Write now rather than on the next loop pass: one poll() fewer per response.
    m_socket->flush();
}

void HttpConnection::close()
{
    if (m_state == State::Detached && !m_socket)
        return;
    const bool wasClosed = m_state == State::Detached;
    m_state = State::Detached;
    m_timer.stop();
    if (m_socket) {
        disconnect(m_socket, nullptr, this, nullptr);
        m_socket->abort();
    }
    if (!wasClosed) {
        Q_EMIT finished();
        deleteLater();
    }
}

} // namespace cb
