#include "apijob.h"

#include "logging.h"

namespace cb {

namespace {

constexpr qsizetype maxResponseBytes = qsizetype(64) << 20;

Error errorFromBody(int status, const QByteArray &body)
{
    const Json json = Json::parse(body.constData(), body.constData() + body.size(), nullptr, false);
    if (const Json *error = objectField(json, "error")) {
        QString code = stringField(*error, "code");
        QString message = stringField(*error, "message");
        if (!code.isEmpty())
            return {code, message.isEmpty() ? code : message};
    }
    switch (status) {
    case 401:
        return {QStringLiteral("unauthorized"),
                QStringLiteral("Not signed in, or the session has expired.")};
    case 403:
        return {QStringLiteral("forbidden"), QStringLiteral("Your role does not allow this.")};
    case 404:
        return {QStringLiteral("not_found"), QStringLiteral("Not found.")};
    default:
        return {QStringLiteral("http_%1").arg(status),
                QStringLiteral("The server answered HTTP %1.").arg(status)};
    }
}

} // namespace

ApiJobBase::ApiJobBase(QNetworkReply *reply, bool sentToken, QObject *parent)
    : QObject(parent), m_reply(reply), m_sentToken(sentToken)
{
    reply->setParent(this);
    connect(reply, &QNetworkReply::finished, this, &ApiJobBase::onReplyFinished);
}

ApiJobBase::~ApiJobBase() = default;

void ApiJobBase::abort()
{
    QNetworkReply *reply = m_reply.data();
    if (m_finished || !reply)
        return;
    m_aborted = true;
    reply->abort();
}

void ApiJobBase::onReplyFinished()
{
    if (m_finished)
        return;
    QNetworkReply *reply = m_reply.data();
    if (!reply)
        return;
    m_finished = true;
    m_httpStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body =
        reply->bytesAvailable() > maxResponseBytes ? QByteArray() : reply->readAll();

    if (m_aborted) {
        complete(Error{QStringLiteral("aborted"), QStringLiteral("The request was canceled.")});
    } else if (m_httpStatus == 0) {
        const bool timedOut = reply->error() == QNetworkReply::OperationCanceledError ||
            reply->error() == QNetworkReply::TimeoutError;
        if (timedOut)
            complete(Error{QStringLiteral("timeout"),
                           QStringLiteral("The server did not answer in time.")});
        else
            complete(Error{QStringLiteral("network"), reply->errorString()});
    } else if (m_httpStatus >= 400) {
        if (m_httpStatus == 401 && m_sentToken)
            Q_EMIT unauthorized();
        complete(errorFromBody(m_httpStatus, body));
    } else if (body.trimmed().isEmpty()) {
        complete(Json(nullptr));
    } else {
        Json json = Json::parse(body.constData(), body.constData() + body.size(), nullptr, false);
        if (json.is_discarded()) {
            qCWarning(lcApi) << "invalid JSON from" << reply->url().path();
            complete(Error{QStringLiteral("invalid_response"),
                           QStringLiteral("The server's answer is not valid JSON.")});
        } else {
            complete(std::move(json));
        }
    }
    Q_EMIT finished();
    deleteLater();
}

} // namespace cb
