// Reconnect storm (issue #8): 1,000 Socket.IO clients on a real callboard-server, which is
// killed and restarted on the same port and data directory. Asserts correctness only:
// every client reconnects, rejoins and resyncs to the org's final seq, and every /healthz
// asked after the restart is answered 200. The figures are printed; the < 100 ms health
// check bar is bench_reconnect_storm's.
#include "reconnectstorm.h"

#include <QTest>

class TestReconnectStorm : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void thousandClientsSurviveARestart();
};

void TestReconnectStorm::thousandClientsSurviveARestart()
{
    cbtest::StormOptions options;
    options.clients = qEnvironmentVariableIntValue("CALLBOARD_STORM_CLIENTS") > 0
        ? qEnvironmentVariableIntValue("CALLBOARD_STORM_CLIENTS")
        : 1000;
    const cbtest::StormReport report = cbtest::runReconnectStorm(options);
    cbtest::printStormReport(report);
    QVERIFY2(report.failure.isEmpty(), qPrintable(report.failure));
    QCOMPARE(report.liveBefore, options.clients);
    QCOMPARE(report.reconnected, options.clients);
    QCOMPARE(report.resynced, options.clients);
    QVERIFY(report.finalSeq > 0);
    QVERIFY(report.probes > 0);
    QCOMPARE(report.probeFailures, 0);
}

QTEST_GUILESS_MAIN(TestReconnectStorm)
#include "tst_reconnect_storm.moc"
