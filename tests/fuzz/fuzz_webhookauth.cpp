// libFuzzer target for the webhook signature parsers: the first byte picks the scheme,
// the rest is split into a header value and a body. Nothing may crash, and nothing
// unsigned may pass.
#include "core/webhookauth.h"

#include <QTimeZone>

#include <cstddef>
#include <cstdint>

using namespace cb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const QByteArray input(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    const qsizetype split = input.indexOf('\n');
    const QByteArray header = split < 0 ? input : input.left(split);
    const QByteArray body = split < 0 ? QByteArray() : input.mid(split + 1);
    const QDateTime now = QDateTime::fromMSecsSinceEpoch(1769606270000, QTimeZone::utc());
    const QByteArray key = QByteArrayLiteral("key_fuzz_0123456789");

    switch (data[0] % 4) {
    case 0:
        if (verifyRetellSignature(body, header, key, now).ok() &&
            signRetell(body, key, now) != header && !header.contains("v="))
            __builtin_trap();
        break;
    case 1: {
        VapiAuthConfig config;
        config.mode = VapiAuthConfig::Hmac;
        config.secret = key;
        const HttpHeaders headers = {{QByteArrayLiteral("x-signature"), header},
                                     {QByteArrayLiteral("x-timestamp"), body.left(16)}};
        (void)verifyVapi(config, headers, body, now);
        break;
    }
    case 2: {
        VapiAuthConfig config;
        config.secret = key;
        if (verifyVapi(config, {{QByteArrayLiteral("X-Vapi-Secret"), header}}, body, now).ok() &&
            header.trimmed() != key)
            __builtin_trap();
        break;
    }
    case 3: {
        const auto allow = IpAllowList::parse(QString::fromUtf8(header).split(u','));
        if (allow.ok())
            (void)allow->contains(QString::fromUtf8(body));
        BolnaAuthConfig config;
        config.secret = key;
        (void)verifyBolna(config, {{QByteArrayLiteral("x-callboard-token"), header}},
                          QUrlQuery(QString::fromUtf8(body)), QStringLiteral("13.203.39.153"));
        break;
    }
    }
    return 0;
}
