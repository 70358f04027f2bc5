#include "models/callfiltermodel.h"
#include "models/calltablemodel.h"

#include "testcalls.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace cb;
using namespace cb::test;

class TestCallFilterModel : public QObject
{
    Q_OBJECT

private:
    struct Fixture
    {
        CallTableModel calls;
        CallFilterModel filter;
        QAbstractItemModelTester sourceTester{
            &calls, QAbstractItemModelTester::FailureReportingMode::QtTest};
        QAbstractItemModelTester tester{&filter,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest};

        Fixture() { filter.setSourceModel(&calls); }
    };

    static QStringList ids(const CallFilterModel &model)
    {
        QStringList list;
        for (int row = 0; row < model.rowCount(); ++row)
            list.append(model.index(row, 0).data(CallTableModel::IdRole).toString());
        return list;
    }

    static QList<Call> sample()
    {
        Call a = makeCall(QStringLiteral("a"), 1, CallStatus::Completed);
        a.callerName = QStringLiteral("Ada Lovelace");
        a.durationS = 30;
        Call b = makeCall(QStringLiteral("b"), 2, CallStatus::Failed);
        b.provider = Provider::Retell;
        b.durationS = 5;
        Call t = makeCall(QStringLiteral("t"), 3, CallStatus::Completed);
        t.isTest = true;
        Call d = makeCall(QStringLiteral("d"), 4, CallStatus::InProgress);
        d.direction = Direction::Inbound;
        d.fromNumber = QStringLiteral("+442071234567");
        d.agentId = QStringLiteral("agent-2");
        d.durationS = 60;
        return {a, b, t, d};
    }

private Q_SLOTS:
    void testCallsHiddenByDefaultAndCounted()
    {
        Fixture f;
        QSignalSpy hidden(&f.filter, &CallFilterModel::hiddenTestCountChanged);
        f.calls.resetCalls(sample());
        f.filter.sort(CallTableModel::TimeColumn, Qt::DescendingOrder);
        QCOMPARE(ids(f.filter),
                 (QStringList{QStringLiteral("d"), QStringLiteral("b"), QStringLiteral("a")}));
        QCOMPARE(f.filter.hiddenTestCount(), 1);
        QCOMPARE(hidden.count(), 1);
        f.filter.setIncludeTestCalls(true);
        QCOMPARE(f.filter.rowCount(), 4);
        QCOMPARE(f.filter.hiddenTestCount(), 0);
        f.filter.setIncludeTestCalls(false);
        // A status filter that excludes the test call also stops counting it.
        f.filter.setStatusFilter({CallStatus::Failed});
        QCOMPARE(ids(f.filter), QStringList{QStringLiteral("b")});
        QCOMPARE(f.filter.hiddenTestCount(), 0);
    }

    void hiddenCountFollowsLiveUpdates()
    {
        Fixture f;
        f.calls.resetCalls(sample());
        QCOMPARE(f.filter.hiddenTestCount(), 1);
        Call t2 = makeCall(QStringLiteral("t2"), 9);
        t2.isTest = true;
        f.calls.applyBatch({t2});
        f.calls.flush();
        QCOMPARE(f.filter.hiddenTestCount(), 2);
        Call t = sample().at(2);
        t.isTest = false;
        f.calls.applyBatch({t}, {QStringLiteral("t2")});
        f.calls.flush();
        QCOMPARE(f.filter.hiddenTestCount(), 0);
        QCOMPARE(f.filter.rowCount(), 4);
    }

    void typedFilters()
    {
        Fixture f;
        f.calls.resetCalls(sample());
        f.filter.setProviderFilter(Provider::Retell);
        QCOMPARE(ids(f.filter), QStringList{QStringLiteral("b")});
        f.filter.clearFilters();
        f.filter.setDirectionFilter(Direction::Inbound);
        QCOMPARE(ids(f.filter), QStringList{QStringLiteral("d")});
        f.filter.clearFilters();
        f.filter.setAgentFilter(QStringLiteral("agent-2"));
        QCOMPARE(ids(f.filter), QStringList{QStringLiteral("d")});
        f.filter.clearFilters();
        f.filter.setDateRange(at(2), at(4));
        QCOMPARE(f.filter.rowCount(), 1); // b; t is a hidden test call
        QCOMPARE(f.filter.hiddenTestCount(), 1);
        f.filter.clearFilters();
        f.filter.setTextFilter(QStringLiteral("lovelace"));
        QCOMPARE(ids(f.filter), QStringList{QStringLiteral("a")});
        f.filter.setTextFilter(QStringLiteral("20 7123"));
        QCOMPARE(ids(f.filter), QStringList{QStringLiteral("d")});
        f.filter.setTextFilter(QStringLiteral("p-b"));
        QCOMPARE(ids(f.filter), QStringList{QStringLiteral("b")});
    }

    void sortsOnTypedValues()
    {
        Fixture f;
        QList<Call> calls = sample();
        calls[0].durationS = 100; // "100" sorts before "30" as text, after it as a number
        f.calls.resetCalls(calls);
        f.filter.sort(CallTableModel::DurationColumn, Qt::AscendingOrder);
        QCOMPARE(ids(f.filter),
                 (QStringList{QStringLiteral("b"), QStringLiteral("d"), QStringLiteral("a")}));
        f.filter.sort(CallTableModel::StatusColumn, Qt::AscendingOrder);
        QCOMPARE(ids(f.filter),
                 (QStringList{QStringLiteral("d"), QStringLiteral("a"), QStringLiteral("b")}));
    }

    void liveStatusChangeRefilters()
    {
        Fixture f;
        f.calls.resetCalls(sample());
        f.filter.setStatusFilter({CallStatus::InProgress});
        QCOMPARE(ids(f.filter), QStringList{QStringLiteral("d")});
        QSignalSpy removed(&f.filter, &QAbstractItemModel::rowsRemoved);
        QSignalSpy inserted(&f.filter, &QAbstractItemModel::rowsInserted);
        Call d = sample().at(3);
        d.status = CallStatus::Completed;
        Call a = sample().at(0);
        a.status = CallStatus::InProgress; // cannot happen on a server, but the proxy must follow
        f.calls.applyBatch({d, a});
        f.calls.flush();
        QCOMPARE(ids(f.filter), QStringList{QStringLiteral("a")});
        QCOMPARE(removed.count(), 1);
        QCOMPARE(inserted.count(), 1);
    }

    void newRowsLandInSortedPlace()
    {
        Fixture f;
        f.calls.resetCalls(sample());
        f.filter.sort(CallTableModel::TimeColumn, Qt::DescendingOrder);
        QSignalSpy inserted(&f.filter, &QAbstractItemModel::rowsInserted);
        QSignalSpy layout(&f.filter, &QAbstractItemModel::layoutChanged);
        f.calls.applyBatch({makeCall(QStringLiteral("n"), 10)});
        f.calls.flush();
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(inserted.at(0).at(1).toInt(), 0);
        QCOMPARE(inserted.at(0).at(2).toInt(), 0);
        QCOMPARE(f.filter.rowOf(QStringLiteral("n")), 0);
        // An update to an unsorted column neither moves rows nor re-sorts.
        Call b = sample().at(1);
        b.endReason = QStringLiteral("customer-busy");
        f.calls.applyBatch({b});
        f.calls.flush();
        QCOMPARE(layout.count(), 0);
        QCOMPARE(f.filter.callAt(f.filter.rowOf(QStringLiteral("b"))).endReason,
                 QStringLiteral("customer-busy"));
    }
};

QTEST_GUILESS_MAIN(TestCallFilterModel)
#include "tst_callfiltermodel.moc"
