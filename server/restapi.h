#pragma once

#include "auth.h"
#include "router.h"

#include <QObject>

#include <functional>

namespace cb {

class Store;
class StoreWriter;

/// The REST API of DESIGN §3 under /api: login/logout, calls (list with filters, cursor
/// paging and since_seq; detail with timeline; mark-failed; delete), agents, metrics,
/// diagnostics, and the health probes. Every org route authenticates the bearer token,
/// checks membership and role, and reaches data only through Store::org().
class RestApi final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RestApi)

public:
    /// Who is calling an org route.
    struct Caller
    {
        AuthUser user;
        QString orgId;
        Role role = Role::Viewer;
    };
    using OrgHandler = std::function<void(const Caller &, const HttpRequest &, const RouteParams &,
                                          HttpResponder)>;

    RestApi(Store &store, Auth &auth, StoreWriter &writer, QObject *parent = nullptr);

    /// Registers every route on @p router.
    void registerRoutes(Router &router);

    /// Wraps @p handler with authentication and a minimum role in the `{org}` of the path.
    /// For routes other layers add (provider-backed actions).
    Router::Handler orgRoute(Role minimum, OrgHandler handler);

    /// Counts the provider polls running for an org, for diagnostics; set by the poller.
    void setPollsRunning(std::function<int(const QString &orgId)> counter)
    {
        m_pollsRunning = std::move(counter);
    }

private:
    void login(const HttpRequest &request, const HttpResponder &responder);
    void logout(const HttpRequest &request, const HttpResponder &responder);
    void me(const HttpRequest &request, const HttpResponder &responder);
    void listCalls(const Caller &caller, const HttpRequest &request,
                   const HttpResponder &responder);
    void callDetail(const Caller &caller, const HttpRequest &request, const QString &callId,
                    const HttpResponder &responder);
    void markFailed(const Caller &caller, const HttpRequest &request,
                    const HttpResponder &responder);
    void deleteCall(const Caller &caller, const QString &callId, const HttpResponder &responder);
    void agents(const Caller &caller, const HttpResponder &responder);
    void metrics(const Caller &caller, const HttpResponder &responder);
    void diagnostics(const Caller &caller, const HttpResponder &responder);

    Store &m_store;
    Auth &m_auth;
    StoreWriter &m_writer;
    std::function<int(const QString &)> m_pollsRunning;
};

/// The `{error:{code, message}}` answer for a store failure: 404 for not_found, 409
/// for conflict, 503 otherwise (the store is unreachable or broken).
HttpResponse storeError(const Error &error);

} // namespace cb
