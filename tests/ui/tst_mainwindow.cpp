#include "testcalls.h"

#include "models/agentmodel.h"
#include "models/callfiltermodel.h"
#include "models/calltablemodel.h"
#include "models/metricsmodel.h"
#include "ui/appsettings.h"
#include "ui/calldetailspane.h"
#include "ui/callnotifier.h"
#include "ui/filterbar.h"
#include "ui/mainwindow.h"
#include "ui/metricspanel.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QHeaderView>
#include <QLineEdit>
#include <QMenu>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace cb;
using cbtest::makeCall;

namespace {

/// The window over real models, fed directly as CallSync would.
struct Fixture
{
    QTemporaryDir dir;
    QSettings store;
    AppSettings settings{&store};
    CallTableModel calls;
    CallFilterModel filter;
    AgentModel agents;
    MetricsModel metrics;
    std::unique_ptr<MainWindow> window;

    explicit Fixture(Role role = Role::Admin, const QString &settingsPath = {})
        : store(settingsPath.isEmpty() ? dir.filePath(QStringLiteral("settings.ini"))
                                       : settingsPath,
                QSettings::IniFormat)
    {
        calls.setFlushInterval(0);
        filter.setSourceModel(&calls);
        window = std::make_unique<MainWindow>(&calls, &filter, &agents, &metrics, &settings);
        window->setOrgs({{QStringLiteral("org-1"), QStringLiteral("Acme"), role}},
                        QStringLiteral("org-1"));
    }

    void load(const QList<Call> &list) { calls.resetCalls(list); }

    QStringList visibleIds() const
    {
        QStringList ids;
        for (int r = 0; r < filter.rowCount(); ++r)
            ids << filter.index(r, 0).data(CallTableModel::IdRole).toString();
        return ids;
    }
};

QList<Call> sampleCalls()
{
    return {
        makeCall(QStringLiteral("c1"), CallStatus::Completed, 50),
        makeCall(QStringLiteral("c2"), CallStatus::Failed, 40),
        makeCall(QStringLiteral("c3"), CallStatus::InProgress, 30, false, Provider::Retell),
        makeCall(QStringLiteral("t1"), CallStatus::Completed, 20, true),
        makeCall(QStringLiteral("t2"), CallStatus::Failed, 10, true),
        makeCall(QStringLiteral("c4"), CallStatus::Ringing, 5, false, Provider::Bolna),
    };
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void filterBarChangesRowsAndHiddenCount()
    {
        Fixture f;
        QAbstractItemModelTester tester(&f.filter,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        f.load(sampleCalls());
        // Test calls are hidden by default; newest first.
        QCOMPARE(f.visibleIds(),
                 (QStringList{QStringLiteral("c4"), QStringLiteral("c3"), QStringLiteral("c2"),
                              QStringLiteral("c1")}));
        QCOMPARE(f.filter.hiddenTestCount(), 2);
        FilterBar *bar = f.window->filterBar();
        QVERIFY(bar->testCheck()->text().contains(QStringLiteral("2 hidden")));

        // Status: only failed → one real call, one hidden test call.
        const auto actions = bar->statusMenu()->actions();
        for (QAction *a : actions) {
            if (a->text() == QStringLiteral("Failed"))
                a->setChecked(true);
        }
        QCOMPARE(f.visibleIds(), QStringList{QStringLiteral("c2")});
        QCOMPARE(f.filter.hiddenTestCount(), 1);
        QVERIFY(bar->testCheck()->text().contains(QStringLiteral("1 hidden")));

        bar->testCheck()->setChecked(true);
        QCOMPARE(f.visibleIds(), (QStringList{QStringLiteral("t2"), QStringLiteral("c2")}));
        QCOMPARE(bar->testCheck()->text(), QStringLiteral("Show &test calls"));

        bar->clearFilters();
        bar->testCheck()->setChecked(false);
        bar->providerCombo()->setCurrentIndex(
            bar->providerCombo()->findText(QStringLiteral("Retell")));
        QCOMPARE(f.visibleIds(), QStringList{QStringLiteral("c3")});
        QCOMPARE(f.filter.hiddenTestCount(), 0);

        bar->clearFilters();
        QTest::keyClicks(bar->searchEdit(), QStringLiteral("p-c1"));
        QTRY_COMPARE(f.visibleIds(), QStringList{QStringLiteral("c1")});
    }

    void filtersPersist()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("settings.ini"));
        {
            Fixture f(Role::Admin, path);
            f.window->filterBar()->providerCombo()->setCurrentIndex(2);
            f.window->filterBar()->testCheck()->setChecked(true);
            f.window->table()->horizontalHeader()->resizeSection(CallTableModel::CallerColumn, 222);
            f.window->saveLayout();
        }
        Fixture g(Role::Admin, path);
        QCOMPARE(g.window->filterBar()->providerCombo()->currentIndex(), 2);
        QVERIFY(g.filter.includeTestCalls());
        QCOMPARE(g.window->table()->horizontalHeader()->sectionSize(CallTableModel::CallerColumn),
                 222);
    }

    void exportWritesExactlyTheVisibleRows()
    {
        Fixture f;
        f.load(sampleCalls());
        f.window->filterBar()->providerCombo()->setCurrentIndex(
            f.window->filterBar()->providerCombo()->findText(QStringLiteral("Vapi")));
        const QStringList expected = f.visibleIds();
        QCOMPARE(expected, (QStringList{QStringLiteral("c2"), QStringLiteral("c1")}));
        // A hidden column is left out, as the operator arranged the table.
        f.window->table()->horizontalHeader()->setSectionHidden(CallTableModel::CostColumn, true);

        const QString path = f.dir.filePath(QStringLiteral("out.csv"));
        const Result<int> written = f.window->exportCsvTo(path);
        QVERIFY2(written.ok(), qPrintable(written.ok() ? QString() : written.error().message));
        QCOMPARE(*written, 2);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QStringList lines =
            QString::fromUtf8(file.readAll()).split(QStringLiteral("\r\n"), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3);
        QVERIFY(lines[0].startsWith(
            f.calls.headerData(CallTableModel::TimeColumn, Qt::Horizontal).toString()));
        QVERIFY(!lines[0].contains(
            f.calls.headerData(CallTableModel::CostColumn, Qt::Horizontal).toString()));
        const int numberIndex =
            int(f.window->table()->horizontalHeader()->visualIndex(CallTableModel::NumberColumn));
        QCOMPARE(lines[1].split(u',').at(numberIndex),
                 makeCall(QStringLiteral("c2"), CallStatus::Failed, 0).toNumber);
        QCOMPARE(lines[2].split(u',').at(numberIndex),
                 makeCall(QStringLiteral("c1"), CallStatus::Failed, 0).toNumber);
    }

    void selectionSurvivesBurstOfLiveUpdates()
    {
        Fixture f;
        QAbstractItemModelTester tester(&f.filter,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QList<Call> initial;
        for (int i = 0; i < 200; ++i)
            initial << makeCall(QStringLiteral("c%1").arg(i), CallStatus::Initiated, 300 - i);
        f.load(initial);
        QVERIFY(f.window->selectCall(QStringLiteral("c100")));
        f.window->table()->selectionModel()->select(
            f.filter.index(f.filter.rowOf(QStringLiteral("c101")), 0),
            QItemSelectionModel::Select | QItemSelectionModel::Rows);
        QCOMPARE(f.window->detailsPane()->callId(), QStringLiteral("c100"));
        QSignalSpy resets(&f.filter, &QAbstractItemModel::modelReset);

        // A burst: every call changes status, and new calls arrive on top.
        for (int round = 0; round < 5; ++round) {
            QList<Call> batch;
            for (int i = 0; i < 200; ++i) {
                Call c = initial[i];
                c.status = round < 2 ? CallStatus::Ringing : CallStatus::InProgress;
                c.seq = 2 + round;
                batch << c;
            }
            for (int n = 0; n < 20; ++n)
                batch << makeCall(QStringLiteral("n%1-%2").arg(round).arg(n), CallStatus::Queued,
                                  -n);
            f.calls.applyBatch(batch);
            f.calls.flush();
            QCoreApplication::processEvents();
        }
        QCOMPARE(resets.count(), 0);
        QCOMPARE(f.window->currentCallId(), QStringLiteral("c100"));
        QStringList selected = f.window->selectedCallIds();
        selected.sort();
        QCOMPARE(selected, (QStringList{QStringLiteral("c100"), QStringLiteral("c101")}));
        QCOMPARE(f.window->detailsPane()->callId(), QStringLiteral("c100"));
        QCOMPARE(f.window->detailsPane()->fieldText(QStringLiteral("Status")),
                 QStringLiteral("In progress"));
    }

    void actionsFollowRole()
    {
        Fixture viewer(Role::Viewer);
        viewer.load(sampleCalls());
        viewer.window->selectCall(QStringLiteral("c1"));
        QVERIFY(!viewer.window->action(QStringLiteral("newCall"))->isEnabled());
        QVERIFY(!viewer.window->action(QStringLiteral("refresh"))->isEnabled());
        QVERIFY(!viewer.window->action(QStringLiteral("markFailed"))->isEnabled());
        QVERIFY(viewer.window->action(QStringLiteral("copyId"))->isEnabled());
        QVERIFY(viewer.window->action(QStringLiteral("export"))->isEnabled());

        Fixture staff(Role::Staff);
        staff.load(sampleCalls());
        staff.window->selectCall(QStringLiteral("c1"));
        QVERIFY(staff.window->action(QStringLiteral("newCall"))->isEnabled());
        QVERIFY(staff.window->action(QStringLiteral("refresh"))->isEnabled());
        QVERIFY(!staff.window->action(QStringLiteral("delete"))->isEnabled());

        Fixture admin(Role::Admin);
        admin.load(sampleCalls());
        QVERIFY(
            !admin.window->action(QStringLiteral("markFailed"))->isEnabled()); // nothing selected
        admin.window->selectCall(QStringLiteral("c2"));
        QVERIFY(admin.window->action(QStringLiteral("markFailed"))->isEnabled());
        QSignalSpy markFailed(admin.window.get(), &MainWindow::markFailedRequested);
        bool asked = false;
        admin.window->setConfirm([&asked](const QString &, const QString &) {
            asked = true;
            return true;
        });
        admin.window->action(QStringLiteral("markFailed"))->trigger();
        QVERIFY(asked);
        QCOMPARE(markFailed.count(), 1);
        QCOMPARE(markFailed.first().first().toStringList(), QStringList{QStringLiteral("c2")});
        QCOMPARE(admin.window->action(QStringLiteral("newCall"))->shortcut(),
                 QKeySequence(QKeySequence::New));
        QCOMPARE(admin.window->action(QStringLiteral("export"))->shortcut(),
                 QKeySequence(Qt::CTRL | Qt::Key_E));
        QCOMPARE(admin.window->action(QStringLiteral("resync"))->shortcut(),
                 QKeySequence(Qt::Key_F5));
    }

    void notifiesFailedAndStaleOnce()
    {
        QTemporaryDir dir;
        QSettings store(dir.filePath(QStringLiteral("n.ini")), QSettings::IniFormat);
        AppSettings settings(&store);
        CallTableModel calls;
        calls.setFlushInterval(0);
        Call failedAtStart = makeCall(QStringLiteral("old"), CallStatus::Failed, 60);
        Call live = makeCall(QStringLiteral("c1"), CallStatus::Ringing, 1);
        Call test = makeCall(QStringLiteral("t1"), CallStatus::Ringing, 1, true);
        calls.resetCalls({failedAtStart, live, test});
        CallNotifier notifier(&calls, &settings);
        QSignalSpy notified(&notifier, &CallNotifier::notify);

        live.status = CallStatus::Failed;
        live.seq = 2;
        test.status = CallStatus::Failed;
        test.seq = 2;
        calls.applyBatch({live, test});
        calls.flush();
        QCOMPARE(notified.count(), 1); // the real call only, not the one failed before start
        QCOMPARE(notified.first().at(2).toString(), QStringLiteral("c1"));

        live.endReason = QStringLiteral("dial_failed");
        live.seq = 3;
        calls.applyBatch({live});
        calls.flush();
        QCOMPARE(notified.count(), 1); // once per transition

        Call stuck = makeCall(QStringLiteral("c2"), CallStatus::Initiated, 5);
        calls.applyBatch({stuck});
        calls.flush();
        stuck.stale = true;
        stuck.seq = 2;
        calls.applyBatch({stuck});
        calls.flush();
        QCOMPARE(notified.count(), 2);
        QCOMPARE(notified.last().at(0).toString(), QStringLiteral("Call went stale"));

        settings.setNotifyFailed(false);
        Call another = makeCall(QStringLiteral("c3"), CallStatus::Ringing, 1);
        calls.applyBatch({another});
        calls.flush();
        another.status = CallStatus::Failed;
        another.seq = 2;
        calls.applyBatch({another});
        calls.flush();
        QCOMPARE(notified.count(), 2);
    }

    void metricsPanelFollowsModel()
    {
        Fixture f;
        Metrics m;
        m.orgId = QStringLiteral("org-1");
        m.at = QDateTime::currentDateTimeUtc();
        countOf(m.totals, CallStatus::Completed) = 6;
        countOf(m.totals, CallStatus::Failed) = 2;
        m.active = 3;
        m.answerRate = 0.75;
        m.avgDurationS = 95;
        m.costCents = 1234;
        MetricsMinute minute;
        minute.minute =
            QDateTime::fromSecsSinceEpoch(m.at.toSecsSinceEpoch() / 60 * 60, QTimeZone::utc());
        countOf(minute.counts, CallStatus::Completed) = 4;
        m.perMinute << minute;
        f.metrics.setMetrics(m);
        MetricsPanel *panel = f.window->metricsPanel();
        QCOMPARE(panel->activeText(), QStringLiteral("3"));
        QCOMPARE(panel->answerRateText(), QStringLiteral("75%"));
        QCOMPARE(panel->averageDurationText(), QStringLiteral("1:35 min"));
        QVERIFY(panel->costText().contains(QStringLiteral("12.34")));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
