#include "httpconnection.h"

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

namespace {

bool isTokenChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
        QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
}

bool isToken(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (char c : text) {
        if (!isTokenChar(c))
            return false;
    }
    return true;
}

bool hasToken(QByteArrayView list, QByteArrayView token)
{
    for (QByteArrayView part : QByteArray(list.toByteArray()).split(',')) {
        if (part.trimmed().compare(token, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

constexpr int maxHeaderCount = 100;
enum { ChunkSize, ChunkData, ChunkDataEnd, ChunkTrailer };

} // namespace

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
            if (m_upgradeHandler && hasToken(m_request.header("connection"), "upgrade") &&
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
    m_request.peer = m_socket->peerAddress();
    m_contentLength = 0;
    m_chunked = false;
    m_chunkBuffer.clear();

    const QList<QByteArray> lines = head.split('\n');
    const QByteArray requestLine = lines.value(0).chopped(lines.value(0).endsWith('\r') ? 1 : 0);
    const QList<QByteArray> parts = requestLine.split(' ');
    if (parts.size() != 3 || !isToken(parts.at(0)) || parts.at(1).isEmpty() ||
        parts.at(1).at(0) != '/') {
        fail(400, QStringLiteral("bad_request"), QStringLiteral("malformed request line"));
        return false;
    }
    if (parts.at(2) == "HTTP/1.0") {
        m_request.http10 = true;
    } else if (parts.at(2) != "HTTP/1.1") {
        fail(505, QStringLiteral("http_version"),
             QStringLiteral("only HTTP/1.1 and HTTP/1.0 are supported"));
        return false;
    }
    m_request.method = parts.at(0);
    m_request.target = parts.at(1);
    const qsizetype questionMark = m_request.target.indexOf('?');
    m_request.path = questionMark < 0 ? m_request.target : m_request.target.left(questionMark);
    if (questionMark >= 0)
        m_request.query.setQuery(QString::fromUtf8(m_request.target.mid(questionMark + 1)));

    if (lines.size() - 1 > maxHeaderCount) {
        fail(431, QStringLiteral("headers_too_large"), QStringLiteral("too many header fields"));
        return false;
    }
    for (qsizetype i = 1; i < lines.size(); ++i) {
        QByteArray line = lines.at(i);
        if (line.endsWith('\r'))
            line.chop(1);
        const qsizetype colon = line.indexOf(':');
        if (line.isEmpty() || line.at(0) == ' ' || line.at(0) == '\t' || colon <= 0 ||
            !isToken(QByteArrayView(line).first(colon))) {
            fail(400, QStringLiteral("bad_request"), QStringLiteral("malformed header field"));
            return false;
        }
        m_request.headers.append({line.left(colon).toLower(), line.mid(colon + 1).trimmed()});
    }

    const QByteArray connection = m_request.header("connection");
    m_keepAlive =
        m_request.http10 ? hasToken(connection, "keep-alive") : !hasToken(connection, "close");

    bool haveLength = false;
    for (const auto &[name, value] : std::as_const(m_request.headers)) {
        if (name == "transfer-encoding") {
            if (!value.trimmed().toLower().endsWith("chunked")) {
                m_keepAlive = false;
                fail(501, QStringLiteral("unsupported_encoding"),
                     QStringLiteral("unsupported transfer-encoding"));
                return false;
            }
            m_chunked = true;
        } else if (name == "content-length") {
            bool ok = false;
            const qint64 length = value.toLongLong(&ok);
            if (!ok || length < 0 || value.startsWith('+') ||
                (haveLength && length != m_contentLength)) {
                m_keepAlive = false;
                fail(400, QStringLiteral("bad_request"), QStringLiteral("invalid content-length"));
                return false;
            }
            m_contentLength = length;
            haveLength = true;
        }
    }
    if (m_chunked && haveLength) {
        m_keepAlive = false;
        fail(400, QStringLiteral("bad_request"),
             QStringLiteral("both content-length and transfer-encoding"));
        return false;
    }
    if (m_contentLength > m_limits.maxBodyBytes) {
        m_keepAlive = false;
        fail(413, QStringLiteral("payload_too_large"),
             QStringLiteral("the body exceeds %1 bytes").arg(m_limits.maxBodyBytes));
        return false;
    }
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
    // m_contentLength counts the bytes still due in the current chunk; the phase is kept
    // in m_chunkBuffer's first byte so the parser survives partial arrivals.
    if (m_chunkBuffer.isEmpty())
        m_chunkBuffer = QByteArray(1, char(ChunkSize));
    for (;;) {
        switch (m_chunkBuffer.at(0)) {
        case ChunkSize: {
            const QByteArray line = m_socket->peek(1024);
            const qsizetype end = line.indexOf("\r\n");
            if (end < 0) {
                if (line.size() >= 1024) {
                    m_keepAlive = false;
                    fail(400, QStringLiteral("bad_request"),
                         QStringLiteral("malformed chunk size"));
                }
                return false;
            }
            QByteArray sizeText = line.left(end);
            if (const qsizetype semicolon = sizeText.indexOf(';'); semicolon >= 0)
                sizeText.truncate(semicolon);
            bool ok = false;
            const qint64 size = sizeText.trimmed().toLongLong(&ok, 16);
            if (!ok || size < 0 || sizeText.trimmed().size() > 8) {
                m_keepAlive = false;
                fail(400, QStringLiteral("bad_request"), QStringLiteral("malformed chunk size"));
                return false;
            }
            m_socket->skip(end + 2);
            if (size == 0) {
                m_chunkBuffer[0] = char(ChunkTrailer);
            } else if (m_request.body.size() + size > m_limits.maxBodyBytes) {
                m_keepAlive = false;
                fail(413, QStringLiteral("payload_too_large"),
                     QStringLiteral("the body exceeds %1 bytes").arg(m_limits.maxBodyBytes));
                return false;
            } else {
                m_contentLength = size;
                m_chunkBuffer[0] = char(ChunkData);
            }
            break;
        }
        case ChunkData: {
            const QByteArray data = m_socket->read(m_contentLength);
            if (data.isEmpty())
                return false;
            m_request.body.append(data);
            m_contentLength -= data.size();
            if (m_contentLength == 0)
                m_chunkBuffer[0] = char(ChunkDataEnd);
            break;
        }
        case ChunkDataEnd:
            if (m_socket->bytesAvailable() < 2)
                return false;
            if (m_socket->read(2) != "\r\n") {
                m_keepAlive = false;
                fail(400, QStringLiteral("bad_request"), QStringLiteral("malformed chunk"));
                return false;
            }
            m_chunkBuffer[0] = char(ChunkSize);
            break;
        case ChunkTrailer: {
            const QByteArray line = m_socket->peek(m_limits.maxHeaderBytes);
            const qsizetype end = line.indexOf("\r\n");
            if (end < 0) {
                if (line.size() >= m_limits.maxHeaderBytes) {
                    m_keepAlive = false;
                    fail(431, QStringLiteral("headers_too_large"),
                         QStringLiteral("trailer too large"));
                }
                return false;
            }
            m_socket->skip(end + 2);
            if (end == 0) {
                m_chunkBuffer.clear();
                m_contentLength = m_request.body.size();
                return true;
            }
            break;
        }
        default:
            return false;
        }
    }
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
