#pragma once

#include "json.h"
#include "result.h"

#include <QByteArrayView>

namespace cb {

/// What the top level of a document must be.
enum class JsonShape { Any, Object, Array };

/// Parses untrusted JSON (webhook bodies, REST bodies, Socket.IO payloads) without throwing.
///
/// The size cap is checked before anything is read (code `too_large`); the nesting cap is
/// enforced while parsing, so a bracket bomb stops at depth @p maxDepth + 1 (code `too_deep`).
/// Syntax errors, invalid UTF-8 and numbers that overflow a double give `invalid_json` with the
/// byte offset. A leading UTF-8 byte order mark is skipped. Duplicate keys keep the last value,
/// as JavaScript's JSON.parse does. An empty body is `invalid_json`.
Result<Json> parseJsonSafely(QByteArrayView body, qsizetype maxBytes = 1 << 20, int maxDepth = 64);

/// As above, and the top level must have @p shape (code `wrong_shape` otherwise).
Result<Json> parseJsonSafely(QByteArrayView body, JsonShape shape, qsizetype maxBytes = 1 << 20,
                             int maxDepth = 64);

/// The usual case for request bodies: a JSON object at the top level.
inline Result<Json> parseJsonObject(QByteArrayView body, qsizetype maxBytes = 1 << 20,
                                    int maxDepth = 64)
{
    return parseJsonSafely(body, JsonShape::Object, maxBytes, maxDepth);
}

} // namespace cb
