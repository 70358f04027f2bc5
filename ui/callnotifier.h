#pragma once

#include "core/callstatus.h"

#include <QHash>
#include <QObject>

namespace cb {

class AppSettings;
class CallTableModel;

/// Watches the live call table and says when a real (non-test) call fails or goes stale,
/// once per call and transition, as allowed by the notification settings. Calls already
/// failed or stale when first seen (cache, resync) are not announced.
class CallNotifier final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CallNotifier)

public:
    CallNotifier(CallTableModel *calls, AppSettings *settings, QObject *parent = nullptr);

Q_SIGNALS:
    void notify(const QString &title, const QString &message, const QString &callId);

private:
    struct Seen
    {
        CallStatus status;
        bool stale;
    };

    void snapshot();
    void inspect(int first, int last, bool announce);

    CallTableModel *m_calls;
    AppSettings *m_settings;
    QHash<QString, Seen> m_seen;
};

} // namespace cb
