#pragma once

#include "httpconnection.h"

#include <QHash>
#include <QList>
#include <QStringList>

#include <functional>

namespace cb {

/// Path parameters captured by a route ("{org}" → value), percent-decoded.
using RouteParams = QHash<QString, QString>;

/// Maps method + path pattern to a handler. Patterns are literal segments and
/// `{name}` captures ("/api/orgs/{org}/calls/{id}"); a literal segment beats a capture
/// at the same position. Unknown paths get 404, known paths with another method 405.
class Router
{
public:
    using Handler = std::function<void(const HttpRequest &, const RouteParams &, HttpResponder)>;

    /// Adds a route, or replaces the handler of the same method and pattern: a later
    /// layer (the provider clients) can take over a route registered earlier.
    void add(const QByteArray &method, const QString &pattern, Handler handler);
    void dispatch(const HttpRequest &request, const HttpResponder &responder) const;

private:
    struct Route
    {
        QByteArray method;
        QString pattern;
        QStringList segments;
        Handler handler;
    };
    static std::optional<RouteParams> match(const Route &route, const QStringList &segments);

    QList<Route> m_routes;
};

} // namespace cb
