// 2,000 events/s into CallTableModel + CallFilterModel with sort and filter on: how long the
// event loop is blocked (longest, p99). Events arrive as the wire JSON and are parsed, as the
// realtime client does. Target (DESIGN §6): p99 ≤ 16 ms.

#include "client_bench_data.h"

#include "core/json.h"
#include "models/callfiltermodel.h"
#include "models/calltablemodel.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTextStream>
#include <QTimer>

#include <algorithm>

using namespace cb;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const int baseRows = argc > 1 ? QByteArray(argv[1]).toInt() : 100000;
    const int seconds = argc > 2 ? QByteArray(argv[2]).toInt() : 10;
    const int rate = 2000;
    QTextStream out(stdout);

    QRandomGenerator random(7);
    QList<Call> base;
    base.reserve(baseRows);
    for (int i = 0; i < baseRows; ++i)
        base.append(bench::syntheticCall(i, random));

    CallTableModel model;
    CallFilterModel filter;
    filter.setSourceModel(&model);
    filter.sort(CallTableModel::TimeColumn, Qt::DescendingOrder);
    filter.setStatusFilter({CallStatus::Queued, CallStatus::Initiated, CallStatus::Ringing,
                            CallStatus::InProgress, CallStatus::Completed, CallStatus::NoAnswer,
                            CallStatus::Busy, CallStatus::Failed});
    model.resetCalls(base);

    // Pre-encode the events: 25 % new calls, the rest status changes of recent calls.
    const int total = rate * seconds;
    std::vector<QByteArray> events;
    events.reserve(size_t(total));
    int next = baseRows;
    qint64 seq = baseRows;
    QList<Call> live;
    for (int i = 0; i < total; ++i) {
        Call c;
        if (i % 4 == 0 || live.isEmpty()) {
            c = bench::syntheticCall(next++, random);
            c.status = CallStatus::Initiated;
            c.durationS.reset();
            live.append(c);
            if (live.size() > 500)
                live.removeFirst();
        } else {
            Call &target = live[random.bounded(int(live.size()))];
            target.status = target.status == CallStatus::Initiated ? CallStatus::Ringing
                : target.status == CallStatus::Ringing             ? CallStatus::InProgress
                                                                   : CallStatus::Completed;
            if (target.status == CallStatus::Completed)
                target.durationS = 30 + random.bounded(300);
            c = target;
        }
        c.seq = ++seq;
        events.push_back(
            toBytes(Json{{"seq", c.seq}, {"org_id", "org-demo"}, {"call", toJson(c)}}));
    }

    // A 1 ms probe: how late it fires is how long the loop was busy elsewhere.
    std::vector<double> blocks;
    blocks.reserve(size_t(seconds) * 1200);
    QElapsedTimer clock;
    clock.start();
    qint64 lastProbe = clock.nsecsElapsed();
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    QObject::connect(&probe, &QTimer::timeout, &probe, [&] {
        const qint64 now = clock.nsecsElapsed();
        blocks.push_back(std::max(0.0, double(now - lastProbe) / 1e6 - 1.0));
        lastProbe = now;
    });

    size_t sent = 0;
    QTimer feeder;
    feeder.setTimerType(Qt::PreciseTimer);
    const qint64 start = clock.nsecsElapsed();
    QObject::connect(&feeder, &QTimer::timeout, &feeder, [&] {
        // Catch up to the schedule: rate events per second since start.
        const auto due = size_t(double(clock.nsecsElapsed() - start) / 1e9 * rate);
        QList<Call> batch;
        while (sent < due && sent < events.size()) {
            const QByteArray &frame = events[sent++];
            const Json json =
                Json::parse(frame.constData(), frame.constData() + frame.size(), nullptr, false);
            auto call = callFromJson(json.value("call", Json()));
            if (call.ok())
                model.applyBatch({*call});
        }
        if (sent >= events.size()) {
            feeder.stop();
            QTimer::singleShot(200, &app, &QCoreApplication::quit);
        }
    });
    probe.start(1);
    feeder.start(1);
    app.exec();

    std::sort(blocks.begin(), blocks.end());
    const double p99 = blocks.empty() ? 0 : blocks[size_t(double(blocks.size() - 1) * 0.99)];
    const double p50 = blocks.empty() ? 0 : blocks[blocks.size() / 2];
    const double elapsed = double(clock.nsecsElapsed() - start) / 1e9;
    out << "events: " << sent << " in " << QString::number(elapsed, 'f', 2) << " s ("
        << QString::number(double(sent) / elapsed, 'f', 0) << "/s) onto " << baseRows << " rows\n";
    out << "rows: " << model.rowCount() << ", visible: " << filter.rowCount() << '\n';
    out << "event-loop block: p50 " << QString::number(p50, 'f', 2) << " ms, p99 "
        << QString::number(p99, 'f', 2) << " ms, longest "
        << QString::number(blocks.empty() ? 0 : blocks.back(), 'f', 2)
        << " ms (target p99 <= 16 ms)\n";
    return 0;
}
