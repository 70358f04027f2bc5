#pragma once

#include "core/metrics.h"

#include <QWidget>

class QLabel;

QT_BEGIN_NAMESPACE
class QBarSet;
class QChart;
class QChartView;
class QDateTimeAxis;
class QLineSeries;
class QPieSeries;
class QStackedBarSeries;
class QValueAxis;
class QBarCategoryAxis;
QT_END_NAMESPACE

namespace cb {

/// The organization's live figures: calls per minute by outcome over the last hour
/// (stacked bars), the outcome breakdown (donut), and tiles for active calls, answer
/// rate, average duration and cost. Fed by setMetrics() on every `metrics:updated`;
/// colours follow the palette.
class MetricsPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MetricsPanel)

public:
    explicit MetricsPanel(QWidget *parent = nullptr);

    void setMetrics(const Metrics &metrics);
    const Metrics &metrics() const { return m_metrics; }
    /// How many times setMetrics() changed what is shown.
    int updateCount() const { return m_updates; }

    QString activeText() const;
    QString answerRateText() const;
    QString averageDurationText() const;
    QString costText() const;

protected:
    void changeEvent(QEvent *event) override;

private:
    /// The outcome groups the charts use, in stacking order.
    enum Group { Answered, Active, Unanswered, Failed, GroupCount };

    void applyPalette();
    void styleChart(QChart *chart);
    QColor groupColour(int group) const;
    static QString groupName(int group);
    static int groupOf(CallStatus status);

    Metrics m_metrics;
    int m_updates = 0;
    QLabel *m_active;
    QLabel *m_answerRate;
    QLabel *m_avgDuration;
    QLabel *m_cost;
    QLabel *m_total;
    QChartView *m_perMinuteView;
    QChartView *m_breakdownView;
    QStackedBarSeries *m_bars;
    QBarSet *m_sets[GroupCount];
    QBarCategoryAxis *m_categoryAxis;
    QDateTimeAxis *m_timeAxis;
    QLineSeries *m_timeCarrier = nullptr;
    QValueAxis *m_countAxis;
    QPieSeries *m_pie;
    QList<QLabel *> m_captions;
};

} // namespace cb
