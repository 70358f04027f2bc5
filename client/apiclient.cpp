#include "apiclient.h"

#include "logging.h"

#include <QNetworkAccessManager>
#include <QNetworkRequest>
#include <QUrlQuery>

namespace cb {

namespace {

Error invalid(const QString &what)
{
    return {QStringLiteral("invalid_response"),
            QStringLiteral("The server's answer has no valid %1.").arg(what)};
}

template<typename T, typename Reader>
Result<QList<T>> listOf(const Json &array, Reader reader, const QString &what)
{
    if (!array.is_array())
        return invalid(what);
    QList<T> items;
    items.reserve(qsizetype(array.size()));
    for (const Json &entry : array) {
        auto item = reader(entry);
        if (!item.ok())
            return Error{QStringLiteral("invalid_response"), item.error().message};
        items.append(std::move(*item));
    }
    return items;
}

Result<Call> callFrom(const Json &json)
{
    return callFromJson(json);
}

Result<Agent> agentFrom(const Json &json)
{
    return agentFromJson(json);
}

Result<Org> orgFrom(const Json &json)
{
    return orgFromJson(json);
}

/// Accepts a bare object or one wrapped as {"<key>": object}.
const Json &unwrap(const Json &json, const char *key)
{
    const Json &inner = member(json, key);
    return inner.is_object() ? inner : json;
}

/// Accepts a bare array or one wrapped as {"<key>": array}.
const Json &unwrapArray(const Json &json, const char *key)
{
    if (json.is_array())
        return json;
    return member(json, key);
}

QString encodeSegment(const QString &segment)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(segment));
}

} // namespace

ApiClient::ApiClient(QNetworkAccessManager *network, QObject *parent)
    : QObject(parent), m_network(network)
{ }

ApiClient::~ApiClient() = default;

void ApiClient::setBaseUrl(const QUrl &url)
{
    m_baseUrl = url;
    QString path = m_baseUrl.path();
    while (path.endsWith(u'/'))
        path.chop(1);
    m_baseUrl.setPath(path);
}

void ApiClient::setToken(const QString &token)
{
    m_token = token;
}

QUrl ApiClient::url(QStringView path, const QList<std::pair<QString, QString>> &query) const
{
    QUrl result = m_baseUrl;
    result.setPath(m_baseUrl.path() + path.toString(), QUrl::StrictMode);
    if (!query.isEmpty()) {
        QString text;
        for (const auto &[key, value] : query) {
            if (!text.isEmpty())
                text += u'&';
            text += QString::fromLatin1(QUrl::toPercentEncoding(key)) + u'=' +
                QString::fromLatin1(QUrl::toPercentEncoding(value));
        }
        result.setQuery(text, QUrl::StrictMode);
    }
    return result;
}

QString ApiClient::orgPath(const QString &orgId)
{
    return QStringLiteral("/api/orgs/") + encodeSegment(orgId);
}

QNetworkRequest ApiClient::request(const QUrl &url, bool withToken) const
{
    QNetworkRequest request(url);
    request.setRawHeader("Accept", "application/json");
    if (withToken && !m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    request.setTransferTimeout(m_timeoutMs);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::NoLessSafeRedirectPolicy);
    return request;
}

QNetworkReply *ApiClient::send(const QByteArray &verb, const QUrl &url, const Json *body,
                               bool withToken)
{
    QNetworkRequest req = request(url, withToken);
    QByteArray data;
    if (body) {
        data = toBytes(*body);
        req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    }
    qCDebug(lcApi) << verb << url.path();
    if (verb == "GET")
        return m_network->get(req);
    if (verb == "DELETE" && !body)
        return m_network->deleteResource(req);
    if (verb == "POST")
        return m_network->post(req, data);
    return m_network->sendCustomRequest(req, verb, data);
}

template<typename T>
ApiJob<T> *ApiClient::start(const QByteArray &verb, const QUrl &url, const Json *body,
                            typename ApiJob<T>::Parser parser, bool withToken)
{
    const bool sendsToken = withToken && !m_token.isEmpty();
    auto *job =
        new ApiJob<T>(send(verb, url, body, withToken), sendsToken, std::move(parser), this);
    if (sendsToken)
        connect(job, &ApiJobBase::unauthorized, this, &ApiClient::unauthorized);
    return job;
}

Result<LoginResult> ApiClient::parseLogin(const Json &json)
{
    LoginResult result;
    result.token = stringField(json, "token");
    if (result.token.isEmpty())
        return invalid(QStringLiteral("token"));
    const Json &user = member(json, "user");
    result.user.id = stringField(user, "id");
    result.user.email = stringField(user, "email");
    result.user.name = stringField(user, "name");
    auto orgs = listOf<Org>(member(json, "orgs"), orgFrom, QStringLiteral("organization list"));
    if (!orgs.ok())
        return orgs.error();
    result.orgs = std::move(*orgs);
    return result;
}

Result<CallPage> ApiClient::parseCallPage(const Json &json)
{
    auto calls = listOf<Call>(member(json, "calls"), callFrom, QStringLiteral("call list"));
    if (!calls.ok())
        return calls.error();
    CallPage page;
    page.calls = std::move(*calls);
    page.nextCursor = stringField(json, "next_cursor");
    page.lastSeq = qint64(numberField(json, "last_seq").value_or(0));
    for (const Call &call : std::as_const(page.calls))
        page.highestSeq = std::max(page.highestSeq, call.seq);
    for (const char *key : {"deleted", "deleted_ids"}) {
        const Json &deleted = member(json, key);
        if (!deleted.is_array())
            continue;
        for (const Json &entry : deleted) {
            QString id;
            if (entry.is_string()) {
                id = QString::fromStdString(entry.get<std::string>());
            } else {
                id = stringField(entry, "call_id");
                if (id.isEmpty())
                    id = stringField(entry, "id");
                page.highestSeq =
                    std::max(page.highestSeq, qint64(numberField(entry, "seq").value_or(0)));
            }
            if (!id.isEmpty())
                page.deletedIds.append(id);
        }
    }
    page.more = !page.nextCursor.isEmpty() || boolField(json, "more").value_or(false);
    page.nextSinceSeq = qint64(numberField(json, "next_since_seq").value_or(0));
    return page;
}

Result<CallDetail> ApiClient::parseCallDetail(const Json &json)
{
    const Json &callJson = unwrap(json, "call");
    auto call = callFromJson(callJson);
    if (!call.ok())
        return Error{QStringLiteral("invalid_response"), call.error().message};
    CallDetail detail;
    detail.call = std::move(*call);
    const QString transcript = stringField(json, "transcript");
    if (!transcript.isEmpty())
        detail.call.transcript = transcript;
    const Json &timeline =
        member(json, "timeline").is_array() ? member(json, "timeline") : member(json, "events");
    if (timeline.is_array()) {
        for (const Json &entry : timeline) {
            if (!entry.is_object())
                continue;
            TimelineEntry item;
            item.at = timeFromJson(member(entry, "at").is_null() ? member(entry, "received_at")
                                                                 : member(entry, "at"));
            item.kind = stringField(entry, "kind");
            item.source = stringField(entry, "source");
            item.status = callStatusFromString(stringField(entry, "status"));
            item.detail = stringField(entry, "detail");
            if (item.detail.isEmpty())
                item.detail = stringField(entry, "message");
            if (item.detail.isEmpty())
                item.detail = stringField(entry, "raw_status");
            detail.timeline.append(item);
        }
    }
    return detail;
}

ApiJob<LoginResult> *ApiClient::login(const QString &email, const QString &password)
{
    const Json body{{"email", email}, {"password", password}};
    return start<LoginResult>("POST", url(u"/api/auth/login"), &body, &ApiClient::parseLogin,
                              false);
}

ApiJob<void> *ApiClient::logout()
{
    const Json body = Json::object();
    return start<void>("POST", url(u"/api/auth/logout"), &body,
                       [](const Json &) { return Result<void>(); });
}

ApiJob<QList<Org>> *ApiClient::orgs()
{
    return start<QList<Org>>("GET", url(u"/api/auth/me"), nullptr, [](const Json &json) {
        return listOf<Org>(unwrapArray(json, "orgs"), orgFrom, QStringLiteral("organization list"));
    });
}

ApiJob<CallPage> *ApiClient::calls(const QString &orgId, const CallQuery &query)
{
    QList<std::pair<QString, QString>> params;
    if (!query.statuses.isEmpty()) {
        QStringList names;
        for (CallStatus s : query.statuses)
            names.append(wireName(s));
        params.append({QStringLiteral("status"), names.join(u',')});
    }
    if (!query.agentId.isEmpty())
        params.append({QStringLiteral("agent"), query.agentId});
    if (query.provider)
        params.append({QStringLiteral("provider"), wireName(*query.provider)});
    if (query.direction)
        params.append({QStringLiteral("direction"), wireName(*query.direction)});
    params.append({QStringLiteral("include_test"),
                   query.includeTest ? QStringLiteral("true") : QStringLiteral("false")});
    if (!query.text.isEmpty())
        params.append({QStringLiteral("q"), query.text});
    if (query.from.isValid())
        params.append({QStringLiteral("from"), query.from.toUTC().toString(Qt::ISODateWithMs)});
    if (query.to.isValid())
        params.append({QStringLiteral("to"), query.to.toUTC().toString(Qt::ISODateWithMs)});
    if (!query.cursor.isEmpty())
        params.append({QStringLiteral("cursor"), query.cursor});
    if (query.sinceSeq)
        params.append({QStringLiteral("since_seq"), QString::number(*query.sinceSeq)});
    if (query.limit > 0)
        params.append({QStringLiteral("limit"), QString::number(query.limit)});
    return start<CallPage>("GET", url(QString(orgPath(orgId) + u"/calls"), params), nullptr,
                           &ApiClient::parseCallPage);
}

ApiJob<CallDetail> *ApiClient::call(const QString &orgId, const QString &callId)
{
    return start<CallDetail>("GET",
                             url(QString(orgPath(orgId) + u"/calls/" + encodeSegment(callId))),
                             nullptr, &ApiClient::parseCallDetail);
}

ApiJob<Call> *ApiClient::startCall(const QString &orgId, const NewCallRequest &request)
{
    const Json body{{"agent_id", request.agentId},
                    {"to_number", request.toNumber},
                    {"is_test", request.isTest}};
    return start<Call>("POST", url(QString(orgPath(orgId) + u"/calls")), &body,
                       [](const Json &json) { return callFromJson(unwrap(json, "call")); });
}

ApiJob<Call> *ApiClient::refreshCall(const QString &orgId, const QString &callId)
{
    const Json body = Json::object();
    return start<Call>(
        "POST", url(QString(orgPath(orgId) + u"/calls/" + encodeSegment(callId) + u"/refresh")),
        &body, [](const Json &json) { return callFromJson(unwrap(json, "call")); });
}

ApiJob<QList<Call>> *ApiClient::markFailed(const QString &orgId, const QStringList &callIds)
{
    Json ids = Json::array();
    for (const QString &id : callIds)
        ids.push_back(id);
    const Json body{{"ids", ids}};
    return start<QList<Call>>("POST", url(QString(orgPath(orgId) + u"/calls/mark-failed")), &body,
                              [](const Json &json) -> Result<QList<Call>> {
                                  const Json &calls = unwrapArray(json, "calls");
                                  if (calls.is_null())
                                      return QList<Call>();
                                  return listOf<Call>(calls, callFrom, QStringLiteral("call list"));
                              });
}

ApiJob<void> *ApiClient::deleteCall(const QString &orgId, const QString &callId)
{
    return start<void>("DELETE", url(QString(orgPath(orgId) + u"/calls/" + encodeSegment(callId))),
                       nullptr, [](const Json &) { return Result<void>(); });
}

ApiJob<QList<Agent>> *ApiClient::agents(const QString &orgId)
{
    return start<QList<Agent>>("GET", url(QString(orgPath(orgId) + u"/agents")), nullptr,
                               [](const Json &json) {
                                   return listOf<Agent>(unwrapArray(json, "agents"), agentFrom,
                                                        QStringLiteral("agent list"));
                               });
}

ApiJob<Agent> *ApiClient::syncAgent(const QString &orgId, const QString &agentId)
{
    const Json body = Json::object();
    return start<Agent>(
        "POST", url(QString(orgPath(orgId) + u"/agents/" + encodeSegment(agentId) + u"/sync")),
        &body, [](const Json &json) { return agentFromJson(unwrap(json, "agent")); });
}

ApiJob<QList<AgentSyncOutcome>> *ApiClient::syncAllAgents(const QString &orgId)
{
    const Json body = Json::object();
    return start<QList<AgentSyncOutcome>>(
        "POST", url(QString(orgPath(orgId) + u"/agents/sync")), &body,
        [](const Json &json) -> Result<QList<AgentSyncOutcome>> {
            const Json &list = json.is_array()
                ? json
                : (member(json, "results").is_array() ? member(json, "results")
                                                      : member(json, "agents"));
            if (!list.is_array())
                return invalid(QStringLiteral("sync result"));
            QList<AgentSyncOutcome> outcomes;
            for (const Json &entry : list) {
                AgentSyncOutcome outcome;
                const Json &agentJson = unwrap(entry, "agent");
                auto agent = agentFromJson(agentJson);
                outcome.agentId = agent.ok() ? agent->id : stringField(entry, "agent_id");
                if (outcome.agentId.isEmpty())
                    outcome.agentId = stringField(entry, "id");
                const auto ok = boolField(entry, "ok");
                outcome.error = stringField(entry, "error");
                if (const Json *error = objectField(entry, "error"))
                    outcome.error = stringField(*error, "message");
                outcome.ok = ok.value_or(agent.ok() && outcome.error.isEmpty());
                if (agent.ok())
                    outcome.agent = *agent;
                outcomes.append(outcome);
            }
            return outcomes;
        });
}

ApiJob<Metrics> *ApiClient::metrics(const QString &orgId)
{
    return start<Metrics>(
        "GET", url(QString(orgPath(orgId) + u"/metrics")), nullptr,
        [](const Json &json) { return metricsFromJson(unwrap(json, "metrics")); });
}

ApiJob<Diagnostics> *ApiClient::diagnostics(const QString &orgId)
{
    return start<Diagnostics>(
        "GET", url(QString(orgPath(orgId) + u"/diagnostics")), nullptr,
        [](const Json &json) -> Result<Diagnostics> {
            if (!json.is_object())
                return invalid(QStringLiteral("diagnostics"));
            Diagnostics d;
            const Json &agents = member(json, "agents");
            d.agentsTotal = int(numberField(agents, "total").value_or(0));
            d.agentsSynced = int(numberField(agents, "synced").value_or(0));
            d.agentsWithWebhook = int(numberField(agents, "with_webhook").value_or(0));
            if (const auto synced = numberField(agents, "webhook_synced"))
                d.agentsSynced = int(*synced);
            if (const Json *byState = objectField(agents, "by_webhook_state")) {
                // Every state but "missing" and "unknown" has a webhook set at the provider.
                int with = 0;
                for (auto it = byState->begin(); it != byState->end(); ++it) {
                    if (it.key() != "missing" && it.key() != "unknown" && it->is_number())
                        with += it->get<int>();
                }
                d.agentsWithWebhook = std::max(d.agentsWithWebhook, with);
            }
            const Json &last = member(json, "last_webhook");
            if (last.is_object()) {
                for (auto it = last.begin(); it != last.end(); ++it)
                    d.lastWebhookByProvider.append(
                        {QString::fromStdString(it.key()), timeFromJson(it.value())});
            }
            d.unroutedEvents = int(numberField(json, "unrouted_events").value_or(0));
            if (const Json *unrouted = objectField(json, "unrouted"))
                d.unroutedEvents = int(numberField(*unrouted, "count").value_or(0));
            d.activeCalls = int(numberField(json, "active_calls").value_or(0));
            d.staleCalls = int(numberField(json, "stale_calls").value_or(0));
            d.pollsRunning = int(numberField(json, "polls_running").value_or(0));
            d.webhookBaseUrl = stringField(json, "webhook_base_url");
            d.raw = toBytes(json);
            return d;
        });
}

ApiJob<void> *ApiClient::health()
{
    return start<void>(
        "GET", url(u"/healthz"), nullptr, [](const Json &) { return Result<void>(); }, false);
}

} // namespace cb
