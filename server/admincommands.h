#pragma once

#include <QStringList>

namespace cb {

/// `callboard-server admin <command> …`: create orgs, users, memberships, agents,
/// contacts and provider settings, and list them, straight in the store (the server
/// may be running; it picks up new agents and replays their unrouted events).
/// Prints JSON on stdout; returns the process exit code.
int runAdminCommand(const QStringList &arguments);

} // namespace cb
