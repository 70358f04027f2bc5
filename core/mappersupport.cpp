#include "mappersupport.h"

#include <cmath>

namespace cb::mapping {

QString idField(const Json &object, const char *key)
{
    const Json &value = member(object, key);
    if (value.is_string())
        return QString::fromStdString(value.get_ref<const std::string &>());
    if (value.is_number_unsigned())
        return QString::number(value.get<quint64>());
    if (value.is_number_integer())
        return QString::number(value.get<qint64>());
    return {};
}

std::optional<double> lenientNumber(const Json &object, const char *key)
{
    const Json &value = member(object, key);
    double number = 0;
    if (value.is_number()) {
        number = value.get<double>();
    } else if (value.is_string()) {
        const auto &text = value.get_ref<const std::string &>();
        if (text.empty() || text.size() > 32)
            return std::nullopt;
        bool ok = false;
        number = QString::fromStdString(text).trimmed().toDouble(&ok);
        if (!ok)
            return std::nullopt;
    } else {
        return std::nullopt;
    }
    if (!std::isfinite(number))
        return std::nullopt;
    return number;
}

std::optional<bool> lenientBool(const Json &object, const char *key)
{
    const Json &value = member(object, key);
    if (value.is_boolean())
        return value.get<bool>();
    if (value.is_number_integer() || value.is_number_unsigned()) {
        const auto n = value.get<qint64>();
        if (n == 0 || n == 1)
            return n == 1;
        return std::nullopt;
    }
    if (value.is_string()) {
        const QString text = QString::fromStdString(value.get_ref<const std::string &>());
        if (text.compare(u"true", Qt::CaseInsensitive) == 0)
            return true;
        if (text.compare(u"false", Qt::CaseInsensitive) == 0)
            return false;
    }
    return std::nullopt;
}

void readMetadata(NormalizedEvent &event, const Json &metadata)
{
    if (!metadata.is_object() || metadata.empty())
        return;
    event.metadata = toBytes(metadata);
    const QString org = idField(metadata, "org_id");
    if (!org.isEmpty())
        event.orgIdHint = org;
    if (const auto test = lenientBool(metadata, "is_test_call"))
        event.isTestHint = event.isTestHint.value_or(false) || *test;
}

Result<NormalizedEvent> fail(const QString &code, const QString &message)
{
    return Result<NormalizedEvent>::failure(code, message);
}

} // namespace cb::mapping
