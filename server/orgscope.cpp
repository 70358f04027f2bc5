#include "orgscope.h"

#include "store.h"

#include <QSqlQuery>
#include <QTimeZone>
#include <QUuid>

namespace cb {

namespace {

const QString callColumns =
    QStringLiteral("id, org_id, provider, provider_call_id, agent_id, provider_agent_id, "
                   "direction, to_number, from_number, "
                   "caller_name, status, raw_status, end_reason, finalized, voicemail, stale, "
                   "is_test, created_at, started_at, "
                   "answered_at, ended_at, duration_s, cost_cents, currency, recording_url, "
                   "summary, sentiment, success, "
                   "metadata, merge_state, updated_at, seq, sort_at");
const QString transcriptColumn = QStringLiteral(", transcript");
constexpr int sortAtColumn = 32;
constexpr int transcriptIndex = 33;

CallRecord callFrom(const QSqlQuery &q, bool withTranscript)
{
    CallRecord record;
    Call &c = record.call;
    c.id = q.value(0).toString();
    c.orgId = q.value(1).toString();
    c.provider = providerFromString(q.value(2).toString()).value_or(Provider::Bolna);
    c.providerCallId = q.value(3).toString();
    c.agentId = q.value(4).toString();
    c.providerAgentId = q.value(5).toString();
    c.direction = directionFromString(q.value(6).toString());
    c.toNumber = q.value(7).toString();
    c.fromNumber = q.value(8).toString();
    c.callerName = q.value(9).toString();
    c.status = callStatusFromString(q.value(10).toString()).value_or(CallStatus::Queued);
    c.rawStatus = q.value(11).toString();
    c.endReason = q.value(12).toString();
    c.finalized = q.value(13).toInt() != 0;
    c.voicemail = q.value(14).toInt() != 0;
    c.stale = q.value(15).toInt() != 0;
    c.isTest = q.value(16).toInt() != 0;
    c.createdAt = sql::timeAt(q.value(17));
    c.startedAt = sql::timeAt(q.value(18));
    c.answeredAt = sql::timeAt(q.value(19));
    c.endedAt = sql::timeAt(q.value(20));
    c.durationS = sql::numberAt(q.value(21));
    c.costCents = sql::numberAt(q.value(22));
    c.currency = q.value(23).toString();
    c.recordingUrl = q.value(24).toString();
    c.summary = q.value(25).toString();
    c.sentiment = q.value(26).toString();
    c.success = sql::flagAt(q.value(27));
    c.metadata = q.value(28).isNull() ? QByteArray() : q.value(28).toString().toUtf8();
    record.merge = MergeState::fromString(q.value(29).toString());
    c.updatedAt = sql::timeAt(q.value(30));
    c.seq = q.value(31).toLongLong();
    if (withTranscript)
        c.transcript = q.value(transcriptIndex).toString();
    return record;
}

QVariantList callValues(const CallRecord &record)
{
    const Call &c = record.call;
    return {sql::text(c.agentId),
            sql::text(c.providerAgentId),
            c.direction ? QVariant(wireName(*c.direction))
                        : QVariant(QMetaType::fromType<QString>()),
            sql::text(c.toNumber),
            sql::text(c.fromNumber),
            sql::text(c.callerName),
            wireName(c.status),
            sql::text(c.rawStatus),
            sql::text(c.endReason),
            int(c.finalized),
            int(c.voicemail),
            int(c.stale),
            int(c.isTest),
            sql::time(c.createdAt),
            sql::time(c.startedAt),
            sql::time(c.answeredAt),
            sql::time(c.endedAt),
            sql::number(c.durationS),
            sql::number(c.costCents),
            sql::text(c.currency),
            sql::text(c.recordingUrl),
            sql::text(c.summary),
            sql::text(c.sentiment),
            sql::flag(c.success),
            c.metadata.isEmpty() ? QVariant(QMetaType::fromType<QString>())
                                 : QVariant(QString::fromUtf8(c.metadata)),
            sql::text(c.transcript),
            record.merge.toString(),
            sql::time(c.updatedAt),
            c.seq};
}

} // namespace

namespace {

/// The org's sequence number from a query answering it, or not_found without the org.
Result<qint64> seqFrom(Result<std::optional<qint64>> seq)
{
    if (!seq)
        return seq.error();
    if (!*seq)
        return Result<qint64>::failure(QStringLiteral("not_found"),
                                       QStringLiteral("no such organization"));
    return **seq;
}

qint64 firstNumber(const QSqlQuery &q)
{
    return q.value(0).toLongLong();
}

} // namespace

Result<qint64> OrgScope::lastSeq()
{
    return seqFrom(m_store.one(QStringLiteral("SELECT last_seq FROM orgs WHERE id = ?"), {m_orgId},
                               firstNumber));
}

Result<qint64> OrgScope::nextSeq()
{
    return seqFrom(m_store.one(
        QStringLiteral("UPDATE orgs SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq"),
        {m_orgId}, firstNumber));
}

Result<std::optional<CallRecord>> OrgScope::callByProviderId(Provider provider,
                                                             const QString &providerCallId)
{
    return m_store.one(
        QStringLiteral("SELECT ") + callColumns + transcriptColumn +
            QStringLiteral(
                " FROM calls WHERE org_id = ? AND provider = ? AND provider_call_id = ?"),
        {m_orgId, wireName(provider), providerCallId},
        [](const QSqlQuery &q) { return callFrom(q, true); });
}

Result<std::optional<CallRecord>> OrgScope::call(const QString &callId, bool withTranscript)
{
    return m_store.one(QStringLiteral("SELECT ") + callColumns + transcriptColumn +
                           QStringLiteral(" FROM calls WHERE org_id = ? AND id = ?"),
                       {m_orgId, callId}, [withTranscript](const QSqlQuery &q) {
                           return callFrom(q, withTranscript);
                       });
}

Result<void> OrgScope::insertCall(const CallRecord &record, const QDateTime &sortAt)
{
    QVariantList values{record.call.id, m_orgId, wireName(record.call.provider),
                        record.call.providerCallId};
    values += callValues(record);
    values.append(sortAt.toMSecsSinceEpoch());
    return m_store.execute(
        QStringLiteral(
            "INSERT INTO calls (id, org_id, provider, provider_call_id, agent_id, "
            "provider_agent_id, direction, to_number, from_number, caller_name, status, "
            "raw_status, end_reason, finalized, voicemail, stale, is_test, created_at, "
            "started_at, answered_at, ended_at, duration_s, cost_cents, currency, "
            "recording_url, summary, sentiment, success, metadata, transcript, "
            "merge_state, updated_at, seq, sort_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        values);
}

Result<void> OrgScope::updateCall(const CallRecord &record)
{
    QVariantList values = callValues(record);
    values.append(m_orgId);
    values.append(record.call.id);
    auto q = m_store.run(
        QStringLiteral(
            "UPDATE calls SET agent_id = ?, provider_agent_id = ?, direction = ?, "
            "to_number = ?, from_number = ?, caller_name = ?, status = ?, raw_status = ?, "
            "end_reason = ?, finalized = ?, voicemail = ?, stale = ?, is_test = ?, "
            "created_at = ?, started_at = ?, answered_at = ?, ended_at = ?, "
            "duration_s = ?, cost_cents = ?, currency = ?, recording_url = ?, "
            "summary = ?, sentiment = ?, success = ?, metadata = ?, transcript = ?, "
            "merge_state = ?, updated_at = ?, seq = ? WHERE org_id = ? AND id = ?"),
        values);
    if (!q)
        return q.error();
    if ((*q)->numRowsAffected() != 1)
        return Result<void>::failure(QStringLiteral("not_found"), QStringLiteral("no such call"));
    return {};
}

Result<bool> OrgScope::deleteCall(const QString &callId, qint64 seq)
{
    auto q = m_store.run(QStringLiteral("DELETE FROM calls WHERE org_id = ? AND id = ?"),
                         {m_orgId, callId});
    if (!q)
        return q.error();
    if ((*q)->numRowsAffected() != 1)
        return false;
    auto events =
        m_store.run(QStringLiteral("DELETE FROM call_events WHERE org_id = ? AND call_id = ?"),
                    {m_orgId, callId});
    if (!events)
        return events.error();
    auto tomb = m_store.run(
        QStringLiteral("INSERT INTO call_tombstones (org_id, call_id, seq, deleted_at) "
                       "VALUES (?, ?, ?, ?) ON CONFLICT (org_id, call_id) DO UPDATE SET "
                       "seq = excluded.seq, deleted_at = excluded.deleted_at"),
        {m_orgId, callId, seq, sql::nowMs()});
    if (!tomb)
        return tomb.error();
    return true;
}

Result<CallPage> OrgScope::listCalls(const CallQuery &query)
{
    QString where = QStringLiteral(" WHERE org_id = ?");
    QVariantList bindings{m_orgId};
    if (!query.statuses.isEmpty()) {
        QStringList marks;
        for (CallStatus status : query.statuses) {
            marks.append(QStringLiteral("?"));
            bindings.append(wireName(status));
        }
        where += QStringLiteral(" AND status IN (") + marks.join(u',') + u')';
    }
    if (!query.agentId.isEmpty()) {
        where += QStringLiteral(" AND agent_id = ?");
        bindings.append(query.agentId);
    }
    if (query.provider) {
        where += QStringLiteral(" AND provider = ?");
        bindings.append(wireName(*query.provider));
    }
    if (query.direction) {
        where += QStringLiteral(" AND direction = ?");
        bindings.append(wireName(*query.direction));
    }
    if (!query.includeTest)
        where += QStringLiteral(" AND is_test = 0");
    if (!query.text.isEmpty()) {
        const QString pattern = u'%' + sql::likeEscaped(query.text.toLower()) + u'%';
        where += QStringLiteral(
            " AND (lower(to_number) LIKE ? ESCAPE '\\' OR lower(from_number) LIKE ? ESCAPE '\\'"
            " OR lower(caller_name) LIKE ? ESCAPE '\\' OR lower(id) LIKE ? ESCAPE '\\'"
            " OR lower(provider_call_id) LIKE ? ESCAPE '\\')");
        for (int i = 0; i < 5; ++i)
            bindings.append(pattern);
    }
    if (query.from.isValid()) {
        where += QStringLiteral(" AND sort_at >= ?");
        bindings.append(query.from.toMSecsSinceEpoch());
    }
    if (query.to.isValid()) {
        where += QStringLiteral(" AND sort_at < ?");
        bindings.append(query.to.toMSecsSinceEpoch());
    }
    if (query.after) {
        where += QStringLiteral(" AND (sort_at < ? OR (sort_at = ? AND id < ?))");
        bindings.append(query.after->sortAt);
        bindings.append(query.after->sortAt);
        bindings.append(query.after->id);
    }
    const int limit = qBound(1, query.limit, 500);
    bindings.append(limit + 1);
    auto q = m_store.run(QStringLiteral("SELECT ") + callColumns + QStringLiteral(" FROM calls") +
                             where + QStringLiteral(" ORDER BY sort_at DESC, id DESC LIMIT ?"),
                         bindings);
    if (!q)
        return q.error();
    CallPage page;
    qint64 lastSortAt = 0;
    while ((*q)->next()) {
        if (page.calls.size() == limit) {
            page.next = CallCursor{lastSortAt, page.calls.constLast().id};
            break;
        }
        page.calls.append(callFrom(**q, false).call);
        lastSortAt = (*q)->value(sortAtColumn).toLongLong();
    }
    (*q)->finish();
    return page;
}

Result<ChangesPage> OrgScope::changesSince(qint64 afterSeq, int limit)
{
    ChangesPage page;
    auto seq = lastSeq();
    if (!seq)
        return seq.error();
    page.lastSeq = *seq;
    limit = qBound(1, limit, 500);
    auto q = m_store.run(QStringLiteral("SELECT ") + callColumns +
                             QStringLiteral(" FROM calls WHERE org_id = ? AND seq > ? AND seq <= ? "
                                            "ORDER BY seq LIMIT ?"),
                         {m_orgId, afterSeq, page.lastSeq, limit + 1});
    if (!q)
        return q.error();
    while ((*q)->next()) {
        if (page.calls.size() == limit) {
            page.more = true;
            break;
        }
        page.calls.append(callFrom(**q, false).call);
    }
    (*q)->finish();
    // Deletions interleave with changes by seq: only those below the page's last call
    // belong to this page, the rest come with the following pages.
    const qint64 upTo = page.more ? page.calls.constLast().seq : page.lastSeq;
    auto t = m_store.run(
        QStringLiteral("SELECT call_id, seq FROM call_tombstones WHERE org_id = ? AND seq > ? "
                       "AND seq <= ? ORDER BY seq"),
        {m_orgId, afterSeq, upTo});
    if (!t)
        return t.error();
    while ((*t)->next())
        page.deleted.append(Tombstone{(*t)->value(0).toString(), (*t)->value(1).toLongLong()});
    (*t)->finish();
    return page;
}

Result<QList<Call>> OrgScope::activeCalls(int limit)
{
    return m_store.all(
        QStringLiteral("SELECT ") + callColumns +
            QStringLiteral(" FROM calls WHERE org_id = ? AND status IN ('queued', 'initiated', "
                           "'ringing', 'in_progress') ORDER BY sort_at LIMIT ?"),
        {m_orgId, limit}, [](const QSqlQuery &q) { return Call(callFrom(q, false).call); });
}

Result<void> OrgScope::setStale(const QString &callId, bool stale, qint64 seq)
{
    auto q = m_store.run(
        QStringLiteral(
            "UPDATE calls SET stale = ?, seq = ?, updated_at = ? WHERE org_id = ? AND id = ?"),
        {int(stale), seq, sql::nowMs(), m_orgId, callId});
    if (!q)
        return q.error();
    if ((*q)->numRowsAffected() != 1)
        return Result<void>::failure(QStringLiteral("not_found"), QStringLiteral("no such call"));
    return {};
}

Result<bool> OrgScope::insertEvent(const CallEventRecord &event, const QString &providerCallId)
{
    auto q = m_store.run(
        QStringLiteral(
            "INSERT INTO call_events (org_id, call_id, provider, provider_call_id, source, "
            "dedup_key, kind, status, raw_status, received_at, payload) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"),
        {m_orgId, event.callId, wireName(event.provider), providerCallId, wireName(event.source),
         event.dedupKey, sql::str(event.kind), sql::text(event.status), sql::text(event.rawStatus),
         event.receivedAt.toMSecsSinceEpoch(), QString::fromUtf8(event.payload)});
    if (!q)
        return q.error();
    return (*q)->numRowsAffected() > 0;
}

Result<QList<CallEventRecord>> OrgScope::events(const QString &callId, bool withPayload)
{
    auto q = m_store.run(
        QStringLiteral("SELECT id, call_id, provider, source, dedup_key, kind, status, raw_status, "
                       "received_at, payload FROM call_events WHERE org_id = ? AND call_id = ? "
                       "ORDER BY received_at, id LIMIT 1000"),
        {m_orgId, callId});
    if (!q)
        return q.error();
    QList<CallEventRecord> events;
    while ((*q)->next()) {
        CallEventRecord e;
        e.id = (*q)->value(0).toLongLong();
        e.callId = (*q)->value(1).toString();
        e.provider = providerFromString((*q)->value(2).toString()).value_or(Provider::Bolna);
        const QString source = (*q)->value(3).toString();
        e.source = source == u"poll" ? EventSource::Poll
            : source == u"operator"  ? EventSource::Operator
                                     : EventSource::Webhook;
        e.dedupKey = (*q)->value(4).toString();
        e.kind = (*q)->value(5).toString();
        e.status = (*q)->value(6).toString();
        e.rawStatus = (*q)->value(7).toString();
        e.receivedAt = sql::timeAt((*q)->value(8));
        if (withPayload)
            e.payload = (*q)->value(9).toString().toUtf8();
        events.append(e);
    }
    (*q)->finish();
    return events;
}

namespace {
const QString agentColumns =
    QStringLiteral("id, org_id, provider, provider_agent_id, name, from_number, webhook_state, "
                   "webhook_url, webhook_message, "
                   "webhook_checked_at");

Agent agentFrom(const QSqlQuery &q)
{
    Agent a;
    a.id = q.value(0).toString();
    a.orgId = q.value(1).toString();
    a.provider = providerFromString(q.value(2).toString()).value_or(Provider::Bolna);
    a.providerAgentId = q.value(3).toString();
    a.name = q.value(4).toString();
    a.fromNumber = q.value(5).toString();
    a.webhookState = webhookStateFromString(q.value(6).toString()).value_or(WebhookState::Unknown);
    a.webhookUrl = q.value(7).toString();
    a.webhookMessage = q.value(8).toString();
    a.webhookCheckedAt = sql::timeAt(q.value(9));
    return a;
}
} // namespace

Result<QList<Agent>> OrgScope::agents()
{
    return m_store.all(QStringLiteral("SELECT ") + agentColumns +
                           QStringLiteral(" FROM agents WHERE org_id = ? ORDER BY name, id"),
                       {m_orgId}, [](const QSqlQuery &q) { return agentFrom(q); });
}

Result<std::optional<Agent>> OrgScope::agent(const QString &agentId)
{
    return m_store.one(QStringLiteral("SELECT ") + agentColumns +
                           QStringLiteral(" FROM agents WHERE org_id = ? AND id = ?"),
                       {m_orgId, agentId}, [](const QSqlQuery &q) { return agentFrom(q); });
}

Result<Agent> OrgScope::createAgent(const Agent &input)
{
    Agent agent = input;
    agent.orgId = m_orgId;
    if (agent.id.isEmpty())
        agent.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    auto q = m_store.run(
        QStringLiteral(
            "INSERT INTO agents (id, org_id, provider, provider_agent_id, name, from_number, "
            "webhook_state, webhook_url, webhook_message, webhook_checked_at, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        {agent.id, m_orgId, wireName(agent.provider), agent.providerAgentId, sql::str(agent.name),
         sql::str(agent.fromNumber), wireName(agent.webhookState), sql::str(agent.webhookUrl),
         sql::str(agent.webhookMessage), sql::time(agent.webhookCheckedAt), sql::nowMs()});
    if (!q)
        return q.error();
    return agent;
}

Result<void> OrgScope::updateAgentWebhook(const Agent &agent)
{
    auto q = m_store.run(
        QStringLiteral("UPDATE agents SET webhook_state = ?, webhook_url = ?, webhook_message = ?, "
                       "webhook_checked_at = ? WHERE org_id = ? AND id = ?"),
        {wireName(agent.webhookState), sql::str(agent.webhookUrl), sql::str(agent.webhookMessage),
         sql::time(agent.webhookCheckedAt), m_orgId, agent.id});
    if (!q)
        return q.error();
    if ((*q)->numRowsAffected() != 1)
        return Result<void>::failure(QStringLiteral("not_found"), QStringLiteral("no such agent"));
    return {};
}

Result<Contact> OrgScope::createContact(const QString &number, const QString &name)
{
    Contact contact{QUuid::createUuid().toString(QUuid::WithoutBraces), number, name};
    auto q = m_store.run(
        QStringLiteral("INSERT INTO contacts (id, org_id, number, name) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT (org_id, number) DO UPDATE SET name = excluded.name"),
        {contact.id, m_orgId, number, name});
    if (!q)
        return q.error();
    return contact;
}

Result<QList<Contact>> OrgScope::contacts()
{
    return m_store.all(
        QStringLiteral("SELECT id, number, name FROM contacts WHERE org_id = ? ORDER BY name"),
        {m_orgId}, [](const QSqlQuery &q) {
            return Contact{q.value(0).toString(), q.value(1).toString(), q.value(2).toString()};
        });
}

Result<QString> OrgScope::contactName(const QString &number)
{
    if (number.isEmpty())
        return QString();
    auto q =
        m_store.run(QStringLiteral("SELECT name FROM contacts WHERE org_id = ? AND number = ?"),
                    {m_orgId, number});
    if (!q)
        return q.error();
    QString name;
    if ((*q)->next())
        name = (*q)->value(0).toString();
    (*q)->finish();
    return name;
}

Result<std::optional<ProviderSettings>> OrgScope::providerSettings(Provider provider)
{
    return m_store.one(
        QStringLiteral("SELECT base_url, api_key, webhook_secret FROM provider_settings "
                       "WHERE org_id = ? AND provider = ?"),
        {m_orgId, wireName(provider)}, [provider](const QSqlQuery &q) {
            return ProviderSettings{provider, q.value(0).toString(), q.value(1).toString(),
                                    q.value(2).toString()};
        });
}

Result<QList<ProviderSettings>> OrgScope::allProviderSettings()
{
    QList<ProviderSettings> all;
    for (Provider p : {Provider::Bolna, Provider::Vapi, Provider::Retell}) {
        auto s = providerSettings(p);
        if (!s)
            return s.error();
        if (*s)
            all.append(**s);
    }
    return all;
}

Result<void> OrgScope::setProviderSettings(const ProviderSettings &settings)
{
    return m_store.execute(
        QStringLiteral("INSERT INTO provider_settings (org_id, provider, base_url, api_key, "
                       "webhook_secret, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
                       "ON CONFLICT (org_id, provider) DO UPDATE SET base_url = excluded.base_url, "
                       "api_key = excluded.api_key, webhook_secret = excluded.webhook_secret, "
                       "updated_at = excluded.updated_at"),
        {m_orgId, wireName(settings.provider), sql::str(settings.baseUrl),
         sql::str(settings.apiKey), sql::str(settings.webhookSecret), sql::nowMs()});
}

Result<void> OrgScope::audit(const QString &userId, const QString &action, const QString &target,
                             const QString &detail)
{
    return m_store.execute(
        QStringLiteral("INSERT INTO audit (org_id, user_id, action, target, detail, at) "
                       "VALUES (?, ?, ?, ?, ?, ?)"),
        {m_orgId, sql::str(userId), action, sql::str(target), sql::str(detail), sql::nowMs()});
}

Result<Metrics> OrgScope::metrics(const QDateTime &now)
{
    Metrics m;
    m.orgId = m_orgId;
    m.at = now.toUTC();
    const qint64 nowMs = now.toMSecsSinceEpoch();
    const qint64 dayAgo = nowMs - 24 * 3600 * 1000LL;
    auto q = m_store.run(
        QStringLiteral("SELECT status, COUNT(*), SUM(COALESCE(cost_cents, 0)), "
                       "SUM(CASE WHEN duration_s IS NULL THEN 0 ELSE duration_s END), "
                       "SUM(CASE WHEN duration_s IS NULL THEN 0 ELSE 1 END) FROM calls "
                       "WHERE org_id = ? AND is_test = 0 AND sort_at >= ? GROUP BY status"),
        {m_orgId, dayAgo});
    if (!q)
        return q.error();
    double durationSum = 0;
    int durationCount = 0;
    while ((*q)->next()) {
        const auto status = callStatusFromString((*q)->value(0).toString());
        if (!status)
            continue;
        const int count = (*q)->value(1).toInt();
        countOf(m.totals, *status) += count;
        m.costCents += (*q)->value(2).toDouble();
        if (*status == CallStatus::Completed) {
            durationSum += (*q)->value(3).toDouble();
            durationCount += (*q)->value(4).toInt();
        }
    }
    (*q)->finish();
    int terminal = 0;
    for (CallStatus status : allCallStatuses) {
        if (isTerminal(status))
            terminal += countOf(m.totals, status);
        else
            m.active += countOf(m.totals, status);
    }
    m.answerRate = terminal > 0 ? double(countOf(m.totals, CallStatus::Completed)) / terminal : 0.0;
    m.avgDurationS = durationCount > 0 ? durationSum / durationCount : 0.0;

    const qint64 minuteMs = 60 * 1000;
    const qint64 firstMinute = (nowMs / minuteMs - 59) * minuteMs;
    for (int i = 0; i < 60; ++i) {
        MetricsMinute minute;
        minute.minute =
            QDateTime::fromMSecsSinceEpoch(firstMinute + i * minuteMs, QTimeZone::utc());
        m.perMinute.append(minute);
    }
    auto per = m_store.run(
        QStringLiteral("SELECT (sort_at - ?) / ?, status, COUNT(*) FROM calls "
                       "WHERE org_id = ? AND is_test = 0 AND sort_at >= ? AND sort_at < ? "
                       "GROUP BY 1, 2"),
        {firstMinute, minuteMs, m_orgId, firstMinute, firstMinute + 60 * minuteMs});
    if (!per)
        return per.error();
    while ((*per)->next()) {
        const qint64 index = (*per)->value(0).toLongLong();
        const auto status = callStatusFromString((*per)->value(1).toString());
        if (status && index >= 0 && index < 60)
            countOf(m.perMinute[index].counts, *status) += (*per)->value(2).toInt();
    }
    (*per)->finish();
    return m;
}

Result<StoreDiagnostics> OrgScope::diagnostics()
{
    StoreDiagnostics d;
    auto agents =
        m_store.run(QStringLiteral("SELECT webhook_state, COUNT(*) FROM agents WHERE org_id = ? "
                                   "GROUP BY webhook_state ORDER BY webhook_state"),
                    {m_orgId});
    if (!agents)
        return agents.error();
    while ((*agents)->next()) {
        const int count = (*agents)->value(1).toInt();
        d.agentsTotal += count;
        d.agentsByWebhookState.append(
            {webhookStateFromString((*agents)->value(0).toString()).value_or(WebhookState::Unknown),
             count});
    }
    (*agents)->finish();

    for (Provider p : {Provider::Bolna, Provider::Vapi, Provider::Retell}) {
        auto last =
            m_store.run(QStringLiteral("SELECT MAX(received_at) FROM call_events "
                                       "WHERE org_id = ? AND provider = ? AND source = 'webhook'"),
                        {m_orgId, wireName(p)});
        if (!last)
            return last.error();
        QDateTime at;
        if ((*last)->next())
            at = sql::timeAt((*last)->value(0));
        (*last)->finish();
        d.lastWebhookByProvider.append({p, at});
    }

    auto counts = m_store.run(
        QStringLiteral("SELECT SUM(CASE WHEN stale <> 0 THEN 1 ELSE 0 END), COUNT(*) FROM calls "
                       "WHERE org_id = ? AND status IN ('queued', 'initiated', 'ringing', "
                       "'in_progress')"),
        {m_orgId});
    if (!counts)
        return counts.error();
    if ((*counts)->next()) {
        d.staleCalls = (*counts)->value(0).toInt();
        d.activeCalls = (*counts)->value(1).toInt();
    }
    (*counts)->finish();

    auto unrouted = m_store.run(
        QStringLiteral("SELECT id, provider, provider_agent_id, provider_call_id, org_hint, "
                       "dedup_key, kind, received_at FROM unrouted_events WHERE org_hint = ? "
                       "ORDER BY id DESC LIMIT 100"),
        {m_orgId});
    if (!unrouted)
        return unrouted.error();
    while ((*unrouted)->next()) {
        UnroutedEvent e;
        e.id = (*unrouted)->value(0).toLongLong();
        e.provider = providerFromString((*unrouted)->value(1).toString()).value_or(Provider::Bolna);
        e.providerAgentId = (*unrouted)->value(2).toString();
        e.providerCallId = (*unrouted)->value(3).toString();
        e.orgHint = (*unrouted)->value(4).toString();
        e.dedupKey = (*unrouted)->value(5).toString();
        e.kind = (*unrouted)->value(6).toString();
        e.receivedAt = sql::timeAt((*unrouted)->value(7));
        d.unroutedForOrg.append(e);
    }
    (*unrouted)->finish();
    return d;
}

} // namespace cb
