#include "admincommands.h"

#include "demoseed.h"
#include "passwordhash.h"
#include "serverconfig.h"
#include "store.h"

#include "core/json.h"

#include <QCommandLineParser>
#include <QTextStream>

#include <cstdio>

namespace cb {

namespace {

const char *const usage =
    "Commands:\n"
    "  create-org      --name NAME [--id ID]\n"
    "  create-user     --email EMAIL (--password PW | --password-stdin) [--name NAME]\n"
    "                  [--org ORG --role viewer|staff|admin]\n"
    "  add-member      --org ORG --email EMAIL --role viewer|staff|admin\n"
    "  create-agent    --org ORG --provider bolna|vapi|retell --provider-agent-id ID [--name "
    "NAME]\n"
    "                  [--from-number E164]\n"
    "  create-contact  --org ORG --number E164 --name NAME\n"
    "  set-provider    --org ORG --provider P [--base-url URL] [--api-key KEY] [--webhook-secret "
    "S]\n"
    "  list            orgs | users | agents --org ORG | contacts --org ORG | unrouted\n"
    "  seed-demo       the --demo orgs, users, agents and contacts, without the simulated "
    "providers\n";

void print(const Json &json)
{
    const QByteArray text = toBytes(json) + '\n';
    std::fwrite(text.constData(), 1, size_t(text.size()), stdout);
    std::fflush(stdout);
}

int fail(const QString &message)
{
    std::fprintf(stderr, "callboard-server admin: %s\n", qPrintable(message));
    return 2;
}

int failWith(const Error &error)
{
    return fail(QStringLiteral("%1: %2").arg(error.code, error.message));
}

} // namespace

int runAdminCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Callboard server administration.\n\n") +
                                     QLatin1StringView(usage));
    parser.addHelpOption();
    ServerConfig::addOptions(parser);
    parser.addOptions({
        {QStringLiteral("name"), QStringLiteral("Name."), QStringLiteral("name")},
        {QStringLiteral("id"), QStringLiteral("Id to use instead of a new UUID."),
         QStringLiteral("id")},
        {QStringLiteral("email"), QStringLiteral("User email."), QStringLiteral("email")},
        {QStringLiteral("password"),
         QStringLiteral("Password (visible in the process list; prefer --password-stdin)."),
         QStringLiteral("password")},
        {QStringLiteral("password-stdin"),
         QStringLiteral("Read the password from the first line of stdin.")},
        {QStringLiteral("org"), QStringLiteral("Organization id."), QStringLiteral("org")},
        {QStringLiteral("role"), QStringLiteral("viewer, staff or admin."), QStringLiteral("role")},
        {QStringLiteral("provider"), QStringLiteral("bolna, vapi or retell."),
         QStringLiteral("provider")},
        {QStringLiteral("provider-agent-id"), QStringLiteral("The agent's id at the provider."),
         QStringLiteral("id")},
        {QStringLiteral("from-number"), QStringLiteral("Number outbound calls are placed from."),
         QStringLiteral("e164")},
        {QStringLiteral("number"), QStringLiteral("Phone number."), QStringLiteral("e164")},
        {QStringLiteral("base-url"), QStringLiteral("Provider API base URL."),
         QStringLiteral("url")},
        {QStringLiteral("api-key"), QStringLiteral("Provider API key."), QStringLiteral("key")},
        {QStringLiteral("webhook-secret"),
         QStringLiteral("Secret the provider's webhooks are verified with."),
         QStringLiteral("secret")},
    });
    parser.addPositionalArgument(QStringLiteral("command"),
                                 QStringLiteral("What to do (see above)."));
    if (!parser.parse(arguments))
        return fail(parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        return 0;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty())
        return fail(QStringLiteral("no command given\n") + QLatin1StringView(usage));
    const QString command = positional.first();

    auto config = ServerConfig::fromParser(parser);
    if (!config)
        return failWith(config.error());
    auto opened = Store::open(config->db, QStringLiteral("callboard-admin"));
    if (!opened)
        return failWith(opened.error());
    Store &store = **opened;
    if (auto r = store.migrate(); !r)
        return failWith(r.error());

    const auto value = [&parser](const char *name) {
        return parser.value(QString::fromLatin1(name));
    };
    const auto require = [&](std::initializer_list<const char *> names) -> QString {
        for (const char *name : names) {
            if (value(name).isEmpty())
                return QStringLiteral("%1 needs --%2").arg(command, QLatin1StringView(name));
        }
        return {};
    };
    const auto requireOrg = [&]() -> Result<void> {
        auto org = store.orgById(value("org"));
        if (!org)
            return org.error();
        if (!*org)
            return Result<void>::failure(QStringLiteral("not_found"),
                                         QStringLiteral("no such org"));
        return {};
    };
    const auto roleOption = [&]() -> std::optional<Role> { return roleFromString(value("role")); };
    const auto providerOption = [&]() -> std::optional<Provider> {
        return providerFromString(value("provider"));
    };

    if (command == u"create-org") {
        if (auto missing = require({"name"}); !missing.isEmpty())
            return fail(missing);
        auto org = store.createOrg(value("name"), value("id"));
        if (!org)
            return failWith(org.error());
        print(Json{{"id", org->id}, {"name", org->name}});
        return 0;
    }
    if (command == u"create-user") {
        if (auto missing = require({"email"}); !missing.isEmpty())
            return fail(missing);
        QString password = value("password");
        if (parser.isSet(QStringLiteral("password-stdin"))) {
            QTextStream in(stdin);
            password = in.readLine();
        }
        if (password.size() < 8)
            return fail(QStringLiteral("the password needs at least 8 characters"));
        std::optional<Role> role;
        if (!value("org").isEmpty()) {
            role = roleOption();
            if (!role)
                return fail(QStringLiteral("--org needs --role viewer|staff|admin"));
            if (auto r = requireOrg(); !r)
                return failWith(r.error());
        }
        auto user = store.createUser(value("email"), value("name"), passwordhash::hash(password));
        if (!user)
            return failWith(user.error());
        if (role) {
            if (auto r = store.setMembership(value("org"), user->id, *role); !r)
                return failWith(r.error());
        }
        print(Json{{"id", user->id}, {"email", user->email}});
        return 0;
    }
    if (command == u"add-member") {
        if (auto missing = require({"org", "email", "role"}); !missing.isEmpty())
            return fail(missing);
        const auto role = roleOption();
        if (!role)
            return fail(QStringLiteral("--role must be viewer, staff or admin"));
        if (auto r = requireOrg(); !r)
            return failWith(r.error());
        auto user = store.userByEmail(value("email"));
        if (!user)
            return failWith(user.error());
        if (!*user)
            return fail(QStringLiteral("no user with that email"));
        if (auto r = store.setMembership(value("org"), (*user)->id, *role); !r)
            return failWith(r.error());
        print(Json{{"org_id", value("org")}, {"user_id", (*user)->id}, {"role", wireName(*role)}});
        return 0;
    }
    if (command == u"create-agent") {
        if (auto missing = require({"org", "provider", "provider-agent-id"}); !missing.isEmpty())
            return fail(missing);
        const auto provider = providerOption();
        if (!provider)
            return fail(QStringLiteral("--provider must be bolna, vapi or retell"));
        if (auto r = requireOrg(); !r)
            return failWith(r.error());
        Agent agent;
        agent.id = value("id");
        agent.provider = *provider;
        agent.providerAgentId = value("provider-agent-id");
        agent.name = value("name");
        agent.fromNumber = value("from-number");
        auto created = store.org(value("org")).createAgent(agent);
        if (!created)
            return failWith(created.error());
        print(toJson(*created));
        return 0;
    }
    if (command == u"create-contact") {
        if (auto missing = require({"org", "number", "name"}); !missing.isEmpty())
            return fail(missing);
        if (auto r = requireOrg(); !r)
            return failWith(r.error());
        auto contact = store.org(value("org")).createContact(value("number"), value("name"));
        if (!contact)
            return failWith(contact.error());
        print(Json{{"id", contact->id}, {"number", contact->number}, {"name", contact->name}});
        return 0;
    }
    if (command == u"set-provider") {
        if (auto missing = require({"org", "provider"}); !missing.isEmpty())
            return fail(missing);
        const auto provider = providerOption();
        if (!provider)
            return fail(QStringLiteral("--provider must be bolna, vapi or retell"));
        if (auto r = requireOrg(); !r)
            return failWith(r.error());
        OrgScope scope = store.org(value("org"));
        auto current = scope.providerSettings(*provider);
        if (!current)
            return failWith(current.error());
        ProviderSettings settings = current->value_or(ProviderSettings{*provider, {}, {}, {}});
        if (parser.isSet(QStringLiteral("base-url")))
            settings.baseUrl = value("base-url");
        if (parser.isSet(QStringLiteral("api-key")))
            settings.apiKey = value("api-key");
        if (parser.isSet(QStringLiteral("webhook-secret")))
            settings.webhookSecret = value("webhook-secret");
        if (auto r = scope.setProviderSettings(settings); !r)
            return failWith(r.error());
        print(Json{{"org_id", value("org")},
                   {"provider", wireName(*provider)},
                   {"base_url", settings.baseUrl},
                   {"api_key_set", !settings.apiKey.isEmpty()},
                   {"webhook_secret_set", !settings.webhookSecret.isEmpty()}});
        return 0;
    }
    if (command == u"seed-demo") {
        if (auto r = seedDemo(store); !r)
            return failWith(r.error());
        print(Json{{"orgs", {demo::acmeOrgId, demo::globexOrgId}}});
        return 0;
    }
    if (command == u"list") {
        const QString what = positional.value(1);
        Json out = Json::array();
        if (what == u"orgs") {
            auto orgs = store.listOrgs();
            if (!orgs)
                return failWith(orgs.error());
            for (const Org &org : std::as_const(*orgs))
                out.push_back(Json{{"id", org.id}, {"name", org.name}});
        } else if (what == u"users") {
            auto users = store.listUsers();
            if (!users)
                return failWith(users.error());
            for (const UserRecord &user : std::as_const(*users)) {
                auto orgs = store.orgsOf(user.id);
                Json memberships = Json::array();
                if (orgs) {
                    for (const Org &org : std::as_const(*orgs))
                        memberships.push_back(
                            Json{{"org_id", org.id}, {"role", wireName(org.role)}});
                }
                out.push_back(Json{{"id", user.id},
                                   {"email", user.email},
                                   {"name", user.name},
                                   {"orgs", memberships}});
            }
        } else if (what == u"agents" || what == u"contacts") {
            if (auto missing = require({"org"}); !missing.isEmpty())
                return fail(missing);
            OrgScope scope = store.org(value("org"));
            if (what == u"agents") {
                auto agents = scope.agents();
                if (!agents)
                    return failWith(agents.error());
                for (const Agent &agent : std::as_const(*agents))
                    out.push_back(toJson(agent));
            } else {
                auto contacts = scope.contacts();
                if (!contacts)
                    return failWith(contacts.error());
                for (const Contact &c : std::as_const(*contacts))
                    out.push_back(Json{{"id", c.id}, {"number", c.number}, {"name", c.name}});
            }
        } else if (what == u"unrouted") {
            auto events = store.listUnrouted(1000);
            if (!events)
                return failWith(events.error());
            for (const UnroutedEvent &e : std::as_const(*events))
                out.push_back(Json{{"id", e.id},
                                   {"provider", wireName(e.provider)},
                                   {"provider_agent_id", e.providerAgentId},
                                   {"provider_call_id", e.providerCallId},
                                   {"org_hint", e.orgHint},
                                   {"kind", e.kind},
                                   {"received_at", timeToJson(e.receivedAt)}});
        } else {
            return fail(QStringLiteral("list what? orgs, users, agents, contacts or unrouted"));
        }
        print(out);
        return 0;
    }
    return fail(QStringLiteral("unknown command '%1'\n").arg(command) + QLatin1StringView(usage));
}

} // namespace cb
