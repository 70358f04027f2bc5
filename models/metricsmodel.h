#pragma once

#include "core/metrics.h"

#include <QAbstractTableModel>

namespace cb {

/// The series behind the metrics charts, from `metrics:updated` (DESIGN §3, §5).
///
/// One row per minute of the last hour, oldest first; a column per status (counts of calls
/// started that minute, by current status) and a total. As the window slides, the minutes
/// that fall out are removed from the top and new ones appended at the bottom; counts that
/// change get dataChanged. The figures that are not series (answer rate, average duration,
/// cost, active calls, totals) are read from metrics() after summaryChanged().
class MetricsModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MetricsModel)

public:
    enum Column {
        MinuteColumn,
        FirstStatusColumn, ///< then one column per cb::CallStatus in declaration order
        TotalColumn = FirstStatusColumn + int(std::size(allCallStatuses)),
        ColumnCount
    };
    Q_ENUM(Column)

    enum Role {
        /// Numbers for charts: ms since epoch (minute column) or the count, as double.
        ValueRole = Qt::UserRole + 1,
        MinuteRole, ///< QDateTime of the row's minute
    };
    Q_ENUM(Role)

    explicit MetricsModel(QObject *parent = nullptr);
    ~MetricsModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    static int columnOf(CallStatus status) { return FirstStatusColumn + int(status); }

    const Metrics &metrics() const { return m_metrics; }
    bool hasMetrics() const { return m_metrics.at.isValid(); }

public Q_SLOTS:
    void setMetrics(const cb::Metrics &metrics);
    void clear();

Q_SIGNALS:
    void summaryChanged();

private:
    static int total(const StatusCounts &counts);

    Metrics m_metrics;
};

} // namespace cb
