#include "metricspanel.h"

#include "icons.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QDateTimeAxis>
#include <QEvent>
#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLocale>
#include <QPieSeries>
#include <QPieSlice>
#include <QSplitter>
#include <QStackedBarSeries>
#include <QTimeZone>
#include <QVBoxLayout>
#include <QValueAxis>

namespace cb {

namespace {

constexpr int minutesShown = 60;

QString durationText(double seconds)
{
    const qint64 s = qint64(seconds + 0.5);
    if (s < 60)
        return MetricsPanel::tr("%1 s").arg(s);
    return MetricsPanel::tr("%1:%2 min").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

} // namespace

MetricsPanel::MetricsPanel(QWidget *parent)
    : QWidget(parent)
    , m_perMinuteView(new QChartView(this))
    , m_breakdownView(new QChartView(this))
    , m_bars(new QStackedBarSeries(this))
    , m_categoryAxis(new QBarCategoryAxis(this))
    , m_timeAxis(new QDateTimeAxis(this))
    , m_countAxis(new QValueAxis(this))
    , m_pie(new QPieSeries(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->setSpacing(6);

    auto *tiles = new QHBoxLayout;
    tiles->setSpacing(6);
    auto tile = [this, tiles](const QString &caption) {
        auto *frame = new QFrame(this);
        frame->setFrameShape(QFrame::StyledPanel);
        frame->setAutoFillBackground(true);
        frame->setBackgroundRole(QPalette::Base);
        auto *v = new QVBoxLayout(frame);
        v->setContentsMargins(10, 6, 10, 6);
        v->setSpacing(0);
        auto *value = new QLabel(QStringLiteral("—"), frame);
        QFont big = value->font();
        big.setPointSizeF(big.pointSizeF() * 1.6);
        big.setWeight(QFont::DemiBold);
        value->setFont(big);
        auto *label = new QLabel(caption, frame);
        label->setForegroundRole(QPalette::PlaceholderText);
        m_captions << label;
        v->addWidget(value);
        v->addWidget(label);
        tiles->addWidget(frame, 1);
        return value;
    };
    m_active = tile(tr("Active now"));
    m_total = tile(tr("Calls in the last hour"));
    m_answerRate = tile(tr("Answer rate"));
    m_avgDuration = tile(tr("Average duration"));
    m_cost = tile(tr("Cost"));
    layout->addLayout(tiles);

    for (int g = 0; g < GroupCount; ++g) {
        m_sets[g] = new QBarSet(groupName(g), this);
        m_sets[g]->setBorderColor(Qt::transparent);
        m_bars->append(m_sets[g]);
    }
    m_bars->setBarWidth(0.85);

    auto *perMinute = new QChart;
    perMinute->setTitle(tr("Calls per minute by outcome — last hour"));
    perMinute->addSeries(m_bars);
    QStringList categories;
    for (int i = 0; i < minutesShown; ++i)
        categories << QString::number(i);
    m_categoryAxis->append(categories);
    perMinute->addAxis(m_categoryAxis, Qt::AlignBottom);
    m_bars->attachAxis(m_categoryAxis);
    m_categoryAxis->setVisible(false);
    m_timeAxis->setFormat(QStringLiteral("HH:mm"));
    m_timeAxis->setTickCount(7);
    perMinute->addAxis(m_timeAxis, Qt::AlignBottom);
    // An axis shows only with a series on it: a transparent one carries the clock labels.
    m_timeCarrier = new QLineSeries(this);
    perMinute->addSeries(m_timeCarrier);
    m_timeCarrier->attachAxis(m_timeAxis);
    m_timeCarrier->setPen(QPen(Qt::transparent));
    m_countAxis->setLabelFormat(QStringLiteral("%d"));
    m_countAxis->setRange(0, 5);
    m_countAxis->setTickCount(6);
    perMinute->addAxis(m_countAxis, Qt::AlignLeft);
    m_bars->attachAxis(m_countAxis);
    m_timeCarrier->attachAxis(m_countAxis);
    perMinute->legend()->setAlignment(Qt::AlignBottom);
    const auto carrierMarkers = perMinute->legend()->markers(m_timeCarrier);
    for (QLegendMarker *marker : carrierMarkers)
        marker->setVisible(false);
    m_perMinuteView->setChart(perMinute);
    m_perMinuteView->setRenderHint(QPainter::Antialiasing);

    auto *breakdown = new QChart;
    breakdown->setTitle(tr("Outcome breakdown"));
    m_pie->setHoleSize(0.5);
    breakdown->addSeries(m_pie);
    breakdown->legend()->setAlignment(Qt::AlignRight);
    m_breakdownView->setChart(breakdown);
    m_breakdownView->setRenderHint(QPainter::Antialiasing);

    auto *charts = new QSplitter(Qt::Horizontal, this);
    charts->addWidget(m_perMinuteView);
    charts->addWidget(m_breakdownView);
    charts->setStretchFactor(0, 3);
    charts->setStretchFactor(1, 2);
    charts->setChildrenCollapsible(false);
    m_perMinuteView->setMinimumSize(320, 200);
    m_breakdownView->setMinimumSize(240, 200);
    layout->addWidget(charts, 1);

    applyPalette();
    setMetrics(Metrics{});
    m_updates = 0;
}

QString MetricsPanel::groupName(int group)
{
    switch (group) {
    case Answered:
        return tr("Answered");
    case Active:
        return tr("In progress");
    case Unanswered:
        return tr("No answer / busy");
    case Failed:
        return tr("Failed / canceled");
    }
    return {};
}

int MetricsPanel::groupOf(CallStatus status)
{
    switch (status) {
    case CallStatus::Completed:
        return Answered;
    case CallStatus::Busy:
    case CallStatus::NoAnswer:
        return Unanswered;
    case CallStatus::Failed:
    case CallStatus::Canceled:
        return Failed;
    default:
        return Active;
    }
}

QColor MetricsPanel::groupColour(int group) const
{
    switch (group) {
    case Answered:
        return ui::statusColour(CallStatus::Completed, palette());
    case Active:
        return ui::statusColour(CallStatus::InProgress, palette());
    case Unanswered:
        return ui::statusColour(CallStatus::Busy, palette());
    case Failed:
        return ui::statusColour(CallStatus::Failed, palette());
    }
    return {};
}

void MetricsPanel::setMetrics(const Metrics &metrics)
{
    m_metrics = metrics;
    ++m_updates;
    const QLocale locale;

    // The last hour, one bar per minute, ending at the newest minute reported (or now).
    QDateTime end = metrics.perMinute.isEmpty()
        ? (metrics.at.isValid() ? metrics.at : QDateTime::currentDateTimeUtc())
        : metrics.perMinute.constLast().minute;
    end = QDateTime::fromSecsSinceEpoch(end.toSecsSinceEpoch() / 60 * 60, QTimeZone::utc());
    const QDateTime start = end.addSecs(-60 * (minutesShown - 1));
    std::array<std::array<int, minutesShown>, GroupCount> values{};
    int maxPerMinute = 0;
    int hourTotal = 0;
    for (const MetricsMinute &minute : metrics.perMinute) {
        const qint64 index = start.secsTo(minute.minute) / 60;
        if (index < 0 || index >= minutesShown)
            continue;
        int sum = 0;
        for (CallStatus status : allCallStatuses) {
            const int n = countOf(minute.counts, status);
            values[size_t(groupOf(status))][size_t(index)] += n;
            sum += n;
        }
        hourTotal += sum;
        maxPerMinute = std::max(maxPerMinute, sum);
    }
    for (int g = 0; g < GroupCount; ++g) {
        QBarSet *set = m_sets[g];
        if (set->count() != minutesShown) {
            set->remove(0, set->count());
            for (int i = 0; i < minutesShown; ++i)
                set->append(values[size_t(g)][size_t(i)]);
        } else {
            for (int i = 0; i < minutesShown; ++i) {
                if (set->at(i) != values[size_t(g)][size_t(i)])
                    set->replace(i, values[size_t(g)][size_t(i)]);
            }
        }
    }
    const QDateTime localStart = start.toLocalTime();
    m_timeAxis->setRange(localStart, end.addSecs(60).toLocalTime());
    // Nice round maximum so the axis ticks are whole numbers.
    int top = 5;
    while (top < maxPerMinute)
        top = top < 10 ? top + 5 : top * 2;
    m_countAxis->setRange(0, top);
    m_timeCarrier->replace(QList<QPointF>{QPointF(qreal(localStart.toMSecsSinceEpoch()), 0),
                                          QPointF(qreal(end.addSecs(60).toMSecsSinceEpoch()), 0)});

    int groupTotals[GroupCount] = {};
    for (CallStatus status : allCallStatuses)
        groupTotals[groupOf(status)] += countOf(metrics.totals, status);
    if (m_pie->count() != GroupCount) {
        m_pie->clear();
        for (int g = 0; g < GroupCount; ++g)
            m_pie->append(groupName(g), 0);
    }
    int total = 0;
    for (int g = 0; g < GroupCount; ++g)
        total += groupTotals[g];
    const auto slices = m_pie->slices();
    for (int g = 0; g < GroupCount; ++g) {
        QPieSlice *slice = slices.at(g);
        slice->setValue(groupTotals[g]);
        slice->setLabel(tr("%1: %2").arg(groupName(g), locale.toString(groupTotals[g])));
    }
    applyPalette();

    if (!metrics.at.isValid()) {
        // Nothing received yet (offline start): say nothing rather than zero.
        for (QLabel *tile : {m_active, m_total, m_answerRate, m_avgDuration, m_cost})
            tile->setText(QStringLiteral("—"));
        return;
    }
    m_active->setText(locale.toString(metrics.active));
    m_total->setText(locale.toString(hourTotal));
    m_answerRate->setText(total == 0 ? QStringLiteral("—")
                                     : locale.toString(metrics.answerRate * 100, 'f', 0) + u'%');
    m_avgDuration->setText(metrics.avgDurationS > 0 ? durationText(metrics.avgDurationS)
                                                    : QStringLiteral("—"));
    m_cost->setText(QStringLiteral("$") + locale.toString(metrics.costCents / 100.0, 'f', 2));
}

QString MetricsPanel::activeText() const
{
    return m_active->text();
}

QString MetricsPanel::answerRateText() const
{
    return m_answerRate->text();
}

QString MetricsPanel::averageDurationText() const
{
    return m_avgDuration->text();
}

QString MetricsPanel::costText() const
{
    return m_cost->text();
}

void MetricsPanel::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        applyPalette();
    QWidget::changeEvent(event);
}

void MetricsPanel::styleChart(QChart *chart)
{
    const QPalette pal = palette();
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->setBackgroundBrush(pal.brush(QPalette::Base));
    chart->setBackgroundRoundness(0);
    chart->setTitleBrush(pal.brush(QPalette::Text));
    QFont titleFont = font();
    titleFont.setWeight(QFont::DemiBold);
    chart->setTitleFont(titleFont);
    chart->legend()->setLabelColor(pal.color(QPalette::Text));
    chart->legend()->setFont(font());
    chart->setMargins(QMargins(4, 4, 4, 4));
    const QList<QAbstractAxis *> axes = chart->axes();
    for (QAbstractAxis *axis : axes) {
        axis->setLabelsColor(pal.color(QPalette::Text));
        axis->setLabelsFont(font());
        QColor grid = pal.color(QPalette::Text);
        grid.setAlpha(40);
        axis->setGridLineColor(grid);
        axis->setLinePenColor(grid);
    }
}

void MetricsPanel::applyPalette()
{
    styleChart(m_perMinuteView->chart());
    styleChart(m_breakdownView->chart());
    m_perMinuteView->setBackgroundBrush(palette().brush(QPalette::Base));
    m_breakdownView->setBackgroundBrush(palette().brush(QPalette::Base));
    for (int g = 0; g < GroupCount; ++g)
        m_sets[g]->setColor(groupColour(g));
    const auto slices = m_pie->slices();
    for (int g = 0; g < slices.size() && g < GroupCount; ++g) {
        slices[g]->setColor(groupColour(g));
        slices[g]->setBorderColor(palette().color(QPalette::Base));
        slices[g]->setLabelColor(palette().color(QPalette::Text));
    }
}

} // namespace cb
