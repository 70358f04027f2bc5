#include "reconciler.h"

#include "logging.h"
#include "poller.h"
#include "serverapp.h"
#include "store.h"
#include "storewriter.h"

#include <memory>

namespace cb {

namespace {

constexpr int scanLimit = 2000;

/// Ended calls whose final report has not come, oldest first.
Result<QList<Call>> unfinalizedCalls(Store &store, const QString &orgId,
                                     const QDateTime &endedBefore)
{
    auto q = store.run(
        QStringLiteral("SELECT id FROM calls WHERE org_id = ? AND finalized = 0 AND status IN "
                       "('completed', 'busy', 'no_answer', 'failed', 'canceled') AND stale = 0 "
                       "AND COALESCE(ended_at, updated_at) < ? ORDER BY sort_at LIMIT ?"),
        {orgId, endedBefore.toMSecsSinceEpoch(), scanLimit});
    if (!q)
        return q.error();
    QStringList ids;
    while ((*q)->next())
        ids << (*q)->value(0).toString();
    (*q)->finish();
    QList<Call> calls;
    OrgScope scope = store.org(orgId);
    for (const QString &id : std::as_const(ids)) {
        auto record = scope.call(id, false);
        if (!record)
            return record.error();
        if (*record)
            calls << (*record)->call;
    }
    return calls;
}

} // namespace

Reconciler::Reconciler(ServerApp &app, Poller &poller, const PollerConfig &config, QObject *parent)
    : QObject(parent), m_app(app), m_poller(poller), m_config(config)
{
    m_timer.setInterval(m_config.reconcileIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, [this] { runOnce(); });
}

void Reconciler::start()
{
    m_timer.start();
}

void Reconciler::runOnce(std::function<void()> done)
{
    if (m_scanning) {
        if (done)
            done();
        return;
    }
    m_scanning = true;
    ++m_stats.scans;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    auto orgs = m_app.store().listOrgs();
    if (!orgs) {
        qCWarning(lcPoller).noquote() << "reconciler cannot list orgs:" << orgs.error().message;
        m_scanning = false;
        if (done)
            done();
        return;
    }
    // Counts outstanding polls; the last one to finish ends the scan.
    auto pending = std::make_shared<int>(1);
    auto finishOne = [this, pending, done]() {
        if (--*pending > 0)
            return;
        m_scanning = false;
        if (done)
            done();
    };
    for (const Org &org : std::as_const(*orgs)) {
        QList<Call> candidates;
        auto active = m_app.store().org(org.id).activeCalls(scanLimit);
        if (active)
            candidates = *active;
        auto unfinalized = unfinalizedCalls(m_app.store(), org.id,
                                            now.addMSecs(-qint64(m_config.unfinalizedTimeoutMs)));
        if (unfinalized)
            candidates += *unfinalized;
        for (const Call &call : std::as_const(candidates)) {
            if (!isOverdue(call, m_config, now) || m_inFlight.contains(call.id))
                continue;
            m_inFlight.insert(call.id);
            ++*pending;
            ++m_stats.polled;
            const QString orgId = org.id;
            const QString callId = call.id;
            m_poller.pollNow(orgId, callId, [this, orgId, callId, finishOne](Result<Call> after) {
                const auto release = [this, callId, finishOne] {
                    m_inFlight.remove(callId);
                    finishOne();
                };
                if (!after) {
                    if (after.error().code == u"not_found")
                        return release();
                    markStale(orgId, callId, after.error().message, release);
                    return;
                }
                if (!after->stale && isOverdue(*after, m_config, QDateTime::currentDateTimeUtc())) {
                    markStale(orgId, callId,
                              QStringLiteral("the provider still reports %1").arg(after->rawStatus),
                              release);
                    return;
                }
                release();
            });
        }
    }
    finishOne();
}

void Reconciler::markStale(const QString &orgId, const QString &callId, const QString &reason,
                           std::function<void()> done)
{
    m_app.writer().submit(
        [orgId, callId, reason](Store &store) -> Result<StoreWriter::Output> {
            StoreWriter::Output out;
            OrgScope scope = store.org(orgId);
            auto record = scope.call(callId, false);
            if (!record)
                return record.error();
            if (!*record || (*record)->call.stale)
                return out;
            auto seq = scope.nextSeq();
            if (!seq)
                return seq.error();
            if (auto r = scope.setStale(callId, true, *seq); !r)
                return r.error();
            Call call = (*record)->call;
            CallEventRecord event;
            event.callId = callId;
            event.provider = call.provider;
            event.source = EventSource::Operator;
            event.dedupKey = QStringLiteral("callboard:stale:%1:%2").arg(callId).arg(*seq);
            event.kind = QStringLiteral("marked_stale");
            event.status = wireName(call.status);
            event.rawStatus = call.rawStatus;
            event.receivedAt = QDateTime::currentDateTimeUtc();
            event.payload = toBytes(Json{{"reason", reason}});
            if (auto r = scope.insertEvent(event, call.providerCallId); !r)
                return r.error();
            call.stale = true;
            call.seq = *seq;
            call.updatedAt = event.receivedAt;
            out.changes.append(CallChange{orgId, *seq, call, ChangeKind::Updated});
            return out;
        },
        [this, callId, done](const Result<StoreWriter::Output> &result) {
            if (!result)
                qCWarning(lcPoller).noquote()
                    << "cannot mark" << callId << "stale:" << result.error().message;
            else if (!result->changes.isEmpty())
                ++m_stats.markedStale;
            done();
        });
}

} // namespace cb
