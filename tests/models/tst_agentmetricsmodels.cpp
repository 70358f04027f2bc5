#include "models/agentmodel.h"
#include "models/metricsmodel.h"

#include "testcalls.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace cb;
using namespace cb::test;

class TestAgentMetricsModels : public QObject
{
    Q_OBJECT

    static Agent agent(const QString &id, WebhookState state)
    {
        Agent a;
        a.id = id;
        a.name = QStringLiteral("Agent ") + id;
        a.provider = Provider::Bolna;
        a.webhookState = state;
        return a;
    }

    static Metrics metrics(int firstMinute, int count, int completedInLast = 1)
    {
        Metrics m;
        m.orgId = QStringLiteral("org-1");
        m.at = at(firstMinute + count);
        for (int i = 0; i < count; ++i) {
            MetricsMinute minute;
            minute.minute = at(firstMinute + i);
            countOf(minute.counts, CallStatus::Completed) = i == count - 1 ? completedInLast : 1;
            m.perMinute.append(minute);
        }
        m.answerRate = 0.5;
        return m;
    }

private Q_SLOTS:
    void agentsMergeById()
    {
        AgentModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setAgents({agent(QStringLiteral("1"), WebhookState::Synced),
                         agent(QStringLiteral("2"), WebhookState::Missing),
                         agent(QStringLiteral("3"), WebhookState::Error)});
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(inserted.at(0).at(2).toInt(), 2);
        model.setAgents({agent(QStringLiteral("1"), WebhookState::Synced),
                         agent(QStringLiteral("3"), WebhookState::Synced),
                         agent(QStringLiteral("4"), WebhookState::Differs)});
        QCOMPARE(removed.count(), 1);
        QCOMPARE(removed.at(0).at(1).toInt(), 1);
        QCOMPARE(removed.at(0).at(2).toInt(), 1);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).value<QModelIndex>().row(), 1);
        QCOMPARE(inserted.count(), 2);
        QCOMPARE(inserted.at(1).at(1).toInt(), 2);
        QCOMPARE(model.syncedAgents().size(), 2);
        QCOMPARE(model.index(2, AgentModel::WebhookColumn).data().toString(),
                 QStringLiteral("Webhook differs"));
        model.setSyncing(QStringLiteral("4"), true);
        QCOMPARE(model.index(2, AgentModel::WebhookColumn).data(AgentModel::SyncingRole).toBool(),
                 true);
        QCOMPARE(changed.count(), 2);
        QCOMPARE(model.names().value(QStringLiteral("3")), QStringLiteral("Agent 3"));
    }

    void metricsWindowSlides()
    {
        MetricsModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy summary(&model, &MetricsModel::summaryChanged);
        model.setMetrics(metrics(0, 60));
        QCOMPARE(reset.count(), 1);
        QCOMPARE(model.rowCount(), 60);
        // One minute later: minute 0 falls out, minute 60 comes in, minute 59 got a second call.
        Metrics next = metrics(1, 60);
        countOf(next.perMinute[58].counts, CallStatus::Completed) = 2;
        model.setMetrics(next);
        QCOMPARE(reset.count(), 1);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(removed.at(0).at(1).toInt(), 0);
        QCOMPARE(removed.at(0).at(2).toInt(), 0);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).value<QModelIndex>().row(), 58);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(inserted.at(0).at(1).toInt(), 59);
        QCOMPARE(inserted.at(0).at(2).toInt(), 59);
        QCOMPARE(model.rowCount(), 60);
        QCOMPARE(model.index(58, MetricsModel::columnOf(CallStatus::Completed)).data().toInt(), 2);
        QCOMPARE(
            model.index(58, MetricsModel::TotalColumn).data(MetricsModel::ValueRole).toDouble(),
            2.0);
        QCOMPARE(model.metrics().answerRate, 0.5);
        QCOMPARE(summary.count(), 2);
        // Another org: a reset.
        Metrics other = metrics(1, 3);
        other.orgId = QStringLiteral("org-2");
        model.setMetrics(other);
        QCOMPARE(reset.count(), 2);
        QCOMPARE(model.rowCount(), 3);
    }
};

QTEST_GUILESS_MAIN(TestAgentMetricsModels)
#include "tst_agentmetricsmodels.moc"
