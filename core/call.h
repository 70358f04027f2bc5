#pragma once

#include "callstatus.h"
#include "enums.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>

#include <optional>

namespace cb {

/// One phone call, normalized across providers (DESIGN §2). Absent values are
/// null strings, invalid date-times and empty optionals.
struct Call
{
    QString id; ///< server UUID
    QString orgId;
    Provider provider = Provider::Bolna;
    QString providerCallId; ///< unique per provider
    QString agentId; ///< our agent id
    QString providerAgentId;
    std::optional<Direction> direction;
    QString toNumber;
    QString fromNumber;
    QString callerName; ///< from the org's contacts

    CallStatus status = CallStatus::Queued;
    QString rawStatus; ///< the provider's own word for the latest state
    QString endReason;

    bool finalized = false; ///< post-call data complete
    bool voicemail = false;
    bool stale = false; ///< no update within its state's timeout
    bool isTest = false;

    QDateTime createdAt;
    QDateTime startedAt;
    QDateTime answeredAt;
    QDateTime endedAt;
    std::optional<double> durationS;
    std::optional<double> costCents;
    QString currency;
    QString recordingUrl;
    QString summary;
    QString sentiment;
    std::optional<bool> success;
    QByteArray metadata; ///< compact JSON object text, or empty

    QString transcript; ///< fetched per call, never pushed live

    QDateTime updatedAt;
    qint64 seq = 0;

    /// The other party's number: the caller for inbound calls, the callee otherwise.
    QString customerNumber() const
    {
        return direction == Direction::Inbound ? fromNumber : toNumber;
    }

    bool operator==(const Call &) const = default;
};

/// Where an agent's webhook stands at its provider, as last checked.
enum class WebhookState { Unknown, Synced, Missing, Differs, Error };

QString wireName(WebhookState state);
std::optional<WebhookState> webhookStateFromString(QStringView text);

/// A voice-AI agent configured at one provider and owned by one organization.
struct Agent
{
    QString id;
    QString orgId;
    Provider provider = Provider::Bolna;
    QString providerAgentId;
    QString name;
    QString fromNumber; ///< the number outbound calls are placed from
    WebhookState webhookState = WebhookState::Unknown;
    QString webhookUrl; ///< what the provider reported at the last check
    QString webhookMessage; ///< the provider's message when the state is Error or Differs
    QDateTime webhookCheckedAt;

    bool operator==(const Agent &) const = default;
};

/// An organization, as seen by one member (role is that member's role).
struct Org
{
    QString id;
    QString name;
    Role role = Role::Viewer;

    bool operator==(const Org &) const = default;
};

} // namespace cb
