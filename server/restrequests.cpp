#include "restrequests.h"

#include "core/json.h"
#include "core/safejson.h"

namespace cb::rest {

namespace {

Error invalidBody(const QString &message)
{
    return {QStringLiteral("invalid_body"), message};
}

/// A JSON object body, capped in size and depth.
Result<Json> jsonBody(QByteArrayView body)
{
    if (body.size() > maxJsonBody)
        return Result<Json>::failure(QStringLiteral("payload_too_large"),
                                     QStringLiteral("the body is too large"));
    return parseJsonObject(body, maxJsonBody, 16);
}

} // namespace

Result<LoginRequest> readLogin(QByteArrayView body)
{
    auto json = jsonBody(body);
    if (!json)
        return json.error();
    LoginRequest login{stringField(*json, "email").trimmed(), stringField(*json, "password")};
    if (login.email.isEmpty() || login.password.isEmpty() || login.email.size() > 320 ||
        login.password.size() > 1024)
        return invalidBody(QStringLiteral("email and password are required"));
    return login;
}

Result<QStringList> readMarkFailed(QByteArrayView body)
{
    auto json = jsonBody(body);
    if (!json)
        return json.error();
    const Json &ids = json->contains("ids") ? (*json)["ids"] : Json();
    if (!ids.is_array() || ids.empty() || ids.size() > 500)
        return invalidBody(QStringLiteral("ids must be a list of 1 to 500 call ids"));
    QStringList callIds;
    for (const Json &id : ids) {
        if (!id.is_string() || id.get_ref<const std::string &>().empty() ||
            id.get_ref<const std::string &>().size() > 200)
            return invalidBody(QStringLiteral("every id must be a string"));
        const QString text = QString::fromStdString(id.get<std::string>());
        if (!callIds.contains(text))
            callIds.append(text);
    }
    return callIds;
}

Result<StartCallBody> readStartCall(QByteArrayView body)
{
    auto json = parseJsonObject(body, maxJsonBody);
    if (!json)
        return invalidBody(json.error().message);
    StartCallBody start;
    start.agentId = stringField(*json, "agent_id");
    start.toNumber = stringField(*json, "to_number");
    if (json->contains("is_test")) {
        const auto isTest = boolField(*json, "is_test");
        if (!isTest)
            return invalidBody(QStringLiteral("is_test must be a boolean"));
        start.isTest = *isTest;
    }
    return start;
}

Result<bool> readSyncCheckOnly(QByteArrayView body)
{
    if (body.trimmed().isEmpty())
        return false;
    auto json = parseJsonObject(body, maxJsonBody);
    if (!json)
        return json.error();
    return boolField(*json, "check_only").value_or(false);
}

} // namespace cb::rest
