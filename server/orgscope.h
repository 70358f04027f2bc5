#pragma once

#include "storetypes.h"

#include "core/metrics.h"
#include "core/result.h"

namespace cb {

class Store;

/// The one way to read or change an organization's data. Every statement it runs binds
/// the org id it was made for, so a request of one org cannot reach another's rows,
/// whatever ids it passes. Obtain one with Store::org().
class OrgScope
{
public:
    OrgScope(Store &store, QString orgId) : m_store(store), m_orgId(std::move(orgId)) { }

    const QString &orgId() const { return m_orgId; }

    /// The org's sequence counter: the seq of its latest change.
    Result<qint64> lastSeq();
    /// Takes the next sequence number. Inside a transaction the row stays locked
    /// (PostgreSQL) or the database is (SQLite) until commit, so numbers are dense and
    /// ordered across server instances.
    Result<qint64> nextSeq();

    // Calls.
    Result<std::optional<CallRecord>> callByProviderId(Provider provider,
                                                       const QString &providerCallId);
    Result<std::optional<CallRecord>> call(const QString &callId, bool withTranscript = true);
    /// Inserts @p record (its call must carry id and seq); @p sortAt orders the list.
    Result<void> insertCall(const CallRecord &record, const QDateTime &sortAt);
    Result<void> updateCall(const CallRecord &record);
    /// Deletes the call and its timeline and leaves a tombstone with @p seq.
    Result<bool> deleteCall(const QString &callId, qint64 seq);
    Result<CallPage> listCalls(const CallQuery &query);
    /// Calls and deletions with seq > @p afterSeq, at most @p limit of them, by seq.
    Result<ChangesPage> changesSince(qint64 afterSeq, int limit);
    /// Calls not yet terminal: for reconciliation and metrics.
    Result<QList<Call>> activeCalls(int limit);
    Result<void> setStale(const QString &callId, bool stale, qint64 seq);

    // Timeline.
    /// False when the org already holds an event with this dedup key for this call.
    Result<bool> insertEvent(const CallEventRecord &event, const QString &providerCallId);
    Result<QList<CallEventRecord>> events(const QString &callId, bool withPayload);

    // Agents.
    Result<QList<Agent>> agents();
    Result<std::optional<Agent>> agent(const QString &agentId);
    /// Registers an agent; fails with "conflict" if the provider id is taken by any org.
    Result<Agent> createAgent(const Agent &agent);
    Result<void> updateAgentWebhook(const Agent &agent);

    // Contacts.
    Result<Contact> createContact(const QString &number, const QString &name);
    Result<QList<Contact>> contacts();
    /// The contact name for @p number, or a null string.
    Result<QString> contactName(const QString &number);

    // Provider settings.
    Result<std::optional<ProviderSettings>> providerSettings(Provider provider);
    Result<QList<ProviderSettings>> allProviderSettings();
    Result<void> setProviderSettings(const ProviderSettings &settings);

    // Audit.
    Result<void> audit(const QString &userId, const QString &action, const QString &target,
                       const QString &detail = {});

    // Figures.
    /// Metrics over the calls that started within the last 24 hours before @p now (test
    /// calls excluded), with the per-minute series of the last hour.
    Result<Metrics> metrics(const QDateTime &now);
    Result<StoreDiagnostics> diagnostics();

private:
    Store &m_store;
    QString m_orgId;
};

} // namespace cb
