#include "socketio.h"

#include "safejson.h"

#include <array>
#include <limits>
#include <string_view>

namespace cb::sio {

namespace {

constexpr int maxAttachments = 10; // socket.io-parser's default
constexpr qsizetype maxAckIdDigits = 15;
constexpr qsizetype maxOpenBytes = 64 * 1024;
constexpr qsizetype maxQuotedChars = 40;

constexpr std::array<std::string_view, 6> reservedEvents = {
    "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"};

template<typename T>
Result<T> fail(const char *code, QString message)
{
    return Result<T>::failure(QString::fromLatin1(code), std::move(message));
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

/// A short, printable excerpt of untrusted input for error messages.
QString quoted(QByteArrayView bytes)
{
    QString text = QString::fromUtf8(bytes.first(std::min(bytes.size(), maxQuotedChars)));
    if (bytes.size() > maxQuotedChars)
        text += QStringLiteral("…");
    return u'"' + text + u'"';
}

QString typeName(SioType type)
{
    switch (type) {
    case SioType::Connect:
        return QStringLiteral("CONNECT");
    case SioType::Disconnect:
        return QStringLiteral("DISCONNECT");
    case SioType::Event:
        return QStringLiteral("EVENT");
    case SioType::Ack:
        return QStringLiteral("ACK");
    case SioType::ConnectError:
        return QStringLiteral("CONNECT_ERROR");
    case SioType::BinaryEvent:
        return QStringLiteral("BINARY_EVENT");
    case SioType::BinaryAck:
        return QStringLiteral("BINARY_ACK");
    }
    return QStringLiteral("?");
}

bool isReservedEvent(const std::string &name)
{
    for (const auto reserved : reservedEvents) {
        if (name == reserved)
            return true;
    }
    return false;
}

/// socket.io-parser's isPayloadValid(), for a payload that is present.
bool payloadValid(SioType type, const Json &payload)
{
    switch (type) {
    case SioType::Connect:
        return payload.is_object();
    case SioType::Disconnect:
        return false;
    case SioType::ConnectError:
        return payload.is_object() || payload.is_string();
    case SioType::Event:
    case SioType::BinaryEvent:
        return payload.is_array() && !payload.empty() &&
            (payload.front().is_number() ||
             (payload.front().is_string() &&
              !isReservedEvent(payload.front().get_ref<const std::string &>())));
    case SioType::Ack:
    case SioType::BinaryAck:
        return payload.is_array();
    }
    return false;
}

QString describePayloadRule(SioType type)
{
    switch (type) {
    case SioType::Connect:
        return QStringLiteral("CONNECT takes an object or nothing");
    case SioType::Disconnect:
        return QStringLiteral("DISCONNECT takes no payload");
    case SioType::ConnectError:
        return QStringLiteral("CONNECT_ERROR takes an object or a string");
    case SioType::Event:
    case SioType::BinaryEvent:
        return QStringLiteral("EVENT takes a non-empty array starting with a non-reserved name");
    case SioType::Ack:
    case SioType::BinaryAck:
        return QStringLiteral("ACK takes an array");
    }
    return {};
}

/// Payload absent: fine for CONNECT and DISCONNECT only (the JS decoder lets `42`/`43`/`44`
/// through, but nothing downstream can use them).
bool absenceValid(SioType type)
{
    return type == SioType::Connect || type == SioType::Disconnect;
}

Json spreadArgs(Json head, const Json &args)
{
    if (args.is_array()) {
        for (const auto &arg : args)
            head.push_back(arg);
    } else if (!args.is_null()) {
        head.push_back(args);
    }
    return head;
}

QByteArray dumpJson(const Json &json)
{
    const std::string text = json.dump(-1, ' ', false, Json::error_handler_t::replace);
    return QByteArray(text.data(), qsizetype(text.size()));
}

QString normalizedNsp(const QString &nsp)
{
    if (nsp.isEmpty())
        return QStringLiteral("/");
    return nsp.startsWith(u'/') ? nsp : u'/' + nsp;
}

} // namespace

// Engine.IO ---------------------------------------------------------------------------------

Result<EioPacket> decodeEio(QByteArrayView textFrame)
{
    if (textFrame.isEmpty())
        return fail<EioPacket>("empty_frame", QStringLiteral("empty Engine.IO frame"));
    const char first = textFrame.front();
    if (first == 'b') {
        return fail<EioPacket>(
            "binary_unsupported",
            QStringLiteral("base64 binary packets (long-polling) are not supported"));
    }
    if (first < '0' || first > '6') {
        return fail<EioPacket>(
            "unknown_type",
            QStringLiteral("unknown Engine.IO packet type %1").arg(quoted(textFrame.first(1))));
    }
    return EioPacket{EioType(first - '0'), textFrame.sliced(1).toByteArray()};
}

QByteArray encodeEio(EioType type, QByteArrayView payload)
{
    QByteArray frame;
    frame.reserve(1 + payload.size());
    frame.append(char('0' + int(type)));
    frame.append(payload);
    return frame;
}

QByteArray encodeOpen(const OpenPacket &open)
{
    Json upgrades = Json::array();
    for (const QString &upgrade : open.upgrades)
        upgrades.push_back(upgrade.toStdString());
    return "{\"sid\":" + dumpJson(Json(open.sid.toStdString())) +
        ",\"upgrades\":" + dumpJson(upgrades) +
        ",\"pingInterval\":" + QByteArray::number(open.pingInterval) +
        ",\"pingTimeout\":" + QByteArray::number(open.pingTimeout) +
        ",\"maxPayload\":" + QByteArray::number(open.maxPayload) + '}';
}

Result<OpenPacket> decodeOpen(QByteArrayView payload)
{
    auto parsed = parseJsonSafely(payload, JsonShape::Object, maxOpenBytes, 4);
    if (!parsed) {
        return fail<OpenPacket>("invalid_open",
                                QStringLiteral("open packet: %1").arg(parsed.error().message));
    }
    const Json &object = *parsed;
    const auto positiveInt = [&](const char *key) -> std::optional<int> {
        const auto it = object.find(key);
        if (it == object.end() || !it->is_number_integer())
            return std::nullopt;
        const qint64 value = it->get<qint64>();
        if (value <= 0 || value > std::numeric_limits<int>::max())
            return std::nullopt;
        return int(value);
    };

    OpenPacket open;
    open.sid = stringField(object, "sid");
    if (open.sid.isEmpty())
        return fail<OpenPacket>("invalid_open", QStringLiteral("open packet without a sid"));
    const auto interval = positiveInt("pingInterval");
    const auto timeout = positiveInt("pingTimeout");
    if (!interval || !timeout) {
        return fail<OpenPacket>(
            "invalid_open",
            QStringLiteral("open packet needs positive pingInterval and pingTimeout"));
    }
    open.pingInterval = *interval;
    open.pingTimeout = *timeout;

    if (const auto it = object.find("upgrades"); it != object.end()) {
        if (!it->is_array())
            return fail<OpenPacket>("invalid_open",
                                    QStringLiteral("open packet upgrades is not an array"));
        for (const auto &upgrade : *it) {
            if (!upgrade.is_string())
                return fail<OpenPacket>("invalid_open",
                                        QStringLiteral("open packet upgrades must be strings"));
            open.upgrades.append(QString::fromStdString(upgrade.get_ref<const std::string &>()));
        }
    }
    open.maxPayload = 0;
    if (const auto it = object.find("maxPayload"); it != object.end()) {
        if (!it->is_number_integer() || it->get<qint64>() < 0)
            return fail<OpenPacket>("invalid_open",
                                    QStringLiteral("open packet maxPayload is invalid"));
        open.maxPayload = it->get<qint64>();
    }
    return open;
}

// Socket.IO ---------------------------------------------------------------------------------

Result<SioPacket> decodeSio(QByteArrayView payload, int maxDepth)
{
    if (payload.isEmpty())
        return fail<SioPacket>("empty_frame", QStringLiteral("empty Socket.IO packet"));
    const char first = payload.front();
    if (first < '0' || first > '6') {
        return fail<SioPacket>(
            "unknown_type",
            QStringLiteral("unknown Socket.IO packet type %1").arg(quoted(payload.first(1))));
    }

    SioPacket packet;
    packet.type = SioType(first - '0');
    const bool binary = packet.type == SioType::BinaryEvent || packet.type == SioType::BinaryAck;
    const qsizetype size = payload.size();
    qsizetype i = 1;

    if (binary) {
        const qsizetype start = i;
        while (i < size && isDigit(payload[i]) && i - start <= 2)
            ++i;
        if (i == start || i >= size || payload[i] != '-') {
            return fail<SioPacket>(
                "invalid_attachments",
                QStringLiteral("%1 needs an attachment count and '-'").arg(typeName(packet.type)));
        }
        const int count = payload.sliced(start, i - start).toInt();
        if (count > maxAttachments) {
            return fail<SioPacket>(
                "invalid_attachments",
                QStringLiteral("%1 attachments (at most %2)").arg(count).arg(maxAttachments));
        }
        packet.attachments = count;
        ++i;
    }

    if (i < size && payload[i] == '/') {
        const qsizetype start = i;
        while (i < size && payload[i] != ',')
            ++i;
        packet.nsp = QString::fromUtf8(payload.sliced(start, i - start));
        if (i < size)
            ++i; // the comma
    }

    if (i < size && isDigit(payload[i])) {
        const qsizetype start = i;
        while (i < size && isDigit(payload[i]))
            ++i;
        if (i - start > maxAckIdDigits) {
            return fail<SioPacket>("invalid_ack_id",
                                   QStringLiteral("ack id of %1 digits (at most %2)")
                                       .arg(i - start)
                                       .arg(maxAckIdDigits));
        }
        packet.ackId = payload.sliced(start, i - start).toLongLong();
    }

    if (binary) {
        return fail<SioPacket>(
            "binary_unsupported",
            QStringLiteral("%1 with %2 attachment(s) on namespace %3%4 is not supported")
                .arg(typeName(packet.type))
                .arg(packet.attachments)
                .arg(packet.nsp,
                     packet.ackId ? QStringLiteral(", ack id %1").arg(*packet.ackId) : QString()));
    }

    if (i == size) {
        if (!absenceValid(packet.type)) {
            return fail<SioPacket>(
                "invalid_payload",
                QStringLiteral("%1 without payload: %2")
                    .arg(typeName(packet.type), describePayloadRule(packet.type)));
        }
        return packet;
    }

    auto json = parseJsonSafely(payload.sliced(i), std::numeric_limits<qsizetype>::max(), maxDepth);
    if (!json) {
        return Error{
            json.error().code,
            QStringLiteral("%1 payload: %2").arg(typeName(packet.type), json.error().message)};
    }
    if (!payloadValid(packet.type, *json)) {
        return fail<SioPacket>("invalid_payload",
                               QStringLiteral("invalid %1 payload %2: %3")
                                   .arg(typeName(packet.type), quoted(payload.sliced(i)),
                                        describePayloadRule(packet.type)));
    }
    packet.data = std::move(*json);
    return packet;
}

QByteArray encodeSio(const SioPacket &packet)
{
    QByteArray out;
    out.append(char('0' + int(packet.type)));
    if (packet.type == SioType::BinaryEvent || packet.type == SioType::BinaryAck)
        out.append(QByteArray::number(packet.attachments)).append('-');
    const QString nsp = normalizedNsp(packet.nsp);
    if (nsp != u"/")
        out.append(nsp.toUtf8()).append(',');
    if (packet.ackId)
        out.append(QByteArray::number(*packet.ackId));
    if (!packet.data.is_null())
        out.append(dumpJson(packet.data));
    return out;
}

QByteArray encodeMessage(const SioPacket &packet)
{
    return '4' + encodeSio(packet);
}

Result<SioPacket> decodeMessage(QByteArrayView textFrame, int maxDepth)
{
    if (textFrame.isEmpty())
        return fail<SioPacket>("empty_frame", QStringLiteral("empty Engine.IO frame"));
    if (textFrame.front() != '4') {
        auto eio = decodeEio(textFrame);
        if (!eio)
            return eio.error();
        return fail<SioPacket>(
            "not_a_message",
            QStringLiteral("Engine.IO packet of type %1, not a message").arg(int(eio->type)));
    }
    return decodeSio(textFrame.sliced(1), maxDepth);
}

// Builders ----------------------------------------------------------------------------------

SioPacket eventPacket(const QString &name, const Json &args, std::optional<qint64> ackId,
                      const QString &nsp)
{
    SioPacket packet;
    packet.type = SioType::Event;
    packet.nsp = normalizedNsp(nsp);
    packet.ackId = ackId;
    packet.data = spreadArgs(Json::array({name.toStdString()}), args);
    return packet;
}

SioPacket ackPacket(qint64 id, const Json &args, const QString &nsp)
{
    SioPacket packet;
    packet.type = SioType::Ack;
    packet.nsp = normalizedNsp(nsp);
    packet.ackId = id;
    packet.data = spreadArgs(Json::array(), args);
    return packet;
}

SioPacket connectPacket(const Json &auth, const QString &nsp)
{
    SioPacket packet;
    packet.type = SioType::Connect;
    packet.nsp = normalizedNsp(nsp);
    packet.data = auth.is_object() ? auth : Json();
    return packet;
}

SioPacket connectedPacket(const QString &socketId, const QString &pid, const QString &nsp)
{
    Json data = Json::object();
    data["sid"] = socketId.toStdString();
    if (!pid.isEmpty())
        data["pid"] = pid.toStdString();
    return connectPacket(data, nsp);
}

SioPacket connectErrorPacket(const QString &message, const Json &data, const QString &nsp)
{
    SioPacket packet;
    packet.type = SioType::ConnectError;
    packet.nsp = normalizedNsp(nsp);
    packet.data = Json::object();
    packet.data["message"] = message.toStdString();
    if (!data.is_null())
        packet.data["data"] = data;
    return packet;
}

SioPacket disconnectPacket(const QString &nsp)
{
    SioPacket packet;
    packet.type = SioType::Disconnect;
    packet.nsp = normalizedNsp(nsp);
    return packet;
}

// Accessors ---------------------------------------------------------------------------------

QString eventName(const SioPacket &packet)
{
    if (packet.type != SioType::Event || !packet.data.is_array() || packet.data.empty())
        return {};
    const Json &name = packet.data.front();
    if (name.is_string())
        return QString::fromStdString(name.get_ref<const std::string &>());
    if (name.is_number())
        return QString::fromUtf8(dumpJson(name));
    return {};
}

Json eventArgs(const SioPacket &packet)
{
    Json args = Json::array();
    if (!packet.data.is_array())
        return args;
    const bool skipName = packet.type == SioType::Event;
    const auto begin = packet.data.begin() + ((skipName && !packet.data.empty()) ? 1 : 0);
    if (packet.type == SioType::Event || packet.type == SioType::Ack)
        args.insert(args.end(), begin, packet.data.end());
    return args;
}

QString connectErrorMessage(const SioPacket &packet)
{
    if (packet.type != SioType::ConnectError)
        return {};
    if (packet.data.is_string())
        return QString::fromStdString(packet.data.get_ref<const std::string &>());
    return stringField(packet.data, "message");
}

Json connectErrorData(const SioPacket &packet)
{
    if (packet.type != SioType::ConnectError || !packet.data.is_object())
        return nullptr;
    const auto it = packet.data.find("data");
    return it == packet.data.end() ? Json() : *it;
}

std::optional<QString> recoveryOffset(const SioPacket &packet)
{
    if (packet.type != SioType::Event || packet.ackId || !packet.data.is_array() ||
        packet.data.size() < 2 || !packet.data.back().is_string())
        return std::nullopt;
    return QString::fromStdString(packet.data.back().get_ref<const std::string &>());
}

std::optional<QString> takeRecoveryOffset(SioPacket &packet)
{
    auto offset = recoveryOffset(packet);
    if (offset)
        packet.data.erase(packet.data.end() - 1);
    return offset;
}

} // namespace cb::sio
