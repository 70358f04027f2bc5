#pragma once

#include "core/callstatus.h"
#include "core/enums.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <array>
#include <optional>

namespace cb::sim {

/// How a simulated call plays out (DESIGN §4, providers.md §6.4).
enum class Script { Answered, Busy, NoAnswer, Failed, Voicemail, LongCall };

inline constexpr Script allScripts[] = {Script::Answered, Script::Busy,      Script::NoAnswer,
                                        Script::Failed,   Script::Voicemail, Script::LongCall};

/// "answered", "busy", "no_answer", "failed", "voicemail", "long".
QString wireName(Script script);
std::optional<Script> scriptFromString(QStringView text);

/// The normalized state the server should end with for a call played by @p script.
CallStatus expectedStatus(Script script);

/// Faults injected into webhook delivery and the REST API. Shares are 0..1.
struct SimFaults
{
    double drop = 0; ///< webhooks never delivered
    double duplicate = 0; ///< webhooks delivered twice
    double reorder = 0; ///< webhooks held back and delivered after the call's next one
    int delayMs = 0; ///< up to this much extra latency per webhook (not time-scaled)
    double neverFinal = 0; ///< calls whose ending webhooks are never sent
    double poll5xx = 0; ///< GETs of a call answered with a 5xx
    double rejectAgentUpdates = 0; ///< agent webhook updates refused with a 4xx
};

/// Everything a Simulator needs; the command line of callboard-sim maps onto it.
struct SimConfig
{
    quint64 seed = 1;
    /// Multiplies every scripted delay: 0.01 plays a one-minute call in 0.6 s.
    double timeScale = 1.0;

    QString bolnaKey = QStringLiteral("sim-bolna-key");
    QString vapiKey = QStringLiteral("sim-vapi-key");
    QString retellKey = QStringLiteral("sim-retell-key");
    /// More accounts: keys accepted as Bearer by every provider (webhooks still use the keys
    /// above).
    QStringList extraApiKeys;

    /// Vapi webhook credential: "secret" (X-Vapi-Secret), "bearer", "hmac" or "none".
    QString vapiAuth = QStringLiteral("secret");
    QString vapiSecret = QStringLiteral("sim-vapi-secret");
    /// Bolna sends no signature; a shared secret header is our server's option.
    QByteArray bolnaSecretHeader;
    QString bolnaSecret;

    /// Bolna's `completed` follows `call-disconnected` after this long (docs: 2–3 min).
    double bolnaFinalDelayS = 150;
    /// Vapi's end-of-call-report and Retell's call_analyzed follow the end after this long.
    double postCallDelayS = 5;
    /// Send Vapi `queued` status-updates (unconfirmed whether live Vapi does).
    bool vapiQueuedUpdates = false;
    /// Vapi speech-update/transcript/conversation-update and Retell transcript_updated while live.
    bool liveMessages = true;

    /// Spontaneous traffic: calls per minute across all agents that have a webhook.
    double callsPerMinute = 0;
    double inboundShare = 0.5;
    /// Relative weights of the scripts for calls whose number does not pick one.
    std::array<int, std::size(allScripts)> scriptWeights{55, 10, 10, 5, 10, 10};

    /// Unknown agent ids are created on first use instead of answering 404.
    bool autoCreateAgents = true;

    SimFaults faults;
};

/// Test numbers pick a script: a destination whose last seven digits are 555010X plays
/// allScripts[X] (0 answered … 5 long call); 5550199 is refused by the provider.
std::optional<Script> scriptForNumber(QStringView number);
bool isRejectedNumber(QStringView number);

} // namespace cb::sim
