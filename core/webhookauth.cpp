#include "webhookauth.h"

#include "json.h"

#include <QCryptographicHash>
#include <QMessageAuthenticationCode>

#include <optional>

namespace cb {

namespace {

constexpr qint64 millisecondsThreshold = 100'000'000'000; // 1973 in ms, year 5138 in s
constexpr qsizetype maxTimestampDigits = 16;

Result<void> fail(const char *code, QString message)
{
    return Result<void>::failure(QString::fromLatin1(code), std::move(message));
}

QByteArray hmac(QCryptographicHash::Algorithm algorithm, QByteArrayView key,
                std::initializer_list<QByteArrayView> parts)
{
    QMessageAuthenticationCode mac(algorithm, key.toByteArray());
    for (const QByteArrayView part : parts)
        mac.addData(part.data(), part.size());
    return mac.result();
}

/// Compares secrets of any length without a data-dependent early exit: both sides are
/// reduced to SHA-256 digests first, so the comparison always runs over 32 bytes.
bool secretsMatch(QByteArrayView presented, QByteArrayView expected)
{
    const QByteArray a = QCryptographicHash::hash(presented, QCryptographicHash::Sha256);
    const QByteArray b = QCryptographicHash::hash(expected, QCryptographicHash::Sha256);
    return constantTimeEquals(a, b);
}

bool isHexDigit(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool isDigits(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (const char c : text) {
        if (c < '0' || c > '9')
            return false;
    }
    return true;
}

std::optional<QByteArray> decodeHex(QByteArrayView text)
{
    if (text.size() % 2 != 0)
        return std::nullopt;
    for (const char c : text) {
        if (!isHexDigit(c))
            return std::nullopt;
    }
    return QByteArray::fromHex(text.toByteArray());
}

std::optional<QByteArray> decodeBase64(QByteArrayView text)
{
    auto decoded =
        QByteArray::fromBase64Encoding(text.toByteArray(), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    return *decoded;
}

std::optional<QCryptographicHash::Algorithm> hmacAlgorithm(QByteArrayView name)
{
    const QByteArray lower = name.toByteArray().toLower();
    if (lower == "sha256")
        return QCryptographicHash::Sha256;
    if (lower == "sha512")
        return QCryptographicHash::Sha512;
    if (lower == "sha1")
        return QCryptographicHash::Sha1;
    return std::nullopt;
}

/// Unix seconds or milliseconds (told apart by magnitude), or ISO 8601.
std::optional<qint64> timestampMs(QByteArrayView text)
{
    if (isDigits(text)) {
        if (text.size() > maxTimestampDigits)
            return std::nullopt;
        const qint64 value = text.toByteArray().toLongLong();
        return value < millisecondsThreshold ? value * 1000 : value;
    }
    if (text.size() > 64)
        return std::nullopt;
    const QDateTime time = parseIsoTime(QString::fromLatin1(text));
    if (!time.isValid())
        return std::nullopt;
    return time.toMSecsSinceEpoch();
}

Result<void> checkWindow(qint64 stampMs, const QDateTime &now, std::chrono::milliseconds window)
{
    const qint64 skew = now.toMSecsSinceEpoch() - stampMs;
    if (skew > window.count()) {
        return fail("stale_timestamp",
                    QStringLiteral("timestamp is %1 s old (window %2 s)")
                        .arg(skew / 1000)
                        .arg(window.count() / 1000));
    }
    if (-skew > window.count()) {
        return fail("stale_timestamp",
                    QStringLiteral("timestamp is %1 s in the future (window %2 s)")
                        .arg(-skew / 1000)
                        .arg(window.count() / 1000));
    }
    return {};
}

QString headerLabel(QByteArrayView name)
{
    return QString::fromLatin1(name);
}

// Addresses are kept as 16 bytes; IPv4 as its IPv4-mapped IPv6 form ::ffff:a.b.c.d.
using Address = std::array<quint8, 16>;
constexpr int mappedPrefixBits = 96;

std::optional<std::array<quint8, 4>> parseIpv4(QStringView text)
{
    std::array<quint8, 4> bytes{};
    int part = 0;
    qsizetype start = 0;
    for (qsizetype i = 0; i <= text.size(); ++i) {
        if (i < text.size() && text[i] != u'.')
            continue;
        const QStringView piece = text.mid(start, i - start);
        if (part >= 4 || piece.isEmpty() || piece.size() > 3)
            return std::nullopt;
        if (piece.size() > 1 && piece[0] == u'0')
            return std::nullopt; // "010" is octal to inet_aton: refuse the ambiguity
        int value = 0;
        for (const QChar c : piece) {
            if (c < u'0' || c > u'9')
                return std::nullopt;
            value = value * 10 + (c.unicode() - u'0');
        }
        if (value > 255)
            return std::nullopt;
        bytes[size_t(part++)] = quint8(value);
        start = i + 1;
    }
    if (part != 4)
        return std::nullopt;
    return bytes;
}

/// Groups of one side of "::"; an IPv4 tail counts as two groups.
bool parseIpv6Groups(QStringView text, bool ipv4TailAllowed, QList<quint16> &groups)
{
    if (text.isEmpty())
        return true;
    qsizetype start = 0;
    for (qsizetype i = 0; i <= text.size(); ++i) {
        if (i < text.size() && text[i] != u':')
            continue;
        const QStringView piece = text.mid(start, i - start);
        start = i + 1;
        if (i == text.size() && ipv4TailAllowed && piece.contains(u'.')) {
            const auto v4 = parseIpv4(piece);
            if (!v4)
                return false;
            groups.append(quint16(((*v4)[0] << 8) | (*v4)[1]));
            groups.append(quint16(((*v4)[2] << 8) | (*v4)[3]));
            continue;
        }
        if (piece.isEmpty() || piece.size() > 4)
            return false;
        quint16 value = 0;
        for (const QChar c : piece) {
            if (c.unicode() > 0x7f || !isHexDigit(char(c.unicode())))
                return false;
            const char h = char(c.unicode());
            const int digit = h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10;
            value = quint16((value << 4) | digit);
        }
        groups.append(value);
    }
    return true;
}

std::optional<Address> parseIpv6(QStringView text)
{
    const qsizetype gap = text.indexOf(u"::");
    if (gap >= 0 && text.indexOf(u"::", gap + 1) >= 0)
        return std::nullopt;
    QList<quint16> head;
    QList<quint16> tail;
    if (gap < 0) {
        if (!parseIpv6Groups(text, true, head) || head.size() != 8)
            return std::nullopt;
    } else {
        if (!parseIpv6Groups(text.left(gap), false, head) ||
            !parseIpv6Groups(text.mid(gap + 2), true, tail) || head.size() + tail.size() > 7)
            return std::nullopt;
    }
    Address address{};
    for (qsizetype i = 0; i < head.size(); ++i) {
        address[size_t(2 * i)] = quint8(head[i] >> 8);
        address[size_t(2 * i + 1)] = quint8(head[i] & 0xff);
    }
    const qsizetype tailStart = 8 - tail.size();
    for (qsizetype i = 0; i < tail.size(); ++i) {
        address[size_t(2 * (tailStart + i))] = quint8(tail[i] >> 8);
        address[size_t(2 * (tailStart + i) + 1)] = quint8(tail[i] & 0xff);
    }
    return address;
}

/// The address and whether it was written as IPv4.
std::optional<std::pair<Address, bool>> parseAddress(QStringView text)
{
    text = text.trimmed();
    if (text.startsWith(u'[') && text.endsWith(u']'))
        text = text.mid(1, text.size() - 2);
    if (const qsizetype zone = text.indexOf(u'%'); zone >= 0)
        text = text.left(zone);
    if (text.isEmpty() || text.size() > 64)
        return std::nullopt;
    if (!text.contains(u':')) {
        const auto v4 = parseIpv4(text);
        if (!v4)
            return std::nullopt;
        Address mapped{};
        mapped[10] = 0xff;
        mapped[11] = 0xff;
        std::copy(v4->begin(), v4->end(), mapped.begin() + 12);
        return std::pair{mapped, true};
    }
    const auto v6 = parseIpv6(text);
    if (!v6)
        return std::nullopt;
    return std::pair{*v6, false};
}

bool prefixMatches(const Address &a, const Address &b, int bits)
{
    for (size_t i = 0; bits > 0; ++i, bits -= 8) {
        const quint8 mask = bits >= 8 ? 0xff : quint8(0xff << (8 - bits));
        if ((a[i] & mask) != (b[i] & mask))
            return false;
    }
    return true;
}

} // namespace

QByteArray headerValue(const HttpHeaders &headers, QByteArrayView name)
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value.trimmed();
    }
    return {};
}

bool constantTimeEquals(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    unsigned char difference = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        difference |= static_cast<unsigned char>(a[i] ^ b[i]);
    return difference == 0;
}

// Retell ------------------------------------------------------------------------------------

Result<void> verifyRetellSignature(QByteArrayView rawBody, QByteArrayView signatureHeader,
                                   QByteArrayView apiKey, const QDateTime &now,
                                   std::chrono::milliseconds window)
{
    if (apiKey.isEmpty())
        return fail("not_configured", QStringLiteral("no Retell API key is configured"));
    const QByteArray header = signatureHeader.toByteArray().trimmed();
    if (header.isEmpty())
        return fail("missing_signature", QStringLiteral("x-retell-signature header is missing"));

    QByteArray stamp;
    QByteArray digestHex;
    bool sawStamp = false;
    bool sawDigest = false;
    for (const QByteArray &rawPart : header.split(',')) {
        const QByteArray part = rawPart.trimmed();
        if (part.startsWith("v=")) {
            if (sawStamp)
                return fail("malformed_signature", QStringLiteral("x-retell-signature repeats v="));
            sawStamp = true;
            stamp = part.mid(2);
        } else if (part.startsWith("d=")) {
            if (sawDigest)
                return fail("malformed_signature", QStringLiteral("x-retell-signature repeats d="));
            sawDigest = true;
            digestHex = part.mid(2);
        }
    }
    if (!sawStamp || !sawDigest) {
        return fail("malformed_signature",
                    QStringLiteral("x-retell-signature must look like v=<unix_ms>,d=<hex>"));
    }
    if (!isDigits(stamp) || stamp.size() > maxTimestampDigits) {
        return fail("malformed_signature",
                    QStringLiteral("x-retell-signature timestamp is not a unix time in ms"));
    }
    const auto presented = decodeHex(digestHex);
    if (!presented || presented->size() != 32) {
        return fail("malformed_signature",
                    QStringLiteral("x-retell-signature digest is not 64 hex digits"));
    }

    const qint64 stampMs = stamp.toLongLong();
    if (auto fresh = checkWindow(stampMs, now, window); !fresh)
        return fresh;

    // Retell's SDK signs body + String(Number(v)): the canonical decimal, not the raw digits.
    const QByteArray expected =
        hmac(QCryptographicHash::Sha256, apiKey, {rawBody, QByteArray::number(stampMs)});
    if (!constantTimeEquals(*presented, expected))
        return fail("bad_signature", QStringLiteral("x-retell-signature does not match the body"));
    return {};
}

QByteArray signRetell(QByteArrayView rawBody, QByteArrayView apiKey, const QDateTime &now)
{
    const QByteArray stamp = QByteArray::number(now.toMSecsSinceEpoch());
    const QByteArray digest = hmac(QCryptographicHash::Sha256, apiKey, {rawBody, stamp});
    return "v=" + stamp + ",d=" + digest.toHex();
}

// Vapi --------------------------------------------------------------------------------------

namespace {

Result<void> verifyVapiHmac(const VapiAuthConfig &config, const HttpHeaders &headers,
                            QByteArrayView rawBody, const QDateTime &now)
{
    const auto algorithm = hmacAlgorithm(config.algorithm);
    if (!algorithm) {
        return fail("not_configured",
                    QStringLiteral("unsupported HMAC algorithm %1")
                        .arg(QString::fromLatin1(config.algorithm)));
    }
    const QByteArray signature = headerValue(headers, config.signatureHeader);
    if (signature.isEmpty()) {
        return fail(
            "missing_signature",
            QStringLiteral("%1 header is missing").arg(headerLabel(config.signatureHeader)));
    }
    const QByteArray stamp = headerValue(headers, config.timestampHeader);
    if (stamp.isEmpty()) {
        return fail(
            "missing_timestamp",
            QStringLiteral("%1 header is missing").arg(headerLabel(config.timestampHeader)));
    }
    const auto stampMs = timestampMs(stamp);
    if (!stampMs) {
        return fail("malformed_signature",
                    QStringLiteral("%1 header is not a timestamp")
                        .arg(headerLabel(config.timestampHeader)));
    }
    if (auto fresh = checkWindow(*stampMs, now, config.window); !fresh)
        return fresh;

    if (!signature.startsWith(config.prefix)) {
        return fail("malformed_signature",
                    QStringLiteral("%1 header lacks the expected prefix")
                        .arg(headerLabel(config.signatureHeader)));
    }
    const QByteArrayView encoded = QByteArrayView(signature).sliced(config.prefix.size());
    const auto presented =
        config.encoding == VapiAuthConfig::Hex ? decodeHex(encoded) : decodeBase64(encoded);
    if (!presented || presented->isEmpty()) {
        return fail("malformed_signature",
                    QStringLiteral("%1 header is not %2")
                        .arg(headerLabel(config.signatureHeader),
                             config.encoding == VapiAuthConfig::Hex ? QStringLiteral("hex")
                                                                    : QStringLiteral("base64")));
    }
    const QByteArray expected = hmac(*algorithm, config.secret, {stamp, ".", rawBody});
    if (!constantTimeEquals(*presented, expected)) {
        return fail(
            "bad_signature",
            QStringLiteral("%1 does not match the body").arg(headerLabel(config.signatureHeader)));
    }
    return {};
}

} // namespace

Result<void> verifyVapi(const VapiAuthConfig &config, const HttpHeaders &headers,
                        QByteArrayView rawBody, const QDateTime &now)
{
    if (config.secret.isEmpty())
        return fail("not_configured", QStringLiteral("no Vapi secret is configured"));

    switch (config.mode) {
    case VapiAuthConfig::Secret: {
        const QByteArray presented = headerValue(headers, config.secretHeader);
        if (presented.isEmpty()) {
            return fail(
                "missing_signature",
                QStringLiteral("%1 header is missing").arg(headerLabel(config.secretHeader)));
        }
        if (!secretsMatch(presented, config.secret)) {
            return fail("bad_signature",
                        QStringLiteral("%1 header is wrong").arg(headerLabel(config.secretHeader)));
        }
        return {};
    }
    case VapiAuthConfig::Bearer: {
        const QByteArray authorization = headerValue(headers, "authorization");
        if (authorization.isEmpty())
            return fail("missing_signature", QStringLiteral("Authorization header is missing"));
        constexpr QByteArrayView scheme("bearer ");
        if (authorization.size() <= scheme.size() ||
            QByteArrayView(authorization)
                    .first(scheme.size())
                    .compare(scheme, Qt::CaseInsensitive) != 0) {
            return fail("malformed_signature",
                        QStringLiteral("Authorization header is not a Bearer token"));
        }
        const QByteArray token = authorization.sliced(scheme.size()).trimmed();
        if (!secretsMatch(token, config.secret))
            return fail("bad_signature", QStringLiteral("Bearer token is wrong"));
        return {};
    }
    case VapiAuthConfig::Hmac:
        return verifyVapiHmac(config, headers, rawBody, now);
    }
    return fail("not_configured", QStringLiteral("unknown Vapi authentication mode"));
}

HttpHeaders signVapi(const VapiAuthConfig &config, QByteArrayView rawBody, const QDateTime &now)
{
    switch (config.mode) {
    case VapiAuthConfig::Secret:
        return {{config.secretHeader, config.secret}};
    case VapiAuthConfig::Bearer:
        return {{QByteArrayLiteral("Authorization"), "Bearer " + config.secret}};
    case VapiAuthConfig::Hmac: {
        const auto algorithm = hmacAlgorithm(config.algorithm);
        if (!algorithm)
            return {};
        const QByteArray stamp = QByteArray::number(now.toSecsSinceEpoch());
        const QByteArray digest = hmac(*algorithm, config.secret, {stamp, ".", rawBody});
        const QByteArray encoded =
            config.encoding == VapiAuthConfig::Hex ? digest.toHex() : digest.toBase64();
        return {{config.signatureHeader, config.prefix + encoded}, {config.timestampHeader, stamp}};
    }
    }
    return {};
}

// Source addresses --------------------------------------------------------------------------

Result<IpAllowList> IpAllowList::parse(const QStringList &entries)
{
    IpAllowList list;
    for (const QString &entry : entries) {
        const QStringView text = QStringView(entry).trimmed();
        if (text.isEmpty())
            continue;
        const qsizetype slash = text.indexOf(u'/');
        const auto address = parseAddress(slash < 0 ? text : text.left(slash));
        bool prefixOk = true;
        int bits = -1;
        if (slash >= 0) {
            const QStringView digits = text.sliced(slash + 1);
            bits = digits.size() > 0 && digits.size() <= 3 ? digits.toInt(&prefixOk) : -1;
            prefixOk = prefixOk && bits >= 0 && digits.front() != u'+';
        }
        if (!address || !prefixOk) {
            return Result<IpAllowList>::failure(
                QStringLiteral("invalid_address"),
                QStringLiteral("allow-list entry \"%1\" is not an address or range").arg(entry));
        }
        const bool v4 = address->second;
        const int maxBits = v4 ? 32 : 128;
        if (bits > maxBits) {
            return Result<IpAllowList>::failure(
                QStringLiteral("invalid_address"),
                QStringLiteral("allow-list entry \"%1\" has a prefix longer than %2 bits")
                    .arg(entry)
                    .arg(maxBits));
        }
        Range range;
        range.address = address->first;
        range.prefixBits = bits < 0 ? 128 : (v4 ? mappedPrefixBits + bits : bits);
        list.m_ranges.append(range);
    }
    return list;
}

bool IpAllowList::contains(QStringView address) const
{
    const auto parsed = parseAddress(address);
    if (!parsed)
        return false;
    for (const Range &range : m_ranges) {
        if (prefixMatches(parsed->first, range.address, range.prefixBits))
            return true;
    }
    return false;
}

Result<void> checkSourceAddress(const IpAllowList &allowList, QStringView peerAddress)
{
    if (allowList.isEmpty() || allowList.contains(peerAddress))
        return {};
    return fail("ip_not_allowed",
                QStringLiteral("source address %1 is not allowed").arg(peerAddress.left(64)));
}

// Bolna -------------------------------------------------------------------------------------

Result<void> verifyBolna(const BolnaAuthConfig &config, const HttpHeaders &headers,
                         const QUrlQuery &query, QStringView peerAddress)
{
    if (config.secret.isEmpty() && config.allowList.isEmpty()) {
        return fail("not_configured",
                    QStringLiteral("Bolna webhooks need a shared secret or an IP allow-list"));
    }
    if (auto allowed = checkSourceAddress(config.allowList, peerAddress); !allowed)
        return allowed;
    if (config.secret.isEmpty())
        return {};

    QByteArray presented = headerValue(headers, config.tokenHeader);
    if (presented.isEmpty() && !config.queryParameter.isEmpty())
        presented = query.queryItemValue(config.queryParameter, QUrl::FullyDecoded).toUtf8();
    if (presented.isEmpty()) {
        return fail("missing_signature",
                    QStringLiteral("no %1 header and no %2 query parameter")
                        .arg(headerLabel(config.tokenHeader), config.queryParameter));
    }
    if (!secretsMatch(presented, config.secret))
        return fail("bad_signature", QStringLiteral("the webhook token is wrong"));
    return {};
}

} // namespace cb
