// The store suite, run once against SQLite and once against a real, throwaway PostgreSQL.

#include "pgtestserver.h"

#include "server/changefeed.h"
#include "server/ingest.h"
#include "server/migrations.h"
#include "server/store.h"
#include "server/storewriter.h"
#include "server/walfile.h"

#include <QFileInfo>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace cb;

class TestStore : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<Store> openStore(DbConfig *configOut = nullptr);
    NormalizedEvent event(const QString &callId, CallStatus status, const QString &key,
                          int phase = 0) const;
    Result<IngestOutcome> ingestIn(Store &store, const NormalizedEvent &e,
                                   const QString &requiredOrg = {});
    QString makeOrg(Store &store, const QString &name);
    /// Registers the Bolna agent "agent-a", which event() names, in @p org.
    bool addAgent(Store &store, const QString &org);

    cbtest::PgTestServer m_pg;
    bool m_pgReady = false;
    QString m_pgError;
    QTemporaryDir m_dir;
    int m_sqliteFiles = 0;
    int m_connections = 0;

private Q_SLOTS:
    void initTestCase_data();
    void initTestCase();
    void cleanupTestCase();

    void migrationsAreIdempotent();
    void accountsAndSessions();
    void ingestBumpsSeqOnlyOnRealChange();
    void anyOrderAndDuplicationEndsInTheSameRow();
    void unroutedEventsAreReplayedWhenTheAgentIsRegistered();
    void senderProvenOrgIsEnforced();
    void orgScopeNeverReachesAnotherOrg();
    void listFiltersAndKeysetPaging();
    void hostileFilterTextIsJustText();
    void changesSinceIncludesDeletions();
    void markFailedGoesThroughTheMerge();
    void metricsCountByStatus();
    void writerGroupsCommitsAndPublishesInSeqOrder();
    void walFileFollowsTheLogItFlushes();
};

void TestStore::initTestCase_data()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("sqlite") << QStringLiteral("sqlite");
    QTest::newRow("postgres") << QStringLiteral("postgres");
}

void TestStore::initTestCase()
{
    QVERIFY(m_dir.isValid());
    if (cbtest::PgTestServer::binDir().isEmpty()) {
        m_pgError =
            QStringLiteral("PostgreSQL binaries are not installed (scripts/setup installs them)");
        return;
    }
    m_pgReady = m_pg.start(&m_pgError);
    QVERIFY2(m_pgReady, qPrintable(m_pgError));
}

void TestStore::cleanupTestCase()
{
    m_pg.stop();
}

std::unique_ptr<Store> TestStore::openStore(DbConfig *configOut)
{
    QFETCH_GLOBAL(QString, backend);
    DbConfig config;
    if (backend == u"postgres") {
        if (!m_pgReady)
            return nullptr;
        QString error;
        auto parsed = DbConfig::fromUrl(m_pg.createDatabase(&error));
        if (!error.isEmpty() || !parsed)
            qWarning("cannot create a database: %s", qPrintable(error));
        config = *parsed;
    } else {
        config = DbConfig::sqliteIn(m_dir.filePath(QStringLiteral("db%1").arg(++m_sqliteFiles)));
    }
    auto store = Store::open(config, QStringLiteral("test-%1").arg(++m_connections));
    if (!store) {
        qWarning("open failed: %s", qPrintable(store.error().message));
        return nullptr;
    }
    if (auto r = (*store)->migrate(); !r) {
        qWarning("migrate failed: %s", qPrintable(r.error().message));
        return nullptr;
    }
    if (configOut)
        *configOut = config;
    return std::move(*store);
}

#define OPEN_STORE(name, ...)                  \
    QFETCH_GLOBAL(QString, backend);           \
    if (backend == u"postgres" && !m_pgReady)  \
        QSKIP(qPrintable(m_pgError));          \
    auto name##Owner = openStore(__VA_ARGS__); \
    QVERIFY(name##Owner);                      \
    Store &name = *name##Owner

NormalizedEvent TestStore::event(const QString &callId, CallStatus status, const QString &key,
                                 int phase) const
{
    NormalizedEvent e;
    e.provider = Provider::Bolna;
    e.providerCallId = callId;
    e.providerAgentId = QStringLiteral("agent-a");
    e.dedupKey = key;
    e.kind = wireName(status);
    e.status = status;
    e.rawStatus = wireName(status);
    e.precedence = rank(status) * 10 + phase;
    return e;
}

Result<IngestOutcome> TestStore::ingestIn(Store &store, const NormalizedEvent &e,
                                          const QString &requiredOrg)
{
    if (auto r = store.begin(); !r)
        return r.error();
    auto outcome = ingest(store,
                          IngestItem{e, QByteArrayLiteral("{}"), EventSource::Webhook, requiredOrg,
                                     QDateTime::currentDateTimeUtc()});
    if (!outcome) {
        store.rollback();
        return outcome;
    }
    if (auto r = store.commit(); !r)
        return r.error();
    return outcome;
}

QString TestStore::makeOrg(Store &store, const QString &name)
{
    auto org = store.createOrg(name);
    return org ? org->id : QString();
}

bool TestStore::addAgent(Store &store, const QString &org)
{
    Agent agent;
    agent.providerAgentId = QStringLiteral("agent-a");
    return store.org(org).createAgent(agent).ok();
}

void TestStore::migrationsAreIdempotent()
{
    OPEN_STORE(store);
    QVERIFY(store.migrate().ok());
    QVERIFY(store.migrate().ok());
    auto version = store.schemaVersion();
    QVERIFY(version.ok());
    QCOMPARE(*version, migrations().constLast().version);
    QVERIFY(store.ping());
}

void TestStore::accountsAndSessions()
{
    OPEN_STORE(store);
    const QString org = makeOrg(store, QStringLiteral("Acme"));
    QVERIFY(!org.isEmpty());
    auto user = store.createUser(QStringLiteral("Ann@Example.com "), QStringLiteral("Ann"),
                                 QStringLiteral("hash"));
    QVERIFY(user.ok());
    QCOMPARE(user->email, QStringLiteral("ann@example.com"));
    QVERIFY(!store.createUser(QStringLiteral("ann@example.com"), {}, QStringLiteral("h")).ok());
    QVERIFY(store.setMembership(org, user->id, Role::Staff).ok());
    QVERIFY(store.setMembership(org, user->id, Role::Admin).ok());
    auto role = store.roleIn(user->id, org);
    QVERIFY(role.ok() && *role);
    QCOMPARE(**role, Role::Admin);
    auto orgs = store.orgsOf(user->id);
    QVERIFY(orgs.ok());
    QCOMPARE(orgs->size(), 1);
    QCOMPARE(orgs->first().role, Role::Admin);
    auto none = store.roleIn(user->id, QStringLiteral("another-org"));
    QVERIFY(none.ok() && !*none);

    const QDateTime now = QDateTime::currentDateTimeUtc();
    QVERIFY(store.insertSession("live", user->id, now.addSecs(3600)).ok());
    QVERIFY(store.insertSession("expired", user->id, now.addSecs(-1)).ok());
    auto live = store.session("live", now);
    QVERIFY(live.ok() && *live);
    QCOMPARE((*live)->userId, user->id);
    auto expired = store.session("expired", now);
    QVERIFY(expired.ok() && !*expired);
    QVERIFY(store.revokeSession("live", now).ok());
    auto revoked = store.session("live", now);
    QVERIFY(revoked.ok() && !*revoked);
}

void TestStore::ingestBumpsSeqOnlyOnRealChange()
{
    OPEN_STORE(store);
    const QString org = makeOrg(store, QStringLiteral("Acme"));
    Agent agent;
    agent.provider = Provider::Bolna;
    agent.providerAgentId = QStringLiteral("agent-a");
    auto created = store.org(org).createAgent(agent);
    QVERIFY(created.ok());
    QVERIFY(
        store.org(org).createContact(QStringLiteral("+14155550123"), QStringLiteral("Grace")).ok());

    NormalizedEvent ringing =
        event(QStringLiteral("c1"), CallStatus::Ringing, QStringLiteral("c1:ringing"));
    ringing.toNumber = QStringLiteral("+14155550123");
    ringing.direction = Direction::Outbound;
    auto first = ingestIn(store, ringing);
    QVERIFY2(first.ok(), first.ok() ? "" : qPrintable(first.error().message));
    QCOMPARE(first->kind, IngestOutcome::Kind::Applied);
    QCOMPARE(first->seq, 1);
    QCOMPARE(first->orgId, org);
    QVERIFY(first->change);
    QCOMPARE(first->change->kind, ChangeKind::Created);

    auto duplicate = ingestIn(store, ringing);
    QVERIFY(duplicate.ok());
    QCOMPARE(duplicate->kind, IngestOutcome::Kind::Duplicate);
    QVERIFY(!duplicate->change);
    QCOMPARE(*store.org(org).lastSeq(), 1);

    NormalizedEvent again = ringing;
    again.dedupKey = QStringLiteral("c1:ringing-retry");
    auto unchanged = ingestIn(store, again);
    QVERIFY(unchanged.ok());
    QCOMPARE(unchanged->kind, IngestOutcome::Kind::Unchanged);
    QCOMPARE(*store.org(org).lastSeq(), 1);

    auto answered = ingestIn(
        store, event(QStringLiteral("c1"), CallStatus::InProgress, QStringLiteral("c1:ip")));
    QVERIFY(answered.ok());
    QCOMPARE(answered->kind, IngestOutcome::Kind::Applied);
    QCOMPARE(answered->seq, 2);
    QCOMPARE(answered->change->kind, ChangeKind::Updated);

    auto call = store.org(org).call(first->callId);
    QVERIFY(call.ok() && *call);
    QCOMPARE((*call)->call.status, CallStatus::InProgress);
    QCOMPARE((*call)->call.seq, 2);
    QCOMPARE((*call)->call.agentId, created->id);
    QCOMPARE((*call)->call.callerName, QStringLiteral("Grace"));
    auto events = store.org(org).events(first->callId, true);
    QVERIFY(events.ok());
    QCOMPARE(events->size(), 3);
}

void TestStore::anyOrderAndDuplicationEndsInTheSameRow()
{
    OPEN_STORE(store);
    const QString org = makeOrg(store, QStringLiteral("Acme"));
    QVERIFY(addAgent(store, org));

    QList<NormalizedEvent> events;
    const CallStatus path[] = {CallStatus::Initiated, CallStatus::Ringing, CallStatus::InProgress,
                               CallStatus::Completed};
    for (CallStatus status : path)
        events.append(event(QString(), status, wireName(status)));
    events.last().finalReport = true;
    events.last().finalizes = true;
    events.last().precedence = precedenceOf(CallStatus::Completed, Phase::Analyzed);
    events.last().durationS = 42;
    events.last().endReason = QStringLiteral("hangup");
    events[1].toNumber = QStringLiteral("+15550001");

    std::optional<Call> reference;
    QList<int> order{0, 1, 2, 3};
    int run = 0;
    do {
        const QString callId = QStringLiteral("perm-%1").arg(run++);
        for (int i : std::as_const(order)) {
            NormalizedEvent e = events.at(i);
            e.providerCallId = callId;
            e.dedupKey = callId + u':' + e.dedupKey;
            QVERIFY(ingestIn(store, e).ok());
            QVERIFY(ingestIn(store, e).ok());
        }
        auto row = store.org(org).callByProviderId(Provider::Bolna, callId);
        QVERIFY(row.ok() && *row);
        Call call = (*row)->call;
        call.id.clear();
        call.providerCallId.clear();
        call.seq = 0;
        call.updatedAt = {};
        if (!reference)
            reference = call;
        else
            QCOMPARE(call, *reference);
    } while (std::next_permutation(order.begin(), order.end()));
    QCOMPARE(reference->status, CallStatus::Completed);
    QVERIFY(reference->finalized);
    QCOMPARE(reference->durationS, 42.0);
}

void TestStore::unroutedEventsAreReplayedWhenTheAgentIsRegistered()
{
    OPEN_STORE(store);
    const QString org = makeOrg(store, QStringLiteral("Acme"));
    NormalizedEvent e = event(QStringLiteral("exec-9"), CallStatus::Ringing,
                              QStringLiteral("bolna:exec-9:ringing"));
    e.providerAgentId = QStringLiteral("late-agent");
    const QByteArray payload = R"({"id":"exec-9","agent_id":"late-agent","status":"ringing"})";
    QVERIFY(store.begin().ok());
    auto outcome = ingest(
        store, IngestItem{e, payload, EventSource::Webhook, {}, QDateTime::currentDateTimeUtc()});
    QVERIFY(outcome.ok());
    QVERIFY(store.commit().ok());
    QCOMPARE(outcome->kind, IngestOutcome::Kind::Unrouted);
    QCOMPARE(store.listUnrouted(10)->size(), 1);
    QCOMPARE(*store.org(org).lastSeq(), 0);

    QVERIFY(store.begin().ok());
    auto nothing = replayUnrouted(store);
    QVERIFY(store.commit().ok());
    QVERIFY(nothing.ok() && nothing->isEmpty());

    Agent agent;
    agent.providerAgentId = QStringLiteral("late-agent");
    QVERIFY(store.org(org).createAgent(agent).ok());
    QVERIFY(store.begin().ok());
    auto replayed = replayUnrouted(store);
    QVERIFY(store.commit().ok());
    QVERIFY2(replayed.ok(), replayed.ok() ? "" : qPrintable(replayed.error().message));
    QCOMPARE(replayed->size(), 1);
    QCOMPARE(replayed->first().orgId, org);
    QCOMPARE(replayed->first().call.status, CallStatus::Ringing);
    QVERIFY(store.listUnrouted(10)->isEmpty());
    QCOMPARE(*store.org(org).lastSeq(), 1);
}

void TestStore::senderProvenOrgIsEnforced()
{
    OPEN_STORE(store);
    const QString a = makeOrg(store, QStringLiteral("A"));
    const QString b = makeOrg(store, QStringLiteral("B"));
    QVERIFY(addAgent(store, a));
    auto refused =
        ingestIn(store, event(QStringLiteral("x"), CallStatus::Ringing, QStringLiteral("x:r")), b);
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().code, QStringLiteral("forbidden"));
    QCOMPARE(*store.org(a).lastSeq(), 0);

    NormalizedEvent unknownAgent =
        event(QStringLiteral("y"), CallStatus::Ringing, QStringLiteral("y:r"));
    unknownAgent.providerAgentId = QStringLiteral("nobody");
    auto routed = ingestIn(store, unknownAgent, b);
    QVERIFY(routed.ok());
    QCOMPARE(routed->kind, IngestOutcome::Kind::Applied);
    QCOMPARE(routed->orgId, b);
}

void TestStore::orgScopeNeverReachesAnotherOrg()
{
    OPEN_STORE(store);
    const QString a = makeOrg(store, QStringLiteral("A"));
    const QString b = makeOrg(store, QStringLiteral("B"));
    QVERIFY(addAgent(store, a));
    auto applied = ingestIn(
        store, event(QStringLiteral("secret-call"), CallStatus::Ringing, QStringLiteral("k")));
    QVERIFY(applied.ok());
    const QString callId = applied->callId;

    OrgScope other = store.org(b);
    auto byId = other.call(callId);
    QVERIFY(byId.ok() && !*byId);
    auto byProvider = other.callByProviderId(Provider::Bolna, QStringLiteral("secret-call"));
    QVERIFY(byProvider.ok() && !*byProvider);
    CallQuery everything;
    everything.includeTest = true;
    QVERIFY(other.listCalls(everything)->calls.isEmpty());
    QVERIFY(other.changesSince(0, 100)->calls.isEmpty());
    QVERIFY(other.events(callId, true)->isEmpty());
    QVERIFY(other.agents()->isEmpty());
    QCOMPARE(*other.deleteCall(callId, 1), false);
    QVERIFY(!store.org(a).call(callId)->value().call.id.isEmpty());
    QVERIFY(store.begin().ok());
    auto marked = markFailed(store, b, callId, QStringLiteral("u"));
    store.rollback();
    QVERIFY(!marked.ok());
    QCOMPARE(marked.error().code, QStringLiteral("not_found"));
    QCOMPARE(store.org(a).metrics(QDateTime::currentDateTimeUtc())->active, 1);
    QCOMPARE(other.metrics(QDateTime::currentDateTimeUtc())->active, 0);
}

void TestStore::listFiltersAndKeysetPaging()
{
    OPEN_STORE(store);
    const QString org = makeOrg(store, QStringLiteral("Acme"));
    QVERIFY(addAgent(store, org));
    const QDateTime base = QDateTime::currentDateTimeUtc().addSecs(-3600);
    for (int i = 0; i < 25; ++i) {
        NormalizedEvent e = event(QStringLiteral("call-%1").arg(i, 2, 10, QChar(u'0')),
                                  i % 3 == 0 ? CallStatus::Completed : CallStatus::Ringing,
                                  QStringLiteral("k%1").arg(i));
        // Every fifth pair shares a creation time, so paging has to break ties by id.
        e.createdAt = base.addSecs((i / 2) * 10);
        e.toNumber = QStringLiteral("+1555000%1").arg(i, 2, 10, QChar(u'0'));
        e.isTestHint = i == 7;
        QVERIFY(ingestIn(store, e).ok());
    }
    OrgScope scope = store.org(org);
    CallQuery query;
    query.includeTest = true;
    query.limit = 10;
    QStringList seen;
    for (int pageNo = 0; pageNo < 5; ++pageNo) {
        auto page = scope.listCalls(query);
        QVERIFY(page.ok());
        for (const Call &call : std::as_const(page->calls))
            seen.append(call.providerCallId);
        if (!page->next)
            break;
        const auto decoded = CallCursor::decode(page->next->encode());
        QVERIFY(decoded);
        query.after = decoded;
    }
    QCOMPARE(seen.size(), 25);
    QCOMPARE(QSet<QString>(seen.begin(), seen.end()).size(), 25);
    QCOMPARE(seen.first(), QStringLiteral("call-24"));

    CallQuery noTest;
    noTest.limit = 100;
    QCOMPARE(scope.listCalls(noTest)->calls.size(), 24);
    CallQuery completed;
    completed.statuses = {CallStatus::Completed};
    completed.includeTest = true;
    QCOMPARE(scope.listCalls(completed)->calls.size(), 9);
    CallQuery text;
    text.text = QStringLiteral("+155500012");
    QCOMPARE(scope.listCalls(text)->calls.size(), 1);
    CallQuery range;
    range.includeTest = true;
    range.from = base;
    range.to = base.addSecs(20);
    QCOMPARE(scope.listCalls(range)->calls.size(), 4);
    QVERIFY(!CallCursor::decode(u"not base64 !!"));
}

void TestStore::hostileFilterTextIsJustText()
{
    OPEN_STORE(store);
    const QString org = makeOrg(store, QStringLiteral("Acme"));
    QVERIFY(addAgent(store, org));
    QVERIFY(
        ingestIn(store, event(QStringLiteral("c"), CallStatus::Ringing, QStringLiteral("k"))).ok());
    OrgScope scope = store.org(org);
    const QStringList hostile = {QStringLiteral("%"),
                                 QStringLiteral("_"),
                                 QStringLiteral("\\"),
                                 QStringLiteral("' OR 1=1 --"),
                                 QStringLiteral("'; DROP TABLE calls; --"),
                                 QStringLiteral("\") OR (\"1\"=\"1")};
    for (const QString &text : hostile) {
        CallQuery query;
        query.text = text;
        query.includeTest = true;
        auto page = scope.listCalls(query);
        QVERIFY(page.ok());
        QVERIFY2(page->calls.isEmpty(), qPrintable(text));
        CallQuery byAgent;
        byAgent.agentId = text;
        QVERIFY(scope.listCalls(byAgent)->calls.isEmpty());
    }
    CallQuery all;
    QCOMPARE(scope.listCalls(all)->calls.size(), 1);
}

void TestStore::changesSinceIncludesDeletions()
{
    OPEN_STORE(store);
    const QString org = makeOrg(store, QStringLiteral("Acme"));
    QVERIFY(addAgent(store, org));
    QStringList ids;
    for (int i = 0; i < 5; ++i) {
        auto r = ingestIn(
            store, event(QStringLiteral("c%1").arg(i), CallStatus::Ringing, QStringLiteral("k")));
        QVERIFY(r.ok());
        ids.append(r->callId);
    }
    QVERIFY(store.begin().ok());
    auto deleted = deleteCall(store, org, ids.at(1), QStringLiteral("admin"));
    QVERIFY(deleted.ok());
    QVERIFY(store.commit().ok());
    QCOMPARE(deleted->seq, 6);
    QCOMPARE(deleted->kind, ChangeKind::Deleted);

    auto page = store.org(org).changesSince(0, 2);
    QVERIFY(page.ok());
    QCOMPARE(page->calls.size(), 2);
    QVERIFY(page->more);
    QCOMPARE(page->lastSeq, 6);
    auto rest = store.org(org).changesSince(page->calls.last().seq, 100);
    QVERIFY(rest.ok());
    QVERIFY(!rest->more);
    QCOMPARE(rest->calls.size(), 2);
    QCOMPARE(rest->deleted.size(), 1);
    QCOMPARE(rest->deleted.first().callId, ids.at(1));
    QCOMPARE(rest->deleted.first().seq, 6);
    QVERIFY(store.org(org).events(ids.at(1), false)->isEmpty());
}

void TestStore::markFailedGoesThroughTheMerge()
{
    OPEN_STORE(store);
    const QString org = makeOrg(store, QStringLiteral("Acme"));
    QVERIFY(addAgent(store, org));
    auto created =
        ingestIn(store, event(QStringLiteral("stuck"), CallStatus::Ringing, QStringLiteral("k")));
    QVERIFY(created.ok());
    QVERIFY(store.begin().ok());
    auto marked = markFailed(store, org, created->callId, QStringLiteral("admin-user"));
    QVERIFY(marked.ok());
    QVERIFY(store.commit().ok());
    QCOMPARE(marked->kind, IngestOutcome::Kind::Applied);
    QCOMPARE(marked->seq, 2);
    auto call = store.org(org).call(created->callId);
    QCOMPARE((*call)->call.status, CallStatus::Failed);
    QCOMPARE((*call)->call.endReason, QStringLiteral("operator_marked_failed"));
    auto events = store.org(org).events(created->callId, false);
    QCOMPARE(events->size(), 2);
    QCOMPARE(events->last().source, EventSource::Operator);

    QVERIFY(store.begin().ok());
    auto again = markFailed(store, org, created->callId, QStringLiteral("admin-user"));
    QVERIFY(store.commit().ok());
    QCOMPARE(again->kind, IngestOutcome::Kind::Duplicate);
    QCOMPARE(*store.org(org).lastSeq(), 2);
}

void TestStore::metricsCountByStatus()
{
    OPEN_STORE(store);
    const QString org = makeOrg(store, QStringLiteral("Acme"));
    QVERIFY(addAgent(store, org));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const CallStatus statuses[] = {CallStatus::Completed, CallStatus::Completed, CallStatus::Busy,
                                   CallStatus::Ringing};
    int i = 0;
    for (CallStatus status : statuses) {
        NormalizedEvent e = event(QStringLiteral("m%1").arg(i), status, QStringLiteral("k"));
        e.createdAt = now.addSecs(-60 * i);
        if (status == CallStatus::Completed) {
            e.durationS = 30 + 30 * i;
            e.costCents = 10;
        }
        QVERIFY(ingestIn(store, e).ok());
        ++i;
    }
    auto m = store.org(org).metrics(now);
    QVERIFY(m.ok());
    QCOMPARE(countOf(m->totals, CallStatus::Completed), 2);
    QCOMPARE(countOf(m->totals, CallStatus::Busy), 1);
    QCOMPARE(m->active, 1);
    QCOMPARE(m->answerRate, 2.0 / 3.0);
    QCOMPARE(m->avgDurationS, 45.0);
    QCOMPARE(m->costCents, 20.0);
    QCOMPARE(m->perMinute.size(), 60);
    int inSeries = 0;
    for (const MetricsMinute &minute : std::as_const(m->perMinute)) {
        for (int count : minute.counts)
            inSeries += count;
    }
    QCOMPARE(inSeries, 4);
}

void TestStore::writerGroupsCommitsAndPublishesInSeqOrder()
{
    DbConfig config;
    OPEN_STORE(store, &config);
    const QString org = makeOrg(store, QStringLiteral("Acme"));
    QVERIFY(addAgent(store, org));

    ChangeFeed feed;
    QList<qint64> published;
    connect(&feed, &ChangeFeed::callChanged, this,
            [&published](const QString &, qint64 seq, const Call &, ChangeKind) {
                published.append(seq);
            });
    StoreWriter writer(config, &feed);
    QVERIFY(writer.start().ok());
    const int jobs = 300;
    int done = 0;
    int failed = 0;
    for (int i = 0; i < jobs; ++i) {
        NormalizedEvent e = event(QStringLiteral("w%1").arg(i % 100),
                                  i < 100 ? CallStatus::Ringing : CallStatus::InProgress,
                                  QStringLiteral("k%1").arg(i));
        if (i >= 200)
            e.dedupKey = QStringLiteral("k%1").arg(i - 100); // duplicates of the second hundred
        writer.submit(
            [e](Store &s) -> Result<StoreWriter::Output> {
                auto outcome = ingest(
                    s,
                    IngestItem{e, "{}", EventSource::Webhook, {}, QDateTime::currentDateTimeUtc()});
                if (!outcome)
                    return outcome.error();
                StoreWriter::Output output;
                if (outcome->change)
                    output.changes.append(*outcome->change);
                return output;
            },
            [&done, &failed](const Result<StoreWriter::Output> &r) {
                ++done;
                failed += r.ok() ? 0 : 1;
            });
    }
    // A job that fails is undone alone; its neighbours commit.
    writer.submit(
        [](Store &) -> Result<StoreWriter::Output> {
            return Result<StoreWriter::Output>::failure(QStringLiteral("invalid_payload"),
                                                        QStringLiteral("bad"));
        },
        [&done, &failed](const Result<StoreWriter::Output> &r) {
            ++done;
            failed += r.ok() ? 0 : 1;
        });
    QTRY_COMPARE_WITH_TIMEOUT(done, jobs + 1, 30000);
    QCOMPARE(failed, 1);
    QCOMPARE(published.size(), 200);
    for (int i = 0; i < published.size(); ++i)
        QCOMPARE(published.at(i), qint64(i + 1));
    writer.stop();
    const StoreWriter::Stats stats = writer.stats();
    QVERIFY(stats.batches < quint64(jobs));
    // On SQLite with synchronous=FULL the log is flushed by the writer's flush thread, at
    // most once per group; PostgreSQL flushes in its COMMIT.
    if (config.kind == DbConfig::Kind::Sqlite) {
        QVERIFY(stats.logFlushes > 0);
        QVERIFY(stats.logFlushes <= stats.batches);
    } else {
        QCOMPARE(stats.logFlushes, quint64(0));
    }
    QCOMPARE(*store.org(org).lastSeq(), 200);
}

void TestStore::walFileFollowsTheLogItFlushes()
{
    QFETCH_GLOBAL(QString, backend);
    if (backend != u"sqlite")
        QSKIP("the write-ahead log file is SQLite's");
    const QString path = m_dir.filePath(QStringLiteral("wal-test.sqlite"));
    WalFile wal(path);
    QCOMPARE(wal.path(), path + QStringLiteral("-wal"));
    const auto missing = wal.open();
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, QStringLiteral("db_error"));
    QVERIFY(!wal.sync());

    for (int round = 0; round < 2; ++round) {
        // Each round opens the database afresh: SQLite removes the log when the last
        // connection closes and makes a new file next time, which sync() must follow.
        const QString name = QStringLiteral("wal-%1").arg(round);
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode=WAL")));
            QVERIFY(q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS t (v INTEGER)")));
            QVERIFY(q.exec(QStringLiteral("INSERT INTO t VALUES (1)")));
            QVERIFY(QFileInfo(wal.path()).size() > 0);
            const auto synced = wal.sync();
            QVERIFY2(synced.ok(), qPrintable(synced ? QString() : synced.error().message));
            q.finish();
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
        QVERIFY(!QFileInfo::exists(wal.path()));
    }
}

QTEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
