#include "callfiltermodel.h"

#include "calltablemodel.h"

namespace cb {

namespace {

QString digitsOf(QStringView text)
{
    QString digits;
    for (QChar c : text) {
        if (c.isDigit())
            digits.append(c);
    }
    return digits;
}

/// Whether the digits of @p number (ignoring '+', spaces, dashes …) contain @p digits.
bool digitsContain(QStringView number, QStringView digits)
{
    if (digits.isEmpty())
        return false;
    const qsizetype n = number.size();
    for (qsizetype start = 0; start < n; ++start) {
        if (!number[start].isDigit())
            continue;
        qsizetype i = start;
        qsizetype matched = 0;
        while (i < n && matched < digits.size()) {
            if (number[i].isDigit()) {
                if (number[i] != digits[matched])
                    break;
                ++matched;
            }
            ++i;
        }
        if (matched == digits.size())
            return true;
    }
    return false;
}

} // namespace

CallFilterModel::CallFilterModel(QObject *parent) : QSortFilterProxyModel(parent)
{
    setDynamicSortFilter(true);
    setSortRole(CallTableModel::SortRole);
    setFilterRole(CallTableModel::CallRole);
}

CallFilterModel::~CallFilterModel() = default;

void CallFilterModel::setSourceModel(QAbstractItemModel *model)
{
    for (const auto &connection : std::as_const(m_sourceConnections))
        disconnect(connection);
    m_sourceConnections.clear();
    m_calls = qobject_cast<CallTableModel *>(model);
    QSortFilterProxyModel::setSourceModel(model);
    if (model) {
        // Connected after the base class, so the proxy mapping is already updated.
        m_sourceConnections = {
            connect(model, &QAbstractItemModel::rowsInserted, this,
                    &CallFilterModel::onRowsInserted),
            connect(model, &QAbstractItemModel::rowsRemoved, this, &CallFilterModel::onRowsRemoved),
            connect(model, &QAbstractItemModel::dataChanged, this, &CallFilterModel::onDataChanged),
            connect(model, &QAbstractItemModel::modelReset, this, &CallFilterModel::recountAll),
            connect(model, &QAbstractItemModel::layoutChanged, this, &CallFilterModel::recountAll),
        };
    }
    recountAll();
}

void CallFilterModel::setStatusFilter(const QList<CallStatus> &statuses)
{
    quint32 mask = 0;
    for (CallStatus s : statuses)
        mask |= 1u << int(s);
    if (mask == m_statusMask)
        return;
    m_statusMask = mask;
    filtersUpdated();
}

QList<CallStatus> CallFilterModel::statusFilter() const
{
    QList<CallStatus> statuses;
    for (CallStatus s : allCallStatuses) {
        if (m_statusMask & (1u << int(s)))
            statuses.append(s);
    }
    return statuses;
}

void CallFilterModel::setAgentFilter(const QString &agentId)
{
    if (agentId == m_agentId)
        return;
    m_agentId = agentId;
    filtersUpdated();
}

void CallFilterModel::setProviderFilter(std::optional<Provider> provider)
{
    if (provider == m_provider)
        return;
    m_provider = provider;
    filtersUpdated();
}

void CallFilterModel::setDirectionFilter(std::optional<Direction> direction)
{
    if (direction == m_direction)
        return;
    m_direction = direction;
    filtersUpdated();
}

void CallFilterModel::setDateRange(const QDateTime &from, const QDateTime &to)
{
    if (from == m_from && to == m_to)
        return;
    m_from = from;
    m_to = to;
    filtersUpdated();
}

void CallFilterModel::setTextFilter(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed == m_text)
        return;
    m_text = trimmed;
    // Only a needle made of digits and phone separators is matched digit by digit.
    const QString digits = digitsOf(trimmed);
    bool phoneLike = !digits.isEmpty();
    for (QChar c : trimmed) {
        if (!c.isDigit() && c != u' ' && c != u'-' && c != u'+' && c != u'(' && c != u')' &&
            c != u'.')
            phoneLike = false;
    }
    m_textDigits = phoneLike ? digits : QString();
    filtersUpdated();
}

void CallFilterModel::setIncludeTestCalls(bool include)
{
    if (include == m_includeTest)
        return;
    m_includeTest = include;
    filtersUpdated();
}

void CallFilterModel::clearFilters()
{
    m_statusMask = 0;
    m_agentId.clear();
    m_provider.reset();
    m_direction.reset();
    m_from = {};
    m_to = {};
    m_text.clear();
    m_textDigits.clear();
    filtersUpdated();
}

void CallFilterModel::filtersUpdated()
{
    invalidateFilter();
    recountAll();
    Q_EMIT filtersChanged();
}

const Call &CallFilterModel::callAt(int row) const
{
    const int sourceRow = mapToSource(index(row, 0)).row();
    if (m_calls)
        return m_calls->callAt(sourceRow);
    static thread_local Call scratch;
    scratch = sourceModel()->index(sourceRow, 0).data(CallTableModel::CallRole).value<Call>();
    return scratch;
}

int CallFilterModel::rowOf(const QString &callId) const
{
    if (!m_calls)
        return -1;
    const QModelIndex source = m_calls->indexOf(callId);
    return source.isValid() ? mapFromSource(source).row() : -1;
}

bool CallFilterModel::textMatches(const Call &call) const
{
    if (m_text.isEmpty())
        return true;
    const auto has = [this](const QString &field) {
        return field.contains(m_text, Qt::CaseInsensitive);
    };
    if (has(call.callerName) || has(call.toNumber) || has(call.fromNumber) || has(call.id) ||
        has(call.providerCallId))
        return true;
    return !m_textDigits.isEmpty() &&
        (digitsContain(call.toNumber, m_textDigits) ||
         digitsContain(call.fromNumber, m_textDigits));
}

bool CallFilterModel::matchesOtherFilters(const Call &call) const
{
    if (m_statusMask && !(m_statusMask & (1u << int(call.status))))
        return false;
    if (!m_agentId.isEmpty() && call.agentId != m_agentId)
        return false;
    if (m_provider && call.provider != *m_provider)
        return false;
    if (m_direction && call.direction != m_direction)
        return false;
    if (m_from.isValid() && (!call.createdAt.isValid() || call.createdAt < m_from))
        return false;
    if (m_to.isValid() && (!call.createdAt.isValid() || call.createdAt >= m_to))
        return false;
    return textMatches(call);
}

bool CallFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (sourceParent.isValid())
        return false;
    if (m_calls) {
        const Call &call = m_calls->callAt(sourceRow);
        return (m_includeTest || !call.isTest) && matchesOtherFilters(call);
    }
    const Call call =
        sourceModel()->index(sourceRow, 0).data(CallTableModel::CallRole).value<Call>();
    return (m_includeTest || !call.isTest) && matchesOtherFilters(call);
}

bool CallFilterModel::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    if (m_calls)
        return m_calls->compareRows(left.row(), right.row(), left.column()) < 0;
    return QSortFilterProxyModel::lessThan(left, right);
}

void CallFilterModel::setHiddenCount(int count)
{
    if (count == m_hiddenTestCount)
        return;
    m_hiddenTestCount = count;
    Q_EMIT hiddenTestCountChanged(count);
}

void CallFilterModel::recountAll()
{
    m_hidden.clear();
    if (!m_calls) {
        setHiddenCount(0);
        return;
    }
    const int rows = m_calls->rowCount();
    m_hidden.resize(size_t(rows));
    int count = 0;
    for (int row = 0; row < rows; ++row) {
        const bool hidden = hiddenTest(m_calls->callAt(row));
        m_hidden[size_t(row)] = hidden;
        count += hidden;
    }
    setHiddenCount(count);
}

void CallFilterModel::onRowsInserted(const QModelIndex &parent, int first, int last)
{
    if (!m_calls || parent.isValid())
        return;
    int count = m_hiddenTestCount;
    std::vector<char> added(size_t(last - first + 1));
    for (int row = first; row <= last; ++row) {
        const bool hidden = hiddenTest(m_calls->callAt(row));
        added[size_t(row - first)] = hidden;
        count += hidden;
    }
    m_hidden.insert(m_hidden.begin() + first, added.begin(), added.end());
    setHiddenCount(count);
}

void CallFilterModel::onRowsRemoved(const QModelIndex &parent, int first, int last)
{
    if (!m_calls || parent.isValid())
        return;
    int count = m_hiddenTestCount;
    for (int row = first; row <= last; ++row)
        count -= m_hidden[size_t(row)];
    m_hidden.erase(m_hidden.begin() + first, m_hidden.begin() + last + 1);
    setHiddenCount(count);
}

void CallFilterModel::onDataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight)
{
    if (!m_calls || topLeft.parent().isValid())
        return;
    int count = m_hiddenTestCount;
    for (int row = topLeft.row(); row <= bottomRight.row(); ++row) {
        const bool hidden = hiddenTest(m_calls->callAt(row));
        count += int(hidden) - int(m_hidden[size_t(row)]);
        m_hidden[size_t(row)] = hidden;
    }
    setHiddenCount(count);
}

} // namespace cb
