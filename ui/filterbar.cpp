#include "filterbar.h"

#include "appsettings.h"
#include "icons.h"

#include "models/agentmodel.h"
#include "models/callfiltermodel.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QTimer>
#include <QToolButton>

namespace cb {

namespace {

constexpr int statusDataBase = 1000;

} // namespace

FilterBar::FilterBar(CallFilterModel *filter, AgentModel *agents, QWidget *parent)
    : QWidget(parent)
    , m_filter(filter)
    , m_agents(agents)
    , m_search(new QLineEdit(this))
    , m_status(new QToolButton(this))
    , m_statusMenu(new QMenu(this))
    , m_agent(new QComboBox(this))
    , m_provider(new QComboBox(this))
    , m_direction(new QComboBox(this))
    , m_date(new QComboBox(this))
    , m_from(new QDateTimeEdit(this))
    , m_to(new QDateTimeEdit(this))
    , m_test(new QCheckBox(this))
    , m_clear(new QToolButton(this))
    , m_slide(new QTimer(this))
    , m_searchDelay(new QTimer(this))
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->setSpacing(6);

    m_search->setPlaceholderText(tr("Search number, name or ID"));
    m_search->setClearButtonEnabled(true);
    m_search->addAction(ui::themedIcon(QStringLiteral("search")), QLineEdit::LeadingPosition);
    m_search->setMinimumWidth(200);
    m_search->setToolTip(tr("Search the numbers, caller names and call IDs (Ctrl+F)"));
    layout->addWidget(m_search, 2);
    m_searchDelay->setSingleShot(true);
    m_searchDelay->setInterval(150);
    connect(m_search, &QLineEdit::textChanged, m_searchDelay, qOverload<>(&QTimer::start));
    connect(m_searchDelay, &QTimer::timeout, this, [this] {
        m_filter->setTextFilter(m_search->text().trimmed());
        Q_EMIT filtersEdited();
    });

    m_status->setPopupMode(QToolButton::InstantPopup);
    m_status->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_status->setIcon(ui::themedIcon(QStringLiteral("filter")));
    m_status->setMenu(m_statusMenu);
    for (CallStatus status : allCallStatuses) {
        QAction *action = m_statusMenu->addAction(ui::statusIcon(status), ui::statusText(status));
        action->setCheckable(true);
        action->setData(statusDataBase + int(status));
        connect(action, &QAction::toggled, this, &FilterBar::applyStatus);
    }
    m_statusMenu->addSeparator();
    QAction *allStatuses = m_statusMenu->addAction(tr("All Statuses"));
    connect(allStatuses, &QAction::triggered, this, [this] {
        const auto actions = m_statusMenu->actions();
        for (QAction *a : actions) {
            const QSignalBlocker blocker(a);
            a->setChecked(false);
        }
        applyStatus();
    });
    m_status->setText(tr("All statuses"));
    layout->addWidget(m_status);

    m_agent->addItem(tr("All agents"));
    m_agent->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    layout->addWidget(m_agent);
    connect(m_agent, &QComboBox::currentIndexChanged, this, [this] {
        m_filter->setAgentFilter(m_agent->currentData().toString());
        Q_EMIT filtersEdited();
    });
    if (m_agents) {
        connect(m_agents, &AgentModel::agentsChanged, this, &FilterBar::rebuildAgents);
        connect(m_agents, &QAbstractItemModel::modelReset, this, &FilterBar::rebuildAgents);
        connect(m_agents, &QAbstractItemModel::rowsInserted, this, &FilterBar::rebuildAgents);
        connect(m_agents, &QAbstractItemModel::rowsRemoved, this, &FilterBar::rebuildAgents);
        rebuildAgents();
    }

    m_provider->addItem(tr("All providers"));
    for (Provider p : {Provider::Bolna, Provider::Vapi, Provider::Retell})
        m_provider->addItem(ui::providerText(p), int(p));
    layout->addWidget(m_provider);
    connect(m_provider, &QComboBox::currentIndexChanged, this, [this] {
        const QVariant v = m_provider->currentData();
        m_filter->setProviderFilter(v.isValid() ? std::optional(static_cast<Provider>(v.toInt()))
                                                : std::nullopt);
        Q_EMIT filtersEdited();
    });

    m_direction->addItem(tr("All directions"));
    for (Direction d : {Direction::Inbound, Direction::Outbound, Direction::Web})
        m_direction->addItem(ui::directionIcon(d), ui::directionText(d), int(d));
    layout->addWidget(m_direction);
    connect(m_direction, &QComboBox::currentIndexChanged, this, [this] {
        const QVariant v = m_direction->currentData();
        m_filter->setDirectionFilter(v.isValid() ? std::optional(static_cast<Direction>(v.toInt()))
                                                 : std::nullopt);
        Q_EMIT filtersEdited();
    });

    m_date->addItem(tr("Any time"), int(DateRange::AnyTime));
    m_date->addItem(tr("Last hour"), int(DateRange::LastHour));
    m_date->addItem(tr("Today"), int(DateRange::Today));
    m_date->addItem(tr("Last 24 hours"), int(DateRange::Last24Hours));
    m_date->addItem(tr("Last 7 days"), int(DateRange::Last7Days));
    m_date->addItem(tr("Custom…"), int(DateRange::Custom));
    layout->addWidget(m_date);
    const QDateTime now = QDateTime::currentDateTime();
    m_from->setDateTime(now.addDays(-1));
    m_to->setDateTime(now);
    for (QDateTimeEdit *edit : {m_from, m_to}) {
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
        edit->setVisible(false);
        layout->addWidget(edit);
        connect(edit, &QDateTimeEdit::dateTimeChanged, this, &FilterBar::applyDate);
    }
    m_from->setToolTip(tr("From"));
    m_to->setToolTip(tr("To"));
    connect(m_date, &QComboBox::currentIndexChanged, this, &FilterBar::applyDate);
    // Relative ranges ("last hour") slide with the clock.
    m_slide->setInterval(30 * 1000);
    connect(m_slide, &QTimer::timeout, this, &FilterBar::applyDate);

    layout->addWidget(m_test);
    connect(m_test, &QCheckBox::toggled, this, [this](bool on) {
        m_filter->setIncludeTestCalls(on);
        updateTestLabel();
        Q_EMIT filtersEdited();
    });
    connect(m_filter, &CallFilterModel::hiddenTestCountChanged, this, &FilterBar::updateTestLabel);
    m_test->setChecked(m_filter->includeTestCalls());
    updateTestLabel();

    m_clear->setIcon(ui::themedIcon(QStringLiteral("clear")));
    m_clear->setToolTip(tr("Clear all filters"));
    m_clear->setAutoRaise(true);
    layout->addWidget(m_clear);
    connect(m_clear, &QToolButton::clicked, this, &FilterBar::clearFilters);
}

void FilterBar::rebuildAgents()
{
    const QString current = m_agent->currentData().toString();
    const QSignalBlocker blocker(m_agent);
    m_agent->clear();
    m_agent->addItem(tr("All agents"));
    for (int row = 0; row < m_agents->rowCount(); ++row) {
        const Agent &agent = m_agents->agentAt(row);
        m_agent->addItem(agent.name, agent.id);
    }
    const int index = m_agent->findData(current);
    m_agent->setCurrentIndex(index < 0 ? 0 : index);
    if (index < 0 && !current.isEmpty())
        m_filter->setAgentFilter(QString());
}

void FilterBar::applyStatus()
{
    QList<CallStatus> statuses;
    const auto actions = m_statusMenu->actions();
    for (const QAction *action : actions) {
        if (action->isCheckable() && action->isChecked())
            statuses << static_cast<CallStatus>(action->data().toInt() - statusDataBase);
    }
    m_filter->setStatusFilter(statuses);
    if (statuses.isEmpty())
        m_status->setText(tr("All statuses"));
    else if (statuses.size() == 1)
        m_status->setText(ui::statusText(statuses.first()));
    else
        m_status->setText(tr("%n statuses", nullptr, int(statuses.size())));
    Q_EMIT filtersEdited();
}

void FilterBar::applyDate()
{
    const auto range = static_cast<DateRange>(m_date->currentData().toInt());
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const bool custom = range == DateRange::Custom;
    m_from->setVisible(custom);
    m_to->setVisible(custom);
    switch (range) {
    case DateRange::AnyTime:
        m_filter->setDateRange({}, {});
        break;
    case DateRange::LastHour:
        m_filter->setDateRange(now.addSecs(-3600), {});
        break;
    case DateRange::Today:
        m_filter->setDateRange(QDateTime(QDate::currentDate(), QTime(0, 0)).toUTC(), {});
        break;
    case DateRange::Last24Hours:
        m_filter->setDateRange(now.addDays(-1), {});
        break;
    case DateRange::Last7Days:
        m_filter->setDateRange(now.addDays(-7), {});
        break;
    case DateRange::Custom:
        m_filter->setDateRange(m_from->dateTime().toUTC(), m_to->dateTime().toUTC());
        break;
    }
    if (range == DateRange::AnyTime || custom)
        m_slide->stop();
    else if (!m_slide->isActive())
        m_slide->start();
    Q_EMIT filtersEdited();
}

void FilterBar::setDateRange(DateRange range)
{
    m_date->setCurrentIndex(m_date->findData(int(range)));
}

void FilterBar::updateTestLabel()
{
    const int hidden = m_filter->hiddenTestCount();
    m_test->setText(m_test->isChecked() || hidden == 0
                        ? tr("Show &test calls")
                        : tr("Show &test calls (%1 hidden)").arg(hidden));
}

void FilterBar::focusSearch()
{
    m_search->setFocus(Qt::ShortcutFocusReason);
    m_search->selectAll();
}

void FilterBar::setIncludeTestCalls(bool include)
{
    m_test->setChecked(include);
}

void FilterBar::clearFilters()
{
    m_search->clear();
    m_searchDelay->stop();
    m_filter->setTextFilter(QString());
    const auto actions = m_statusMenu->actions();
    for (QAction *a : actions) {
        const QSignalBlocker blocker(a);
        a->setChecked(false);
    }
    applyStatus();
    m_agent->setCurrentIndex(0);
    m_provider->setCurrentIndex(0);
    m_direction->setCurrentIndex(0);
    setDateRange(DateRange::AnyTime);
    Q_EMIT filtersEdited();
}

void FilterBar::saveTo(AppSettings &settings) const
{
    QStringList statuses;
    for (CallStatus s : m_filter->statusFilter())
        statuses << wireName(s);
    settings.setFilter(QStringLiteral("status"), statuses);
    settings.setFilter(QStringLiteral("agent"), m_agent->currentData().toString());
    settings.setFilter(QStringLiteral("provider"), m_provider->currentIndex());
    settings.setFilter(QStringLiteral("direction"), m_direction->currentIndex());
    settings.setFilter(QStringLiteral("date"), m_date->currentData().toInt());
    settings.setFilter(QStringLiteral("search"), m_search->text());
    settings.setFilter(QStringLiteral("includeTest"), m_test->isChecked());
}

void FilterBar::restoreFrom(const AppSettings &settings)
{
    const QStringList statuses = settings.filter(QStringLiteral("status")).toStringList();
    const auto actions = m_statusMenu->actions();
    for (QAction *a : actions) {
        if (!a->isCheckable())
            continue;
        const QSignalBlocker blocker(a);
        a->setChecked(statuses.contains(
            wireName(static_cast<CallStatus>(a->data().toInt() - statusDataBase))));
    }
    applyStatus();
    const int agent = m_agent->findData(settings.filter(QStringLiteral("agent")).toString());
    m_agent->setCurrentIndex(agent < 0 ? 0 : agent);
    m_provider->setCurrentIndex(std::clamp(settings.filter(QStringLiteral("provider"), 0).toInt(),
                                           0, m_provider->count() - 1));
    m_direction->setCurrentIndex(std::clamp(settings.filter(QStringLiteral("direction"), 0).toInt(),
                                            0, m_direction->count() - 1));
    const int date = m_date->findData(settings.filter(QStringLiteral("date"), 0).toInt());
    m_date->setCurrentIndex(date < 0 || date == m_date->findData(int(DateRange::Custom)) ? 0
                                                                                         : date);
    m_search->setText(settings.filter(QStringLiteral("search")).toString());
    m_searchDelay->stop();
    m_filter->setTextFilter(m_search->text().trimmed());
    m_test->setChecked(settings.filter(QStringLiteral("includeTest"), false).toBool());
}

} // namespace cb
