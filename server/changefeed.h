#pragma once

#include "core/call.h"

#include <QList>
#include <QMetaType>
#include <QObject>

namespace cb {

enum class ChangeKind { Created, Updated, Deleted };
QString wireName(ChangeKind kind); ///< "created", "updated", "deleted"

/// One committed change to a call. For deletions the call carries only id and org id.
struct CallChange
{
    QString orgId;
    qint64 seq = 0;
    Call call; ///< without the transcript, which is fetched per call
    ChangeKind kind = ChangeKind::Updated;
};

/// Where committed call changes are announced, on the server's main thread, after the
/// transaction that made them is durable, in seq order per organization. The realtime
/// hub subscribes to it; nothing is announced for duplicates or no-op events.
class ChangeFeed final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChangeFeed)

public:
    explicit ChangeFeed(QObject *parent = nullptr);

    void publish(const CallChange &change);

Q_SIGNALS:
    void callChanged(const QString &orgId, qint64 seq, const cb::Call &call, cb::ChangeKind kind);
};

} // namespace cb

Q_DECLARE_METATYPE(cb::Call)
Q_DECLARE_METATYPE(cb::ChangeKind)
Q_DECLARE_METATYPE(cb::CallChange)
