#pragma once

#include "core/enums.h"
#include "core/result.h"

#include <QHash>
#include <QUrl>

class QCommandLineParser;

namespace cb {

/// How the server talks to providers on its own initiative: polling after a start,
/// reconciling overdue calls, and where agents' webhooks should point (DESIGN §3
/// "Fallback and reconciliation"). Defaults are the design's.
struct PollerConfig
{
    /// This server as providers reach it, e.g. https://callboard.example.com; agent sync
    /// points webhooks at <public-url>/api/webhooks/….
    QUrl publicUrl;

    int pollIntervalMs = 10'000;
    int pollWindowMs = 15 * 60'000;

    int reconcileIntervalMs = 60'000;
    int dialTimeoutMs = 2 * 60'000; ///< queued, initiated, ringing
    int maxCallDurationS = 3600; ///< in_progress is overdue after this + inProgressGraceMs
    int inProgressGraceMs = 5 * 60'000;
    int unfinalizedTimeoutMs = 20 * 60'000; ///< ended but the final report never came

    int providerTimeoutMs = 10'000;
    int providerAttempts = 3;
    int providerBackoffMs = 500;

    /// Base URLs that replace every org's (the demo's embedded simulator).
    QHash<Provider, QUrl> baseUrlOverrides;

    static void addOptions(QCommandLineParser &parser);
    /// Reads the options (after QCommandLineParser::process) and CALLBOARD_PUBLIC_URL.
    static Result<PollerConfig> fromParser(const QCommandLineParser &parser);
};

} // namespace cb
