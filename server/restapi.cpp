#include "restapi.h"

#include "ingest.h"
#include "logging.h"
#include "passwordhash.h"
#include "restrequests.h"
#include "store.h"
#include "storewriter.h"

#include "core/safejson.h"

#include <QFuture>
#include <QPointer>
#include <QUrl>
#include <QUrlQuery>
#include <QtConcurrent/QtConcurrentRun>

#include <memory>

namespace cb {

HttpResponse storeError(const Error &error)
{
    if (error.code == u"not_found")
        return HttpResponse::error(404, error.code, error.message);
    if (error.code == u"conflict")
        return HttpResponse::error(409, error.code, error.message);
    if (error.code == u"forbidden")
        return HttpResponse::error(403, error.code, error.message);
    qCWarning(lcDb) << "store error:" << error.message;
    return HttpResponse::error(503, QStringLiteral("storage_unavailable"),
                               QStringLiteral("the store could not answer; retry later"));
}

namespace {

HttpResponse badRequest(const QString &code, const QString &message)
{
    return HttpResponse::error(400, code, message);
}

Json userJson(const AuthUser &user)
{
    return Json{{"id", user.id}, {"email", user.email}, {"name", user.name}};
}

Json orgsJson(const QList<Org> &orgs)
{
    Json list = Json::array();
    for (const Org &org : orgs)
        list.push_back(toJson(org));
    return list;
}

QString maskSecret(const QString &secret)
{
    if (secret.isEmpty())
        return {};
    if (secret.size() <= 8)
        return QStringLiteral("••••");
    return QStringLiteral("••••") + secret.right(4);
}

/// A webhook URL as shown to clients: a Bolna token rides in its query, so query values
/// that carry secrets are masked.
QString redactedUrl(const QString &text)
{
    QUrl url(text);
    if (!url.isValid() || !url.hasQuery())
        return text;
    QUrlQuery query(url);
    bool changed = false;
    for (const char *name : {"token", "secret", "key", "api_key"}) {
        const QString key = QString::fromLatin1(name);
        if (query.hasQueryItem(key)) {
            query.removeAllQueryItems(key);
            query.addQueryItem(key, QStringLiteral("redacted"));
            changed = true;
        }
    }
    if (!changed)
        return text;
    url.setQuery(query);
    return url.toString();
}

HttpResponse bodyError(const Error &error)
{
    if (error.code == u"payload_too_large" || error.code == u"too_large")
        return HttpResponse::error(413, QStringLiteral("payload_too_large"), error.message);
    return badRequest(error.code, error.message);
}

Result<bool> boolParam(const QString &text, const char *name)
{
    if (text == u"true" || text == u"1")
        return true;
    if (text == u"false" || text == u"0" || text.isEmpty())
        return false;
    return Result<bool>::failure(
        QStringLiteral("invalid_parameter"),
        QStringLiteral("%1 must be true or false").arg(QLatin1StringView(name)));
}

Result<CallQuery> callQueryFrom(const QUrlQuery &params)
{
    using R = Result<CallQuery>;
    CallQuery query;
    const auto value = [&params](const char *key) {
        return params.queryItemValue(QString::fromLatin1(key), QUrl::FullyDecoded);
    };
    const QString statuses = value("status");
    if (!statuses.isEmpty()) {
        for (const QString &part : statuses.split(u',', Qt::SkipEmptyParts)) {
            const auto status = callStatusFromString(part.trimmed());
            if (!status)
                return R::failure(QStringLiteral("invalid_parameter"),
                                  QStringLiteral("unknown status in status filter"));
            if (!query.statuses.contains(*status))
                query.statuses.append(*status);
        }
    }
    query.agentId = value("agent");
    if (query.agentId.size() > 200)
        return R::failure(QStringLiteral("invalid_parameter"), QStringLiteral("agent is too long"));
    if (const QString provider = value("provider"); !provider.isEmpty()) {
        query.provider = providerFromString(provider);
        if (!query.provider)
            return R::failure(QStringLiteral("invalid_parameter"),
                              QStringLiteral("unknown provider"));
    }
    if (const QString direction = value("direction"); !direction.isEmpty()) {
        query.direction = directionFromString(direction);
        if (!query.direction)
            return R::failure(QStringLiteral("invalid_parameter"),
                              QStringLiteral("unknown direction"));
    }
    auto includeTest = boolParam(value("include_test"), "include_test");
    if (!includeTest)
        return includeTest.error();
    query.includeTest = *includeTest;
    query.text = value("q").trimmed();
    if (query.text.size() > 100)
        return R::failure(QStringLiteral("invalid_parameter"),
                          QStringLiteral("q is limited to 100 characters"));
    for (const char *key : {"from", "to"}) {
        const QString text = value(key);
        if (text.isEmpty())
            continue;
        const QDateTime time = parseIsoTime(text);
        if (!time.isValid())
            return R::failure(
                QStringLiteral("invalid_parameter"),
                QStringLiteral("%1 must be an ISO 8601 time").arg(QLatin1StringView(key)));
        (qstrcmp(key, "from") == 0 ? query.from : query.to) = time;
    }
    if (const QString limit = value("limit"); !limit.isEmpty()) {
        bool ok = false;
        query.limit = limit.toInt(&ok);
        if (!ok || query.limit < 1 || query.limit > 500)
            return R::failure(QStringLiteral("invalid_parameter"),
                              QStringLiteral("limit must be 1 to 500"));
    }
    if (const QString cursor = value("cursor"); !cursor.isEmpty()) {
        query.after = CallCursor::decode(cursor);
        if (!query.after)
            return R::failure(QStringLiteral("invalid_cursor"),
                              QStringLiteral("the cursor is not valid"));
    }
    return query;
}

Json eventJson(const CallEventRecord &event, bool withPayload)
{
    Json j = {{"id", event.id},
              {"source", wireName(event.source)},
              {"provider", wireName(event.provider)},
              {"kind", event.kind},
              {"status", event.status.isEmpty() ? Json(nullptr) : Json(event.status)},
              {"raw_status", event.rawStatus.isEmpty() ? Json(nullptr) : Json(event.rawStatus)},
              {"dedup_key", event.dedupKey},
              {"received_at", timeToJson(event.receivedAt)}};
    if (withPayload) {
        auto parsed = parseJsonSafely(event.payload);
        j["payload"] = parsed ? *parsed : Json(QString::fromUtf8(event.payload));
    }
    return j;
}

} // namespace

RestApi::RestApi(Store &store, Auth &auth, StoreWriter &writer, QObject *parent)
    : QObject(parent), m_store(store), m_auth(auth), m_writer(writer)
{ }

Router::Handler RestApi::orgRoute(Role minimum, OrgHandler handler)
{
    return [this, minimum, handler = std::move(handler)](
               const HttpRequest &request, const RouteParams &params, HttpResponder responder) {
        const QString token = request.bearerToken();
        if (token.isEmpty()) {
            responder.send(
                HttpResponse::error(401, QStringLiteral("unauthorized"),
                                    QStringLiteral("an Authorization: Bearer token is required")));
            return;
        }
        auto user = m_auth.authenticate(token);
        if (!user) {
            if (user.error().code == u"unauthorized")
                responder.send(HttpResponse::error(401, user.error().code, user.error().message));
            else
                responder.send(storeError(user.error()));
            return;
        }
        Caller caller{*user, params.value(QStringLiteral("org")), Role::Viewer};
        auto role = m_auth.roleIn(caller.user.id, caller.orgId);
        if (!role) {
            responder.send(storeError(role.error()));
            return;
        }
        // The same answer whether or not the org exists, so ids cannot be probed.
        if (!*role) {
            responder.send(
                HttpResponse::error(403, QStringLiteral("not_a_member"),
                                    QStringLiteral("you are not a member of this organization")));
            return;
        }
        caller.role = **role;
        if (!roleAtLeast(caller.role, minimum)) {
            responder.send(HttpResponse::error(
                403, QStringLiteral("forbidden"),
                QStringLiteral("this needs the %1 role").arg(wireName(minimum))));
            return;
        }
        handler(caller, request, params, std::move(responder));
    };
}

void RestApi::registerRoutes(Router &router)
{
    router.add("GET", QStringLiteral("/healthz"),
               [](const HttpRequest &, const RouteParams &, HttpResponder r) {
                   r.send(HttpResponse::json(200, Json{{"status", "ok"}}));
               });
    router.add("GET", QStringLiteral("/readyz"),
               [this](const HttpRequest &, const RouteParams &, HttpResponder r) {
                   if (m_store.ping())
                       r.send(HttpResponse::json(200, Json{{"status", "ready"}}));
                   else
                       r.send(HttpResponse::error(503, QStringLiteral("not_ready"),
                                                  QStringLiteral("the store is unreachable")));
               });
    router.add("POST", QStringLiteral("/api/auth/login"),
               [this](const HttpRequest &request, const RouteParams &, HttpResponder r) {
                   login(request, r);
               });
    router.add("POST", QStringLiteral("/api/auth/logout"),
               [this](const HttpRequest &request, const RouteParams &, HttpResponder r) {
                   logout(request, r);
               });
    router.add("GET", QStringLiteral("/api/auth/me"),
               [this](const HttpRequest &request, const RouteParams &, HttpResponder r) {
                   me(request, r);
               });

    const QString org = QStringLiteral("/api/orgs/{org}");
    router.add("GET", org + QStringLiteral("/calls"),
               orgRoute(Role::Viewer,
                        [this](const Caller &c, const HttpRequest &request, const RouteParams &,
                               HttpResponder r) { listCalls(c, request, r); }));
    router.add("GET", org + QStringLiteral("/calls/{id}"),
               orgRoute(Role::Viewer,
                        [this](const Caller &c, const HttpRequest &request, const RouteParams &p,
                               HttpResponder r) {
                            callDetail(c, request, p.value(QStringLiteral("id")), r);
                        }));
    router.add("POST", org + QStringLiteral("/calls/mark-failed"),
               orgRoute(Role::Admin,
                        [this](const Caller &c, const HttpRequest &request, const RouteParams &,
                               HttpResponder r) { markFailed(c, request, r); }));
    router.add(
        "DELETE", org + QStringLiteral("/calls/{id}"),
        orgRoute(Role::Admin,
                 [this](const Caller &c, const HttpRequest &, const RouteParams &p,
                        HttpResponder r) { deleteCall(c, p.value(QStringLiteral("id")), r); }));
    router.add("GET", org + QStringLiteral("/agents"),
               orgRoute(Role::Viewer,
                        [this](const Caller &c, const HttpRequest &, const RouteParams &,
                               HttpResponder r) { agents(c, r); }));
    router.add("GET", org + QStringLiteral("/metrics"),
               orgRoute(Role::Viewer,
                        [this](const Caller &c, const HttpRequest &, const RouteParams &,
                               HttpResponder r) { metrics(c, r); }));
    router.add("GET", org + QStringLiteral("/diagnostics"),
               orgRoute(Role::Viewer,
                        [this](const Caller &c, const HttpRequest &, const RouteParams &,
                               HttpResponder r) { diagnostics(c, r); }));
}

void RestApi::login(const HttpRequest &request, const HttpResponder &responder)
{
    auto body = rest::readLogin(request.body);
    if (!body) {
        responder.send(bodyError(body.error()));
        return;
    }
    const QString email = body->email;
    const QString password = body->password;
    auto user = m_store.userByEmail(email);
    if (!user) {
        responder.send(storeError(user.error()));
        return;
    }
    const QString userId = *user ? (*user)->id : QString();
    const QString stored = *user ? (*user)->passwordHash : passwordhash::decoy();
    // PBKDF2 takes a noticeable fraction of a second: never on the event loop that acks webhooks.
    QtConcurrent::run([password, stored] {
        return passwordhash::verify(password, stored);
    }).then(this, [this, userId, responder](bool ok) {
        if (!ok || userId.isEmpty()) {
            qCInfo(lcAuth) << "login refused";
            responder.send(HttpResponse::error(401, QStringLiteral("invalid_credentials"),
                                               QStringLiteral("wrong email or password")));
            return;
        }
        auto session = m_auth.createSession(userId);
        auto user = m_store.userById(userId);
        auto orgs = m_store.orgsOf(userId);
        if (!session || !user || !*user || !orgs) {
            responder.send(storeError(
                !session    ? session.error()
                    : !user ? user.error()
                    : !orgs ? orgs.error()
                            : Error{QStringLiteral("not_found"), QStringLiteral("no such user")}));
            return;
        }
        qCInfo(lcAuth) << "login of user" << userId;
        responder.send(HttpResponse::json(
            200,
            Json{{"token", session->token},
                 {"expires_at", timeToJson(session->expiresAt)},
                 {"user", userJson(AuthUser{(*user)->id, (*user)->email, (*user)->name})},
                 {"orgs", orgsJson(*orgs)}}));
    });
}

void RestApi::logout(const HttpRequest &request, const HttpResponder &responder)
{
    const QString token = request.bearerToken();
    if (token.isEmpty()) {
        responder.send(
            HttpResponse::error(401, QStringLiteral("unauthorized"), QStringLiteral("no token")));
        return;
    }
    auto user = m_auth.authenticate(token);
    if (!user) {
        responder.send(user.error().code == u"unauthorized"
                           ? HttpResponse::error(401, user.error().code, user.error().message)
                           : storeError(user.error()));
        return;
    }
    if (auto r = m_auth.logout(token); !r) {
        responder.send(storeError(r.error()));
        return;
    }
    responder.send(HttpResponse::noContent());
}

void RestApi::me(const HttpRequest &request, const HttpResponder &responder)
{
    auto user = m_auth.authenticate(request.bearerToken());
    if (!user) {
        responder.send(user.error().code == u"unauthorized"
                           ? HttpResponse::error(401, user.error().code, user.error().message)
                           : storeError(user.error()));
        return;
    }
    auto orgs = m_store.orgsOf(user->id);
    if (!orgs) {
        responder.send(storeError(orgs.error()));
        return;
    }
    responder.send(
        HttpResponse::json(200, Json{{"user", userJson(*user)}, {"orgs", orgsJson(*orgs)}}));
}

void RestApi::listCalls(const Caller &caller, const HttpRequest &request,
                        const HttpResponder &responder)
{
    OrgScope scope = m_store.org(caller.orgId);
    const QString sinceText =
        request.query.queryItemValue(QStringLiteral("since_seq"), QUrl::FullyDecoded);
    if (!sinceText.isEmpty()) {
        bool ok = false;
        const qint64 since = sinceText.toLongLong(&ok);
        int limit = 500;
        if (const QString l = request.query.queryItemValue(QStringLiteral("limit")); !l.isEmpty()) {
            bool limitOk = false;
            limit = l.toInt(&limitOk);
            if (!limitOk || limit < 1 || limit > 500) {
                responder.send(badRequest(QStringLiteral("invalid_parameter"),
                                          QStringLiteral("limit must be 1 to 500")));
                return;
            }
        }
        if (!ok || since < 0) {
            responder.send(badRequest(QStringLiteral("invalid_parameter"),
                                      QStringLiteral("since_seq must be a non-negative integer")));
            return;
        }
        auto page = scope.changesSince(since, limit);
        if (!page) {
            responder.send(storeError(page.error()));
            return;
        }
        Json calls = Json::array();
        for (const Call &call : std::as_const(page->calls))
            calls.push_back(toJson(call));
        Json deleted = Json::array();
        for (const Tombstone &t : std::as_const(page->deleted))
            deleted.push_back(Json{{"call_id", t.callId}, {"seq", t.seq}});
        const qint64 nextSince = page->more ? page->calls.constLast().seq : page->lastSeq;
        responder.send(HttpResponse::json(200,
                                          Json{{"calls", calls},
                                               {"deleted", deleted},
                                               {"next_cursor", nullptr},
                                               {"more", page->more},
                                               {"next_since_seq", nextSince},
                                               {"last_seq", page->lastSeq}}));
        return;
    }

    auto query = callQueryFrom(request.query);
    if (!query) {
        responder.send(badRequest(query.error().code, query.error().message));
        return;
    }
    auto lastSeq = scope.lastSeq();
    if (!lastSeq) {
        responder.send(storeError(lastSeq.error()));
        return;
    }
    auto page = scope.listCalls(*query);
    if (!page) {
        responder.send(storeError(page.error()));
        return;
    }
    Json calls = Json::array();
    for (const Call &call : std::as_const(page->calls))
        calls.push_back(toJson(call));
    responder.send(HttpResponse::json(
        200,
        Json{{"calls", calls},
             {"next_cursor", page->next ? Json(page->next->encode()) : Json(nullptr)},
             {"last_seq", *lastSeq}}));
}

void RestApi::callDetail(const Caller &caller, const HttpRequest &request, const QString &callId,
                         const HttpResponder &responder)
{
    auto withPayload = boolParam(request.query.queryItemValue(QStringLiteral("include_payload")),
                                 "include_payload");
    if (!withPayload) {
        responder.send(badRequest(withPayload.error().code, withPayload.error().message));
        return;
    }
    OrgScope scope = m_store.org(caller.orgId);
    auto record = scope.call(callId, true);
    if (!record) {
        responder.send(storeError(record.error()));
        return;
    }
    if (!*record) {
        responder.send(
            HttpResponse::error(404, QStringLiteral("not_found"), QStringLiteral("no such call")));
        return;
    }
    auto events = scope.events(callId, *withPayload);
    if (!events) {
        responder.send(storeError(events.error()));
        return;
    }
    Json timeline = Json::array();
    for (const CallEventRecord &event : std::as_const(*events))
        timeline.push_back(eventJson(event, *withPayload));
    Json callJson = toJson((*record)->call, true);
    responder.send(HttpResponse::json(200,
                                      Json{{"call", callJson},
                                           {"transcript", (*record)->call.transcript},
                                           {"events", timeline}}));
}

void RestApi::markFailed(const Caller &caller, const HttpRequest &request,
                         const HttpResponder &responder)
{
    auto body = rest::readMarkFailed(request.body);
    if (!body) {
        responder.send(bodyError(body.error()));
        return;
    }
    const QStringList callIds = *body;

    struct Pending
    {
        Json results = Json::array();
        int remaining = 0;
    };
    auto pending = std::make_shared<Pending>();
    pending->remaining = int(callIds.size());
    for (qsizetype i = 0; i < callIds.size(); ++i)
        pending->results.push_back(Json());
    const QString orgId = caller.orgId;
    const QString userId = caller.user.id;
    for (qsizetype i = 0; i < callIds.size(); ++i) {
        const QString callId = callIds.at(i);
        m_writer.submit(
            [orgId, callId, userId](Store &store) -> Result<StoreWriter::Output> {
                auto outcome = cb::markFailed(store, orgId, callId, userId);
                if (!outcome)
                    return outcome.error();
                StoreWriter::Output output;
                if (outcome->change)
                    output.changes.append(*outcome->change);
                output.value = Json{{"id", callId},
                                    {"ok", true},
                                    {"outcome", wireName(outcome->kind)},
                                    {"seq", outcome->seq}};
                return output;
            },
            [pending, i, callId, responder](const Result<StoreWriter::Output> &result) {
                if (result) {
                    pending->results[size_t(i)] = result->value;
                } else {
                    const bool missing = result.error().code == u"not_found";
                    pending->results[size_t(i)] =
                        Json{{"id", callId},
                             {"ok", false},
                             {"error",
                              Json{{"code",
                                    missing ? result.error().code
                                            : QStringLiteral("storage_unavailable")},
                                   {"message",
                                    missing ? result.error().message
                                            : QStringLiteral("the change could not be stored")}}}};
                }
                if (--pending->remaining == 0)
                    responder.send(HttpResponse::json(200, Json{{"results", pending->results}}));
            });
    }
}

void RestApi::deleteCall(const Caller &caller, const QString &callId,
                         const HttpResponder &responder)
{
    const QString orgId = caller.orgId;
    const QString userId = caller.user.id;
    m_writer.submit(
        [orgId, callId, userId](Store &store) -> Result<StoreWriter::Output> {
            auto change = cb::deleteCall(store, orgId, callId, userId);
            if (!change)
                return change.error();
            StoreWriter::Output output;
            output.changes.append(*change);
            output.value = Json{{"ok", true}, {"id", callId}, {"seq", change->seq}};
            return output;
        },
        [responder](const Result<StoreWriter::Output> &result) {
            responder.send(result ? HttpResponse::json(200, result->value)
                                  : storeError(result.error()));
        });
}

void RestApi::agents(const Caller &caller, const HttpResponder &responder)
{
    auto agents = m_store.org(caller.orgId).agents();
    if (!agents) {
        responder.send(storeError(agents.error()));
        return;
    }
    Json list = Json::array();
    for (Agent agent : std::as_const(*agents)) {
        agent.webhookUrl = redactedUrl(agent.webhookUrl);
        list.push_back(toJson(agent));
    }
    responder.send(HttpResponse::json(200, Json{{"agents", list}}));
}

void RestApi::metrics(const Caller &caller, const HttpResponder &responder)
{
    auto metrics = m_store.org(caller.orgId).metrics(QDateTime::currentDateTimeUtc());
    responder.send(metrics ? HttpResponse::json(200, toJson(*metrics))
                           : storeError(metrics.error()));
}

void RestApi::diagnostics(const Caller &caller, const HttpResponder &responder)
{
    OrgScope scope = m_store.org(caller.orgId);
    auto d = scope.diagnostics();
    if (!d) {
        responder.send(storeError(d.error()));
        return;
    }
    Json byState = Json::object();
    int synced = 0;
    for (const auto &[state, count] : std::as_const(d->agentsByWebhookState)) {
        byState[wireName(state).toStdString()] = count;
        if (state == WebhookState::Synced)
            synced = count;
    }
    Json lastWebhook = Json::object();
    for (const auto &[provider, at] : std::as_const(d->lastWebhookByProvider))
        lastWebhook[wireName(provider).toStdString()] = timeToJson(at);
    Json unrouted = Json::array();
    for (const UnroutedEvent &e : std::as_const(d->unroutedForOrg))
        unrouted.push_back(Json{{"id", e.id},
                                {"provider", wireName(e.provider)},
                                {"provider_agent_id", e.providerAgentId},
                                {"provider_call_id", e.providerCallId},
                                {"kind", e.kind},
                                {"received_at", timeToJson(e.receivedAt)}});
    const StoreWriter::Stats stats = m_writer.stats();
    Json out = {
        {"org_id", caller.orgId},
        {"agents",
         Json{
             {"total", d->agentsTotal}, {"webhook_synced", synced}, {"by_webhook_state", byState}}},
        {"last_webhook", lastWebhook},
        {"unrouted", Json{{"count", unrouted.size()}, {"events", unrouted}}},
        {"stale_calls", d->staleCalls},
        {"active_calls", d->activeCalls},
        {"polls_running", m_pollsRunning ? Json(m_pollsRunning(caller.orgId)) : Json(nullptr)},
        {"writer",
         Json{{"queued", m_writer.queued()}, {"batches", stats.batches}, {"jobs", stats.jobs}}}};
    if (caller.role == Role::Admin) {
        auto settings = scope.allProviderSettings();
        if (!settings) {
            responder.send(storeError(settings.error()));
            return;
        }
        Json providers = Json::array();
        for (const ProviderSettings &s : std::as_const(*settings))
            providers.push_back(Json{{"provider", wireName(s.provider)},
                                     {"base_url", s.baseUrl},
                                     {"api_key", maskSecret(s.apiKey)},
                                     {"webhook_secret_set", !s.webhookSecret.isEmpty()}});
        out["providers"] = providers;
    }
    responder.send(HttpResponse::json(200, out));
}

} // namespace cb
