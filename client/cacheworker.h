#pragma once

#include "localcache.h"

#include <QHash>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTimer>

namespace cb {

/// LocalCache's half that lives on the worker thread and owns the connection.
class CacheWorker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CacheWorker)

public:
    explicit CacheWorker(const QString &filePath);
    ~CacheWorker() override;

    Result<void> open();
    Result<CacheContents> load();
    void enqueue(const QList<Call> &upserts, const QStringList &removedIds, qint64 lastSeq);
    void enqueueReplace(const QList<Call> &calls, qint64 lastSeq);
    Result<void> writePending();
    void setBatchInterval(int ms);
    void close();

Q_SIGNALS:
    void failed(const cb::Error &error);

private:
    Result<void> migrate();
    Result<void> exec(const QString &sql);
    void schedule();

    QString m_filePath;
    QString m_connectionName;
    QTimer *m_timer = nullptr;
    QHash<QString, Call> m_upserts;
    QSet<QString> m_removals;
    bool m_replace = false;
    qint64 m_lastSeq = -1;
    int m_batchMs = 200;
};

} // namespace cb
