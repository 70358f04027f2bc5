#pragma once

#include "core/call.h"

#include <QAbstractTableModel>
#include <QColor>
#include <QHash>
#include <QList>
#include <QSet>
#include <QStringList>
#include <QTimer>

#include <vector>

namespace cb {

/// The live call table of one organization (DESIGN §5), newest call first.
///
/// Fed in batches: applyBatch() only queues; a short single-shot timer (or flush()) applies
/// the queue with one beginInsertRows per contiguous range of new rows, one beginRemoveRows
/// per contiguous range of removed rows, and dataChanged limited to the changed columns and
/// roles of each run of changed rows. Updates never move a row, so selections and scroll
/// positions survive live traffic; only resetCalls() (org switch, full resync) resets.
/// Rows are found by call id through a hash in O(1).
class CallTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CallTableModel)

public:
    enum Column {
        TimeColumn,
        StatusColumn,
        DirectionColumn,
        CallerColumn, ///< caller name, or the number when no name is known
        NumberColumn, ///< the other party's number
        AgentColumn,
        ProviderColumn,
        DurationColumn,
        CostColumn,
        EndReasonColumn,
        FlagsColumn,
        ColumnCount
    };
    Q_ENUM(Column)

    enum Role {
        /// Typed value for sorting this column: qint64 (time, ms since epoch), int (status
        /// order, direction, provider, flags), double (duration, cost; -1 when unknown), QString.
        SortRole = Qt::UserRole + 1,
        CallRole, ///< the whole cb::Call
        IdRole, ///< QString call id
        StatusRole, ///< int(cb::CallStatus)
        StatusColorRole, ///< QColor of the status
        StatusIconNameRole, ///< QString icon name, e.g. "call-status-failed"
        FlagsRole, ///< int, CallFlags
        SeqRole, ///< qint64 seq of the row
        CreatedAtRole, ///< QDateTime
    };
    Q_ENUM(Role)

    enum CallFlag { TestFlag = 0x1, StaleFlag = 0x2, VoicemailFlag = 0x4, FinalizedFlag = 0x8 };
    Q_DECLARE_FLAGS(CallFlags, CallFlag)
    Q_FLAG(CallFlags)

    explicit CallTableModel(QObject *parent = nullptr);
    ~CallTableModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    /// The call shown in @p row (0 ≤ row < rowCount()).
    const Call &callAt(int row) const;
    /// The row of a call, or -1. O(1).
    int rowOf(const QString &callId) const;
    QModelIndex indexOf(const QString &callId, int column = 0) const;
    bool contains(const QString &callId) const { return m_index.contains(callId); }
    /// Calls queued by applyBatch() and not yet shown.
    int pendingCount() const { return int(m_pending.size() + m_pendingRemovals.size()); }

    /// How long applyBatch() waits before applying the queue (default 30 ms).
    void setFlushInterval(int ms);
    int flushInterval() const { return m_flushTimer.interval(); }

    /// Agent id → display name, for the agent column.
    void setAgentNames(const QHash<QString, QString> &names);
    QString agentName(const QString &agentId) const;

    static CallFlags flagsOf(const Call &call);
    static QColor statusColor(CallStatus status);
    static QString statusIconName(CallStatus status);
    static QString statusText(CallStatus status);
    static QString directionText(const std::optional<Direction> &direction);
    static QString providerText(Provider provider);
    static QString durationText(const std::optional<double> &seconds);
    static QString costText(const std::optional<double> &cents, const QString &currency);
    static QString flagsText(CallFlags flags);
    /// Three-way typed comparison of two calls on @p column (what the proxy sorts by);
    /// ties fall back to creation time, then id, so the order is total.
    int compare(const Call &a, const Call &b, int column) const;
    /// As compare() for the calls in two rows, in O(1) for the time column: rows are kept in
    /// creation order, so ties and the time column compare row positions.
    int compareRows(int leftRow, int rightRow, int column) const;

public Q_SLOTS:
    /// Queues new or changed calls and removals; the last value queued for an id wins.
    void applyBatch(const QList<cb::Call> &upserts, const QStringList &removedIds = {});
    /// Replaces every row (org switch, logout, full resync): the only reset.
    void resetCalls(const QList<cb::Call> &calls);
    void clear();
    /// Applies the queue now.
    void flush();

Q_SIGNALS:
    /// After each non-empty flush.
    void flushed(int inserted, int updated, int removed);

private:
    struct Change
    {
        int firstColumn = ColumnCount;
        int lastColumn = -1;
        QList<int> roles;
    };

    qsizetype internalIndex(int row) const { return qsizetype(m_rows.size()) - 1 - row; }
    int displayRow(qsizetype internal) const
    {
        return int(qsizetype(m_rows.size()) - 1 - internal);
    }
    void reindexFrom(qsizetype internal);
    Change changeBetween(const Call &before, const Call &after) const;
    int compareColumn(const Call &a, const Call &b, int column) const;
    QVariant sortValue(const Call &call, int column) const;
    QVariant displayValue(const Call &call, int column) const;
    static bool keyLess(const Call &a, const Call &b);

    std::vector<Call> m_rows; ///< oldest first; row r is m_rows[size - 1 - r]
    QHash<QString, qsizetype> m_index; ///< call id → index into m_rows
    QList<Call> m_pending;
    QHash<QString, qsizetype> m_pendingIndex; ///< call id → index into m_pending
    QSet<QString> m_pendingRemovals;
    QHash<QString, QString> m_agentNames;
    QTimer m_flushTimer;
};

Q_DECLARE_OPERATORS_FOR_FLAGS(CallTableModel::CallFlags)

} // namespace cb

Q_DECLARE_METATYPE(cb::Call)
