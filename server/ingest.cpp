#include "ingest.h"

#include "logging.h"
#include "store.h"

#include "core/callmerge.h"
#include "core/providermapper.h"
#include "core/safejson.h"

#include <QUuid>

namespace cb {

QString wireName(IngestOutcome::Kind kind)
{
    switch (kind) {
    case IngestOutcome::Kind::Applied:
        return QStringLiteral("applied");
    case IngestOutcome::Kind::Unchanged:
        return QStringLiteral("unchanged");
    case IngestOutcome::Kind::Duplicate:
        return QStringLiteral("duplicate");
    case IngestOutcome::Kind::Unrouted:
        return QStringLiteral("unrouted");
    }
    return {};
}

namespace {

struct Route
{
    QString orgId;
    QString agentId;
};

Result<std::optional<Route>> resolveOrg(Store &store, const IngestItem &item)
{
    const NormalizedEvent &event = item.event;
    auto agent = store.agentRoute(event.provider, event.providerAgentId);
    if (!agent)
        return agent.error();
    if (*agent)
        return std::optional<Route>(Route{(*agent)->orgId, (*agent)->agentId});
    if (!event.orgIdHint.isEmpty()) {
        auto org = store.orgById(event.orgIdHint);
        if (!org)
            return org.error();
        if (*org)
            return std::optional<Route>(Route{(*org)->id, {}});
    }
    if (!item.requiredOrgId.isEmpty())
        return std::optional<Route>(Route{item.requiredOrgId, {}});
    return std::optional<Route>();
}

Result<IngestOutcome> applyRouted(Store &store, const IngestItem &item, const Route &route)
{
    const NormalizedEvent &event = item.event;
    OrgScope scope = store.org(route.orgId);
    auto existing = scope.callByProviderId(event.provider, event.providerCallId);
    if (!existing)
        return existing.error();

    CallRecord before;
    if (*existing) {
        before = **existing;
    } else {
        before.call.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        before.call.orgId = route.orgId;
        before.call.provider = event.provider;
        before.call.providerCallId = event.providerCallId;
    }

    IngestOutcome outcome;
    outcome.orgId = route.orgId;
    outcome.callId = before.call.id;

    CallEventRecord record;
    record.callId = before.call.id;
    record.provider = event.provider;
    record.source = item.source;
    record.dedupKey = event.dedupKey;
    record.kind = event.kind;
    record.status = event.status ? wireName(*event.status) : QString();
    record.rawStatus = event.rawStatus;
    record.receivedAt =
        item.receivedAt.isValid() ? item.receivedAt : QDateTime::currentDateTimeUtc();
    record.payload = item.payload;
    auto inserted = scope.insertEvent(record, event.providerCallId);
    if (!inserted)
        return inserted.error();
    if (!*inserted) {
        outcome.kind = IngestOutcome::Kind::Duplicate;
        outcome.seq = before.call.seq;
        return outcome;
    }

    CallRecord after = apply(before, event);
    Call &call = after.call;
    if (call.agentId.isEmpty() && !route.agentId.isEmpty())
        call.agentId = route.agentId;
    if (call.direction == Direction::Web)
        call.isTest = true;
    const QString number = call.customerNumber();
    if (number != before.call.customerNumber() || (!*existing && !number.isEmpty())) {
        auto name = scope.contactName(number);
        if (!name)
            return name.error();
        if (!name->isEmpty())
            call.callerName = *name;
    }

    if (*existing && before == after) {
        outcome.kind = IngestOutcome::Kind::Unchanged;
        outcome.seq = before.call.seq;
        return outcome;
    }

    auto seq = scope.nextSeq();
    if (!seq)
        return seq.error();
    call.seq = *seq;
    call.stale = false;
    call.updatedAt = QDateTime::currentDateTimeUtc();
    if (*existing) {
        if (auto r = scope.updateCall(after); !r)
            return r.error();
    } else {
        const QDateTime sortAt = call.createdAt.isValid() ? call.createdAt : record.receivedAt;
        if (auto r = scope.insertCall(after, sortAt); !r)
            return r.error();
    }
    outcome.kind = IngestOutcome::Kind::Applied;
    outcome.seq = *seq;
    CallChange change{route.orgId, *seq, call,
                      *existing ? ChangeKind::Updated : ChangeKind::Created};
    change.call.transcript.clear();
    outcome.change = change;
    return outcome;
}

} // namespace

Result<IngestOutcome> ingest(Store &store, const IngestItem &item)
{
    if (item.event.providerCallId.isEmpty() || item.event.dedupKey.isEmpty())
        return Result<IngestOutcome>::failure(QStringLiteral("invalid_payload"),
                                              QStringLiteral("the event names no call"));
    auto route = resolveOrg(store, item);
    if (!route)
        return route.error();
    if (!*route) {
        UnroutedEvent unrouted;
        unrouted.provider = item.event.provider;
        unrouted.providerAgentId = item.event.providerAgentId;
        unrouted.providerCallId = item.event.providerCallId;
        unrouted.orgHint = item.event.orgIdHint;
        unrouted.dedupKey = item.event.dedupKey;
        unrouted.kind = item.event.kind;
        unrouted.receivedAt =
            item.receivedAt.isValid() ? item.receivedAt : QDateTime::currentDateTimeUtc();
        unrouted.payload = item.payload;
        auto inserted = store.insertUnrouted(unrouted);
        if (!inserted)
            return inserted.error();
        IngestOutcome outcome;
        outcome.kind = *inserted ? IngestOutcome::Kind::Unrouted : IngestOutcome::Kind::Duplicate;
        return outcome;
    }
    if (!item.requiredOrgId.isEmpty() && (*route)->orgId != item.requiredOrgId)
        return Result<IngestOutcome>::failure(
            QStringLiteral("forbidden"),
            QStringLiteral("the event belongs to another organization"));
    return applyRouted(store, item, **route);
}

Result<QList<CallChange>> replayUnrouted(Store &store, int limit)
{
    auto pending = store.routableUnrouted(limit);
    if (!pending)
        return pending.error();
    QList<CallChange> changes;
    for (const UnroutedEvent &unrouted : std::as_const(*pending)) {
        const QString savepoint = QStringLiteral("replay");
        if (auto r = store.savepoint(savepoint); !r)
            return r.error();
        auto body = parseJsonSafely(unrouted.payload);
        auto event =
            body ? mapWebhook(unrouted.provider, *body) : Result<NormalizedEvent>(body.error());
        Result<IngestOutcome> outcome = event
            ? ingest(store,
                     IngestItem{
                         *event, unrouted.payload, EventSource::Webhook, {}, unrouted.receivedAt})
            : Result<IngestOutcome>(event.error());
        if (outcome && outcome->kind == IngestOutcome::Kind::Duplicate &&
            outcome->orgId.isEmpty()) {
            // Still no org (the hint named an org that went away): leave it.
            store.rollbackToSavepoint(savepoint);
            continue;
        }
        if (!outcome && outcome.error().code == u"db_error") {
            store.rollbackToSavepoint(savepoint);
            return outcome.error();
        }
        if (!outcome)
            qCWarning(lcIntake) << "dropping unrouted event" << unrouted.id
                                << "that no longer maps:" << outcome.error().message;
        else if (outcome->change)
            changes.append(*outcome->change);
        if (auto r = store.deleteUnrouted(unrouted.id); !r) {
            store.rollbackToSavepoint(savepoint);
            return r.error();
        }
        if (auto r = store.releaseSavepoint(savepoint); !r)
            return r.error();
    }
    return changes;
}

namespace {

/// The call @p callId of the scope's org, or not_found.
Result<CallRecord> existingCall(OrgScope &scope, const QString &callId)
{
    auto call = scope.call(callId, false);
    if (!call)
        return call.error();
    if (!*call)
        return Result<CallRecord>::failure(QStringLiteral("not_found"),
                                           QStringLiteral("no such call"));
    return **call;
}

} // namespace

Result<IngestOutcome> markFailed(Store &store, const QString &orgId, const QString &callId,
                                 const QString &userId)
{
    OrgScope scope = store.org(orgId);
    auto call = existingCall(scope, callId);
    if (!call)
        return call.error();
    NormalizedEvent event;
    event.provider = call->call.provider;
    event.providerCallId = call->call.providerCallId;
    event.dedupKey = QStringLiteral("operator:mark_failed");
    event.kind = QStringLiteral("operator_marked_failed");
    event.status = CallStatus::Failed;
    event.precedence = precedenceOf(CallStatus::Failed, Phase::Operator);
    event.endReason = QStringLiteral("operator_marked_failed");
    const Json payload = {{"action", "mark_failed"}, {"user_id", userId}};
    auto outcome = ingest(store,
                          IngestItem{event, toBytes(payload), EventSource::Operator, orgId,
                                     QDateTime::currentDateTimeUtc()});
    if (!outcome)
        return outcome;
    if (auto r = scope.audit(userId, QStringLiteral("call.mark_failed"), callId,
                             wireName(outcome->kind));
        !r)
        return r.error();
    return outcome;
}

Result<CallChange> deleteCall(Store &store, const QString &orgId, const QString &callId,
                              const QString &userId)
{
    OrgScope scope = store.org(orgId);
    auto call = existingCall(scope, callId);
    if (!call)
        return call.error();
    auto seq = scope.nextSeq();
    if (!seq)
        return seq.error();
    auto deleted = scope.deleteCall(callId, *seq);
    if (!deleted)
        return deleted.error();
    const QString detail = wireName(call->call.provider) + u':' + call->call.providerCallId;
    if (auto r = scope.audit(userId, QStringLiteral("call.delete"), callId, detail); !r)
        return r.error();
    CallChange change;
    change.orgId = orgId;
    change.seq = *seq;
    change.call.id = callId;
    change.call.orgId = orgId;
    change.kind = ChangeKind::Deleted;
    return change;
}

} // namespace cb
