#pragma once

#include "client/apitypes.h"
#include "core/call.h"
#include "core/result.h"
#include "streamstatuswidget.h"

#include <QMainWindow>

#include <functional>

class QAction;
class QActionGroup;
class QComboBox;
class QDockWidget;
class QLabel;
class QMenu;
class QSplitter;
class QSystemTrayIcon;
class QTableView;
class QTimer;

namespace cb {

class AgentModel;
class AppSettings;
class CallDetailsPane;
class CallFilterModel;
class CallNotifier;
class CallTableModel;
class FilterBar;
class MetricsModel;
class MetricsPanel;

/// The operator's window: the live call table (filtered and sorted) beside the details
/// pane, the filter bar above it, the metrics panel in a dock, the stream health in the
/// status bar, the org switcher in the toolbar, and every action in menus with shortcuts.
///
/// The window shows the models it is given and asks for work through signals (new call,
/// refresh, mark failed, …); the application controller does the work. Role decides which
/// actions are enabled.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    /// Asks the user to confirm a destructive action; tests replace it.
    using Confirm = std::function<bool(const QString &title, const QString &text)>;

    MainWindow(CallTableModel *calls, CallFilterModel *filter, AgentModel *agents,
               MetricsModel *metrics, AppSettings *settings, QWidget *parent = nullptr);
    ~MainWindow() override;

    void setConfirm(Confirm confirm) { m_confirm = std::move(confirm); }

    void setOrgs(const QList<Org> &orgs, const QString &currentOrgId);
    QString currentOrgId() const { return m_orgId; }
    Role role() const { return m_role; }
    void setUser(const QString &name);
    void setStreamHealth(const StreamHealth &health);

    void showCallDetail(const CallDetail &detail);
    void showCallDetailError(const QString &callId, const QString &message);
    /// Selects a call and scrolls to it (the new row of a call just placed).
    bool selectCall(const QString &callId);
    QStringList selectedCallIds() const;
    QString currentCallId() const;

    /// Writes exactly the rows the table shows, in its order, to a CSV file.
    Result<int> exportCsvTo(const QString &path) const;
    void showMessage(const QString &text, int timeoutMs = 5000);

    QTableView *table() const { return m_table; }
    CallFilterModel *filterModel() const { return m_filter; }
    FilterBar *filterBar() const { return m_filterBar; }
    CallDetailsPane *detailsPane() const { return m_details; }
    MetricsPanel *metricsPanel() const { return m_metricsPanel; }
    QDockWidget *metricsDock() const { return m_metricsDock; }
    StreamStatusWidget *streamStatus() const { return m_stream; }
    QAction *action(const QString &name) const;

    void saveLayout();
    /// Re-reads the settings that affect the window (detail refresh interval).
    void applySettings();

Q_SIGNALS:
    void newCallRequested();
    void syncAgentsRequested();
    void refreshRequested(const QStringList &callIds);
    void markFailedRequested(const QStringList &callIds);
    void deleteRequested(const QStringList &callIds);
    void resyncRequested();
    void orgSwitchRequested(const QString &orgId);
    void signOutRequested();
    void settingsRequested();
    /// The timeline and transcript of a call are wanted (selection or periodic refresh).
    void detailRequested(const QString &callId);

protected:
    void closeEvent(QCloseEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void createActions();
    void createMenus();
    void createToolBar();
    void restoreLayout();
    void updateActions();
    void updateCounts();
    void updateEmptyState();
    void onCurrentChanged();
    void onRowsChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight);
    void exportInteractive();
    void copyCallId(const QString &callId);
    void confirmMarkFailed();
    void confirmDelete();
    void showAbout();

    CallTableModel *m_calls;
    CallFilterModel *m_filter;
    AgentModel *m_agents;
    MetricsModel *m_metrics;
    AppSettings *m_settings;
    Confirm m_confirm;

    QString m_orgId;
    Role m_role = Role::Viewer;
    QList<Org> m_orgs;

    QTableView *m_table;
    QLabel *m_emptyState;
    FilterBar *m_filterBar;
    CallDetailsPane *m_details;
    QSplitter *m_splitter;
    MetricsPanel *m_metricsPanel;
    QDockWidget *m_metricsDock;
    StreamStatusWidget *m_stream;
    QLabel *m_countLabel;
    QLabel *m_userLabel;
    QComboBox *m_orgCombo;
    QMenu *m_orgMenu = nullptr;
    QActionGroup *m_orgActions = nullptr;
    QSystemTrayIcon *m_tray = nullptr;
    CallNotifier *m_notifier;
    QTimer *m_detailRefresh;
    QHash<QString, QAction *> m_actions;
    QString m_user;
};

} // namespace cb
