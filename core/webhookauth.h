#pragma once

#include "result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>
#include <QList>
#include <QStringList>
#include <QUrlQuery>

#include <array>
#include <chrono>
#include <utility>

/// Authentication of provider webhooks (providers.md §1.5, §2.5, §3.4).
///
/// Pure functions: the caller passes the raw body, the request headers, the clock and the
/// configuration. Every check returns `Result<void>`; the error codes are
///   `not_configured`       the verifier has no secret (or an unusable one): never accept;
///   `missing_signature`    no signature, secret or token was presented;
///   `malformed_signature`  a signature header that cannot be parsed;
///   `bad_signature`        a signature, secret or token that does not match;
///   `missing_timestamp`    an HMAC scheme whose timestamp header is absent;
///   `stale_timestamp`      a timestamp outside the replay window, in the past or the future;
///   `ip_not_allowed`       a peer address outside the allow-list.
/// Secrets are compared in constant time on digests of equal length. Error messages never
/// contain a secret or an expected signature.
namespace cb {

/// Request header fields in the shape QHttpServerRequest::headers() returns them in Qt 6.4.
using HttpHeaders = QList<std::pair<QByteArray, QByteArray>>;

/// The first header called @p name (compared case-insensitively), trimmed; null when absent.
QByteArray headerValue(const HttpHeaders &headers, QByteArrayView name);

/// Byte-wise equality that reads every byte whatever the content; false on different sizes
/// (callers compare fixed-size digests, so the size is not secret).
bool constantTimeEquals(QByteArrayView a, QByteArrayView b);

// Retell ------------------------------------------------------------------------------------

inline constexpr char retellSignatureHeaderName[] = "x-retell-signature";

/// Checks `x-retell-signature: v=<unix_ms>,d=<hex>` where hex = HMAC-SHA256(key = API key,
/// message = raw body + decimal unix_ms), and |now - unix_ms| <= @p window.
Result<void> verifyRetellSignature(QByteArrayView rawBody, QByteArrayView signatureHeader,
                                   QByteArrayView apiKey, const QDateTime &now,
                                   std::chrono::milliseconds window = std::chrono::minutes(5));

/// The `x-retell-signature` value Retell would send for @p rawBody at @p now.
QByteArray signRetell(QByteArrayView rawBody, QByteArrayView apiKey, const QDateTime &now);

// Vapi --------------------------------------------------------------------------------------

/// How one tenant's Vapi server URL is protected (a Vapi "Custom Credential").
struct VapiAuthConfig
{
    enum Mode {
        Secret, ///< `X-Vapi-Secret: <secret>` (the legacy inline secret)
        Bearer, ///< `Authorization: Bearer <secret>`
        Hmac, ///< signature header = prefix + enc(HMAC(secret, "{timestamp}.{body}"))
    };
    enum Encoding { Hex, Base64 };

    Mode mode = Secret;
    QByteArray secret;
    QByteArray secretHeader = QByteArrayLiteral("x-vapi-secret");
    QByteArray signatureHeader = QByteArrayLiteral("x-signature");
    QByteArray timestampHeader = QByteArrayLiteral("x-timestamp");
    QByteArray algorithm = QByteArrayLiteral("sha256"); ///< sha256, sha512 or sha1
    QByteArray prefix; ///< e.g. "sha256=", stripped before decoding the signature
    Encoding encoding = Hex;
    /// Replay window on the timestamp header (Hmac mode), which may be in seconds,
    /// milliseconds or ISO 8601.
    std::chrono::seconds window = std::chrono::minutes(5);
};

Result<void> verifyVapi(const VapiAuthConfig &config, const HttpHeaders &headers,
                        QByteArrayView rawBody, const QDateTime &now);

/// The headers Vapi would add to a request carrying @p rawBody at @p now (the timestamp is
/// written in unix seconds).
HttpHeaders signVapi(const VapiAuthConfig &config, QByteArrayView rawBody, const QDateTime &now);

// Source addresses ----------------------------------------------------------------------------

/// A set of IPv4/IPv6 addresses and CIDR ranges, parsed from text ("13.203.39.153",
/// "10.0.0.0/8", "2001:db8::/32"). IPv4 entries also match their IPv4-mapped IPv6 form
/// ("::ffff:13.203.39.153", as QHostAddress::toString() prints a dual-stack peer).
class IpAllowList
{
public:
    /// Code `invalid_address` names the first entry that is not an address or range.
    static Result<IpAllowList> parse(const QStringList &entries);

    bool isEmpty() const { return m_ranges.isEmpty(); }
    /// @p address as text, optionally in brackets or with a %zone; false if unparsable.
    bool contains(QStringView address) const;

private:
    struct Range
    {
        std::array<quint8, 16> address{};
        int prefixBits = 128;
    };
    QList<Range> m_ranges;
};

/// `ip_not_allowed` unless @p peerAddress is in @p allowList (an empty list allows all).
Result<void> checkSourceAddress(const IpAllowList &allowList, QStringView peerAddress);

// Bolna -------------------------------------------------------------------------------------

/// Bolna signs nothing: a webhook is trusted by a shared secret we put in the webhook URL
/// (`?token=`) or a header, and/or by the sender's address (Bolna posts from 13.203.39.153).
struct BolnaAuthConfig
{
    QByteArray secret; ///< empty: no token required
    QByteArray tokenHeader = QByteArrayLiteral("x-callboard-token");
    QString queryParameter = QStringLiteral("token");
    IpAllowList allowList; ///< empty: any address
};

/// The header wins over the query parameter when both are present. With neither a secret
/// nor an allow-list configured the request is refused (`not_configured`).
Result<void> verifyBolna(const BolnaAuthConfig &config, const HttpHeaders &headers,
                         const QUrlQuery &query, QStringView peerAddress);

} // namespace cb
