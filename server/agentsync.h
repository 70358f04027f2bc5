#pragma once

#include "restapi.h"

#include "core/call.h"

#include <QObject>
#include <QUrl>

#include <functional>

namespace cb {

class Poller;
class ServerApp;

/// Keeps each agent's webhook at its provider pointed at this server (DESIGN §3):
/// `POST …/agents/{id}/sync` and `POST …/agents/sync` set the webhook to
/// `<public-url>/api/webhooks/<provider>` (Bolna with the org's token in the URL, Vapi with
/// the status-update and end-of-call-report server messages), read it back, and record
/// synced / differs / missing / error with the time and the provider's message. With
/// `{"check_only": true}` they only read and record.
class AgentSync final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AgentSync)

public:
    AgentSync(ServerApp &app, Poller &poller, QObject *parent = nullptr);

    void registerRoutes();

    /// Checks (and unless @p checkOnly, sets) one agent's webhook; @p done gets the agent
    /// as recorded afterwards.
    void sync(const QString &orgId, const QString &agentId, bool checkOnly,
              std::function<void(Result<Agent>)> done, const QString &userId = {});

    /// The webhook URL @p agent's provider should call, or an error when --public-url is unset.
    Result<QString> expectedUrl(const QString &orgId, Provider provider) const;

private:
    void record(Agent agent, std::function<void(Result<Agent>)> done, const QString &userId);
    void oneRoute(const RestApi::Caller &caller, const HttpRequest &request, const QString &agentId,
                  HttpResponder responder);
    void allRoute(const RestApi::Caller &caller, const HttpRequest &request,
                  HttpResponder responder);

    ServerApp &m_app;
    Poller &m_poller;
};

} // namespace cb
