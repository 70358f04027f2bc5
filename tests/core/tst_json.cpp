#include "core/json.h"

#include <QTest>
#include <QTimeZone>

using namespace cb;

class TestJson : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void callRoundTrip()
    {
        Call c;
        c.id = QStringLiteral("c-1");
        c.orgId = QStringLiteral("org-1");
        c.provider = Provider::Retell;
        c.providerCallId = QStringLiteral("Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6");
        c.direction = Direction::Outbound;
        c.toNumber = QStringLiteral("+14155550100");
        c.status = CallStatus::NoAnswer;
        c.voicemail = true;
        c.createdAt = QDateTime::fromMSecsSinceEpoch(1769606270116, QTimeZone::utc());
        c.durationS = 12.5;
        c.costCents = 31;
        c.success = false;
        c.metadata = R"({"org_id":"org-1"})";
        c.transcript = QStringLiteral("agent: hi");
        c.seq = 42;

        const Json withTranscript = toJson(c, true);
        QVERIFY(withTranscript.at("status") == "no_answer");
        QVERIFY(withTranscript.at("created_at") == "2026-01-28T13:17:50.116Z");
        auto back = callFromJson(withTranscript);
        QVERIFY(back.ok());
        QCOMPARE(*back, c);

        const Json pushed = toJson(c);
        QVERIFY(!pushed.contains("transcript"));
    }

    void rejectsBadCalls()
    {
        QVERIFY(!callFromJson(Json::array()).ok());
        QVERIFY(!callFromJson(Json{{"id", "x"}, {"provider", "skype"}, {"status", "queued"}}).ok());
        QVERIFY(!callFromJson(Json{{"id", 5}, {"provider", "vapi"}, {"status", "queued"}}).ok());
        auto wrongTypes = callFromJson(Json{{"id", "x"}, {"provider", "vapi"}, {"status", "queued"},
                                            {"duration_s", "long"}, {"seq", "seven"}, {"created_at", true}});
        QVERIFY(wrongTypes.ok());
        QVERIFY(!wrongTypes->durationS);
        QCOMPARE(wrongTypes->seq, 0);
    }

    void times_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("epochMs");
        QTest::newRow("zulu") << QStringLiteral("2026-01-28T13:17:50.116Z") << qint64(1769606270116);
        QTest::newRow("no zone, micros") << QStringLiteral("2026-01-28T13:17:50.116924") << qint64(1769606270116);
        QTest::newRow("offset") << QStringLiteral("2026-01-28T18:47:50.116+05:30") << qint64(1769606270116);
        QTest::newRow("seconds") << QStringLiteral("2026-01-28T13:17:50Z") << qint64(1769606270000);
        QTest::newRow("garbage") << QStringLiteral("yesterday") << qint64(-1);
    }
    void times()
    {
        QFETCH(QString, text);
        QFETCH(qint64, epochMs);
        const QDateTime t = parseIsoTime(text);
        if (epochMs < 0)
            QVERIFY(!t.isValid());
        else
            QCOMPARE(t.toMSecsSinceEpoch(), epochMs);
    }

    void metricsRoundTrip()
    {
        Metrics m;
        m.orgId = QStringLiteral("o");
        m.at = QDateTime::fromMSecsSinceEpoch(1769606270000, QTimeZone::utc());
        countOf(m.totals, CallStatus::Completed) = 3;
        m.perMinute.append({m.at, {}});
        countOf(m.perMinute[0].counts, CallStatus::Busy) = 1;
        m.answerRate = 0.75;
        auto back = metricsFromJson(toJson(m));
        QVERIFY(back.ok());
        QCOMPARE(*back, m);
    }
};

QTEST_GUILESS_MAIN(TestJson)
#include "tst_json.moc"
