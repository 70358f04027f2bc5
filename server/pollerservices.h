#pragma once

#include "agentsync.h"
#include "poller.h"
#include "pollerconfig.h"
#include "reconciler.h"

#include <QObject>

namespace cb {

class ServerApp;

/// Everything the server does with provider APIs, attached to a running ServerApp:
/// starting and polling calls (Poller), the stuck-call reconciler, and agent webhook
/// sync. start() adds their routes to the server's.
class ProviderServices final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProviderServices)

public:
    ProviderServices(ServerApp &app, PollerConfig config, QObject *parent = nullptr);

    void start();

    Poller &poller() { return m_poller; }
    Reconciler &reconciler() { return m_reconciler; }
    AgentSync &agentSync() { return m_agentSync; }

private:
    Poller m_poller;
    Reconciler m_reconciler;
    AgentSync m_agentSync;
};

} // namespace cb
