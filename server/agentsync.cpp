#include "agentsync.h"

#include "logging.h"
#include "poller.h"
#include "restrequests.h"
#include "serverapp.h"
#include "store.h"
#include "storewriter.h"

#include <QUrlQuery>

#include <memory>

namespace cb {

namespace {

QString webhookPath(Provider provider)
{
    switch (provider) {
    case Provider::Bolna:
        return QStringLiteral("/api/webhooks/bolna/call-status");
    case Provider::Vapi:
        return QStringLiteral("/api/webhooks/vapi");
    case Provider::Retell:
        return QStringLiteral("/api/webhooks/retell");
    }
    return {};
}

/// @p url with the value of a `token` query item hidden: the agent's webhook URL is shown to
/// every member, the Bolna token in it is a secret.
QString redacted(const QString &url)
{
    QUrl parsed(url);
    QUrlQuery query(parsed);
    if (!query.hasQueryItem(QStringLiteral("token")))
        return url;
    query.removeAllQueryItems(QStringLiteral("token"));
    query.addQueryItem(QStringLiteral("token"), QStringLiteral("redacted"));
    parsed.setQuery(query);
    return parsed.toString(QUrl::FullyEncoded);
}

/// Where @p reported falls short of @p expected, or an empty string when it does not.
QString difference(Provider provider, const AgentWebhook &reported, const QString &expected)
{
    if (reported.url != expected)
        return QStringLiteral("webhook is %1").arg(redacted(reported.url));
    QStringList missing;
    for (const QString &event : ProviderClient::requiredEvents(provider)) {
        if (!reported.events.contains(event))
            missing << event;
    }
    if (!missing.isEmpty())
        return QStringLiteral("webhook does not receive %1")
            .arg(missing.join(QStringLiteral(", ")));
    return {};
}

} // namespace

AgentSync::AgentSync(ServerApp &app, Poller &poller, QObject *parent)
    : QObject(parent), m_app(app), m_poller(poller)
{ }

void AgentSync::registerRoutes()
{
    const QString org = QStringLiteral("/api/orgs/{org}");
    RestApi &rest = m_app.restApi();
    m_app.router().add(
        "POST", org + QStringLiteral("/agents/{id}/sync"),
        rest.orgRoute(Role::Admin,
                      [this](const RestApi::Caller &caller, const HttpRequest &request,
                             const RouteParams &params, HttpResponder responder) {
                          oneRoute(caller, request, params.value(QStringLiteral("id")),
                                   std::move(responder));
                      }));
    m_app.router().add(
        "POST", org + QStringLiteral("/agents/sync"),
        rest.orgRoute(
            Role::Admin,
            [this](const RestApi::Caller &caller, const HttpRequest &request, const RouteParams &,
                   HttpResponder responder) { allRoute(caller, request, std::move(responder)); }));
}

Result<QString> AgentSync::expectedUrl(const QString &orgId, Provider provider) const
{
    const QUrl base = m_poller.config().publicUrl;
    if (!base.isValid() || base.isEmpty())
        return Result<QString>::failure(
            QStringLiteral("no_public_url"),
            QStringLiteral("the server has no --public-url, so providers cannot be "
                           "told where to send webhooks"));
    QUrl url = base;
    QString path = url.path();
    while (path.endsWith(u'/'))
        path.chop(1);
    url.setPath(path + webhookPath(provider));
    if (provider == Provider::Bolna) {
        // Bolna can send no header of ours, so its token rides in the URL.
        auto settings = m_app.store().org(orgId).providerSettings(provider);
        if (!settings)
            return settings.error();
        if (*settings && !(*settings)->webhookSecret.isEmpty()) {
            QUrlQuery query;
            query.addQueryItem(QStringLiteral("token"), (*settings)->webhookSecret);
            url.setQuery(query);
        }
    }
    return url.toString(QUrl::FullyEncoded);
}

void AgentSync::sync(const QString &orgId, const QString &agentId, bool checkOnly,
                     std::function<void(Result<Agent>)> done, const QString &userId)
{
    auto found = m_app.store().org(orgId).agent(agentId);
    if (!found)
        return done(found.error());
    if (!*found)
        return done(Error{QStringLiteral("not_found"),
                          QStringLiteral("no such agent in this organization")});
    Agent agent = **found;
    auto expected = expectedUrl(orgId, agent.provider);
    if (!expected)
        return done(expected.error());
    auto client = m_poller.client(orgId, agent.provider);
    if (!client) {
        agent.webhookState = WebhookState::Error;
        agent.webhookMessage = client.error().message;
        agent.webhookCheckedAt = QDateTime::currentDateTimeUtc();
        return record(agent, done, userId);
    }
    ProviderClient *c = *client;
    const QPointer<ProviderClient> guard(c);
    const QString url = *expected;
    auto readBack = [this, guard, agent, url, done, userId]() mutable {
        if (!guard)
            return done(Error{QStringLiteral("provider_not_configured"),
                              QStringLiteral("provider settings changed")});
        guard->getAgentWebhook(
            agent.providerAgentId,
            [this, agent, url, done, userId](Result<AgentWebhook> reported) mutable {
                agent.webhookCheckedAt = QDateTime::currentDateTimeUtc();
                if (!reported) {
                    agent.webhookState = WebhookState::Error;
                    agent.webhookMessage = reported.error().message;
                } else if (reported->url.isEmpty()) {
                    agent.webhookState = WebhookState::Missing;
                    agent.webhookUrl.clear();
                    agent.webhookMessage = QStringLiteral("no webhook is set at the provider");
                } else {
                    agent.webhookUrl = reported->url;
                    const QString diff = difference(agent.provider, *reported, url);
                    agent.webhookState =
                        diff.isEmpty() ? WebhookState::Synced : WebhookState::Differs;
                    agent.webhookMessage = diff;
                }
                record(agent, done, userId);
            });
    };
    if (checkOnly)
        return readBack();
    c->setAgentWebhook(agent.providerAgentId,
                       AgentWebhook{url, ProviderClient::requiredEvents(agent.provider)},
                       [this, agent, readBack, done, userId](Result<void> set) mutable {
                           if (!set) {
                               agent.webhookState = WebhookState::Error;
                               agent.webhookMessage = set.error().message;
                               agent.webhookCheckedAt = QDateTime::currentDateTimeUtc();
                               return record(agent, done, userId);
                           }
                           readBack();
                       });
}

void AgentSync::record(Agent agent, std::function<void(Result<Agent>)> done, const QString &userId)
{
    m_app.writer().submit(
        [agent, userId](Store &store) -> Result<StoreWriter::Output> {
            if (auto r = store.org(agent.orgId).updateAgentWebhook(agent); !r)
                return r.error();
            if (!userId.isEmpty()) {
                if (auto r = store.org(agent.orgId)
                                 .audit(userId, QStringLiteral("agent.sync"), agent.id,
                                        wireName(agent.webhookState));
                    !r)
                    return r.error();
            }
            return StoreWriter::Output{};
        },
        [agent, done](const Result<StoreWriter::Output> &result) {
            if (!result)
                return done(result.error());
            done(agent);
        });
}

void AgentSync::oneRoute(const RestApi::Caller &caller, const HttpRequest &request,
                         const QString &agentId, HttpResponder responder)
{
    const auto checkOnlyBody = rest::readSyncCheckOnly(request.body);
    if (!checkOnlyBody)
        return responder.send(HttpResponse::error(400, QStringLiteral("invalid_body"),
                                                  checkOnlyBody.error().message));
    const bool checkOnly = *checkOnlyBody;
    sync(
        caller.orgId, agentId, checkOnly,
        [responder](Result<Agent> agent) {
            if (!agent) {
                const QString code = agent.error().code;
                const int status = code == u"not_found" ? 404
                    : code == u"no_public_url"          ? 409
                                                        : 503;
                return responder.send(HttpResponse::error(status, code, agent.error().message));
            }
            Json out = {{"agent", toJson(*agent)},
                        {"ok", agent->webhookState == WebhookState::Synced}};
            if (agent->webhookState != WebhookState::Synced)
                out["error"] = {{"code", wireName(agent->webhookState)},
                                {"message", agent->webhookMessage}};
            responder.send(HttpResponse::json(200, out));
        },
        checkOnly ? QString() : caller.user.id);
}

void AgentSync::allRoute(const RestApi::Caller &caller, const HttpRequest &request,
                         HttpResponder responder)
{
    const auto checkOnlyBody = rest::readSyncCheckOnly(request.body);
    if (!checkOnlyBody)
        return responder.send(HttpResponse::error(400, QStringLiteral("invalid_body"),
                                                  checkOnlyBody.error().message));
    const bool checkOnly = *checkOnlyBody;
    auto agents = m_app.store().org(caller.orgId).agents();
    if (!agents)
        return responder.send(storeError(agents.error()));
    struct Gather
    {
        Json results = Json::array();
        int pending = 0;
        HttpResponder responder;
    };
    auto gather = std::make_shared<Gather>();
    gather->responder = responder;
    gather->pending = int(agents->size()) + 1;
    const auto finishOne = [gather] {
        if (--gather->pending == 0)
            gather->responder.send(HttpResponse::json(200, Json{{"results", gather->results}}));
    };
    for (const Agent &agent : std::as_const(*agents)) {
        const QString agentId = agent.id;
        sync(
            caller.orgId, agentId, checkOnly,
            [gather, agentId, finishOne](Result<Agent> synced) {
                Json entry = {{"agent_id", agentId}};
                if (!synced) {
                    entry["ok"] = false;
                    entry["error"] = {{"code", synced.error().code},
                                      {"message", synced.error().message}};
                } else {
                    entry["ok"] = synced->webhookState == WebhookState::Synced;
                    entry["agent"] = toJson(*synced);
                    if (synced->webhookState != WebhookState::Synced)
                        entry["error"] = {{"code", wireName(synced->webhookState)},
                                          {"message", synced->webhookMessage}};
                }
                gather->results.push_back(entry);
                finishOne();
            },
            checkOnly ? QString() : caller.user.id);
    }
    finishOne();
}

} // namespace cb
