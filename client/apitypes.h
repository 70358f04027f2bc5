#pragma once

#include "core/call.h"
#include "core/callstatus.h"
#include "core/enums.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace cb {

/// The signed-in user, as the server describes them at login.
struct User
{
    QString id;
    QString email;
    QString name;

    bool operator==(const User &) const = default;
};

/// What a successful login returns.
struct LoginResult
{
    QString token;
    User user;
    QList<Org> orgs;
};

/// Filters and paging of `GET /api/orgs/{org}/calls`. Unset members are not sent.
struct CallQuery
{
    QList<CallStatus> statuses;
    QString agentId;
    std::optional<Provider> provider;
    std::optional<Direction> direction;
    bool includeTest = true;
    QString text; ///< number, caller name or id
    QDateTime from;
    QDateTime to;
    QString cursor;
    std::optional<qint64> sinceSeq;
    int limit = 0; ///< 0: the server's default page size
};

/// One page of calls.
struct CallPage
{
    QList<Call> calls;
    QString nextCursor; ///< empty on the last page
    qint64 lastSeq = 0; ///< the org's sequence number when the page was read
    QStringList deletedIds; ///< calls deleted after `since_seq`, when the server reports them
    bool more = false; ///< another page follows (next_cursor set, or `more` for since_seq pages)
    qint64 highestSeq = 0; ///< the highest seq of the calls and deletions in this page
    qint64 nextSinceSeq = 0; ///< where a since_seq page with `more` continues, when the server says
};

/// One entry of a call's event timeline.
struct TimelineEntry
{
    QDateTime at;
    QString kind; ///< the provider's message kind, "poll", "operator" …
    QString source; ///< "webhook", "poll", "operator" …
    std::optional<CallStatus> status;
    QString detail;
};

/// A call with what is fetched per call: the transcript (in call.transcript) and the timeline.
struct CallDetail
{
    Call call;
    QList<TimelineEntry> timeline;
};

/// What `POST /api/orgs/{org}/calls` needs.
struct NewCallRequest
{
    QString agentId;
    QString toNumber; ///< E.164
    bool isTest = false;
};

/// One agent's outcome in a bulk webhook sync.
struct AgentSyncOutcome
{
    QString agentId;
    bool ok = false;
    Agent agent; ///< the agent after the sync, when ok
    QString error;
};

/// `GET /api/orgs/{org}/diagnostics`, read leniently: fields the server does not send stay empty.
struct Diagnostics
{
    int agentsTotal = 0;
    int agentsSynced = 0;
    int agentsWithWebhook = 0;
    QList<std::pair<QString, QDateTime>> lastWebhookByProvider;
    int unroutedEvents = 0;
    int staleCalls = 0;
    int activeCalls = 0;
    int pollsRunning = 0;
    QString webhookBaseUrl;
    QByteArray raw; ///< the whole answer as compact JSON, for display
};

} // namespace cb
