#include "screenshottour.h"

#include "appcontroller.h"
#include "appsettings.h"

#include "localdemo.h"
#include "logging.h"
#include "logindialog.h"
#include "mainwindow.h"
#include "metricspanel.h"
#include "models/agentmodel.h"
#include "newcalldialog.h"
#include "syncagentsdialog.h"

#include "models/callfiltermodel.h"
#include "models/calltablemodel.h"

#include <QApplication>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>

namespace cb {

ScreenshotTour::ScreenshotTour(AppController *app, const QString &dir, QObject *parent)
    : QObject(parent), m_app(app), m_dir(dir)
{
    m_dir.mkpath(QStringLiteral("."));
}

void ScreenshotTour::start()
{
    m_steps = {[this] { shootLogin(); },      [this] { shootMain(); },
               [this] { shootDark(); },       [this] { shootNewCall(); },
               [this] { shootSyncAgents(); }, [this] { shootMetrics(); },
               [this] { shootOffline(); }};
    QTimer::singleShot(0, this, &ScreenshotTour::next);
}

void ScreenshotTour::next()
{
    if (m_steps.isEmpty()) {
        Q_EMIT finished(m_ok);
        return;
    }
    const Step step = m_steps.takeFirst();
    step();
}

void ScreenshotTour::waitFor(std::function<bool()> condition, int timeoutMs, Step then)
{
    auto *timer = new QTimer(this);
    auto *clock = new QElapsedTimer;
    clock->start();
    timer->setInterval(100);
    connect(timer, &QTimer::timeout, this, [this, timer, clock, condition, timeoutMs, then] {
        const bool met = condition();
        if (!met && clock->elapsed() < timeoutMs)
            return;
        if (!met) {
            qCWarning(lcUi) << "screenshot tour: a step timed out";
            m_ok = false;
        }
        timer->stop();
        timer->deleteLater();
        delete clock;
        then();
    });
    timer->start();
}

bool ScreenshotTour::save(QWidget *widget, const QString &name)
{
    if (!widget) {
        m_ok = false;
        return false;
    }
    const QString path = m_dir.filePath(name + QStringLiteral(".png"));
    const bool ok = widget->grab().save(path);
    qCInfo(lcUi) << "screenshot" << path << (ok ? "saved" : "FAILED");
    m_ok = m_ok && ok;
    return ok;
}

void ScreenshotTour::shootLogin()
{
    auto *first = new LoginDialog;
    first->focusDemo();
    first->show();
    auto *failed = new LoginDialog;
    failed->setServerHistory({QStringLiteral("https://callboard.example.com")});
    failed->setEmail(QStringLiteral("ops@example.com"));
    failed->show();
    failed->showError({QStringLiteral("invalid_credentials"), QString()});
    QTimer::singleShot(400, this, [this, first, failed] {
        save(first, QStringLiteral("01-login"));
        save(failed, QStringLiteral("01-login-error"));
        delete first;
        delete failed;
        next();
    });
}

void ScreenshotTour::shootMain()
{
    // Let the simulator place a few calls and move them along.
    waitFor([this] { return m_app->mainWindow() && m_app->callModel()->rowCount() >= 8; }, 90000,
            [this] {
                QTimer::singleShot(20000, this, [this] {
                    MainWindow *window = m_app->mainWindow();
                    CallFilterModel *filter = m_app->filterModel();
                    QString pick;
                    for (int row = 0; row < filter->rowCount() && pick.isEmpty(); ++row) {
                        const Call &call = filter->callAt(row);
                        if (call.status == CallStatus::Completed && !call.transcript.isEmpty())
                            pick = call.id;
                    }
                    for (int row = 0; row < filter->rowCount() && pick.isEmpty(); ++row) {
                        if (filter->callAt(row).status == CallStatus::Completed)
                            pick = filter->callAt(row).id;
                    }
                    if (pick.isEmpty() && filter->rowCount() > 0)
                        pick = filter->callAt(0).id;
                    window->selectCall(pick);
                    QTimer::singleShot(2500, this, [this, window] {
                        save(window, QStringLiteral("02-main-window"));
                        next();
                    });
                });
            });
}

void ScreenshotTour::shootDark()
{
    // The same window under a dark palette, to check that every colour stays readable.
    const QPalette light = QApplication::palette();
    QPalette dark;
    dark.setColor(QPalette::Window, QColor(0x2b, 0x2d, 0x31));
    dark.setColor(QPalette::WindowText, QColor(0xe6, 0xe6, 0xe6));
    dark.setColor(QPalette::Base, QColor(0x1f, 0x21, 0x24));
    dark.setColor(QPalette::AlternateBase, QColor(0x27, 0x29, 0x2d));
    dark.setColor(QPalette::Text, QColor(0xe6, 0xe6, 0xe6));
    dark.setColor(QPalette::Button, QColor(0x33, 0x35, 0x3a));
    dark.setColor(QPalette::ButtonText, QColor(0xe6, 0xe6, 0xe6));
    dark.setColor(QPalette::Highlight, QColor(0x3d, 0x7e, 0xd8));
    dark.setColor(QPalette::HighlightedText, Qt::white);
    dark.setColor(QPalette::ToolTipBase, QColor(0x33, 0x35, 0x3a));
    dark.setColor(QPalette::ToolTipText, QColor(0xe6, 0xe6, 0xe6));
    dark.setColor(QPalette::PlaceholderText, QColor(0x9a, 0x9d, 0xa3));
    dark.setColor(QPalette::Disabled, QPalette::Text, QColor(0x80, 0x80, 0x80));
    dark.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x80, 0x80, 0x80));
    dark.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x80, 0x80, 0x80));
    QApplication::setPalette(dark);
    QTimer::singleShot(600, this, [this, light] {
        save(m_app->mainWindow(), QStringLiteral("02-main-window-dark"));
        QApplication::setPalette(light);
        QTimer::singleShot(300, this, &ScreenshotTour::next);
    });
}

void ScreenshotTour::shootNewCall()
{
    m_app->openNewCallDialog();
    auto *dialog = m_app->mainWindow()->findChild<NewCallDialog *>(QStringLiteral("NewCallDialog"));
    if (!dialog) {
        m_ok = false;
        next();
        return;
    }
    dialog->numberEdit()->setFocus();
    dialog->setNumber(QStringLiteral("415 555 0123"));
    QTimer::singleShot(400, this, [this, dialog] {
        save(dialog, QStringLiteral("03-new-call-validation"));
        dialog->reject();
        next();
    });
}

void ScreenshotTour::shootSyncAgents()
{
    m_app->openSyncAgentsDialog();
    auto *dialog =
        m_app->mainWindow()->findChild<SyncAgentsDialog *>(QStringLiteral("SyncAgentsDialog"));
    if (!dialog) {
        m_ok = false;
        next();
        return;
    }
    dialog->syncAllButton()->click();
    waitFor([dialog] { return dialog->state() == SyncAgentsDialog::State::Done; }, 20000,
            [this, dialog] {
                QTimer::singleShot(300, this, [this, dialog] {
                    save(dialog, QStringLiteral("04-sync-agents"));
                    dialog->reject();
                    next();
                });
            });
}

void ScreenshotTour::shootMetrics()
{
    MainWindow *window = m_app->mainWindow();
    save(window->metricsPanel(), QStringLiteral("05-metrics"));
    next();
}

void ScreenshotTour::shootOffline()
{
    // The server goes away; the app is restarted and must show its cache, marked offline.
    const QUrl server = m_app->serverUrl();
    const QString token = m_app->sessionToken();
    const QString org = m_app->orgId();
    m_app->realtime()->close();
    if (m_app->demo())
        m_app->demo()->stop();
    m_app->flushCache();
    m_app->mainWindow()->hide();

    auto *settingsDir = new QTemporaryDir;
    auto *settings = new QSettings(settingsDir->filePath(QStringLiteral("offline.ini")),
                                   QSettings::IniFormat, this);
    AppSettings(settings).setAgentNames(org, m_app->agentModel()->names());
    AppController::Options options;
    options.server = server;
    options.token = token;
    options.orgId = org;
    options.orgs = m_app->orgs();
    auto *restarted = new AppController(settings, nullptr, options, this);
    restarted->start();
    waitFor(
        [restarted] {
            return restarted->mainWindow() && restarted->callModel()->rowCount() > 0 &&
                restarted->streamHealth().state == StreamHealth::State::Offline &&
                restarted->streamHealth().nextRetryAt.isValid();
        },
        20000,
        [this, restarted, settingsDir] {
            MainWindow *window = restarted->mainWindow();
            if (window && window->filterModel()->rowCount() > 0)
                window->selectCall(window->filterModel()->callAt(0).id);
            QTimer::singleShot(600, this, [this, restarted, settingsDir] {
                save(restarted->mainWindow(), QStringLiteral("06-offline"));
                delete restarted;
                delete settingsDir;
                next();
            });
        });
}

} // namespace cb
