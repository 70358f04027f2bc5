#pragma once

#include "core/call.h"
#include "core/result.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QStringList>

#include <functional>

namespace cb {

class ApiClient;
class ApiJobBase;
class LocalCache;

/// Stream health for the status bar and `callboard-cli diagnose`.
struct SyncStats
{
    qint64 eventsApplied = 0;
    qint64 duplicatesIgnored = 0; ///< events whose seq was not newer than what the row had
    qint64 gapsDetected = 0; ///< events that skipped seqs
    qint64 gapsHealed = 0; ///< gaps closed by a since_seq resync
    qint64 resyncs = 0;
    qint64 fullResyncs = 0;
    QDateTime lastEventAt; ///< when the last live event arrived (the injected clock)

    bool operator==(const SyncStats &) const = default;
};

/// One organization's calls, kept equal to the server's (DESIGN §3 "Sequence numbers", §5
/// "Live sync").
///
/// Holds the calls by id and a watermark `lastSeq`: every change up to it is known. A live
/// event is applied only when its seq is newer than the row's; an event that skips seqs
/// is shown at once and triggers a `since_seq` resync from the watermark; every (re)join
/// resyncs too. Live events that arrive while a resync is in flight are held and replayed
/// after it. With a LocalCache, the cached calls are shown first and every change is
/// written back.
///
/// Feeds models through callsReset() and callsChanged(), which whoever owns both connects
/// to CallTableModel::resetCalls() and CallTableModel::applyBatch().
class CallSync final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CallSync)

public:
    using Clock = std::function<QDateTime()>;

    /// @p clock defaults to the system clock.
    explicit CallSync(ApiClient *api, Clock clock = {}, QObject *parent = nullptr);
    ~CallSync() override;

    /// Switches organization: forgets every call and emits callsReset(); then, with an open
    /// @p cache (the org's own, owned by the caller), shows the cached calls and writes every
    /// change back to it.
    void setOrg(const QString &orgId, LocalCache *cache = nullptr);
    QString orgId() const { return m_orgId; }

    const QHash<QString, Call> &calls() const { return m_calls; }
    qint64 lastSeq() const { return m_lastSeq; }
    bool isResyncing() const { return m_job != nullptr; }
    const SyncStats &stats() const { return m_stats; }
    /// Page size of resync requests (0: the server's default).
    void setPageSize(int size) { m_pageSize = size; }

public Q_SLOTS:
    /// From RealtimeClient::joined: the server's seq at join time. Always resyncs; a server
    /// seq below ours means a different or rebuilt server, so the resync is a full one.
    void onJoined(const QString &orgId, qint64 serverLastSeq);
    void onCallUpserted(const QString &orgId, qint64 seq, const cb::Call &call);
    void onCallDeleted(const QString &orgId, qint64 seq, const QString &callId);
    /// Connection lost: events may be missed until the next join.
    void onDisconnected();
    /// Asks for every change after the watermark (a full snapshot when it is 0).
    void resync();
    /// Forgets the watermark and reloads everything.
    void fullResync();

Q_SIGNALS:
    void callsReset(const QList<cb::Call> &calls);
    void callsChanged(const QList<cb::Call> &upserts, const QStringList &removedIds);
    void statsChanged(const cb::SyncStats &stats);
    void resyncStarted();
    void resyncFinished(bool ok);
    void resyncFailed(const cb::Error &error);
    void lastSeqChanged(qint64 seq);

private:
    struct Held
    {
        qint64 seq = 0;
        Call call; ///< empty id for a deletion
        QString deletedId;
    };

    void loadCache();
    void onCacheLoaded(const QList<Call> &calls, qint64 lastSeq);
    void process(const Held &event);
    bool upsert(const Call &call, qint64 seq, QList<Call> &changed);
    bool remove(const QString &id, qint64 seq, QStringList &removed);
    void advanceWatermark(qint64 seq);
    void requestPage(qint64 sinceSeq, const QString &cursor, bool full);
    void finishResync(bool ok);
    void publish(const QList<Call> &changed, const QStringList &removed);
    void scheduleResync();
    LocalCache *openCache() const;
    QDateTime now() const { return m_clock ? m_clock() : QDateTime::currentDateTimeUtc(); }

    ApiClient *m_api;
    QPointer<LocalCache> m_cache;
    Clock m_clock;
    QString m_orgId;
    QHash<QString, Call> m_calls;
    QHash<QString, qint64> m_tombstones; ///< deleted id → seq of the deletion
    qint64 m_lastSeq = 0;
    QSet<qint64> m_seenAhead; ///< seqs above the watermark already applied
    qint64 m_gapSeq = 0; ///< highest seq that revealed a gap not yet healed
    QList<Held> m_held;
    qint64 m_highestSeen = 0;
    qint64 m_openGaps = 0;
    bool m_loadingCache = false;
    QMetaObject::Connection m_cacheConnection;
    QPointer<ApiJobBase> m_job;
    bool m_resyncQueued = false;
    bool m_fullPending = false;
    QList<Call> m_snapshot; ///< pages of a full resync, until the last one
    qint64 m_snapshotSeq = 0;
    int m_pageSize = 0;
    quint64 m_generation = 0; ///< bumps on org switch so late answers are dropped
    SyncStats m_stats;
};

} // namespace cb

Q_DECLARE_METATYPE(cb::SyncStats)
