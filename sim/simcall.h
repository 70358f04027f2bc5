#pragma once

#include "simconfig.h"

#include "core/json.h"

#include <QDateTime>
#include <QString>

namespace cb::sim {

/// Where a simulated call stands, provider-neutral; each provider's payloads are
/// rendered from it.
enum class Stage { Queued, Initiated, Ringing, InProgress, Ended, Final };

/// The provider-side truth about one call: what the provider's GET answers and what
/// its webhooks are rendered from.
struct SimCall
{
    Provider provider = Provider::Bolna;
    QString id;
    QString agentId;
    Direction direction = Direction::Outbound;
    QString toNumber;
    QString fromNumber;
    Script script = Script::Answered;
    Stage stage = Stage::Queued;
    Json metadata =
        Json::object(); ///< Bolna user_data, Vapi assistantOverrides.metadata, Retell metadata

    QDateTime createdAt;
    QDateTime updatedAt;
    QDateTime initiatedAt;
    QDateTime answeredAt;
    QDateTime endedAt;
    QDateTime finalAt; ///< when the provider's last report was due (sent or not)
    double talkSeconds = 0; ///< nominal conversation length
    double ringSeconds = 0;
    int turns = 0; ///< transcript lines spoken so far

    bool neverFinal = false; ///< the ending webhooks of this call are withheld (fault)
    bool done = false; ///< every step played
    int index = 0; ///< order of creation

    bool answered() const
    {
        return script == Script::Answered || script == Script::Voicemail ||
            script == Script::LongCall;
    }
    CallStatus expected() const { return expectedStatus(script); }

    /// The provider's own word for the current stage (Bolna status, Vapi status, Retell
    /// call_status).
    QString providerStatus() const;
    QString transcript() const;
    QString recordingUrl() const;
    double costCents() const;

    /// Bolna execution object (GET /executions/{id} and every webhook body).
    Json bolnaExecution() const;
    /// Vapi Call object (POST/GET /call).
    Json vapiCall() const;
    /// Vapi server message of @p type ("status-update", "end-of-call-report", …), with envelope.
    Json vapiMessage(const QString &type) const;
    /// Retell call object (create/get call); @p withAnalysis adds call_analysis.
    Json retellCall(bool withAnalysis) const;
    /// Retell webhook body {event, call}.
    Json retellEvent(const QString &event) const;

    /// Vapi endedReason / Retell disconnection_reason / Bolna hangup_reason for the script.
    QString vapiEndedReason() const;
    QString retellDisconnectionReason() const;

    /// Truth for tests and the control API.
    Json truthJson() const;
};

} // namespace cb::sim
