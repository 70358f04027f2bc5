#pragma once

#include "json.h"
#include "normalizedevent.h"
#include "result.h"

#include <QString>

#include <optional>

/// Lenient readers shared by the provider mappers. Provider payloads are untrusted
/// and loosely typed (Bolna sends durations as strings, ids as numbers in some
/// examples), so every reader treats a wrong type as absent instead of throwing.
namespace cb::mapping {

/// A non-empty string, or an integer written in decimal; otherwise a null string.
QString idField(const Json &object, const char *key);
/// A finite number, or a string holding one ("69").
std::optional<double> lenientNumber(const Json &object, const char *key);
/// A boolean, "true"/"false" in any case, or 0/1.
std::optional<bool> lenientBool(const Json &object, const char *key);

/// Stores @p metadata on the event as compact JSON and reads the routing hints
/// `org_id` and `is_test_call` from it. Does nothing unless it is a non-empty object.
void readMetadata(NormalizedEvent &event, const Json &metadata);

/// Error code for a body the mapper cannot use at all.
inline const QString invalidPayload = QStringLiteral("invalid_payload");
/// Error code for a well-formed body whose status the mapper does not know; the
/// server stores such events without applying them.
inline const QString unknownStatus = QStringLiteral("unknown_status");

Result<NormalizedEvent> fail(const QString &code, const QString &message);

} // namespace cb::mapping
