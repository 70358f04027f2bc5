#include "appcontroller.h"

#include "appsettings.h"
#include "calldetailspane.h"
#include "filterbar.h"
#include "localdemo.h"
#include "logging.h"
#include "logindialog.h"
#include "mainwindow.h"
#include "newcalldialog.h"
#include "settingsdialog.h"
#include "syncagentsdialog.h"

#include "client/apiclient.h"
#include "client/callsync.h"
#include "client/localcache.h"
#include "client/secretstore.h"
#include "client/session.h"
#include "models/agentmodel.h"
#include "models/callfiltermodel.h"
#include "models/calltablemodel.h"
#include "models/metricsmodel.h"

#include <QApplication>
#include <QNetworkAccessManager>
#include <QSettings>

namespace cb {

AppController::AppController(QSettings *settings, SecretStore *secretStore, Options options,
                             QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_secretStore(secretStore)
    , m_settings(std::make_unique<AppSettings>(settings))
    , m_network(new QNetworkAccessManager(this))
    , m_api(new ApiClient(m_network, this))
    , m_realtime(new RealtimeClient(this))
    , m_sync(new CallSync(m_api, CallSync::Clock(), this))
    , m_calls(std::make_unique<CallTableModel>())
    , m_filter(std::make_unique<CallFilterModel>())
    , m_agents(std::make_unique<AgentModel>())
    , m_metrics(std::make_unique<MetricsModel>())
{
    m_filter->setSourceModel(m_calls.get());

    connect(m_realtime, &RealtimeClient::joined, m_sync, &CallSync::onJoined);
    connect(m_realtime, &RealtimeClient::callUpserted, m_sync, &CallSync::onCallUpserted);
    connect(m_realtime, &RealtimeClient::callDeleted, m_sync, &CallSync::onCallDeleted);
    connect(m_realtime, &RealtimeClient::disconnected, m_sync,
            [this] { m_sync->onDisconnected(); });
    connect(m_realtime, &RealtimeClient::metricsUpdated, this, [this](const Metrics &metrics) {
        if (metrics.orgId.isEmpty() || metrics.orgId == m_orgId)
            m_metrics->setMetrics(metrics);
    });
    connect(m_realtime, &RealtimeClient::stateChanged, this, [this](RealtimeClient::State state) {
        // The data is current up to the moment the stream was last live.
        if (state == RealtimeClient::State::Live || m_wasLive)
            m_lastLiveAt = QDateTime::currentDateTimeUtc();
        m_wasLive = state == RealtimeClient::State::Live;
        m_everLive = m_everLive || m_wasLive;
        updateHealth();
    });
    connect(m_realtime, &RealtimeClient::retryScheduled, this, &AppController::updateHealth);
    connect(m_realtime, &RealtimeClient::authFailed, this, &AppController::onAuthLost);
    connect(m_realtime, &RealtimeClient::joined, this, [this] { loadAgents(); });
    connect(m_api, &ApiClient::unauthorized, this, [this] {
        onAuthLost({QStringLiteral("unauthorized"),
                    tr("Your session has expired. Please sign in again.")});
    });

    connect(m_sync, &CallSync::callsReset, m_calls.get(), &CallTableModel::resetCalls);
    connect(m_sync, &CallSync::callsChanged, m_calls.get(), &CallTableModel::applyBatch);
    connect(m_sync, &CallSync::statsChanged, this, &AppController::updateHealth);

    // While the live stream is down, poll so the table still moves; the socket alone
    // decides when to reconnect.
    m_fallbackPoll.setInterval(5000);
    connect(&m_fallbackPoll, &QTimer::timeout, this, [this] {
        if (m_orgId.isEmpty() || m_token.isEmpty() ||
            m_realtime->state() == RealtimeClient::State::Live)
            return;
        if (!m_sync->isResyncing())
            m_sync->resync();
        loadMetrics();
    });
}

AppController::~AppController()
{
    if (m_window)
        m_window->saveLayout();
    m_realtime->close();
    delete m_window;
    delete m_login;
    if (m_cache)
        m_cache->flush();
}

Role AppController::role() const
{
    for (const Org &org : m_orgs) {
        if (org.id == m_orgId)
            return org.role;
    }
    return Role::Viewer;
}

void AppController::start()
{
    if (m_options.demo) {
        startDemo();
        return;
    }
    if (m_options.server.isValid() && !m_options.token.isEmpty()) {
        m_server = m_options.server;
        m_token = m_options.token;
        m_api->setBaseUrl(m_server);
        m_api->setToken(m_token);
        m_orgs = m_options.orgs;
        if (std::none_of(m_orgs.cbegin(), m_orgs.cend(),
                         [this](const Org &o) { return o.id == m_options.orgId; }))
            m_orgs.append(Org{m_options.orgId, m_options.orgId, Role::Viewer});
        enterOrg(m_options.orgId);
        // Learn the real org names and role without holding up the cached view.
        auto *job = m_api->orgs();
        job->onFinished(this, [this](const Result<QList<Org>> &result) {
            if (!result.ok())
                return;
            m_orgs = *result;
            if (m_window)
                m_window->setOrgs(m_orgs, m_orgId);
        });
        return;
    }
    if (m_settings->rememberMe() && !m_settings->serverUrl().isEmpty() &&
        !m_settings->email().isEmpty() && m_secretStore) {
        restoreSession();
        return;
    }
    showLogin();
}

void AppController::flushCache()
{
    if (m_cache)
        m_cache->flush();
}

void AppController::showLogin()
{
    if (!m_login) {
        m_login = new LoginDialog;
        m_login->setAttribute(Qt::WA_DeleteOnClose, false);
        m_login->setServerHistory(m_settings->serverHistory());
        m_login->setServerUrl(m_settings->serverUrl());
        m_login->setEmail(m_settings->email());
        m_login->setRememberMe(m_settings->rememberMe());
        connect(m_login, &LoginDialog::signInRequested, this, [this] {
            signIn(m_login->serverUrl(), m_login->email(), m_login->password(),
                   m_login->rememberMe());
        });
        connect(m_login, &LoginDialog::demoRequested, this, &AppController::startDemo);
        connect(m_login, &LoginDialog::orgChosen, this, [this](const QString &orgId) {
            m_login->hide();
            enterOrg(orgId);
        });
        connect(m_login, &QDialog::rejected, this, [this] {
            if (!m_window || !m_window->isVisible())
                QApplication::quit();
        });
    }
    m_login->show();
    m_login->raise();
    m_login->activateWindow();
    if (m_settings->serverUrl().isEmpty())
        m_login->focusDemo();
}

void AppController::startDemo()
{
    if (m_login)
        m_login->setBusy(true, tr("Starting the local demo…"));
    if (!m_demo) {
        const QString program = m_options.serverProgram.isEmpty() ? LocalDemo::findServerProgram()
                                                                  : m_options.serverProgram;
        const QString dir =
            m_options.demoDataDir.isEmpty() ? LocalDemo::defaultDataDir() : m_options.demoDataDir;
        m_demo = new LocalDemo(program, dir, this);
        connect(m_demo, &LocalDemo::ready, this, [this](const QUrl &url) {
            if (m_login)
                m_login->setBusy(true, tr("Signing in to the local demo…"));
            signIn(url, LocalDemo::adminEmail(), LocalDemo::password(), false);
        });
        connect(m_demo, &LocalDemo::failed, this, [this](const Error &error) {
            if (m_login)
                m_login->showError(error);
            else
                Q_EMIT startFailed(error);
        });
        connect(m_demo, &LocalDemo::stopped, this, [this](const QString &reason) {
            if (m_window)
                m_window->showMessage(tr("The local demo server stopped: %1").arg(reason), 0);
        });
    }
    if (m_demo->isRunning() && m_demo->url().isValid())
        signIn(m_demo->url(), LocalDemo::adminEmail(), LocalDemo::password(), false);
    else
        m_demo->start();
}

void AppController::signIn(const QUrl &server, const QString &email, const QString &password,
                           bool remember)
{
    m_server = server;
    if (m_login)
        m_login->setBusy(true, tr("Signing in…"));
    const bool demo = m_demo && server == m_demo->url();
    // Only a remembered session goes to the keychain.
    auto *session = newSession(remember && !demo ? m_secretStore.data() : nullptr);
    connect(session, &Session::loginFailed, this, [this, demo](const Error &failure) {
        qCInfo(lcUi) << "sign-in failed:" << failure.code;
        Error error = failure;
        if (demo)
            error.code = QStringLiteral("demo_") + error.code;
        if (m_login)
            m_login->showError(error);
        else
            Q_EMIT startFailed(error);
    });
    connect(session, &Session::loggedIn, this, [this, email, remember, demo, session] {
        if (!demo) {
            m_settings->rememberServer(m_server.toString());
            m_settings->setEmail(email);
            m_settings->setRememberMe(remember);
        }
        signedIn(LoginResult{session->token(), session->user(), session->orgs()}, remember);
    });
    session->login(server, email, password);
}

Session *AppController::newSession(SecretStore *store)
{
    if (m_session)
        m_session->deleteLater();
    m_session = new Session(m_api, store, this);
    connect(m_session, &Session::secretStoreFailed, this, [this](const Error &error) {
        const QString text = tr("The session could not be kept in the system keychain (%1); you "
                                "will be asked to sign in next time.")
                                 .arg(error.message);
        if (m_window && m_window->isVisible())
            m_window->showMessage(text, 10000);
    });
    return m_session;
}

void AppController::restoreSession()
{
    const QUrl server(m_settings->serverUrl());
    const QString email = m_settings->email();
    auto *session = newSession(m_secretStore.data());
    connect(session, &Session::restoreFailed, this, [this](const Error &error) {
        qCInfo(lcUi) << "no saved session:" << error.code;
        showLogin();
    });
    connect(session, &Session::loggedIn, this, [this, server, session] {
        m_server = server;
        m_token = session->token();
        m_user = session->user();
        m_orgs = session->orgs();
        const QString last = m_settings->lastOrgId();
        QString chosen = session->currentOrgId();
        for (const Org &org : std::as_const(m_orgs)) {
            if (org.id == last)
                chosen = org.id;
        }
        // The cached calls show at once; a refused token brings the login back.
        enterOrg(chosen);
    });
    session->restore(server, email);
}

void AppController::signedIn(const LoginResult &result, bool)
{
    m_token = result.token;
    m_user = result.user;
    m_orgs = result.orgs;
    m_api->setToken(m_token);
    if (m_orgs.isEmpty()) {
        const Error error{QStringLiteral("no_orgs"),
                          tr("This account is not a member of any organization yet.")};
        if (m_login)
            m_login->showError(error);
        else
            Q_EMIT startFailed(error);
        return;
    }
    const QString last = m_settings->lastOrgId();
    QString chosen;
    for (const Org &org : std::as_const(m_orgs)) {
        if (org.id == last)
            chosen = org.id;
    }
    if (m_orgs.size() > 1 && chosen.isEmpty() && m_login && !m_options.demo) {
        m_login->showOrgPicker(m_orgs);
        return;
    }
    if (chosen.isEmpty())
        chosen = m_orgs.first().id;
    if (m_login) {
        m_login->setBusy(false);
        m_login->hide();
    }
    enterOrg(chosen);
}

void AppController::ensureWindow()
{
    if (m_window)
        return;
    m_window = new MainWindow(m_calls.get(), m_filter.get(), m_agents.get(), m_metrics.get(),
                              m_settings.get());
    m_window->setAttribute(Qt::WA_DeleteOnClose, false);
    connect(m_window, &MainWindow::newCallRequested, this, &AppController::openNewCallDialog);
    connect(m_window, &MainWindow::syncAgentsRequested, this, &AppController::openSyncAgentsDialog);
    connect(m_window, &MainWindow::refreshRequested, this, &AppController::refreshCalls);
    connect(m_window, &MainWindow::markFailedRequested, this, &AppController::markFailed);
    connect(m_window, &MainWindow::deleteRequested, this, &AppController::deleteCalls);
    connect(m_window, &MainWindow::resyncRequested, this, [this] {
        m_sync->resync();
        loadAgents();
        loadMetrics();
        m_window->showMessage(tr("Fetching every change since the last known event…"), 3000);
    });
    connect(m_window, &MainWindow::orgSwitchRequested, this, &AppController::enterOrg);
    connect(m_window, &MainWindow::signOutRequested, this, &AppController::signOut);
    connect(m_window, &MainWindow::settingsRequested, this, &AppController::openSettings);
    connect(m_window, &MainWindow::detailRequested, this, &AppController::loadDetail);
    connect(m_sync, &CallSync::resyncFailed, m_window, [this](const Error &error) {
        // While offline the status bar already says so; do not repeat every poll.
        if (m_realtime->state() == RealtimeClient::State::Live)
            m_window->showMessage(tr("Resync failed: %1").arg(error.message), 8000);
    });
}

void AppController::enterOrg(const QString &orgId)
{
    ensureWindow();
    m_orgId = orgId;
    m_settings->setLastOrgId(orgId);
    m_everLive = false;
    m_wasLive = false;
    m_lastLiveAt = {};
    m_agents->clear();
    m_metrics->clear();
    m_calls->setAgentNames(m_settings->agentNames(orgId));
    m_window->detailsPane()->setAgentNames(m_settings->agentNames(orgId));

    LocalCache *old = m_cache;
    m_cache = nullptr;
    if (!orgId.isEmpty() && m_server.isValid()) {
        auto *cache = new LocalCache(LocalCache::defaultPath(m_server, orgId), this);
        const Result<void> opened = cache->open();
        if (opened.ok()) {
            m_cache = cache;
        } else {
            qCWarning(lcUi) << "local cache unavailable:" << opened.error().message;
            delete cache;
        }
    }
    m_sync->setOrg(orgId, m_cache);
    // Fetch over REST at once: the realtime join resyncs again, but the table should not
    // wait for the socket (or stay empty when it cannot connect).
    m_sync->resync();
    if (old) {
        old->flush();
        old->deleteLater();
    }

    m_window->setOrgs(m_orgs, orgId);
    m_window->setUser(m_user.name.isEmpty() ? m_user.email : m_user.name);
    m_window->show();

    m_realtime->setServerUrl(m_server);
    m_realtime->setToken(m_token);
    m_realtime->setOrg(orgId);
    if (m_realtime->state() == RealtimeClient::State::Offline)
        m_realtime->open();
    loadAgents();
    loadMetrics();
    updateHealth();
    m_fallbackPoll.start();
    Q_EMIT orgEntered(orgId);
}

void AppController::loadAgents()
{
    const QString org = m_orgId;
    auto *job = m_api->agents(org);
    job->onFinished(this, [this, org](const Result<QList<Agent>> &result) {
        if (org != m_orgId || !result.ok())
            return;
        m_agents->setAgents(*result);
        m_calls->setAgentNames(m_agents->names());
        m_settings->setAgentNames(org, m_agents->names());
        Q_EMIT agentsLoaded();
    });
}

void AppController::loadMetrics()
{
    const QString org = m_orgId;
    auto *job = m_api->metrics(org);
    job->onFinished(this, [this, org](const Result<Metrics> &result) {
        if (org == m_orgId && result.ok())
            m_metrics->setMetrics(*result);
    });
}

StreamHealth AppController::streamHealth() const
{
    StreamHealth health;
    const SyncStats &stats = m_sync->stats();
    health.gapsHealed = stats.gapsHealed;
    health.duplicatesIgnored = stats.duplicatesIgnored;
    health.lastEventAt = stats.lastEventAt;
    health.detail = m_realtime->lastError().message;
    QDateTime cachedAsOf = m_lastLiveAt;
    if (!cachedAsOf.isValid()) {
        for (const Call &call : m_sync->calls())
            cachedAsOf = std::max(cachedAsOf, call.updatedAt);
    }
    health.cachedAsOf = cachedAsOf;
    switch (m_realtime->state()) {
    case RealtimeClient::State::Live:
        health.state = StreamHealth::State::Live;
        break;
    case RealtimeClient::State::Connecting:
    case RealtimeClient::State::Joining:
        health.state = m_everLive || !cachedAsOf.isValid() ? StreamHealth::State::Connecting
                                                           : StreamHealth::State::Offline;
        break;
    case RealtimeClient::State::Reconnecting:
        health.nextRetryAt = m_realtime->nextRetryAt();
        // Never reached the server this session: the table is the cache, say so.
        health.state =
            m_everLive ? StreamHealth::State::Reconnecting : StreamHealth::State::Offline;
        break;
    case RealtimeClient::State::Offline:
        health.state = StreamHealth::State::Offline;
        break;
    }
    return health;
}

void AppController::updateHealth()
{
    if (m_window)
        m_window->setStreamHealth(streamHealth());
}

void AppController::onAuthLost(const Error &error)
{
    qCInfo(lcUi) << "session refused:" << error.code;
    if (m_session)
        m_session->expire();
    m_realtime->close();
    m_api->setToken(QString());
    m_token.clear();
    updateHealth();
    showLogin();
    m_login->showError(Error{QStringLiteral("session_expired"),
                             error.message.isEmpty()
                                 ? tr("Your session has expired. Please sign in again.")
                                 : error.message});
}

void AppController::signOut()
{
    if (m_session)
        m_session->logout();
    else if (!m_token.isEmpty())
        m_api->logout();
    m_realtime->close();
    m_api->setToken(QString());
    m_token.clear();
    m_orgId.clear();
    m_fallbackPoll.stop();
    m_sync->setOrg(QString());
    m_calls->clear();
    m_agents->clear();
    m_metrics->clear();
    if (m_window) {
        m_window->saveLayout();
        m_window->hide();
    }
    showLogin();
}

void AppController::openNewCallDialog()
{
    if (!m_window)
        return;
    auto *dialog = new NewCallDialog(m_agents->agents(), role(), m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setObjectName(QStringLiteral("NewCallDialog"));
    const QString org = m_orgId;
    connect(dialog, &NewCallDialog::callRequested, this,
            [this, dialog, org](const NewCallRequest &request) {
                auto *job = m_api->startCall(org, request);
                job->onFinished(dialog, [this, dialog](const Result<Call> &result) {
                    if (result.ok()) {
                        m_calls->applyBatch({*result});
                        m_calls->flush();
                        if (result->isTest && !m_filter->includeTestCalls())
                            m_window->filterBar()->setIncludeTestCalls(true);
                        m_window->selectCall(result->id);
                    }
                    dialog->showResult(result);
                });
            });
    dialog->open();
}

void AppController::openSyncAgentsDialog()
{
    if (!m_window)
        return;
    auto *dialog = new SyncAgentsDialog(m_agents->agents(), role(), m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setObjectName(QStringLiteral("SyncAgentsDialog"));
    const QString org = m_orgId;
    connect(dialog, &SyncAgentsDialog::syncRequested, this,
            [this, dialog, org](const QStringList &ids) {
                for (const QString &id : ids) {
                    m_agents->setSyncing(id, true);
                    auto *job = m_api->syncAgent(org, id);
                    job->onFinished(this,
                                    [this, dialog = QPointer<SyncAgentsDialog>(dialog),
                                     id](const Result<Agent> &result) {
                                        m_agents->setSyncing(id, false);
                                        if (result.ok())
                                            m_agents->updateAgent(*result);
                                        if (dialog)
                                            dialog->agentSynced(id, result);
                                    });
                }
            });
    dialog->open();
}

void AppController::refreshCalls(const QStringList &ids)
{
    for (const QString &id : ids) {
        auto *job = m_api->refreshCall(m_orgId, id);
        job->onFinished(this, [this](const Result<Call> &result) {
            if (result.ok())
                m_calls->applyBatch({*result});
            else if (m_window)
                m_window->showMessage(tr("Refresh failed: %1").arg(result.error().message), 8000);
        });
    }
    if (m_window && !ids.isEmpty())
        m_window->showMessage(tr("Asking the provider about %n call(s)…", nullptr, int(ids.size())),
                              3000);
}

void AppController::markFailed(const QStringList &ids)
{
    auto *job = m_api->markFailed(m_orgId, ids);
    job->onFinished(this, [this](const Result<QList<Call>> &result) {
        if (result.ok()) {
            m_calls->applyBatch(*result);
            if (m_window)
                m_window->showMessage(tr("Marked %n call(s) failed.", nullptr, int(result->size())),
                                      5000);
        } else if (m_window) {
            m_window->showMessage(tr("Mark failed did not work: %1").arg(result.error().message),
                                  8000);
        }
    });
}

void AppController::deleteCalls(const QStringList &ids)
{
    for (const QString &id : ids) {
        auto *job = m_api->deleteCall(m_orgId, id);
        job->onFinished(this, [this, id](const Result<void> &result) {
            if (result.ok())
                m_calls->applyBatch({}, {id});
            else if (m_window)
                m_window->showMessage(tr("Delete failed: %1").arg(result.error().message), 8000);
        });
    }
}

void AppController::loadDetail(const QString &callId)
{
    const QString org = m_orgId;
    auto *job = m_api->call(org, callId);
    job->onFinished(this, [this, org, callId](const Result<CallDetail> &result) {
        if (!m_window || org != m_orgId)
            return;
        if (result.ok())
            m_window->showCallDetail(*result);
        else
            m_window->showCallDetailError(callId, result.error().message);
    });
}

void AppController::openSettings()
{
    SettingsDialog dialog(m_settings.get(), m_window);
    if (dialog.exec() == QDialog::Accepted && m_window)
        m_window->applySettings();
}

} // namespace cb
