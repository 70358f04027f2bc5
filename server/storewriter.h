#pragma once

#include "changefeed.h"
#include "dbconfig.h"
#include "walfile.h"

#include "core/json.h"
#include "core/result.h"

#include <QObject>

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

namespace cb {

class Store;

/// The single writer of the store (group commit). Jobs are queued from the main thread;
/// a dedicated thread with its own connection takes everything queued since its last
/// commit, runs each job inside one transaction under its own savepoint (a failing job
/// is undone alone), commits once — one fsync for the whole group — and then, back on
/// the main thread, announces the changes on the ChangeFeed in order and calls each
/// job's completion. A completion therefore never runs before its data is durable.
///
/// On SQLite with `synchronous=FULL` the fsync is taken off the writer thread: the
/// writer commits without it and a second thread flushes the write-ahead log (WalFile)
/// for every group committed meanwhile, so statements and flushes overlap. The
/// guarantee is the same: completions run after the flush.
class StoreWriter final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StoreWriter)

public:
    /// What a job produced: the changes to announce and a value for its caller.
    struct Output
    {
        QList<CallChange> changes;
        Json value;
    };
    using Job = std::function<Result<Output>(Store &)>;
    using Completion = std::function<void(const Result<Output> &)>;

    StoreWriter(const DbConfig &config, ChangeFeed *feed, QObject *parent = nullptr);
    ~StoreWriter() override;

    /// Opens the writer's connection on its thread; fails if the store cannot be opened.
    Result<void> start();
    /// Runs the queued jobs, then stops the thread. Completions of the last group are
    /// delivered if the event loop still runs.
    void stop();

    /// Queues @p job; @p done runs on this object's thread after the commit (or failure).
    void submit(Job job, Completion done);

    /// Most jobs in one transaction.
    void setMaxBatch(int jobs) { m_maxBatch = jobs; }

    struct Stats
    {
        quint64 batches = 0;
        quint64 jobs = 0;
        quint64 failedCommits = 0;
        quint64 logFlushes = 0; ///< flushes taken by the flush thread (SQLite, FULL)
    };
    Stats stats() const;
    int queued() const;

private:
    struct Entry
    {
        Job job;
        Completion done;
    };
    /// A group's results on their way to the main thread.
    struct Finished
    {
        std::vector<Result<Output>> results;
        std::vector<Completion> completions;
        bool committed = false;
    };
    void run(std::promise<Result<void>> *opened);
    void runBatch(Store &store, std::vector<Entry> &batch);
    void flushLoop();
    void deliver(Finished finished);

    DbConfig m_config;
    ChangeFeed *m_feed = nullptr;
    int m_maxBatch = 2000;
    std::thread m_thread;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Entry> m_queue;
    bool m_stopping = false;
    std::unique_ptr<WalFile> m_wal; ///< set when the flush thread owns durability
    std::thread m_flushThread;
    std::condition_variable m_flushWake;
    std::deque<Finished> m_unflushed;
    bool m_flushStopping = false;
    bool m_running = false;
    Stats m_stats;
};

} // namespace cb
