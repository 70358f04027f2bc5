#include "bolnaclient.h"

#include "pollsupport.h"

namespace cb {

BolnaClient::BolnaClient(ProviderClientConfig config, QObject *parent)
    : ProviderClient(std::move(config), parent)
{ }

void BolnaClient::startCall(const OutboundCallRequest &request, Callback<StartedCall> done)
{
    Json body = {{"agent_id", request.providerAgentId},
                 {"recipient_phone_number", request.toNumber},
                 {"user_data", callMetadata(request)}};
    if (!request.fromNumber.isEmpty())
        body["from_phone_number"] = request.fromNumber;
    send("POST", QStringLiteral("/call"), body, Retry::OnlyIfNotReceived,
         startedCallHandler(Provider::Bolna, "execution_id", "status", QStringLiteral("POST /call"),
                            std::move(done)));
}

void BolnaClient::getCall(const QString &providerCallId, Callback<PolledCall> done)
{
    send("GET", QStringLiteral("/executions/") + segment(providerCallId), std::nullopt,
         Retry::Always, polledCallHandler(Provider::Bolna, std::move(done)));
}

void BolnaClient::getAgentWebhook(const QString &providerAgentId, Callback<AgentWebhook> done)
{
    send("GET", QStringLiteral("/v2/agent/") + segment(providerAgentId), std::nullopt,
         Retry::Always, answerHandler(std::move(done), [](const Json &agent) {
             AgentWebhook webhook;
             if (const Json *config = objectField(agent, "agent_config"))
                 webhook.url = stringField(*config, "webhook_url");
             if (webhook.url.isEmpty())
                 webhook.url = stringField(agent, "webhook_url");
             return webhook;
         }));
}

void BolnaClient::setAgentWebhook(const QString &providerAgentId, const AgentWebhook &webhook,
                                  Callback<void> done)
{
    const Json body = {{"agent_config", {{"webhook_url", webhook.url}}}};
    send("PATCH", QStringLiteral("/v2/agent/") + segment(providerAgentId), body, Retry::Always,
         doneHandler(std::move(done)));
}

} // namespace cb
