#pragma once

#include "core/call.h"
#include "core/result.h"

#include <QList>
#include <QObject>
#include <QStringList>
#include <QThread>
#include <QUrl>

namespace cb {

class CacheWorker;

/// What the cache holds for one organization.
struct CacheContents
{
    QList<Call> calls;
    qint64 lastSeq = 0; ///< every change up to this seq is in `calls`
};

/// The local copy of one organization's calls on one server (DESIGN §5 "Live sync"): a
/// SQLite file in WAL mode with versioned migrations, so the app can show the calls it had
/// before the network answers.
///
/// All database work happens on a worker thread with its own connection. store() only
/// queues; the worker coalesces what arrives within a short interval into one transaction.
/// Calls and the sequence watermark are written in the same transaction, so the stored
/// lastSeq never claims more than the stored rows.
class LocalCache final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LocalCache)

public:
    /// @p filePath is the SQLite file; its directory is created when missing.
    explicit LocalCache(const QString &filePath, QObject *parent = nullptr);
    ~LocalCache() override;

    /// The default file: `<AppDataLocation>/cache/<server host_port>/<org>.sqlite`.
    static QString defaultPath(const QUrl &server, const QString &orgId);

    QString filePath() const { return m_filePath; }
    /// Opens the database and runs the migrations (waits for the worker).
    Result<void> open();
    bool isOpen() const { return m_open; }

    /// Reads everything on the worker thread and delivers it with loaded().
    void load();
    /// Reads everything and waits for it (command-line tools, benchmarks).
    Result<CacheContents> loadNow();

    /// Queues changes; written in the next batch.
    void store(const QList<Call> &upserts, const QStringList &removedIds, qint64 lastSeq);
    /// Queues a replacement of the whole contents (after a full resync).
    void replaceAll(const QList<Call> &calls, qint64 lastSeq);
    /// Writes everything queued and waits for it.
    Result<void> flush();
    /// Delay between the first queued change and its write (default 200 ms).
    void setBatchInterval(int ms);

    /// The schema version this build writes.
    static constexpr int schemaVersion = 2;

Q_SIGNALS:
    void loaded(const cb::CacheContents &contents);
    void failed(const cb::Error &error);

private:
    QString m_filePath;
    QThread m_thread;
    CacheWorker *m_worker = nullptr;
    bool m_open = false;
};

} // namespace cb

Q_DECLARE_METATYPE(cb::CacheContents)
