#include "json.h"

#include <QTimeZone>

#include <cmath>

namespace cb {

namespace {

constexpr qint64 maxEpochMs = 253402300799999; // 9999-12-31

std::optional<CallStatus> statusField(const Json &object, const char *key)
{
    return callStatusFromString(stringField(object, key));
}

Json optionalNumber(const std::optional<double> &value)
{
    return value ? Json(*value) : Json(nullptr);
}

Json optionalBool(const std::optional<bool> &value)
{
    return value ? Json(*value) : Json(nullptr);
}

Json metadataToJson(const QByteArray &text)
{
    if (text.isEmpty())
        return nullptr;
    Json parsed = Json::parse(text.constData(), text.constData() + text.size(), nullptr, false);
    return parsed.is_discarded() ? Json(nullptr) : parsed;
}

Json countsToJson(const StatusCounts &counts)
{
    Json object = Json::object();
    for (auto s : allCallStatuses)
        object[wireName(s).toStdString()] = countOf(counts, s);
    return object;
}

StatusCounts countsFromJson(const Json &object)
{
    StatusCounts counts{};
    if (!object.is_object())
        return counts;
    for (auto s : allCallStatuses) {
        const auto value = numberField(object, wireName(s).toStdString().c_str());
        if (value && *value >= 0 && *value < 1e9)
            countOf(counts, s) = int(*value);
    }
    return counts;
}

} // namespace

Json timeToJson(const QDateTime &time)
{
    if (!time.isValid())
        return nullptr;
    return time.toUTC().toString(Qt::ISODateWithMs).toStdString();
}

QDateTime parseIsoTime(QStringView text)
{
    if (text.isEmpty() || text.size() > 64)
        return {};
    // Python's isoformat() writes microseconds ("2026-01-28T13:17:50.116924"); Qt reads
    // at most milliseconds, so drop the extra digits.
    QString normalized = text.toString();
    const qsizetype dot = normalized.indexOf(u'.');
    if (dot > 0) {
        qsizetype digits = dot + 1;
        while (digits < normalized.size() && normalized.at(digits).isDigit())
            ++digits;
        if (digits - dot - 1 > 3)
            normalized.remove(dot + 4, digits - dot - 4);
    }
    QDateTime time = QDateTime::fromString(normalized, Qt::ISODateWithMs);
    if (!time.isValid())
        return {};
    if (time.timeSpec() == Qt::LocalTime)
        time.setTimeZone(QTimeZone::utc());
    return time.toUTC();
}

QDateTime timeFromJson(const Json &value)
{
    if (value.is_string())
        return parseIsoTime(QString::fromStdString(value.get_ref<const std::string &>()));
    if (value.is_number()) {
        const double ms = value.get<double>();
        if (!std::isfinite(ms) || ms < 0 || ms > double(maxEpochMs))
            return {};
        return QDateTime::fromMSecsSinceEpoch(qint64(ms), QTimeZone::utc());
    }
    return {};
}

const Json &member(const Json &object, const char *key)
{
    static const Json null;
    if (!object.is_object())
        return null;
    const auto it = object.find(key);
    return it == object.end() ? null : *it;
}

QStringList stringsOf(const Json &value)
{
    QStringList list;
    if (!value.is_array())
        return list;
    for (const auto &item : value) {
        if (item.is_string())
            list << QString::fromStdString(item.get<std::string>());
    }
    return list;
}

Json jsonArrayOf(const QStringList &list)
{
    Json array = Json::array();
    for (const QString &item : list)
        array.push_back(item.toStdString());
    return array;
}

QString stringField(const Json &object, const char *key)
{
    if (!object.is_object())
        return {};
    const auto it = object.find(key);
    if (it == object.end() || !it->is_string())
        return {};
    return QString::fromStdString(it->get_ref<const std::string &>());
}

std::optional<double> numberField(const Json &object, const char *key)
{
    if (!object.is_object())
        return std::nullopt;
    const auto it = object.find(key);
    if (it == object.end() || !it->is_number())
        return std::nullopt;
    const double value = it->get<double>();
    if (!std::isfinite(value))
        return std::nullopt;
    return value;
}

std::optional<bool> boolField(const Json &object, const char *key)
{
    if (!object.is_object())
        return std::nullopt;
    const auto it = object.find(key);
    if (it == object.end() || !it->is_boolean())
        return std::nullopt;
    return it->get<bool>();
}

const Json *objectField(const Json &object, const char *key)
{
    if (!object.is_object())
        return nullptr;
    const auto it = object.find(key);
    if (it == object.end() || !it->is_object())
        return nullptr;
    return &*it;
}

QByteArray toBytes(const Json &json)
{
    if (json.is_null())
        return {};
    const std::string text = json.dump(-1, ' ', false, Json::error_handler_t::replace);
    return QByteArray(text.data(), qsizetype(text.size()));
}

Json toJson(const Call &call, bool withTranscript)
{
    Json j = {
        {"id", call.id},
        {"org_id", call.orgId},
        {"provider", wireName(call.provider)},
        {"provider_call_id", call.providerCallId},
        {"agent_id", call.agentId},
        {"provider_agent_id", call.providerAgentId},
        {"direction", call.direction ? Json(wireName(*call.direction)) : Json(nullptr)},
        {"to_number", call.toNumber},
        {"from_number", call.fromNumber},
        {"caller_name", call.callerName},
        {"status", wireName(call.status)},
        {"raw_status", call.rawStatus},
        {"end_reason", call.endReason},
        {"finalized", call.finalized},
        {"voicemail", call.voicemail},
        {"stale", call.stale},
        {"is_test", call.isTest},
        {"created_at", timeToJson(call.createdAt)},
        {"started_at", timeToJson(call.startedAt)},
        {"answered_at", timeToJson(call.answeredAt)},
        {"ended_at", timeToJson(call.endedAt)},
        {"duration_s", optionalNumber(call.durationS)},
        {"cost_cents", optionalNumber(call.costCents)},
        {"currency", call.currency},
        {"recording_url", call.recordingUrl},
        {"summary", call.summary},
        {"sentiment", call.sentiment},
        {"success", optionalBool(call.success)},
        {"metadata", metadataToJson(call.metadata)},
        {"updated_at", timeToJson(call.updatedAt)},
        {"seq", call.seq},
    };
    if (withTranscript)
        j["transcript"] = call.transcript;
    return j;
}

Result<Call> callFromJson(const Json &json)
{
    if (!json.is_object())
        return Result<Call>::failure(QStringLiteral("invalid_call"),
                                     QStringLiteral("call is not an object"));
    Call call;
    call.id = stringField(json, "id");
    if (call.id.isEmpty())
        return Result<Call>::failure(QStringLiteral("invalid_call"),
                                     QStringLiteral("call has no id"));
    const auto provider = providerFromString(stringField(json, "provider"));
    const auto status = statusField(json, "status");
    if (!provider || !status)
        return Result<Call>::failure(
            QStringLiteral("invalid_call"),
            QStringLiteral("call %1 has an unknown provider or status").arg(call.id));
    call.orgId = stringField(json, "org_id");
    call.provider = *provider;
    call.providerCallId = stringField(json, "provider_call_id");
    call.agentId = stringField(json, "agent_id");
    call.providerAgentId = stringField(json, "provider_agent_id");
    call.direction = directionFromString(stringField(json, "direction"));
    call.toNumber = stringField(json, "to_number");
    call.fromNumber = stringField(json, "from_number");
    call.callerName = stringField(json, "caller_name");
    call.status = *status;
    call.rawStatus = stringField(json, "raw_status");
    call.endReason = stringField(json, "end_reason");
    call.finalized = boolField(json, "finalized").value_or(false);
    call.voicemail = boolField(json, "voicemail").value_or(false);
    call.stale = boolField(json, "stale").value_or(false);
    call.isTest = boolField(json, "is_test").value_or(false);
    call.createdAt = timeFromJson(json.value("created_at", Json()));
    call.startedAt = timeFromJson(json.value("started_at", Json()));
    call.answeredAt = timeFromJson(json.value("answered_at", Json()));
    call.endedAt = timeFromJson(json.value("ended_at", Json()));
    call.durationS = numberField(json, "duration_s");
    call.costCents = numberField(json, "cost_cents");
    call.currency = stringField(json, "currency");
    call.recordingUrl = stringField(json, "recording_url");
    call.summary = stringField(json, "summary");
    call.sentiment = stringField(json, "sentiment");
    call.success = boolField(json, "success");
    if (const Json *metadata = objectField(json, "metadata"))
        call.metadata = toBytes(*metadata);
    call.transcript = stringField(json, "transcript");
    call.updatedAt = timeFromJson(json.value("updated_at", Json()));
    call.seq = qint64(numberField(json, "seq").value_or(0));
    return call;
}

Json toJson(const Agent &agent)
{
    return {
        {"id", agent.id},
        {"org_id", agent.orgId},
        {"provider", wireName(agent.provider)},
        {"provider_agent_id", agent.providerAgentId},
        {"name", agent.name},
        {"from_number", agent.fromNumber},
        {"webhook_state", wireName(agent.webhookState)},
        {"webhook_url", agent.webhookUrl},
        {"webhook_message", agent.webhookMessage},
        {"webhook_checked_at", timeToJson(agent.webhookCheckedAt)},
    };
}

Result<Agent> agentFromJson(const Json &json)
{
    Agent agent;
    agent.id = stringField(json, "id");
    const auto provider = providerFromString(stringField(json, "provider"));
    if (agent.id.isEmpty() || !provider)
        return Result<Agent>::failure(QStringLiteral("invalid_agent"),
                                      QStringLiteral("agent has no id or an unknown provider"));
    agent.orgId = stringField(json, "org_id");
    agent.provider = *provider;
    agent.providerAgentId = stringField(json, "provider_agent_id");
    agent.name = stringField(json, "name");
    agent.fromNumber = stringField(json, "from_number");
    agent.webhookState =
        webhookStateFromString(stringField(json, "webhook_state")).value_or(WebhookState::Unknown);
    agent.webhookUrl = stringField(json, "webhook_url");
    agent.webhookMessage = stringField(json, "webhook_message");
    agent.webhookCheckedAt = timeFromJson(json.value("webhook_checked_at", Json()));
    return agent;
}

Json toJson(const Org &org)
{
    return {{"id", org.id}, {"name", org.name}, {"role", wireName(org.role)}};
}

Result<Org> orgFromJson(const Json &json)
{
    Org org;
    org.id = stringField(json, "id");
    org.name = stringField(json, "name");
    const auto role = roleFromString(stringField(json, "role"));
    if (org.id.isEmpty() || !role)
        return Result<Org>::failure(QStringLiteral("invalid_org"),
                                    QStringLiteral("org has no id or an unknown role"));
    org.role = *role;
    return org;
}

Json toJson(const Metrics &metrics)
{
    Json perMinute = Json::array();
    for (const auto &m : metrics.perMinute)
        perMinute.push_back({{"minute", timeToJson(m.minute)}, {"counts", countsToJson(m.counts)}});
    return {
        {"org_id", metrics.orgId},
        {"at", timeToJson(metrics.at)},
        {"totals", countsToJson(metrics.totals)},
        {"active", metrics.active},
        {"per_minute", perMinute},
        {"avg_duration_s", metrics.avgDurationS},
        {"answer_rate", metrics.answerRate},
        {"cost_cents", metrics.costCents},
    };
}

Result<Metrics> metricsFromJson(const Json &json)
{
    if (!json.is_object())
        return Result<Metrics>::failure(QStringLiteral("invalid_metrics"),
                                        QStringLiteral("metrics is not an object"));
    Metrics metrics;
    metrics.orgId = stringField(json, "org_id");
    metrics.at = timeFromJson(json.value("at", Json()));
    metrics.totals = countsFromJson(json.value("totals", Json()));
    metrics.active = int(numberField(json, "active").value_or(0));
    metrics.avgDurationS = numberField(json, "avg_duration_s").value_or(0);
    metrics.answerRate = numberField(json, "answer_rate").value_or(0);
    metrics.costCents = numberField(json, "cost_cents").value_or(0);
    const auto it = json.find("per_minute");
    if (it != json.end() && it->is_array()) {
        for (const auto &entry : *it) {
            if (!entry.is_object())
                continue;
            MetricsMinute minute;
            minute.minute = timeFromJson(entry.value("minute", Json()));
            if (!minute.minute.isValid())
                continue;
            minute.counts = countsFromJson(entry.value("counts", Json()));
            metrics.perMinute.append(minute);
        }
    }
    return metrics;
}

} // namespace cb
