#include "providermapper.h"

#include "bolnamapper.h"
#include "retellmapper.h"
#include "vapimapper.h"

namespace cb {

Result<NormalizedEvent> mapWebhook(Provider provider, const Json &body)
{
    switch (provider) {
    case Provider::Bolna:
        return mapBolnaWebhook(body);
    case Provider::Vapi:
        return mapVapiWebhook(body);
    case Provider::Retell:
        return mapRetellWebhook(body);
    }
    return Result<NormalizedEvent>::failure(QStringLiteral("invalid_payload"),
                                            QStringLiteral("unknown provider"));
}

Result<NormalizedEvent> mapPolledCall(Provider provider, const Json &call)
{
    switch (provider) {
    case Provider::Bolna:
        return mapBolnaExecution(call);
    case Provider::Vapi:
        return mapVapiCall(call);
    case Provider::Retell:
        return mapRetellCall(call);
    }
    return Result<NormalizedEvent>::failure(QStringLiteral("invalid_payload"),
                                            QStringLiteral("unknown provider"));
}

QStringList defaultWebhookEvents(Provider provider)
{
    switch (provider) {
    case Provider::Bolna:
        return {};
    case Provider::Vapi:
        return {QStringLiteral("conversation-update"),
                QStringLiteral("end-of-call-report"),
                QStringLiteral("function-call"),
                QStringLiteral("hang"),
                QStringLiteral("speech-update"),
                QStringLiteral("status-update"),
                QStringLiteral("tool-calls"),
                QStringLiteral("transfer-destination-request"),
                QStringLiteral("handoff-destination-request"),
                QStringLiteral("user-interrupted"),
                QStringLiteral("assistant.started")};
    case Provider::Retell:
        return {QStringLiteral("call_started"), QStringLiteral("call_ended"),
                QStringLiteral("call_analyzed")};
    }
    return {};
}

} // namespace cb
