#pragma once

#include <QString>

#include <vector>

namespace cbtest {

/// How a reconnect storm is run (see runReconnectStorm()).
struct StormOptions
{
    int clients = 1000;
    /// The first connections are spread over this long, as consoles opened over a morning.
    int rampMs = 2000;
    /// Webhooks posted while everyone is connected, and right after the restart (so the
    /// clients have something to resync).
    int webhooksBefore = 5;
    int webhooksAfter = 5;
    /// How long the server stays dead before it is started again (a supervisor's restart
    /// delay), so that early attempts find nothing and back off further.
    int downtimeMs = 1000;
    /// Longest wait for all clients to be live, first and after the restart.
    int settleTimeoutMs = 40000;
    /// How often the probe asks for /healthz.
    int probeIntervalMs = 50;
};

/// What a storm measured. Times are milliseconds.
struct StormReport
{
    QString failure; ///< empty when the storm ran to its end
    int clients = 0;
    int liveBefore = 0; ///< joined before the kill
    int reconnected = 0; ///< joined again after the restart
    int resynced = 0; ///< fetched `since_seq` after that join and reached the final seq
    qint64 finalSeq = -1; ///< the org's last seq by REST at the end
    int refusedAttempts = 0; ///< attempts that failed (no server, refused) after the kill
    double downMs = 0; ///< from the kill until the new server listened
    /// Per client: when it joined again, after the new server listened.
    std::vector<double> reconnectMs;
    /// Per client: when its resync finished, after the new server listened.
    std::vector<double> resyncMs;
    int probes = 0; ///< /healthz requests made after the new server listened
    int probeFailures = 0; ///< of those, not answered 200
    std::vector<double> probeMs; ///< latency of each of those
};

/// The reconnect storm of issue #8: @p options.clients Socket.IO clients (raw sockets on
/// one epoll thread) connect to a real callboard-server with the demo data and join the
/// demo org; the server is killed (SIGKILL) and started again on the same port with the
/// same SQLite directory; every client reconnects with the desktop client's jittered
/// exponential backoff (RealtimeClient::backoffDelay()), joins again and resyncs with
/// `GET /api/orgs/{org}/calls?since_seq=` as the desktop does, while a probe asks
/// /healthz every probeIntervalMs. Progress goes to stderr.
StormReport runReconnectStorm(const StormOptions &options);

/// first/p50/p99/last of @p values (sorted copy), or zeros.
struct Spread
{
    double first = 0, p50 = 0, p99 = 0, last = 0;
};
Spread spreadOf(std::vector<double> values);

/// Prints the figures of @p report to stdout.
void printStormReport(const StormReport &report);

} // namespace cbtest
