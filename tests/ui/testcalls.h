#pragma once

#include "core/call.h"

#include <QDateTime>
#include <QHash>
#include <QTimeZone>

namespace cbtest {

inline cb::Call makeCall(const QString &id, cb::CallStatus status, int minutesAgo,
                         bool isTest = false, cb::Provider provider = cb::Provider::Vapi)
{
    static const QDateTime base = QDateTime(QDate(2026, 11, 21), QTime(12, 0), QTimeZone::utc());
    cb::Call call;
    call.id = id;
    call.orgId = QStringLiteral("org-1");
    call.provider = provider;
    call.providerCallId = QStringLiteral("p-") + id;
    call.agentId = QStringLiteral("agent-1");
    call.direction = cb::Direction::Outbound;
    call.toNumber =
        QStringLiteral("+1415555%1").arg(uint(qHash(id) % 10000), 4, 10, QLatin1Char('0'));
    call.fromNumber = QStringLiteral("+14155550100");
    call.status = status;
    call.isTest = isTest;
    call.createdAt = base.addSecs(-60 * minutesAgo);
    call.updatedAt = call.createdAt;
    call.seq = 1;
    return call;
}

inline cb::Agent makeAgent(const QString &id, const QString &name, cb::WebhookState state,
                           cb::Provider provider = cb::Provider::Vapi)
{
    cb::Agent agent;
    agent.id = id;
    agent.orgId = QStringLiteral("org-1");
    agent.provider = provider;
    agent.providerAgentId = QStringLiteral("prov-") + id;
    agent.name = name;
    agent.fromNumber = QStringLiteral("+14155550100");
    agent.webhookState = state;
    return agent;
}

} // namespace cbtest
