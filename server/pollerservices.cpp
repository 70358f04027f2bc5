#include "pollerservices.h"

namespace cb {

ProviderServices::ProviderServices(ServerApp &app, PollerConfig config, QObject *parent)
    : QObject(parent)
    , m_poller(app, std::move(config))
    , m_reconciler(app, m_poller, m_poller.config())
    , m_agentSync(app, m_poller)
{ }

void ProviderServices::start()
{
    m_poller.registerRoutes();
    m_agentSync.registerRoutes();
    m_reconciler.start();
}

} // namespace cb
