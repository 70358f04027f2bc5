#pragma once

#include "providerclient.h"

namespace cb {

/// Retell's REST API (providers.md §3): `POST /v2/create-phone-call`, `GET /v2/get-call/{id}`,
/// and the agent's `webhook_url` + `webhook_events` through `GET /get-agent/{id}` and
/// `PATCH /update-agent/{id}`.
class RetellClient final : public ProviderClient
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RetellClient)

public:
    explicit RetellClient(ProviderClientConfig config, QObject *parent = nullptr);

    void startCall(const OutboundCallRequest &request, Callback<StartedCall> done) override;
    void getCall(const QString &providerCallId, Callback<PolledCall> done) override;
    void getAgentWebhook(const QString &providerAgentId, Callback<AgentWebhook> done) override;
    void setAgentWebhook(const QString &providerAgentId, const AgentWebhook &webhook,
                         Callback<void> done) override;
};

} // namespace cb
