#include "call.h"

namespace cb {

QString wireName(WebhookState state)
{
    switch (state) {
    case WebhookState::Unknown:
        return QStringLiteral("unknown");
    case WebhookState::Synced:
        return QStringLiteral("synced");
    case WebhookState::Missing:
        return QStringLiteral("missing");
    case WebhookState::Differs:
        return QStringLiteral("differs");
    case WebhookState::Error:
        return QStringLiteral("error");
    }
    return {};
}

std::optional<WebhookState> webhookStateFromString(QStringView text)
{
    for (auto s : {WebhookState::Unknown, WebhookState::Synced, WebhookState::Missing,
                   WebhookState::Differs, WebhookState::Error}) {
        if (text == wireName(s))
            return s;
    }
    return std::nullopt;
}

} // namespace cb
