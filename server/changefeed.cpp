#include "changefeed.h"

namespace cb {

QString wireName(ChangeKind kind)
{
    switch (kind) {
    case ChangeKind::Created:
        return QStringLiteral("created");
    case ChangeKind::Updated:
        return QStringLiteral("updated");
    case ChangeKind::Deleted:
        return QStringLiteral("deleted");
    }
    return {};
}

ChangeFeed::ChangeFeed(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<cb::Call>();
    qRegisterMetaType<cb::ChangeKind>();
    qRegisterMetaType<cb::CallChange>();
}

void ChangeFeed::publish(const CallChange &change)
{
    Q_EMIT callChanged(change.orgId, change.seq, change.call, change.kind);
}

} // namespace cb
