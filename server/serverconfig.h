#pragma once

#include "dbconfig.h"
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
