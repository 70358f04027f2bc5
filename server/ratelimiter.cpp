#include "ratelimiter.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace cb {

namespace {

/// How often idle buckets are looked for.
constexpr qint64 sweepIntervalMs = 10000;

} // namespace

RateLimiter::RateLimiter(double ratePerSecond, double burst, Clock clock, qsizetype maxKeys)
    : m_rate(std::max(0.0, ratePerSecond))
    , m_burst(std::max(1.0, burst))
    , m_clock(std::move(clock))
    , m_maxKeys(std::max<qsizetype>(2, maxKeys))
{
    m_elapsed.start();
    m_lastSweepMs = now();
}

qint64 RateLimiter::now() const
{
    return m_clock ? m_clock() : m_elapsed.elapsed();
}

RateLimiter::Decision RateLimiter::take(const QByteArray &key)
{
    if (m_rate <= 0)
        return {};
    const qint64 nowMs = now();
    if (nowMs - m_lastSweepMs >= sweepIntervalMs)
        sweep();

    auto it = m_buckets.find(key);
    if (it == m_buckets.end()) {
        if (m_buckets.size() >= m_maxKeys)
            shrink();
        it = m_buckets.insert(key, Bucket{m_burst, nowMs});
    } else if (nowMs > it->updatedMs) {
        it->tokens =
            std::min(m_burst, it->tokens + double(nowMs - it->updatedMs) * m_rate / 1000.0);
        it->updatedMs = nowMs;
    }
    if (it->tokens >= 1.0) {
        it->tokens -= 1.0;
        return {};
    }
    const double waitSeconds = (1.0 - it->tokens) / m_rate;
    return Decision{false, std::max(1, int(std::ceil(waitSeconds)))};
}

void RateLimiter::sweep()
{
    const qint64 nowMs = now();
    m_lastSweepMs = nowMs;
    const double refillMs = m_rate > 0 ? m_burst * 1000.0 / m_rate : 0.0;
    for (auto it = m_buckets.begin(); it != m_buckets.end();) {
        const double idleMs = double(nowMs - it->updatedMs);
        if (it->tokens + idleMs * m_rate / 1000.0 >= m_burst || idleMs >= refillMs)
            it = m_buckets.erase(it);
        else
            ++it;
    }
}

void RateLimiter::shrink()
{
    sweep();
    if (m_buckets.size() < m_maxKeys)
        return;
    // Still full of active keys: forget the least recently used half in one pass, so that
    // a flood of new keys costs amortized O(1) each.
    std::vector<qint64> times;
    times.reserve(size_t(m_buckets.size()));
    for (const Bucket &bucket : std::as_const(m_buckets))
        times.push_back(bucket.updatedMs);
    auto middle = times.begin() + qsizetype(times.size() / 2);
    std::nth_element(times.begin(), middle, times.end());
    const qint64 cutoff = *middle;
    for (auto it = m_buckets.begin(); it != m_buckets.end();) {
        if (it->updatedMs <= cutoff)
            it = m_buckets.erase(it);
        else
            ++it;
    }
}

} // namespace cb
