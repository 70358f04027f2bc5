#pragma once

#include "pollerconfig.h"

#include <QObject>
#include <QSet>
#include <QTimer>

#include <functional>

namespace cb {

class Poller;
class ServerApp;

/// Finds calls past their state's timeout (DESIGN §3), asks the provider about each,
/// and marks `stale` what the provider cannot confirm: the poll failed, or the call is
/// still overdue after it. The intake clears `stale` when the truth arrives.
class Reconciler final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Reconciler)

public:
    Reconciler(ServerApp &app, Poller &poller, const PollerConfig &config,
               QObject *parent = nullptr);

    void start();
    /// One scan over every org; @p done runs when every poll it started has finished.
    void runOnce(std::function<void()> done = {});

    struct Stats
    {
        qint64 scans = 0;
        qint64 polled = 0;
        qint64 markedStale = 0;
    };
    Stats stats() const { return m_stats; }

private:
    void markStale(const QString &orgId, const QString &callId, const QString &reason,
                   std::function<void()> done);

    ServerApp &m_app;
    Poller &m_poller;
    const PollerConfig &m_config;
    QTimer m_timer;
    QSet<QString> m_inFlight; ///< call ids being reconciled
    bool m_scanning = false;
    Stats m_stats;
};

} // namespace cb
