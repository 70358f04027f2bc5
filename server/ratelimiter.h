#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>

#include <functional>

namespace cb {

/// Token buckets keyed by a string (a client address, a session): each key may spend
/// `burst` requests at once and regains `ratePerSecond` of them per second.
///
/// Memory stays bounded: a bucket that has refilled completely behaves exactly like a
/// fresh one, so such idle keys are dropped on a periodic sweep; beyond maxKeys the least
/// recently used half is dropped (which can only make the limiter more lenient, never
/// refuse a request it would otherwise allow). Not thread-safe: one per thread.
class RateLimiter
{
public:
    /// Milliseconds on a monotonic clock; injected by unit tests.
    using Clock = std::function<qint64()>;

    struct Decision
    {
        bool allowed = true;
        /// When refused: whole seconds until a request would be allowed again (≥ 1).
        int retryAfterSeconds = 0;
    };

    /// @p ratePerSecond ≤ 0 turns the limiter off (every request is allowed). A @p burst
    /// below 1 is raised to 1.
    explicit RateLimiter(double ratePerSecond = 0, double burst = 0, Clock clock = {},
                         qsizetype maxKeys = 100000);

    bool isEnabled() const { return m_rate > 0; }
    double rate() const { return m_rate; }
    double burst() const { return m_burst; }

    /// Takes one token from @p key's bucket, or says how long to wait.
    Decision take(const QByteArray &key);

    /// Keys currently held.
    qsizetype keyCount() const { return m_buckets.size(); }
    /// Drops every bucket that has refilled completely.
    void sweep();

private:
    struct Bucket
    {
        double tokens = 0;
        qint64 updatedMs = 0;
    };

    qint64 now() const;
    void shrink();

    double m_rate = 0;
    double m_burst = 1;
    Clock m_clock;
    QElapsedTimer m_elapsed;
    qsizetype m_maxKeys;
    qint64 m_lastSweepMs = 0;
    QHash<QByteArray, Bucket> m_buckets;
};

} // namespace cb
