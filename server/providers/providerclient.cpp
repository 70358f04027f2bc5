#include "providerclient.h"

#include "bolnaclient.h"
#include "retellclient.h"
#include "vapiclient.h"

#include "logging.h"

#include "core/safejson.h"

#include <QBuffer>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

namespace cb {

namespace {

constexpr qsizetype maxResponseBytes = 8 << 20;

QString httpReason(int status)
{
    switch (status) {
    case 400:
        return QStringLiteral("Bad Request");
    case 401:
        return QStringLiteral("Unauthorized");
    case 403:
        return QStringLiteral("Forbidden");
    case 404:
        return QStringLiteral("Not Found");
    case 409:
        return QStringLiteral("Conflict");
    case 422:
        return QStringLiteral("Unprocessable Entity");
    case 429:
        return QStringLiteral("Too Many Requests");
    case 500:
        return QStringLiteral("Internal Server Error");
    case 502:
        return QStringLiteral("Bad Gateway");
    case 503:
        return QStringLiteral("Service Unavailable");
    case 504:
        return QStringLiteral("Gateway Timeout");
    default:
        return QStringLiteral("HTTP %1").arg(status);
    }
}

QString joinMessages(const Json &value)
{
    if (value.is_string())
        return QString::fromStdString(value.get<std::string>());
    if (!value.is_array())
        return {};
    QStringList parts;
    for (const auto &item : value) {
        if (item.is_string())
            parts << QString::fromStdString(item.get<std::string>());
        else if (item.is_object())
            parts << stringField(item, "msg") + stringField(item, "message");
    }
    parts.removeAll(QString());
    return parts.join(QStringLiteral("; "));
}

} // namespace

QString providerErrorMessage(const Json &body, int httpStatus)
{
    if (body.is_object()) {
        for (const char *key : {"message", "error_message", "detail"}) {
            if (body.contains(key)) {
                const QString text = joinMessages(body[key]);
                if (!text.isEmpty())
                    return text;
            }
        }
        if (const Json *error = objectField(body, "error")) {
            const QString text = stringField(*error, "message");
            if (!text.isEmpty())
                return text;
        }
        const QString error = stringField(body, "error");
        if (!error.isEmpty())
            return error;
    }
    return httpReason(httpStatus);
}

QUrl defaultProviderBaseUrl(Provider provider)
{
    switch (provider) {
    case Provider::Bolna:
        return QUrl(QStringLiteral("https://api.bolna.ai"));
    case Provider::Vapi:
        return QUrl(QStringLiteral("https://api.vapi.ai"));
    case Provider::Retell:
        return QUrl(QStringLiteral("https://api.retellai.com"));
    }
    return {};
}

QStringList ProviderClient::requiredEvents(Provider provider)
{
    switch (provider) {
    case Provider::Bolna:
        return {};
    case Provider::Vapi:
        return {QStringLiteral("status-update"), QStringLiteral("end-of-call-report")};
    case Provider::Retell:
        return {QStringLiteral("call_started"), QStringLiteral("call_ended"),
                QStringLiteral("call_analyzed")};
    }
    return {};
}

struct ProviderClient::Pending
{
    QByteArray verb;
    QUrl url;
    QByteArray body;
    bool hasBody = false;
    Retry retry = Retry::Always;
    Callback<Json> done;
    int attempt = 0;
};

ProviderClient::ProviderClient(ProviderClientConfig config, QObject *parent)
    : QObject(parent), m_config(std::move(config)), m_network(new QNetworkAccessManager(this))
{
    if (!m_config.baseUrl.isValid() || m_config.baseUrl.isEmpty())
        m_config.baseUrl = defaultProviderBaseUrl(m_config.provider);
    m_config.maxAttempts = std::max(1, m_config.maxAttempts);
    m_config.timeoutMs = std::max(1, m_config.timeoutMs);
}

ProviderClient::~ProviderClient() = default;

Json ProviderClient::callMetadata(const OutboundCallRequest &request)
{
    Json metadata = Json::object();
    if (!request.callId.isEmpty())
        metadata["callboard_call_id"] = request.callId;
    if (!request.orgId.isEmpty())
        metadata["org_id"] = request.orgId;
    metadata["is_test_call"] = request.isTest;
    return metadata;
}

QStringList ProviderClient::unite(QStringList current, const QStringList &required)
{
    for (const auto &item : required) {
        if (!current.contains(item))
            current << item;
    }
    return current;
}

QString ProviderClient::segment(const QString &id)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(id));
}

void ProviderClient::send(const QByteArray &verb, const QString &path,
                          const std::optional<Json> &body, Retry retry, Callback<Json> done)
{
    auto pending = std::make_shared<Pending>();
    pending->verb = verb;
    QUrl url = m_config.baseUrl;
    QString basePath = url.path(QUrl::FullyEncoded);
    while (basePath.endsWith(u'/'))
        basePath.chop(1);
    url.setPath(basePath + path, QUrl::TolerantMode);
    pending->url = url;
    if (body) {
        pending->body = toBytes(*body);
        pending->hasBody = true;
    }
    pending->retry = retry;
    pending->done = std::move(done);
    attempt(pending);
}

void ProviderClient::attempt(std::shared_ptr<Pending> pending)
{
    QNetworkRequest request(pending->url);
    request.setRawHeader(QByteArrayLiteral("Authorization"),
                         QByteArrayLiteral("Bearer ") + m_config.apiKey.toUtf8());
    request.setRawHeader(QByteArrayLiteral("Accept"), QByteArrayLiteral("application/json"));
    request.setRawHeader(QByteArrayLiteral("User-Agent"), QByteArrayLiteral("callboard-server"));
    request.setTransferTimeout(m_config.timeoutMs);
    if (pending->hasBody)
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/json"));

    ++pending->attempt;
    ++m_requests;
    QNetworkReply *reply = nullptr;
    if (pending->hasBody) {
        reply = m_network->sendCustomRequest(request, pending->verb, pending->body);
    } else {
        reply = m_network->sendCustomRequest(request, pending->verb);
    }
    connect(reply, &QNetworkReply::finished, this,
            [this, reply, pending] { finished(reply, pending); });
}

void ProviderClient::finished(QNetworkReply *reply, std::shared_ptr<Pending> pending)
{
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QNetworkReply::NetworkError netError = reply->error();
    const QByteArray bytes = reply->isOpen() ? reply->read(maxResponseBytes + 1) : QByteArray();
    const QString providerName = wireName(m_config.provider);

    if (status >= 200 && status < 300) {
        if (bytes.trimmed().isEmpty()) {
            pending->done(Json::object());
            return;
        }
        auto parsed = parseJsonSafely(bytes, maxResponseBytes);
        if (!parsed) {
            pending->done(Error{QStringLiteral("provider_bad_response"),
                                QStringLiteral("%1 answered with unreadable JSON: %2")
                                    .arg(providerName, parsed.error().message)});
            return;
        }
        pending->done(std::move(parsed).value());
        return;
    }

    Error error;
    bool retryable = false;
    bool mayHaveActed = true;
    if (status > 0) {
        auto parsed = parseJsonSafely(bytes, maxResponseBytes);
        const QString message = providerErrorMessage(parsed ? parsed.value() : Json(), status);
        if (status == 401 || status == 403)
            error = {QStringLiteral("provider_unauthorized"), message};
        else if (status >= 500)
            error = {QStringLiteral("provider_unavailable"), message};
        else
            error = {QStringLiteral("provider_rejected"), message};
        retryable = status >= 500 || status == 429;
        mayHaveActed = false; // the provider answered: a 5xx or 429 means it did not place the call
    } else if (netError == QNetworkReply::OperationCanceledError ||
               netError == QNetworkReply::TimeoutError) {
        error = {QStringLiteral("provider_timeout"),
                 QStringLiteral("%1 did not answer within %2 ms")
                     .arg(providerName)
                     .arg(m_config.timeoutMs)};
        retryable = true;
    } else {
        error = {QStringLiteral("provider_unreachable"),
                 QStringLiteral("%1 is unreachable: %2").arg(providerName, reply->errorString())};
        retryable = true;
        mayHaveActed = netError != QNetworkReply::ConnectionRefusedError &&
            netError != QNetworkReply::HostNotFoundError;
    }

    if (pending->retry == Retry::OnlyIfNotReceived && mayHaveActed)
        retryable = false;
    if (retryable && pending->attempt < m_config.maxAttempts) {
        const int delay = m_config.backoffMs * (1 << std::min(pending->attempt - 1, 10));
        qCDebug(lcProviderHttp).noquote()
            << providerName << pending->verb << pending->url.path() << "failed:" << error.message
            << "- retrying in" << delay << "ms";
        QTimer::singleShot(delay, this, [this, pending] { attempt(pending); });
        return;
    }
    qCInfo(lcProviderHttp).noquote() << providerName << pending->verb << pending->url.path()
                                     << "failed:" << error.code << error.message;
    pending->done(error);
}

std::unique_ptr<ProviderClient> makeProviderClient(const ProviderClientConfig &config,
                                                   QObject *parent)
{
    switch (config.provider) {
    case Provider::Bolna:
        return std::make_unique<BolnaClient>(config, parent);
    case Provider::Vapi:
        return std::make_unique<VapiClient>(config, parent);
    case Provider::Retell:
        return std::make_unique<RetellClient>(config, parent);
    }
    return nullptr;
}

} // namespace cb
