#pragma once

#include "core/json.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QString>
#include <QUrlQuery>

#include <utility>

namespace cb {

/// One parsed HTTP/1.1 request. Header names are lower-case.
struct HttpRequest
{
    QByteArray method;
    QByteArray target; ///< as sent: path and query, undecoded
    QByteArray path; ///< the target's path, undecoded
    QUrlQuery query;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;
    QHostAddress peer;
    bool http10 = false;

    /// The first header named @p lowerName, or a null array.
    QByteArray header(QByteArrayView lowerName) const
    {
        for (const auto &[name, value] : headers) {
            if (name == lowerName)
                return value;
        }
        return {};
    }
    /// The bearer token of the Authorization header, or an empty string.
    QString bearerToken() const
    {
        const QByteArray value = header("authorization");
        if (value.size() > 7 && value.first(7).compare("bearer ", Qt::CaseInsensitive) == 0)
            return QString::fromLatin1(value.mid(7).trimmed());
        return {};
    }
};

/// What a handler answers. Errors use the JSON shape `{error:{code, message}}`.
struct HttpResponse
{
    int status = 200;
    QByteArray contentType = "application/json";
    QByteArray body;
    QList<std::pair<QByteArray, QByteArray>> headers;

    static HttpResponse json(int status, const Json &body)
    {
        return HttpResponse{status, "application/json", toBytes(body), {}};
    }
    static HttpResponse error(int status, const QString &code, const QString &message)
    {
        return json(status, Json{{"error", Json{{"code", code}, {"message", message}}}});
    }
    static HttpResponse noContent() { return HttpResponse{204, {}, {}, {}}; }
};

/// Reason phrase for a status code.
QByteArray httpReason(int status);

} // namespace cb
