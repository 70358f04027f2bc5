#include "models/calltablemodel.h"

#include "testcalls.h"

#include <QAbstractItemModelTester>
#include <QItemSelectionModel>
#include <QSignalSpy>
#include <QTest>

using namespace cb;
using namespace cb::test;

class TestCallTableModel : public QObject
{
    Q_OBJECT

private:
    struct Fixture
    {
        CallTableModel model;
        QAbstractItemModelTester tester{&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest};
        QSignalSpy inserted{&model, &QAbstractItemModel::rowsInserted};
        QSignalSpy removed{&model, &QAbstractItemModel::rowsRemoved};
        QSignalSpy changed{&model, &QAbstractItemModel::dataChanged};
        QSignalSpy reset{&model, &QAbstractItemModel::modelReset};
    };

    static QStringList ids(const CallTableModel &model)
    {
        QStringList list;
        for (int row = 0; row < model.rowCount(); ++row)
            list.append(model.callAt(row).id);
        return list;
    }

private Q_SLOTS:
    void columnsAndHeaders()
    {
        Fixture f;
        QCOMPARE(f.model.columnCount(), int(CallTableModel::ColumnCount));
        QCOMPARE(f.model.headerData(CallTableModel::StatusColumn, Qt::Horizontal).toString(),
                 QStringLiteral("Status"));
        QCOMPARE(f.model.rowCount(), 0);
    }

    void resetSortsNewestFirst()
    {
        Fixture f;
        f.model.resetCalls({makeCall(QStringLiteral("b"), 2), makeCall(QStringLiteral("a"), 1),
                            makeCall(QStringLiteral("c"), 3)});
        QCOMPARE(f.reset.count(), 1);
        QCOMPARE(ids(f.model),
                 (QStringList{QStringLiteral("c"), QStringLiteral("b"), QStringLiteral("a")}));
        QCOMPARE(f.model.rowOf(QStringLiteral("a")), 2);
        QCOMPARE(f.model.rowOf(QStringLiteral("zzz")), -1);
        QCOMPARE(f.inserted.count(), 0);
    }

    void batchIsQueuedThenOneInsertAtTop()
    {
        Fixture f;
        f.model.resetCalls({makeCall(QStringLiteral("a"), 1), makeCall(QStringLiteral("b"), 2)});
        f.model.applyBatch({makeCall(QStringLiteral("c"), 3), makeCall(QStringLiteral("d"), 4),
                            makeCall(QStringLiteral("e"), 5)});
        QCOMPARE(f.model.rowCount(), 2); // queued, not yet applied
        QCOMPARE(f.model.pendingCount(), 3);
        QTRY_COMPARE(f.model.rowCount(), 5); // the flush timer
        QCOMPARE(f.inserted.count(), 1);
        QCOMPARE(f.inserted.at(0).at(1).toInt(), 0);
        QCOMPARE(f.inserted.at(0).at(2).toInt(), 2);
        QCOMPARE(ids(f.model),
                 (QStringList{QStringLiteral("e"), QStringLiteral("d"), QStringLiteral("c"),
                              QStringLiteral("b"), QStringLiteral("a")}));
        QCOMPARE(f.model.rowOf(QStringLiteral("a")), 4);
        QCOMPARE(f.model.rowOf(QStringLiteral("e")), 0);
    }

    void oneInsertPerContiguousRange()
    {
        Fixture f;
        f.model.resetCalls(
            {makeCall(QStringLiteral("m10"), 10), makeCall(QStringLiteral("m20"), 20)});
        // Two new calls older than both rows, one between them, two newer: three ranges.
        f.model.applyBatch({makeCall(QStringLiteral("m1"), 1), makeCall(QStringLiteral("m30"), 30),
                            makeCall(QStringLiteral("m15"), 15), makeCall(QStringLiteral("m2"), 2),
                            makeCall(QStringLiteral("m31"), 31)});
        f.model.flush();
        QCOMPARE(ids(f.model),
                 (QStringList{QStringLiteral("m31"), QStringLiteral("m30"), QStringLiteral("m20"),
                              QStringLiteral("m15"), QStringLiteral("m10"), QStringLiteral("m2"),
                              QStringLiteral("m1")}));
        QCOMPARE(f.inserted.count(), 3);
        // Emitted top first: [0,1] into 2 rows; [3,3] (m15 below m20); [5,6] at the bottom.
        QCOMPARE(f.inserted.at(0).at(1).toInt(), 0);
        QCOMPARE(f.inserted.at(0).at(2).toInt(), 1);
        QCOMPARE(f.inserted.at(1).at(1).toInt(), 3);
        QCOMPARE(f.inserted.at(1).at(2).toInt(), 3);
        QCOMPARE(f.inserted.at(2).at(1).toInt(), 5);
        QCOMPARE(f.inserted.at(2).at(2).toInt(), 6);
        for (int row = 0; row < f.model.rowCount(); ++row)
            QCOMPARE(f.model.rowOf(f.model.callAt(row).id), row);
    }

    void updateEmitsDataChangedWithRolesAndNeverMoves()
    {
        Fixture f;
        f.model.resetCalls({makeCall(QStringLiteral("a"), 1), makeCall(QStringLiteral("b"), 2),
                            makeCall(QStringLiteral("c"), 3)});
        Call b = f.model.callAt(1);
        b.status = CallStatus::Completed;
        b.durationS = 42;
        b.seq = 2;
        f.model.applyBatch({b});
        f.model.flush();
        QCOMPARE(f.inserted.count(), 0);
        QCOMPARE(f.removed.count(), 0);
        QCOMPARE(f.reset.count(), 1);
        QCOMPARE(f.changed.count(), 1);
        const QModelIndex tl = f.changed.at(0).at(0).value<QModelIndex>();
        const QModelIndex br = f.changed.at(0).at(1).value<QModelIndex>();
        const auto roles = f.changed.at(0).at(2).value<QList<int>>();
        QCOMPARE(tl.row(), 1);
        QCOMPARE(br.row(), 1);
        QCOMPARE(tl.column(), int(CallTableModel::StatusColumn));
        QCOMPARE(br.column(), int(CallTableModel::DurationColumn));
        QVERIFY(roles.contains(Qt::DisplayRole));
        QVERIFY(roles.contains(CallTableModel::StatusColorRole));
        QVERIFY(roles.contains(CallTableModel::SortRole));
        QVERIFY(!roles.contains(Qt::BackgroundRole));
        QCOMPARE(f.model.index(1, CallTableModel::StatusColumn).data().toString(),
                 QStringLiteral("Completed"));
        QCOMPARE(f.model.index(1, CallTableModel::DurationColumn).data().toString(),
                 QStringLiteral("0:42"));
        QCOMPARE(f.model.index(1, CallTableModel::DurationColumn)
                     .data(CallTableModel::SortRole)
                     .toDouble(),
                 42.0);

        // An identical call changes nothing.
        f.model.applyBatch({b});
        f.model.flush();
        QCOMPARE(f.changed.count(), 1);
    }

    void adjacentUpdatesShareOneSignal()
    {
        Fixture f;
        QList<Call> calls;
        for (int i = 0; i < 10; ++i)
            calls.append(makeCall(QStringLiteral("c%1").arg(i), i));
        f.model.resetCalls(calls);
        QList<Call> updates;
        for (int minute : {8, 7, 6, 2}) { // rows 1,2,3 and 7
            Call c = calls.at(minute);
            c.endReason = QStringLiteral("hangup");
            updates.append(c);
        }
        f.model.applyBatch(updates);
        f.model.flush();
        QCOMPARE(f.changed.count(), 2);
        QCOMPARE(f.changed.at(0).at(0).value<QModelIndex>().row(), 1);
        QCOMPARE(f.changed.at(0).at(1).value<QModelIndex>().row(), 3);
        QCOMPARE(f.changed.at(0).at(0).value<QModelIndex>().column(),
                 int(CallTableModel::EndReasonColumn));
        QCOMPARE(f.changed.at(1).at(0).value<QModelIndex>().row(), 7);
        QCOMPARE(f.changed.at(1).at(1).value<QModelIndex>().row(), 7);
    }

    void removalsInRanges()
    {
        Fixture f;
        QList<Call> calls;
        for (int i = 0; i < 6; ++i)
            calls.append(makeCall(QStringLiteral("c%1").arg(i), i));
        f.model.resetCalls(calls); // rows: c5 c4 c3 c2 c1 c0
        f.model.applyBatch({},
                           {QStringLiteral("c4"), QStringLiteral("c3"), QStringLiteral("c0"),
                            QStringLiteral("unknown")});
        f.model.flush();
        QCOMPARE(f.removed.count(), 2);
        QCOMPARE(f.removed.at(0).at(1).toInt(), 1);
        QCOMPARE(f.removed.at(0).at(2).toInt(), 2);
        QCOMPARE(f.removed.at(1).at(1).toInt(), 3);
        QCOMPARE(f.removed.at(1).at(2).toInt(), 3);
        QCOMPARE(ids(f.model),
                 (QStringList{QStringLiteral("c5"), QStringLiteral("c2"), QStringLiteral("c1")}));
        QCOMPARE(f.model.rowOf(QStringLiteral("c1")), 2);
        QVERIFY(!f.model.contains(QStringLiteral("c4")));
    }

    void lastQueuedValueWinsAndRemoveCancelsInsert()
    {
        Fixture f;
        Call a = makeCall(QStringLiteral("a"), 1);
        Call a2 = a;
        a2.status = CallStatus::Ringing;
        f.model.applyBatch({a, makeCall(QStringLiteral("b"), 2)});
        f.model.applyBatch({a2}, {QStringLiteral("b")});
        f.model.flush();
        QCOMPARE(f.inserted.count(), 1);
        QCOMPARE(f.model.rowCount(), 1);
        QCOMPARE(f.model.callAt(0).status, CallStatus::Ringing);
    }

    void emptyBatchSendsNothing()
    {
        Fixture f;
        QSignalSpy flushed(&f.model, &CallTableModel::flushed);
        f.model.applyBatch({}, {});
        f.model.applyBatch({}, {QStringLiteral("nope")});
        f.model.flush();
        QCOMPARE(f.inserted.count(), 0);
        QCOMPARE(f.removed.count(), 0);
        QCOMPARE(f.changed.count(), 0);
        QCOMPARE(flushed.count(), 0);
    }

    void selectionSurvivesUpdatesAndInserts()
    {
        Fixture f;
        f.model.resetCalls({makeCall(QStringLiteral("a"), 1), makeCall(QStringLiteral("b"), 2),
                            makeCall(QStringLiteral("c"), 3)});
        QItemSelectionModel selection(&f.model);
        selection.select(f.model.index(1, 0),
                         QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        Call b = f.model.callAt(1);
        b.status = CallStatus::Failed;
        f.model.applyBatch({b, makeCall(QStringLiteral("d"), 4), makeCall(QStringLiteral("e"), 5)});
        f.model.flush();
        const QModelIndexList rows = selection.selectedRows();
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows.first().row(), 3);
        QCOMPARE(rows.first().data(CallTableModel::IdRole).toString(), QStringLiteral("b"));
    }

    void rolesAreTyped()
    {
        Fixture f;
        Call c = makeCall(QStringLiteral("x"), 1, CallStatus::Failed);
        c.isTest = true;
        c.stale = true;
        c.costCents = 31;
        c.currency = QStringLiteral("USD");
        c.callerName = QStringLiteral("Ada");
        f.model.resetCalls({c});
        const QModelIndex status = f.model.index(0, CallTableModel::StatusColumn);
        QCOMPARE(status.data(CallTableModel::StatusRole).toInt(), int(CallStatus::Failed));
        QCOMPARE(status.data(CallTableModel::StatusIconNameRole).toString(),
                 QStringLiteral("call-status-failed"));
        QCOMPARE(status.data(CallTableModel::StatusColorRole).value<QColor>(),
                 CallTableModel::statusColor(CallStatus::Failed));
        QCOMPARE(
            f.model.index(0, CallTableModel::TimeColumn).data(CallTableModel::SortRole).userType(),
            QMetaType::LongLong);
        QCOMPARE(f.model.index(0, CallTableModel::CostColumn).data().toString(),
                 QStringLiteral("$0.31"));
        QCOMPARE(f.model.index(0, CallTableModel::CallerColumn).data().toString(),
                 QStringLiteral("Ada"));
        QCOMPARE(f.model.index(0, CallTableModel::FlagsColumn).data().toString(),
                 QStringLiteral("test, stale"));
        const int flags = f.model.index(0, 0).data(CallTableModel::FlagsRole).toInt();
        QVERIFY(flags & CallTableModel::TestFlag);
        QVERIFY(flags & CallTableModel::StaleFlag);
        QVERIFY(f.model.index(0, 3).data(Qt::BackgroundRole).isValid());
        QCOMPARE(f.model.index(0, 0).data(CallTableModel::CallRole).value<Call>(), c);
    }

    void agentNamesChangeOneColumn()
    {
        Fixture f;
        f.model.resetCalls({makeCall(QStringLiteral("a"), 1), makeCall(QStringLiteral("b"), 2)});
        f.model.setAgentNames({{QStringLiteral("agent-1"), QStringLiteral("Sales bot")}});
        QCOMPARE(f.changed.count(), 1);
        QCOMPARE(f.changed.at(0).at(0).value<QModelIndex>().column(),
                 int(CallTableModel::AgentColumn));
        QCOMPARE(f.changed.at(0).at(1).value<QModelIndex>().row(), 1);
        QCOMPARE(f.model.index(0, CallTableModel::AgentColumn).data().toString(),
                 QStringLiteral("Sales bot"));
    }

    void manyUpdatesBecomeOneWholeTableChange()
    {
        Fixture f;
        QList<Call> calls;
        for (int i = 0; i < 20; ++i)
            calls.append(makeCall(QStringLiteral("c%1").arg(i), i));
        f.model.resetCalls(calls);
        QList<Call> updates;
        for (int i = 0; i < 20; i += 2) {
            Call c = calls.at(i);
            c.stale = true;
            updates.append(c);
        }
        updates.append([&] {
            Call c = calls.at(1);
            c.stale = true;
            return c;
        }());
        f.model.applyBatch(updates);
        f.model.flush();
        QCOMPARE(f.changed.count(), 1);
        QCOMPARE(f.changed.at(0).at(0).value<QModelIndex>(), f.model.index(0, 0));
        QCOMPARE(f.changed.at(0).at(1).value<QModelIndex>(),
                 f.model.index(19, CallTableModel::ColumnCount - 1));
    }
};

QTEST_GUILESS_MAIN(TestCallTableModel)
#include "tst_calltablemodel.moc"
