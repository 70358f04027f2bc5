#pragma once

#include "providerclient.h"

namespace cb {

/// Vapi's REST API (providers.md §2): `POST /call`, `GET /call/{id}`, and the assistant's
/// `server.url` + `serverMessages` through `GET`/`PATCH /assistant/{id}`.
class VapiClient final : public ProviderClient
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(VapiClient)

public:
    explicit VapiClient(ProviderClientConfig config, QObject *parent = nullptr);

    void startCall(const OutboundCallRequest &request, Callback<StartedCall> done) override;
    void getCall(const QString &providerCallId, Callback<PolledCall> done) override;
    void getAgentWebhook(const QString &providerAgentId, Callback<AgentWebhook> done) override;
    void setAgentWebhook(const QString &providerAgentId, const AgentWebhook &webhook,
                         Callback<void> done) override;
};

} // namespace cb
