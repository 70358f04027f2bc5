#include "sim/simulator.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>

#include <cstdio>

using cb::sim::SimAgent;
using cb::sim::SimConfig;
using cb::sim::Simulator;

namespace {

bool readShare(const QCommandLineParser &parser, const QString &name, double &target)
{
    if (!parser.isSet(name))
        return true;
    bool ok = false;
    const double value = parser.value(name).toDouble(&ok);
    if (!ok || value < 0 || value > 1)
        return false;
    target = value;
    return true;
}

bool readNumber(const QCommandLineParser &parser, const QString &name, double &target, double min)
{
    if (!parser.isSet(name))
        return true;
    bool ok = false;
    const double value = parser.value(name).toDouble(&ok);
    if (!ok || value < min)
        return false;
    target = value;
    return true;
}

/// "provider:id[@+number][=webhook-url]"
std::optional<SimAgent> parseAgent(const QString &text)
{
    SimAgent agent;
    QString rest = text;
    const qsizetype eq = rest.indexOf(u'=');
    if (eq >= 0) {
        agent.webhookUrl = rest.mid(eq + 1);
        rest.truncate(eq);
    }
    const qsizetype at = rest.indexOf(u'@');
    if (at >= 0) {
        agent.fromNumber = rest.mid(at + 1);
        rest.truncate(at);
    }
    const qsizetype colon = rest.indexOf(u':');
    if (colon <= 0)
        return std::nullopt;
    const auto provider = cb::providerFromString(rest.left(colon));
    if (!provider || colon + 1 >= rest.size())
        return std::nullopt;
    agent.provider = *provider;
    agent.id = rest.mid(colon + 1);
    return agent;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("callboard-sim"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CALLBOARD_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Stand-in for the Bolna, Vapi and Retell APIs, sending their real webhooks.\n"
        "REST under /bolna, /vapi and /retell; test control under /_sim.\n"
        "Destination numbers ending 5550100..5550105 play answered, busy, no_answer, failed,\n"
        "voicemail, long; 5550199 is refused by the provider."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QList<QCommandLineOption> options = {
        {QStringLiteral("listen"), QStringLiteral("Address and port (port 0: any free one)."),
         QStringLiteral("host:port"), QStringLiteral("127.0.0.1:0")},
        {QStringLiteral("seed"), QStringLiteral("Random seed; the same seed plays the same calls."),
         QStringLiteral("n"), QStringLiteral("1")},
        {QStringLiteral("time-scale"),
         QStringLiteral("Multiplies every scripted delay (0.01 = 100x faster)."),
         QStringLiteral("f"), QStringLiteral("1")},
        {QStringLiteral("bolna-key"), QStringLiteral("Bolna API key expected as Bearer."),
         QStringLiteral("key")},
        {QStringLiteral("vapi-key"), QStringLiteral("Vapi private key expected as Bearer."),
         QStringLiteral("key")},
        {QStringLiteral("retell-key"),
         QStringLiteral("Retell API key expected as Bearer; also signs x-retell-signature."),
         QStringLiteral("key")},
        {QStringLiteral("vapi-auth"),
         QStringLiteral("Vapi webhook credential: secret (X-Vapi-Secret), bearer, hmac or none."),
         QStringLiteral("mode")},
        {QStringLiteral("vapi-secret"), QStringLiteral("Vapi webhook secret."),
         QStringLiteral("secret")},
        {QStringLiteral("bolna-secret-header"),
         QStringLiteral(
             "Header carrying --bolna-secret on Bolna webhooks (Bolna itself signs nothing)."),
         QStringLiteral("name")},
        {QStringLiteral("bolna-secret"), QStringLiteral("Value for --bolna-secret-header."),
         QStringLiteral("secret")},
        {QStringLiteral("bolna-final-delay"),
         QStringLiteral("Seconds from call-disconnected to Bolna's completed (default 150)."),
         QStringLiteral("s")},
        {QStringLiteral("post-call-delay"),
         QStringLiteral("Seconds from the end to Vapi's end-of-call-report / Retell's "
                        "call_analyzed (default 5)."),
         QStringLiteral("s")},
        {QStringLiteral("calls-per-minute"),
         QStringLiteral("Spontaneous calls per minute to agents that have a webhook (default 0)."),
         QStringLiteral("n")},
        {QStringLiteral("inbound-share"),
         QStringLiteral("Share of spontaneous calls that are inbound (default 0.5)."),
         QStringLiteral("0..1")},
        {QStringLiteral("script-weights"),
         QStringLiteral("Weights of answered,busy,no_answer,failed,voicemail,long (default "
                        "55,10,10,5,10,10)."),
         QStringLiteral("list")},
        {QStringLiteral("agent"),
         QStringLiteral("Pre-register an agent: provider:id[@+number][=webhook-url]. Repeatable."),
         QStringLiteral("spec")},
        {QStringLiteral("strict-agents"),
         QStringLiteral("Unknown agent ids get 404 instead of being created.")},
        {QStringLiteral("no-live-messages"),
         QStringLiteral("Do not send Vapi speech/transcript/conversation updates or Retell "
                        "transcript_updated.")},
        {QStringLiteral("vapi-queued-updates"),
         QStringLiteral("Also send Vapi status-update queued.")},
        {QStringLiteral("drop"), QStringLiteral("Share of webhooks dropped."),
         QStringLiteral("0..1")},
        {QStringLiteral("duplicate"), QStringLiteral("Share of webhooks sent twice."),
         QStringLiteral("0..1")},
        {QStringLiteral("reorder"),
         QStringLiteral("Share of webhooks held back until after the call's next one."),
         QStringLiteral("0..1")},
        {QStringLiteral("delay-ms"),
         QStringLiteral("Up to this many ms of extra latency per webhook."), QStringLiteral("ms")},
        {QStringLiteral("never-final"),
         QStringLiteral("Share of calls whose ending webhooks are never sent."),
         QStringLiteral("0..1")},
        {QStringLiteral("poll-5xx"), QStringLiteral("Share of call GETs answered with a 5xx."),
         QStringLiteral("0..1")},
        {QStringLiteral("reject-agent-updates"),
         QStringLiteral("Share of agent webhook updates refused with a 4xx."),
         QStringLiteral("0..1")},
    };
    parser.addOptions(options);
    parser.process(app);

    QTextStream err(stderr);
    const auto fail = [&err](const QString &message) {
        err << "callboard-sim: " << message << Qt::endl;
        return 2;
    };

    SimConfig config;
    bool ok = true;
    config.seed = parser.value(QStringLiteral("seed")).toULongLong(&ok);
    if (!ok)
        return fail(QStringLiteral("--seed must be a non-negative integer"));
    if (!readNumber(parser, QStringLiteral("time-scale"), config.timeScale, 0.0001))
        return fail(QStringLiteral("--time-scale must be a number >= 0.0001"));
    if (parser.isSet(QStringLiteral("bolna-key")))
        config.bolnaKey = parser.value(QStringLiteral("bolna-key"));
    if (parser.isSet(QStringLiteral("vapi-key")))
        config.vapiKey = parser.value(QStringLiteral("vapi-key"));
    if (parser.isSet(QStringLiteral("retell-key")))
        config.retellKey = parser.value(QStringLiteral("retell-key"));
    if (parser.isSet(QStringLiteral("vapi-auth"))) {
        config.vapiAuth = parser.value(QStringLiteral("vapi-auth"));
        if (!QStringList{QStringLiteral("secret"), QStringLiteral("bearer"), QStringLiteral("hmac"),
                         QStringLiteral("none")}
                 .contains(config.vapiAuth))
            return fail(QStringLiteral("--vapi-auth must be secret, bearer, hmac or none"));
    }
    if (parser.isSet(QStringLiteral("vapi-secret")))
        config.vapiSecret = parser.value(QStringLiteral("vapi-secret"));
    config.bolnaSecretHeader = parser.value(QStringLiteral("bolna-secret-header")).toUtf8();
    config.bolnaSecret = parser.value(QStringLiteral("bolna-secret"));
    if (!readNumber(parser, QStringLiteral("bolna-final-delay"), config.bolnaFinalDelayS, 0) ||
        !readNumber(parser, QStringLiteral("post-call-delay"), config.postCallDelayS, 0) ||
        !readNumber(parser, QStringLiteral("calls-per-minute"), config.callsPerMinute, 0))
        return fail(QStringLiteral("delays and rates must be non-negative numbers"));
    config.autoCreateAgents = !parser.isSet(QStringLiteral("strict-agents"));
    config.liveMessages = !parser.isSet(QStringLiteral("no-live-messages"));
    config.vapiQueuedUpdates = parser.isSet(QStringLiteral("vapi-queued-updates"));
    if (parser.isSet(QStringLiteral("script-weights"))) {
        const QStringList weights = parser.value(QStringLiteral("script-weights")).split(u',');
        if (weights.size() != qsizetype(config.scriptWeights.size()))
            return fail(QStringLiteral("--script-weights needs six comma-separated integers"));
        for (qsizetype i = 0; i < weights.size(); ++i) {
            const int w = weights.at(i).trimmed().toInt(&ok);
            if (!ok || w < 0)
                return fail(QStringLiteral("--script-weights needs six non-negative integers"));
            config.scriptWeights[size_t(i)] = w;
        }
    }
    cb::sim::SimFaults &faults = config.faults;
    if (!readShare(parser, QStringLiteral("drop"), faults.drop) ||
        !readShare(parser, QStringLiteral("duplicate"), faults.duplicate) ||
        !readShare(parser, QStringLiteral("reorder"), faults.reorder) ||
        !readShare(parser, QStringLiteral("never-final"), faults.neverFinal) ||
        !readShare(parser, QStringLiteral("poll-5xx"), faults.poll5xx) ||
        !readShare(parser, QStringLiteral("reject-agent-updates"), faults.rejectAgentUpdates) ||
        !readShare(parser, QStringLiteral("inbound-share"), config.inboundShare))
        return fail(QStringLiteral("shares must be numbers between 0 and 1"));
    if (parser.isSet(QStringLiteral("delay-ms"))) {
        faults.delayMs = parser.value(QStringLiteral("delay-ms")).toInt(&ok);
        if (!ok || faults.delayMs < 0)
            return fail(QStringLiteral("--delay-ms must be a non-negative integer"));
    }

    const QString listen = parser.value(QStringLiteral("listen"));
    const qsizetype colon = listen.lastIndexOf(u':');
    const QHostAddress address(colon > 0 ? listen.left(colon) : listen);
    const uint port = colon > 0 ? listen.mid(colon + 1).toUInt(&ok) : 0;
    if (address.isNull() || !ok || port > 65535)
        return fail(QStringLiteral("--listen must be host:port, e.g. 127.0.0.1:0"));

    Simulator simulator(config);
    for (const QString &spec : parser.values(QStringLiteral("agent"))) {
        const auto agent = parseAgent(spec);
        if (!agent)
            return fail(
                QStringLiteral("bad --agent '%1', expected provider:id[@+number][=url]").arg(spec));
        simulator.setAgent(*agent);
    }
    const auto bound = simulator.listen(address, quint16(port));
    if (!bound)
        return fail(bound.error().message);

    QTextStream out(stdout);
    out << "listening on " << simulator.rootUrl().toString() << Qt::endl;
    simulator.startTraffic();
    return app.exec();
}
