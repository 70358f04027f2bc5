#pragma once

#include "core/call.h"
#include "core/result.h"

#include <QDialog>
#include <QHash>

class QLabel;
class QProgressBar;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace cb {

class InlineMessage;

/// Each agent of the organization with its provider and webhook state (synced, missing,
/// differs, error with the provider's message, when last checked); syncs the checked
/// agents or all of them, with a progress bar and the result per agent. Admins only.
///
/// The dialog asks (syncRequested) and is told each agent's outcome (agentSynced).
class SyncAgentsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SyncAgentsDialog)

public:
    enum class State { Idle, Syncing, Done };
    enum Column {
        NameColumn,
        ProviderColumn,
        WebhookColumn,
        CheckedColumn,
        ResultColumn,
        ColumnCount
    };

    SyncAgentsDialog(const QList<Agent> &agents, Role role, QWidget *parent = nullptr);

    void setAgents(const QList<Agent> &agents);
    /// One agent's outcome of the running sync.
    void agentSynced(const QString &agentId, const Result<Agent> &result);

    State state() const { return m_state; }
    QStringList checkedAgentIds() const;
    void setChecked(const QString &agentId, bool checked);
    /// The text of an agent's webhook and result columns, for tests.
    QString webhookText(const QString &agentId) const;
    QString resultText(const QString &agentId) const;
    int progressValue() const;
    int progressMaximum() const;
    QString summary() const;

    QPushButton *syncSelectedButton() const { return m_syncSelected; }
    QPushButton *syncAllButton() const { return m_syncAll; }
    QTreeWidget *tree() const { return m_tree; }

Q_SIGNALS:
    void syncRequested(const QStringList &agentIds);

private:
    void fillRow(QTreeWidgetItem *item, const Agent &agent);
    void start(const QStringList &ids);
    void updateButtons();

    Role m_role;
    State m_state = State::Idle;
    QTreeWidget *m_tree;
    QHash<QString, QTreeWidgetItem *> m_items;
    QStringList m_pending;
    int m_succeeded = 0;
    int m_failed = 0;
    InlineMessage *m_roleMessage;
    QProgressBar *m_progress;
    QLabel *m_summary;
    QPushButton *m_syncSelected;
    QPushButton *m_syncAll;
};

} // namespace cb
