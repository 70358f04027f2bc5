#pragma once

#include "core/call.h"

#include <QDateTime>
#include <QList>
#include <QSortFilterProxyModel>

#include <optional>
#include <vector>

namespace cb {

class CallTableModel;

/// The typed filter and sort proxy over a CallTableModel (DESIGN §5).
///
/// Filters: status set, agent, provider, direction, creation-time range, text over the
/// numbers, caller name and ids, and test calls (hidden by default; hiddenTestCount() says
/// how many the other filters would show). Sorting compares typed values, never display
/// strings. Rows that only change unsorted columns are not re-sorted: the source model emits
/// dataChanged for the changed columns only.
class CallFilterModel final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CallFilterModel)
    Q_PROPERTY(int hiddenTestCount READ hiddenTestCount NOTIFY hiddenTestCountChanged)

public:
    explicit CallFilterModel(QObject *parent = nullptr);
    ~CallFilterModel() override;

    void setSourceModel(QAbstractItemModel *model) override;

    /// Empty shows every status.
    void setStatusFilter(const QList<CallStatus> &statuses);
    QList<CallStatus> statusFilter() const;
    /// Empty shows every agent.
    void setAgentFilter(const QString &agentId);
    QString agentFilter() const { return m_agentId; }
    void setProviderFilter(std::optional<Provider> provider);
    std::optional<Provider> providerFilter() const { return m_provider; }
    void setDirectionFilter(std::optional<Direction> direction);
    std::optional<Direction> directionFilter() const { return m_direction; }
    /// Creation time in [from, to); an invalid bound is open.
    void setDateRange(const QDateTime &from, const QDateTime &to);
    QDateTime dateFrom() const { return m_from; }
    QDateTime dateTo() const { return m_to; }
    /// Case-insensitive substring of the numbers, caller name, call id or provider call id;
    /// digits also match numbers typed with spaces or dashes ("415 555").
    void setTextFilter(const QString &text);
    QString textFilter() const { return m_text; }
    void setIncludeTestCalls(bool include);
    bool includeTestCalls() const { return m_includeTest; }
    /// Clears every filter but the test-call one.
    void clearFilters();

    /// Test calls that pass every other filter but are hidden because test calls are off.
    int hiddenTestCount() const { return m_hiddenTestCount; }

    /// The call at a row of this model.
    const Call &callAt(int row) const;
    /// The row of a call in this model, or -1.
    int rowOf(const QString &callId) const;

    /// Whether @p call passes every filter but the test-call one.
    bool matchesOtherFilters(const Call &call) const;

Q_SIGNALS:
    void hiddenTestCountChanged(int count);
    void filtersChanged();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    void filtersUpdated();
    void recountAll();
    void onRowsInserted(const QModelIndex &parent, int first, int last);
    void onRowsRemoved(const QModelIndex &parent, int first, int last);
    void onDataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight);
    void setHiddenCount(int count);
    bool hiddenTest(const Call &call) const
    {
        return !m_includeTest && call.isTest && matchesOtherFilters(call);
    }
    bool textMatches(const Call &call) const;

    CallTableModel *m_calls = nullptr;
    quint32 m_statusMask = 0; ///< bit per CallStatus; 0 = all
    QString m_agentId;
    std::optional<Provider> m_provider;
    std::optional<Direction> m_direction;
    QDateTime m_from;
    QDateTime m_to;
    QString m_text;
    QString m_textDigits;
    bool m_includeTest = false;

    std::vector<char> m_hidden; ///< per source row: a test call hidden only by the test filter
    int m_hiddenTestCount = 0;
    QList<QMetaObject::Connection> m_sourceConnections;
};

} // namespace cb
