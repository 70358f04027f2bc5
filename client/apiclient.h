#pragma once

#include "apijob.h"
#include "apitypes.h"

#include "core/metrics.h"

#include <QObject>
#include <QUrl>

class QNetworkAccessManager;
class QNetworkRequest;

namespace cb {

/// Typed asynchronous access to every REST route of a Callboard server (DESIGN §3).
///
/// Each method starts one request and returns its job, which finishes exactly once with a
/// Result (see ApiJob) and deletes itself afterwards. TLS is verified by Qt's defaults; this
/// class never ignores certificate errors. The network access manager is injected, so tests
/// can look at the requests without a network.
class ApiClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApiClient)

public:
    explicit ApiClient(QNetworkAccessManager *network, QObject *parent = nullptr);
    ~ApiClient() override;

    /// "https://callboard.example" or "http://127.0.0.1:8080"; paths are appended to it.
    void setBaseUrl(const QUrl &url);
    QUrl baseUrl() const { return m_baseUrl; }
    /// The bearer token sent with every request but login; empty sends none.
    void setToken(const QString &token);
    bool hasToken() const { return !m_token.isEmpty(); }
    /// Per-request transfer timeout in milliseconds (default 30 s).
    void setTimeout(int ms) { m_timeoutMs = ms; }

    ApiJob<LoginResult> *login(const QString &email, const QString &password);
    ApiJob<void> *logout();
    ApiJob<QList<Org>> *orgs();

    ApiJob<CallPage> *calls(const QString &orgId, const CallQuery &query);
    ApiJob<CallDetail> *call(const QString &orgId, const QString &callId);
    ApiJob<Call> *startCall(const QString &orgId, const NewCallRequest &request);
    ApiJob<Call> *refreshCall(const QString &orgId, const QString &callId);
    ApiJob<QList<Call>> *markFailed(const QString &orgId, const QStringList &callIds);
    ApiJob<void> *deleteCall(const QString &orgId, const QString &callId);

    ApiJob<QList<Agent>> *agents(const QString &orgId);
    ApiJob<Agent> *syncAgent(const QString &orgId, const QString &agentId);
    ApiJob<QList<AgentSyncOutcome>> *syncAllAgents(const QString &orgId);

    ApiJob<Metrics> *metrics(const QString &orgId);
    ApiJob<Diagnostics> *diagnostics(const QString &orgId);
    ApiJob<void> *health();

    /// The URL of a route, e.g. url(u"/api/orgs/o1/calls"); exposed for diagnostics.
    QUrl url(QStringView path, const QList<std::pair<QString, QString>> &query = {}) const;

    /// Readers of the response shapes, public so other layers (and tests) parse the same way.
    static Result<LoginResult> parseLogin(const Json &json);
    static Result<CallPage> parseCallPage(const Json &json);
    static Result<CallDetail> parseCallDetail(const Json &json);

Q_SIGNALS:
    /// A request that carried the token was answered 401: the session has expired.
    void unauthorized();

private:
    QNetworkRequest request(const QUrl &url, bool withToken) const;
    QNetworkReply *send(const QByteArray &verb, const QUrl &url, const Json *body, bool withToken);
    template<typename T>
    ApiJob<T> *start(const QByteArray &verb, const QUrl &url, const Json *body,
                     typename ApiJob<T>::Parser parser, bool withToken = true);
    static QString orgPath(const QString &orgId);

    QNetworkAccessManager *m_network;
    QUrl m_baseUrl;
    QString m_token;
    int m_timeoutMs = 30000;
};

} // namespace cb
