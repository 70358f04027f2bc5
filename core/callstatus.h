#pragma once

#include <QString>

#include <optional>

namespace cb {

/// The normalized call state (DESIGN §2). Declaration order is not rank order;
/// use rank().
enum class CallStatus { Queued, Initiated, Ringing, InProgress, Completed, Busy, NoAnswer, Failed, Canceled };

inline constexpr CallStatus allCallStatuses[] = {
    CallStatus::Queued,    CallStatus::Initiated, CallStatus::Ringing,
    CallStatus::InProgress, CallStatus::Completed, CallStatus::Busy,
    CallStatus::NoAnswer,  CallStatus::Failed,    CallStatus::Canceled,
};

/// queued 0, initiated 1, ringing 2, in_progress 3, every terminal state 4.
constexpr int rank(CallStatus status)
{
    switch (status) {
    case CallStatus::Queued:
        return 0;
    case CallStatus::Initiated:
        return 1;
    case CallStatus::Ringing:
        return 2;
    case CallStatus::InProgress:
        return 3;
    default:
        return 4;
    }
}

constexpr bool isTerminal(CallStatus status)
{
    return rank(status) == 4;
}

/// Wire names: "queued", "initiated", "ringing", "in_progress", "completed", "busy",
/// "no_answer", "failed", "canceled".
QString wireName(CallStatus status);
std::optional<CallStatus> callStatusFromString(QStringView text);

} // namespace cb
