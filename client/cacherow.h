#pragma once

#include "core/call.h"
#include "core/result.h"

#include <QByteArray>
#include <QHash>
#include <QString>

namespace cb {

/// Shares the text of values that repeat across cached rows (org, agent, currency …)
/// between calls, so a large cache holds each such string once.
class CacheStringPool
{
public:
    QString intern(const QString &value);

private:
    QHash<QString, QString> m_pool;
};

/// Bits of a cached row's flags column and packed flags byte.
enum CacheRowFlag { RowFinalized = 1, RowVoicemail = 2, RowStale = 4, RowIsTest = 8 };

/// A call as the local cache stores it: one versioned binary blob per row.
QByteArray packCall(const Call &call);

/// Reads a blob written by packCall() back into a call. The bytes come from a file on
/// disk, so anything else (another version, truncation, damage) fails cleanly; strings
/// that repeat between rows are shared through @p pool when given.
Result<Call> unpackCall(const QByteArray &bytes, CacheStringPool *pool = nullptr);

} // namespace cb
