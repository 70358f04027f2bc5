#pragma once

#include "client/apitypes.h"
#include "client/realtimeclient.h"
#include "core/call.h"
#include "logindialog.h"
#include "mainwindow.h"
#include "streamstatuswidget.h"

#include <QDateTime>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>

#include <memory>

class QNetworkAccessManager;
class QSettings;

namespace cb {

class AgentModel;
class ApiClient;
class AppSettings;
class CallFilterModel;
class CallSync;
class CallTableModel;
class LocalCache;
class SecretStore;
class Session;
class LocalDemo;
class LoginDialog;
class MainWindow;
class MetricsModel;
struct SyncStats;

/// Runs the desktop app: sign-in (or the local demo), the organization's live sync, and
/// the main window's actions. Owns the client objects (REST, realtime, sync, cache) and the
/// models, connects them, and turns the window's requests into REST jobs.
class AppController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AppController)

public:
    struct Options
    {
        bool demo = false; ///< start the local demo and sign in as its admin
        QString demoDataDir; ///< empty: LocalDemo::defaultDataDir()
        QString serverProgram; ///< empty: LocalDemo::findServerProgram()
        /// Sign in with a stored session without asking (server URL, token, org).
        QUrl server;
        QString token;
        QString orgId;
        QList<Org> orgs; ///< what is known of the organizations, for the offline view
    };

    /// @p secretStore keeps remembered sessions (the OS keychain); null keeps them in memory.
    AppController(QSettings *settings, SecretStore *secretStore, Options options,
                  QObject *parent = nullptr);
    ~AppController() override;

    void start();

    MainWindow *mainWindow() const { return m_window; }
    LoginDialog *loginDialog() const { return m_login; }
    CallTableModel *callModel() const { return m_calls.get(); }
    CallFilterModel *filterModel() const { return m_filter.get(); }
    AgentModel *agentModel() const { return m_agents.get(); }
    MetricsModel *metricsModel() const { return m_metrics.get(); }
    RealtimeClient *realtime() const { return m_realtime; }
    CallSync *callSync() const { return m_sync; }
    ApiClient *api() const { return m_api; }
    LocalDemo *demo() const { return m_demo; }
    AppSettings *settings() const { return m_settings.get(); }
    QString orgId() const { return m_orgId; }
    QList<Org> orgs() const { return m_orgs; }
    QUrl serverUrl() const { return m_server; }
    /// The session token, for handing the session to another in-process controller.
    QString sessionToken() const { return m_token; }
    /// Writes what the local cache has queued.
    void flushCache();
    Role role() const;
    StreamHealth streamHealth() const;

    /// Opens the dialogs the window asks for; public so the screenshot tour can open them.
    void openNewCallDialog();
    void openSyncAgentsDialog();

Q_SIGNALS:
    /// The main window is up and showing an organization.
    void orgEntered(const QString &orgId);
    /// Sign-in failed without a dialog to show it (demo or stored session at start).
    void startFailed(const cb::Error &error);
    void agentsLoaded();

private:
    void showLogin();
    void restoreSession();
    Session *newSession(SecretStore *store);
    void startDemo();
    void signIn(const QUrl &server, const QString &email, const QString &password, bool remember);
    void signedIn(const LoginResult &result, bool remember);
    void enterOrg(const QString &orgId);
    void ensureWindow();
    void loadAgents();
    void loadMetrics();
    void updateHealth();
    void signOut();
    void onAuthLost(const Error &error);

    void refreshCalls(const QStringList &ids);
    void markFailed(const QStringList &ids);
    void deleteCalls(const QStringList &ids);
    void loadDetail(const QString &callId);
    void openSettings();

    Options m_options;
    QPointer<SecretStore> m_secretStore;
    QPointer<Session> m_session;
    std::unique_ptr<AppSettings> m_settings;
    QNetworkAccessManager *m_network;
    ApiClient *m_api;
    RealtimeClient *m_realtime;
    CallSync *m_sync;
    QPointer<LocalCache> m_cache;
    std::unique_ptr<CallTableModel> m_calls;
    std::unique_ptr<CallFilterModel> m_filter;
    std::unique_ptr<AgentModel> m_agents;
    std::unique_ptr<MetricsModel> m_metrics;
    QPointer<MainWindow> m_window;
    QPointer<LoginDialog> m_login;
    LocalDemo *m_demo = nullptr;

    QUrl m_server;
    QString m_token;
    User m_user;
    QList<Org> m_orgs;
    QString m_orgId;
    QTimer m_fallbackPoll;
    bool m_everLive = false;
    bool m_wasLive = false;
    QDateTime m_lastLiveAt;
};

} // namespace cb
