#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>
#include <QUrlQuery>

#include <optional>

namespace cb {

/// The request line and headers of one HTTP/1.1 request, as read off a fresh connection
/// before anything has answered it.
struct HttpRequestHead
{
    QByteArray method;
    QByteArray target; ///< path and query as sent
    QByteArray version;
    QList<QPair<QByteArray, QByteArray>> headers; ///< names lower-cased, values trimmed
    qsizetype size = 0; ///< bytes up to and including the blank line

    QByteArray path() const;
    QUrlQuery query() const;
    /// The first header of that (lower-case) name, or an empty array.
    QByteArray header(QByteArrayView lowerName) const;
    /// True when a comma-separated header lists @p token (case-insensitive).
    bool headerHasToken(QByteArrayView lowerName, QByteArrayView token) const;
};

namespace realtimehttp {

/// Largest request head the realtime front door reads before giving up.
inline constexpr qsizetype maxHeadBytes = 16 * 1024;

/// The request line of @p buffer when its first line is complete: method and target.
std::optional<QPair<QByteArray, QByteArray>> requestLine(QByteArrayView buffer);
/// Offset just past the blank line that ends the head, when it has arrived.
std::optional<qsizetype> headEnd(QByteArrayView buffer);
Result<HttpRequestHead> parseHead(QByteArrayView buffer);

/// True for the targets the Engine.IO endpoint owns (`/socket.io/…`).
bool isRealtimeTarget(QByteArrayView target);

/// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key (RFC 6455 §4.2.2).
QByteArray webSocketAccept(QByteArrayView key);
/// True for a key that decodes to 16 bytes, as `ws` requires.
bool validWebSocketKey(QByteArrayView key);

/// Engine.IO's error codes for refused requests (engine.io Server.errors).
enum class EngineError {
    UnknownTransport = 0,
    UnknownSid = 1,
    BadHandshakeMethod = 2,
    BadRequest = 3,
    Forbidden = 4,
    UnsupportedProtocolVersion = 5,
};
QByteArray engineErrorMessage(EngineError error);

/// The answer engine.io (or `ws`) gives a refused WebSocket upgrade: 400, text/html.
/// Status and JSON body engine.io answers a plain HTTP request to its path with: this
/// server takes WebSocket upgrades only, so every such request is refused.
struct Refusal
{
    int status = 400;
    QByteArray body;
};
Refusal engineRefusal(QByteArrayView method, const QUrlQuery &query);

QByteArray upgradeErrorResponse(QByteArrayView message);
/// The 101 that completes a WebSocket handshake.
QByteArray switchingProtocolsResponse(QByteArrayView key);

} // namespace realtimehttp
} // namespace cb
