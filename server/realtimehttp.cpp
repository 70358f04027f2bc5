#include "realtimehttp.h"

#include <QCryptographicHash>
#include <QUrl>

namespace cb {

namespace {

QByteArray lowered(QByteArrayView bytes)
{
    return bytes.toByteArray().toLower();
}

} // namespace

QByteArray HttpRequestHead::path() const
{
    const qsizetype question = target.indexOf('?');
    return question < 0 ? target : target.left(question);
}

QUrlQuery HttpRequestHead::query() const
{
    const qsizetype question = target.indexOf('?');
    if (question < 0)
        return {};
    return QUrlQuery(QString::fromLatin1(target.mid(question + 1)));
}

QByteArray HttpRequestHead::header(QByteArrayView lowerName) const
{
    for (const auto &[name, value] : headers) {
        if (name == lowerName)
            return value;
    }
    return {};
}

bool HttpRequestHead::headerHasToken(QByteArrayView lowerName, QByteArrayView token) const
{
    for (const auto &[name, value] : headers) {
        if (name != lowerName)
            continue;
        const QList<QByteArray> parts = value.split(',');
        for (const QByteArray &part : parts) {
            if (part.trimmed().compare(token, Qt::CaseInsensitive) == 0)
                return true;
        }
    }
    return false;
}

namespace realtimehttp {

std::optional<QPair<QByteArray, QByteArray>> requestLine(QByteArrayView buffer)
{
    const qsizetype end = buffer.indexOf("\r\n");
    if (end < 0)
        return std::nullopt;
    const QByteArrayView line = buffer.first(end);
    const qsizetype firstSpace = line.indexOf(' ');
    if (firstSpace <= 0)
        return QPair<QByteArray, QByteArray>{};
    const qsizetype secondSpace = line.indexOf(' ', firstSpace + 1);
    const qsizetype targetEnd = secondSpace < 0 ? line.size() : secondSpace;
    return QPair<QByteArray, QByteArray>{
        line.first(firstSpace).toByteArray(),
        line.sliced(firstSpace + 1, targetEnd - firstSpace - 1).toByteArray()};
}

std::optional<qsizetype> headEnd(QByteArrayView buffer)
{
    const qsizetype end = buffer.indexOf("\r\n\r\n");
    if (end < 0)
        return std::nullopt;
    return end + 4;
}

Result<HttpRequestHead> parseHead(QByteArrayView buffer)
{
    const auto end = headEnd(buffer);
    if (!end)
        return Result<HttpRequestHead>::failure(QStringLiteral("incomplete"),
                                                QStringLiteral("the request head is incomplete"));
    HttpRequestHead head;
    head.size = *end;
    const QList<QByteArray> lines = buffer.first(*end - 4).toByteArray().split('\n');
    bool first = true;
    for (QByteArray line : lines) {
        if (line.endsWith('\r'))
            line.chop(1);
        if (first) {
            first = false;
            const QList<QByteArray> parts = line.split(' ');
            if (parts.size() != 3 || parts.at(0).isEmpty() || !parts.at(1).startsWith('/') ||
                !parts.at(2).startsWith("HTTP/1."))
                return Result<HttpRequestHead>::failure(QStringLiteral("bad_request_line"),
                                                        QStringLiteral("malformed request line"));
            head.method = parts.at(0);
            head.target = parts.at(1);
            head.version = parts.at(2);
            continue;
        }
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            return Result<HttpRequestHead>::failure(QStringLiteral("bad_header"),
                                                    QStringLiteral("malformed header line"));
        head.headers.append(
            {lowered(QByteArrayView(line).first(colon)), line.mid(colon + 1).trimmed()});
    }
    return head;
}

bool isRealtimeTarget(QByteArrayView target)
{
    return target.startsWith("/socket.io/");
}

QByteArray webSocketAccept(QByteArrayView key)
{
    QByteArray material = key.toByteArray();
    material += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    return QCryptographicHash::hash(material, QCryptographicHash::Sha1).toBase64();
}

bool validWebSocketKey(QByteArrayView key)
{
    const auto decoded =
        QByteArray::fromBase64Encoding(key.toByteArray(), QByteArray::AbortOnBase64DecodingErrors);
    return decoded && decoded.decoded.size() == 16;
}

QByteArray engineErrorMessage(EngineError error)
{
    switch (error) {
    case EngineError::UnknownTransport:
        return "Transport unknown";
    case EngineError::UnknownSid:
        return "Session ID unknown";
    case EngineError::BadHandshakeMethod:
        return "Bad handshake method";
    case EngineError::BadRequest:
        return "Bad request";
    case EngineError::Forbidden:
        return "Forbidden";
    case EngineError::UnsupportedProtocolVersion:
        return "Unsupported protocol version";
    }
    return "Bad request";
}

Refusal engineRefusal(QByteArrayView method, const QUrlQuery &query)
{
    EngineError error = EngineError::BadRequest;
    if (query.queryItemValue(QStringLiteral("transport")) != u"websocket")
        error = EngineError::UnknownTransport;
    else if (query.hasQueryItem(QStringLiteral("sid")))
        error = EngineError::UnknownSid;
    else if (method != "GET")
        error = EngineError::BadHandshakeMethod;
    return Refusal{error == EngineError::Forbidden ? 403 : 400,
                   "{\"code\":" + QByteArray::number(int(error)) + ",\"message\":\"" +
                       engineErrorMessage(error) + "\"}"};
}

QByteArray upgradeErrorResponse(QByteArrayView message)
{
    return "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-type: "
           "text/html\r\nContent-Length: " +
        QByteArray::number(message.size()) + "\r\n\r\n" + message.toByteArray();
}

QByteArray switchingProtocolsResponse(QByteArrayView key)
{
    return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Accept: " +
        webSocketAccept(key) + "\r\n\r\n";
}

} // namespace realtimehttp
} // namespace cb
