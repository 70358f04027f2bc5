#pragma once

#include "core/result.h"

#include <QString>

namespace cb {

class Store;

/// The demo data set (`--demo`): "Acme Support" with an admin, a staff member and a
/// viewer, one agent per provider, provider settings with the demo webhook secrets, and
/// contacts; a second org "Globex Sales" with its own admin and agent, so isolation can
/// be seen. Idempotent: does nothing when the demo org already exists.
namespace demo {
inline const QString password = QStringLiteral("callboard-demo");
inline const QString acmeOrgId = QStringLiteral("org-acme");
inline const QString globexOrgId = QStringLiteral("org-globex");
inline const QString bolnaSecret = QStringLiteral("demo-bolna-token");
inline const QString vapiSecret = QStringLiteral("demo-vapi-secret");
inline const QString retellKey = QStringLiteral("demo-retell-key");
inline const QString globexBolnaSecret = QStringLiteral("demo-globex-bolna-token");
} // namespace demo

Result<void> seedDemo(Store &store);

} // namespace cb
