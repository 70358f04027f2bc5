// Reconnect storm benchmark: the storm of tst_reconnect_storm (1,000 Socket.IO clients, the
// server killed and restarted, every client back with jittered backoff and resynced) with
// its figures, and the bar the issue sets: /healthz answers within 100 ms throughout.
//
// bench_reconnect_storm [--clients N] [--down-ms MS] [--runs N]
// Exit status 1 when a run fails or a /healthz answer took 100 ms or more.

#include "tests/realtime/reconnectstorm.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <algorithm>
#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("clients"), QStringLiteral("Socket.IO clients (default 1000)."),
         QStringLiteral("n"), QStringLiteral("1000")},
        {QStringLiteral("runs"), QStringLiteral("Storms in a row (default 1)."),
         QStringLiteral("n"), QStringLiteral("1")},
        {QStringLiteral("down-ms"),
         QStringLiteral("How long the server stays down before the restart (default 1000)."),
         QStringLiteral("ms"), QStringLiteral("1000")},
    });
    parser.process(app);

    cbtest::StormOptions options;
    options.clients = std::max(1, parser.value(QStringLiteral("clients")).toInt());
    options.downtimeMs = std::max(0, parser.value(QStringLiteral("down-ms")).toInt());
    const int runs = std::max(1, parser.value(QStringLiteral("runs")).toInt());
    constexpr double healthzBarMs = 100.0;
    bool ok = true;
    for (int run = 0; run < runs; ++run) {
        const cbtest::StormReport report = cbtest::runReconnectStorm(options);
        cbtest::printStormReport(report);
        const double worst = cbtest::spreadOf(report.probeMs).last;
        const bool complete = report.failure.isEmpty() && report.reconnected == options.clients &&
            report.resynced == options.clients && report.probeFailures == 0;
        if (!report.failure.isEmpty())
            std::printf("  FAILED: %s\n", qPrintable(report.failure));
        std::printf("  /healthz max %.1f ms during the storm (bar < %.0f ms): %s\n", worst,
                    healthzBarMs, worst < healthzBarMs ? "ok" : "OVER");
        ok = ok && complete && worst < healthzBarMs;
    }
    return ok ? 0 : 1;
}
