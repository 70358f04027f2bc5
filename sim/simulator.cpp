#include "simulator.h"

#include "logging.h"

#include "core/phonenumber.h"
#include "core/providermapper.h"
#include "core/safejson.h"

#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QTimer>

#include <algorithm>
#include <cmath>

namespace cb::sim {

namespace {

const QStringList vapiDefaultMessages = defaultWebhookEvents(Provider::Vapi);
const QStringList retellDefaultEvents = defaultWebhookEvents(Provider::Retell);

constexpr int liveTurns = 4;

QString agentKey(Provider provider, const QString &id)
{
    return wireName(provider) + u'/' + id;
}

quint64 splitmix(quint64 x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

double uniform(std::mt19937_64 &rng, double low, double high)
{
    return std::uniform_real_distribution<double>(low, high)(rng);
}

QString bearerToken(const QHttpServerRequest &request)
{
    const QByteArray value = headerValue(request.headers(), "authorization");
    if (!value.startsWith("Bearer "))
        return {};
    return QString::fromUtf8(value.mid(7)).trimmed();
}

} // namespace

Simulator::Simulator(SimConfig config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_server(std::make_unique<QHttpServer>())
    , m_delivery(new WebhookDelivery(m_config, m_stats, this))
    , m_traffic(new QTimer(this))
    , m_rng(splitmix(m_config.seed))
{
    m_server->setMissingHandler(
        [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
            handle(request, std::move(responder));
        });
    m_traffic->setSingleShot(true);
    connect(m_traffic, &QTimer::timeout, this, &Simulator::spontaneousCall);
}

Simulator::~Simulator() = default;

Result<quint16> Simulator::listen(const QHostAddress &address, quint16 port)
{
    const quint16 bound = m_server->listen(address, port);
    if (bound == 0) {
        return Result<quint16>::failure(
            QStringLiteral("listen_failed"),
            QStringLiteral("cannot listen on %1:%2").arg(address.toString()).arg(port));
    }
    m_port = bound;
    m_address = address;
    return bound;
}

QUrl Simulator::rootUrl() const
{
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    const bool any =
        m_address == QHostAddress::Any || m_address == QHostAddress::AnyIPv4 || m_address.isNull();
    url.setHost(any ? QStringLiteral("127.0.0.1") : m_address.toString());
    url.setPort(m_port);
    return url;
}

QUrl Simulator::baseUrl(Provider provider) const
{
    QUrl url = rootUrl();
    url.setPath(u'/' + wireName(provider));
    return url;
}

void Simulator::setAgent(const SimAgent &agent)
{
    SimAgent copy = agent;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (!copy.createdAt.isValid())
        copy.createdAt = now;
    copy.updatedAt = now;
    if (copy.name.isEmpty())
        copy.name = QStringLiteral("Agent %1").arg(copy.id.left(8));
    m_agents.insert(agentKey(copy.provider, copy.id), copy);
}

std::optional<SimAgent> Simulator::agent(Provider provider, const QString &id) const
{
    const auto it = m_agents.constFind(agentKey(provider, id));
    if (it == m_agents.cend())
        return std::nullopt;
    return it.value();
}

QList<SimAgent> Simulator::agents() const
{
    QList<SimAgent> list = m_agents.values();
    std::sort(list.begin(), list.end(), [](const SimAgent &a, const SimAgent &b) {
        return agentKey(a.provider, a.id) < agentKey(b.provider, b.id);
    });
    return list;
}

SimAgent *Simulator::findAgent(Provider provider, const QString &id, bool create)
{
    if (id.isEmpty() || id.size() > 128)
        return nullptr;
    const QString key = agentKey(provider, id);
    auto it = m_agents.find(key);
    if (it != m_agents.end())
        return &it.value();
    if (!create || !m_config.autoCreateAgents)
        return nullptr;
    SimAgent agent;
    agent.provider = provider;
    agent.id = id;
    setAgent(agent);
    return &m_agents[key];
}

std::optional<SimCall> Simulator::call(const QString &providerCallId) const
{
    const auto it = m_calls.constFind(providerCallId);
    if (it == m_calls.cend())
        return std::nullopt;
    return it->call;
}

QList<SimCall> Simulator::calls() const
{
    QList<SimCall> list;
    list.reserve(m_callOrder.size());
    for (const auto &id : m_callOrder)
        list << m_calls.value(id).call;
    return list;
}

int Simulator::activeCalls() const
{
    int active = 0;
    for (const auto &slot : m_calls) {
        if (!slot.call.done)
            ++active;
    }
    return active;
}

// HTTP ------------------------------------------------------------------------------------------

void Simulator::handle(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    Reply reply = route(request);
    const QByteArray body = reply.body.is_null() ? QByteArray() : toBytes(reply.body);
    if (reply.body.is_null()) {
        responder.write(static_cast<QHttpServerResponder::StatusCode>(reply.status));
        return;
    }
    responder.write(body, QByteArrayLiteral("application/json"),
                    static_cast<QHttpServerResponder::StatusCode>(reply.status));
}

Simulator::Reply Simulator::route(const QHttpServerRequest &request)
{
    // Split before decoding, so an id with an encoded '/' stays one segment.
    QStringList parts = request.url().path(QUrl::FullyEncoded).split(u'/', Qt::SkipEmptyParts);
    for (QString &part : parts)
        part = QUrl::fromPercentEncoding(part.toUtf8());
    if (parts.isEmpty())
        return {404, {{"message", "not found"}}};

    Json body = Json::object();
    const bool hasBody = request.method() == QHttpServerRequest::Method::Post ||
        request.method() == QHttpServerRequest::Method::Patch ||
        request.method() == QHttpServerRequest::Method::Put;
    if (hasBody && !request.body().trimmed().isEmpty()) {
        auto parsed = parseJsonObject(request.body());
        if (!parsed) {
            const auto provider = providerFromString(parts.first());
            const QString message = QStringLiteral("Invalid JSON body: ") + parsed.error().message;
            if (provider)
                return providerError(*provider, 400, message);
            return {400, {{"error", message}}};
        }
        body = std::move(parsed).value();
    }

    const QString head = parts.first();
    const QStringList rest = parts.mid(1);
    if (head == u"_sim")
        return routeControl(request, rest, body);
    const auto provider = providerFromString(head);
    if (!provider)
        return {404, {{"message", "not found"}}};
    if (!authorized(*provider, request))
        return providerError(*provider, 401, QStringLiteral("Invalid API key"));
    switch (*provider) {
    case Provider::Bolna:
        return routeBolna(request, rest, body);
    case Provider::Vapi:
        return routeVapi(request, rest, body);
    case Provider::Retell:
        return routeRetell(request, rest, body);
    }
    return {404, nullptr};
}

bool Simulator::authorized(Provider provider, const QHttpServerRequest &request) const
{
    const QString token = bearerToken(request);
    if (!token.isEmpty() && m_config.extraApiKeys.contains(token))
        return true;
    switch (provider) {
    case Provider::Bolna:
        return !token.isEmpty() && token == m_config.bolnaKey;
    case Provider::Vapi:
        return !token.isEmpty() && token == m_config.vapiKey;
    case Provider::Retell:
        return !token.isEmpty() && token == m_config.retellKey;
    }
    return false;
}

Simulator::Reply Simulator::providerError(Provider provider, int status,
                                          const QString &message) const
{
    switch (provider) {
    case Provider::Bolna:
        return {status, {{"error", status}, {"message", message}}};
    case Provider::Vapi: {
        const char *name = status == 400 ? "Bad Request"
            : status == 401              ? "Unauthorized"
            : status == 404              ? "Not Found"
            : status >= 500              ? "Internal Server Error"
                                         : "Error";
        return {status, {{"message", message}, {"error", name}, {"statusCode", status}}};
    }
    case Provider::Retell:
        return {status, {{"error_message", message}}};
    }
    return {status, nullptr};
}

bool Simulator::rollPoll5xx()
{
    ++m_stats.polls;
    if (uniform(m_rng, 0, 1) < m_config.faults.poll5xx) {
        ++m_stats.polls5xx;
        return true;
    }
    return false;
}

Json Simulator::agentJson(const SimAgent &agent) const
{
    switch (agent.provider) {
    case Provider::Bolna: {
        Json config = {
            {"agent_name", agent.name},
            {"agent_type", "other"},
            {"agent_welcome_message", "Hello, this is Maya from Northwind Clinic."},
            {"webhook_url", agent.webhookUrl.isEmpty() ? Json(nullptr) : Json(agent.webhookUrl)}};
        return {{"id", agent.id},
                {"agent_name", agent.name},
                {"agent_type", "other"},
                {"agent_status", "processed"},
                {"created_at", timeToJson(agent.createdAt)},
                {"updated_at", timeToJson(agent.updatedAt)},
                {"webhook_url", config["webhook_url"]},
                {"agent_config", config},
                {"tasks", Json::array()}};
    }
    case Provider::Vapi: {
        Json assistant = {
            {"id", agent.id},
            {"orgId", "5e1f6a4e-6c1b-4a53-9a3f-6b1f2f0e7d11"},
            {"name", agent.name},
            {"createdAt", timeToJson(agent.createdAt)},
            {"updatedAt", timeToJson(agent.updatedAt)},
            {"serverMessages",
             jsonArrayOf(agent.events.isEmpty() ? vapiDefaultMessages : agent.events)}};
        if (!agent.webhookUrl.isEmpty()) {
            Json server = {{"url", agent.webhookUrl}, {"timeoutSeconds", 20}};
            if (!agent.headers.isEmpty()) {
                Json headers = Json::object();
                for (const auto &[name, value] : agent.headers)
                    headers[name.toStdString()] = value.toStdString();
                server["headers"] = headers;
            }
            assistant["server"] = server;
        }
        return assistant;
    }
    case Provider::Retell:
        return {
            {"agent_id", agent.id},
            {"agent_name", agent.name},
            {"version", 1},
            {"is_published", true},
            {"voice_id", "11labs-Adrian"},
            {"response_engine",
             {{"type", "retell-llm"}, {"llm_id", "llm_" + agent.id.toStdString()}}},
            {"webhook_url", agent.webhookUrl.isEmpty() ? Json(nullptr) : Json(agent.webhookUrl)},
            {"webhook_events",
             jsonArrayOf(agent.events.isEmpty() ? retellDefaultEvents : agent.events)},
            {"webhook_timeout_ms", 10000},
            {"last_modification_timestamp", agent.updatedAt.toMSecsSinceEpoch()}};
    }
    return nullptr;
}

Simulator::Reply Simulator::updateAgent(Provider provider, const QString &id, const Json &body)
{
    SimAgent *agent = findAgent(provider, id, true);
    if (!agent)
        return providerError(provider, 404, QStringLiteral("Agent not found"));
    if (agent->rejectUpdates || uniform(m_rng, 0, 1) < m_config.faults.rejectAgentUpdates) {
        ++m_stats.agentUpdatesRejected;
        const QString message = provider == Provider::Bolna
            ? QStringLiteral("webhook_url could not be updated: agent is locked by a running batch")
            : provider == Provider::Vapi
            ? QStringLiteral("server.url could not be updated: assistant is managed by a squad")
            : QStringLiteral("Agent is not editable: a published version is locked");
        return providerError(provider, provider == Provider::Retell ? 422 : 400, message);
    }

    switch (provider) {
    case Provider::Bolna: {
        const Json *config = objectField(body, "agent_config");
        if (!config)
            return providerError(provider, 400, QStringLiteral("agent_config is required"));
        if (config->contains("webhook_url")) {
            const Json &url = (*config)["webhook_url"];
            if (!url.is_null() && !url.is_string())
                return providerError(provider, 400, QStringLiteral("webhook_url must be a string"));
            agent->webhookUrl = url.is_string() ? stringField(*config, "webhook_url") : QString();
        }
        const QString name = stringField(*config, "agent_name");
        if (!name.isEmpty())
            agent->name = name;
        agent->updatedAt = QDateTime::currentDateTimeUtc();
        return {200, {{"message", "success"}, {"state", "updated"}}};
    }
    case Provider::Vapi: {
        if (const Json *server = objectField(body, "server")) {
            const QString url = stringField(*server, "url");
            if (server->contains("url") && url.isEmpty())
                return providerError(provider, 400,
                                     QStringLiteral("server.url must be a URL address"));
            agent->webhookUrl = url;
            agent->headers.clear();
            if (const Json *headers = objectField(*server, "headers")) {
                for (auto it = headers->begin(); it != headers->end(); ++it) {
                    if (it.value().is_string())
                        agent->headers.append(
                            {QByteArray::fromStdString(it.key()),
                             QByteArray::fromStdString(it.value().get<std::string>())});
                }
            }
        } else if (body.contains("serverUrl")) {
            agent->webhookUrl = stringField(body, "serverUrl");
        }
        if (body.contains("serverMessages")) {
            if (!body["serverMessages"].is_array())
                return providerError(provider, 400,
                                     QStringLiteral("serverMessages must be an array"));
            agent->events = stringsOf(body["serverMessages"]);
        }
        const QString name = stringField(body, "name");
        if (!name.isEmpty())
            agent->name = name;
        agent->updatedAt = QDateTime::currentDateTimeUtc();
        return {200, agentJson(*agent)};
    }
    case Provider::Retell: {
        if (body.contains("webhook_url")) {
            const Json &url = body["webhook_url"];
            if (!url.is_null() && !url.is_string())
                return providerError(provider, 400, QStringLiteral("webhook_url must be a string"));
            agent->webhookUrl = url.is_string() ? stringField(body, "webhook_url") : QString();
        }
        if (body.contains("webhook_events"))
            agent->events = stringsOf(body["webhook_events"]);
        const QString name = stringField(body, "agent_name");
        if (!name.isEmpty())
            agent->name = name;
        agent->updatedAt = QDateTime::currentDateTimeUtc();
        return {200, agentJson(*agent)};
    }
    }
    return {404, nullptr};
}

Simulator::Reply Simulator::routeBolna(const QHttpServerRequest &request, const QStringList &parts,
                                       const Json &body)
{
    using Method = QHttpServerRequest::Method;
    const Method method = request.method();
    const Provider p = Provider::Bolna;

    if (parts == QStringList{QStringLiteral("call")} && method == Method::Post) {
        const QString agentId = stringField(body, "agent_id");
        const QString to = stringField(body, "recipient_phone_number");
        if (agentId.isEmpty())
            return providerError(p, 400, QStringLiteral("agent_id is required"));
        if (!isE164(to))
            return providerError(
                p, 400, QStringLiteral("recipient_phone_number must be a valid E.164 number"));
        if (isRejectedNumber(to))
            return providerError(
                p, 400,
                QStringLiteral(
                    "Call could not be placed: recipient number is on the DND registry"));
        const Json *userData = objectField(body, "user_data");
        auto created =
            createCall(p, agentId, Direction::Outbound, to, stringField(body, "from_phone_number"),
                       std::nullopt, userData ? *userData : Json::object());
        if (!created)
            return providerError(p, 404, created.error().message);
        return {200,
                {{"message", "done"}, {"status", "queued"}, {"execution_id", created.value()}}};
    }
    if (parts.size() == 2 && parts.at(0) == u"executions" && method == Method::Get) {
        if (rollPoll5xx())
            return providerError(p, 503, QStringLiteral("Service temporarily unavailable"));
        const auto it = m_calls.constFind(parts.at(1));
        if (it == m_calls.cend() || it->call.provider != p)
            return providerError(p, 404, QStringLiteral("Execution not found"));
        return {200, it->call.bolnaExecution()};
    }
    if (parts.size() == 3 && parts.at(0) == u"v2" && parts.at(1) == u"agent") {
        if (method == Method::Get) {
            SimAgent *agent = findAgent(p, parts.at(2), true);
            if (!agent)
                return providerError(p, 404, QStringLiteral("Agent not found"));
            return {200, agentJson(*agent)};
        }
        if (method == Method::Patch)
            return updateAgent(p, parts.at(2), body);
    }
    return providerError(p, 404, QStringLiteral("Not Found"));
}

Simulator::Reply Simulator::routeVapi(const QHttpServerRequest &request, const QStringList &parts,
                                      const Json &body)
{
    using Method = QHttpServerRequest::Method;
    const Method method = request.method();
    const Provider p = Provider::Vapi;

    if (parts == QStringList{QStringLiteral("call")} && method == Method::Post) {
        const QString assistantId = stringField(body, "assistantId");
        const Json *customer = objectField(body, "customer");
        const QString to = customer ? stringField(*customer, "number") : QString();
        if (assistantId.isEmpty())
            return {400,
                    {{"message", Json::array({"assistantId must be a string"})},
                     {"error", "Bad Request"},
                     {"statusCode", 400}}};
        if (!isE164(to))
            return {400,
                    {{"message",
                      Json::array({"customer.number must be a valid phone number in the "
                                   "E.164 format."})},
                     {"error", "Bad Request"},
                     {"statusCode", 400}}};
        if (isRejectedNumber(to))
            return providerError(
                p, 400, QStringLiteral("Couldn't Create Call. Number is on the do-not-call list."));
        Json metadata = Json::object();
        if (const Json *overrides = objectField(body, "assistantOverrides")) {
            if (const Json *meta = objectField(*overrides, "metadata"))
                metadata = *meta;
        }
        QString from;
        if (const Json *phone = objectField(body, "phoneNumber"))
            from = stringField(*phone, "number");
        auto created =
            createCall(p, assistantId, Direction::Outbound, to, from, std::nullopt, metadata);
        if (!created)
            return providerError(p, 400, created.error().message);
        return {201, m_calls.value(created.value()).call.vapiCall()};
    }
    if (parts.size() == 2 && parts.at(0) == u"call" && method == Method::Get) {
        if (rollPoll5xx())
            return providerError(p, 500, QStringLiteral("Internal server error"));
        const auto it = m_calls.constFind(parts.at(1));
        if (it == m_calls.cend() || it->call.provider != p)
            return providerError(p, 404, QStringLiteral("Call not found"));
        return {200, it->call.vapiCall()};
    }
    if (parts.size() == 2 && parts.at(0) == u"assistant") {
        if (method == Method::Get) {
            SimAgent *agent = findAgent(p, parts.at(1), true);
            if (!agent)
                return providerError(p, 404, QStringLiteral("Couldn't Get Assistant. Not Found."));
            return {200, agentJson(*agent)};
        }
        if (method == Method::Patch)
            return updateAgent(p, parts.at(1), body);
    }
    return providerError(p, 404, QStringLiteral("Not Found"));
}

Simulator::Reply Simulator::routeRetell(const QHttpServerRequest &request, const QStringList &parts,
                                        const Json &body)
{
    using Method = QHttpServerRequest::Method;
    const Method method = request.method();
    const Provider p = Provider::Retell;

    if (parts == QStringList{QStringLiteral("v2"), QStringLiteral("create-phone-call")} &&
        method == Method::Post) {
        const QString from = stringField(body, "from_number");
        const QString to = stringField(body, "to_number");
        if (!isE164(from) || !isE164(to))
            return providerError(p, 400, QStringLiteral("from_number and to_number must be E.164"));
        if (isRejectedNumber(to))
            return providerError(p, 400,
                                 QStringLiteral("Call failed: destination is marked as spam"));
        QString agentId = stringField(body, "override_agent_id");
        if (agentId.isEmpty()) {
            for (const auto &agent : std::as_const(m_agents)) {
                if (agent.provider == p && agent.fromNumber == from) {
                    agentId = agent.id;
                    break;
                }
            }
        }
        if (agentId.isEmpty())
            return providerError(
                p, 404, QStringLiteral("No outbound agent is bound to from_number %1").arg(from));
        const Json *meta = objectField(body, "metadata");
        auto created = createCall(p, agentId, Direction::Outbound, to, from, std::nullopt,
                                  meta ? *meta : Json::object());
        if (!created)
            return providerError(p, 404, created.error().message);
        return {201, m_calls.value(created.value()).call.retellCall(false)};
    }
    if (parts.size() == 3 && parts.at(0) == u"v2" && parts.at(1) == u"get-call" &&
        method == Method::Get) {
        if (rollPoll5xx())
            return providerError(p, 500, QStringLiteral("Internal Server Error"));
        const auto it = m_calls.constFind(parts.at(2));
        if (it == m_calls.cend() || it->call.provider != p)
            return providerError(p, 404, QStringLiteral("Call not found"));
        return {200, it->call.retellCall(true)};
    }
    if (parts.size() == 2 && parts.at(0) == u"get-agent" && method == Method::Get) {
        SimAgent *agent = findAgent(p, parts.at(1), true);
        if (!agent)
            return providerError(p, 404, QStringLiteral("Agent not found"));
        return {200, agentJson(*agent)};
    }
    if (parts.size() == 2 && parts.at(0) == u"update-agent" && method == Method::Patch)
        return updateAgent(p, parts.at(1), body);
    return providerError(p, 404, QStringLiteral("Not Found"));
}

Simulator::Reply Simulator::routeControl(const QHttpServerRequest &request,
                                         const QStringList &parts, const Json &body)
{
    using Method = QHttpServerRequest::Method;
    const Method method = request.method();

    if (parts == QStringList{QStringLiteral("health")})
        return {200, {{"ok", true}}};
    if (parts == QStringList{QStringLiteral("calls")} && method == Method::Get) {
        Json list = Json::array();
        for (const auto &c : calls())
            list.push_back(c.truthJson());
        return {200, {{"calls", list}, {"active", activeCalls()}}};
    }
    if (parts == QStringList{QStringLiteral("stats")} && method == Method::Get) {
        return {200,
                {{"webhooks_sent", m_stats.webhooksSent},
                 {"webhooks_acked", m_stats.webhooksAcked},
                 {"webhooks_failed", m_stats.webhooksFailed},
                 {"dropped", m_stats.dropped},
                 {"duplicated", m_stats.duplicated},
                 {"reordered", m_stats.reordered},
                 {"withheld_finals", m_stats.withheldFinals},
                 {"polls", m_stats.polls},
                 {"polls_5xx", m_stats.polls5xx},
                 {"calls_started", m_stats.callsStarted},
                 {"agent_updates_rejected", m_stats.agentUpdatesRejected},
                 {"active_calls", activeCalls()},
                 {"in_flight", m_delivery->inFlight()}}};
    }
    if (parts.size() == 3 && parts.at(0) == u"agents") {
        const auto provider = providerFromString(parts.at(1));
        if (!provider)
            return {404, {{"error", "unknown provider"}}};
        if (method == Method::Get) {
            const auto found = agent(*provider, parts.at(2));
            if (!found)
                return {404, {{"error", "unknown agent"}}};
            Json json = agentJson(*found);
            json["reject_updates"] = found->rejectUpdates;
            return {200, json};
        }
        if (method == Method::Put) {
            SimAgent updated = agent(*provider, parts.at(2)).value_or(SimAgent{});
            updated.provider = *provider;
            updated.id = parts.at(2);
            if (body.contains("webhook_url"))
                updated.webhookUrl = stringField(body, "webhook_url");
            if (body.contains("from_number"))
                updated.fromNumber = stringField(body, "from_number");
            if (body.contains("name"))
                updated.name = stringField(body, "name");
            if (body.contains("events"))
                updated.events = stringsOf(body["events"]);
            if (const auto reject = boolField(body, "reject_updates"))
                updated.rejectUpdates = *reject;
            setAgent(updated);
            return {200, agentJson(*agent(*provider, updated.id))};
        }
    }
    if (parts == QStringList{QStringLiteral("calls")} && method == Method::Post) {
        const auto provider = providerFromString(stringField(body, "provider"));
        if (!provider)
            return {400, {{"error", "provider must be bolna, vapi or retell"}}};
        const auto direction = directionFromString(stringField(body, "direction"));
        const QString scriptName = stringField(body, "script");
        const auto script = scriptFromString(scriptName);
        if (!scriptName.isEmpty() && !script)
            return {400, {{"error", "unknown script"}}};
        auto created = originate(*provider, stringField(body, "agent_id"),
                                 direction.value_or(Direction::Inbound), script,
                                 stringField(body, "customer_number"));
        if (!created)
            return {400, {{"error", created.error().message}}};
        return {201, m_calls.value(created.value()).call.truthJson()};
    }
    if (parts == QStringList{QStringLiteral("faults")} && method == Method::Put) {
        SimFaults &f = m_config.faults;
        const auto share = [&body](const char *key, double &target) {
            if (const auto v = numberField(body, key))
                target = std::clamp(*v, 0.0, 1.0);
        };
        share("drop", f.drop);
        share("duplicate", f.duplicate);
        share("reorder", f.reorder);
        share("never_final", f.neverFinal);
        share("poll_5xx", f.poll5xx);
        share("reject_agent_updates", f.rejectAgentUpdates);
        if (const auto v = numberField(body, "delay_ms"))
            f.delayMs = std::clamp(int(*v), 0, 600000);
        return {200, {{"ok", true}}};
    }
    return {404, {{"error", "not found"}}};
}

// Calls -----------------------------------------------------------------------------------------

QString Simulator::newId(Provider provider, std::mt19937_64 &rng) const
{
    if (provider == Provider::Retell) {
        static constexpr char alphabet[] =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        QString id;
        for (int i = 0; i < 32; ++i)
            id += QLatin1Char(alphabet[rng() % (sizeof(alphabet) - 1)]);
        return id;
    }
    const quint64 hi = rng();
    const quint64 lo = rng();
    QByteArray bytes(16, Qt::Uninitialized);
    for (int i = 0; i < 8; ++i) {
        bytes[i] = char((hi >> (8 * i)) & 0xff);
        bytes[8 + i] = char((lo >> (8 * i)) & 0xff);
    }
    bytes[6] = char((bytes[6] & 0x0f) | 0x40);
    bytes[8] = char((bytes[8] & 0x3f) | 0x80);
    const QString hex = QString::fromLatin1(bytes.toHex());
    return hex.left(8) + u'-' + hex.mid(8, 4) + u'-' + hex.mid(12, 4) + u'-' + hex.mid(16, 4) +
        u'-' + hex.mid(20);
}

QString Simulator::randomCustomerNumber(std::mt19937_64 &rng) const
{
    const int area = 201 + int(rng() % 780);
    const int exchange = 200 + int(rng() % 700);
    const int line = int(rng() % 10000);
    return QStringLiteral("+1%1%2%3").arg(area).arg(exchange).arg(line, 4, 10, QLatin1Char('0'));
}

Result<QString> Simulator::originate(Provider provider, const QString &agentId, Direction direction,
                                     std::optional<Script> script, const QString &customerNumber)
{
    SimAgent *agent = findAgent(provider, agentId, true);
    if (!agent)
        return Result<QString>::failure(QStringLiteral("unknown_agent"),
                                        QStringLiteral("Agent %1 not found").arg(agentId));
    std::mt19937_64 numbers(splitmix(m_config.seed ^ quint64(m_nextIndex) * 0x51ed27ULL));
    const QString customer =
        customerNumber.isEmpty() ? randomCustomerNumber(numbers) : customerNumber;
    const QString ours =
        agent->fromNumber.isEmpty() ? QStringLiteral("+15550001000") : agent->fromNumber;
    if (direction == Direction::Inbound)
        return createCall(provider, agentId, direction, ours, customer, script, Json::object());
    return createCall(provider, agentId, direction, customer, ours, script, Json::object());
}

Result<QString> Simulator::createCall(Provider provider, const QString &agentId,
                                      Direction direction, const QString &toNumber,
                                      const QString &fromNumber, std::optional<Script> script,
                                      const Json &metadata)
{
    SimAgent *agent = findAgent(provider, agentId, true);
    if (!agent)
        return Result<QString>::failure(QStringLiteral("unknown_agent"),
                                        QStringLiteral("Agent %1 not found").arg(agentId));

    Slot slot;
    slot.rng.seed(splitmix(m_config.seed * 0x100000001b3ULL + quint64(m_nextIndex)));
    SimCall &call = slot.call;
    call.index = m_nextIndex++;
    call.provider = provider;
    call.id = newId(provider, slot.rng);
    call.agentId = agentId;
    call.direction = direction;
    call.toNumber = toNumber;
    call.fromNumber = fromNumber.isEmpty()
        ? (agent->fromNumber.isEmpty() ? QStringLiteral("+15550001000") : agent->fromNumber)
        : fromNumber;
    call.metadata = metadata.is_object() ? metadata : Json::object();

    if (!script)
        script = scriptForNumber(direction == Direction::Inbound ? fromNumber : toNumber);
    if (!script) {
        int total = 0;
        for (int w : m_config.scriptWeights)
            total += std::max(0, w);
        int roll = total > 0 ? int(slot.rng() % quint64(total)) : 0;
        script = Script::Answered;
        for (size_t i = 0; i < std::size(allScripts); ++i) {
            roll -= std::max(0, m_config.scriptWeights[i]);
            if (roll < 0) {
                script = allScripts[i];
                break;
            }
        }
    }
    call.script = *script;
    switch (call.script) {
    case Script::Answered:
        call.ringSeconds = uniform(slot.rng, 4, 10);
        call.talkSeconds = uniform(slot.rng, 20, 90);
        break;
    case Script::Voicemail:
        call.ringSeconds = uniform(slot.rng, 15, 25);
        call.talkSeconds = uniform(slot.rng, 15, 30);
        break;
    case Script::LongCall:
        call.ringSeconds = uniform(slot.rng, 4, 10);
        call.talkSeconds = uniform(slot.rng, 600, 900);
        break;
    case Script::Busy:
        call.ringSeconds = uniform(slot.rng, 2, 5);
        break;
    case Script::NoAnswer:
        call.ringSeconds = uniform(slot.rng, 25, 35);
        break;
    case Script::Failed:
        call.ringSeconds = 0;
        break;
    }
    call.neverFinal = uniform(slot.rng, 0, 1) < m_config.faults.neverFinal;
    call.createdAt = QDateTime::currentDateTimeUtc();
    call.updatedAt = call.createdAt;
    call.stage = Stage::Queued;

    const QString id = call.id;
    m_calls.insert(id, slot);
    m_callOrder << id;
    ++m_stats.callsStarted;
    qCDebug(lcSim).noquote() << "call" << id << wireName(provider) << wireName(call.script);

    if (provider == Provider::Vapi && m_config.vapiQueuedUpdates)
        emitStage(m_calls[id], false);
    schedule(id, 1.0, &Simulator::stepInitiated);
    Q_EMIT callStarted(id);
    return id;
}

void Simulator::schedule(const QString &id, double nominalSeconds,
                         void (Simulator::*step)(const QString &))
{
    const int ms = std::max(1, int(std::lround(nominalSeconds * 1000.0 * m_config.timeScale)));
    QTimer::singleShot(ms, this, [this, id, step] { (this->*step)(id); });
}

void Simulator::stepInitiated(const QString &id)
{
    auto it = m_calls.find(id);
    if (it == m_calls.end())
        return;
    SimCall &call = it->call;
    call.stage = Stage::Initiated;
    call.initiatedAt = QDateTime::currentDateTimeUtc();
    call.updatedAt = call.initiatedAt;
    emitStage(*it, false);
    if (call.script == Script::Failed)
        schedule(id, 2.0, &Simulator::stepEnded);
    else
        schedule(id, 1.5, &Simulator::stepRinging);
}

void Simulator::stepRinging(const QString &id)
{
    auto it = m_calls.find(id);
    if (it == m_calls.end())
        return;
    SimCall &call = it->call;
    call.stage = Stage::Ringing;
    call.updatedAt = QDateTime::currentDateTimeUtc();
    emitStage(*it, false);
    if (call.answered())
        schedule(id, call.ringSeconds, &Simulator::stepAnswered);
    else
        schedule(id, call.ringSeconds, &Simulator::stepEnded);
}

void Simulator::stepAnswered(const QString &id)
{
    auto it = m_calls.find(id);
    if (it == m_calls.end())
        return;
    SimCall &call = it->call;
    call.stage = Stage::InProgress;
    call.answeredAt = QDateTime::currentDateTimeUtc();
    call.updatedAt = call.answeredAt;
    emitStage(*it, false);
    if (m_config.liveMessages)
        schedule(id, call.talkSeconds / (liveTurns + 1), &Simulator::stepLiveTurn);
    schedule(id, call.talkSeconds, &Simulator::stepEnded);
}

void Simulator::stepLiveTurn(const QString &id)
{
    auto it = m_calls.find(id);
    if (it == m_calls.end() || it->call.stage != Stage::InProgress)
        return;
    SimCall &call = it->call;
    ++call.turns;
    call.updatedAt = QDateTime::currentDateTimeUtc();
    if (call.provider == Provider::Vapi) {
        sendWebhook(*it, call.vapiMessage(QStringLiteral("speech-update")),
                    QStringLiteral("speech-update"), false);
        sendWebhook(*it, call.vapiMessage(QStringLiteral("transcript")),
                    QStringLiteral("transcript"), false);
        sendWebhook(*it, call.vapiMessage(QStringLiteral("conversation-update")),
                    QStringLiteral("conversation-update"), false);
    } else if (call.provider == Provider::Retell) {
        sendWebhook(*it, call.retellEvent(QStringLiteral("transcript_updated")),
                    QStringLiteral("transcript_updated"), false);
    }
    if (call.turns < liveTurns)
        schedule(id, call.talkSeconds / (liveTurns + 1), &Simulator::stepLiveTurn);
}

void Simulator::stepEnded(const QString &id)
{
    auto it = m_calls.find(id);
    if (it == m_calls.end())
        return;
    SimCall &call = it->call;
    call.stage = Stage::Ended;
    call.endedAt = QDateTime::currentDateTimeUtc();
    call.updatedAt = call.endedAt;
    // Durations are nominal while the clock is scaled; keep started + talk = ended.
    if (call.answeredAt.isValid()) {
        const QDateTime nominalStart = call.endedAt.addMSecs(-qint64(call.talkSeconds * 1000));
        call.answeredAt = std::min(call.answeredAt, nominalStart);
    }
    emitStage(*it, true);
    const bool bolnaLate = call.provider == Provider::Bolna && call.answered();
    schedule(id, bolnaLate ? m_config.bolnaFinalDelayS : m_config.postCallDelayS,
             &Simulator::stepFinal);
}

void Simulator::stepFinal(const QString &id)
{
    auto it = m_calls.find(id);
    if (it == m_calls.end())
        return;
    SimCall &call = it->call;
    call.stage = Stage::Final;
    call.updatedAt = QDateTime::currentDateTimeUtc();
    call.finalAt = call.updatedAt;
    emitStage(*it, true);
    call.done = true;
    m_delivery->releaseHeld(id);
    Q_EMIT callFinished(id);
}

void Simulator::emitStage(Slot &slot, bool ending)
{
    const SimCall &call = slot.call;
    switch (call.provider) {
    case Provider::Bolna:
        // Bolna posts one snapshot per status; nothing new once a failed call is over.
        if (call.stage == Stage::Queued)
            return;
        if (call.stage == Stage::Final && !call.answered())
            return;
        sendWebhook(slot, call.bolnaExecution(), call.providerStatus(), ending);
        return;
    case Provider::Vapi:
        if (call.stage == Stage::Initiated)
            return;
        if (call.stage == Stage::Final) {
            sendWebhook(slot, call.vapiMessage(QStringLiteral("end-of-call-report")),
                        QStringLiteral("end-of-call-report"), ending);
            return;
        }
        sendWebhook(slot, call.vapiMessage(QStringLiteral("status-update")),
                    QStringLiteral("status-update"), ending);
        return;
    case Provider::Retell:
        switch (call.stage) {
        case Stage::InProgress:
            sendWebhook(slot, call.retellEvent(QStringLiteral("call_started")),
                        QStringLiteral("call_started"), ending);
            return;
        case Stage::Ended:
            sendWebhook(slot, call.retellEvent(QStringLiteral("call_ended")),
                        QStringLiteral("call_ended"), ending);
            return;
        case Stage::Final:
            sendWebhook(slot, call.retellEvent(QStringLiteral("call_analyzed")),
                        QStringLiteral("call_analyzed"), ending);
            return;
        default:
            return;
        }
    }
}

bool Simulator::wants(const SimAgent &agent, const QString &kind) const
{
    switch (agent.provider) {
    case Provider::Bolna:
        return true;
    case Provider::Vapi:
        return (agent.events.isEmpty() ? vapiDefaultMessages : agent.events).contains(kind);
    case Provider::Retell:
        return (agent.events.isEmpty() ? retellDefaultEvents : agent.events).contains(kind);
    }
    return false;
}

void Simulator::sendWebhook(Slot &slot, const Json &body, const QString &kind, bool ending)
{
    const SimCall &call = slot.call;
    const auto found = m_agents.constFind(agentKey(call.provider, call.agentId));
    if (found == m_agents.cend() || found->webhookUrl.isEmpty() || !wants(*found, kind))
        return;
    if (ending && call.neverFinal) {
        ++m_stats.withheldFinals;
        return;
    }
    OutgoingWebhook webhook;
    webhook.provider = call.provider;
    webhook.callId = call.id;
    webhook.url = QUrl(found->webhookUrl);
    webhook.body = toBytes(body);
    webhook.extraHeaders = found->headers;
    m_delivery->send(webhook, slot.rng);
}

// Traffic ---------------------------------------------------------------------------------------

void Simulator::startTraffic()
{
    if (m_config.callsPerMinute <= 0)
        return;
    const double meanMs = 60000.0 / m_config.callsPerMinute;
    std::exponential_distribution<double> gap(1.0 / meanMs);
    m_traffic->start(std::clamp(int(gap(m_rng)), 1, 3600000));
}

void Simulator::stopTraffic()
{
    m_traffic->stop();
}

void Simulator::spontaneousCall()
{
    QList<SimAgent> candidates;
    for (const auto &agent : agents()) {
        if (!agent.webhookUrl.isEmpty())
            candidates << agent;
    }
    if (!candidates.isEmpty()) {
        const SimAgent &agent = candidates.at(int(m_rng() % quint64(candidates.size())));
        const bool inbound = uniform(m_rng, 0, 1) < m_config.inboundShare;
        std::optional<Script> script;
        if (inbound) {
            // People who call in are mostly answered; some lines drop.
            const double roll = uniform(m_rng, 0, 1);
            script = roll < 0.8 ? Script::Answered
                : roll < 0.92   ? Script::LongCall
                                : Script::Failed;
        }
        originate(agent.provider, agent.id, inbound ? Direction::Inbound : Direction::Outbound,
                  script);
    }
    startTraffic();
}

} // namespace cb::sim
