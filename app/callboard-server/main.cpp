#include "server/admincommands.h"
#include "server/demoseed.h"
#include "server/pollerservices.h"
#include "server/realtimeservice.h"
#include "server/serverapp.h"
#include "server/shutdownsignals.h"
#include "sim/simulator.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTimer>

#include <cstdio>
#include <memory>

namespace {

/// `--demo`: the providers are a simulator inside this process, the demo agents are synced
/// to it, and calls keep coming (its own traffic plus outbound calls started through the
/// same path as the REST API), so a fresh demo is alive within seconds.
std::unique_ptr<cb::sim::Simulator> startDemoProviders(cb::ServerApp &server,
                                                       cb::ProviderServices &services)
{
    cb::sim::SimConfig config;
    config.seed = quint64(QDateTime::currentMSecsSinceEpoch());
    config.timeScale = 0.25;
    config.bolnaFinalDelayS = 60;
    config.bolnaKey = QStringLiteral("demo-bolna-api-key");
    config.vapiKey = QStringLiteral("demo-vapi-api-key");
    config.retellKey = cb::demo::retellKey;
    config.extraApiKeys = {QStringLiteral("demo-globex-bolna-api-key")};
    config.vapiSecret = cb::demo::vapiSecret;
    config.callsPerMinute = 20;
    config.inboundShare = 0.4;
    auto sim = std::make_unique<cb::sim::Simulator>(config);
    if (!sim->listen(QHostAddress::LocalHost, 0))
        return nullptr;
    for (auto provider : {cb::Provider::Bolna, cb::Provider::Vapi, cb::Provider::Retell})
        services.poller().setBaseUrlOverride(provider, sim->baseUrl(provider));

    cb::sim::Simulator *simulator = sim.get();
    auto orgs = server.store().listOrgs();
    for (const cb::Org &org : orgs ? *orgs : QList<cb::Org>()) {
        auto agents = server.store().org(org.id).agents();
        for (const cb::Agent &agent : agents ? *agents : QList<cb::Agent>()) {
            cb::sim::SimAgent simAgent;
            simAgent.provider = agent.provider;
            simAgent.id = agent.providerAgentId;
            simAgent.name = agent.name;
            simAgent.fromNumber = agent.fromNumber;
            simulator->setAgent(simAgent);
            services.agentSync().sync(org.id, agent.id, false, [](cb::Result<cb::Agent>) {});
        }
    }
    simulator->startTraffic();

    // Outbound calls of the demo org, one every few seconds, to its contacts and test numbers.
    auto *outbound = new QTimer(simulator);
    auto counter = std::make_shared<int>(0);
    const auto startOne = [&server, &services, counter] {
        auto agents = server.store().org(cb::demo::acmeOrgId).agents();
        if (!agents || agents->isEmpty())
            return;
        const int n = (*counter)++;
        const cb::Agent &agent = agents->at(n % agents->size());
        const QString numbers[] = {QStringLiteral("+14155550123"), QStringLiteral("+14155550124"),
                                   QStringLiteral("+14155550125"), QStringLiteral("+14155550101"),
                                   QStringLiteral("+14155550102"), QStringLiteral("+14155550104")};
        cb::Poller::StartRequest request;
        request.orgId = cb::demo::acmeOrgId;
        request.agentId = agent.id;
        request.toNumber = numbers[n % 6];
        request.isTest = n % 7 == 0;
        services.poller().startCall(request, [](cb::Result<cb::Call>, std::optional<cb::Error>) {});
    };
    QObject::connect(outbound, &QTimer::timeout, simulator, startOne);
    outbound->start(4000);
    // Once the agents are synced, one call per agent at once, so the table fills in seconds.
    QTimer::singleShot(1500, simulator, [startOne] {
        for (int i = 0; i < 3; ++i)
            startOne();
    });
    return sim;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("callboard-server"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CALLBOARD_VERSION));

    const QStringList arguments = QCoreApplication::arguments();
    if (arguments.size() > 1 && arguments.at(1) == u"admin") {
        QStringList adminArguments = arguments;
        adminArguments.removeAt(1);
        return cb::runAdminCommand(adminArguments);
    }

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Callboard backend: webhook intake, store, REST and realtime API.\n\n"
                       "Administration: callboard-server admin --help\n\n") +
        cb::ServerConfig::environmentHelp());
    parser.addHelpOption();
    parser.addVersionOption();
    cb::ServerConfig::addOptions(parser);
    cb::PollerConfig::addOptions(parser);
    parser.process(app);

    auto config = cb::ServerConfig::fromParser(parser);
    if (!config) {
        std::fprintf(stderr, "callboard-server: %s\n", qPrintable(config.error().message));
        return 2;
    }
    auto pollerConfig = cb::PollerConfig::fromParser(parser);
    if (!pollerConfig) {
        std::fprintf(stderr, "callboard-server: %s\n", qPrintable(pollerConfig.error().message));
        return 2;
    }

    cb::ServerApp server(*config);
    cb::HubOptions hubOptions = cb::RealtimeService::optionsFromEnvironment();
    hubOptions.maxConnectionsPerUser = config->maxWebSocketsPerUser;
    cb::RealtimeService realtime(server, hubOptions);
    auto port = server.start();
    if (!port) {
        std::fprintf(stderr, "callboard-server: %s\n", qPrintable(port.error().message));
        return 1;
    }
    if (auto shared = realtime.start(); !shared) {
        std::fprintf(stderr, "callboard-server: %s\n", qPrintable(shared.error().message));
        return 1;
    }
    QString host = server.http().address().toString();
    if (server.http().address().protocol() == QAbstractSocket::IPv6Protocol)
        host = u'[' + host + u']';
    // Tests and the desktop's "Local demo" read this line to find the port.
    std::printf("listening on http://%s:%u\n", qPrintable(host), unsigned(*port));
    std::fflush(stdout);

    if (pollerConfig->publicUrl.isEmpty()) {
        const bool any = server.http().address() == QHostAddress::Any ||
            server.http().address() == QHostAddress::AnyIPv4 ||
            server.http().address() == QHostAddress::AnyIPv6;
        pollerConfig->publicUrl = QUrl(QStringLiteral("http://%1:%2")
                                           .arg(any ? QStringLiteral("127.0.0.1") : host)
                                           .arg(*port));
    }
    cb::ProviderServices providers(server, *pollerConfig);
    providers.start();
    std::unique_ptr<cb::sim::Simulator> demoProviders;
    // With explicit provider URLs the demo data talks to those providers instead.
    if (config->demo && pollerConfig->baseUrlOverrides.isEmpty()) {
        demoProviders = startDemoProviders(server, providers);
        if (!demoProviders)
            std::fprintf(stderr,
                         "callboard-server: the demo's simulated providers could not start\n");
    }

    cb::ShutdownSignals signals;
    QObject::connect(&signals, &cb::ShutdownSignals::requested, &server,
                     [&server](int) { server.shutdown(); });
    QObject::connect(&server, &cb::ServerApp::stopped, &app, &QCoreApplication::quit,
                     Qt::QueuedConnection);
    return app.exec();
}
