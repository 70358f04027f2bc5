#pragma once

#include <QDir>
#include <QObject>

#include <functional>

class QWidget;

namespace cb {

class AppController;

/// Walks the running demo through the screens a person should look at and saves a PNG of
/// each into a folder: the login dialog, the main window with live calls and the details
/// pane, New Call with a validation error, Sync Agents after a sync, the metrics panel, and
/// the offline state (the app restarted from its cache with the server gone).
class ScreenshotTour final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScreenshotTour)

public:
    ScreenshotTour(AppController *app, const QString &dir, QObject *parent = nullptr);

    void start();

Q_SIGNALS:
    void finished(bool ok);

private:
    using Step = std::function<void()>;

    void next();
    void waitFor(std::function<bool()> condition, int timeoutMs, Step then);
    bool save(QWidget *widget, const QString &name);
    void shootLogin();
    void shootMain();
    void shootDark();
    void shootNewCall();
    void shootSyncAgents();
    void shootMetrics();
    void shootOffline();

    AppController *m_app;
    QDir m_dir;
    QList<Step> m_steps;
    bool m_ok = true;
};

} // namespace cb
