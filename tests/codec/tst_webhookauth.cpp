#include "core/webhookauth.h"

#include <QCryptographicHash>
#include <QMessageAuthenticationCode>
#include <QTest>
#include <QTimeZone>

using namespace cb;
using namespace std::chrono_literals;

namespace {

// Known answers computed once with OpenSSL, independently of Qt:
//   printf '%s%s' "$RETELL_BODY" 1769606270116 | openssl dgst -sha256 -hmac key_retell_test_0123
//   printf '%s.%s' 1769606270 "$VAPI_BODY" | openssl dgst -sha256 -hmac vapi-hmac-secret
//   (and -sha512; -sha1 -binary | base64; the timestamp 1769606270116 for the ms case)
constexpr char retellBody[] =
    R"({"event":"call_started","call":{"call_id":"Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6"}})";
constexpr char retellKey[] = "key_retell_test_0123";
constexpr qint64 retellStampMs = 1769606270116;
constexpr char retellDigest[] = "7e1a39a885272ccc481bf400c05c2879f1630309d5b2a94ad3b404c8f9a88392";

constexpr char vapiBody[] = R"({"message":{"type":"status-update","status":"ended"}})";
constexpr char vapiSecret[] = "vapi-hmac-secret";
constexpr char vapiSha256[] = "832e99173eed6b016ffe505d9ec78137ccfaafdfd78b9137f8d5f1feed12ecb0";
constexpr char vapiSha256Ms[] = "1c6ddb04ba1a4495f77179bd0e7f0c60dd728882fd016383da279da90f549ad9";
constexpr char vapiSha512[] = "ca6739be796eecced663c6cf3f75d3776a8d3ab757bef07c7ec3b811d6c30dd2"
                              "ac4679307c848d5e3a628d8975bdc80c302670b0dc8380add4ae7bb775db7ac5";
constexpr char vapiSha1Base64[] = "yLu9krL3gUA1Fb1tneTKPzbvDA8=";

QDateTime atMs(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc());
}

QByteArray retellHeader(qint64 stamp, const char *digest)
{
    return "v=" + QByteArray::number(stamp) + ",d=" + digest;
}

QString codeOf(const Result<void> &result)
{
    return result.ok() ? QString() : result.error().code;
}

VapiAuthConfig hmacConfig()
{
    VapiAuthConfig config;
    config.mode = VapiAuthConfig::Hmac;
    config.secret = vapiSecret;
    return config;
}

HttpHeaders vapiHeaders(const QByteArray &signature, const QByteArray &stamp)
{
    return {
        {"X-Signature", signature}, {"X-Timestamp", stamp}, {"Content-Type", "application/json"}};
}

} // namespace

class TestWebhookAuth : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void constantTimeEquality()
    {
        QVERIFY(constantTimeEquals("abc", "abc"));
        QVERIFY(!constantTimeEquals("abc", "abd"));
        QVERIFY(!constantTimeEquals("abc", "abcd"));
        QVERIFY(constantTimeEquals({}, {}));
    }

    void headerLookupIgnoresCase()
    {
        const HttpHeaders headers{{"Content-Type", "a"},
                                  {"X-Retell-Signature", " v=1,d=2 "},
                                  {"x-retell-signature", "second"}};
        QCOMPARE(headerValue(headers, "x-retell-signature"), QByteArray("v=1,d=2"));
        QCOMPARE(headerValue(headers, "CONTENT-TYPE"), QByteArray("a"));
        QVERIFY(headerValue(headers, "authorization").isNull());
    }

    // Retell ------------------------------------------------------------------------------

    void retellKnownAnswer()
    {
        const QDateTime now = atMs(retellStampMs + 1500);
        QVERIFY(verifyRetellSignature(retellBody, retellHeader(retellStampMs, retellDigest),
                                      retellKey, now)
                    .ok());
        QCOMPARE(signRetell(retellBody, retellKey, atMs(retellStampMs)),
                 retellHeader(retellStampMs, retellDigest));
        // Upper-case hex and spaces around the fields are the same signature.
        const QByteArray spaced =
            " v=" + QByteArray::number(retellStampMs) + ", d=" + QByteArray(retellDigest).toUpper();
        QVERIFY(verifyRetellSignature(retellBody, spaced, retellKey, now).ok());
    }

    void retellSignAndVerifyRoundTrip()
    {
        const QByteArray body = R"({"event":"call_ended","call":{"call_id":"x"}})";
        const QDateTime now = atMs(1800000000000);
        const QByteArray header = signRetell(body, "k", now);
        QVERIFY(verifyRetellSignature(body, header, "k", now.addSecs(299)).ok());
        QVERIFY(verifyRetellSignature(body, header, "k", now.addSecs(-299)).ok());
    }

    void retellRejections_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<qint64>("nowMs");
        QTest::addColumn<QString>("code");

        const QByteArray good = retellHeader(retellStampMs, retellDigest);
        const qint64 now = retellStampMs + 1000;
        const qint64 fiveMinutes = 5 * 60 * 1000;
        QByteArray wrongDigit(retellDigest);
        wrongDigit[63] = wrongDigit[63] == '2' ? '3' : '2';

        QTest::newRow("wrong key")
            << QByteArray(retellBody) << good << QByteArray("key_other") << now << "bad_signature";
        QTest::newRow("key prefix") << QByteArray(retellBody) << good
                                    << QByteArray("key_retell_test_012") << now << "bad_signature";
        QTest::newRow("tampered body")
            << QByteArray(retellBody).replace("call_started", "call_ended ") << good
            << QByteArray(retellKey) << now << "bad_signature";
        QTest::newRow("trailing newline")
            << QByteArray(retellBody) + '\n'
            << good << QByteArray(retellKey) << now << "bad_signature";
        QTest::newRow("one hex digit off")
            << QByteArray(retellBody) << retellHeader(retellStampMs, wrongDigit.constData())
            << QByteArray(retellKey) << now << "bad_signature";
        QTest::newRow("signature for another time")
            << QByteArray(retellBody) << retellHeader(retellStampMs + 1, retellDigest)
            << QByteArray(retellKey) << now << "bad_signature";
        QTest::newRow("stale") << QByteArray(retellBody) << good << QByteArray(retellKey)
                               << retellStampMs + fiveMinutes + 1 << "stale_timestamp";
        QTest::newRow("future beyond window")
            << QByteArray(retellBody) << good << QByteArray(retellKey)
            << retellStampMs - fiveMinutes - 1 << "stale_timestamp";
        QTest::newRow("edge of window") << QByteArray(retellBody) << good << QByteArray(retellKey)
                                        << retellStampMs + fiveMinutes << "";
        QTest::newRow("empty header") << QByteArray(retellBody) << QByteArray()
                                      << QByteArray(retellKey) << now << "missing_signature";
        QTest::newRow("blank header") << QByteArray(retellBody) << QByteArray("  ")
                                      << QByteArray(retellKey) << now << "missing_signature";
        QTest::newRow("v=abc") << QByteArray(retellBody) << "v=abc,d=" + QByteArray(retellDigest)
                               << QByteArray(retellKey) << now << "malformed_signature";
        QTest::newRow("negative v")
            << QByteArray(retellBody) << "v=-1769606270116,d=" + QByteArray(retellDigest)
            << QByteArray(retellKey) << now << "malformed_signature";
        QTest::newRow("huge v") << QByteArray(retellBody)
                                << "v=99999999999999999999999,d=" + QByteArray(retellDigest)
                                << QByteArray(retellKey) << now << "malformed_signature";
        QTest::newRow("missing d")
            << QByteArray(retellBody) << "v=" + QByteArray::number(retellStampMs)
            << QByteArray(retellKey) << now << "malformed_signature";
        QTest::newRow("missing v") << QByteArray(retellBody) << "d=" + QByteArray(retellDigest)
                                   << QByteArray(retellKey) << now << "malformed_signature";
        QTest::newRow("bare digest") << QByteArray(retellBody) << QByteArray(retellDigest)
                                     << QByteArray(retellKey) << now << "malformed_signature";
        QTest::newRow("short digest")
            << QByteArray(retellBody) << retellHeader(retellStampMs, "7e1a39a885272ccc")
            << QByteArray(retellKey) << now << "malformed_signature";
        QTest::newRow("long digest")
            << QByteArray(retellBody)
            << retellHeader(retellStampMs,
                            "7e1a39a885272ccc481bf400c05c2879f1630309d5b2a94ad3b404c8f9a8839200")
            << QByteArray(retellKey) << now << "malformed_signature";
        QTest::newRow("non-hex digest")
            << QByteArray(retellBody)
            << retellHeader(retellStampMs,
                            "zz1a39a885272ccc481bf400c05c2879f1630309d5b2a94ad3b404c8f9a88392")
            << QByteArray(retellKey) << now << "malformed_signature";
        QTest::newRow("repeated v") << QByteArray(retellBody) << "v=1," + good
                                    << QByteArray(retellKey) << now << "malformed_signature";
        QTest::newRow("no key configured")
            << QByteArray(retellBody) << good << QByteArray() << now << "not_configured";
    }

    void retellRejections()
    {
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, header);
        QFETCH(QByteArray, key);
        QFETCH(qint64, nowMs);
        QFETCH(QString, code);
        const auto result = verifyRetellSignature(body, header, key, atMs(nowMs));
        QCOMPARE(codeOf(result), code);
        if (!result.ok()) {
            QVERIFY(!result.error().message.isEmpty());
            QVERIFY(!result.error().message.contains(QString::fromLatin1(retellDigest)));
        }
    }

    void retellCustomWindow()
    {
        const QByteArray header = retellHeader(retellStampMs, retellDigest);
        QCOMPARE(codeOf(verifyRetellSignature(retellBody, header, retellKey,
                                              atMs(retellStampMs + 2000), 1s)),
                 QStringLiteral("stale_timestamp"));
        QVERIFY(verifyRetellSignature(retellBody, header, retellKey, atMs(retellStampMs + 900), 1s)
                    .ok());
    }

    // Vapi --------------------------------------------------------------------------------

    void vapiSecretMode()
    {
        VapiAuthConfig config;
        config.secret = "s3cret";
        const QDateTime now = atMs(retellStampMs);
        QVERIFY(verifyVapi(config, {{"X-Vapi-Secret", "s3cret"}}, vapiBody, now).ok());
        QVERIFY(verifyVapi(config, signVapi(config, vapiBody, now), vapiBody, now).ok());
        QCOMPARE(codeOf(verifyVapi(config, {{"x-vapi-secret", "s3cre"}}, vapiBody, now)),
                 QStringLiteral("bad_signature"));
        QCOMPARE(codeOf(verifyVapi(config, {{"x-vapi-secret", "s3cret2"}}, vapiBody, now)),
                 QStringLiteral("bad_signature"));
        QCOMPARE(codeOf(verifyVapi(config, {{"Authorization", "Bearer s3cret"}}, vapiBody, now)),
                 QStringLiteral("missing_signature"));
        QCOMPARE(codeOf(verifyVapi(config, {}, vapiBody, now)),
                 QStringLiteral("missing_signature"));
        config.secret.clear();
        QCOMPARE(codeOf(verifyVapi(config, {{"x-vapi-secret", ""}}, vapiBody, now)),
                 QStringLiteral("not_configured"));
    }

    void vapiBearerMode()
    {
        VapiAuthConfig config;
        config.mode = VapiAuthConfig::Bearer;
        config.secret = "tok-123";
        const QDateTime now = atMs(retellStampMs);
        QVERIFY(verifyVapi(config, {{"Authorization", "Bearer tok-123"}}, vapiBody, now).ok());
        QVERIFY(verifyVapi(config, {{"authorization", "bearer  tok-123"}}, vapiBody, now).ok());
        QVERIFY(verifyVapi(config, signVapi(config, vapiBody, now), vapiBody, now).ok());
        QCOMPARE(codeOf(verifyVapi(config, {{"Authorization", "Bearer tok-124"}}, vapiBody, now)),
                 QStringLiteral("bad_signature"));
        QCOMPARE(
            codeOf(verifyVapi(config, {{"Authorization", "Basic dG9rLTEyMw=="}}, vapiBody, now)),
            QStringLiteral("malformed_signature"));
        QCOMPARE(codeOf(verifyVapi(config, {{"Authorization", "Bearer"}}, vapiBody, now)),
                 QStringLiteral("malformed_signature"));
        QCOMPARE(codeOf(verifyVapi(config, {{"Authorization", "tok-123"}}, vapiBody, now)),
                 QStringLiteral("malformed_signature"));
        QCOMPARE(codeOf(verifyVapi(config, {{"X-Vapi-Secret", "tok-123"}}, vapiBody, now)),
                 QStringLiteral("missing_signature"));
    }

    void vapiHmacKnownAnswers()
    {
        const QDateTime now = atMs(1769606270000 + 10000);
        VapiAuthConfig config = hmacConfig();
        QVERIFY(verifyVapi(config, vapiHeaders(vapiSha256, "1769606270"), vapiBody, now).ok());
        // The same instant in milliseconds: signed over the header text as sent.
        QVERIFY(verifyVapi(config, vapiHeaders(vapiSha256Ms, "1769606270116"), vapiBody, now).ok());

        config.algorithm = "sha512";
        QVERIFY(verifyVapi(config, vapiHeaders(vapiSha512, "1769606270"), vapiBody, now).ok());

        config.algorithm = "SHA1";
        config.encoding = VapiAuthConfig::Base64;
        QVERIFY(verifyVapi(config, vapiHeaders(vapiSha1Base64, "1769606270"), vapiBody, now).ok());

        config = hmacConfig();
        config.prefix = "sha256=";
        QVERIFY(verifyVapi(config, vapiHeaders("sha256=" + QByteArray(vapiSha256), "1769606270"),
                           vapiBody, now)
                    .ok());
        QCOMPARE(codeOf(verifyVapi(config, vapiHeaders(vapiSha256, "1769606270"), vapiBody, now)),
                 QStringLiteral("malformed_signature"));

        const HttpHeaders signedHeaders = signVapi(config, vapiBody, atMs(1769606270999));
        QCOMPARE(headerValue(signedHeaders, "x-timestamp"), QByteArray("1769606270"));
        QCOMPARE(headerValue(signedHeaders, "x-signature"), "sha256=" + QByteArray(vapiSha256));
    }

    void vapiHmacCustomHeaders()
    {
        VapiAuthConfig config = hmacConfig();
        config.signatureHeader = "X-Callboard-Signature";
        config.timestampHeader = "X-Callboard-Time";
        const QDateTime now = atMs(1769606270000);
        const HttpHeaders headers = signVapi(config, vapiBody, now);
        QCOMPARE(headers.size(), 2);
        QVERIFY(verifyVapi(config, headers, vapiBody, now).ok());
        QCOMPARE(codeOf(verifyVapi(hmacConfig(), headers, vapiBody, now)),
                 QStringLiteral("missing_signature"));
    }

    void vapiHmacRejections_data()
    {
        QTest::addColumn<HttpHeaders>("headers");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("secret");
        QTest::addColumn<qint64>("nowMs");
        QTest::addColumn<QString>("code");

        const qint64 now = 1769606270000 + 1000;
        const QByteArray body(vapiBody);
        const QByteArray secret(vapiSecret);
        const HttpHeaders good = vapiHeaders(vapiSha256, "1769606270");
        QTest::newRow("good") << good << body << secret << now << "";
        QTest::newRow("wrong secret")
            << good << body << QByteArray("vapi-hmac-secreT") << now << "bad_signature";
        QTest::newRow("tampered body") << good << QByteArray(body).replace("ended", "ringing")
                                       << secret << now << "bad_signature";
        QTest::newRow("timestamp changed")
            << vapiHeaders(vapiSha256, "1769606271") << body << secret << now << "bad_signature";
        QTest::newRow("stale") << good << body << secret << now + 301000 << "stale_timestamp";
        QTest::newRow("future") << good << body << secret << now - 302000 << "stale_timestamp";
        QTest::newRow("no signature") << HttpHeaders{{"x-timestamp", "1769606270"}} << body
                                      << secret << now << "missing_signature";
        QTest::newRow("no timestamp") << HttpHeaders{{"x-signature", vapiSha256}} << body << secret
                                      << now << "missing_timestamp";
        QTest::newRow("timestamp abc")
            << vapiHeaders(vapiSha256, "abc") << body << secret << now << "malformed_signature";
        QTest::newRow("timestamp negative") << vapiHeaders(vapiSha256, "-1769606270") << body
                                            << secret << now << "malformed_signature";
        QTest::newRow("timestamp overflow") << vapiHeaders(vapiSha256, "99999999999999999999999")
                                            << body << secret << now << "malformed_signature";
        QTest::newRow("short signature")
            << vapiHeaders("832e9917", "1769606270") << body << secret << now << "bad_signature";
        QTest::newRow("odd hex") << vapiHeaders("832e991", "1769606270") << body << secret << now
                                 << "malformed_signature";
        QTest::newRow("not hex") << vapiHeaders("not-a-signature", "1769606270") << body << secret
                                 << now << "malformed_signature";
        QTest::newRow("no secret") << good << body << QByteArray() << now << "not_configured";
    }

    void vapiHmacRejections()
    {
        QFETCH(HttpHeaders, headers);
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, secret);
        QFETCH(qint64, nowMs);
        QFETCH(QString, code);
        VapiAuthConfig config = hmacConfig();
        config.secret = secret;
        QCOMPARE(codeOf(verifyVapi(config, headers, body, atMs(nowMs))), code);
    }

    void vapiIsoTimestamp()
    {
        // The signature covers the header text as sent, whatever its format.
        const QByteArray stamp = "2026-01-28T13:17:50Z";
        const QByteArray signature =
            QMessageAuthenticationCode::hash(stamp + '.' + vapiBody, vapiSecret,
                                             QCryptographicHash::Sha256)
                .toHex();
        const VapiAuthConfig config = hmacConfig();
        const QDateTime signedAt = atMs(1769606270000);
        QVERIFY(
            verifyVapi(config, vapiHeaders(signature, stamp), vapiBody, signedAt.addSecs(60)).ok());
        QCOMPARE(codeOf(verifyVapi(config, vapiHeaders(signature, stamp), vapiBody,
                                   signedAt.addSecs(600))),
                 QStringLiteral("stale_timestamp"));
        QCOMPARE(codeOf(verifyVapi(config, vapiHeaders(signature, "2026-13-28T13:17:50Z"), vapiBody,
                                   signedAt)),
                 QStringLiteral("malformed_signature"));
    }

    void vapiUnsupportedAlgorithm()
    {
        VapiAuthConfig config = hmacConfig();
        const QDateTime now = atMs(1769606270000);
        const HttpHeaders headers = signVapi(config, vapiBody, now);
        config.algorithm = "md5";
        QCOMPARE(codeOf(verifyVapi(config, headers, vapiBody, now)),
                 QStringLiteral("not_configured"));
        QVERIFY(signVapi(config, vapiBody, now).isEmpty());
    }

    // Addresses and Bolna -----------------------------------------------------------------

    void allowListMatching_data()
    {
        QTest::addColumn<QStringList>("entries");
        QTest::addColumn<QString>("peer");
        QTest::addColumn<bool>("allowed");
        const QStringList bolna{QStringLiteral("13.203.39.153")};
        QTest::newRow("exact v4") << bolna << QStringLiteral("13.203.39.153") << true;
        QTest::newRow("mapped v6") << bolna << QStringLiteral("::ffff:13.203.39.153") << true;
        QTest::newRow("mapped v6 hex") << bolna << QStringLiteral("::FFFF:0dcb:2799") << true;
        QTest::newRow("other v4") << bolna << QStringLiteral("13.203.39.154") << false;
        QTest::newRow("v4-compatible is not mapped")
            << bolna << QStringLiteral("::13.203.39.153") << false;
        QTest::newRow("bracketed") << bolna << QStringLiteral("[::ffff:13.203.39.153]") << true;
        QTest::newRow("garbage peer") << bolna << QStringLiteral("13.203.39.153.evil") << false;
        QTest::newRow("empty peer") << bolna << QString() << false;
        QTest::newRow("octal-looking peer") << bolna << QStringLiteral("013.203.39.153") << false;
        const QStringList ranges{QStringLiteral("10.0.0.0/8"), QStringLiteral("192.168.1.128/25"),
                                 QStringLiteral("2001:db8::/32"), QStringLiteral("::1")};
        QTest::newRow("cidr /8") << ranges << QStringLiteral("10.255.1.2") << true;
        QTest::newRow("cidr /8 miss") << ranges << QStringLiteral("11.0.0.1") << false;
        QTest::newRow("cidr /25") << ranges << QStringLiteral("192.168.1.200") << true;
        QTest::newRow("cidr /25 miss") << ranges << QStringLiteral("192.168.1.127") << false;
        QTest::newRow("cidr mapped") << ranges << QStringLiteral("::ffff:10.1.2.3") << true;
        QTest::newRow("v6 range") << ranges << QStringLiteral("2001:db8:ffff::1") << true;
        QTest::newRow("v6 range miss") << ranges << QStringLiteral("2001:db9::1") << false;
        QTest::newRow("v6 loopback") << ranges << QStringLiteral("0:0:0:0:0:0:0:1") << true;
        QTest::newRow("v6 with zone") << ranges << QStringLiteral("::1%lo") << true;
        QTest::newRow("v4 loopback is not ::1") << ranges << QStringLiteral("127.0.0.1") << false;
        QTest::newRow("everything v4")
            << QStringList{QStringLiteral("0.0.0.0/0")} << QStringLiteral("203.0.113.9") << true;
        QTest::newRow("everything v4 not v6")
            << QStringList{QStringLiteral("0.0.0.0/0")} << QStringLiteral("2001:db8::1") << false;
    }

    void allowListMatching()
    {
        QFETCH(QStringList, entries);
        QFETCH(QString, peer);
        QFETCH(bool, allowed);
        auto list = IpAllowList::parse(entries);
        QVERIFY(list.ok());
        QCOMPARE(list->contains(peer), allowed);
        QCOMPARE(checkSourceAddress(*list, peer).ok(), allowed);
    }

    void allowListRejectsBadEntries_data()
    {
        QTest::addColumn<QString>("entry");
        for (const char *bad : {"13.203.39", "13.203.39.256", "1.2.3.4/33", "1.2.3.4/",
                                "1.2.3.4/-1", "::/129", "1:2:3:4:5:6:7:8:9", "1::2::3",
                                "12345::", "example.com", "1.2.3.4/+8", ":::1", "g::1"})
            QTest::newRow(bad) << QString::fromLatin1(bad);
    }

    void allowListRejectsBadEntries()
    {
        QFETCH(QString, entry);
        auto list = IpAllowList::parse({QStringLiteral("10.0.0.1"), entry});
        QVERIFY(!list.ok());
        QCOMPARE(list.error().code, QStringLiteral("invalid_address"));
    }

    void bolnaToken()
    {
        BolnaAuthConfig config;
        config.secret = "bolna-shared-secret";
        const QString peer = QStringLiteral("198.51.100.7");
        QVERIFY(verifyBolna(config, {{"X-Callboard-Token", "bolna-shared-secret"}}, {}, peer).ok());
        QVERIFY(
            verifyBolna(config, {}, QUrlQuery(QStringLiteral("token=bolna-shared-secret")), peer)
                .ok());
        QVERIFY(verifyBolna(config, {},
                            QUrlQuery(QStringLiteral("a=1&token=bolna%2Dshared%2Dsecret")), peer)
                    .ok());
        QCOMPARE(codeOf(verifyBolna(config, {}, QUrlQuery(QStringLiteral("token=wrong")), peer)),
                 QStringLiteral("bad_signature"));
        QCOMPARE(
            codeOf(verifyBolna(config, {{"x-callboard-token", "bolna-shared-secre"}}, {}, peer)),
            QStringLiteral("bad_signature"));
        // The header wins over the query.
        QCOMPARE(codeOf(verifyBolna(config, {{"x-callboard-token", "wrong"}},
                                    QUrlQuery(QStringLiteral("token=bolna-shared-secret")), peer)),
                 QStringLiteral("bad_signature"));
        QCOMPARE(codeOf(verifyBolna(config, {}, {}, peer)), QStringLiteral("missing_signature"));
        QCOMPARE(codeOf(verifyBolna(config, {}, QUrlQuery(QStringLiteral("token=")), peer)),
                 QStringLiteral("missing_signature"));
    }

    void bolnaAllowList()
    {
        BolnaAuthConfig config;
        config.allowList = *IpAllowList::parse({QStringLiteral("13.203.39.153")});
        QVERIFY(verifyBolna(config, {}, {}, QStringLiteral("::ffff:13.203.39.153")).ok());
        QCOMPARE(codeOf(verifyBolna(config, {}, {}, QStringLiteral("127.0.0.1"))),
                 QStringLiteral("ip_not_allowed"));

        config.secret = "s";
        QCOMPARE(codeOf(verifyBolna(config, {{"x-callboard-token", "s"}}, {},
                                    QStringLiteral("127.0.0.1"))),
                 QStringLiteral("ip_not_allowed"));
        QCOMPARE(codeOf(verifyBolna(config, {}, {}, QStringLiteral("13.203.39.153"))),
                 QStringLiteral("missing_signature"));
        QVERIFY(
            verifyBolna(config, {{"x-callboard-token", "s"}}, {}, QStringLiteral("13.203.39.153"))
                .ok());
    }

    void bolnaUnconfiguredRefusesEverything()
    {
        QCOMPARE(
            codeOf(verifyBolna({}, {{"x-callboard-token", ""}}, {}, QStringLiteral("127.0.0.1"))),
            QStringLiteral("not_configured"));
    }
};

QTEST_GUILESS_MAIN(TestWebhookAuth)
#include "tst_webhookauth.moc"
