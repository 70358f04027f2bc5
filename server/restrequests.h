#pragma once

#include "core/result.h"

#include <QByteArrayView>
#include <QString>
#include <QStringList>

namespace cb {

/// Readers of the JSON bodies the REST API accepts. They only read and check shapes and
/// sizes, without a store or a network, so the routes stay thin and the readers can be
/// fuzzed on their own. Errors carry the code the route answers with: `payload_too_large`
/// or `too_large` (413), otherwise a 400 code (`invalid_json`, `too_deep`, `wrong_shape`,
/// `invalid_body`).
namespace rest {

/// Largest JSON body a REST route reads.
constexpr qsizetype maxJsonBody = 64 * 1024;

/// `POST /api/auth/login`: `{email, password}`, both required.
struct LoginRequest
{
    QString email; ///< trimmed
    QString password;
};
Result<LoginRequest> readLogin(QByteArrayView body);

/// `POST /api/orgs/{org}/calls/mark-failed`: `{ids: [...]}`, 1 to 500 call ids, each a
/// non-empty string of at most 200 bytes; repeated ids are kept once, in order.
Result<QStringList> readMarkFailed(QByteArrayView body);

/// `POST /api/orgs/{org}/calls`: `{agent_id, to_number, is_test?}`. Every error is
/// `invalid_body`. Whether the agent exists and the number is E.164 is checked later.
struct StartCallBody
{
    QString agentId;
    QString toNumber;
    bool isTest = false;
};
Result<StartCallBody> readStartCall(QByteArrayView body);

/// `POST /api/orgs/{org}/agents[/{id}]/sync`: an optional `{check_only}`; an empty body
/// means false.
Result<bool> readSyncCheckOnly(QByteArrayView body);

} // namespace rest

} // namespace cb
