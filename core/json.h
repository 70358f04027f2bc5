#pragma once

#include "call.h"
#include "metrics.h"
#include "result.h"

#include <QDateTime>
#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

/// nlohmann::json ⇄ QString, so Qt strings can be read and written directly.
template<>
struct nlohmann::adl_serializer<QString>
{
    static void to_json(json &j, const QString &s)
    {
        if (s.isNull())
            j = nullptr;
        else
            j = s.toStdString();
    }
    static void from_json(const json &j, QString &s)
    {
        s = j.is_string() ? QString::fromStdString(j.get_ref<const std::string &>()) : QString();
    }
};

namespace cb {

using Json = nlohmann::json;

/// ISO 8601 in UTC with milliseconds ("2026-01-28T13:17:50.116Z"), or null.
Json timeToJson(const QDateTime &time);
/// Accepts ISO 8601 with "Z", an offset, or no zone (read as UTC, as Bolna sends
/// them), and numbers as epoch milliseconds. Anything else is an invalid QDateTime.
QDateTime timeFromJson(const Json &value);
QDateTime parseIsoTime(QStringView text);

/// Lenient field readers for untrusted JSON: wrong types read as absent.
QString stringField(const Json &object, const char *key);
std::optional<double> numberField(const Json &object, const char *key);
std::optional<bool> boolField(const Json &object, const char *key);
const Json *objectField(const Json &object, const char *key);
/// The member @p key of @p object, or a null value when @p object is not an object or has
/// no such member.
const Json &member(const Json &object, const char *key);
/// A JSON array's strings, in order; anything else reads as an empty list.
QStringList stringsOf(const Json &value);
Json jsonArrayOf(const QStringList &list);

/// The call in the wire shape of DESIGN §3 (snake_case keys, absent values null).
/// The transcript is included only when asked: it is fetched per call, not pushed.
Json toJson(const Call &call, bool withTranscript = false);
Result<Call> callFromJson(const Json &json);

Json toJson(const Agent &agent);
Result<Agent> agentFromJson(const Json &json);

Json toJson(const Org &org);
Result<Org> orgFromJson(const Json &json);

Json toJson(const Metrics &metrics);
Result<Metrics> metricsFromJson(const Json &json);

/// Compact JSON text of @p json; "" for null.
QByteArray toBytes(const Json &json);

} // namespace cb
