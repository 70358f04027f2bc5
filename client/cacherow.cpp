#include "cacherow.h"

#include <QDataStream>
#include <QIODevice>

#include <iterator>
#include <limits>

namespace cb {

namespace {

constexpr quint8 packVersion = 1;

} // namespace

QString CacheStringPool::intern(const QString &value)
{
    if (value.isEmpty())
        return value;
    auto it = m_pool.constFind(value);
    if (it != m_pool.constEnd())
        return *it;
    m_pool.insert(value, value);
    return value;
}

QByteArray packCall(const Call &c)
{
    QByteArray bytes;
    bytes.reserve(512);
    QDataStream out(&bytes, QIODevice::WriteOnly);
    out.setVersion(QDataStream::Qt_6_4);
    auto time = [](const QDateTime &t) {
        return t.isValid() ? t.toMSecsSinceEpoch() : std::numeric_limits<qint64>::min();
    };
    const quint8 flags = (c.finalized ? RowFinalized : 0) | (c.voicemail ? RowVoicemail : 0) |
        (c.stale ? RowStale : 0) | (c.isTest ? RowIsTest : 0);
    const qint8 direction = c.direction ? qint8(*c.direction) : qint8(-1);
    const qint8 success = c.success ? qint8(*c.success) : qint8(-1);
    out << packVersion << c.id << c.orgId << quint8(c.provider) << c.providerCallId << c.agentId
        << c.providerAgentId << direction << c.toNumber << c.fromNumber << c.callerName
        << quint8(c.status) << c.rawStatus << c.endReason << flags << time(c.createdAt)
        << time(c.startedAt) << time(c.answeredAt) << time(c.endedAt) << bool(c.durationS)
        << c.durationS.value_or(0) << bool(c.costCents) << c.costCents.value_or(0) << c.currency
        << c.recordingUrl << c.summary << c.sentiment << success << c.metadata << time(c.updatedAt)
        << c.seq;
    return bytes;
}

Result<Call> unpackCall(const QByteArray &bytes, CacheStringPool *pool)
{
    const auto fail = [] {
        return Result<Call>::failure(QStringLiteral("cache_error"),
                                     QStringLiteral("a cached row cannot be read"));
    };
    CacheStringPool localPool;
    CacheStringPool &strings = pool ? *pool : localPool;
    QDataStream in(bytes);
    in.setVersion(QDataStream::Qt_6_4);
    quint8 version = 0;
    in >> version;
    if (version != packVersion)
        return fail();
    Call c;
    quint8 provider = 0, status = 0, flags = 0;
    qint8 direction = -1, success = -1;
    qint64 created, started, answered, ended, updated;
    bool hasDuration = false, hasCost = false;
    double duration = 0, cost = 0;
    QString orgId, agentId, providerAgentId, fromNumber, rawStatus, endReason, currency, sentiment;
    in >> c.id >> orgId >> provider >> c.providerCallId >> agentId >> providerAgentId >>
        direction >> c.toNumber >> fromNumber >> c.callerName >> status >> rawStatus >> endReason >>
        flags >> created >> started >> answered >> ended >> hasDuration >> duration >> hasCost >>
        cost >> currency >> c.recordingUrl >> c.summary >> sentiment >> success >> c.metadata >>
        updated >> c.seq;
    if (in.status() != QDataStream::Ok || provider > 2 || status >= std::size(allCallStatuses) ||
        c.id.isEmpty())
        return fail();
    auto time = [](qint64 ms) {
        return ms == std::numeric_limits<qint64>::min()
            ? QDateTime()
            : QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
    };
    c.orgId = strings.intern(orgId);
    c.provider = Provider(provider);
    c.agentId = strings.intern(agentId);
    c.providerAgentId = strings.intern(providerAgentId);
    if (direction >= 0 && direction <= 2)
        c.direction = Direction(direction);
    c.fromNumber = strings.intern(fromNumber);
    c.status = allCallStatuses[status];
    c.rawStatus = strings.intern(rawStatus);
    c.endReason = strings.intern(endReason);
    c.finalized = flags & RowFinalized;
    c.voicemail = flags & RowVoicemail;
    c.stale = flags & RowStale;
    c.isTest = flags & RowIsTest;
    c.createdAt = time(created);
    c.startedAt = time(started);
    c.answeredAt = time(answered);
    c.endedAt = time(ended);
    if (hasDuration)
        c.durationS = duration;
    if (hasCost)
        c.costCents = cost;
    c.currency = strings.intern(currency);
    c.sentiment = strings.intern(sentiment);
    if (success >= 0)
        c.success = success != 0;
    c.updatedAt = time(updated);
    return c;
}

} // namespace cb
