#pragma once

#include "core/call.h"

#include <QDateTime>
#include <QFile>
#include <QRandomGenerator>

#include <malloc.h>

namespace cb::bench {

/// A realistic call: outbound or inbound, a few agents, a short summary on finished calls.
inline Call syntheticCall(int i, QRandomGenerator &random)
{
    static const CallStatus finals[] = {CallStatus::Completed, CallStatus::Completed,
                                        CallStatus::Completed, CallStatus::NoAnswer,
                                        CallStatus::Busy,      CallStatus::Failed};
    Call c;
    c.id = QStringLiteral("3f1c2a7e-%1-4c1b-9a55-%2")
               .arg(i, 8, 16, QChar(u'0'))
               .arg(i * 7919, 12, 16, QChar(u'0'));
    c.orgId = QStringLiteral("org-demo");
    c.provider = Provider(i % 3);
    c.providerCallId = QStringLiteral("pc_%1").arg(i * 104729, 16, 16, QChar(u'0'));
    c.agentId = QStringLiteral("agent-%1").arg(i % 8);
    c.providerAgentId = QStringLiteral("prov-agent-%1").arg(i % 8);
    c.direction = i % 4 == 0 ? Direction::Inbound : Direction::Outbound;
    c.toNumber = QStringLiteral("+1415%1").arg(5550000 + i % 9999999);
    c.fromNumber = QStringLiteral("+14150000%1").arg(i % 8, 3, 10, QChar(u'0'));
    c.callerName = i % 5 == 0 ? QStringLiteral("Customer %1").arg(i % 5000) : QString();
    c.status = i % 50 == 0 ? CallStatus::InProgress : finals[random.bounded(6)];
    c.rawStatus = wireName(c.status);
    c.endReason = isTerminal(c.status) ? QStringLiteral("customer-ended-call") : QString();
    c.finalized = isTerminal(c.status);
    c.isTest = i % 20 == 0;
    c.createdAt = QDateTime::fromMSecsSinceEpoch(1769606270000 + qint64(i) * 15000, Qt::UTC);
    c.startedAt = c.createdAt.addSecs(2);
    c.endedAt = isTerminal(c.status) ? c.createdAt.addSecs(60 + i % 300) : QDateTime();
    c.durationS = isTerminal(c.status) ? std::optional<double>(58 + i % 300) : std::nullopt;
    c.costCents = c.durationS ? std::optional<double>(*c.durationS * 0.12) : std::nullopt;
    c.currency = QStringLiteral("USD");
    c.summary = c.status == CallStatus::Completed
        ? QStringLiteral("Customer confirmed the appointment.")
        : QString();
    c.updatedAt = c.endedAt.isValid() ? c.endedAt : c.createdAt;
    c.seq = i + 1;
    return c;
}

inline qint64 rssBytes()
{
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.size() > 1 ? fields.at(1).toLongLong() * 4096 : 0;
}

inline qint64 heapInUse()
{
    return qint64(mallinfo2().uordblks);
}

} // namespace cb::bench
