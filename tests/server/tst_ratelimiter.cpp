// RateLimiter: token buckets on an injected clock.
#include "server/ratelimiter.h"

#include <QTest>

using cb::RateLimiter;

class TestRateLimiter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void burstThenRefusedWithRetryAfter();
    void refillsAtTheRate();
    void keysAreIndependent();
    void slowRateRoundsRetryAfterUp();
    void offAllowsEverything();
    void idleKeysAreSwept();
    void keyCountStaysBounded();

private:
    qint64 m_now = 0;
    RateLimiter::Clock clock()
    {
        return [this] { return m_now; };
    }
};

void TestRateLimiter::burstThenRefusedWithRetryAfter()
{
    m_now = 1000;
    RateLimiter limiter(10, 20, clock());
    for (int i = 0; i < 20; ++i)
        QVERIFY2(limiter.take("a").allowed, qPrintable(QString::number(i)));
    const auto refused = limiter.take("a");
    QVERIFY(!refused.allowed);
    QCOMPARE(refused.retryAfterSeconds, 1);
}

void TestRateLimiter::refillsAtTheRate()
{
    m_now = 0;
    RateLimiter limiter(10, 20, clock());
    for (int i = 0; i < 20; ++i)
        QVERIFY(limiter.take("a").allowed);
    QVERIFY(!limiter.take("a").allowed);
    m_now += 99; // 0.99 of a token
    QVERIFY(!limiter.take("a").allowed);
    m_now += 1;
    QVERIFY(limiter.take("a").allowed);
    QVERIFY(!limiter.take("a").allowed);
    // A long pause refills to the burst, never beyond.
    m_now += 60000;
    for (int i = 0; i < 20; ++i)
        QVERIFY(limiter.take("a").allowed);
    QVERIFY(!limiter.take("a").allowed);
}

void TestRateLimiter::keysAreIndependent()
{
    m_now = 0;
    RateLimiter limiter(1, 2, clock());
    QVERIFY(limiter.take("a").allowed);
    QVERIFY(limiter.take("a").allowed);
    QVERIFY(!limiter.take("a").allowed);
    QVERIFY(limiter.take("b").allowed);
    QVERIFY(limiter.take("b").allowed);
    QVERIFY(!limiter.take("b").allowed);
}

void TestRateLimiter::slowRateRoundsRetryAfterUp()
{
    m_now = 0;
    RateLimiter limiter(0.1, 1, clock()); // one request per 10 s
    QVERIFY(limiter.take("a").allowed);
    auto refused = limiter.take("a");
    QVERIFY(!refused.allowed);
    QCOMPARE(refused.retryAfterSeconds, 10);
    m_now += 9500;
    refused = limiter.take("a");
    QVERIFY(!refused.allowed);
    QCOMPARE(refused.retryAfterSeconds, 1);
    m_now += 500;
    QVERIFY(limiter.take("a").allowed);
}

void TestRateLimiter::offAllowsEverything()
{
    RateLimiter limiter(0, 0, clock());
    QVERIFY(!limiter.isEnabled());
    for (int i = 0; i < 1000; ++i)
        QVERIFY(limiter.take("a").allowed);
    QCOMPARE(limiter.keyCount(), 0);
}

void TestRateLimiter::idleKeysAreSwept()
{
    m_now = 0;
    RateLimiter limiter(10, 20, clock());
    for (int i = 0; i < 100; ++i)
        QVERIFY(limiter.take(QByteArray::number(i)).allowed);
    QCOMPARE(limiter.keyCount(), 100);
    // Not yet refilled: a bucket that is still short of tokens stays.
    m_now += 50;
    limiter.sweep();
    QCOMPARE(limiter.keyCount(), 100);
    // Full buckets are the same as new ones and go; a later take() sweeps on its own.
    m_now += 20000;
    QVERIFY(limiter.take("fresh").allowed);
    QCOMPARE(limiter.keyCount(), 1);
}

void TestRateLimiter::keyCountStaysBounded()
{
    m_now = 0;
    RateLimiter limiter(1, 10, clock(), 1000);
    for (int i = 0; i < 20000; ++i) {
        m_now += 1; // every key still active: none can be swept as idle
        QVERIFY(limiter.take("k" + QByteArray::number(i)).allowed);
        QVERIFY(limiter.keyCount() <= 1000);
    }
    // The most recent keys keep their state.
    for (int i = 0; i < 9; ++i)
        QVERIFY(limiter.take("k19999").allowed);
    QVERIFY(!limiter.take("k19999").allowed);
}

QTEST_GUILESS_MAIN(TestRateLimiter)
#include "tst_ratelimiter.moc"
