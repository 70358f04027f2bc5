#include "selfcheck.h"

#include "appcontroller.h"

#include "core/json.h"
#include "models/calltablemodel.h"
#include "models/metricsmodel.h"

#include <QSaveFile>

namespace cb {

SelfCheck::SelfCheck(AppController *app, QString reportPath, QObject *parent)
    : QObject(parent), m_app(app), m_path(std::move(reportPath))
{
    connect(app->callModel(), &CallTableModel::flushed, this, [this] {
        ++m_flushes;
        scan();
    });
    connect(app->callModel(), &QAbstractItemModel::modelReset, this, &SelfCheck::scan);
    connect(app->metricsModel(), &MetricsModel::summaryChanged, this,
            [this] { ++m_metricsUpdates; });
    connect(app, &AppController::orgEntered, this, [this] { ++m_orgsEntered; });
    connect(app->realtime(), &RealtimeClient::stateChanged, this,
            [this](RealtimeClient::State state) {
                switch (state) {
                case RealtimeClient::State::Live:
                    m_states.insert(QStringLiteral("live"));
                    break;
                case RealtimeClient::State::Reconnecting:
                    m_states.insert(QStringLiteral("reconnecting"));
                    break;
                case RealtimeClient::State::Offline:
                    m_states.insert(QStringLiteral("offline"));
                    break;
                default:
                    break;
                }
            });
}

void SelfCheck::scan()
{
    const CallTableModel *calls = m_app->callModel();
    m_maxRows = std::max(m_maxRows, calls->rowCount());
    for (int row = 0; row < calls->rowCount(); ++row) {
        const Call &call = calls->callAt(row);
        const int r = rank(call.status);
        if (!m_firstRank.contains(call.id))
            m_firstRank.insert(call.id, r);
        int &highest = m_rank[call.id];
        highest = std::max(highest, r);
    }
}

bool SelfCheck::writeReport() const
{
    int advanced = 0;
    for (auto it = m_rank.cbegin(); it != m_rank.cend(); ++it) {
        if (it.value() > m_firstRank.value(it.key()))
            ++advanced;
    }
    QStringList states(m_states.cbegin(), m_states.cend());
    states.sort();
    Json report = {
        {"max_rows", m_maxRows},         {"rows_at_end", m_app->callModel()->rowCount()},
        {"calls_seen", m_rank.size()},   {"calls_advanced", advanced},
        {"flushes", m_flushes},          {"metrics_updates", m_metricsUpdates},
        {"orgs_entered", m_orgsEntered}, {"states", Json::array()},
    };
    for (const QString &s : states)
        report["states"].push_back(s);
    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    file.write(QByteArray::fromStdString(report.dump(2)));
    return file.commit();
}

} // namespace cb
