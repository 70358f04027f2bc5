#pragma once

#include "core/call.h"

#include <QDateTime>
#include <QTimeZone>

namespace cb::test {

inline QDateTime at(int minute)
{
    return QDateTime::fromMSecsSinceEpoch(1769606270000 + qint64(minute) * 60000, Qt::UTC);
}

inline Call makeCall(const QString &id, int minute, CallStatus status = CallStatus::Initiated,
                     qint64 seq = 1)
{
    Call call;
    call.id = id;
    call.orgId = QStringLiteral("org-1");
    call.provider = Provider::Vapi;
    call.providerCallId = QStringLiteral("p-") + id;
    call.agentId = QStringLiteral("agent-1");
    call.direction = Direction::Outbound;
    call.toNumber = QStringLiteral("+1415555%1").arg(minute % 10000, 4, 10, QChar(u'0'));
    call.fromNumber = QStringLiteral("+14150000000");
    call.status = status;
    call.createdAt = at(minute);
    call.updatedAt = at(minute);
    call.seq = seq;
    return call;
}

} // namespace cb::test
