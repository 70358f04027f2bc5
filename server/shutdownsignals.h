#pragma once

#include <QObject>

class QSocketNotifier;

namespace cb {

/// Turns SIGTERM and SIGINT into a Qt signal on the event loop (self-pipe), so shutdown
/// runs as ordinary code instead of inside a signal handler.
class ShutdownSignals final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ShutdownSignals)

public:
    explicit ShutdownSignals(QObject *parent = nullptr);
    ~ShutdownSignals() override;

Q_SIGNALS:
    void requested(int signalNumber);

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace cb
