#include "webhookintake.h"

#include "ingest.h"
#include "logging.h"
#include "store.h"
#include "storewriter.h"

#include "core/providermapper.h"
#include "core/safejson.h"
#include "core/webhookauth.h"

namespace cb {

namespace {

constexpr qint64 secretCacheMs = 2000;

VapiAuthConfig vapiConfig(const QByteArray &spec, VapiAuthConfig::Mode mode)
{
    VapiAuthConfig config;
    if (spec.startsWith("hmac:")) {
        config.mode = VapiAuthConfig::Hmac;
        config.secret = spec.mid(5);
    } else {
        config.mode = mode;
        config.secret = spec;
    }
    return config;
}

Result<void> verifyOne(Provider provider, const QByteArray &secret, const HttpRequest &request,
                       const IpAllowList &bolnaAllowList, const QDateTime &now)
{
    switch (provider) {
    case Provider::Retell:
        return verifyRetellSignature(request.body, request.header(retellSignatureHeaderName),
                                     secret, now);
    case Provider::Vapi: {
        auto r = verifyVapi(vapiConfig(secret, VapiAuthConfig::Secret), request.headers,
                            request.body, now);
        if (!r && !secret.startsWith("hmac:") && !request.bearerToken().isEmpty())
            r = verifyVapi(vapiConfig(secret, VapiAuthConfig::Bearer), request.headers,
                           request.body, now);
        return r;
    }
    case Provider::Bolna: {
        BolnaAuthConfig config;
        config.secret = secret;
        config.allowList = bolnaAllowList;
        return verifyBolna(config, request.headers, request.query, request.peer.toString());
    }
    }
    return Result<void>::failure(QStringLiteral("not_configured"),
                                 QStringLiteral("unknown provider"));
}

HttpResponse errorFor(const Error &error)
{
    const QString &code = error.code;
    if (code == u"too_large")
        return HttpResponse::error(413, QStringLiteral("payload_too_large"), error.message);
    if (code == u"too_deep" || code == u"invalid_json" || code == u"wrong_shape" ||
        code == u"invalid_payload")
        return HttpResponse::error(400, code, error.message);
    if (code == u"unknown_status")
        return HttpResponse::error(422, code, error.message);
    if (code == u"forbidden")
        return HttpResponse::error(403, code, error.message);
    return HttpResponse::error(503, QStringLiteral("storage_unavailable"),
                               QStringLiteral("the event could not be stored; retry later"));
}

} // namespace

WebhookIntake::WebhookIntake(Store &store, StoreWriter &writer, WebhookAuthSettings settings,
                             QObject *parent)
    : QObject(parent), m_store(store), m_writer(writer), m_settings(std::move(settings))
{ }

const QList<WebhookSecret> &WebhookIntake::orgSecrets(Provider provider)
{
    SecretCache &cache = m_cache[static_cast<int>(provider)];
    if (!cache.age.isValid() || cache.age.elapsed() > secretCacheMs) {
        auto secrets = m_store.webhookSecrets(provider);
        if (secrets)
            cache.secrets = *secrets;
        else
            qCWarning(lcIntake) << "cannot read webhook secrets:" << secrets.error().message;
        cache.age.start();
    }
    return cache.secrets;
}

Result<QString> WebhookIntake::authenticate(Provider provider, const HttpRequest &request)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QByteArray serverSecret;
    switch (provider) {
    case Provider::Bolna:
        serverSecret = m_settings.bolnaSecret;
        break;
    case Provider::Vapi:
        serverSecret = m_settings.vapiSecret;
        break;
    case Provider::Retell:
        serverSecret = m_settings.retellApiKey;
        break;
    }
    IpAllowList allowList;
    if (provider == Provider::Bolna && !m_settings.bolnaAllowIps.isEmpty()) {
        auto parsed = IpAllowList::parse(m_settings.bolnaAllowIps);
        if (parsed)
            allowList = *parsed;
    }

    const QList<WebhookSecret> &perOrg = orgSecrets(provider);
    const bool serverConfigured = !serverSecret.isEmpty() || !allowList.isEmpty();
    if (!serverConfigured && perOrg.isEmpty()) {
        if (m_settings.allowUnsigned)
            return QString();
        return Result<QString>::failure(
            QStringLiteral("not_configured"),
            QStringLiteral("no webhook secret is configured for %1").arg(wireName(provider)));
    }

    Error last{QStringLiteral("missing_signature"),
               QStringLiteral("no credentials were presented")};
    if (serverConfigured) {
        auto r = verifyOne(provider, serverSecret, request, allowList, now);
        if (r)
            return QString();
        last = r.error();
    }
    for (const WebhookSecret &candidate : perOrg) {
        auto r = verifyOne(provider, candidate.secret.toUtf8(), request, allowList, now);
        if (r)
            return candidate.orgId;
        if (last.code == u"missing_signature" || r.error().code != u"missing_signature")
            last = r.error();
    }
    return last;
}

void WebhookIntake::handle(Provider provider, const HttpRequest &request,
                           const HttpResponder &responder)
{
    if (request.body.size() > maxBodyBytes) {
        responder.send(HttpResponse::error(413, QStringLiteral("payload_too_large"),
                                           QStringLiteral("webhook bodies are limited to 1 MiB")));
        return;
    }
    auto org = authenticate(provider, request);
    if (!org) {
        qCInfo(lcIntake) << wireName(provider) << "webhook refused:" << org.error().code << "from"
                         << request.peer.toString();
        responder.send(HttpResponse::error(401, org.error().code, org.error().message));
        return;
    }
    auto body = parseJsonSafely(request.body, maxBodyBytes, maxDepth);
    if (!body) {
        responder.send(errorFor(body.error()));
        return;
    }
    auto event = mapWebhook(provider, *body);
    if (!event) {
        responder.send(errorFor(event.error()));
        return;
    }
    if (event->ignored) {
        responder.send(HttpResponse::json(200, Json{{"ok", true}, {"outcome", "ignored"}}));
        return;
    }

    IngestItem item{std::move(*event), request.body, EventSource::Webhook, *org,
                    QDateTime::currentDateTimeUtc()};
    m_writer.submit(
        [item = std::move(item)](Store &store) -> Result<StoreWriter::Output> {
            auto outcome = ingest(store, item);
            if (!outcome)
                return outcome.error();
            StoreWriter::Output output;
            if (outcome->change)
                output.changes.append(*outcome->change);
            output.value = Json{{"ok", true}, {"outcome", wireName(outcome->kind)}};
            return output;
        },
        [responder](const Result<StoreWriter::Output> &result) {
            if (result)
                responder.send(HttpResponse::json(200, result->value));
            else
                responder.send(errorFor(result.error()));
        });
}

} // namespace cb
