#pragma once

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QLineEdit;
class QMenu;
class QTimer;
class QToolButton;

namespace cb {

class AgentModel;
class AppSettings;
class CallFilterModel;

/// The filters above the call table: text search, status set, agent, provider,
/// direction, date range, and "Show test calls (N hidden)". Each control sets the typed
/// filter on the CallFilterModel directly; the agent list follows the AgentModel.
class FilterBar final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FilterBar)

public:
    /// Date presets of the date-range control.
    enum class DateRange { AnyTime, LastHour, Today, Last24Hours, Last7Days, Custom };

    FilterBar(CallFilterModel *filter, AgentModel *agents, QWidget *parent = nullptr);

    void focusSearch();
    void clearFilters();
    void setIncludeTestCalls(bool include);
    void setDateRange(DateRange range);

    void saveTo(AppSettings &settings) const;
    void restoreFrom(const AppSettings &settings);

    QLineEdit *searchEdit() const { return m_search; }
    QComboBox *agentCombo() const { return m_agent; }
    QComboBox *providerCombo() const { return m_provider; }
    QComboBox *directionCombo() const { return m_direction; }
    QComboBox *dateCombo() const { return m_date; }
    QCheckBox *testCheck() const { return m_test; }
    QToolButton *statusButton() const { return m_status; }
    QMenu *statusMenu() const { return m_statusMenu; }

Q_SIGNALS:
    void filtersEdited();

private:
    void rebuildAgents();
    void applyStatus();
    void applyDate();
    void updateTestLabel();

    CallFilterModel *m_filter;
    AgentModel *m_agents;
    QLineEdit *m_search;
    QToolButton *m_status;
    QMenu *m_statusMenu;
    QComboBox *m_agent;
    QComboBox *m_provider;
    QComboBox *m_direction;
    QComboBox *m_date;
    QDateTimeEdit *m_from;
    QDateTimeEdit *m_to;
    QCheckBox *m_test;
    QToolButton *m_clear;
    QTimer *m_slide;
    QTimer *m_searchDelay;
};

} // namespace cb
