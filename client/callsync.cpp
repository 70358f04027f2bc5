#include "callsync.h"

#include "apiclient.h"
#include "localcache.h"
#include "logging.h"

#include <QTimer>

#include <limits>

namespace cb {

namespace {

constexpr int retryDelayMs = 3000;
constexpr qsizetype maxHeldEvents = 200000;

} // namespace

CallSync::CallSync(ApiClient *api, Clock clock, QObject *parent)
    : QObject(parent), m_api(api), m_clock(std::move(clock))
{
    qRegisterMetaType<SyncStats>();
}

CallSync::~CallSync()
{
    if (m_job)
        m_job->abort();
}

void CallSync::setOrg(const QString &orgId, LocalCache *cache)
{
    ++m_generation;
    if (m_job) {
        ApiJobBase *job = m_job;
        m_job = nullptr;
        job->abort();
    }
    if (m_cacheConnection)
        disconnect(m_cacheConnection);
    m_orgId = orgId;
    m_cache = cache;
    m_calls.clear();
    m_tombstones.clear();
    m_lastSeq = 0;
    m_seenAhead.clear();
    m_highestSeen = 0;
    m_gapSeq = 0;
    m_openGaps = 0;
    m_held.clear();
    m_resyncQueued = false;
    m_fullPending = false;
    m_snapshot.clear();
    m_stats = {};
    Q_EMIT callsReset({});
    Q_EMIT statsChanged(m_stats);
    loadCache();
}

LocalCache *CallSync::openCache() const
{
    LocalCache *cache = m_cache.data();
    return cache && cache->isOpen() ? cache : nullptr;
}

void CallSync::loadCache()
{
    LocalCache *cache = openCache();
    if (!cache)
        return;
    m_loadingCache = true;
    const quint64 generation = m_generation;
    m_cacheConnection = connect(cache, &LocalCache::loaded, this,
                                [this, generation](const CacheContents &contents) {
                                    disconnect(m_cacheConnection);
                                    if (generation == m_generation)
                                        onCacheLoaded(contents.calls, contents.lastSeq);
                                });
    cache->load();
}

void CallSync::onCacheLoaded(const QList<Call> &calls, qint64 lastSeq)
{
    m_loadingCache = false;
    // Live events or a resync may have arrived first; the cache only fills what is unknown.
    if (m_calls.isEmpty() && m_lastSeq == 0) {
        for (const Call &call : calls)
            m_calls.insert(call.id, call);
        m_lastSeq = lastSeq;
        m_highestSeen = std::max(m_highestSeen, lastSeq);
        qCInfo(lcSync) << "showing" << calls.size() << "cached calls up to seq" << lastSeq;
        Q_EMIT callsReset(calls);
        Q_EMIT lastSeqChanged(m_lastSeq);
    }
    if (m_resyncQueued) {
        m_resyncQueued = false;
        resync();
    }
}

void CallSync::onJoined(const QString &orgId, qint64 serverLastSeq)
{
    if (orgId != m_orgId)
        return;
    if (serverLastSeq < m_lastSeq) {
        qCInfo(lcSync) << "server seq" << serverLastSeq << "is behind ours" << m_lastSeq
                       << "; full resync";
        fullResync();
        return;
    }
    resync();
}

void CallSync::onDisconnected()
{
    // Nothing to undo: the next join resyncs from the watermark.
}

void CallSync::onCallUpserted(const QString &orgId, qint64 seq, const Call &call)
{
    if (orgId != m_orgId || call.id.isEmpty())
        return;
    m_stats.lastEventAt = now();
    Held event{seq, call, {}};
    if (event.call.seq == 0)
        event.call.seq = seq;
    if (m_job || m_loadingCache) {
        if (m_held.size() < maxHeldEvents)
            m_held.append(std::move(event));
        return;
    }
    process(event);
}

void CallSync::onCallDeleted(const QString &orgId, qint64 seq, const QString &callId)
{
    if (orgId != m_orgId || callId.isEmpty())
        return;
    m_stats.lastEventAt = now();
    Held event{seq, {}, callId};
    if (m_job || m_loadingCache) {
        if (m_held.size() < maxHeldEvents)
            m_held.append(std::move(event));
        return;
    }
    process(event);
}

bool CallSync::upsert(const Call &call, qint64 seq, QList<Call> &changed)
{
    const auto tomb = m_tombstones.constFind(call.id);
    if (tomb != m_tombstones.constEnd() && *tomb >= seq)
        return false;
    auto it = m_calls.find(call.id);
    if (it != m_calls.end() && it->seq >= seq)
        return false;
    Call stored = call;
    stored.seq = seq;
    if (it != m_calls.end()) {
        // Transcripts are fetched per call, never pushed: keep one we already have.
        if (stored.transcript.isEmpty())
            stored.transcript = it->transcript;
        *it = stored;
    } else {
        m_calls.insert(stored.id, stored);
    }
    changed.append(std::move(stored));
    return true;
}

bool CallSync::remove(const QString &id, qint64 seq, QStringList &removed)
{
    auto it = m_calls.find(id);
    m_tombstones.insert(id, std::max(seq, m_tombstones.value(id)));
    if (it == m_calls.end() || it->seq > seq)
        return false;
    m_calls.erase(it);
    removed.append(id);
    return true;
}

void CallSync::advanceWatermark(qint64 seq)
{
    if (seq <= m_lastSeq)
        return;
    m_lastSeq = seq;
    while (m_seenAhead.remove(m_lastSeq + 1))
        ++m_lastSeq;
    for (auto it = m_seenAhead.begin(); it != m_seenAhead.end();) {
        if (*it <= m_lastSeq)
            it = m_seenAhead.erase(it);
        else
            ++it;
    }
    if (m_openGaps > 0 && m_lastSeq >= m_gapSeq) {
        m_stats.gapsHealed += m_openGaps;
        m_openGaps = 0;
        m_gapSeq = 0;
    }
    Q_EMIT lastSeqChanged(m_lastSeq);
}

void CallSync::process(const Held &event)
{
    const qint64 seq = event.seq;
    if (seq <= m_lastSeq || m_seenAhead.contains(seq)) {
        ++m_stats.duplicatesIgnored;
        Q_EMIT statsChanged(m_stats);
        return;
    }
    QList<Call> changed;
    QStringList removed;
    const bool applied = event.deletedId.isEmpty() ? upsert(event.call, seq, changed)
                                                   : remove(event.deletedId, seq, removed);
    if (applied)
        ++m_stats.eventsApplied;
    else
        ++m_stats.duplicatesIgnored;

    if (seq > m_highestSeen + 1 && m_lastSeq > 0) {
        ++m_stats.gapsDetected;
        ++m_openGaps;
        qCInfo(lcSync) << "gap: seq" << seq << "after" << m_highestSeen << "; resync from"
                       << m_lastSeq;
    }
    m_highestSeen = std::max(m_highestSeen, seq);
    if (seq == m_lastSeq + 1 || m_lastSeq == 0) {
        // Nothing is known before the first snapshot, so the first event cannot reveal a gap.
        if (m_lastSeq == 0 && seq != 1) {
            m_seenAhead.insert(seq);
            scheduleResync();
        } else {
            advanceWatermark(seq);
        }
    } else {
        m_seenAhead.insert(seq);
        m_gapSeq = std::max(m_gapSeq, seq);
        scheduleResync();
    }
    publish(changed, removed);
    Q_EMIT statsChanged(m_stats);
}

void CallSync::publish(const QList<Call> &changed, const QStringList &removed)
{
    if (changed.isEmpty() && removed.isEmpty())
        return;
    Q_EMIT callsChanged(changed, removed);
    if (LocalCache *cache = openCache())
        cache->store(changed, removed, m_lastSeq);
}

void CallSync::scheduleResync()
{
    if (m_job) {
        m_resyncQueued = true;
        return;
    }
    if (m_resyncQueued)
        return;
    m_resyncQueued = true;
    // Coalesce a burst of gap events into one request.
    const quint64 generation = m_generation;
    QTimer::singleShot(0, this, [this, generation] {
        if (generation == m_generation && m_resyncQueued && !m_job) {
            m_resyncQueued = false;
            resync();
        }
    });
}

void CallSync::resync()
{
    if (m_orgId.isEmpty())
        return;
    if (m_loadingCache || m_job) {
        m_resyncQueued = true;
        return;
    }
    ++m_stats.resyncs;
    Q_EMIT resyncStarted();
    if (m_lastSeq == 0 || m_fullPending) {
        m_fullPending = false;
        ++m_stats.fullResyncs;
        m_snapshot.clear();
        m_snapshotSeq = -1;
        requestPage(0, {}, true);
    } else {
        requestPage(m_lastSeq, {}, false);
    }
}

void CallSync::fullResync()
{
    m_fullPending = true;
    if (m_job)
        m_resyncQueued = true;
    else
        resync();
}

void CallSync::requestPage(qint64 sinceSeq, const QString &cursor, bool full)
{
    CallQuery query;
    query.includeTest = true;
    query.limit = m_pageSize;
    query.cursor = cursor;
    if (!full)
        query.sinceSeq = sinceSeq;
    auto *job = m_api->calls(m_orgId, query);
    m_job = job;
    const quint64 generation = m_generation;
    job->onFinished(this, [this, job, generation, sinceSeq, full](const Result<CallPage> &result) {
        if (generation != m_generation || m_job != job)
            return;
        m_job = nullptr;
        if (!result.ok()) {
            qCWarning(lcSync) << "resync failed:" << result.error().code << result.error().message;
            Q_EMIT resyncFailed(result.error());
            finishResync(false);
            const QString &code = result.error().code;
            if (code != u"unauthorized" && code != u"forbidden" && code != u"aborted") {
                QTimer::singleShot(retryDelayMs, this, [this, generation] {
                    if (generation == m_generation && !m_job)
                        resync();
                });
            }
            return;
        }
        const CallPage &page = *result;
        if (full) {
            if (m_snapshotSeq < 0)
                m_snapshotSeq = page.lastSeq;
            m_snapshot.append(page.calls);
            if (page.more && !page.nextCursor.isEmpty()) {
                requestPage(0, page.nextCursor, true);
                return;
            }
            m_calls.clear();
            m_tombstones.clear();
            for (const Call &call : std::as_const(m_snapshot))
                m_calls.insert(call.id, call);
            QList<Call> snapshot;
            snapshot.reserve(m_calls.size());
            for (const Call &call : std::as_const(m_calls))
                snapshot.append(call);
            m_snapshot.clear();
            m_lastSeq = 0;
            m_seenAhead.clear();
            advanceWatermark(m_snapshotSeq);
            m_highestSeen = std::max(m_highestSeen, m_lastSeq);
            Q_EMIT callsReset(snapshot);
            if (LocalCache *cache = openCache())
                cache->replaceAll(snapshot, m_lastSeq);
            // Changes made while the pages were read arrive through one since_seq pass.
            m_resyncQueued = true;
            finishResync(true);
            return;
        }
        QList<Call> changed;
        QStringList removed;
        for (const Call &call : page.calls)
            upsert(call, call.seq, changed);
        for (const QString &id : page.deletedIds)
            remove(id, std::numeric_limits<qint64>::max(), removed);
        publish(changed, removed);
        if (page.more) {
            const qint64 next =
                std::max(sinceSeq, page.nextSinceSeq > 0 ? page.nextSinceSeq : page.highestSeq);
            if (next > sinceSeq || !page.nextCursor.isEmpty()) {
                requestPage(next, next > sinceSeq ? QString() : page.nextCursor, false);
                return;
            }
        }
        m_highestSeen = std::max(m_highestSeen, page.lastSeq);
        advanceWatermark(std::max(page.lastSeq, page.highestSeq));
        if (LocalCache *cache = openCache())
            cache->store({}, {}, m_lastSeq);
        finishResync(true);
    });
}

void CallSync::finishResync(bool ok)
{
    if (ok)
        Q_EMIT resyncFinished(true);
    else
        Q_EMIT resyncFinished(false);
    Q_EMIT statsChanged(m_stats);
    if (ok) {
        const QList<Held> held = std::exchange(m_held, {});
        for (const Held &event : held)
            process(event);
    }
    if (m_resyncQueued && !m_job) {
        m_resyncQueued = false;
        resync();
    }
}

} // namespace cb
