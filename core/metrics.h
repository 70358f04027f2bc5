#pragma once

#include "callstatus.h"

#include <QDateTime>
#include <QList>
#include <QString>

#include <array>

namespace cb {

/// Counts indexed by CallStatus.
using StatusCounts = std::array<int, std::size(allCallStatuses)>;

inline int &countOf(StatusCounts &counts, CallStatus status)
{
    return counts[static_cast<size_t>(status)];
}
inline int countOf(const StatusCounts &counts, CallStatus status)
{
    return counts[static_cast<size_t>(status)];
}

/// Calls that started in one minute, by their current status.
struct MetricsMinute
{
    QDateTime minute; ///< start of the minute, UTC
    StatusCounts counts{};

    bool operator==(const MetricsMinute &) const = default;
};

/// An organization's live figures, as pushed in `metrics:updated` (DESIGN §3).
struct Metrics
{
    QString orgId;
    QDateTime at;
    StatusCounts totals{};
    int active = 0; ///< calls not yet terminal
    QList<MetricsMinute> perMinute; ///< the last hour, oldest first
    double avgDurationS = 0;
    double answerRate = 0; ///< completed / terminal, 0..1
    double costCents = 0;

    bool operator==(const Metrics &) const = default;
};

} // namespace cb
