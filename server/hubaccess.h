#pragma once

#include "core/metrics.h"
#include "core/result.h"

#include <QString>

namespace cb {

/// What the realtime hub asks the rest of the server: who a bearer token belongs to,
/// and whether that user may watch an organization. Implemented over the store by the
/// server; tests pass small in-memory versions.
class HubAccess
{
public:
    virtual ~HubAccess() = default;

    /// The user id for a bearer token. The error code travels to the client as
    /// CONNECT_ERROR `data.code` ("invalid_token", "expired_token", …).
    virtual Result<QString> authenticate(const QString &token) = 0;

    /// The organization's current `seq` when @p userId may watch @p orgId. The error code
    /// is sent in the `org:join` acknowledgement ("forbidden", "not_found", …).
    virtual Result<qint64> joinOrg(const QString &userId, const QString &orgId) = 0;
};

/// The figures pushed as `metrics:updated`. Optional: a hub without one sends none.
class HubMetricsSource
{
public:
    virtual ~HubMetricsSource() = default;
    virtual Result<Metrics> metrics(const QString &orgId) = 0;
};

} // namespace cb
