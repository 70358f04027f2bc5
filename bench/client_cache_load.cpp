// 100k calls from the local cache to a populated, sorted and filtered model: time and memory
// per row. Target (DESIGN §6): ≤ 1 s, ≤ 1 KB per row.

#include "client_bench_data.h"

#include "client/localcache.h"
#include "models/callfiltermodel.h"
#include "models/calltablemodel.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTextStream>

#include <malloc.h>

#include <ctime>

using namespace cb;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const int rows = argc > 1 ? QByteArray(argv[1]).toInt() : 100000;
    QTextStream out(stdout);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("cache.sqlite"));
    {
        QRandomGenerator random(42);
        QList<Call> calls;
        calls.reserve(rows);
        for (int i = 0; i < rows; ++i)
            calls.append(bench::syntheticCall(i, random));
        LocalCache cache(path);
        if (!cache.open().ok())
            return 1;
        QElapsedTimer write;
        write.start();
        cache.replaceAll(calls, rows);
        if (!cache.flush().ok())
            return 1;
        out << "cache write: " << rows << " calls in " << write.elapsed()
            << " ms (off the GUI thread)\n";
    }
    malloc_trim(0);

    CallTableModel model;
    CallFilterModel filter;
    filter.setSourceModel(&model);
    filter.sort(CallTableModel::TimeColumn, Qt::DescendingOrder);
    const qint64 rssBefore = bench::rssBytes();
    const qint64 heapBefore = bench::heapInUse();

    QElapsedTimer total;
    total.start();
    const std::clock_t cpuStart = std::clock();
    LocalCache cache(path);
    if (!cache.open().ok())
        return 1;
    QElapsedTimer step;
    step.start();
    auto contents = cache.loadNow();
    if (!contents.ok())
        return 1;
    const qint64 loadMs = step.restart();
    model.resetCalls(contents->calls);
    const qint64 modelMs = step.restart();
    contents = CacheContents{};
    const qint64 totalMs = total.elapsed();
    const qint64 cpuMs = qint64(std::clock() - cpuStart) * 1000 / CLOCKS_PER_SEC;
    malloc_trim(0);
    const qint64 rssAfter = bench::rssBytes();
    const qint64 heapAfter = bench::heapInUse();

    out << "rows in model: " << model.rowCount() << ", visible after filter: " << filter.rowCount()
        << ", hidden test calls: " << filter.hiddenTestCount() << '\n';
    out << "load from SQLite: " << loadMs << " ms, model reset + proxy sort/filter: " << modelMs
        << " ms\n";
    out << "cache to populated model: " << totalMs << " ms wall, " << cpuMs
        << " ms CPU (target <= 1000 ms; wall time includes waiting for a busy machine)\n";
    out << "memory per row: " << (heapAfter - heapBefore) / model.rowCount() << " B heap, "
        << (rssAfter - rssBefore) / model.rowCount() << " B RSS (target <= 1024 B)\n";
    return 0;
}
