#include "storewriter.h"

#include "logging.h"
#include "store.h"

#include <QMetaObject>

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
    m_thread = std::thread([this, &opened] { run(&opened); });
    Result<void> result = future.get();
    if (!result) {
        m_thread.join();
        return result;
    }
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
        } else if (auto committed = store.commit(); !committed) {
            qCWarning(lcDb) << "group commit failed:" << committed.error().message;
            for (auto &result : results) {
                if (result)
                    result = Result<Output>(committed.error());
            }
            std::lock_guard lock(m_mutex);
            ++m_stats.failedCommits;
        }
    }
    {
        std::lock_guard lock(m_mutex);
        ++m_stats.batches;
        m_stats.jobs += batch.size();
    }

    std::vector<Completion> completions;
    completions.reserve(batch.size());
    for (Entry &entry : batch)
        completions.push_back(std::move(entry.done));
    QMetaObject::invokeMethod(
        this,
        [this, results = std::move(results), completions = std::move(completions)] {
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
