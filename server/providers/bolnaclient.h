#pragma once

#include "providerclient.h"

namespace cb {

/// Bolna's REST API (providers.md §1): `POST /call`, `GET /executions/{id}`, and the
/// agent's `agent_config.webhook_url` through `GET`/`PATCH /v2/agent/{id}`.
class BolnaClient final : public ProviderClient
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BolnaClient)

public:
    explicit BolnaClient(ProviderClientConfig config, QObject *parent = nullptr);

    void startCall(const OutboundCallRequest &request, Callback<StartedCall> done) override;
    void getCall(const QString &providerCallId, Callback<PolledCall> done) override;
    void getAgentWebhook(const QString &providerAgentId, Callback<AgentWebhook> done) override;
    void setAgentWebhook(const QString &providerAgentId, const AgentWebhook &webhook,
                         Callback<void> done) override;
};

} // namespace cb
