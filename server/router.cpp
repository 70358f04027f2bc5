#include "router.h"

#include <QUrl>

namespace cb {

void Router::add(const QByteArray &method, const QString &pattern, Handler handler)
{
    for (Route &route : m_routes) {
        if (route.method == method && route.pattern == pattern) {
            route.handler = std::move(handler);
            return;
        }
    }
    m_routes.append(
        Route{method, pattern, pattern.split(u'/', Qt::SkipEmptyParts), std::move(handler)});
}

std::optional<RouteParams> Router::match(const Route &route, const QStringList &segments)
{
    if (route.segments.size() != segments.size())
        return std::nullopt;
    RouteParams params;
    for (qsizetype i = 0; i < segments.size(); ++i) {
        const QString &want = route.segments.at(i);
        if (want.startsWith(u'{') && want.endsWith(u'}')) {
            if (segments.at(i).isEmpty())
                return std::nullopt;
            params.insert(want.mid(1, want.size() - 2), segments.at(i));
        } else if (want != segments.at(i)) {
            return std::nullopt;
        }
    }
    return params;
}

void Router::dispatch(const HttpRequest &request, const HttpResponder &responder) const
{
    // Split before decoding, so an encoded slash stays inside its segment.
    QStringList segments;
    for (const QByteArray &raw : request.path.split('/')) {
        if (!raw.isEmpty())
            segments.append(QUrl::fromPercentEncoding(raw));
    }
    const Route *best = nullptr;
    RouteParams bestParams;
    int bestLiterals = -1;
    bool pathKnown = false;
    for (const Route &route : m_routes) {
        auto params = match(route, segments);
        if (!params)
            continue;
        pathKnown = true;
        if (route.method != request.method)
            continue;
        const int literals = int(route.segments.size() - params->size());
        if (literals > bestLiterals) {
            best = &route;
            bestParams = std::move(*params);
            bestLiterals = literals;
        }
    }
    if (best) {
        best->handler(request, bestParams, responder);
        return;
    }
    if (pathKnown)
        responder.send(HttpResponse::error(405, QStringLiteral("method_not_allowed"),
                                           QStringLiteral("method not allowed on this path")));
    else
        responder.send(
            HttpResponse::error(404, QStringLiteral("not_found"), QStringLiteral("no such route")));
}

} // namespace cb
