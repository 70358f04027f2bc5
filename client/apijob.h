#pragma once

#include "core/json.h"
#include "core/result.h"

#include <QNetworkReply>
#include <QObject>
#include <QPointer>

#include <functional>
#include <optional>

namespace cb {

/// The untyped half of an ApiJob: owns one QNetworkReply and emits finished() exactly
/// once, then deletes itself on the next event-loop pass.
class ApiJobBase : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApiJobBase)

public:
    ~ApiJobBase() override;

    /// Cancels the request; the job still finishes once, with error code "aborted".
    void abort();
    bool isFinished() const { return m_finished; }
    /// HTTP status of the answer, 0 when none arrived.
    int httpStatus() const { return m_httpStatus; }

Q_SIGNALS:
    void finished();
    /// Emitted before finished() when the server answered 401 to a request that carried a token.
    void unauthorized();

protected:
    explicit ApiJobBase(QNetworkReply *reply, bool sentToken, QObject *parent);
    /// Turns the answer (body parsed as JSON) or the failure into the typed result.
    virtual void complete(const Result<Json> &body) = 0;

private:
    void onReplyFinished();

    QPointer<QNetworkReply> m_reply;
    bool m_sentToken = false;
    bool m_finished = false;
    bool m_aborted = false;
    int m_httpStatus = 0;
};

/// A typed asynchronous REST call: finishes with one Result<T>, a value or an Error
/// {code, message} (the server's `{error:{code,message}}`, or "network", "timeout",
/// "invalid_response", "aborted").
template<typename T>
class ApiJob final : public ApiJobBase
{
public:
    using Parser = std::function<Result<T>(const Json &)>;

    ApiJob(QNetworkReply *reply, bool sentToken, Parser parser, QObject *parent)
        : ApiJobBase(reply, sentToken, parent), m_parser(std::move(parser))
    { }

    /// Set once finished() has been emitted.
    const std::optional<Result<T>> &result() const { return m_result; }

    /// Calls @p handler with the result, in @p context's thread, unless @p context is gone.
    template<typename Handler>
    void onFinished(QObject *context, Handler handler)
    {
        connect(this, &ApiJobBase::finished, context,
                [this, handler = std::move(handler)]() mutable { handler(*m_result); });
    }

protected:
    void complete(const Result<Json> &body) override
    {
        if (!body.ok()) {
            m_result.emplace(body.error());
            return;
        }
        m_result.emplace(m_parser(*body));
    }

private:
    Parser m_parser;
    std::optional<Result<T>> m_result;
};

} // namespace cb
