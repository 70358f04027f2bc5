#include "callstatus.h"

namespace cb {

QString wireName(CallStatus status)
{
    switch (status) {
    case CallStatus::Queued:
        return QStringLiteral("queued");
    case CallStatus::Initiated:
        return QStringLiteral("initiated");
    case CallStatus::Ringing:
        return QStringLiteral("ringing");
    case CallStatus::InProgress:
        return QStringLiteral("in_progress");
    case CallStatus::Completed:
        return QStringLiteral("completed");
    case CallStatus::Busy:
        return QStringLiteral("busy");
    case CallStatus::NoAnswer:
        return QStringLiteral("no_answer");
    case CallStatus::Failed:
        return QStringLiteral("failed");
    case CallStatus::Canceled:
        return QStringLiteral("canceled");
    }
    return {};
}

std::optional<CallStatus> callStatusFromString(QStringView text)
{
    for (auto s : allCallStatuses) {
        if (text == wireName(s))
            return s;
    }
    return std::nullopt;
}

} // namespace cb
