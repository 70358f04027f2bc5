#include "webhookdelivery.h"

#include "logging.h"

#include <QDateTime>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

#include <algorithm>

namespace cb::sim {

namespace {

/// Providers' webhook timeouts: Retell 10 s, Vapi 20 s, Bolna about 10 s.
int timeoutMs(Provider provider)
{
    return provider == Provider::Vapi ? 20000 : 10000;
}

} // namespace

WebhookDelivery::WebhookDelivery(const SimConfig &config, SimStats &stats, QObject *parent)
    : QObject(parent), m_config(config), m_stats(stats), m_network(new QNetworkAccessManager(this))
{
    m_vapiAuth.secret = config.vapiSecret.toUtf8();
    if (config.vapiAuth == u"bearer")
        m_vapiAuth.mode = VapiAuthConfig::Bearer;
    else if (config.vapiAuth == u"hmac")
        m_vapiAuth.mode = VapiAuthConfig::Hmac;
    else
        m_vapiAuth.mode = VapiAuthConfig::Secret;
}

WebhookDelivery::~WebhookDelivery() = default;

int WebhookDelivery::scaledMs(double nominalSeconds) const
{
    return std::max(1, int(nominalSeconds * 1000.0 * m_config.timeScale));
}

int WebhookDelivery::retriesFor(Provider provider) const
{
    return provider == Provider::Vapi ? 0 : 3;
}

void WebhookDelivery::send(OutgoingWebhook webhook, std::mt19937_64 &rng)
{
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const SimFaults &faults = m_config.faults;
    const double dropRoll = unit(rng);
    const double duplicateRoll = unit(rng);
    const double reorderRoll = unit(rng);
    const double delayRoll = unit(rng);
    const int extraDelay = int(delayRoll * faults.delayMs);

    if (!webhook.url.isValid() || webhook.url.isEmpty())
        return;

    if (dropRoll < faults.drop) {
        ++m_stats.dropped;
        qCDebug(lcSim) << "dropping" << wireName(webhook.provider) << "webhook of"
                       << webhook.callId;
        releaseHeld(webhook.callId);
        return;
    }

    const bool holdThis = reorderRoll < faults.reorder && !m_held.contains(webhook.callId);
    if (holdThis) {
        ++m_stats.reordered;
        const QString callId = webhook.callId;
        m_held.insert(callId, webhook);
        // If no later webhook of the call comes along, the held one still goes out.
        QTimer::singleShot(std::max(scaledMs(2.0), 50), this,
                           [this, callId] { releaseHeld(callId); });
        return;
    }

    const auto later = [this](const OutgoingWebhook &w, int delayMs) {
        if (delayMs <= 0)
            dispatch(w, 0);
        else
            QTimer::singleShot(delayMs, this, [this, w] { dispatch(w, 0); });
    };

    later(webhook, extraDelay);
    if (duplicateRoll < faults.duplicate) {
        ++m_stats.duplicated;
        later(webhook, extraDelay + 5 + int(unit(rng) * 40));
    }
    if (m_held.contains(webhook.callId)) {
        const OutgoingWebhook held = m_held.take(webhook.callId);
        later(held, extraDelay + 15);
    }
}

void WebhookDelivery::releaseHeld(const QString &callId)
{
    const auto it = m_held.find(callId);
    if (it == m_held.end())
        return;
    const OutgoingWebhook held = it.value();
    m_held.erase(it);
    dispatch(held, 0);
}

void WebhookDelivery::dispatch(const OutgoingWebhook &webhook, int attempt)
{
    post(webhook, attempt);
}

void WebhookDelivery::post(const OutgoingWebhook &webhook, int attempt)
{
    QNetworkRequest request(webhook.url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader(QByteArrayLiteral("User-Agent"), QByteArrayLiteral("callboard-sim"));
    request.setTransferTimeout(timeoutMs(webhook.provider));
    for (const auto &[name, value] : webhook.extraHeaders)
        request.setRawHeader(name, value);

    const QDateTime now = QDateTime::currentDateTimeUtc();
    switch (webhook.provider) {
    case Provider::Retell:
        request.setRawHeader(QByteArray(retellSignatureHeaderName),
                             signRetell(webhook.body, m_config.retellKey.toUtf8(), now));
        break;
    case Provider::Vapi:
        if (m_config.vapiAuth != u"none") {
            for (const auto &[name, value] : signVapi(m_vapiAuth, webhook.body, now))
                request.setRawHeader(name, value);
        }
        break;
    case Provider::Bolna:
        if (!m_config.bolnaSecretHeader.isEmpty())
            request.setRawHeader(m_config.bolnaSecretHeader, m_config.bolnaSecret.toUtf8());
        break;
    }

    ++m_stats.webhooksSent;
    ++m_inFlight;
    QNetworkReply *reply = m_network->post(request, webhook.body);
    connect(reply, &QNetworkReply::finished, this,
            [this, reply, webhook, attempt] { finished(reply, webhook, attempt); });
}

void WebhookDelivery::finished(QNetworkReply *reply, const OutgoingWebhook &webhook, int attempt)
{
    reply->deleteLater();
    --m_inFlight;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status >= 200 && status < 300) {
        ++m_stats.webhooksAcked;
        return;
    }
    if (attempt < retriesFor(webhook.provider)) {
        const int backoff = std::max(20, scaledMs(1.0 * (1 << attempt)));
        QTimer::singleShot(backoff, this, [this, webhook, attempt] { post(webhook, attempt + 1); });
        return;
    }
    ++m_stats.webhooksFailed;
    qCInfo(lcSim).noquote() << wireName(webhook.provider) << "webhook for" << webhook.callId
                            << "not delivered, status" << status << reply->errorString();
}

} // namespace cb::sim
