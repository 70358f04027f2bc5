#pragma once

#include "core/call.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QSet>

namespace cb {

/// The organization's agents and where each one's webhook stands at its provider
/// (synced / missing / differs / error), plus which agents are being synced right now.
/// setAgents() merges by id: changed rows get dataChanged, new ones are appended, missing
/// ones removed; nothing resets but clear().
class AgentModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AgentModel)

public:
    enum Column {
        NameColumn,
        ProviderColumn,
        ProviderAgentIdColumn,
        FromNumberColumn,
        WebhookColumn,
        CheckedColumn,
        ColumnCount
    };
    Q_ENUM(Column)

    enum Role {
        AgentRole = Qt::UserRole + 1, ///< the whole cb::Agent
        IdRole,
        WebhookStateRole, ///< int(cb::WebhookState)
        SyncingRole, ///< bool: a sync request is running
        SortRole,
    };
    Q_ENUM(Role)

    explicit AgentModel(QObject *parent = nullptr);
    ~AgentModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    const Agent &agentAt(int row) const { return m_agents.at(row); }
    int rowOf(const QString &agentId) const { return m_index.value(agentId, -1); }
    QList<Agent> agents() const { return m_agents; }
    /// Agent id → name, for CallTableModel::setAgentNames().
    QHash<QString, QString> names() const;
    /// Agents whose webhook is synced: the ones a new call can use.
    QList<Agent> syncedAgents() const;
    bool isSyncing(const QString &agentId) const { return m_syncing.contains(agentId); }

    static QString webhookStateText(WebhookState state);

public Q_SLOTS:
    void setAgents(const QList<cb::Agent> &agents);
    void updateAgent(const cb::Agent &agent);
    void setSyncing(const QString &agentId, bool syncing);
    void clear();

Q_SIGNALS:
    void agentsChanged();

private:
    void reindex();

    QList<Agent> m_agents;
    QHash<QString, int> m_index;
    QSet<QString> m_syncing;
};

} // namespace cb

Q_DECLARE_METATYPE(cb::Agent)
