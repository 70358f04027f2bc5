#pragma once

#include "callstatus.h"
#include "enums.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>

#include <optional>

namespace cb {

/// What one provider message (webhook, poll answer or operator action) says about
/// one call, in provider-neutral terms. Absent values are null strings, invalid
/// date-times and empty optionals; the merge never lets an absent value erase a
/// known one.
struct NormalizedEvent
{
    Provider provider = Provider::Bolna;
    QString providerCallId;
    /// Identifies the change, not the delivery: a duplicate webhook and a poll that
    /// saw the same change share it (providers.md §6.3).
    QString dedupKey;
    /// The provider's name for the message ("status-update", "call_ended", Bolna's status …).
    QString kind;
    /// Recognised but carries no call state (Vapi speech-update, Retell transcript_updated …).
    bool ignored = false;

    std::optional<CallStatus> status;
    /// Orders events of one call independently of arrival: rank × 10 + phase within the
    /// rank. Final reports sit above every other event of their rank; see precedenceOf().
    int precedence = 0;
    /// The provider's final report (Bolna completed, Vapi end-of-call-report, Retell
    /// call_ended/call_analyzed): may refine a terminal state.
    bool finalReport = false;
    /// Post-call data is complete after this event (Bolna completed, Vapi
    /// end-of-call-report, Retell call_analyzed).
    bool finalizes = false;

    QString rawStatus;
    QString endReason;
    QString providerAgentId;
    std::optional<Direction> direction;
    QString toNumber;
    QString fromNumber;

    QDateTime occurredAt; ///< the provider's clock for this message, when it has one
    QDateTime createdAt;
    QDateTime startedAt;
    QDateTime answeredAt;
    QDateTime endedAt;
    std::optional<double> durationS;
    std::optional<double> costCents;
    QString currency;
    QString recordingUrl;
    QString transcript;
    QString summary;
    QString sentiment;
    std::optional<bool> success;
    std::optional<bool> voicemail;
    QByteArray metadata; ///< compact JSON object text, or empty

    /// Routing hints from the payload's metadata (`metadata.org_id`, `metadata.is_test_call`).
    QString orgIdHint;
    std::optional<bool> isTestHint;

    bool operator==(const NormalizedEvent &) const = default;
};

/// Precedence phases within one rank.
enum class Phase {
    Plain = 0,
    Transferring = 1, ///< in_progress while forwarding
    Operator = 2, ///< an operator's decision (mark failed); the provider's final report still wins
    FinalReport = 4, ///< the provider's final lifecycle report (Retell call_ended)
    Analyzed = 5, ///< the last report, with all post-call data
};

constexpr int precedenceOf(CallStatus status, Phase phase = Phase::Plain)
{
    return rank(status) * 10 + static_cast<int>(phase);
}

} // namespace cb
