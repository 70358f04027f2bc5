#pragma once

#include "simcall.h"
#include "simconfig.h"
#include "webhookdelivery.h"

#include "core/result.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QStringList>
#include <QUrl>

#include <memory>
#include <random>

class QHttpServer;
class QHttpServerRequest;
class QHttpServerResponder;
class QTimer;

namespace cb::sim {

/// An agent as the provider stores it: where its webhooks go and which ones it wants.
struct SimAgent
{
    Provider provider = Provider::Bolna;
    QString id;
    QString name;
    QString fromNumber; ///< the number its outbound calls come from
    QString webhookUrl; ///< Bolna agent_config.webhook_url, Vapi server.url, Retell webhook_url
    /// Vapi serverMessages / Retell webhook_events; empty means the provider's default set.
    QStringList events;
    HttpHeaders headers; ///< Vapi server.headers
    bool rejectUpdates = false; ///< refuse webhook configuration changes with a 4xx
    QDateTime createdAt;
    QDateTime updatedAt;
};

/// A stand-in for the Bolna, Vapi and Retell REST APIs on one port (paths under
/// /bolna, /vapi and /retell) that plays each started call through a script and posts
/// the provider's real webhook payloads to the agent's webhook URL, with faults.
///
/// A small control API under /_sim lets tests read the providers' truth
/// (`GET /_sim/calls`), register agents and originate inbound calls.
class Simulator final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Simulator)

public:
    explicit Simulator(SimConfig config, QObject *parent = nullptr);
    ~Simulator() override;

    /// Listens on @p address (port 0 picks a free one); returns the port.
    Result<quint16> listen(const QHostAddress &address = QHostAddress::LocalHost, quint16 port = 0);
    quint16 port() const { return m_port; }
    /// e.g. http://127.0.0.1:PORT/vapi: what a provider client takes as its base URL.
    QUrl baseUrl(Provider provider) const;
    QUrl rootUrl() const;

    SimConfig &config() { return m_config; }
    const SimStats &stats() const { return m_stats; }

    /// Creates or replaces an agent.
    void setAgent(const SimAgent &agent);
    std::optional<SimAgent> agent(Provider provider, const QString &id) const;
    QList<SimAgent> agents() const;

    /// Starts a call as if the provider's API had been asked to (or, for inbound calls,
    /// as if someone had dialled the agent's number); returns the provider's call id.
    Result<QString> originate(Provider provider, const QString &agentId, Direction direction,
                              std::optional<Script> script, const QString &customerNumber = {});

    /// Spontaneous calls at config().callsPerMinute to agents that have a webhook URL.
    void startTraffic();
    void stopTraffic();

    std::optional<SimCall> call(const QString &providerCallId) const;
    QList<SimCall> calls() const;
    /// Calls whose script has not finished playing.
    int activeCalls() const;

Q_SIGNALS:
    void callStarted(const QString &providerCallId);
    void callFinished(const QString &providerCallId);

private:
    struct Reply
    {
        int status = 200;
        Json body;
    };
    struct Slot
    {
        SimCall call;
        std::mt19937_64 rng;
    };

    void handle(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    Reply route(const QHttpServerRequest &request);
    Reply routeBolna(const QHttpServerRequest &request, const QStringList &parts, const Json &body);
    Reply routeVapi(const QHttpServerRequest &request, const QStringList &parts, const Json &body);
    Reply routeRetell(const QHttpServerRequest &request, const QStringList &parts,
                      const Json &body);
    Reply routeControl(const QHttpServerRequest &request, const QStringList &parts,
                       const Json &body);

    Reply providerError(Provider provider, int status, const QString &message) const;
    bool authorized(Provider provider, const QHttpServerRequest &request) const;
    bool rollPoll5xx();
    SimAgent *findAgent(Provider provider, const QString &id, bool create);
    Json agentJson(const SimAgent &agent) const;
    Reply updateAgent(Provider provider, const QString &id, const Json &body);

    Result<QString> createCall(Provider provider, const QString &agentId, Direction direction,
                               const QString &toNumber, const QString &fromNumber,
                               std::optional<Script> script, const Json &metadata);
    void schedule(const QString &id, double nominalSeconds,
                  void (Simulator::*step)(const QString &));
    void stepInitiated(const QString &id);
    void stepRinging(const QString &id);
    void stepAnswered(const QString &id);
    void stepLiveTurn(const QString &id);
    void stepEnded(const QString &id);
    void stepFinal(const QString &id);
    void emitStage(Slot &slot, bool ending);
    void sendWebhook(Slot &slot, const Json &body, const QString &kind, bool ending);
    bool wants(const SimAgent &agent, const QString &kind) const;
    void spontaneousCall();
    QString randomCustomerNumber(std::mt19937_64 &rng) const;
    QString newId(Provider provider, std::mt19937_64 &rng) const;

    SimConfig m_config;
    SimStats m_stats;
    std::unique_ptr<QHttpServer> m_server;
    WebhookDelivery *m_delivery;
    QTimer *m_traffic;
    quint16 m_port = 0;
    QHostAddress m_address;
    QHash<QString, SimAgent> m_agents; ///< key: provider + '/' + id
    QHash<QString, Slot> m_calls;
    QStringList m_callOrder;
    std::mt19937_64 m_rng; ///< API-level decisions: poll faults, traffic
    int m_nextIndex = 0;
};

} // namespace cb::sim
