#pragma once

#include "json.h"
#include "result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringList>

#include <optional>

/// Engine.IO v4 and Socket.IO v5 packets as they travel in WebSocket text frames
/// (socketio.md §1–2), for our server and our client alike.
///
/// Frames are UTF-8 bytes: a client holding the QString of QWebSocket::textMessageReceived
/// passes `message.toUtf8()` and sends `QString::fromUtf8(encoded)`.
///
/// Decoding follows the rules socket.io-parser 4.2.7 enforces (a stock server closes the
/// connection on any of them), and never throws. Error codes: `empty_frame`, `unknown_type`,
/// `invalid_attachments`, `binary_unsupported`, `invalid_ack_id`, `invalid_payload`,
/// `invalid_open`, `not_a_message`, and `invalid_json` / `too_deep` from parseJsonSafely.
///
/// Encoding writes JSON with nlohmann's key order (sorted), where JavaScript keeps insertion
/// order; peers parse the JSON, so only byte-for-byte comparisons with a stock server notice.
namespace cb::sio {

// Engine.IO ---------------------------------------------------------------------------------

enum class EioType { Open = 0, Close, Ping, Pong, Message, Upgrade, Noop };

/// One Engine.IO packet: the type digit and whatever follows it.
struct EioPacket
{
    EioType type = EioType::Noop;
    QByteArray payload;

    /// `2probe` / `3probe` of a polling→WebSocket upgrade.
    bool isProbe() const
    {
        return (type == EioType::Ping || type == EioType::Pong) && payload == "probe";
    }
    bool operator==(const EioPacket &) const = default;
};

/// Any payload is accepted after a known type digit, as engine.io-parser does. A leading
/// `b` (base64 binary, long-polling only) gives `binary_unsupported`.
Result<EioPacket> decodeEio(QByteArrayView textFrame);
QByteArray encodeEio(EioType type, QByteArrayView payload = {});

/// The handshake the server sends first: `0{"sid":…,"upgrades":[],"pingInterval":…,…}`.
struct OpenPacket
{
    QString sid;
    QStringList upgrades;
    int pingInterval = 25000; ///< ms
    int pingTimeout = 20000; ///< ms
    qint64 maxPayload = 1000000; ///< bytes; 0 when the server did not announce it

    bool operator==(const OpenPacket &) const = default;
};

/// The JSON payload of an open packet, keys in the order a stock server writes them, so
/// `encodeEio(EioType::Open, encodeOpen(p))` is byte-identical to engine.io's frame.
QByteArray encodeOpen(const OpenPacket &open);
/// @p payload is what follows the `0`. `sid`, `pingInterval` and `pingTimeout` are required.
Result<OpenPacket> decodeOpen(QByteArrayView payload);

// Socket.IO ---------------------------------------------------------------------------------

enum class SioType { Connect = 0, Disconnect, Event, Ack, ConnectError, BinaryEvent, BinaryAck };

/// One Socket.IO packet. `data` is null when the packet has no payload (`40`, `41`).
struct SioPacket
{
    SioType type = SioType::Event;
    QString nsp = QStringLiteral("/");
    std::optional<qint64> ackId;
    Json data;
    int attachments = 0; ///< binary packets only; written as `<n>-`

    bool operator==(const SioPacket &) const = default;
};

/// Largest ack id accepted: 15 decimal digits, below 2^53 so JavaScript peers agree.
inline constexpr qint64 maxAckId = 999'999'999'999'999;

/// Decodes the Socket.IO part of a message (after the Engine.IO `4`). Payload rules:
/// CONNECT an object or nothing; DISCONNECT nothing; CONNECT_ERROR an object or a string;
/// EVENT a non-empty array whose first element is a number or a string other than the
/// reserved connect, connect_error, disconnect, disconnecting, newListener, removeListener;
/// ACK an array. Binary packets (5, 6) are parsed up to their payload and then refused with
/// `binary_unsupported`.
Result<SioPacket> decodeSio(QByteArrayView payload, int maxDepth = 64);
/// The Socket.IO encoding without the leading `4`. A namespace other than "/" is written
/// with its comma; one not starting with '/' gets the slash prepended.
QByteArray encodeSio(const SioPacket &packet);

/// A whole WebSocket text frame: `4` + encodeSio().
QByteArray encodeMessage(const SioPacket &packet);
/// A whole WebSocket text frame that must be an Engine.IO message (`not_a_message` else).
Result<SioPacket> decodeMessage(QByteArrayView textFrame, int maxDepth = 64);

/// `42[name, …args]`: @p args is an array of arguments (spread), null for none, or any other
/// value as the single argument.
SioPacket eventPacket(const QString &name, const Json &args = nullptr,
                      std::optional<qint64> ackId = std::nullopt,
                      const QString &nsp = QStringLiteral("/"));
/// `43<id>[…args]`, @p args spread as in eventPacket().
SioPacket ackPacket(qint64 id, const Json &args = nullptr,
                    const QString &nsp = QStringLiteral("/"));
/// `40` or `40{auth}`; @p auth must be an object or null.
SioPacket connectPacket(const Json &auth = nullptr, const QString &nsp = QStringLiteral("/"));
/// The server's CONNECT reply `40{"sid":…[,"pid":…]}` (pid omitted when empty).
SioPacket connectedPacket(const QString &socketId, const QString &pid = {},
                          const QString &nsp = QStringLiteral("/"));
/// `44{"message":…[,"data":…]}` (data omitted when null).
SioPacket connectErrorPacket(const QString &message, const Json &data = nullptr,
                             const QString &nsp = QStringLiteral("/"));
SioPacket disconnectPacket(const QString &nsp = QStringLiteral("/"));

/// The event name of an EVENT (a numeric name as its decimal text); empty for other packets.
QString eventName(const SioPacket &packet);
/// The arguments of an EVENT after its name, or of an ACK; an empty array otherwise.
Json eventArgs(const SioPacket &packet);
/// The message of a CONNECT_ERROR in either form (`{"message":…}` or a bare string).
QString connectErrorMessage(const SioPacket &packet);
/// The `data` member of a CONNECT_ERROR object; null when absent.
Json connectErrorData(const SioPacket &packet);

/// Connection state recovery (socketio.md §3.2): a server with CSR on appends an offset
/// string to every stored broadcast. This returns it for an EVENT without ack id whose array
/// has a name and at least one more element, the last one a string. Apply it only when the
/// CONNECT reply carried a `pid`: without CSR a trailing string is an ordinary argument.
std::optional<QString> recoveryOffset(const SioPacket &packet);
/// As recoveryOffset(), and removes the offset from the packet's arguments.
std::optional<QString> takeRecoveryOffset(SioPacket &packet);

} // namespace cb::sio
