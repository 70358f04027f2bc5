#include "vapiclient.h"

#include "pollsupport.h"

#include "core/providermapper.h"

namespace cb {

namespace {

AgentWebhook webhookOf(const Json &assistant)
{
    AgentWebhook webhook;
    if (const Json *server = objectField(assistant, "server"))
        webhook.url = stringField(*server, "url");
    if (webhook.url.isEmpty())
        webhook.url = stringField(assistant, "serverUrl"); // the legacy field
    webhook.events = assistant.contains("serverMessages") ? stringsOf(assistant["serverMessages"])
                                                          : defaultWebhookEvents(Provider::Vapi);
    return webhook;
}

} // namespace

VapiClient::VapiClient(ProviderClientConfig config, QObject *parent)
    : ProviderClient(std::move(config), parent)
{ }

void VapiClient::startCall(const OutboundCallRequest &request, Callback<StartedCall> done)
{
    Json body = {{"assistantId", request.providerAgentId},
                 {"customer", {{"number", request.toNumber}}},
                 {"assistantOverrides", {{"metadata", callMetadata(request)}}}};
    // Vapi dials from a phone number it knows by id; a bare E.164 number cannot be named here.
    if (!request.fromNumber.isEmpty() && !request.fromNumber.startsWith(u'+'))
        body["phoneNumberId"] = request.fromNumber;
    send("POST", QStringLiteral("/call"), body, Retry::OnlyIfNotReceived,
         startedCallHandler(Provider::Vapi, "id", "status", QStringLiteral("POST /call"),
                            std::move(done)));
}

void VapiClient::getCall(const QString &providerCallId, Callback<PolledCall> done)
{
    send("GET", QStringLiteral("/call/") + segment(providerCallId), std::nullopt, Retry::Always,
         polledCallHandler(Provider::Vapi, std::move(done)));
}

void VapiClient::getAgentWebhook(const QString &providerAgentId, Callback<AgentWebhook> done)
{
    send("GET", QStringLiteral("/assistant/") + segment(providerAgentId), std::nullopt,
         Retry::Always, answerHandler(std::move(done), webhookOf));
}

void VapiClient::setAgentWebhook(const QString &providerAgentId, const AgentWebhook &webhook,
                                 Callback<void> done)
{
    // Read first: the server object is replaced as a whole, and serverMessages must keep
    // what the assistant already receives (tool calls and the like).
    const QString path = QStringLiteral("/assistant/") + segment(providerAgentId);
    send("GET", path, std::nullopt, Retry::Always,
         [this, path, webhook, done = std::move(done)](Result<Json> answer) mutable {
             if (!answer) {
                 done(answer.error());
                 return;
             }
             const Json &assistant = answer.value();
             Json server = Json::object();
             if (const Json *current = objectField(assistant, "server"))
                 server = *current;
             server["url"] = webhook.url;
             const QStringList events =
                 unite(webhookOf(assistant).events,
                       unite(webhook.events, requiredEvents(Provider::Vapi)));
             const Json body = {{"server", server}, {"serverMessages", jsonArrayOf(events)}};
             send("PATCH", path, body, Retry::Always, doneHandler(std::move(done)));
         });
}

} // namespace cb
