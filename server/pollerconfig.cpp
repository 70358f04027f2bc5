#include "pollerconfig.h"

#include <QCommandLineParser>
#include <QtGlobal>

namespace cb {

namespace {

struct IntOption
{
    const char *name;
    int PollerConfig::*field;
    int min;
    const char *help;
};

const IntOption intOptions[] = {
    {"poll-interval-ms", &PollerConfig::pollIntervalMs, 10,
     "Poll a started call this often (default 10000)."},
    {"poll-window-ms", &PollerConfig::pollWindowMs, 100,
     "Stop polling a call after this long (default 900000)."},
    {"reconcile-interval-ms", &PollerConfig::reconcileIntervalMs, 10,
     "Scan for overdue calls this often (default 60000)."},
    {"dial-timeout-ms", &PollerConfig::dialTimeoutMs, 10,
     "A queued/initiated/ringing call is overdue after this (default 120000)."},
    {"max-call-duration-s", &PollerConfig::maxCallDurationS, 1,
     "Longest expected call; in_progress is overdue a grace period after it (default 3600)."},
    {"in-progress-grace-ms", &PollerConfig::inProgressGraceMs, 0,
     "Grace after the longest expected call (default 300000)."},
    {"unfinalized-timeout-ms", &PollerConfig::unfinalizedTimeoutMs, 10,
     "An ended call without its final report is overdue after this (default 1200000)."},
    {"provider-timeout-ms", &PollerConfig::providerTimeoutMs, 10,
     "Timeout of one request to a provider (default 10000)."},
};

} // namespace

void PollerConfig::addOptions(QCommandLineParser &parser)
{
    parser.addOption(
        {QStringLiteral("public-url"),
         QStringLiteral("This server's URL as providers reach it; agent sync points webhooks "
                        "there (env CALLBOARD_PUBLIC_URL)."),
         QStringLiteral("url")});
    for (const IntOption &option : intOptions)
        parser.addOption({QString::fromLatin1(option.name), QString::fromLatin1(option.help),
                          QStringLiteral("n")});
    parser.addOption(
        {QStringLiteral("provider-base-url"),
         QStringLiteral("provider=URL: use this base URL for every org (testing). Repeatable."),
         QStringLiteral("provider=url")});
}

Result<PollerConfig> PollerConfig::fromParser(const QCommandLineParser &parser)
{
    PollerConfig config;
    QString publicUrl = parser.value(QStringLiteral("public-url"));
    if (publicUrl.isEmpty())
        publicUrl = qEnvironmentVariable("CALLBOARD_PUBLIC_URL");
    if (!publicUrl.isEmpty()) {
        config.publicUrl = QUrl(publicUrl, QUrl::StrictMode);
        if (!config.publicUrl.isValid() ||
            (config.publicUrl.scheme() != u"http" && config.publicUrl.scheme() != u"https") ||
            config.publicUrl.host().isEmpty())
            return Result<PollerConfig>::failure(
                QStringLiteral("invalid_option"),
                QStringLiteral("--public-url must be an http(s) URL"));
    }
    for (const IntOption &option : intOptions) {
        const QString name = QString::fromLatin1(option.name);
        if (!parser.isSet(name))
            continue;
        bool ok = false;
        const int value = parser.value(name).toInt(&ok);
        if (!ok || value < option.min)
            return Result<PollerConfig>::failure(
                QStringLiteral("invalid_option"),
                QStringLiteral("--%1 must be an integer >= %2").arg(name).arg(option.min));
        config.*option.field = value;
    }
    for (const QString &spec : parser.values(QStringLiteral("provider-base-url"))) {
        const qsizetype eq = spec.indexOf(u'=');
        const auto provider = eq > 0 ? providerFromString(spec.left(eq)) : std::nullopt;
        const QUrl url(spec.mid(eq + 1), QUrl::StrictMode);
        if (!provider || !url.isValid() || url.host().isEmpty())
            return Result<PollerConfig>::failure(
                QStringLiteral("invalid_option"),
                QStringLiteral("--provider-base-url must be provider=URL"));
        config.baseUrlOverrides.insert(*provider, url);
    }
    return config;
}

} // namespace cb
