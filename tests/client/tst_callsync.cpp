#include "client/apiclient.h"
#include "client/callsync.h"
#include "client/localcache.h"

#include "fakenetwork.h"

#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

using namespace cb;
using namespace cb::test;

namespace {

/// The server's side of seq bookkeeping, answering `GET …/calls` like DESIGN §3 says.
struct FakeServer
{
    QMap<QString, Call> calls;
    QMap<QString, qint64> deleted;
    qint64 seq = 0;
    int requests = 0;
    int pageSize = 1000;

    Call change(const QString &id, CallStatus status)
    {
        Call c = calls.value(id);
        c.id = id;
        c.orgId = QStringLiteral("o1");
        c.provider = Provider::Vapi;
        c.status = status;
        c.createdAt =
            QDateTime::fromMSecsSinceEpoch(1769606270000 + id.mid(1).toLongLong() * 1000, Qt::UTC);
        c.seq = ++seq;
        calls.insert(id, c);
        return c;
    }
    qint64 remove(const QString &id)
    {
        calls.remove(id);
        deleted.insert(id, ++seq);
        return seq;
    }

    CannedReply answer(const RecordedRequest &request)
    {
        ++requests;
        const QUrlQuery query(request.url);
        Json list = Json::array();
        Json gone = Json::array();
        if (query.hasQueryItem(QStringLiteral("since_seq"))) {
            const qint64 since = query.queryItemValue(QStringLiteral("since_seq")).toLongLong();
            for (const Call &c : std::as_const(calls)) {
                if (c.seq > since)
                    list.push_back(toJson(c));
            }
            for (auto it = deleted.cbegin(); it != deleted.cend(); ++it) {
                if (it.value() > since)
                    gone.push_back(Json{{"call_id", it.key()}, {"seq", it.value()}});
            }
            return {200, toBytes(Json{{"calls", list}, {"deleted", gone}, {"last_seq", seq}})};
        }
        const int offset = query.queryItemValue(QStringLiteral("cursor")).toInt();
        int index = 0;
        for (const Call &c : std::as_const(calls)) {
            if (index >= offset && index < offset + pageSize)
                list.push_back(toJson(c));
            ++index;
        }
        const bool more = offset + pageSize < calls.size();
        return {200,
                toBytes(Json{
                    {"calls", list},
                    {"next_cursor", more ? Json(std::to_string(offset + pageSize)) : Json(nullptr)},
                    {"last_seq", seq}})};
    }
};

} // namespace

class TestCallSync : public QObject
{
    Q_OBJECT

    FakeNetwork *m_network = nullptr;
    ApiClient *m_api = nullptr;
    FakeServer m_server;

    static QStringList sortedIds(const QHash<QString, Call> &calls)
    {
        QStringList ids = calls.keys();
        ids.sort();
        return ids;
    }

private Q_SLOTS:
    void init()
    {
        m_server = {};
        m_network = new FakeNetwork;
        m_network->handler = [this](const RecordedRequest &r) { return m_server.answer(r); };
        m_api = new ApiClient(m_network);
        m_api->setBaseUrl(QUrl(QStringLiteral("http://127.0.0.1:1")));
    }
    void cleanup()
    {
        delete m_api;
        delete m_network;
    }

    void joinLoadsSnapshotThenAppliesNewerEventsOnly()
    {
        for (int i = 1; i <= 5; ++i)
            m_server.change(QStringLiteral("c%1").arg(i), CallStatus::Initiated);
        m_server.pageSize = 2; // three pages
        CallSync sync(m_api);
        QSignalSpy reset(&sync, &CallSync::callsReset);
        QSignalSpy changed(&sync, &CallSync::callsChanged);
        QSignalSpy finished(&sync, &CallSync::resyncFinished);
        sync.setOrg(QStringLiteral("o1"));
        sync.onJoined(QStringLiteral("o1"), m_server.seq);
        QTRY_COMPARE(sync.calls().size(), 5);
        QTRY_VERIFY(!sync.isResyncing() && finished.count() >= 2); // snapshot, then since_seq
        QCOMPARE(reset.count(), 2); // the org switch, then the snapshot
        QCOMPARE(reset.last().at(0).value<QList<Call>>().size(), 5);
        QCOMPARE(sync.lastSeq(), 5);

        // In order: applied. A replay of an older seq: ignored.
        const Call c2 = m_server.change(QStringLiteral("c2"), CallStatus::Ringing);
        sync.onCallUpserted(QStringLiteral("o1"), c2.seq, c2);
        Call stale = c2;
        stale.status = CallStatus::Initiated;
        sync.onCallUpserted(QStringLiteral("o1"), 2, stale);
        sync.onCallUpserted(QStringLiteral("o1"), c2.seq, c2);
        QCOMPARE(sync.calls().value(QStringLiteral("c2")).status, CallStatus::Ringing);
        QCOMPARE(sync.stats().duplicatesIgnored, 2);
        QCOMPARE(sync.stats().eventsApplied, 1);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(sync.lastSeq(), 6);
        // Another org's events never land here.
        sync.onCallUpserted(QStringLiteral("o2"), 7, c2);
        QCOMPARE(sync.stats().eventsApplied, 1);
    }

    void gapTriggersSinceSeqResync()
    {
        for (int i = 1; i <= 3; ++i)
            m_server.change(QStringLiteral("c%1").arg(i), CallStatus::Initiated);
        CallSync sync(m_api);
        sync.setOrg(QStringLiteral("o1"));
        sync.onJoined(QStringLiteral("o1"), m_server.seq);
        QTRY_VERIFY(!sync.isResyncing() && sync.lastSeq() == 3);
        m_network->requests.clear();

        // seq 4 and 5 are lost; 6 arrives.
        m_server.change(QStringLiteral("c1"), CallStatus::Ringing);
        const qint64 goneSeq = m_server.remove(QStringLiteral("c3"));
        QCOMPARE(goneSeq, 5);
        const Call c4 = m_server.change(QStringLiteral("c4"), CallStatus::Queued);
        sync.onCallUpserted(QStringLiteral("o1"), c4.seq, c4);
        QVERIFY(sync.calls().contains(QStringLiteral("c4"))); // shown at once
        QCOMPARE(sync.stats().gapsDetected, 1);
        QTRY_COMPARE(sync.stats().gapsHealed, 1);
        QTRY_VERIFY(!sync.isResyncing());
        QCOMPARE(m_network->requests.size(), 1);
        QCOMPARE(
            QUrlQuery(m_network->requests.first().url).queryItemValue(QStringLiteral("since_seq")),
            QStringLiteral("3"));
        QCOMPARE(sync.calls().value(QStringLiteral("c1")).status, CallStatus::Ringing);
        QVERIFY(!sync.calls().contains(QStringLiteral("c3")));
        QCOMPARE(sync.lastSeq(), 6);
        QCOMPARE(sortedIds(sync.calls()),
                 (QStringList{QStringLiteral("c1"), QStringLiteral("c2"), QStringLiteral("c4")}));
    }

    void eventsDuringResyncAreHeldThenApplied()
    {
        m_server.change(QStringLiteral("c1"), CallStatus::Initiated);
        CallSync sync(m_api);
        sync.setOrg(QStringLiteral("o1"));
        sync.onJoined(QStringLiteral("o1"), 1);
        QVERIFY(sync.isResyncing());
        // Arrives while the snapshot request is in flight; the snapshot (read later) has seq 1
        // only.
        const Call c1 = m_server.calls.value(QStringLiteral("c1"));
        sync.onCallUpserted(QStringLiteral("o1"), 1, c1); // duplicate of the snapshot
        QTRY_VERIFY(!sync.isResyncing() && sync.lastSeq() == 1);
        QCOMPARE(sync.stats().duplicatesIgnored, 1);
        QCOMPARE(sync.stats().gapsDetected, 0);
    }

    void reconnectAlwaysResyncsAndServerResetForcesFull()
    {
        m_server.change(QStringLiteral("c1"), CallStatus::Initiated);
        CallSync sync(m_api);
        QSignalSpy reset(&sync, &CallSync::callsReset);
        sync.setOrg(QStringLiteral("o1"));
        sync.onJoined(QStringLiteral("o1"), 1);
        QTRY_VERIFY(!sync.isResyncing() && sync.lastSeq() == 1);
        sync.onDisconnected();
        m_server.change(QStringLiteral("c2"), CallStatus::Initiated); // missed while away
        m_network->requests.clear();
        sync.onJoined(QStringLiteral("o1"), m_server.seq);
        QTRY_VERIFY(!sync.isResyncing() && sync.calls().size() == 2);
        QCOMPARE(
            QUrlQuery(m_network->requests.first().url).queryItemValue(QStringLiteral("since_seq")),
            QStringLiteral("1"));
        const int resets = int(reset.count());

        // A server whose counter is behind ours is another database: start over.
        m_server = {};
        m_server.change(QStringLiteral("c9"), CallStatus::Initiated);
        sync.onJoined(QStringLiteral("o1"), 1);
        QTRY_VERIFY(!sync.isResyncing() && sync.stats().fullResyncs == 2);
        QTRY_COMPARE(sortedIds(sync.calls()), QStringList{QStringLiteral("c9")});
        QCOMPARE(reset.count(), resets + 1);
    }

    void cacheShowsCallsFirstAndKeepsChanges()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("sub/o1.sqlite"));
        for (int i = 1; i <= 3; ++i)
            m_server.change(QStringLiteral("c%1").arg(i), CallStatus::Initiated);
        {
            LocalCache cache(path);
            QVERIFY(cache.open().ok());
            cache.setBatchInterval(5);
            CallSync sync(m_api);
            sync.setOrg(QStringLiteral("o1"), &cache);
            sync.onJoined(QStringLiteral("o1"), m_server.seq);
            QTRY_VERIFY(!sync.isResyncing() && sync.lastSeq() == 3);
            const Call c2 = m_server.change(QStringLiteral("c2"), CallStatus::Completed);
            sync.onCallUpserted(QStringLiteral("o1"), c2.seq, c2);
            QVERIFY(cache.flush().ok());
        }
        // Next start: the cache answers before any request.
        m_network->requests.clear();
        LocalCache cache(path);
        QVERIFY(cache.open().ok());
        CallSync sync(m_api);
        QSignalSpy reset(&sync, &CallSync::callsReset);
        sync.setOrg(QStringLiteral("o1"), &cache);
        QTRY_COMPARE(reset.count(), 2);
        QCOMPARE(reset.last().at(0).value<QList<Call>>().size(), 3);
        QCOMPARE(sync.lastSeq(), 4);
        QCOMPARE(sync.calls().value(QStringLiteral("c2")).status, CallStatus::Completed);
        QCOMPARE(m_network->requests.size(), 0);
        sync.onJoined(QStringLiteral("o1"), m_server.seq);
        QTRY_VERIFY(!sync.isResyncing());
        QCOMPARE(
            QUrlQuery(m_network->requests.first().url).queryItemValue(QStringLiteral("since_seq")),
            QStringLiteral("4"));
    }

    void cacheRoundTripsEveryField()
    {
        QTemporaryDir dir;
        Call c;
        c.id = QStringLiteral("x");
        c.orgId = QStringLiteral("o1");
        c.provider = Provider::Retell;
        c.providerCallId = QStringLiteral("p");
        c.agentId = QStringLiteral("a");
        c.providerAgentId = QStringLiteral("pa");
        c.direction = Direction::Web;
        c.toNumber = QStringLiteral("+1");
        c.fromNumber = QStringLiteral("+2");
        c.callerName = QStringLiteral("Ada");
        c.status = CallStatus::NoAnswer;
        c.rawStatus = QStringLiteral("dial_no_answer");
        c.endReason = QStringLiteral("no-answer");
        c.voicemail = true;
        c.isTest = true;
        c.createdAt = QDateTime::fromMSecsSinceEpoch(1769606270116, Qt::UTC);
        c.endedAt = QDateTime::fromMSecsSinceEpoch(1769606290116, Qt::UTC);
        c.durationS = 12.5;
        c.costCents = 3;
        c.currency = QStringLiteral("USD");
        c.summary = QStringLiteral("nobody");
        c.success = false;
        c.metadata = R"({"k":1})";
        c.seq = 9;
        Call d = c;
        d.id = QStringLiteral("y");
        {
            LocalCache cache(dir.filePath(QStringLiteral("c.sqlite")));
            QVERIFY(cache.open().ok());
            cache.store({c, d}, {}, 9);
            cache.store({}, {QStringLiteral("y")}, 10);
            QVERIFY(cache.flush().ok());
        }
        LocalCache cache(dir.filePath(QStringLiteral("c.sqlite")));
        QVERIFY(cache.open().ok());
        auto contents = cache.loadNow();
        QVERIFY(contents.ok());
        QCOMPARE(contents->lastSeq, 10);
        QCOMPARE(contents->calls.size(), 1);
        QCOMPARE(contents->calls.first(), c);
    }

    void newerSchemaIsRebuilt()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("c.sqlite"));
        {
            LocalCache cache(path);
            QVERIFY(cache.open().ok());
        }
        {
            // Simulate a file written by a future version.
            QSqlDatabase db =
                QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("future"));
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery(db).exec(QStringLiteral("PRAGMA user_version=99"));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("future"));
        LocalCache cache(path);
        QVERIFY(cache.open().ok());
        QVERIFY(cache.loadNow().ok());
    }

    void defaultPathIsPerServerAndOrg()
    {
        QStandardPaths::setTestModeEnabled(true);
        const QString a = LocalCache::defaultPath(QUrl(QStringLiteral("https://cb.example:8443")),
                                                  QStringLiteral("org-1"));
        const QString b = LocalCache::defaultPath(QUrl(QStringLiteral("https://cb.example:8443")),
                                                  QStringLiteral("../evil"));
        QVERIFY(a.endsWith(QStringLiteral("/cache/cb.example_8443/org-1.sqlite")));
        QVERIFY(!b.contains(QStringLiteral("..")));
    }
};

QTEST_GUILESS_MAIN(TestCallSync)
#include "tst_callsync.moc"
