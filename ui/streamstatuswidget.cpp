#include "streamstatuswidget.h"

#include "icons.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QTimer>

namespace cb {

QString shortDuration(qint64 seconds)
{
    seconds = std::max<qint64>(seconds, 0);
    if (seconds < 60)
        return StreamStatusWidget::tr("%1 s").arg(seconds);
    if (seconds < 3600)
        return StreamStatusWidget::tr("%1 min").arg(seconds / 60);
    if (seconds < 86400)
        return StreamStatusWidget::tr("%1 h").arg(seconds / 3600);
    return StreamStatusWidget::tr("%1 d").arg(seconds / 86400);
}

StreamStatusWidget::StreamStatusWidget(QWidget *parent, Clock clock)
    : QWidget(parent)
    , m_clock(clock ? std::move(clock) : Clock([] { return QDateTime::currentDateTimeUtc(); }))
    , m_icon(new QLabel(this))
    , m_state(new QLabel(this))
    , m_lastEvent(new QLabel(this))
    , m_counters(new QLabel(this))
    , m_tick(new QTimer(this))
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 0, 4, 0);
    layout->setSpacing(6);
    layout->addWidget(m_icon);
    layout->addWidget(m_state);
    auto separator = [this] {
        auto *s = new QLabel(QStringLiteral("·"), this);
        s->setForegroundRole(QPalette::PlaceholderText);
        return s;
    };
    layout->addSpacing(6);
    layout->addWidget(separator());
    layout->addWidget(m_lastEvent);
    layout->addWidget(separator());
    layout->addWidget(m_counters);
    QFont bold = m_state->font();
    bold.setWeight(QFont::DemiBold);
    m_state->setFont(bold);
    m_counters->setToolTip(tr("Gaps healed: events the client missed and fetched again.\n"
                              "Duplicates ignored: events it already had."));
    m_tick->setInterval(1000);
    connect(m_tick, &QTimer::timeout, this, &StreamStatusWidget::refresh);
    m_tick->start();
    refresh();
}

void StreamStatusWidget::setHealth(const StreamHealth &health)
{
    m_health = health;
    refresh();
}

QString StreamStatusWidget::stateText() const
{
    const QDateTime now = m_clock();
    switch (m_health.state) {
    case StreamHealth::State::Connecting:
        return tr("Connecting…");
    case StreamHealth::State::Live:
        return tr("Live");
    case StreamHealth::State::Reconnecting: {
        const qint64 in = m_health.nextRetryAt.isValid() ? now.secsTo(m_health.nextRetryAt) : 0;
        return in > 0 ? tr("Reconnecting in %1 s").arg(in) : tr("Reconnecting…");
    }
    case StreamHealth::State::Offline: {
        QString text = tr("Offline");
        if (m_health.cachedAsOf.isValid()) {
            const QDateTime local = m_health.cachedAsOf.toLocalTime();
            const bool today = local.date() == now.toLocalTime().date();
            text = tr("Offline — cached as of %1")
                       .arg(QLocale().toString(
                           local, today ? QStringLiteral("HH:mm") : QStringLiteral("d MMM HH:mm")));
        }
        const qint64 in = m_health.nextRetryAt.isValid() ? now.secsTo(m_health.nextRetryAt) : -1;
        if (in > 0)
            text += tr(" · retrying in %1 s").arg(in);
        else if (in == 0)
            text += tr(" · retrying…");
        return text;
    }
    }
    return {};
}

QString StreamStatusWidget::lastEventText() const
{
    if (!m_health.lastEventAt.isValid())
        return tr("No events yet");
    return tr("Last event %1 ago").arg(shortDuration(m_health.lastEventAt.secsTo(m_clock())));
}

QString StreamStatusWidget::countersText() const
{
    return tr("%1 gaps healed · %2 duplicates ignored")
        .arg(QLocale().toString(m_health.gapsHealed),
             QLocale().toString(m_health.duplicatesIgnored));
}

void StreamStatusWidget::refresh()
{
    const char *icon = "offline";
    switch (m_health.state) {
    case StreamHealth::State::Live:
        icon = "live";
        break;
    case StreamHealth::State::Connecting:
    case StreamHealth::State::Reconnecting:
        icon = "reconnecting";
        break;
    case StreamHealth::State::Offline:
        icon = "offline";
        break;
    }
    m_icon->setPixmap(ui::colourIcon(QLatin1String(icon)).pixmap(14, 14));
    m_state->setText(stateText());
    m_state->setToolTip(m_health.detail);
    m_icon->setToolTip(m_health.detail);
    m_lastEvent->setText(lastEventText());
    m_counters->setText(countersText());
}

} // namespace cb
