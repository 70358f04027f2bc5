#include "retellclient.h"

#include "pollsupport.h"

#include "core/providermapper.h"

namespace cb {

namespace {

AgentWebhook webhookOf(const Json &agent)
{
    AgentWebhook webhook;
    webhook.url = stringField(agent, "webhook_url");
    webhook.events = agent.contains("webhook_events") && agent["webhook_events"].is_array()
        ? stringsOf(agent["webhook_events"])
        : defaultWebhookEvents(Provider::Retell);
    return webhook;
}

} // namespace

RetellClient::RetellClient(ProviderClientConfig config, QObject *parent)
    : ProviderClient(std::move(config), parent)
{ }

void RetellClient::startCall(const OutboundCallRequest &request, Callback<StartedCall> done)
{
    const Json body = {{"from_number", request.fromNumber},
                       {"to_number", request.toNumber},
                       {"override_agent_id", request.providerAgentId},
                       {"metadata", callMetadata(request)}};
    send("POST", QStringLiteral("/v2/create-phone-call"), body, Retry::OnlyIfNotReceived,
         startedCallHandler(Provider::Retell, "call_id", "call_status",
                            QStringLiteral("create-phone-call"), std::move(done)));
}

void RetellClient::getCall(const QString &providerCallId, Callback<PolledCall> done)
{
    send("GET", QStringLiteral("/v2/get-call/") + segment(providerCallId), std::nullopt,
         Retry::Always, polledCallHandler(Provider::Retell, std::move(done)));
}

void RetellClient::getAgentWebhook(const QString &providerAgentId, Callback<AgentWebhook> done)
{
    send("GET", QStringLiteral("/get-agent/") + segment(providerAgentId), std::nullopt,
         Retry::Always, answerHandler(std::move(done), webhookOf));
}

void RetellClient::setAgentWebhook(const QString &providerAgentId, const AgentWebhook &webhook,
                                   Callback<void> done)
{
    const QString agent = segment(providerAgentId);
    send("GET", QStringLiteral("/get-agent/") + agent, std::nullopt, Retry::Always,
         [this, agent, webhook, done = std::move(done)](Result<Json> answer) mutable {
             if (!answer) {
                 done(answer.error());
                 return;
             }
             const QStringList events =
                 unite(webhookOf(answer.value()).events,
                       unite(webhook.events, requiredEvents(Provider::Retell)));
             const Json body = {{"webhook_url", webhook.url},
                                {"webhook_events", jsonArrayOf(events)}};
             send("PATCH", QStringLiteral("/update-agent/") + agent, body, Retry::Always,
                  doneHandler(std::move(done)));
         });
}

} // namespace cb
