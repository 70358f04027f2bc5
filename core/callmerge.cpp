#include "callmerge.h"

#include <QStringList>

namespace cb {

namespace {

bool hasValue(const QString &value)
{
    return !value.isEmpty();
}
bool hasValue(const QByteArray &value)
{
    return !value.isEmpty();
}
template<typename T>
bool hasValue(const std::optional<T> &value)
{
    return value.has_value();
}

template<typename T>
bool lessThan(const T &a, const T &b)
{
    return a < b;
}
bool lessThan(const std::optional<Direction> &a, const std::optional<Direction> &b)
{
    return static_cast<int>(a.value_or(Direction::Inbound)) < static_cast<int>(b.value_or(Direction::Inbound));
}

/// Joins (precedence, value): the higher precedence wins; equal precedence picks
/// the greater value so that the outcome does not depend on arrival order.
template<typename T>
void join(T &target, qint16 &targetPrecedence, const T &incoming, int precedence)
{
    if (!hasValue(incoming))
        return;
    if (precedence > targetPrecedence
        || (precedence == targetPrecedence && lessThan(target, incoming))) {
        target = incoming;
        targetPrecedence = qint16(precedence);
    }
}

void joinEarliest(QDateTime &target, const QDateTime &incoming)
{
    if (incoming.isValid() && (!target.isValid() || incoming < target))
        target = incoming;
}

} // namespace

QString MergeState::toString() const
{
    QStringList parts;
    parts.reserve(FieldCount);
    for (auto p : precedence)
        parts.append(QString::number(p));
    return parts.join(u',');
}

MergeState MergeState::fromString(QStringView text)
{
    MergeState state;
    const auto parts = text.split(u',');
    for (qsizetype i = 0; i < parts.size() && i < FieldCount; ++i) {
        bool ok = false;
        const int value = parts.at(i).toInt(&ok);
        if (ok && value >= -1 && value < 1000)
            state.precedence[size_t(i)] = qint16(value);
    }
    return state;
}

CallRecord apply(CallRecord current, const NormalizedEvent &event)
{
    if (event.ignored)
        return current;

    Call &c = current.call;
    auto &p = current.merge.precedence;
    const int prec = event.precedence;

    if (c.providerCallId.isEmpty()) {
        c.provider = event.provider;
        c.providerCallId = event.providerCallId;
    }

    if (event.status) {
        qint16 &statusPrecedence = p[MergeState::Status];
        if (statusPrecedence < 0 || prec > statusPrecedence
            || (prec == statusPrecedence && static_cast<int>(*event.status) > static_cast<int>(c.status))) {
            c.status = *event.status;
            statusPrecedence = qint16(prec);
        }
    }

    join(c.rawStatus, p[MergeState::RawStatus], event.rawStatus, prec);
    join(c.endReason, p[MergeState::EndReason], event.endReason, prec);
    join(c.providerAgentId, p[MergeState::ProviderAgentId], event.providerAgentId, prec);
    join(c.direction, p[MergeState::Direction], event.direction, prec);
    join(c.toNumber, p[MergeState::ToNumber], event.toNumber, prec);
    join(c.fromNumber, p[MergeState::FromNumber], event.fromNumber, prec);
    join(c.costCents, p[MergeState::Cost], event.costCents, prec);
    join(c.currency, p[MergeState::Currency], event.currency, prec);
    join(c.recordingUrl, p[MergeState::RecordingUrl], event.recordingUrl, prec);
    join(c.transcript, p[MergeState::Transcript], event.transcript, prec);
    join(c.summary, p[MergeState::Summary], event.summary, prec);
    join(c.sentiment, p[MergeState::Sentiment], event.sentiment, prec);
    join(c.success, p[MergeState::Success], event.success, prec);
    join(c.metadata, p[MergeState::Metadata], event.metadata, prec);

    joinEarliest(c.createdAt, event.createdAt);
    joinEarliest(c.startedAt, event.startedAt);
    joinEarliest(c.answeredAt, event.answeredAt);
    joinEarliest(c.endedAt, event.endedAt);

    if (event.durationS && (!c.durationS || *event.durationS > *c.durationS))
        c.durationS = event.durationS;

    c.finalized = c.finalized || event.finalizes;
    c.voicemail = c.voicemail || event.voicemail.value_or(false);
    c.isTest = c.isTest || event.isTestHint.value_or(false);

    return current;
}

} // namespace cb
