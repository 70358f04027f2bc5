#include "demoseed.h"

#include "logging.h"
#include "passwordhash.h"
#include "store.h"

namespace cb {

namespace {

Result<void> seed(Store &store)
{
    auto acme = store.createOrg(QStringLiteral("Acme Support"), demo::acmeOrgId);
    if (!acme)
        return acme.error();
    auto globex = store.createOrg(QStringLiteral("Globex Sales"), demo::globexOrgId);
    if (!globex)
        return globex.error();

    const QString hash = passwordhash::hash(demo::password);
    struct Member
    {
        const char *email;
        const char *name;
        QString org;
        Role role;
    };
    const Member members[] = {
        {"admin@demo", "Ada Admin", demo::acmeOrgId, Role::Admin},
        {"staff@demo", "Sam Staff", demo::acmeOrgId, Role::Staff},
        {"viewer@demo", "Vic Viewer", demo::acmeOrgId, Role::Viewer},
        {"globex@demo", "Gus Globex", demo::globexOrgId, Role::Admin},
    };
    for (const Member &m : members) {
        auto user =
            store.createUser(QString::fromLatin1(m.email), QString::fromLatin1(m.name), hash);
        if (!user)
            return user.error();
        if (auto r = store.setMembership(m.org, user->id, m.role); !r)
            return r;
    }

    OrgScope acmeScope = store.org(demo::acmeOrgId);
    const std::pair<Provider, const char *> agents[] = {
        {Provider::Bolna, "demo-bolna-agent"},
        {Provider::Vapi, "demo-vapi-assistant"},
        {Provider::Retell, "demo-retell-agent"},
    };
    const char *names[] = {"Appointment reminders (Bolna)", "Support line (Vapi)",
                           "Lead qualifier (Retell)"};
    const char *numbers[] = {"+14155550100", "+14155550101", "+14155550102"};
    for (int i = 0; i < 3; ++i) {
        Agent agent;
        agent.provider = agents[i].first;
        agent.providerAgentId = QString::fromLatin1(agents[i].second);
        agent.name = QString::fromLatin1(names[i]);
        agent.fromNumber = QString::fromLatin1(numbers[i]);
        if (auto r = acmeScope.createAgent(agent); !r)
            return r.error();
    }
    const std::pair<Provider, QString> secrets[] = {{Provider::Bolna, demo::bolnaSecret},
                                                    {Provider::Vapi, demo::vapiSecret},
                                                    {Provider::Retell, demo::retellKey}};
    for (const auto &[provider, secret] : secrets) {
        ProviderSettings settings;
        settings.provider = provider;
        settings.apiKey = provider == Provider::Retell
            ? secret
            : QStringLiteral("demo-%1-api-key").arg(wireName(provider));
        settings.webhookSecret = secret;
        if (auto r = acmeScope.setProviderSettings(settings); !r)
            return r;
    }
    const std::pair<const char *, const char *> contacts[] = {
        {"+14155550123", "Grace Hopper"},      {"+14155550124", "Alan Turing"},
        {"+14155550125", "Katherine Johnson"}, {"+919876543210", "Priya Raman"},
        {"+442071838750", "Tim Berners-Lee"},
    };
    for (const auto &[number, name] : contacts) {
        if (auto r =
                acmeScope.createContact(QString::fromLatin1(number), QString::fromLatin1(name));
            !r)
            return r.error();
    }

    OrgScope globexScope = store.org(demo::globexOrgId);
    Agent globexAgent;
    globexAgent.provider = Provider::Bolna;
    globexAgent.providerAgentId = QStringLiteral("demo-globex-bolna-agent");
    globexAgent.name = QStringLiteral("Outbound sales (Bolna)");
    globexAgent.fromNumber = QStringLiteral("+12125550100");
    if (auto r = globexScope.createAgent(globexAgent); !r)
        return r.error();
    ProviderSettings globexSettings;
    globexSettings.provider = Provider::Bolna;
    globexSettings.apiKey = QStringLiteral("demo-globex-bolna-api-key");
    globexSettings.webhookSecret = demo::globexBolnaSecret;
    if (auto r = globexScope.setProviderSettings(globexSettings); !r)
        return r;
    if (auto r = globexScope.createContact(QStringLiteral("+12125550199"),
                                           QStringLiteral("Hank Scorpio"));
        !r)
        return r.error();
    return {};
}

} // namespace

Result<void> seedDemo(Store &store)
{
    auto existing = store.orgById(demo::acmeOrgId);
    if (!existing)
        return existing.error();
    if (*existing)
        return {};
    if (auto r = store.begin(); !r)
        return r;
    if (auto r = seed(store); !r) {
        store.rollback();
        return r;
    }
    if (auto r = store.commit(); !r)
        return r;
    qCInfo(lcDb) << "seeded the demo data set";
    return {};
}

} // namespace cb
