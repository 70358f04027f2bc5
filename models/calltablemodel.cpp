#include "calltablemodel.h"

#include "logging.h"

#include <algorithm>

namespace cb {

namespace {

qint64 timeKey(const Call &call)
{
    if (call.createdAt.isValid())
        return call.createdAt.toMSecsSinceEpoch();
    if (call.updatedAt.isValid())
        return call.updatedAt.toMSecsSinceEpoch();
    return 0;
}

/// Sorts statuses by progress first, so terminal states group together after live ones.
int statusOrder(CallStatus status)
{
    return rank(status) * 16 + int(status);
}

template<typename T>
int threeWay(const T &a, const T &b)
{
    return a < b ? -1 : (b < a ? 1 : 0);
}

const QList<int> &allDisplayRoles()
{
    static const QList<int> roles{Qt::DisplayRole,
                                  Qt::ToolTipRole,
                                  Qt::DecorationRole,
                                  Qt::ForegroundRole,
                                  Qt::BackgroundRole,
                                  CallTableModel::SortRole,
                                  CallTableModel::CallRole,
                                  CallTableModel::StatusRole,
                                  CallTableModel::StatusColorRole,
                                  CallTableModel::StatusIconNameRole,
                                  CallTableModel::FlagsRole,
                                  CallTableModel::SeqRole,
                                  CallTableModel::CreatedAtRole};
    return roles;
}

} // namespace

CallTableModel::CallTableModel(QObject *parent) : QAbstractTableModel(parent)
{
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(30);
    connect(&m_flushTimer, &QTimer::timeout, this, &CallTableModel::flush);
}

CallTableModel::~CallTableModel() = default;

int CallTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int CallTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

const Call &CallTableModel::callAt(int row) const
{
    return m_rows[size_t(internalIndex(row))];
}

int CallTableModel::rowOf(const QString &callId) const
{
    const auto it = m_index.constFind(callId);
    return it == m_index.constEnd() ? -1 : displayRow(*it);
}

QModelIndex CallTableModel::indexOf(const QString &callId, int column) const
{
    const int row = rowOf(callId);
    return row < 0 ? QModelIndex() : index(row, column);
}

void CallTableModel::setFlushInterval(int ms)
{
    m_flushTimer.setInterval(ms);
}

void CallTableModel::setAgentNames(const QHash<QString, QString> &names)
{
    if (names == m_agentNames)
        return;
    m_agentNames = names;
    if (!m_rows.empty())
        Q_EMIT dataChanged(index(0, AgentColumn), index(rowCount() - 1, AgentColumn),
                           {Qt::DisplayRole, Qt::ToolTipRole, SortRole});
}

QString CallTableModel::agentName(const QString &agentId) const
{
    const QString name = m_agentNames.value(agentId);
    return name.isEmpty() ? agentId : name;
}

CallTableModel::CallFlags CallTableModel::flagsOf(const Call &call)
{
    CallFlags flags;
    flags.setFlag(TestFlag, call.isTest);
    flags.setFlag(StaleFlag, call.stale);
    flags.setFlag(VoicemailFlag, call.voicemail);
    flags.setFlag(FinalizedFlag, call.finalized);
    return flags;
}

QColor CallTableModel::statusColor(CallStatus status)
{
    switch (status) {
    case CallStatus::Queued:
        return QColor(0x75, 0x75, 0x75);
    case CallStatus::Initiated:
        return QColor(0x5c, 0x6b, 0xc0);
    case CallStatus::Ringing:
        return QColor(0x1e, 0x88, 0xe5);
    case CallStatus::InProgress:
        return QColor(0x00, 0x89, 0x7b);
    case CallStatus::Completed:
        return QColor(0x2e, 0x7d, 0x32);
    case CallStatus::Busy:
        return QColor(0xef, 0x6c, 0x00);
    case CallStatus::NoAnswer:
        return QColor(0xf9, 0xa8, 0x25);
    case CallStatus::Failed:
        return QColor(0xc6, 0x28, 0x28);
    case CallStatus::Canceled:
        return QColor(0x61, 0x61, 0x61);
    }
    return {};
}

QString CallTableModel::statusIconName(CallStatus status)
{
    QString name = wireName(status);
    name.replace(u'_', u'-');
    return QStringLiteral("call-status-") + name;
}

QString CallTableModel::statusText(CallStatus status)
{
    switch (status) {
    case CallStatus::Queued:
        return tr("Queued");
    case CallStatus::Initiated:
        return tr("Initiated");
    case CallStatus::Ringing:
        return tr("Ringing");
    case CallStatus::InProgress:
        return tr("In progress");
    case CallStatus::Completed:
        return tr("Completed");
    case CallStatus::Busy:
        return tr("Busy");
    case CallStatus::NoAnswer:
        return tr("No answer");
    case CallStatus::Failed:
        return tr("Failed");
    case CallStatus::Canceled:
        return tr("Canceled");
    }
    return {};
}

QString CallTableModel::directionText(const std::optional<Direction> &direction)
{
    if (!direction)
        return {};
    switch (*direction) {
    case Direction::Inbound:
        return tr("Inbound");
    case Direction::Outbound:
        return tr("Outbound");
    case Direction::Web:
        return tr("Web");
    }
    return {};
}

QString CallTableModel::providerText(Provider provider)
{
    switch (provider) {
    case Provider::Bolna:
        return QStringLiteral("Bolna");
    case Provider::Vapi:
        return QStringLiteral("Vapi");
    case Provider::Retell:
        return QStringLiteral("Retell");
    }
    return {};
}

QString CallTableModel::durationText(const std::optional<double> &seconds)
{
    if (!seconds || *seconds < 0)
        return {};
    const qint64 total = qint64(*seconds + 0.5);
    const qint64 h = total / 3600;
    const qint64 m = (total / 60) % 60;
    const qint64 s = total % 60;
    if (h > 0)
        return QStringLiteral("%1:%2:%3")
            .arg(h)
            .arg(m, 2, 10, QChar(u'0'))
            .arg(s, 2, 10, QChar(u'0'));
    return QStringLiteral("%1:%2").arg(m).arg(s, 2, 10, QChar(u'0'));
}

QString CallTableModel::costText(const std::optional<double> &cents, const QString &currency)
{
    if (!cents)
        return {};
    const QString amount = QString::number(*cents / 100.0, 'f', 2);
    if (currency.isEmpty() || currency.compare(u"usd", Qt::CaseInsensitive) == 0)
        return u'$' + amount;
    return amount + u' ' + currency.toUpper();
}

QString CallTableModel::flagsText(CallFlags flags)
{
    QStringList parts;
    if (flags.testFlag(TestFlag))
        parts.append(tr("test"));
    if (flags.testFlag(StaleFlag))
        parts.append(tr("stale"));
    if (flags.testFlag(VoicemailFlag))
        parts.append(tr("voicemail"));
    return parts.join(QStringLiteral(", "));
}

bool CallTableModel::keyLess(const Call &a, const Call &b)
{
    const qint64 ka = timeKey(a);
    const qint64 kb = timeKey(b);
    return ka != kb ? ka < kb : a.id < b.id;
}

int CallTableModel::compare(const Call &a, const Call &b, int column) const
{
    const int result = compareColumn(a, b, column);
    if (result != 0)
        return result;
    const int byTime = threeWay(timeKey(a), timeKey(b));
    return byTime != 0 ? byTime : threeWay(a.id, b.id);
}

int CallTableModel::compareColumn(const Call &a, const Call &b, int column) const
{
    int result = 0;
    switch (column) {
    case TimeColumn:
        break;
    case StatusColumn:
        result = threeWay(statusOrder(a.status), statusOrder(b.status));
        break;
    case DirectionColumn:
        result =
            threeWay(a.direction ? int(*a.direction) : -1, b.direction ? int(*b.direction) : -1);
        break;
    case CallerColumn: {
        const QString &ca = a.callerName.isEmpty() ? a.customerNumber() : a.callerName;
        const QString &cb = b.callerName.isEmpty() ? b.customerNumber() : b.callerName;
        result = ca.compare(cb, Qt::CaseInsensitive);
        break;
    }
    case NumberColumn:
        result = a.customerNumber().compare(b.customerNumber());
        break;
    case AgentColumn:
        result = agentName(a.agentId).compare(agentName(b.agentId), Qt::CaseInsensitive);
        break;
    case ProviderColumn:
        result = threeWay(int(a.provider), int(b.provider));
        break;
    case DurationColumn:
        result = threeWay(a.durationS.value_or(-1), b.durationS.value_or(-1));
        break;
    case CostColumn:
        result = threeWay(a.costCents.value_or(-1), b.costCents.value_or(-1));
        break;
    case EndReasonColumn:
        result = a.endReason.compare(b.endReason);
        break;
    case FlagsColumn:
        result = threeWay(int(flagsOf(a)), int(flagsOf(b)));
        break;
    default:
        break;
    }
    return result < 0 ? -1 : (result > 0 ? 1 : 0);
}

int CallTableModel::compareRows(int leftRow, int rightRow, int column) const
{
    const int result =
        column == TimeColumn ? 0 : compareColumn(callAt(leftRow), callAt(rightRow), column);
    return result != 0 ? result : threeWay(internalIndex(leftRow), internalIndex(rightRow));
}

QVariant CallTableModel::sortValue(const Call &call, int column) const
{
    switch (column) {
    case TimeColumn:
        return timeKey(call);
    case StatusColumn:
        return statusOrder(call.status);
    case DirectionColumn:
        return call.direction ? int(*call.direction) : -1;
    case CallerColumn:
        return (call.callerName.isEmpty() ? call.customerNumber() : call.callerName).toCaseFolded();
    case NumberColumn:
        return call.customerNumber();
    case AgentColumn:
        return agentName(call.agentId).toCaseFolded();
    case ProviderColumn:
        return int(call.provider);
    case DurationColumn:
        return call.durationS.value_or(-1);
    case CostColumn:
        return call.costCents.value_or(-1);
    case EndReasonColumn:
        return call.endReason;
    case FlagsColumn:
        return int(flagsOf(call));
    default:
        return {};
    }
}

QVariant CallTableModel::displayValue(const Call &call, int column) const
{
    switch (column) {
    case TimeColumn:
        return call.createdAt.isValid()
            ? call.createdAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
            : QString();
    case StatusColumn:
        return statusText(call.status);
    case DirectionColumn:
        return directionText(call.direction);
    case CallerColumn:
        return call.callerName.isEmpty() ? call.customerNumber() : call.callerName;
    case NumberColumn:
        return call.customerNumber();
    case AgentColumn:
        return agentName(call.agentId);
    case ProviderColumn:
        return providerText(call.provider);
    case DurationColumn:
        return durationText(call.durationS);
    case CostColumn:
        return costText(call.costCents, call.currency);
    case EndReasonColumn:
        return call.endReason;
    case FlagsColumn:
        return flagsText(flagsOf(call));
    default:
        return {};
    }
}

QVariant CallTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Call &call = callAt(index.row());
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return displayValue(call, column);
    case Qt::ToolTipRole:
        if (column == TimeColumn && call.createdAt.isValid())
            return call.createdAt.toLocalTime().toString(Qt::ISODateWithMs);
        if (column == StatusColumn && !call.rawStatus.isEmpty())
            return tr("%1 (provider: %2)").arg(statusText(call.status), call.rawStatus);
        if (column == StatusColumn && call.stale)
            return tr("%1 — no update within its state's timeout").arg(statusText(call.status));
        return {};
    case Qt::DecorationRole:
        return column == StatusColumn ? QVariant(statusColor(call.status)) : QVariant();
    case Qt::ForegroundRole:
        return column == StatusColumn ? QVariant(statusColor(call.status)) : QVariant();
    case Qt::BackgroundRole:
        return call.stale ? QVariant(QColor(0xff, 0xf3, 0xcd)) : QVariant();
    case Qt::TextAlignmentRole:
        if (column == DurationColumn || column == CostColumn)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        return {};
    case SortRole:
        return sortValue(call, column);
    case CallRole:
        return QVariant::fromValue(call);
    case IdRole:
        return call.id;
    case StatusRole:
        return int(call.status);
    case StatusColorRole:
        return statusColor(call.status);
    case StatusIconNameRole:
        return statusIconName(call.status);
    case FlagsRole:
        return int(flagsOf(call));
    case SeqRole:
        return call.seq;
    case CreatedAtRole:
        return call.createdAt;
    default:
        return {};
    }
}

QVariant CallTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case StatusColumn:
        return tr("Status");
    case DirectionColumn:
        return tr("Direction");
    case CallerColumn:
        return tr("Caller");
    case NumberColumn:
        return tr("Number");
    case AgentColumn:
        return tr("Agent");
    case ProviderColumn:
        return tr("Provider");
    case DurationColumn:
        return tr("Duration");
    case CostColumn:
        return tr("Cost");
    case EndReasonColumn:
        return tr("End reason");
    case FlagsColumn:
        return tr("Flags");
    default:
        return {};
    }
}

QHash<int, QByteArray> CallTableModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(SortRole, "sortValue");
    names.insert(CallRole, "call");
    names.insert(IdRole, "callId");
    names.insert(StatusRole, "status");
    names.insert(StatusColorRole, "statusColor");
    names.insert(StatusIconNameRole, "statusIconName");
    names.insert(FlagsRole, "flags");
    names.insert(SeqRole, "seq");
    names.insert(CreatedAtRole, "createdAt");
    return names;
}

void CallTableModel::applyBatch(const QList<Call> &upserts, const QStringList &removedIds)
{
    for (const Call &call : upserts) {
        if (call.id.isEmpty())
            continue;
        m_pendingRemovals.remove(call.id);
        const auto it = m_pendingIndex.constFind(call.id);
        if (it != m_pendingIndex.constEnd()) {
            m_pending[*it] = call;
        } else {
            m_pendingIndex.insert(call.id, m_pending.size());
            m_pending.append(call);
        }
    }
    for (const QString &id : removedIds) {
        if (m_pendingIndex.contains(id)) {
            // Dropping from the middle of m_pending would shift the index; mark it instead.
            m_pending[m_pendingIndex.value(id)].id.clear();
            m_pendingIndex.remove(id);
        }
        if (m_index.contains(id))
            m_pendingRemovals.insert(id);
    }
    if ((!m_pending.isEmpty() || !m_pendingRemovals.isEmpty()) && !m_flushTimer.isActive())
        m_flushTimer.start();
}

void CallTableModel::resetCalls(const QList<Call> &calls)
{
    m_flushTimer.stop();
    m_pending.clear();
    m_pendingIndex.clear();
    m_pendingRemovals.clear();

    beginResetModel();
    m_rows.clear();
    m_index.clear();
    // Sort positions by precomputed keys, then copy each call once: sorting the calls
    // themselves would move large structs around.
    std::vector<std::pair<qint64, qsizetype>> order;
    order.reserve(size_t(calls.size()));
    m_index.reserve(calls.size());
    // Keep the last occurrence of a duplicated id, as applyBatch() does.
    for (qsizetype i = calls.size() - 1; i >= 0; --i) {
        const Call &call = calls.at(i);
        if (call.id.isEmpty() || m_index.contains(call.id))
            continue;
        m_index.insert(call.id, -1);
        order.emplace_back(timeKey(call), i);
    }
    std::sort(order.begin(), order.end(), [&calls](const auto &a, const auto &b) {
        return a.first != b.first ? a.first < b.first
                                  : calls.at(a.second).id < calls.at(b.second).id;
    });
    m_rows.reserve(order.size());
    for (const auto &entry : order)
        m_rows.push_back(calls.at(entry.second));
    reindexFrom(0);
    endResetModel();
}

void CallTableModel::clear()
{
    resetCalls({});
}

void CallTableModel::reindexFrom(qsizetype internal)
{
    for (qsizetype i = internal; i < qsizetype(m_rows.size()); ++i)
        m_index.insert(m_rows[size_t(i)].id, i);
}

CallTableModel::Change CallTableModel::changeBetween(const Call &before, const Call &after) const
{
    Change change;
    QList<int> roles{Qt::DisplayRole, SortRole, CallRole, SeqRole};
    auto touch = [&change](int column) {
        change.firstColumn = std::min(change.firstColumn, column);
        change.lastColumn = std::max(change.lastColumn, column);
    };
    if (timeKey(before) != timeKey(after) || before.createdAt != after.createdAt) {
        touch(TimeColumn);
        roles += {Qt::ToolTipRole, CreatedAtRole};
    }
    if (before.status != after.status || before.rawStatus != after.rawStatus) {
        touch(StatusColumn);
        roles += {Qt::ToolTipRole, Qt::DecorationRole, Qt::ForegroundRole,
                  StatusRole,      StatusColorRole,    StatusIconNameRole};
    }
    if (before.direction != after.direction)
        touch(DirectionColumn);
    if (before.callerName != after.callerName ||
        before.customerNumber() != after.customerNumber()) {
        touch(CallerColumn);
        touch(NumberColumn);
    }
    if (before.agentId != after.agentId)
        touch(AgentColumn);
    if (before.provider != after.provider)
        touch(ProviderColumn);
    if (before.durationS != after.durationS)
        touch(DurationColumn);
    if (before.costCents != after.costCents || before.currency != after.currency)
        touch(CostColumn);
    if (before.endReason != after.endReason)
        touch(EndReasonColumn);
    if (flagsOf(before) != flagsOf(after)) {
        touch(FlagsColumn);
        roles.append(FlagsRole);
    }
    if (before.stale != after.stale) {
        touch(TimeColumn);
        touch(FlagsColumn);
        roles.append(Qt::BackgroundRole);
    }
    // Fields without a column (summary, recording, times…) still change CallRole.
    if (change.lastColumn < 0)
        touch(TimeColumn);
    std::sort(roles.begin(), roles.end());
    roles.erase(std::unique(roles.begin(), roles.end()), roles.end());
    change.roles = roles;
    return change;
}

void CallTableModel::flush()
{
    m_flushTimer.stop();
    if (m_pending.isEmpty() && m_pendingRemovals.isEmpty())
        return;

    QList<Call> pending = std::move(m_pending);
    const QSet<QString> removals = std::move(m_pendingRemovals);
    m_pending.clear();
    m_pendingIndex.clear();
    m_pendingRemovals.clear();

    // Removals: one beginRemoveRows per contiguous run, highest internal index (top row) first.
    int removed = 0;
    if (!removals.isEmpty()) {
        std::vector<qsizetype> gone;
        gone.reserve(size_t(removals.size()));
        for (const QString &id : removals) {
            const auto it = m_index.constFind(id);
            if (it != m_index.constEnd())
                gone.push_back(*it);
        }
        std::sort(gone.begin(), gone.end(), std::greater<>());
        size_t i = 0;
        while (i < gone.size()) {
            size_t j = i;
            while (j + 1 < gone.size() && gone[j + 1] == gone[j] - 1)
                ++j;
            const qsizetype high = gone[i];
            const qsizetype low = gone[j];
            beginRemoveRows({}, displayRow(high), displayRow(low));
            for (qsizetype k = low; k <= high; ++k)
                m_index.remove(m_rows[size_t(k)].id);
            m_rows.erase(m_rows.begin() + low, m_rows.begin() + high + 1);
            reindexFrom(low);
            endRemoveRows();
            removed += int(high - low + 1);
            i = j + 1;
        }
    }

    // Updates in place, then inserts of the new ids.
    std::vector<std::pair<int, Change>> changes;
    std::vector<Call> fresh;
    for (Call &call : pending) {
        if (call.id.isEmpty())
            continue;
        const auto it = m_index.constFind(call.id);
        if (it == m_index.constEnd()) {
            fresh.push_back(std::move(call));
            continue;
        }
        Call &row = m_rows[size_t(*it)];
        if (row == call)
            continue;
        Change change = changeBetween(row, call);
        row = std::move(call);
        changes.emplace_back(displayRow(*it), std::move(change));
    }

    const int updated = int(changes.size());
    if (!changes.empty()) {
        if (changes.size() * 2 > m_rows.size()) {
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1),
                               allDisplayRoles());
        } else {
            std::sort(changes.begin(), changes.end(),
                      [](const auto &a, const auto &b) { return a.first < b.first; });
            size_t i = 0;
            while (i < changes.size()) {
                Change run = changes[i].second;
                size_t j = i;
                while (j + 1 < changes.size() && changes[j + 1].first == changes[j].first + 1) {
                    ++j;
                    const Change &next = changes[j].second;
                    run.firstColumn = std::min(run.firstColumn, next.firstColumn);
                    run.lastColumn = std::max(run.lastColumn, next.lastColumn);
                    for (int role : next.roles) {
                        if (!run.roles.contains(role))
                            run.roles.append(role);
                    }
                }
                Q_EMIT dataChanged(index(changes[i].first, run.firstColumn),
                                   index(changes[j].first, run.lastColumn), run.roles);
                i = j + 1;
            }
        }
    }

    const int inserted = int(fresh.size());
    if (!fresh.empty()) {
        std::sort(fresh.begin(), fresh.end(), &CallTableModel::keyLess);
        // Insertion points in m_rows (non-decreasing, since fresh is sorted); group equal ones.
        std::vector<std::pair<qsizetype, size_t>> groups; // (position, first index into fresh)
        for (size_t i = 0; i < fresh.size(); ++i) {
            const auto pos = qsizetype(
                std::upper_bound(m_rows.begin(), m_rows.end(), fresh[i], &CallTableModel::keyLess) -
                m_rows.begin());
            if (groups.empty() || groups.back().first != pos)
                groups.emplace_back(pos, i);
        }
        for (size_t g = groups.size(); g-- > 0;) {
            const qsizetype pos = groups[g].first;
            const size_t begin = groups[g].second;
            const size_t end = g + 1 < groups.size() ? groups[g + 1].second : fresh.size();
            const int n = int(m_rows.size());
            const int first = n - int(pos);
            beginInsertRows({}, first, first + int(end - begin) - 1);
            m_rows.insert(m_rows.begin() + pos,
                          std::make_move_iterator(fresh.begin() + qsizetype(begin)),
                          std::make_move_iterator(fresh.begin() + qsizetype(end)));
            reindexFrom(pos);
            endInsertRows();
        }
    }

    qCDebug(lcModels) << "flush: inserted" << inserted << "updated" << updated << "removed"
                      << removed;
    if (inserted || updated || removed)
        Q_EMIT flushed(inserted, updated, removed);
}

} // namespace cb
