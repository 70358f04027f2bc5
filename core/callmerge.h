#pragma once

#include "call.h"
#include "normalizedevent.h"

#include <array>

namespace cb {

/// Which event last decided each mergeable field: the precedence of that event,
/// or -1 while the field has no value. Stored beside the call so merging stays
/// independent of arrival order.
struct MergeState
{
    enum Field {
        Status,
        RawStatus,
        EndReason,
        ProviderAgentId,
        Direction,
        ToNumber,
        FromNumber,
        Cost,
        Currency,
        RecordingUrl,
        Transcript,
        Summary,
        Sentiment,
        Success,
        Metadata,
        FieldCount
    };

    std::array<qint16, FieldCount> precedence;

    MergeState() { precedence.fill(-1); }

    /// "3,-1,40,…", for storage.
    QString toString() const;
    /// Lenient: unknown or missing entries read as -1.
    static MergeState fromString(QStringView text);

    bool operator==(const MergeState &) const = default;
};

/// A call with the merge bookkeeping the server persists beside it.
struct CallRecord
{
    Call call;
    MergeState merge;

    bool operator==(const CallRecord &) const = default;
};

/// Applies one normalized event to a call (DESIGN §2, rules 1–4). Pure; the result
/// depends only on the set of events applied, never on their order or repetition:
/// - status follows the highest-precedence event, so rank only rises and a terminal
///   state changes only by the provider's final report;
/// - every other field takes the value of the highest-precedence event that carries
///   it; an event without a value never clears one;
/// - times only move earlier once set (a late webhook never moves ended_at),
///   duration only grows, flags only turn on.
/// Server-owned fields (id, org, agent, caller name, stale, seq, updated_at) are left alone.
CallRecord apply(CallRecord current, const NormalizedEvent &event);

} // namespace cb
