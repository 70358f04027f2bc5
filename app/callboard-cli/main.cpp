// callboard-cli: the client library on the command line, for scripts and diagnosis.
//
// Exit codes (stable, for scripts):
//   0 success
//   1 usage error (unknown command, missing or invalid option)
//   2 authentication: not signed in, wrong credentials, expired or refused token
//   3 network or server error (unreachable, timeout, 5xx, invalid answer)
//   4 not found (organization you are not a member of, call, agent)
//   5 forbidden: your role does not allow this
//   6 keychain unavailable (use --no-keychain, or --token)
//   7 diagnose: at least one check failed

#include "client/apiclient.h"
#include "client/realtimeclient.h"
#include "client/secretstore.h"
#include "client/session.h"

#include "core/json.h"
#include "core/phonenumber.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>
#include <QFile>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QSettings>
#include <QTextStream>
#include <QTimer>

#include <csignal>
#include <cstdio>

using namespace cb;

namespace {

enum Exit {
    Ok = 0,
    Usage = 1,
    Auth = 2,
    Network = 3,
    NotFound = 4,
    Forbidden = 5,
    Keychain = 6,
    DiagnoseFailed = 7
};

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream;
}

int exitCodeFor(const Error &error)
{
    const QString &c = error.code;
    if (c == u"unauthorized" || c == u"invalid_credentials" || c == u"invalid_token")
        return Auth;
    if (c == u"not_found" || c == u"not_a_member")
        return NotFound;
    if (c == u"forbidden")
        return Forbidden;
    if (c == u"no_keychain" || c.startsWith(u"keychain"))
        return Keychain;
    if (c == u"invalid_parameter" || c == u"invalid_body" || c == u"invalid_request")
        return Usage;
    return Network;
}

int fail(const Error &error)
{
    err() << "error: " << error.message << " (" << error.code << ")\n";
    err().flush();
    return exitCodeFor(error);
}

int usage(const QString &message)
{
    err() << "usage error: " << message << "\nRun 'callboard-cli --help' for the commands.\n";
    err().flush();
    return Usage;
}

template<typename T>
Result<T> await(ApiJob<T> *job)
{
    std::optional<Result<T>> result;
    QEventLoop loop;
    job->onFinished(&loop, [&](const Result<T> &r) {
        result.emplace(r);
        loop.quit();
    });
    loop.exec();
    return std::move(*result);
}

void printTable(const QList<QStringList> &rows)
{
    if (rows.isEmpty())
        return;
    QList<qsizetype> widths(rows.first().size(), 0);
    for (const QStringList &row : rows) {
        for (qsizetype i = 0; i < row.size() && i < widths.size(); ++i)
            widths[i] = std::max(widths[i], row.at(i).size());
    }
    for (const QStringList &row : rows) {
        QString line;
        for (qsizetype i = 0; i < row.size(); ++i)
            line += i + 1 < row.size() ? row.at(i).leftJustified(widths[i] + 2) : row.at(i);
        out() << line.trimmed() << '\n';
    }
}

QString csvField(const QString &value)
{
    if (!value.contains(u',') && !value.contains(u'"') && !value.contains(u'\n'))
        return value;
    QString quoted = value;
    quoted.replace(QStringLiteral("\""), QStringLiteral("\"\""));
    return u'"' + quoted + u'"';
}

QString number(const std::optional<double> &value)
{
    return value ? QString::number(*value) : QString();
}

QString time(const QDateTime &t)
{
    return t.isValid() ? t.toUTC().toString(Qt::ISODate) : QString();
}

struct Context
{
    explicit Context(QCommandLineParser &p) : parser(p) { }

    QCommandLineParser &parser;
    QNetworkAccessManager network;
    ApiClient api{&network};
    QUrl server;
    QString orgId;
    QList<Org> orgs;
    QString token;
};

/// Resolves the token (--token, CALLBOARD_TOKEN, or the saved session) and the org.
int authenticate(Context &ctx, bool needOrg)
{
    QString token = ctx.parser.value(QStringLiteral("token"));
    if (token.isEmpty())
        token = qEnvironmentVariable("CALLBOARD_TOKEN");
    if (token.isEmpty()) {
        if (ctx.parser.isSet(QStringLiteral("no-keychain")))
            return fail({QStringLiteral("unauthorized"),
                         QStringLiteral("Not signed in: pass --token (or CALLBOARD_TOKEN).")});
        QString email = ctx.parser.value(QStringLiteral("email"));
        if (email.isEmpty())
            email =
                QSettings().value(QStringLiteral("cli/email/") + ctx.server.toString()).toString();
        if (email.isEmpty())
            return fail(
                {QStringLiteral("unauthorized"),
                 QStringLiteral("Not signed in: run 'callboard-cli login' or pass --token.")});
        KeychainStore store;
        Session session(&ctx.api, &store);
        QEventLoop loop;
        QObject::connect(&session, &Session::loggedIn, &loop, &QEventLoop::quit);
        QObject::connect(&session, &Session::restoreFailed, &loop, &QEventLoop::quit);
        session.restore(ctx.server, email);
        if (session.state() == Session::State::Restoring)
            loop.exec();
        if (!session.isLoggedIn()) {
            Error e = session.lastError();
            if (e.code == u"not_found")
                e = {QStringLiteral("unauthorized"),
                     QStringLiteral("Not signed in: run 'callboard-cli login' or pass --token.")};
            return fail(e);
        }
        token = session.token();
        ctx.orgs = session.orgs();
        ctx.orgId = session.currentOrgId();
    }
    ctx.api.setBaseUrl(ctx.server);
    ctx.api.setToken(token);
    ctx.token = token;
    if (ctx.parser.isSet(QStringLiteral("org")))
        ctx.orgId = ctx.parser.value(QStringLiteral("org"));
    else if (!qEnvironmentVariable("CALLBOARD_ORG").isEmpty())
        ctx.orgId = qEnvironmentVariable("CALLBOARD_ORG");
    if (needOrg && ctx.orgId.isEmpty()) {
        auto orgs = await(ctx.api.orgs());
        if (!orgs)
            return fail(orgs.error());
        ctx.orgs = *orgs;
        if (ctx.orgs.size() == 1)
            ctx.orgId = ctx.orgs.first().id;
        else if (ctx.orgs.isEmpty())
            return fail(
                {QStringLiteral("not_found"), QStringLiteral("You belong to no organization.")});
        else
            return usage(
                QStringLiteral("you belong to several organizations; choose one with --org"));
    }
    return Ok;
}

QString readPassword(const QCommandLineParser &parser)
{
    if (parser.isSet(QStringLiteral("password-stdin"))) {
        QTextStream in(stdin);
        return in.readLine();
    }
    return qEnvironmentVariable("CALLBOARD_PASSWORD");
}

int cmdLogin(Context &ctx)
{
    const QString email = ctx.parser.value(QStringLiteral("email"));
    const QString password = readPassword(ctx.parser);
    if (email.isEmpty() || password.isEmpty())
        return usage(QStringLiteral(
            "login needs --email and a password (--password-stdin or CALLBOARD_PASSWORD)"));
    const bool keep = !ctx.parser.isSet(QStringLiteral("no-keychain"));
    KeychainStore keychain;
    Session session(&ctx.api, keep ? static_cast<SecretStore *>(&keychain) : nullptr);
    std::optional<Error> storeError;
    QEventLoop loop;
    QObject::connect(&session, &Session::loginFailed, &loop, &QEventLoop::quit);
    QObject::connect(&session, &Session::secretStoreFailed, &loop, [&](const Error &e) {
        storeError = e;
        loop.quit();
    });
    QObject::connect(&session, &Session::sessionSaved, &loop, &QEventLoop::quit);
    if (!keep)
        QObject::connect(&session, &Session::loggedIn, &loop, &QEventLoop::quit);
    session.login(ctx.server, email, password);
    loop.exec();
    if (!session.isLoggedIn())
        return fail(session.lastError());
    if (storeError)
        return fail(*storeError);
    QSettings().setValue(QStringLiteral("cli/email/") + ctx.server.toString(), email);
    if (!keep)
        out() << session.token() << '\n';
    err() << "Signed in as " << email << " to " << ctx.server.toString() << " ("
          << session.orgs().size() << " organizations)"
          << (keep ? "" : "; token printed, not saved") << '\n';
    return Ok;
}

int cmdOrgs(Context &ctx)
{
    if (int rc = authenticate(ctx, false))
        return rc;
    auto orgs = await(ctx.api.orgs());
    if (!orgs)
        return fail(orgs.error());
    QList<QStringList> rows{{QStringLiteral("ID"), QStringLiteral("NAME"), QStringLiteral("ROLE")}};
    for (const Org &org : *orgs)
        rows.append({org.id, org.name, wireName(org.role)});
    printTable(rows);
    return Ok;
}

int cmdCalls(Context &ctx)
{
    if (int rc = authenticate(ctx, true))
        return rc;
    CallQuery query;
    const QString statusText = ctx.parser.value(QStringLiteral("status"));
    for (const QString &name : statusText.split(u',', Qt::SkipEmptyParts)) {
        const auto status = callStatusFromString(name.trimmed());
        if (!status)
            return usage(QStringLiteral("unknown status '%1'").arg(name));
        query.statuses.append(*status);
    }
    query.agentId = ctx.parser.value(QStringLiteral("agent"));
    if (ctx.parser.isSet(QStringLiteral("provider"))) {
        query.provider = providerFromString(ctx.parser.value(QStringLiteral("provider")));
        if (!query.provider)
            return usage(QStringLiteral("unknown provider"));
    }
    if (ctx.parser.isSet(QStringLiteral("direction"))) {
        query.direction = directionFromString(ctx.parser.value(QStringLiteral("direction")));
        if (!query.direction)
            return usage(QStringLiteral("unknown direction"));
    }
    query.includeTest = ctx.parser.isSet(QStringLiteral("include-test"));
    query.text = ctx.parser.value(QStringLiteral("search"));
    for (const char *key : {"from", "to"}) {
        const QString text = ctx.parser.value(QString::fromLatin1(key));
        if (text.isEmpty())
            continue;
        const QDateTime t = parseIsoTime(text);
        if (!t.isValid())
            return usage(
                QStringLiteral("--%1 must be an ISO 8601 time").arg(QString::fromLatin1(key)));
        (qstrcmp(key, "from") == 0 ? query.from : query.to) = t;
    }
    bool limitOk = true;
    const int limit = ctx.parser.isSet(QStringLiteral("limit"))
        ? ctx.parser.value(QStringLiteral("limit")).toInt(&limitOk)
        : 100;
    if (!limitOk || limit < 1)
        return usage(QStringLiteral("--limit must be a positive number"));
    QList<Call> calls;
    while (calls.size() < limit) {
        query.limit = std::min(500, limit - int(calls.size()));
        auto page = await(ctx.api.calls(ctx.orgId, query));
        if (!page)
            return fail(page.error());
        calls.append(page->calls);
        if (page->nextCursor.isEmpty() || page->calls.isEmpty())
            break;
        query.cursor = page->nextCursor;
    }
    const QStringList header{
        QStringLiteral("created_at"), QStringLiteral("status"),     QStringLiteral("direction"),
        QStringLiteral("caller"),     QStringLiteral("number"),     QStringLiteral("agent_id"),
        QStringLiteral("provider"),   QStringLiteral("duration_s"), QStringLiteral("cost_cents"),
        QStringLiteral("end_reason"), QStringLiteral("flags"),      QStringLiteral("id")};
    QList<QStringList> rows;
    for (const Call &c : std::as_const(calls)) {
        QStringList flags;
        if (c.isTest)
            flags << QStringLiteral("test");
        if (c.stale)
            flags << QStringLiteral("stale");
        if (c.voicemail)
            flags << QStringLiteral("voicemail");
        rows.append({time(c.createdAt), wireName(c.status),
                     c.direction ? wireName(*c.direction) : QString(), c.callerName,
                     c.customerNumber(), c.agentId, wireName(c.provider), number(c.durationS),
                     number(c.costCents), c.endReason, flags.join(u'|'), c.id});
    }
    if (ctx.parser.isSet(QStringLiteral("csv"))) {
        out() << header.join(u',') << '\n';
        for (const QStringList &row : std::as_const(rows)) {
            QStringList fields;
            for (const QString &f : row)
                fields.append(csvField(f));
            out() << fields.join(u',') << '\n';
        }
    } else {
        QStringList upper;
        for (const QString &h : header)
            upper.append(h.toUpper());
        rows.prepend(upper);
        printTable(rows);
    }
    return Ok;
}

volatile std::sig_atomic_t interrupted = 0;

int cmdWatch(Context &ctx)
{
    if (int rc = authenticate(ctx, true))
        return rc;
    RealtimeClient realtime;
    realtime.setServerUrl(ctx.server);
    realtime.setToken(ctx.token);
    realtime.setOrg(ctx.orgId);
    const int maxEvents = ctx.parser.value(QStringLiteral("count")).toInt();
    int seen = 0;
    int rc = Ok;
    QObject::connect(&realtime, &RealtimeClient::eventReceived, &realtime,
                     [&](const QString &name, const QByteArray &args) {
                         out() << R"({"event":")" << name << R"(","args":)"
                               << QString::fromUtf8(args) << "}\n";
                         out().flush();
                         if (maxEvents > 0 && ++seen >= maxEvents)
                             QCoreApplication::exit(Ok);
                     });
    QObject::connect(&realtime, &RealtimeClient::joined, &realtime,
                     [](const QString &org, qint64 seq) {
                         err() << "joined " << org << " at seq " << seq << '\n';
                         err().flush();
                     });
    QObject::connect(&realtime, &RealtimeClient::retryScheduled, &realtime,
                     [](int ms, const QDateTime &) {
                         err() << "reconnecting in " << ms << " ms\n";
                         err().flush();
                     });
    QObject::connect(&realtime, &RealtimeClient::authFailed, &realtime, [&rc](const Error &e) {
        rc = fail(e);
        QCoreApplication::exit(rc);
    });
    QObject::connect(&realtime, &RealtimeClient::joinFailed, &realtime,
                     [&rc](const QString &, const Error &e) {
                         rc = fail(e);
                         QCoreApplication::exit(rc);
                     });
    std::signal(SIGINT, [](int) { interrupted = 1; });
    std::signal(SIGTERM, [](int) { interrupted = 1; });
    QTimer watchSignals;
    QObject::connect(&watchSignals, &QTimer::timeout, &realtime, [] {
        if (interrupted)
            QCoreApplication::exit(Ok);
    });
    watchSignals.start(100);
    realtime.open();
    const int code = QCoreApplication::exec();
    realtime.close();
    return code;
}

int cmdStartCall(Context &ctx)
{
    if (int rc = authenticate(ctx, true))
        return rc;
    NewCallRequest request;
    request.agentId = ctx.parser.value(QStringLiteral("agent"));
    request.toNumber = normalizePhoneNumber(ctx.parser.value(QStringLiteral("to")));
    request.isTest = ctx.parser.isSet(QStringLiteral("test"));
    if (request.agentId.isEmpty())
        return usage(QStringLiteral("call needs --agent"));
    if (!isE164(request.toNumber))
        return usage(QStringLiteral("--to must be an E.164 number like +14155550100"));
    auto call = await(ctx.api.startCall(ctx.orgId, request));
    if (!call)
        return fail(call.error());
    out() << QString::fromUtf8(toBytes(toJson(*call))) << '\n';
    return Ok;
}

int cmdAgents(Context &ctx)
{
    if (int rc = authenticate(ctx, true))
        return rc;
    auto agents = await(ctx.api.agents(ctx.orgId));
    if (!agents)
        return fail(agents.error());
    QList<QStringList> rows{{QStringLiteral("ID"), QStringLiteral("NAME"),
                             QStringLiteral("PROVIDER"), QStringLiteral("FROM"),
                             QStringLiteral("WEBHOOK"), QStringLiteral("CHECKED")}};
    for (const Agent &a : *agents)
        rows.append({a.id, a.name, wireName(a.provider), a.fromNumber, wireName(a.webhookState),
                     time(a.webhookCheckedAt)});
    printTable(rows);
    return Ok;
}

int cmdSyncAgents(Context &ctx)
{
    if (int rc = authenticate(ctx, true))
        return rc;
    const QString one = ctx.parser.value(QStringLiteral("agent"));
    QList<AgentSyncOutcome> outcomes;
    if (!one.isEmpty()) {
        auto agent = await(ctx.api.syncAgent(ctx.orgId, one));
        if (!agent)
            return fail(agent.error());
        outcomes.append({agent->id, agent->webhookState == WebhookState::Synced, *agent,
                         agent->webhookMessage});
    } else {
        auto all = await(ctx.api.syncAllAgents(ctx.orgId));
        if (!all)
            return fail(all.error());
        outcomes = *all;
    }
    int failed = 0;
    QList<QStringList> rows{{QStringLiteral("AGENT"), QStringLiteral("RESULT"),
                             QStringLiteral("WEBHOOK"), QStringLiteral("MESSAGE")}};
    for (const AgentSyncOutcome &o : std::as_const(outcomes)) {
        failed += !o.ok;
        rows.append({o.agentId, o.ok ? QStringLiteral("ok") : QStringLiteral("failed"),
                     wireName(o.agent.webhookState), o.error});
    }
    printTable(rows);
    return failed ? Network : Ok;
}

int cmdDiagnose(Context &ctx)
{
    if (int rc = authenticate(ctx, true))
        return rc;
    int problems = 0;
    auto check = [&problems](bool ok, const QString &what, const QString &detail) {
        problems += !ok;
        out() << (ok ? "ok    " : "FAIL  ") << what
              << (detail.isEmpty() ? QString() : QStringLiteral(": ") + detail) << '\n';
    };
    auto health = await(ctx.api.health());
    check(health.ok(), QStringLiteral("server reachable"),
          health.ok() ? ctx.server.toString() : health.error().message);
    auto diag = await(ctx.api.diagnostics(ctx.orgId));
    if (diag) {
        check(diag->agentsSynced == diag->agentsTotal, QStringLiteral("agents synced"),
              QStringLiteral("%1 of %2 synced, %3 with a webhook")
                  .arg(diag->agentsSynced)
                  .arg(diag->agentsTotal)
                  .arg(diag->agentsWithWebhook));
        check(diag->unroutedEvents == 0, QStringLiteral("unrouted webhook events"),
              QString::number(diag->unroutedEvents));
        check(diag->staleCalls == 0, QStringLiteral("stale calls"),
              QString::number(diag->staleCalls));
        for (const auto &[provider, at] : diag->lastWebhookByProvider)
            out() << "info  last " << provider
                  << " webhook: " << (at.isValid() ? time(at) : QStringLiteral("never")) << '\n';
    } else {
        check(false, QStringLiteral("diagnostics"), diag.error().message);
    }
    // The webhook endpoint answers (an unsigned probe must be refused, not time out).
    {
        QNetworkRequest request(ctx.api.url(u"/api/webhooks/vapi"));
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/json"));
        request.setTransferTimeout(10000);
        QNetworkReply *reply = ctx.network.post(request, QByteArrayLiteral("{}"));
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        check(status > 0 && status<500, QStringLiteral("webhook endpoint reachable"), status> 0
                  ? QStringLiteral("HTTP %1 to an unsigned probe").arg(status)
                  : reply->errorString());
        reply->deleteLater();
    }
    // Realtime connects and joins.
    {
        RealtimeClient realtime;
        realtime.setServerUrl(ctx.server);
        realtime.setToken(ctx.token);
        realtime.setOrg(ctx.orgId);
        QEventLoop loop;
        std::optional<qint64> joinedSeq;
        Error error;
        QObject::connect(&realtime, &RealtimeClient::joined, &loop,
                         [&](const QString &, qint64 seq) {
                             joinedSeq = seq;
                             loop.quit();
                         });
        QObject::connect(&realtime, &RealtimeClient::authFailed, &loop, [&](const Error &e) {
            error = e;
            loop.quit();
        });
        QObject::connect(&realtime, &RealtimeClient::joinFailed, &loop,
                         [&](const QString &, const Error &e) {
                             error = e;
                             loop.quit();
                         });
        QObject::connect(&realtime, &RealtimeClient::retryScheduled, &loop, [&] {
            error = realtime.lastError();
            loop.quit();
        });
        QTimer::singleShot(15000, &loop, &QEventLoop::quit);
        realtime.open();
        loop.exec();
        check(joinedSeq.has_value(), QStringLiteral("realtime connects and joins"),
              joinedSeq ? QStringLiteral("joined at seq %1").arg(*joinedSeq) : error.message);
        realtime.close();
    }
    // Age of the last event: the newest change among the calls.
    CallQuery query;
    query.limit = 1;
    auto latest = await(ctx.api.calls(ctx.orgId, query));
    if (latest && !latest->calls.isEmpty()) {
        const QDateTime at = latest->calls.first().updatedAt.isValid()
            ? latest->calls.first().updatedAt
            : latest->calls.first().createdAt;
        out() << "info  last event "
              << (at.isValid() ? QString::number(at.secsTo(QDateTime::currentDateTimeUtc())) +
                          QStringLiteral(" s ago")
                               : QStringLiteral("unknown"))
              << '\n';
    } else if (latest) {
        out() << "info  no calls yet\n";
    }
    return problems ? DiagnoseFailed : Ok;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("Callboard"));
    QCoreApplication::setApplicationName(QStringLiteral("callboard-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CALLBOARD_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Command-line client for a Callboard server.\n\n"
        "Commands:\n"
        "  login        sign in (--email, password from --password-stdin or CALLBOARD_PASSWORD)\n"
        "  orgs         your organizations\n"
        "  calls        list calls (table, or --csv) with filters\n"
        "  watch        live events as JSON lines (--count N to stop after N)\n"
        "  call         start a call (--agent, --to, --test)\n"
        "  agents       agents and their webhook state\n"
        "  sync-agents  set the webhook at the provider (all, or --agent ID)\n"
        "  diagnose     check agents, webhook endpoint, realtime and the last event\n\n"
        "Exit codes: 0 ok, 1 usage, 2 authentication, 3 network/server, 4 not found,\n"
        "5 forbidden, 6 keychain unavailable, 7 diagnose found problems."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("command"),
                                 QStringLiteral("What to do (see above)."));
    parser.addOptions({
        {QStringLiteral("server"),
         QStringLiteral("Server URL (default $CALLBOARD_SERVER or http://127.0.0.1:8080)."),
         QStringLiteral("url")},
        {QStringLiteral("token"),
         QStringLiteral("Bearer token to use instead of the saved session (or $CALLBOARD_TOKEN)."),
         QStringLiteral("token")},
        {QStringLiteral("org"), QStringLiteral("Organization id (or $CALLBOARD_ORG)."),
         QStringLiteral("id")},
        {QStringLiteral("email"), QStringLiteral("Account email."), QStringLiteral("email")},
        {QStringLiteral("password-stdin"),
         QStringLiteral("Read the password from the first line of stdin.")},
        {QStringLiteral("no-keychain"),
         QStringLiteral("Keep the session in memory only; login prints the token.")},
        {QStringLiteral("status"), QStringLiteral("calls: statuses, comma-separated."),
         QStringLiteral("list")},
        {QStringLiteral("agent"), QStringLiteral("calls/call/sync-agents: agent id."),
         QStringLiteral("id")},
        {QStringLiteral("provider"), QStringLiteral("calls: bolna, vapi or retell."),
         QStringLiteral("name")},
        {QStringLiteral("direction"), QStringLiteral("calls: inbound, outbound or web."),
         QStringLiteral("name")},
        {QStringLiteral("include-test"), QStringLiteral("calls: include test calls.")},
        {QStringLiteral("search"), QStringLiteral("calls: number, caller name or id."),
         QStringLiteral("text")},
        {QStringLiteral("from"), QStringLiteral("calls: created at or after (ISO 8601)."),
         QStringLiteral("time")},
        {QStringLiteral("to"),
         QStringLiteral("calls: created before (ISO 8601); call: the number to dial."),
         QStringLiteral("value")},
        {QStringLiteral("limit"), QStringLiteral("calls: at most this many (default 100)."),
         QStringLiteral("n")},
        {QStringLiteral("csv"), QStringLiteral("calls: CSV instead of a table.")},
        {QStringLiteral("test"), QStringLiteral("call: mark it as a test call.")},
        {QStringLiteral("count"), QStringLiteral("watch: exit after this many events."),
         QStringLiteral("n")},
        {QStringLiteral("verbose"), QStringLiteral("Log what the client does to stderr.")},
    });
    parser.process(app);
    if (!parser.isSet(QStringLiteral("verbose")))
        QLoggingCategory::setFilterRules(QStringLiteral("callboard.*.info=false"));

    const QStringList args = parser.positionalArguments();
    if (args.size() != 1)
        return usage(QStringLiteral("give exactly one command"));
    Context ctx(parser);
    QString server = parser.value(QStringLiteral("server"));
    if (server.isEmpty())
        server = qEnvironmentVariable("CALLBOARD_SERVER", QStringLiteral("http://127.0.0.1:8080"));
    ctx.server = QUrl(server);
    if (!ctx.server.isValid() ||
        (ctx.server.scheme() != u"http" && ctx.server.scheme() != u"https"))
        return usage(QStringLiteral("--server must be an http:// or https:// URL"));
    ctx.api.setBaseUrl(ctx.server);

    const QString &command = args.first();
    int rc = Usage;
    if (command == u"login")
        rc = cmdLogin(ctx);
    else if (command == u"orgs")
        rc = cmdOrgs(ctx);
    else if (command == u"calls")
        rc = cmdCalls(ctx);
    else if (command == u"watch")
        rc = cmdWatch(ctx);
    else if (command == u"call")
        rc = cmdStartCall(ctx);
    else if (command == u"agents")
        rc = cmdAgents(ctx);
    else if (command == u"sync-agents")
        rc = cmdSyncAgents(ctx);
    else if (command == u"diagnose")
        rc = cmdDiagnose(ctx);
    else
        return usage(QStringLiteral("unknown command '%1'").arg(command));
    out().flush();
    err().flush();
    return rc;
}
