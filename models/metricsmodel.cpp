#include "metricsmodel.h"

#include "calltablemodel.h"

namespace cb {

MetricsModel::MetricsModel(QObject *parent) : QAbstractTableModel(parent) { }

MetricsModel::~MetricsModel() = default;

int MetricsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_metrics.perMinute.size());
}

int MetricsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

int MetricsModel::total(const StatusCounts &counts)
{
    int sum = 0;
    for (int c : counts)
        sum += c;
    return sum;
}

QVariant MetricsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const MetricsMinute &minute = m_metrics.perMinute.at(index.row());
    const int column = index.column();
    if (role == MinuteRole)
        return minute.minute;
    if (role == Qt::DisplayRole || role == ValueRole) {
        if (column == MinuteColumn) {
            if (role == ValueRole)
                return double(minute.minute.toMSecsSinceEpoch());
            return minute.minute.toLocalTime().toString(QStringLiteral("HH:mm"));
        }
        const int count = column == TotalColumn ? total(minute.counts)
                                                : minute.counts[size_t(column - FirstStatusColumn)];
        return role == ValueRole ? QVariant(double(count)) : QVariant(count);
    }
    return {};
}

QVariant MetricsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (section == MinuteColumn)
        return tr("Minute");
    if (section == TotalColumn)
        return tr("Total");
    if (section >= FirstStatusColumn && section < TotalColumn)
        return CallTableModel::statusText(allCallStatuses[section - FirstStatusColumn]);
    return {};
}

void MetricsModel::setMetrics(const Metrics &metrics)
{
    const QList<MetricsMinute> &old = m_metrics.perMinute;
    const QList<MetricsMinute> &next = metrics.perMinute;

    // Slide the window when the new minutes continue the old ones; otherwise start over.
    qsizetype drop = 0;
    while (drop < old.size() && !next.isEmpty() && old.at(drop).minute < next.first().minute)
        ++drop;
    bool aligned = metrics.orgId == m_metrics.orgId;
    const qsizetype overlap = old.size() - drop;
    if (aligned && overlap > next.size())
        aligned = false;
    for (qsizetype i = 0; aligned && i < overlap; ++i)
        aligned = old.at(drop + i).minute == next.at(i).minute;
    if (!aligned || next.isEmpty()) {
        beginResetModel();
        m_metrics = metrics;
        endResetModel();
        Q_EMIT summaryChanged();
        return;
    }

    if (drop > 0) {
        beginRemoveRows({}, 0, int(drop) - 1);
        m_metrics.perMinute.remove(0, drop);
        endRemoveRows();
    }
    int firstChanged = -1;
    int lastChanged = -1;
    for (qsizetype i = 0; i < overlap; ++i) {
        if (m_metrics.perMinute.at(i).counts != next.at(i).counts) {
            m_metrics.perMinute[i].counts = next.at(i).counts;
            if (firstChanged < 0)
                firstChanged = int(i);
            lastChanged = int(i);
        }
    }
    if (firstChanged >= 0)
        Q_EMIT dataChanged(index(firstChanged, FirstStatusColumn), index(lastChanged, TotalColumn),
                           {Qt::DisplayRole, ValueRole});
    if (next.size() > overlap) {
        beginInsertRows({}, int(overlap), int(next.size()) - 1);
        m_metrics.perMinute = next;
        endInsertRows();
    }
    m_metrics = metrics;
    Q_EMIT summaryChanged();
}

void MetricsModel::clear()
{
    setMetrics(Metrics{});
}

} // namespace cb
