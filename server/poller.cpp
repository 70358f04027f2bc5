#include "poller.h"

#include "ingest.h"
#include "logging.h"
#include "restrequests.h"
#include "serverapp.h"
#include "store.h"
#include "storewriter.h"

#include "core/callmerge.h"
#include "core/phonenumber.h"

#include <QUuid>

namespace cb {

namespace {

/// Polls of a call that is terminal but not finalized before the poller leaves it to the
/// reconciler (Bolna's `completed` comes minutes after `call-disconnected`).
constexpr int maxUnfinalizedPolls = 30;

QString pendingProviderId(const QString &callId)
{
    return QStringLiteral("pending:") + callId;
}

HttpResponse badRequest(const QString &code, const QString &message)
{
    return HttpResponse::error(400, code, message);
}

/// Applies an event Callboard itself decided (a start acknowledged or refused) to one
/// call, with its timeline entry; no change when the row already says the same.
Result<std::optional<CallChange>> applyOwnEvent(Store &store, const QString &orgId,
                                                const QString &callId, const NormalizedEvent &event,
                                                const QByteArray &payload, EventSource source)
{
    OrgScope scope = store.org(orgId);
    auto current = scope.call(callId, true);
    if (!current)
        return current.error();
    if (!*current)
        return Result<std::optional<CallChange>>::failure(QStringLiteral("not_found"),
                                                          QStringLiteral("no such call"));
    CallEventRecord record;
    record.callId = callId;
    record.provider = event.provider;
    record.source = source;
    record.dedupKey = event.dedupKey;
    record.kind = event.kind;
    record.status = event.status ? wireName(*event.status) : QString();
    record.rawStatus = event.rawStatus;
    record.receivedAt = QDateTime::currentDateTimeUtc();
    record.payload = payload;
    auto inserted = scope.insertEvent(record, event.providerCallId);
    if (!inserted)
        return inserted.error();
    const CallRecord before = **current;
    CallRecord after = apply(before, event);
    if (!*inserted || after == before)
        return std::optional<CallChange>();
    auto seq = scope.nextSeq();
    if (!seq)
        return seq.error();
    after.call.seq = *seq;
    after.call.updatedAt = QDateTime::currentDateTimeUtc();
    if (auto r = scope.updateCall(after); !r)
        return r.error();
    CallChange change{orgId, *seq, after.call, ChangeKind::Updated};
    change.call.transcript.clear();
    return std::optional<CallChange>(change);
}

Result<std::optional<Call>> loadCall(Store &store, const QString &orgId, const QString &callId)
{
    auto record = store.org(orgId).call(callId, false);
    if (!record)
        return record.error();
    if (!*record)
        return std::optional<Call>();
    return std::optional<Call>((*record)->call);
}

} // namespace

bool isOverdue(const Call &call, const PollerConfig &config, const QDateTime &now)
{
    const auto olderThan = [&now](const QDateTime &since, qint64 ms) {
        return since.isValid() && since.msecsTo(now) > ms;
    };
    if (isTerminal(call.status)) {
        if (call.finalized)
            return false;
        const QDateTime since = call.endedAt.isValid() ? call.endedAt : call.updatedAt;
        return olderThan(since, config.unfinalizedTimeoutMs);
    }
    if (call.status == CallStatus::InProgress) {
        const QDateTime since = call.answeredAt.isValid() ? call.answeredAt
            : call.startedAt.isValid()                    ? call.startedAt
                                                          : call.createdAt;
        return olderThan(since, qint64(config.maxCallDurationS) * 1000 + config.inProgressGraceMs);
    }
    const QDateTime since = call.createdAt.isValid() ? call.createdAt : call.updatedAt;
    return olderThan(since, config.dialTimeoutMs);
}

Poller::Poller(ServerApp &app, PollerConfig config, QObject *parent)
    : QObject(parent), m_app(app), m_config(std::move(config))
{
    m_clock.start();
    m_timer.setInterval(std::clamp(m_config.pollIntervalMs / 10, 5, 1000));
    connect(&m_timer, &QTimer::timeout, this, &Poller::tick);
}

Poller::~Poller() = default;

void Poller::setBaseUrlOverride(Provider provider, const QUrl &url)
{
    m_config.baseUrlOverrides.insert(provider, url);
    m_clients.clear();
}

Result<ProviderClient *> Poller::client(const QString &orgId, Provider provider)
{
    auto settings = m_app.store().org(orgId).providerSettings(provider);
    if (!settings)
        return settings.error();
    if (!*settings || (*settings)->apiKey.isEmpty())
        return Result<ProviderClient *>::failure(
            QStringLiteral("provider_not_configured"),
            QStringLiteral("no %1 API key is configured for this organization")
                .arg(wireName(provider)));
    const QUrl override = m_config.baseUrlOverrides.value(provider);
    const QString baseUrl =
        override.isValid() && !override.isEmpty() ? override.toString() : (*settings)->baseUrl;
    const QString key = orgId + u'/' + wireName(provider);
    CachedClient &cached = m_clients[key];
    if (!cached.client || cached.baseUrl != baseUrl || cached.apiKey != (*settings)->apiKey) {
        ProviderClientConfig config;
        config.provider = provider;
        config.baseUrl = QUrl(baseUrl);
        config.apiKey = (*settings)->apiKey;
        config.timeoutMs = m_config.providerTimeoutMs;
        config.maxAttempts = m_config.providerAttempts;
        config.backoffMs = m_config.providerBackoffMs;
        cached.client = makeProviderClient(config, nullptr);
        cached.baseUrl = baseUrl;
        cached.apiKey = (*settings)->apiKey;
    }
    return cached.client.get();
}

void Poller::registerRoutes()
{
    const QString org = QStringLiteral("/api/orgs/{org}");
    RestApi &rest = m_app.restApi();
    m_app.router().add(
        "POST", org + QStringLiteral("/calls"),
        rest.orgRoute(Role::Staff,
                      [this](const RestApi::Caller &caller, const HttpRequest &request,
                             const RouteParams &, HttpResponder responder) {
                          startRoute(caller, request, std::move(responder));
                      }));
    m_app.router().add("POST", org + QStringLiteral("/calls/{id}/refresh"),
                       rest.orgRoute(Role::Staff,
                                     [this](const RestApi::Caller &caller, const HttpRequest &,
                                            const RouteParams &params, HttpResponder responder) {
                                         refreshRoute(caller, params.value(QStringLiteral("id")),
                                                      std::move(responder));
                                     }));
    rest.setPollsRunning([this](const QString &orgId) { return pollsRunning(orgId); });
}

void Poller::startRoute(const RestApi::Caller &caller, const HttpRequest &request,
                        HttpResponder responder)
{
    auto body = rest::readStartCall(request.body);
    if (!body) {
        responder.send(badRequest(body.error().code, body.error().message));
        return;
    }
    StartRequest start;
    start.orgId = caller.orgId;
    start.userId = caller.user.id;
    start.agentId = body->agentId;
    start.toNumber = body->toNumber;
    start.isTest = body->isTest;
    startCall(start, [responder](Result<Call> call, std::optional<Error> providerError) {
        if (!call) {
            const Error &e = call.error();
            int status = 503;
            if (e.code == u"invalid_number" || e.code == u"invalid_body")
                status = 400;
            else if (e.code == u"agent_not_found")
                status = 404;
            else if (e.code == u"agent_not_synced" || e.code == u"provider_not_configured")
                status = 409;
            responder.send(HttpResponse::error(status, e.code, e.message));
            return;
        }
        Json out = {{"call", toJson(*call)}};
        if (providerError)
            out["provider_error"] = {{"code", providerError->code},
                                     {"message", providerError->message}};
        responder.send(HttpResponse::json(201, out));
    });
}

void Poller::startCall(const StartRequest &request,
                       std::function<void(Result<Call>, std::optional<Error>)> done)
{
    const auto fail = [&done](const QString &code, const QString &message) {
        done(Error{code, message}, std::nullopt);
    };
    if (request.agentId.isEmpty() || request.agentId.size() > 200)
        return fail(QStringLiteral("invalid_body"), QStringLiteral("agent_id is required"));
    const QString number = normalizePhoneNumber(request.toNumber);
    if (!isE164(number))
        return fail(QStringLiteral("invalid_number"),
                    QStringLiteral("to_number must be an E.164 number: '+' and 7 to 15 digits"));
    auto agent = m_app.store().org(request.orgId).agent(request.agentId);
    if (!agent)
        return fail(agent.error().code, agent.error().message);
    if (!*agent)
        return fail(QStringLiteral("agent_not_found"),
                    QStringLiteral("no such agent in this organization"));
    const Agent a = **agent;
    if (a.webhookState != WebhookState::Synced)
        return fail(QStringLiteral("agent_not_synced"),
                    QStringLiteral("agent '%1' is not synced (webhook %2); sync it first")
                        .arg(a.name, wireName(a.webhookState)));
    auto client = this->client(request.orgId, a.provider);
    if (!client)
        return fail(client.error().code, client.error().message);

    Call call;
    call.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    call.orgId = request.orgId;
    call.provider = a.provider;
    call.providerCallId = pendingProviderId(call.id);
    call.agentId = a.id;
    call.providerAgentId = a.providerAgentId;
    call.direction = Direction::Outbound;
    call.toNumber = number;
    call.fromNumber = a.fromNumber;
    call.status = CallStatus::Queued;
    call.rawStatus = QStringLiteral("queued");
    call.isTest = request.isTest;
    call.createdAt = QDateTime::currentDateTimeUtc();
    call.updatedAt = call.createdAt;

    const QString userId = request.userId;
    m_app.writer().submit(
        [call, userId](Store &store) -> Result<StoreWriter::Output> {
            OrgScope scope = store.org(call.orgId);
            CallRecord record;
            record.call = call;
            auto name = scope.contactName(call.toNumber);
            if (!name)
                return name.error();
            record.call.callerName = *name;
            auto seq = scope.nextSeq();
            if (!seq)
                return seq.error();
            record.call.seq = *seq;
            if (auto r = scope.insertCall(record, call.createdAt); !r)
                return r.error();
            if (!userId.isEmpty()) {
                if (auto r = scope.audit(userId, QStringLiteral("call.start"), call.id,
                                         wireName(call.provider) + u' ' + call.toNumber);
                    !r)
                    return r.error();
            }
            StoreWriter::Output out;
            out.changes.append(CallChange{call.orgId, *seq, record.call, ChangeKind::Created});
            return out;
        },
        [this, call, client = QPointer<ProviderClient>(*client),
         done](const Result<StoreWriter::Output> &created) {
            if (!created) {
                done(created.error(), std::nullopt);
                return;
            }
            if (!client) {
                done(Error{QStringLiteral("provider_not_configured"),
                           QStringLiteral("provider settings changed")},
                     std::nullopt);
                return;
            }
            OutboundCallRequest outbound;
            outbound.providerAgentId = call.providerAgentId;
            outbound.toNumber = call.toNumber;
            outbound.fromNumber = call.fromNumber;
            outbound.callId = call.id;
            outbound.orgId = call.orgId;
            outbound.isTest = call.isTest;
            client->startCall(outbound, [this, call, done](Result<StartedCall> started) {
                std::optional<Error> providerError;
                if (!started)
                    providerError = started.error();
                m_app.writer().submit(
                    [call, started](Store &store) -> Result<StoreWriter::Output> {
                        StoreWriter::Output out;
                        OrgScope scope = store.org(call.orgId);
                        NormalizedEvent event;
                        event.provider = call.provider;
                        if (!started) {
                            event.providerCallId = call.providerCallId;
                            event.dedupKey = QStringLiteral("callboard:start-failed:") + call.id;
                            event.kind = QStringLiteral("start_failed");
                            event.status = CallStatus::Failed;
                            event.precedence = precedenceOf(CallStatus::Failed, Phase::FinalReport);
                            event.finalReport = true;
                            event.finalizes =
                                true; // no provider call exists: nothing more will come
                            event.rawStatus = started.error().code;
                            event.endReason = started.error().message;
                            const Json payload = {{"error",
                                                   {{"code", started.error().code},
                                                    {"message", started.error().message}}}};
                            auto change = applyOwnEvent(store, call.orgId, call.id, event,
                                                        toBytes(payload), EventSource::Operator);
                            if (!change)
                                return change.error();
                            if (*change)
                                out.changes.append(**change);
                            out.value = {{"call_id", call.id}};
                            return out;
                        }
                        const QString providerCallId = started->providerCallId;
                        auto existing = scope.callByProviderId(call.provider, providerCallId);
                        if (!existing)
                            return existing.error();
                        if (*existing) {
                            // A webhook outran the provider's answer and made its own row:
                            // keep that one, carry the test flag over, drop the placeholder.
                            CallRecord kept = **existing;
                            auto seq = scope.nextSeq();
                            if (!seq)
                                return seq.error();
                            auto deleted = scope.deleteCall(call.id, *seq);
                            if (!deleted)
                                return deleted.error();
                            Call gone;
                            gone.id = call.id;
                            gone.orgId = call.orgId;
                            out.changes.append(
                                CallChange{call.orgId, *seq, gone, ChangeKind::Deleted});
                            if (call.isTest && !kept.call.isTest) {
                                auto next = scope.nextSeq();
                                if (!next)
                                    return next.error();
                                kept.call.isTest = true;
                                kept.call.seq = *next;
                                if (auto r = scope.updateCall(kept); !r)
                                    return r.error();
                                Call pushed = kept.call;
                                pushed.transcript.clear();
                                out.changes.append(
                                    CallChange{call.orgId, *next, pushed, ChangeKind::Updated});
                            }
                            out.value = {{"call_id", kept.call.id}};
                            return out;
                        }
                        auto renamed =
                            store.run(QStringLiteral("UPDATE calls SET provider_call_id = ? "
                                                     "WHERE org_id = ? AND id = ?"),
                                      {providerCallId, call.orgId, call.id});
                        if (!renamed)
                            return renamed.error();
                        (*renamed)->finish();
                        const bool registered = started->rawStatus == u"registered";
                        event.providerCallId = providerCallId;
                        event.dedupKey = wireName(call.provider) + u':' + providerCallId +
                            QStringLiteral(":start");
                        event.kind = QStringLiteral("start");
                        event.status = registered ? CallStatus::Initiated : CallStatus::Queued;
                        event.precedence = precedenceOf(*event.status);
                        event.rawStatus = started->rawStatus;
                        auto change = applyOwnEvent(store, call.orgId, call.id, event,
                                                    toBytes(started->response), EventSource::Poll);
                        if (!change)
                            return change.error();
                        if (*change) {
                            (*change)->call.providerCallId = providerCallId;
                            out.changes.append(**change);
                        }
                        out.value = {{"call_id", call.id}};
                        return out;
                    },
                    [this, call, providerError, done](const Result<StoreWriter::Output> &recorded) {
                        if (!recorded) {
                            done(recorded.error(), providerError);
                            return;
                        }
                        const QString callId = QString::fromStdString(
                            recorded->value.value("call_id", call.id.toStdString()));
                        auto stored = loadCall(m_app.store(), call.orgId, callId);
                        if (!stored || !*stored) {
                            done(stored ? Error{QStringLiteral("not_found"),
                                                QStringLiteral("the call vanished")}
                                        : stored.error(),
                                 providerError);
                            return;
                        }
                        if (!providerError)
                            watch(**stored);
                        done(**stored, providerError);
                    });
            });
        });
}

void Poller::refreshRoute(const RestApi::Caller &caller, const QString &callId,
                          HttpResponder responder)
{
    pollNow(caller.orgId, callId, [responder](Result<Call> call) {
        if (!call) {
            const Error &e = call.error();
            int status = 502;
            if (e.code == u"not_found")
                status = 404;
            else if (e.code == u"not_started" || e.code == u"provider_not_configured")
                status = 409;
            else if (e.code == u"db_error")
                status = 503;
            responder.send(HttpResponse::error(status, e.code, e.message));
            return;
        }
        responder.send(HttpResponse::json(200, Json{{"call", toJson(*call)}}));
    });
}

void Poller::pollNow(const QString &orgId, const QString &callId,
                     std::function<void(Result<Call>)> done)
{
    auto stored = loadCall(m_app.store(), orgId, callId);
    if (!stored)
        return done(stored.error());
    if (!*stored)
        return done(Error{QStringLiteral("not_found"), QStringLiteral("no such call")});
    const Call call = **stored;
    if (call.providerCallId.startsWith(u"pending:"))
        return done(Error{QStringLiteral("not_started"),
                          QStringLiteral("the provider has not accepted this call")});
    auto client = this->client(orgId, call.provider);
    if (!client)
        return done(client.error());
    client.value()->getCall(
        call.providerCallId, [this, orgId, callId, done](Result<PolledCall> polled) {
            if (!polled)
                return done(polled.error());
            record(orgId, *polled, [this, orgId, callId, done](Result<void> recorded) {
                if (!recorded)
                    return done(recorded.error());
                auto after = loadCall(m_app.store(), orgId, callId);
                if (!after)
                    return done(after.error());
                if (!*after)
                    return done(Error{QStringLiteral("not_found"), QStringLiteral("no such call")});
                done(**after);
            });
        });
}

void Poller::record(const QString &orgId, const PolledCall &polled,
                    std::function<void(Result<void>)> done)
{
    IngestItem item;
    item.event = polled.event;
    item.payload = toBytes(polled.raw);
    item.source = EventSource::Poll;
    item.requiredOrgId = orgId;
    item.receivedAt = QDateTime::currentDateTimeUtc();
    m_app.writer().submit(
        [item](Store &store) -> Result<StoreWriter::Output> {
            auto outcome = ingest(store, item);
            if (!outcome)
                return outcome.error();
            StoreWriter::Output out;
            if (outcome->change)
                out.changes.append(*outcome->change);
            out.value = {{"outcome", wireName(outcome->kind)}};
            return out;
        },
        [done](const Result<StoreWriter::Output> &result) {
            if (!result)
                done(result.error());
            else
                done(Result<void>());
        });
}

void Poller::watch(const Call &call)
{
    Watch w;
    w.orgId = call.orgId;
    w.callId = call.id;
    w.since.start();
    w.dueMs = m_clock.elapsed() + m_config.pollIntervalMs;
    m_watches.insert(call.id, w);
    if (!m_timer.isActive())
        m_timer.start();
}

int Poller::pollsRunning(const QString &orgId) const
{
    int count = 0;
    for (const Watch &w : m_watches) {
        if (w.orgId == orgId)
            ++count;
    }
    return count;
}

void Poller::tick()
{
    const qint64 now = m_clock.elapsed();
    QStringList due;
    for (auto it = m_watches.begin(); it != m_watches.end(); ++it) {
        if (!it->inFlight && it->dueMs <= now)
            due << it.key();
    }
    for (const QString &callId : std::as_const(due))
        pollWatched(callId);
    if (m_watches.isEmpty())
        m_timer.stop();
}

void Poller::pollWatched(const QString &callId)
{
    auto it = m_watches.find(callId);
    if (it == m_watches.end())
        return;
    if (it->since.elapsed() > m_config.pollWindowMs) {
        m_watches.erase(it);
        return;
    }
    const QString orgId = it->orgId;
    auto stored = loadCall(m_app.store(), orgId, callId);
    if (!stored || !*stored || (*stored)->finalized) {
        m_watches.erase(it);
        return;
    }
    const Call call = **stored;
    auto client = this->client(orgId, call.provider);
    if (!client) {
        m_watches.erase(it);
        return;
    }
    it->inFlight = true;
    client.value()->getCall(call.providerCallId, [this, orgId, callId](Result<PolledCall> polled) {
        auto w = m_watches.find(callId);
        if (w == m_watches.end())
            return;
        const auto finish = [this, callId](bool keep) {
            auto w2 = m_watches.find(callId);
            if (w2 == m_watches.end())
                return;
            if (!keep) {
                m_watches.erase(w2);
                return;
            }
            w2->inFlight = false;
            w2->dueMs = m_clock.elapsed() + m_config.pollIntervalMs;
        };
        if (!polled) {
            qCDebug(lcPoller).noquote()
                << "poll of" << callId << "failed:" << polled.error().message;
            finish(polled.error().code != u"provider_rejected");
            return;
        }
        const bool terminal = polled->event.status && isTerminal(*polled->event.status);
        const bool finalizes = polled->event.finalizes;
        if (terminal)
            ++w->terminalPolls;
        const bool keep = !finalizes && w->terminalPolls < maxUnfinalizedPolls;
        if (polled->event.dedupKey == w->lastDedupKey) {
            finish(keep); // nothing new since the last poll
            return;
        }
        w->lastDedupKey = polled->event.dedupKey;
        record(orgId, *polled, [finish, keep](Result<void> recorded) {
            if (!recorded)
                qCWarning(lcPoller).noquote()
                    << "poll answer not recorded:" << recorded.error().message;
            finish(keep);
        });
    });
}

} // namespace cb
