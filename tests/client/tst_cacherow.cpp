#include "client/cacherow.h"

#include <QDir>
#include <QFile>
#include <QTest>
#include <QTimeZone>

using namespace cb;

/// The local cache's row format: a call survives the round trip field for field, rows
/// written by this version (tests/data/cacherow) still read, and damaged rows fail cleanly.
class TestCacheRow : public QObject
{
    Q_OBJECT

private:
    static QByteArray seed(const char *name)
    {
        QFile file(QStringLiteral(CALLBOARD_TEST_DATA "/cacherow/") + QLatin1StringView(name));
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

private Q_SLOTS:
    void roundTrip()
    {
        Call call;
        call.id = QStringLiteral("c_1");
        call.orgId = QStringLiteral("org_acme");
        call.provider = Provider::Retell;
        call.providerCallId = QStringLiteral("r_9");
        call.agentId = QStringLiteral("agent_1");
        call.direction = Direction::Web;
        call.toNumber = QStringLiteral("+14155550123");
        call.callerName = QStringLiteral("Ada Lovelace");
        call.status = CallStatus::Canceled;
        call.rawStatus = QStringLiteral("canceled");
        call.voicemail = true;
        call.isTest = true;
        call.createdAt = QDateTime::fromMSecsSinceEpoch(1769606270123, QTimeZone::utc());
        call.endedAt = call.createdAt.addSecs(30);
        call.durationS = 0.5;
        call.success = false;
        call.metadata = R"({"a":1})";
        call.updatedAt = call.endedAt;
        call.seq = 77;
        const auto back = unpackCall(packCall(call));
        QVERIFY(back.ok());
        QCOMPARE(*back, call);
    }

    void readsRowsOfThisVersion()
    {
        const auto ended = unpackCall(seed("ended.bin"));
        QVERIFY(ended.ok());
        QCOMPARE(ended->id, QStringLiteral("c_1"));
        QCOMPARE(ended->provider, Provider::Vapi);
        QCOMPARE(ended->status, CallStatus::Completed);
        QCOMPARE(ended->direction, Direction::Outbound);
        QVERIFY(ended->finalized);
        QCOMPARE(ended->durationS, 57.0);
        QCOMPARE(ended->costCents, 12.5);
        QCOMPARE(ended->success, true);
        QCOMPARE(ended->endedAt.toMSecsSinceEpoch(), 1769606330000);
        QCOMPARE(ended->seq, 42);

        const auto ringing = unpackCall(seed("ringing.bin"));
        QVERIFY(ringing.ok());
        QCOMPARE(ringing->status, CallStatus::Ringing);
        QVERIFY(ringing->isTest);
        QVERIFY(!ringing->startedAt.isValid());
        QVERIFY(!ringing->durationS);
        QVERIFY(!ringing->success);

        const auto pending = unpackCall(seed("pending.bin"));
        QVERIFY(pending.ok());
        QVERIFY(!pending->direction);
        QVERIFY(pending->stale);
    }

    void sharesRepeatedStrings()
    {
        CacheStringPool pool;
        const auto a = unpackCall(seed("ended.bin"), &pool);
        const auto b = unpackCall(seed("ringing.bin"), &pool);
        QVERIFY(a.ok() && b.ok());
        QVERIFY(a->orgId.isSharedWith(b->orgId));
    }

    void refusesDamagedRows()
    {
        const QByteArray row = seed("ended.bin");
        QVERIFY(!row.isEmpty());
        for (qsizetype size = 0; size < row.size(); ++size)
            QVERIFY2(!unpackCall(row.first(size)).ok(), qPrintable(QString::number(size)));
        QByteArray otherVersion = row;
        otherVersion[0] = 2;
        QCOMPARE(unpackCall(otherVersion).error().code, QStringLiteral("cache_error"));
        // A status past the known ones. With only an id set, the status byte follows the
        // version, the id "x", a null org, the provider, three null strings, the direction
        // and three null strings.
        Call probe;
        probe.id = QStringLiteral("x");
        probe.status = CallStatus::Canceled;
        QByteArray bytes = packCall(probe);
        constexpr qsizetype statusAt = 1 + 6 + 4 + 1 + 4 + 4 + 4 + 1 + 4 + 4 + 4;
        QCOMPARE(quint8(bytes.at(statusAt)), quint8(CallStatus::Canceled));
        bytes[statusAt] = char(200);
        QVERIFY(!unpackCall(bytes).ok());
    }
};

QTEST_GUILESS_MAIN(TestCacheRow)
#include "tst_cacherow.moc"
