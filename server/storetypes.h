#pragma once

#include "core/call.h"
#include "core/callmerge.h"
#include "core/enums.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>

#include <optional>

namespace cb {

/// A user account as stored; the password hash never leaves the server.
struct UserRecord
{
    QString id;
    QString email;
    QString name;
    QString passwordHash;
};

/// A live login session, found by the SHA-256 of its bearer token.
struct SessionRecord
{
    QString userId;
    QDateTime expiresAt;
};

/// How the server reaches one provider for one organization, and the secret that
/// provider's webhooks are verified with. The API key and secret are never sent to clients.
struct ProviderSettings
{
    Provider provider = Provider::Bolna;
    QString baseUrl;
    QString apiKey;
    QString webhookSecret;
};

/// A webhook secret known to the server, with the organization it belongs to (empty for
/// the server-wide secret of a provider).
struct WebhookSecret
{
    QString orgId;
    QString secret;
};

struct Contact
{
    QString id;
    QString number;
    QString name;
};

/// Where a call event came from.
enum class EventSource { Webhook, Poll, Operator };
QString wireName(EventSource source);

/// One entry of a call's timeline: the raw message as received and what it meant.
struct CallEventRecord
{
    qint64 id = 0;
    QString callId;
    Provider provider = Provider::Bolna;
    EventSource source = EventSource::Webhook;
    QString dedupKey;
    QString kind;
    QString status; ///< normalized status wire name, or empty when the event carried none
    QString rawStatus;
    QDateTime receivedAt;
    QByteArray payload; ///< the message as received (JSON text)
};

/// A webhook no organization could be found for, kept until its agent is registered.
struct UnroutedEvent
{
    qint64 id = 0;
    Provider provider = Provider::Bolna;
    QString providerAgentId;
    QString providerCallId;
    QString orgHint;
    QString dedupKey;
    QString kind;
    QDateTime receivedAt;
    QByteArray payload;
};

/// Keyset position in the newest-first call list.
struct CallCursor
{
    qint64 sortAt = 0;
    QString id;

    QString encode() const;
    static std::optional<CallCursor> decode(QStringView text);
};

/// Filters of the call list (DESIGN §3). Empty members do not filter.
struct CallQuery
{
    QList<CallStatus> statuses;
    QString agentId;
    std::optional<Provider> provider;
    std::optional<Direction> direction;
    bool includeTest = false;
    QString text; ///< matched against numbers, caller name and ids
    QDateTime from; ///< inclusive
    QDateTime to; ///< exclusive
    int limit = 100;
    std::optional<CallCursor> after;
};

struct CallPage
{
    QList<Call> calls;
    std::optional<CallCursor> next;
};

/// A call that was deleted, kept so that `since_seq` resyncs see the deletion.
struct Tombstone
{
    QString callId;
    qint64 seq = 0;
};

/// Everything that changed after a sequence number, ordered by seq.
struct ChangesPage
{
    QList<Call> calls;
    QList<Tombstone> deleted;
    qint64 lastSeq = 0; ///< the org's counter when the page was read
    bool more = false; ///< another page follows; ask again from the highest seq returned
};

/// The figures of GET …/diagnostics that come from the store.
struct StoreDiagnostics
{
    int agentsTotal = 0;
    QList<std::pair<WebhookState, int>> agentsByWebhookState;
    QList<std::pair<Provider, QDateTime>> lastWebhookByProvider;
    int staleCalls = 0;
    int activeCalls = 0;
    QList<UnroutedEvent> unroutedForOrg; ///< unrouted events whose metadata names this org
};

} // namespace cb
