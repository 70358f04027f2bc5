#pragma once

#include "dbconfig.h"
#include "httpconnection.h"
#include "webhookintake.h"

#include "core/result.h"

#include <QHostAddress>

#include <chrono>

class QCommandLineParser;

namespace cb {

/// Everything callboard-server can be told, from flags, then environment variables,
/// then defaults (a flag beats its variable).
struct ServerConfig
{
    QHostAddress listenAddress = QHostAddress::LocalHost;
    quint16 port = 8080;
    QString dataDir;
    DbConfig db;
    std::chrono::seconds tokenLifetime = std::chrono::hours(12);
    WebhookAuthSettings webhooks;
    bool demo = false;
    int maxBatch = 2000;
    /// Webhook requests per second per client address (burst twice that); 0 turns it off.
    double webhookRate = 2000;
    /// REST requests per second per session token, or per address without one (burst
    /// twice that); 0 turns it off.
    double apiRate = 50;
    /// Loopback clients (a local reverse proxy, the desktop's local demo, benchmarks) are
    /// not rate-limited unless this is set.
    bool rateLimitLoopback = false;
    /// A reverse proxy on this host forwards the clients: for requests from loopback, the
    /// client is the last address in X-Forwarded-For, and it is rate-limited.
    bool trustProxy = false;
    /// Socket.IO connections one user may hold at once; 0 is unlimited.
    int maxWebSocketsPerUser = 20;
    /// Header size and idle, head and body timeouts of every HTTP connection.
    HttpLimits http;

    /// Adds the options shared by the server and its admin sub-commands.
    static void addOptions(QCommandLineParser &parser);
    /// Reads the options (after QCommandLineParser::process) and the environment.
    static Result<ServerConfig> fromParser(const QCommandLineParser &parser);
    /// Text of the environment variables for --help.
    static QString environmentHelp();
};

/// "127.0.0.1:8080", "[::1]:0", ":8080" (all interfaces) or "8080".
Result<std::pair<QHostAddress, quint16>> parseListenAddress(const QString &text);

} // namespace cb
