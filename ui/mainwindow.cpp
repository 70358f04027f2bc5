#include "mainwindow.h"

#include "appsettings.h"
#include "calldetailspane.h"
#include "callnotifier.h"
#include "calltabledelegate.h"
#include "csvexport.h"
#include "filterbar.h"
#include "icons.h"
#include "metricspanel.h"

#include "models/agentmodel.h"
#include "models/callfiltermodel.h"
#include "models/calltablemodel.h"
#include "models/metricsmodel.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QSaveFile>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

namespace cb {

MainWindow::MainWindow(CallTableModel *calls, CallFilterModel *filter, AgentModel *agents,
                       MetricsModel *metrics, AppSettings *settings, QWidget *parent)
    : QMainWindow(parent)
    , m_calls(calls)
    , m_filter(filter)
    , m_agents(agents)
    , m_metrics(metrics)
    , m_settings(settings)
    , m_confirm([this](const QString &title, const QString &text) {
        return QMessageBox::question(this, title, text, QMessageBox::Yes | QMessageBox::Cancel,
                                     QMessageBox::Cancel) == QMessageBox::Yes;
    })
    , m_table(new QTableView(this))
    , m_emptyState(new QLabel(m_table->viewport()))
    , m_filterBar(new FilterBar(filter, agents, this))
    , m_details(new CallDetailsPane(this))
    , m_splitter(new QSplitter(Qt::Horizontal, this))
    , m_metricsPanel(new MetricsPanel(this))
    , m_metricsDock(new QDockWidget(tr("Metrics"), this))
    , m_stream(new StreamStatusWidget(this))
    , m_countLabel(new QLabel(this))
    , m_userLabel(new QLabel(this))
    , m_orgCombo(new QComboBox(this))
    , m_notifier(new CallNotifier(calls, settings, this))
    , m_detailRefresh(new QTimer(this))
{
    setWindowTitle(tr("Callboard"));
    setWindowIcon(ui::appIcon());
    setObjectName(QStringLiteral("MainWindow"));

    m_table->setModel(m_filter);
    m_table->setItemDelegate(new CallTableDelegate(m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setSortingEnabled(true);
    m_table->setAlternatingRowColors(true);
    m_table->setShowGrid(false);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideRight);
    m_table->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_table->verticalHeader()->setVisible(false);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 10);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    QHeaderView *header = m_table->horizontalHeader();
    header->setSectionsMovable(true);
    header->setHighlightSections(false);
    header->setStretchLastSection(true);
    header->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    header->setContextMenuPolicy(Qt::CustomContextMenu);
    const QList<std::pair<int, int>> widths = {
        {CallTableModel::TimeColumn, 96},      {CallTableModel::StatusColumn, 112},
        {CallTableModel::DirectionColumn, 92}, {CallTableModel::CallerColumn, 140},
        {CallTableModel::NumberColumn, 122},   {CallTableModel::AgentColumn, 150},
        {CallTableModel::ProviderColumn, 64},  {CallTableModel::DurationColumn, 66},
        {CallTableModel::CostColumn, 66},      {CallTableModel::EndReasonColumn, 110},
        {CallTableModel::FlagsColumn, 90}};
    for (const auto &[column, width] : widths)
        header->resizeSection(column, width);
    m_table->sortByColumn(CallTableModel::TimeColumn, Qt::DescendingOrder);
    connect(header, &QHeaderView::customContextMenuRequested, this,
            [this, header](const QPoint &pos) {
                QMenu menu(this);
                for (int c = 0; c < m_filter->columnCount(); ++c) {
                    QAction *a = menu.addAction(m_filter->headerData(c, Qt::Horizontal).toString());
                    a->setCheckable(true);
                    a->setChecked(!header->isSectionHidden(c));
                    a->setEnabled(c != CallTableModel::StatusColumn);
                    connect(a, &QAction::toggled, header,
                            [header, c](bool on) { header->setSectionHidden(c, !on); });
                }
                menu.exec(header->mapToGlobal(pos));
            });

    m_emptyState->setAlignment(Qt::AlignCenter);
    m_emptyState->setWordWrap(true);
    m_emptyState->setForegroundRole(QPalette::PlaceholderText);
    m_emptyState->setAttribute(Qt::WA_TransparentForMouseEvents);
    m_table->viewport()->installEventFilter(this);

    auto *left = new QWidget(this);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->setSpacing(0);
    leftLayout->addWidget(m_filterBar);
    leftLayout->addWidget(m_table, 1);
    m_splitter->addWidget(left);
    m_splitter->addWidget(m_details);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setCollapsible(0, false);
    m_splitter->setSizes({1120, 400});
    setCentralWidget(m_splitter);

    m_metricsDock->setObjectName(QStringLiteral("MetricsDock"));
    m_metricsDock->setWidget(m_metricsPanel);
    m_metricsDock->setFeatures(QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetMovable |
                               QDockWidget::DockWidgetFloatable);
    addDockWidget(Qt::BottomDockWidgetArea, m_metricsDock);
    resizeDocks({m_metricsDock}, {300}, Qt::Vertical);

    statusBar()->addWidget(m_stream);
    statusBar()->addPermanentWidget(m_countLabel);
    statusBar()->addPermanentWidget(m_userLabel);

    createActions();
    createMenus();
    createToolBar();

    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &MainWindow::onCurrentChanged);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MainWindow::updateActions);
    connect(m_filter, &QAbstractItemModel::dataChanged, this, &MainWindow::onRowsChanged);
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved}) {
        connect(m_filter, signal, this, [this] {
            updateCounts();
            updateEmptyState();
        });
    }
    connect(m_filter, &QAbstractItemModel::modelReset, this, [this] {
        updateCounts();
        updateEmptyState();
        onCurrentChanged();
    });
    connect(m_filter, &QAbstractItemModel::layoutChanged, this, &MainWindow::updateCounts);
    connect(m_filter, &CallFilterModel::hiddenTestCountChanged, this, &MainWindow::updateCounts);
    connect(m_filterBar, &FilterBar::filtersEdited, this, [this] {
        updateCounts();
        updateEmptyState();
    });
    connect(m_details, &CallDetailsPane::copyIdRequested, this, &MainWindow::copyCallId);
    if (m_agents) {
        auto agentNames = [this] {
            m_details->setAgentNames(m_agents->names());
            updateActions();
        };
        connect(m_agents, &AgentModel::agentsChanged, this, agentNames);
        connect(m_agents, &QAbstractItemModel::modelReset, this, agentNames);
    }
    if (m_metrics) {
        connect(m_metrics, &MetricsModel::summaryChanged, this,
                [this] { m_metricsPanel->setMetrics(m_metrics->metrics()); });
    }

    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray = new QSystemTrayIcon(ui::appIcon(), this);
        m_tray->setToolTip(tr("Callboard"));
        m_tray->show();
    }
    connect(m_notifier, &CallNotifier::notify, this,
            [this](const QString &title, const QString &message, const QString &) {
                if (m_tray)
                    m_tray->showMessage(title, message, QSystemTrayIcon::Warning, 8000);
                else
                    showMessage(title + QStringLiteral(": ") + message, 8000);
            });

    connect(m_detailRefresh, &QTimer::timeout, this, [this] {
        if (!currentCallId().isEmpty())
            Q_EMIT detailRequested(currentCallId());
    });

    restoreLayout();
    applySettings();
    updateActions();
    updateCounts();
    updateEmptyState();
}

MainWindow::~MainWindow() = default;

QAction *MainWindow::action(const QString &name) const
{
    return m_actions.value(name);
}

void MainWindow::createActions()
{
    auto make = [this](const QString &name, const QString &icon, const QString &text,
                       const QKeySequence &shortcut, auto slot) {
        auto *a = new QAction(icon.isEmpty() ? QIcon() : ui::themedIcon(icon), text, this);
        if (!shortcut.isEmpty())
            a->setShortcut(shortcut);
        a->setShortcutContext(Qt::WindowShortcut);
        a->setObjectName(name);
        connect(a, &QAction::triggered, this, slot);
        m_actions.insert(name, a);
        return a;
    };
    make(QStringLiteral("newCall"), QStringLiteral("new-call"), tr("&New Call…"), QKeySequence::New,
         [this] { Q_EMIT newCallRequested(); })
        ->setToolTip(tr("Start a call through one of the organization's agents (Ctrl+N)"));
    make(QStringLiteral("refresh"), QStringLiteral("refresh"), tr("&Refresh from Provider"),
         QKeySequence(Qt::CTRL | Qt::Key_R), [this] { Q_EMIT refreshRequested(selectedCallIds()); })
        ->setToolTip(tr("Ask the provider for the selected calls' current state (Ctrl+R)"));
    make(QStringLiteral("markFailed"), QStringLiteral("mark-failed"), tr("&Mark Failed…"),
         QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F), [this] { confirmMarkFailed(); })
        ->setToolTip(tr("Mark the selected stuck calls failed (Ctrl+Shift+F)"));
    make(QStringLiteral("delete"), QStringLiteral("delete"), tr("&Delete…"), QKeySequence::Delete,
         [this] { confirmDelete(); })
        ->setToolTip(tr("Delete the selected calls (Del)"));
    make(QStringLiteral("copyId"), QStringLiteral("copy"), tr("&Copy Call ID"),
         QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C), [this] { copyCallId(currentCallId()); });
    make(QStringLiteral("find"), QStringLiteral("search"), tr("&Find…"), QKeySequence::Find,
         [this] { m_filterBar->focusSearch(); });
    make(QStringLiteral("clearFilters"), QStringLiteral("clear"), tr("C&lear Filters"),
         QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L), [this] { m_filterBar->clearFilters(); });
    make(QStringLiteral("resync"), QStringLiteral("resync"), tr("Res&ync All"),
         QKeySequence(Qt::Key_F5), [this] { Q_EMIT resyncRequested(); })
        ->setToolTip(tr("Fetch every call changed since the last known event again (F5)"));
    make(QStringLiteral("syncAgents"), QStringLiteral("sync-agents"), tr("&Sync Agents…"),
         QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S), [this] { Q_EMIT syncAgentsRequested(); })
        ->setToolTip(tr("Check and set each agent's webhook at its provider (Ctrl+Shift+S)"));
    make(QStringLiteral("export"), QStringLiteral("export"), tr("&Export View as CSV…"),
         QKeySequence(Qt::CTRL | Qt::Key_E), [this] { exportInteractive(); })
        ->setToolTip(tr("Save exactly the calls the table shows (Ctrl+E)"));
    make(QStringLiteral("settings"), QStringLiteral("settings"), tr("&Settings…"),
         QKeySequence::Preferences, [this] { Q_EMIT settingsRequested(); });
    if (m_actions.value(QStringLiteral("settings"))->shortcut().isEmpty())
        m_actions.value(QStringLiteral("settings"))
            ->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    make(QStringLiteral("signOut"), QStringLiteral("logout"), tr("Sign &Out"), QKeySequence(),
         [this] { Q_EMIT signOutRequested(); });
    make(QStringLiteral("quit"), QStringLiteral("quit"), tr("&Quit"), QKeySequence::Quit,
         [this] { close(); });
    make(QStringLiteral("about"), QStringLiteral("about"), tr("&About Callboard"), QKeySequence(),
         [this] { showAbout(); });

    QAction *details = make(QStringLiteral("showDetails"), QStringLiteral("details"),
                            tr("&Details Pane"), QKeySequence(Qt::Key_F9), [] {});
    details->setCheckable(true);
    details->setChecked(true);
    connect(details, &QAction::toggled, m_details, &QWidget::setVisible);

    QAction *metricsAction = m_metricsDock->toggleViewAction();
    metricsAction->setIcon(ui::themedIcon(QStringLiteral("metrics")));
    metricsAction->setText(tr("&Metrics Panel"));
    metricsAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_M));
    m_actions.insert(QStringLiteral("showMetrics"), metricsAction);

    QAction *tests = make(QStringLiteral("showTests"), QStringLiteral("test"),
                          tr("Show &Test Calls"), QKeySequence(Qt::CTRL | Qt::Key_T), [] {});
    tests->setCheckable(true);
    connect(tests, &QAction::toggled, m_filterBar, &FilterBar::setIncludeTestCalls);
    connect(m_filter, &CallFilterModel::filtersChanged, tests, [this, tests] {
        const QSignalBlocker blocker(tests);
        tests->setChecked(m_filter->includeTestCalls());
    });

    m_table->addAction(m_actions.value(QStringLiteral("copyId")));
    m_table->addAction(m_actions.value(QStringLiteral("refresh")));
    auto *sep = new QAction(this);
    sep->setSeparator(true);
    m_table->addAction(sep);
    m_table->addAction(m_actions.value(QStringLiteral("markFailed")));
    m_table->addAction(m_actions.value(QStringLiteral("delete")));
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(action(QStringLiteral("export")));
    file->addSeparator();
    file->addAction(action(QStringLiteral("settings")));
    file->addSeparator();
    file->addAction(action(QStringLiteral("signOut")));
    file->addAction(action(QStringLiteral("quit")));

    QMenu *calls = menuBar()->addMenu(tr("&Calls"));
    calls->addAction(action(QStringLiteral("newCall")));
    calls->addSeparator();
    calls->addAction(action(QStringLiteral("refresh")));
    calls->addAction(action(QStringLiteral("markFailed")));
    calls->addAction(action(QStringLiteral("delete")));
    calls->addAction(action(QStringLiteral("copyId")));
    calls->addSeparator();
    calls->addAction(action(QStringLiteral("find")));
    calls->addAction(action(QStringLiteral("clearFilters")));
    calls->addAction(action(QStringLiteral("resync")));

    QMenu *agents = menuBar()->addMenu(tr("&Agents"));
    agents->addAction(action(QStringLiteral("syncAgents")));

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(action(QStringLiteral("showDetails")));
    view->addAction(action(QStringLiteral("showMetrics")));
    view->addSeparator();
    view->addAction(action(QStringLiteral("showTests")));

    m_orgMenu = menuBar()->addMenu(tr("&Organization"));
    m_orgActions = new QActionGroup(this);
    m_orgActions->setExclusive(true);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(action(QStringLiteral("about")));
}

void MainWindow::createToolBar()
{
    QToolBar *bar = addToolBar(tr("Main"));
    bar->setObjectName(QStringLiteral("MainToolBar"));
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->setIconSize(QSize(18, 18));
    bar->addAction(action(QStringLiteral("newCall")));
    bar->addSeparator();
    bar->addAction(action(QStringLiteral("refresh")));
    bar->addAction(action(QStringLiteral("markFailed")));
    bar->addAction(action(QStringLiteral("syncAgents")));
    bar->addSeparator();
    bar->addAction(action(QStringLiteral("export")));
    bar->addAction(action(QStringLiteral("resync")));
    bar->addAction(action(QStringLiteral("showMetrics")));

    auto *spacer = new QWidget(bar);
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    bar->addWidget(spacer);
    auto *orgIcon = new QLabel(bar);
    orgIcon->setPixmap(ui::themedIcon(QStringLiteral("org")).pixmap(18, 18));
    bar->addWidget(orgIcon);
    m_orgCombo->setMinimumContentsLength(16);
    m_orgCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_orgCombo->setToolTip(tr("Switch organization"));
    bar->addWidget(m_orgCombo);
    connect(m_orgCombo, &QComboBox::activated, this, [this](int index) {
        const QString id = m_orgCombo->itemData(index).toString();
        if (!id.isEmpty() && id != m_orgId)
            Q_EMIT orgSwitchRequested(id);
    });
}

void MainWindow::setOrgs(const QList<Org> &orgs, const QString &currentOrgId)
{
    m_orgs = orgs;
    m_orgId = currentOrgId;
    m_role = Role::Viewer;
    QString orgName;
    {
        const QSignalBlocker blocker(m_orgCombo);
        m_orgCombo->clear();
        for (const Org &org : orgs) {
            m_orgCombo->addItem(org.name, org.id);
            if (org.id == currentOrgId) {
                m_role = org.role;
                orgName = org.name;
            }
        }
        m_orgCombo->setCurrentIndex(m_orgCombo->findData(currentOrgId));
    }
    const auto old = m_orgActions->actions();
    for (QAction *a : old) {
        m_orgActions->removeAction(a);
        a->deleteLater();
    }
    m_orgMenu->clear();
    int n = 0;
    for (const Org &org : orgs) {
        QAction *a = m_orgMenu->addAction(tr("%1 (%2)").arg(org.name, ui::roleText(org.role)));
        a->setCheckable(true);
        a->setChecked(org.id == currentOrgId);
        if (++n <= 9)
            a->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key(Qt::Key_0 + n)));
        m_orgActions->addAction(a);
        const QString id = org.id;
        connect(a, &QAction::triggered, this, [this, id] {
            if (id != m_orgId)
                Q_EMIT orgSwitchRequested(id);
        });
    }
    setWindowTitle(orgName.isEmpty() ? tr("Callboard") : tr("%1 — Callboard").arg(orgName));
    m_details->clear();
    setUser(m_user);
    updateActions();
}

void MainWindow::setUser(const QString &name)
{
    m_user = name;
    m_userLabel->setText(name.isEmpty() ? ui::roleText(m_role)
                                        : tr("%1 · %2").arg(name, ui::roleText(m_role)));
}

void MainWindow::setStreamHealth(const StreamHealth &health)
{
    m_stream->setHealth(health);
}

void MainWindow::showCallDetail(const CallDetail &detail)
{
    if (detail.call.id == m_details->callId())
        m_details->setDetail(detail);
}

void MainWindow::showCallDetailError(const QString &callId, const QString &message)
{
    if (callId == m_details->callId())
        m_details->setDetailError(message);
}

bool MainWindow::selectCall(const QString &callId)
{
    m_calls->flush();
    const int row = m_filter->rowOf(callId);
    if (row < 0)
        return false;
    const QModelIndex index = m_filter->index(row, 0);
    m_table->selectionModel()->setCurrentIndex(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index, QAbstractItemView::EnsureVisible);
    return true;
}

QStringList MainWindow::selectedCallIds() const
{
    QStringList ids;
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    for (const QModelIndex &index : rows)
        ids << index.data(CallTableModel::IdRole).toString();
    return ids;
}

QString MainWindow::currentCallId() const
{
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    return current.isValid() ? current.data(CallTableModel::IdRole).toString() : QString();
}

Result<int> MainWindow::exportCsvTo(const QString &path) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Result<int>::failure(QStringLiteral("open_failed"), file.errorString());
    // The columns as the operator arranged them: visual order, hidden ones left out.
    QList<int> columns;
    const QHeaderView *header = m_table->horizontalHeader();
    for (int visual = 0; visual < header->count(); ++visual) {
        const int logical = header->logicalIndex(visual);
        if (!header->isSectionHidden(logical))
            columns << logical;
    }
    Result<int> written = exportCsv(*m_filter, &file, columns);
    if (!written.ok()) {
        file.cancelWriting();
        return written;
    }
    if (!file.commit())
        return Result<int>::failure(QStringLiteral("write_failed"), file.errorString());
    return written;
}

void MainWindow::exportInteractive()
{
    QString dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (dir.isEmpty())
        dir = QDir::homePath();
    const QString suggested = QDir(dir).filePath(
        QStringLiteral("callboard-calls-%1.csv")
            .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmm"))));
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export Calls"), suggested, tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    const Result<int> result = exportCsvTo(path);
    if (result.ok())
        showMessage(
            tr("Exported %n call(s) to %1", nullptr, *result).arg(QDir::toNativeSeparators(path)));
    else
        QMessageBox::warning(this, tr("Export Failed"),
                             tr("The calls were not exported: %1").arg(result.error().message));
}

void MainWindow::copyCallId(const QString &callId)
{
    if (callId.isEmpty())
        return;
    QApplication::clipboard()->setText(callId);
    showMessage(tr("Copied call ID %1").arg(callId), 3000);
}

void MainWindow::confirmMarkFailed()
{
    const QStringList ids = selectedCallIds();
    if (ids.isEmpty())
        return;
    if (m_confirm(
            tr("Mark Calls Failed"),
            tr("Mark %n selected call(s) as failed?\n\nUse this for calls the provider will never "
               "report on. It is recorded in each call's timeline.",
               nullptr, int(ids.size())))) {
        Q_EMIT markFailedRequested(ids);
    }
}

void MainWindow::confirmDelete()
{
    const QStringList ids = selectedCallIds();
    if (ids.isEmpty())
        return;
    if (m_confirm(tr("Delete Calls"),
                  tr("Delete %n selected call(s) for everyone in this organization? This cannot be "
                     "undone.",
                     nullptr, int(ids.size())))) {
        Q_EMIT deleteRequested(ids);
    }
}

void MainWindow::showAbout()
{
    QMessageBox::about(
        this, tr("About Callboard"),
        tr("<h3>Callboard %1</h3><p>Live operations console for voice-AI phone agents "
           "(Bolna, Vapi, Retell).</p>")
            .arg(QApplication::applicationVersion()));
}

void MainWindow::updateActions()
{
    const bool hasSelection =
        m_table->selectionModel() && m_table->selectionModel()->hasSelection();
    const bool staff = roleAtLeast(m_role, Role::Staff);
    const bool admin = roleAtLeast(m_role, Role::Admin);
    const bool haveOrg = !m_orgId.isEmpty();
    auto gate = [this](const QString &name, bool enabled, const QString &why) {
        QAction *a = action(name);
        a->setEnabled(enabled);
        a->setStatusTip(enabled ? QString() : why);
    };
    const QString needStaff = tr("Needs the Staff or Admin role.");
    const QString needAdmin = tr("Needs the Admin role.");
    gate(QStringLiteral("newCall"), haveOrg && staff, needStaff);
    gate(QStringLiteral("refresh"), haveOrg && staff && hasSelection,
         staff ? tr("Select calls first.") : needStaff);
    gate(QStringLiteral("markFailed"), haveOrg && admin && hasSelection,
         admin ? tr("Select calls first.") : needAdmin);
    gate(QStringLiteral("delete"), haveOrg && admin && hasSelection,
         admin ? tr("Select calls first.") : needAdmin);
    gate(QStringLiteral("copyId"), hasSelection, tr("Select a call first."));
    gate(QStringLiteral("syncAgents"), haveOrg, QString());
    gate(QStringLiteral("resync"), haveOrg, QString());
    action(QStringLiteral("delete"))->setVisible(admin);
    action(QStringLiteral("markFailed"))->setVisible(admin);
    action(QStringLiteral("syncAgents"))
        ->setText(admin ? tr("&Sync Agents…") : tr("&Agents' Webhooks…"));
}

void MainWindow::updateCounts()
{
    const int shown = m_filter->rowCount();
    const int total = m_calls->rowCount();
    const int hidden = m_filter->hiddenTestCount();
    QString text = shown == total
        ? tr("%n call(s)", nullptr, total)
        : tr("%1 of %2 calls").arg(QLocale().toString(shown), QLocale().toString(total));
    if (hidden > 0)
        text += tr(" · %n test call(s) hidden", nullptr, hidden);
    m_countLabel->setText(text);
}

void MainWindow::updateEmptyState()
{
    const bool empty = m_filter->rowCount() == 0;
    if (empty) {
        if (m_calls->rowCount() == 0) {
            m_emptyState->setText(
                roleAtLeast(m_role, Role::Staff)
                    ? tr("No calls yet.\nCalls appear here live as the providers report them — "
                         "start one with New Call (Ctrl+N).")
                    : tr("No calls yet.\nCalls appear here live as the providers report them."));
        } else {
            m_emptyState->setText(tr("No calls match the filters.\nClear them with Ctrl+Shift+L."));
        }
        m_emptyState->setGeometry(m_table->viewport()->rect().adjusted(24, 24, -24, -24));
    }
    m_emptyState->setVisible(empty);
}

bool MainWindow::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_table->viewport() && event->type() == QEvent::Resize)
        m_emptyState->setGeometry(m_table->viewport()->rect().adjusted(24, 24, -24, -24));
    return QMainWindow::eventFilter(watched, event);
}

void MainWindow::onCurrentChanged()
{
    const QString id = currentCallId();
    updateActions();
    if (id.isEmpty()) {
        if (!m_details->callId().isEmpty() && m_filter->rowOf(m_details->callId()) < 0)
            m_details->clear();
        return;
    }
    if (id == m_details->callId())
        return;
    const int row = m_filter->rowOf(id);
    if (row < 0)
        return;
    m_details->setCall(m_filter->callAt(row));
    Q_EMIT detailRequested(id);
}

void MainWindow::onRowsChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight)
{
    const QString shown = m_details->callId();
    if (shown.isEmpty())
        return;
    const int row = m_filter->rowOf(shown);
    if (row >= topLeft.row() && row <= bottomRight.row())
        m_details->setCall(m_filter->callAt(row));
}

void MainWindow::showMessage(const QString &text, int timeoutMs)
{
    statusBar()->showMessage(text, timeoutMs);
}

void MainWindow::applySettings()
{
    const int seconds = m_settings->detailRefreshSeconds();
    if (seconds > 0)
        m_detailRefresh->start(seconds * 1000);
    else
        m_detailRefresh->stop();
}

void MainWindow::restoreLayout()
{
    const QByteArray geometry = m_settings->windowGeometry();
    if (geometry.isEmpty() || !restoreGeometry(geometry))
        resize(1520, 940);
    restoreState(m_settings->windowState());
    const QByteArray header = m_settings->tableHeaderState();
    if (!header.isEmpty())
        m_table->horizontalHeader()->restoreState(header);
    const QByteArray splitter = m_settings->splitterState();
    if (!splitter.isEmpty())
        m_splitter->restoreState(splitter);
    m_filterBar->restoreFrom(*m_settings);
    m_actions.value(QStringLiteral("showDetails"))->setChecked(m_details->isVisibleTo(this));
}

void MainWindow::saveLayout()
{
    m_settings->setWindowGeometry(saveGeometry());
    m_settings->setWindowState(saveState());
    m_settings->setTableHeaderState(m_table->horizontalHeader()->saveState());
    m_settings->setSplitterState(m_splitter->saveState());
    m_filterBar->saveTo(*m_settings);
    m_settings->sync();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveLayout();
    QMainWindow::closeEvent(event);
}

} // namespace cb
