#include "serverconfig.h"

#include "core/webhookauth.h"

#include <QCommandLineParser>
#include <QDir>
#include <QStandardPaths>

namespace cb {

namespace {

QString option(const QCommandLineParser &parser, const QString &name, const char *env,
               const QString &fallback = {})
{
    if (parser.isSet(name))
        return parser.value(name);
    const QByteArray value = qgetenv(env);
    if (!value.isEmpty())
        return QString::fromUtf8(value);
    return fallback;
}

bool flag(const QCommandLineParser &parser, const QString &name, const char *env)
{
    if (parser.isSet(name))
        return true;
    const QByteArray value = qgetenv(env).toLower();
    return value == "1" || value == "true" || value == "yes";
}

Result<std::chrono::seconds> parseDuration(const QString &text)
{
    static const std::pair<QChar, qint64> units[] = {
        {u's', 1}, {u'm', 60}, {u'h', 3600}, {u'd', 86400}};
    qint64 factor = 1;
    QString number = text.trimmed();
    for (const auto &[unit, seconds] : units) {
        if (number.endsWith(unit)) {
            factor = seconds;
            number.chop(1);
            break;
        }
    }
    bool ok = false;
    const qint64 value = number.toLongLong(&ok);
    if (!ok || value <= 0 || value > 365 * 86400 / factor)
        return Result<std::chrono::seconds>::failure(
            QStringLiteral("invalid_option"),
            QStringLiteral("invalid duration '%1' (use 90s, 30m, 12h, 7d)").arg(text));
    return std::chrono::seconds(value * factor);
}

/// "300ms", "15s", "2m", or a number of seconds, as milliseconds.
Result<int> parseMilliseconds(const QString &name, const QString &text)
{
    QString number = text.trimmed();
    qint64 factor = 1000;
    if (number.endsWith(u"ms")) {
        factor = 1;
        number.chop(2);
    } else if (number.endsWith(u's')) {
        number.chop(1);
    } else if (number.endsWith(u'm')) {
        factor = 60000;
        number.chop(1);
    }
    bool ok = false;
    const qint64 value = number.toLongLong(&ok);
    if (!ok || value <= 0 || value * factor > 24 * 3600 * 1000LL)
        return Result<int>::failure(
            QStringLiteral("invalid_option"),
            QStringLiteral("invalid duration '%1' for --%2 (use 300ms, 15s, 2m)").arg(text, name));
    return int(value * factor);
}

/// A rate in requests per second: a non-negative number, 0 meaning off.
Result<double> parseRate(const QString &name, const QString &text)
{
    bool ok = false;
    const double value = text.trimmed().toDouble(&ok);
    if (!ok || !(value >= 0) || value > 1e7)
        return Result<double>::failure(
            QStringLiteral("invalid_option"),
            QStringLiteral("--%1 must be a number of requests per second (0 = off)").arg(name));
    return value;
}

Result<qint64> parseCount(const QString &name, const QString &text, qint64 min, qint64 max)
{
    bool ok = false;
    const qint64 value = text.trimmed().toLongLong(&ok);
    if (!ok || value < min || value > max)
        return Result<qint64>::failure(
            QStringLiteral("invalid_option"),
            QStringLiteral("--%1 must be %2 to %3").arg(name).arg(min).arg(max));
    return value;
}

} // namespace

Result<std::pair<QHostAddress, quint16>> parseListenAddress(const QString &text)
{
    using R = Result<std::pair<QHostAddress, quint16>>;
    QString host;
    QString portText = text;
    const qsizetype colon = text.lastIndexOf(u':');
    if (text.startsWith(u'[')) {
        const qsizetype close = text.indexOf(u']');
        if (close < 0 || close + 1 >= text.size() || text.at(close + 1) != u':')
            return R::failure(QStringLiteral("invalid_option"),
                              QStringLiteral("expected [address]:port"));
        host = text.mid(1, close - 1);
        portText = text.mid(close + 2);
    } else if (colon >= 0) {
        host = text.left(colon);
        portText = text.mid(colon + 1);
    }
    bool ok = false;
    const uint port = portText.toUInt(&ok);
    if (!ok || port > 65535)
        return R::failure(QStringLiteral("invalid_option"),
                          QStringLiteral("invalid port in '%1'").arg(text));
    QHostAddress address = QHostAddress::Any;
    if (host == u"localhost")
        address = QHostAddress::LocalHost;
    else if (!host.isEmpty() && !address.setAddress(host))
        return R::failure(QStringLiteral("invalid_option"),
                          QStringLiteral("invalid address '%1'").arg(host));
    return std::pair<QHostAddress, quint16>{address, quint16(port)};
}

void ServerConfig::addOptions(QCommandLineParser &parser)
{
    parser.addOptions({
        {QStringLiteral("data"),
         QStringLiteral("Data directory for the SQLite store [CALLBOARD_DATA]."),
         QStringLiteral("dir")},
        {QStringLiteral("db"),
         QStringLiteral("PostgreSQL database instead of SQLite: postgres://user:pass@host:port/db "
                        "[CALLBOARD_DB]."),
         QStringLiteral("url")},
        {QStringLiteral("listen"),
         QStringLiteral(
             "Address and port to listen on; port 0 picks a free one [CALLBOARD_LISTEN]. "
             "Default 127.0.0.1:8080."),
         QStringLiteral("host:port")},
        {QStringLiteral("sqlite-sync"),
         QStringLiteral("SQLite durability: full (fsync every group commit; default) or normal "
                        "[CALLBOARD_SQLITE_SYNC]."),
         QStringLiteral("full|normal")},
        {QStringLiteral("token-ttl"),
         QStringLiteral("Lifetime of login tokens, e.g. 12h [CALLBOARD_TOKEN_TTL]."),
         QStringLiteral("duration")},
        {QStringLiteral("bolna-webhook-secret"),
         QStringLiteral("Server-wide Bolna webhook token (x-callboard-token header or ?token=) "
                        "[CALLBOARD_BOLNA_WEBHOOK_SECRET]."),
         QStringLiteral("secret")},
        {QStringLiteral("bolna-allow-ips"),
         QStringLiteral("Comma-separated addresses/CIDR ranges Bolna may post from "
                        "[CALLBOARD_BOLNA_ALLOW_IPS]."),
         QStringLiteral("list")},
        {QStringLiteral("vapi-webhook-secret"),
         QStringLiteral(
             "Server-wide Vapi secret (x-vapi-secret or Bearer; 'hmac:<secret>' for HMAC) "
             "[CALLBOARD_VAPI_WEBHOOK_SECRET]."),
         QStringLiteral("secret")},
        {QStringLiteral("retell-webhook-key"),
         QStringLiteral("Server-wide Retell API key that signs x-retell-signature "
                        "[CALLBOARD_RETELL_WEBHOOK_KEY]."),
         QStringLiteral("key")},
        {QStringLiteral("allow-unsigned-webhooks"),
         QStringLiteral(
             "Accept webhooks of providers with no secret configured anywhere (development only) "
             "[CALLBOARD_ALLOW_UNSIGNED_WEBHOOKS=1].")},
        {QStringLiteral("demo"),
         QStringLiteral("Seed demo orgs, users, agents and contacts [CALLBOARD_DEMO=1].")},
        {QStringLiteral("max-batch"),
         QStringLiteral(
             "Most webhooks committed in one transaction (default 2000) [CALLBOARD_MAX_BATCH]."),
         QStringLiteral("count")},
        {QStringLiteral("webhook-rate"),
         QStringLiteral("Webhook requests per second per client address, burst twice that; "
                        "0 = no limit (default 2000) [CALLBOARD_WEBHOOK_RATE]."),
         QStringLiteral("per-second")},
        {QStringLiteral("api-rate"),
         QStringLiteral("REST requests per second per session token (per address without one), "
                        "burst twice that; 0 = no limit (default 50) [CALLBOARD_API_RATE]."),
         QStringLiteral("per-second")},
        {QStringLiteral("rate-limit-loopback"),
         QStringLiteral("Rate-limit clients on loopback addresses too (they are exempt by "
                        "default) [CALLBOARD_RATE_LIMIT_LOOPBACK=1].")},
        {QStringLiteral("trust-proxy"),
         QStringLiteral("A reverse proxy on this host forwards the clients: requests from "
                        "loopback are limited by the last X-Forwarded-For address "
                        "[CALLBOARD_TRUST_PROXY=1].")},
        {QStringLiteral("max-ws-per-user"),
         QStringLiteral("Socket.IO connections one user may hold at once; 0 = no limit "
                        "(default 20) [CALLBOARD_MAX_WS_PER_USER]."),
         QStringLiteral("count")},
        {QStringLiteral("idle-timeout"),
         QStringLiteral("Close an HTTP connection idle this long between requests, e.g. 75s, "
                        "300ms (default 75s) [CALLBOARD_IDLE_TIMEOUT]."),
         QStringLiteral("duration")},
        {QStringLiteral("header-timeout"),
         QStringLiteral("Answer 408 when a request head takes longer than this to arrive "
                        "(default 15s) [CALLBOARD_HEADER_TIMEOUT]."),
         QStringLiteral("duration")},
        {QStringLiteral("body-timeout"),
         QStringLiteral("Answer 408 when a request body takes longer than this to arrive "
                        "(default 30s) [CALLBOARD_BODY_TIMEOUT]."),
         QStringLiteral("duration")},
        {QStringLiteral("max-header-bytes"),
         QStringLiteral("Largest request head; larger ones get 431 (default 16384) "
                        "[CALLBOARD_MAX_HEADER_BYTES]."),
         QStringLiteral("bytes")},
    });
}

QString ServerConfig::environmentHelp()
{
    return QStringLiteral(
        "Every option can also be set by the environment variable in brackets; a flag wins over\n"
        "its variable. Secrets given by environment stay out of the process list.\n"
        "Log output per subsystem: QT_LOGGING_RULES=\"callboard.*.debug=true\".");
}

Result<ServerConfig> ServerConfig::fromParser(const QCommandLineParser &parser)
{
    using R = Result<ServerConfig>;
    ServerConfig config;
    auto listen = parseListenAddress(option(parser, QStringLiteral("listen"), "CALLBOARD_LISTEN",
                                            QStringLiteral("127.0.0.1:8080")));
    if (!listen)
        return listen.error();
    config.listenAddress = listen->first;
    config.port = listen->second;

    config.dataDir = option(parser, QStringLiteral("data"), "CALLBOARD_DATA");
    if (config.dataDir.isEmpty()) {
        const QString base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
        config.dataDir = QDir(base.isEmpty() ? QDir::homePath() : base)
                             .filePath(QStringLiteral("callboard-server"));
    }
    const QString dbUrl = option(parser, QStringLiteral("db"), "CALLBOARD_DB");
    if (dbUrl.isEmpty()) {
        config.db = DbConfig::sqliteIn(config.dataDir);
    } else {
        auto db = DbConfig::fromUrl(dbUrl);
        if (!db)
            return db.error();
        config.db = *db;
    }
    const QString sync = option(parser, QStringLiteral("sqlite-sync"), "CALLBOARD_SQLITE_SYNC",
                                QStringLiteral("full"))
                             .toLower();
    if (sync != u"full" && sync != u"normal")
        return R::failure(QStringLiteral("invalid_option"),
                          QStringLiteral("--sqlite-sync must be full or normal"));
    config.db.sqliteSync = sync;

    if (const QString ttl = option(parser, QStringLiteral("token-ttl"), "CALLBOARD_TOKEN_TTL");
        !ttl.isEmpty()) {
        auto lifetime = parseDuration(ttl);
        if (!lifetime)
            return lifetime.error();
        config.tokenLifetime = *lifetime;
    }
    if (const QString batch = option(parser, QStringLiteral("max-batch"), "CALLBOARD_MAX_BATCH");
        !batch.isEmpty()) {
        bool ok = false;
        config.maxBatch = batch.toInt(&ok);
        if (!ok || config.maxBatch < 1 || config.maxBatch > 100000)
            return R::failure(QStringLiteral("invalid_option"),
                              QStringLiteral("--max-batch must be 1 to 100000"));
    }

    const std::pair<const char *, double *> rates[] = {{"webhook-rate", &config.webhookRate},
                                                       {"api-rate", &config.apiRate}};
    for (const auto &[name, target] : rates) {
        const QString key = QString::fromLatin1(name);
        const QByteArray env = "CALLBOARD_" + QByteArray(name).toUpper().replace('-', '_');
        if (const QString text = option(parser, key, env.constData()); !text.isEmpty()) {
            auto rate = parseRate(key, text);
            if (!rate)
                return rate.error();
            *target = *rate;
        }
    }
    config.rateLimitLoopback =
        flag(parser, QStringLiteral("rate-limit-loopback"), "CALLBOARD_RATE_LIMIT_LOOPBACK");
    config.trustProxy = flag(parser, QStringLiteral("trust-proxy"), "CALLBOARD_TRUST_PROXY");
    if (const QString text =
            option(parser, QStringLiteral("max-ws-per-user"), "CALLBOARD_MAX_WS_PER_USER");
        !text.isEmpty()) {
        auto count = parseCount(QStringLiteral("max-ws-per-user"), text, 0, 1000000);
        if (!count)
            return count.error();
        config.maxWebSocketsPerUser = int(*count);
    }
    config.http.maxBodyBytes = WebhookIntake::maxBodyBytes;
    const std::pair<const char *, int *> timeouts[] = {
        {"idle-timeout", &config.http.idleTimeoutMs},
        {"header-timeout", &config.http.headerTimeoutMs},
        {"body-timeout", &config.http.bodyTimeoutMs}};
    for (const auto &[name, target] : timeouts) {
        const QString key = QString::fromLatin1(name);
        const QByteArray env = "CALLBOARD_" + QByteArray(name).toUpper().replace('-', '_');
        if (const QString text = option(parser, key, env.constData()); !text.isEmpty()) {
            auto ms = parseMilliseconds(key, text);
            if (!ms)
                return ms.error();
            *target = *ms;
        }
    }
    if (const QString text =
            option(parser, QStringLiteral("max-header-bytes"), "CALLBOARD_MAX_HEADER_BYTES");
        !text.isEmpty()) {
        auto bytes = parseCount(QStringLiteral("max-header-bytes"), text, 1024, 1024 * 1024);
        if (!bytes)
            return bytes.error();
        config.http.maxHeaderBytes = *bytes;
    }

    WebhookAuthSettings &hooks = config.webhooks;
    hooks.bolnaSecret =
        option(parser, QStringLiteral("bolna-webhook-secret"), "CALLBOARD_BOLNA_WEBHOOK_SECRET")
            .toUtf8();
    hooks.vapiSecret =
        option(parser, QStringLiteral("vapi-webhook-secret"), "CALLBOARD_VAPI_WEBHOOK_SECRET")
            .toUtf8();
    hooks.retellApiKey =
        option(parser, QStringLiteral("retell-webhook-key"), "CALLBOARD_RETELL_WEBHOOK_KEY")
            .toUtf8();
    const QString ips =
        option(parser, QStringLiteral("bolna-allow-ips"), "CALLBOARD_BOLNA_ALLOW_IPS");
    for (const QString &ip : ips.split(u',', Qt::SkipEmptyParts))
        hooks.bolnaAllowIps.append(ip.trimmed());
    if (!hooks.bolnaAllowIps.isEmpty()) {
        if (auto parsed = IpAllowList::parse(hooks.bolnaAllowIps); !parsed)
            return parsed.error();
    }
    hooks.allowUnsigned = flag(parser, QStringLiteral("allow-unsigned-webhooks"),
                               "CALLBOARD_ALLOW_UNSIGNED_WEBHOOKS");
    config.demo = flag(parser, QStringLiteral("demo"), "CALLBOARD_DEMO");
    return config;
}

} // namespace cb
