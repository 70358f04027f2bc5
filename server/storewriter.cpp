#include "storewriter.h"

#include "logging.h"
#include "store.h"

#include <QMetaObject>

#include <algorithm>

#include <future>

namespace cb {

StoreWriter::StoreWriter(const DbConfig &config, ChangeFeed *feed, QObject *parent)
    : QObject(parent), m_config(config), m_feed(feed)
{ }

StoreWriter::~StoreWriter()
{
    stop();
}

Result<void> StoreWriter::start()
{
    if (m_running)
        return {};
    std::promise<Result<void>> opened;
    auto future = opened.get_future();
    m_stopping = false;
    m_flushStopping = false;
    m_thread = std::thread([this, &opened] { run(&opened); });
    Result<void> result = future.get();
    if (!result) {
        m_thread.join();
        return result;
    }
    if (m_wal)
        m_flushThread = std::thread([this] { flushLoop(); });
    m_running = true;
    return {};
}

void StoreWriter::stop()
{
    if (!m_thread.joinable())
        return;
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    m_thread.join();
    if (m_flushThread.joinable()) {
        {
            std::lock_guard lock(m_mutex);
            m_flushStopping = true;
        }
        m_flushWake.notify_all();
        m_flushThread.join();
    }
    m_running = false;
}

void StoreWriter::submit(Job job, Completion done)
{
    {
        std::lock_guard lock(m_mutex);
        if (m_running && !m_stopping) {
            m_queue.push_back(Entry{std::move(job), std::move(done)});
            m_wake.notify_one();
            return;
        }
    }
    if (done)
        done(Result<Output>::failure(QStringLiteral("unavailable"),
                                     QStringLiteral("the store is shutting down")));
}

StoreWriter::Stats StoreWriter::stats() const
{
    std::lock_guard lock(m_mutex);
    return m_stats;
}

int StoreWriter::queued() const
{
    std::lock_guard lock(m_mutex);
    return int(m_queue.size());
}

void StoreWriter::run(std::promise<Result<void>> *opened)
{
    auto store = Store::open(m_config, QStringLiteral("callboard-writer"));
    if (!store) {
        opened->set_value(store.error());
        return;
    }
    // With synchronous=FULL the writer commits without the flush and the flush thread
    // takes it, once the log (there now that the connection is open) can be opened.
    auto wal = std::make_unique<WalFile>(m_config.sqlitePath);
    if (m_config.kind == DbConfig::Kind::Sqlite &&
        m_config.sqliteSync.compare(u"normal", Qt::CaseInsensitive) != 0 && wal->open()) {
        DbConfig config = m_config;
        config.sqliteSync = QStringLiteral("normal");
        store->reset();
        store = Store::open(config, QStringLiteral("callboard-writer"));
        if (!store) {
            opened->set_value(store.error());
            return;
        }
        m_wal = std::move(wal);
    }
    opened->set_value({});

    std::vector<Entry> batch;
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return !m_queue.empty() || m_stopping; });
            if (m_queue.empty())
                break;
            const size_t take = std::min(m_queue.size(), size_t(m_maxBatch));
            batch.reserve(take);
            for (size_t i = 0; i < take; ++i) {
                batch.push_back(std::move(m_queue.front()));
                m_queue.pop_front();
            }
        }
        runBatch(**store, batch);
        batch.clear();
    }
}

void StoreWriter::runBatch(Store &store, std::vector<Entry> &batch)
{
    std::vector<Result<Output>> results;
    results.reserve(batch.size());
    bool committed = false;
    const QString savepoint = QStringLiteral("job");
    auto begun = store.begin();
    if (!begun) {
        // The connection may have dropped (PostgreSQL restart): one retry after reopening
        // is left to the next group; this one fails so the senders retry.
        for (size_t i = 0; i < batch.size(); ++i)
            results.emplace_back(begun.error());
    } else {
        // A lone job needs no savepoint: the transaction is its undo point.
        const bool isolate = batch.size() > 1;
        for (Entry &entry : batch) {
            if (isolate) {
                if (auto r = store.savepoint(savepoint); !r) {
                    results.emplace_back(r.error());
                    continue;
                }
            }
            Result<Output> result =
                Result<Output>::failure(QStringLiteral("internal"), QStringLiteral("job failed"));
            try {
                result = entry.job(store);
            } catch (const std::exception &e) {
                result = Result<Output>::failure(QStringLiteral("internal"),
                                                 QString::fromUtf8(e.what()));
            }
            if (isolate && result)
                store.releaseSavepoint(savepoint);
            else if (isolate)
                store.rollbackToSavepoint(savepoint);
            else if (!result)
                store.rollback();
            results.push_back(std::move(result));
        }
        if (!isolate && !results.front()) {
            // Rolled back above; nothing to commit.
        } else if (auto commit = store.commit(); !commit) {
            qCWarning(lcDb) << "group commit failed:" << commit.error().message;
            for (auto &result : results) {
                if (result)
                    result = Result<Output>(commit.error());
            }
            std::lock_guard lock(m_mutex);
            ++m_stats.failedCommits;
        } else {
            committed = true;
        }
    }
    {
        std::lock_guard lock(m_mutex);
        ++m_stats.batches;
        m_stats.jobs += batch.size();
    }

    Finished finished;
    finished.committed = committed;
    finished.results = std::move(results);
    finished.completions.reserve(batch.size());
    for (Entry &entry : batch)
        finished.completions.push_back(std::move(entry.done));
    if (!m_wal) {
        deliver(std::move(finished));
        return;
    }
    {
        std::lock_guard lock(m_mutex);
        m_unflushed.push_back(std::move(finished));
    }
    m_flushWake.notify_one();
}

void StoreWriter::flushLoop()
{
    for (;;) {
        std::deque<Finished> groups;
        {
            std::unique_lock lock(m_mutex);
            m_flushWake.wait(lock, [this] { return !m_unflushed.empty() || m_flushStopping; });
            if (m_unflushed.empty())
                break;
            groups.swap(m_unflushed);
        }
        const bool anyCommitted = std::any_of(groups.begin(), groups.end(),
                                              [](const Finished &f) { return f.committed; });
        Result<void> flushed = anyCommitted ? m_wal->sync() : Result<void>();
        if (anyCommitted) {
            std::lock_guard lock(m_mutex);
            ++m_stats.logFlushes;
        }
        if (!flushed)
            qCWarning(lcDb) << "flush failed:" << flushed.error().message;
        for (Finished &group : groups) {
            if (!flushed && group.committed) {
                for (auto &result : group.results) {
                    if (result)
                        result = Result<Output>(flushed.error());
                }
            }
            deliver(std::move(group));
        }
    }
}

void StoreWriter::deliver(Finished finished)
{
    QMetaObject::invokeMethod(
        this,
        [this, results = std::move(finished.results),
         completions = std::move(finished.completions)] {
            for (size_t i = 0; i < results.size(); ++i) {
                if (results[i] && m_feed) {
                    for (const CallChange &change : results[i]->changes)
                        m_feed->publish(change);
                }
            }
            for (size_t i = 0; i < results.size(); ++i) {
                if (completions[i])
                    completions[i](results[i]);
            }
        },
        Qt::QueuedConnection);
}

} // namespace cb
