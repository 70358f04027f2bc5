#include "core/callmerge.h"

#include <QTest>
#include <QTimeZone>

using namespace cb;

namespace {

NormalizedEvent makeEvent(CallStatus status, int precedence, const QString &key)
{
    NormalizedEvent e;
    e.provider = Provider::Bolna;
    e.providerCallId = QStringLiteral("exec-1");
    e.dedupKey = key;
    e.status = status;
    e.precedence = precedence;
    e.rawStatus = key;
    return e;
}

QDateTime at(int minute)
{
    return QDateTime(QDate(2026, 1, 28), QTime(13, minute), QTimeZone::utc());
}

} // namespace

class TestCallMerge : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void statusOnlyRises()
    {
        CallRecord r;
        r = apply(r, makeEvent(CallStatus::InProgress, precedenceOf(CallStatus::InProgress), QStringLiteral("in-progress")));
        r = apply(r, makeEvent(CallStatus::Ringing, precedenceOf(CallStatus::Ringing), QStringLiteral("ringing")));
        QCOMPARE(r.call.status, CallStatus::InProgress);
        QCOMPARE(r.call.rawStatus, QStringLiteral("in-progress"));
    }

    void terminalChangesOnlyByFinalReport()
    {
        CallRecord r;
        r = apply(r, makeEvent(CallStatus::Completed, precedenceOf(CallStatus::Completed), QStringLiteral("ended")));
        auto op = makeEvent(CallStatus::Failed, precedenceOf(CallStatus::Failed, Phase::Operator), QStringLiteral("op"));
        auto late = makeEvent(CallStatus::InProgress, precedenceOf(CallStatus::InProgress), QStringLiteral("late"));
        r = apply(r, late);
        QCOMPARE(r.call.status, CallStatus::Completed);

        auto final = makeEvent(CallStatus::NoAnswer, precedenceOf(CallStatus::NoAnswer, Phase::Analyzed),
                           QStringLiteral("completed"));
        final.finalReport = true;
        final.finalizes = true;
        r = apply(r, final);
        QCOMPARE(r.call.status, CallStatus::NoAnswer);
        QVERIFY(r.call.finalized);
        r = apply(r, op);
        QCOMPARE(r.call.status, CallStatus::NoAnswer);
    }

    void fieldsNeverNullOut()
    {
        CallRecord r;
        auto a = makeEvent(CallStatus::InProgress, precedenceOf(CallStatus::InProgress), QStringLiteral("a"));
        a.transcript = QStringLiteral("assistant: hello");
        a.recordingUrl = QStringLiteral("https://rec/1.mp3");
        r = apply(r, a);
        auto b = makeEvent(CallStatus::Completed, precedenceOf(CallStatus::Completed), QStringLiteral("b"));
        r = apply(r, b);
        QCOMPARE(r.call.transcript, QStringLiteral("assistant: hello"));
        QCOMPARE(r.call.recordingUrl, QStringLiteral("https://rec/1.mp3"));
    }

    void endedAtNeverMovesLaterAndDurationNeverShrinks()
    {
        CallRecord r;
        auto a = makeEvent(CallStatus::Completed, precedenceOf(CallStatus::Completed), QStringLiteral("a"));
        a.endedAt = at(19);
        a.durationS = 69;
        r = apply(r, a);
        auto late = makeEvent(CallStatus::Completed, precedenceOf(CallStatus::Completed, Phase::Analyzed), QStringLiteral("b"));
        late.endedAt = at(28);
        late.durationS = 12;
        r = apply(r, late);
        QCOMPARE(r.call.endedAt, at(19));
        QCOMPARE(r.call.durationS, std::optional<double>(69));
    }

    void orderDoesNotMatter()
    {
        auto a = makeEvent(CallStatus::InProgress, precedenceOf(CallStatus::InProgress), QStringLiteral("a"));
        a.summary = QStringLiteral("early");
        auto b = makeEvent(CallStatus::Completed, precedenceOf(CallStatus::Completed), QStringLiteral("b"));
        auto c = makeEvent(CallStatus::Completed, precedenceOf(CallStatus::Completed, Phase::Analyzed), QStringLiteral("c"));
        c.summary = QStringLiteral("final");
        const QList<QList<NormalizedEvent>> orders = {{a, b, c}, {c, b, a}, {b, a, c}, {a, c, b}, {c, a, b, a, c}};
        CallRecord expected;
        for (const auto &e : orders.first())
            expected = apply(expected, e);
        QCOMPARE(expected.call.summary, QStringLiteral("final"));
        for (const auto &order : orders) {
            CallRecord r;
            for (const auto &e : order)
                r = apply(r, e);
            QCOMPARE(r, expected);
        }
    }

    void ignoredEventsChangeNothing()
    {
        CallRecord r;
        auto e = makeEvent(CallStatus::Failed, 49, QStringLiteral("x"));
        e.ignored = true;
        QCOMPARE(apply(r, e), r);
    }

    void mergeStateRoundTrips()
    {
        MergeState s;
        s.precedence[MergeState::Summary] = 45;
        QCOMPARE(MergeState::fromString(s.toString()), s);
        QCOMPARE(MergeState::fromString(u"garbage,,9999"), MergeState());
    }
};

QTEST_GUILESS_MAIN(TestCallMerge)
#include "tst_callmerge.moc"
