#pragma once

#include <QDateTime>
#include <QWidget>

#include <functional>

class QLabel;
class QTimer;

namespace cb {

/// What the status bar says about the live stream.
struct StreamHealth
{
    enum class State { Connecting, Live, Reconnecting, Offline };

    State state = State::Offline;
    QDateTime nextRetryAt; ///< when Reconnecting
    QDateTime cachedAsOf; ///< when the shown data was last known to be current
    QDateTime lastEventAt;
    qint64 gapsHealed = 0;
    qint64 duplicatesIgnored = 0;
    QString detail; ///< the last connection error, for the tooltip
};

/// Status-bar widget for stream health: "Live", "Reconnecting in N s", "Offline — cached
/// as of T"; the time since the last event; gaps healed and duplicates ignored. Relative
/// times are re-rendered every second from an injected clock.
class StreamStatusWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StreamStatusWidget)

public:
    using Clock = std::function<QDateTime()>;

    explicit StreamStatusWidget(QWidget *parent = nullptr, Clock clock = {});

    void setHealth(const StreamHealth &health);
    const StreamHealth &health() const { return m_health; }

    QString stateText() const;
    QString lastEventText() const;
    QString countersText() const;

    /// Re-renders the relative times now (also runs every second).
    void refresh();

private:
    Clock m_clock;
    StreamHealth m_health;
    QLabel *m_icon;
    QLabel *m_state;
    QLabel *m_lastEvent;
    QLabel *m_counters;
    QTimer *m_tick;
};

/// "12 s", "3 min", "2 h" — a short rendering of a duration in seconds.
QString shortDuration(qint64 seconds);

} // namespace cb
