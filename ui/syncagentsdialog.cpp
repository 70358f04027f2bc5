#include "syncagentsdialog.h"

#include "icons.h"
#include "inlinemessage.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace cb {

namespace {

constexpr int agentIdRole = Qt::UserRole + 1;

QString webhookStateText(WebhookState state)
{
    switch (state) {
    case WebhookState::Synced:
        return SyncAgentsDialog::tr("Synced");
    case WebhookState::Missing:
        return SyncAgentsDialog::tr("Missing");
    case WebhookState::Differs:
        return SyncAgentsDialog::tr("Differs");
    case WebhookState::Error:
        return SyncAgentsDialog::tr("Error");
    case WebhookState::Unknown:
        return SyncAgentsDialog::tr("Not checked");
    }
    return {};
}

QString webhookStateIcon(WebhookState state)
{
    switch (state) {
    case WebhookState::Synced:
        return QStringLiteral("ok");
    case WebhookState::Missing:
    case WebhookState::Differs:
        return QStringLiteral("warning");
    case WebhookState::Error:
        return QStringLiteral("error");
    case WebhookState::Unknown:
        return QStringLiteral("info");
    }
    return {};
}

} // namespace

SyncAgentsDialog::SyncAgentsDialog(const QList<Agent> &agents, Role role, QWidget *parent)
    : QDialog(parent)
    , m_role(role)
    , m_tree(new QTreeWidget(this))
    , m_roleMessage(new InlineMessage(this))
    , m_progress(new QProgressBar(this))
    , m_summary(new QLabel(this))
{
    setWindowTitle(tr("Sync Agents"));
    setWindowIcon(ui::themedIcon(QStringLiteral("sync-agents")));
    resize(860, 360);

    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("Each agent's webhook must point at this server, or its calls are "
                                "only seen by polling. Sync sets it at the provider."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    layout->addWidget(m_roleMessage);

    m_tree->setColumnCount(ColumnCount);
    m_tree->setHeaderLabels(
        {tr("Agent"), tr("Provider"), tr("Webhook"), tr("Last checked"), tr("Result")});
    m_tree->setRootIsDecorated(false);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_tree->header()->setStretchLastSection(true);
    m_tree->header()->setSectionResizeMode(NameColumn, QHeaderView::ResizeToContents);
    m_tree->header()->setSectionResizeMode(ProviderColumn, QHeaderView::ResizeToContents);
    m_tree->header()->setSectionResizeMode(WebhookColumn, QHeaderView::ResizeToContents);
    m_tree->header()->setSectionResizeMode(CheckedColumn, QHeaderView::ResizeToContents);
    layout->addWidget(m_tree, 1);

    auto *progressRow = new QHBoxLayout;
    m_progress->setTextVisible(true);
    m_progress->setFormat(tr("%v of %m"));
    progressRow->addWidget(m_summary, 1);
    progressRow->addWidget(m_progress);
    m_progress->setMinimumWidth(220);
    layout->addLayout(progressRow);
    m_progress->setVisible(false);

    auto *buttons = new QDialogButtonBox(this);
    m_syncSelected = buttons->addButton(tr("Sync &Selected"), QDialogButtonBox::ActionRole);
    m_syncAll = buttons->addButton(tr("Sync &All"), QDialogButtonBox::ActionRole);
    m_syncAll->setIcon(ui::themedIcon(QStringLiteral("sync-agents")));
    buttons->addButton(QDialogButtonBox::Close);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_syncSelected, &QPushButton::clicked, this, [this] { start(checkedAgentIds()); });
    connect(m_syncAll, &QPushButton::clicked, this, [this] {
        QStringList ids;
        for (int i = 0; i < m_tree->topLevelItemCount(); ++i)
            ids << m_tree->topLevelItem(i)->data(NameColumn, agentIdRole).toString();
        start(ids);
    });
    connect(m_tree, &QTreeWidget::itemChanged, this, &SyncAgentsDialog::updateButtons);

    if (!roleAtLeast(role, Role::Admin)) {
        m_roleMessage->showMessage(InlineMessage::Kind::Warning,
                                   tr("Only admins can change webhooks. You can see each "
                                      "agent's state."));
    }
    setAgents(agents);
}

void SyncAgentsDialog::setAgents(const QList<Agent> &agents)
{
    const QSignalBlocker blocker(m_tree);
    m_tree->clear();
    m_items.clear();
    for (const Agent &agent : agents) {
        auto *item = new QTreeWidgetItem(m_tree);
        item->setData(NameColumn, agentIdRole, agent.id);
        if (roleAtLeast(m_role, Role::Admin))
            item->setCheckState(NameColumn,
                                agent.webhookState == WebhookState::Synced ? Qt::Unchecked
                                                                           : Qt::Checked);
        fillRow(item, agent);
        m_items.insert(agent.id, item);
    }
    updateButtons();
}

void SyncAgentsDialog::fillRow(QTreeWidgetItem *item, const Agent &agent)
{
    item->setText(NameColumn, agent.name);
    item->setToolTip(NameColumn, agent.providerAgentId);
    item->setText(ProviderColumn, ui::providerText(agent.provider));
    item->setIcon(WebhookColumn, ui::colourIcon(webhookStateIcon(agent.webhookState)));
    QString text = webhookStateText(agent.webhookState);
    if (!agent.webhookMessage.isEmpty())
        text += QStringLiteral(" — ") + agent.webhookMessage;
    item->setText(WebhookColumn, text);
    item->setToolTip(WebhookColumn,
                     agent.webhookUrl.isEmpty()
                         ? text
                         : tr("%1\nProvider reports: %2").arg(text, agent.webhookUrl));
    item->setText(
        CheckedColumn,
        agent.webhookCheckedAt.isValid()
            ? QLocale().toString(agent.webhookCheckedAt.toLocalTime(), QLocale::ShortFormat)
            : tr("never"));
}

QStringList SyncAgentsDialog::checkedAgentIds() const
{
    QStringList ids;
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        const QTreeWidgetItem *item = m_tree->topLevelItem(i);
        if (item->checkState(NameColumn) == Qt::Checked)
            ids << item->data(NameColumn, agentIdRole).toString();
    }
    return ids;
}

void SyncAgentsDialog::setChecked(const QString &agentId, bool checked)
{
    if (QTreeWidgetItem *item = m_items.value(agentId))
        item->setCheckState(NameColumn, checked ? Qt::Checked : Qt::Unchecked);
}

QString SyncAgentsDialog::webhookText(const QString &agentId) const
{
    const QTreeWidgetItem *item = m_items.value(agentId);
    return item ? item->text(WebhookColumn) : QString();
}

QString SyncAgentsDialog::resultText(const QString &agentId) const
{
    const QTreeWidgetItem *item = m_items.value(agentId);
    return item ? item->text(ResultColumn) : QString();
}

int SyncAgentsDialog::progressValue() const
{
    return m_progress->value();
}

int SyncAgentsDialog::progressMaximum() const
{
    return m_progress->maximum();
}

QString SyncAgentsDialog::summary() const
{
    return m_summary->text();
}

void SyncAgentsDialog::start(const QStringList &ids)
{
    if (ids.isEmpty() || m_state == State::Syncing || !roleAtLeast(m_role, Role::Admin))
        return;
    m_state = State::Syncing;
    m_pending = ids;
    m_succeeded = 0;
    m_failed = 0;
    for (const QString &id : ids) {
        if (QTreeWidgetItem *item = m_items.value(id)) {
            item->setText(ResultColumn, tr("Syncing…"));
            item->setIcon(ResultColumn, QIcon());
            item->setForeground(ResultColumn, palette().brush(QPalette::Text));
        }
    }
    m_progress->setRange(0, int(ids.size()));
    m_progress->setValue(0);
    m_progress->setVisible(true);
    m_summary->setText(tr("Syncing %n agent(s)…", nullptr, int(ids.size())));
    updateButtons();
    Q_EMIT syncRequested(ids);
}

void SyncAgentsDialog::agentSynced(const QString &agentId, const Result<Agent> &result)
{
    if (m_state != State::Syncing || !m_pending.removeOne(agentId))
        return;
    QTreeWidgetItem *item = m_items.value(agentId);
    if (result.ok()) {
        ++m_succeeded;
        if (item) {
            const QSignalBlocker blocker(m_tree);
            fillRow(item, result.value());
            item->setText(ResultColumn,
                          result->webhookState == WebhookState::Synced
                              ? tr("Webhook set")
                              : tr("Checked: %1").arg(webhookStateText(result->webhookState)));
            item->setIcon(ResultColumn, ui::colourIcon(webhookStateIcon(result->webhookState)));
            item->setForeground(ResultColumn, ui::okTextColour(palette()));
            item->setCheckState(NameColumn, Qt::Unchecked);
        }
    } else {
        ++m_failed;
        if (item) {
            const QSignalBlocker blocker(m_tree);
            item->setText(ResultColumn, result.error().message);
            item->setToolTip(ResultColumn, result.error().message);
            item->setIcon(ResultColumn, ui::colourIcon(QStringLiteral("error")));
            item->setForeground(ResultColumn, ui::errorTextColour(palette()));
        }
    }
    m_progress->setValue(m_succeeded + m_failed);
    if (m_pending.isEmpty()) {
        m_state = State::Done;
        m_summary->setText(m_failed == 0
                               ? (m_succeeded == 1 ? tr("The agent is synced.")
                                                   : tr("All %1 agents synced.").arg(m_succeeded))
                               : tr("%1 synced, %2 failed — see the Result column.")
                                     .arg(m_succeeded)
                                     .arg(m_failed));
    }
    updateButtons();
}

void SyncAgentsDialog::updateButtons()
{
    const bool admin = roleAtLeast(m_role, Role::Admin);
    const bool idle = m_state != State::Syncing;
    m_syncSelected->setEnabled(admin && idle && !checkedAgentIds().isEmpty());
    m_syncAll->setEnabled(admin && idle && m_tree->topLevelItemCount() > 0);
}

} // namespace cb
