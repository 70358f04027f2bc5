#pragma once

#include "core/callstatus.h"

#include <QHash>
#include <QObject>
#include <QSet>

namespace cb {

class AppController;

/// Watches a running app and writes what it saw as JSON: the largest number of rows, how
/// many calls were seen moving to a later status, how many metrics updates arrived, and the
/// stream states passed through. The end-to-end test runs the real binary with it.
class SelfCheck final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SelfCheck)

public:
    SelfCheck(AppController *app, QString reportPath, QObject *parent = nullptr);

    /// Writes the report; false when the file cannot be written.
    bool writeReport() const;

private:
    void scan();

    AppController *m_app;
    QString m_path;
    int m_maxRows = 0;
    int m_flushes = 0;
    int m_metricsUpdates = 0;
    int m_orgsEntered = 0;
    QHash<QString, int> m_rank; ///< call id → highest rank seen
    QHash<QString, int> m_firstRank;
    QSet<QString> m_states;
};

} // namespace cb
