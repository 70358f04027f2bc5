#pragma once

#include <QString>

namespace cb {

/// PBKDF2-HMAC-SHA256 password hashes with a random 16-byte salt, stored as
/// `pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>`. Slow on purpose: run them
/// off the event loop.
namespace passwordhash {

inline constexpr int defaultIterations = 120000;
/// Hashes below this cost are refused on verification, so a tampered row cannot
/// downgrade the work factor.
inline constexpr int minimumIterations = 100000;

QString hash(const QString &password, int iterations = defaultIterations);
/// Constant-time comparison; false for malformed hashes.
bool verify(const QString &password, const QString &stored);
/// A valid hash of a random password, to spend the same time when no user matches.
const QString &decoy();

} // namespace passwordhash
} // namespace cb
