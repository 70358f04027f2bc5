#pragma once

#include "changefeed.h"
#include "storetypes.h"

#include "core/normalizedevent.h"
#include "core/result.h"

#include <QDateTime>

namespace cb {

class Store;

/// One provider message to record: a webhook after authentication and mapping, or a
/// poll answer. Everything the merge needs travels with it.
struct IngestItem
{
    NormalizedEvent event;
    QByteArray payload; ///< the raw message, kept in the timeline
    EventSource source = EventSource::Webhook;
    /// The org the sender proved to speak for (a per-org webhook secret, or the poller's
    /// org); empty when a server-wide secret vouched for it and any org may be meant.
    QString requiredOrgId;
    QDateTime receivedAt;
};

/// What recording one item did.
struct IngestOutcome
{
    enum class Kind {
        Applied, ///< new event, the call row changed and took a seq
        Unchanged, ///< new event in the timeline, the row already said the same
        Duplicate, ///< this change was recorded before: nothing written
        Unrouted, ///< no org known yet: kept aside for later
    };
    Kind kind = Kind::Applied;
    QString orgId;
    QString callId;
    qint64 seq = 0;
    std::optional<CallChange> change;
};
QString wireName(IngestOutcome::Kind kind);

/// The intake's store work, run inside the writer's transaction (DESIGN §3): resolve
/// the org (agent → org, then the metadata hint, then the sender's own org), record the
/// raw event under its dedup key, merge it into the call row, and take the org's next
/// seq if the row changed. Fails with "forbidden" when the event belongs to an org
/// other than the one the sender proved, and with "db_error" on storage trouble.
Result<IngestOutcome> ingest(Store &store, const IngestItem &item);

/// Re-applies unrouted events whose org can now be found (agent registered since);
/// each one that routes is removed from the unrouted table. Returns the changes made.
Result<QList<CallChange>> replayUnrouted(Store &store, int limit = 200);

/// An operator's "mark failed" (DESIGN §3): a merge event with the operator's
/// precedence and end reason `operator_marked_failed`, recorded in the timeline, audited.
Result<IngestOutcome> markFailed(Store &store, const QString &orgId, const QString &callId,
                                 const QString &userId);

/// Deletes a call, its timeline, leaves a tombstone with a new seq, audited.
Result<CallChange> deleteCall(Store &store, const QString &orgId, const QString &callId,
                              const QString &userId);

} // namespace cb
