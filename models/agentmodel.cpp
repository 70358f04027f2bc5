#include "agentmodel.h"

#include "calltablemodel.h"

#include <QColor>

namespace cb {

AgentModel::AgentModel(QObject *parent) : QAbstractTableModel(parent) { }

AgentModel::~AgentModel() = default;

int AgentModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_agents.size());
}

int AgentModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString AgentModel::webhookStateText(WebhookState state)
{
    switch (state) {
    case WebhookState::Unknown:
        return tr("Not checked");
    case WebhookState::Synced:
        return tr("Synced");
    case WebhookState::Missing:
        return tr("Webhook missing");
    case WebhookState::Differs:
        return tr("Webhook differs");
    case WebhookState::Error:
        return tr("Error");
    }
    return {};
}

QVariant AgentModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Agent &agent = m_agents.at(index.row());
    const bool syncing = m_syncing.contains(agent.id);
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn:
            return agent.name.isEmpty() ? agent.id : agent.name;
        case ProviderColumn:
            return CallTableModel::providerText(agent.provider);
        case ProviderAgentIdColumn:
            return agent.providerAgentId;
        case FromNumberColumn:
            return agent.fromNumber;
        case WebhookColumn:
            return syncing ? tr("Syncing…") : webhookStateText(agent.webhookState);
        case CheckedColumn:
            return agent.webhookCheckedAt.isValid() ? agent.webhookCheckedAt.toLocalTime().toString(
                                                          QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                                                    : QString();
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == WebhookColumn) {
            QString tip = agent.webhookUrl;
            if (!agent.webhookMessage.isEmpty())
                tip += (tip.isEmpty() ? QString() : QStringLiteral("\n")) + agent.webhookMessage;
            return tip;
        }
        return {};
    case Qt::ForegroundRole:
        if (index.column() != WebhookColumn)
            return {};
        switch (agent.webhookState) {
        case WebhookState::Synced:
            return QColor(0x2e, 0x7d, 0x32);
        case WebhookState::Missing:
        case WebhookState::Differs:
            return QColor(0xef, 0x6c, 0x00);
        case WebhookState::Error:
            return QColor(0xc6, 0x28, 0x28);
        case WebhookState::Unknown:
            return {};
        }
        return {};
    case AgentRole:
        return QVariant::fromValue(agent);
    case IdRole:
        return agent.id;
    case WebhookStateRole:
        return int(agent.webhookState);
    case SyncingRole:
        return syncing;
    case SortRole:
        switch (index.column()) {
        case ProviderColumn:
            return int(agent.provider);
        case WebhookColumn:
            return int(agent.webhookState);
        case CheckedColumn:
            return agent.webhookCheckedAt.isValid() ? agent.webhookCheckedAt.toMSecsSinceEpoch()
                                                    : qint64(0);
        default:
            return data(index, Qt::DisplayRole).toString().toCaseFolded();
        }
    default:
        return {};
    }
}

QVariant AgentModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn:
        return tr("Agent");
    case ProviderColumn:
        return tr("Provider");
    case ProviderAgentIdColumn:
        return tr("Provider id");
    case FromNumberColumn:
        return tr("From number");
    case WebhookColumn:
        return tr("Webhook");
    case CheckedColumn:
        return tr("Checked");
    }
    return {};
}

QHash<QString, QString> AgentModel::names() const
{
    QHash<QString, QString> names;
    for (const Agent &agent : m_agents)
        names.insert(agent.id, agent.name.isEmpty() ? agent.id : agent.name);
    return names;
}

QList<Agent> AgentModel::syncedAgents() const
{
    QList<Agent> synced;
    for (const Agent &agent : m_agents) {
        if (agent.webhookState == WebhookState::Synced)
            synced.append(agent);
    }
    return synced;
}

void AgentModel::reindex()
{
    m_index.clear();
    for (int i = 0; i < m_agents.size(); ++i)
        m_index.insert(m_agents.at(i).id, i);
}

void AgentModel::setAgents(const QList<Agent> &agents)
{
    QSet<QString> keep;
    for (const Agent &agent : agents)
        keep.insert(agent.id);
    // Remove missing agents, bottom-up, one run at a time.
    for (int row = int(m_agents.size()) - 1; row >= 0;) {
        if (keep.contains(m_agents.at(row).id)) {
            --row;
            continue;
        }
        int first = row;
        while (first > 0 && !keep.contains(m_agents.at(first - 1).id))
            --first;
        beginRemoveRows({}, first, row);
        m_agents.remove(first, row - first + 1);
        endRemoveRows();
        row = first - 1;
    }
    reindex();
    QList<Agent> fresh;
    for (const Agent &agent : agents) {
        if (agent.id.isEmpty())
            continue;
        const int row = m_index.value(agent.id, -1);
        if (row < 0) {
            if (std::none_of(fresh.cbegin(), fresh.cend(),
                             [&](const Agent &a) { return a.id == agent.id; }))
                fresh.append(agent);
        } else if (!(m_agents.at(row) == agent)) {
            m_agents[row] = agent;
            Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
        }
    }
    if (!fresh.isEmpty()) {
        const int first = int(m_agents.size());
        beginInsertRows({}, first, first + int(fresh.size()) - 1);
        m_agents.append(fresh);
        reindex();
        endInsertRows();
    }
    Q_EMIT agentsChanged();
}

void AgentModel::updateAgent(const Agent &agent)
{
    const int row = m_index.value(agent.id, -1);
    if (row < 0) {
        if (agent.id.isEmpty())
            return;
        beginInsertRows({}, int(m_agents.size()), int(m_agents.size()));
        m_agents.append(agent);
        m_index.insert(agent.id, int(m_agents.size()) - 1);
        endInsertRows();
    } else {
        if (m_agents.at(row) == agent)
            return;
        m_agents[row] = agent;
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    }
    Q_EMIT agentsChanged();
}

void AgentModel::setSyncing(const QString &agentId, bool syncing)
{
    if (syncing == m_syncing.contains(agentId))
        return;
    if (syncing)
        m_syncing.insert(agentId);
    else
        m_syncing.remove(agentId);
    const int row = rowOf(agentId);
    if (row >= 0)
        Q_EMIT dataChanged(index(row, WebhookColumn), index(row, WebhookColumn),
                           {Qt::DisplayRole, SyncingRole});
}

void AgentModel::clear()
{
    beginResetModel();
    m_agents.clear();
    m_index.clear();
    m_syncing.clear();
    endResetModel();
    Q_EMIT agentsChanged();
}

} // namespace cb
