#include "callnotifier.h"

#include "appsettings.h"
#include "icons.h"

#include "models/calltablemodel.h"

namespace cb {

CallNotifier::CallNotifier(CallTableModel *calls, AppSettings *settings, QObject *parent)
    : QObject(parent), m_calls(calls), m_settings(settings)
{
    connect(calls, &QAbstractItemModel::modelReset, this, &CallNotifier::snapshot);
    connect(calls, &QAbstractItemModel::rowsInserted, this,
            [this](const QModelIndex &, int first, int last) { inspect(first, last, true); });
    connect(calls, &QAbstractItemModel::dataChanged, this,
            [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                inspect(topLeft.row(), bottomRight.row(), true);
            });
    snapshot();
}

void CallNotifier::snapshot()
{
    m_seen.clear();
    if (m_calls->rowCount() > 0)
        inspect(0, m_calls->rowCount() - 1, false);
}

void CallNotifier::inspect(int first, int last, bool announce)
{
    for (int row = first; row <= last && row < m_calls->rowCount(); ++row) {
        const Call &call = m_calls->callAt(row);
        const auto it = m_seen.constFind(call.id);
        const bool known = it != m_seen.cend();
        const Seen before = known ? *it : Seen{call.status, call.stale};
        m_seen.insert(call.id, Seen{call.status, call.stale});
        if (!announce || call.isTest)
            continue;
        const QString who = call.callerName.isEmpty() ? call.customerNumber() : call.callerName;
        const bool newlyFailed =
            call.status == CallStatus::Failed && (!known || before.status != CallStatus::Failed);
        const bool newlyStale = call.stale && known && !before.stale;
        if (newlyFailed && m_settings->notifyFailed()) {
            Q_EMIT notify(tr("Call failed"),
                          call.endReason.isEmpty()
                              ? tr("Call with %1 failed.").arg(who)
                              : tr("Call with %1 failed: %2").arg(who, call.endReason),
                          call.id);
        } else if (newlyStale && m_settings->notifyStale()) {
            Q_EMIT notify(tr("Call went stale"),
                          tr("No update for the call with %1 (%2) within its state's timeout.")
                              .arg(who, ui::statusText(call.status)),
                          call.id);
        }
    }
}

} // namespace cb
