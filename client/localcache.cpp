#include "localcache.h"

#include "cacherow.h"
#include "cacheworker.h"
#include "logging.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>

#include <atomic>

namespace cb {

namespace {

std::atomic<int> connectionCounter{0};

constexpr const char *callColumns = "id, org_id, provider, provider_call_id, agent_id, "
                                    "provider_agent_id, direction, to_number, from_number, "
                                    "caller_name, status, raw_status, end_reason, flags, "
                                    "created_ms, started_ms, answered_ms, ended_ms, "
                                    "duration_s, cost_cents, currency, recording_url, summary, "
                                    "sentiment, success, metadata, updated_ms, seq";

QVariant timeValue(const QDateTime &time)
{
    return time.isValid() ? QVariant(time.toMSecsSinceEpoch())
                          : QVariant(QMetaType(QMetaType::LongLong));
}

QDateTime timeFrom(const QVariant &value)
{
    return value.isNull() ? QDateTime()
                          : QDateTime::fromMSecsSinceEpoch(value.toLongLong(), Qt::UTC);
}

Error sqlError(const QString &what, const QSqlError &error)
{
    return {QStringLiteral("cache_error"), what + QStringLiteral(": ") + error.text()};
}

Call columnsToCall(const QSqlQuery &query, CacheStringPool &pool)
{
    // Rows written before schema version 2: one value per column, shifted by the data column.
    Call c;
    {
        c.id = query.value(1).toString();
        const auto provider = providerFromString(query.value(3).toString());
        const auto status = callStatusFromString(query.value(11).toString());
        if (c.id.isEmpty() || !provider || !status)
            return {};
        c.orgId = pool.intern(query.value(2).toString());
        c.provider = *provider;
        c.providerCallId = query.value(4).toString();
        c.agentId = pool.intern(query.value(5).toString());
        c.providerAgentId = pool.intern(query.value(6).toString());
        c.direction = directionFromString(query.value(7).toString());
        c.toNumber = query.value(8).toString();
        c.fromNumber = pool.intern(query.value(9).toString());
        c.callerName = query.value(10).toString();
        c.status = *status;
        c.rawStatus = pool.intern(query.value(12).toString());
        c.endReason = pool.intern(query.value(13).toString());
        const int flags = query.value(14).toInt();
        c.finalized = flags & RowFinalized;
        c.voicemail = flags & RowVoicemail;
        c.stale = flags & RowStale;
        c.isTest = flags & RowIsTest;
        c.createdAt = timeFrom(query.value(15));
        c.startedAt = timeFrom(query.value(16));
        c.answeredAt = timeFrom(query.value(17));
        c.endedAt = timeFrom(query.value(18));
        if (const QVariant v = query.value(19); !v.isNull())
            c.durationS = v.toDouble();
        if (const QVariant v = query.value(20); !v.isNull())
            c.costCents = v.toDouble();
        c.currency = pool.intern(query.value(21).toString());
        c.recordingUrl = query.value(22).toString();
        c.summary = query.value(23).toString();
        c.sentiment = pool.intern(query.value(24).toString());
        if (const QVariant v = query.value(25); !v.isNull())
            c.success = v.toBool();
        c.metadata = query.value(26).toByteArray();
        c.updatedAt = timeFrom(query.value(27));
        c.seq = query.value(28).toLongLong();
    }
    return c;
}

} // namespace

CacheWorker::CacheWorker(const QString &filePath)
    : m_filePath(filePath)
    , m_connectionName(QStringLiteral("callboard-cache-%1").arg(connectionCounter.fetch_add(1)))
{ }

CacheWorker::~CacheWorker()
{
    close();
}

void CacheWorker::close()
{
    if (m_timer) {
        m_timer->stop();
        writePending();
    }
    if (QSqlDatabase::contains(m_connectionName)) {
        QSqlDatabase::database(m_connectionName, false).close();
        QSqlDatabase::removeDatabase(m_connectionName);
    }
}

Result<void> CacheWorker::exec(const QString &sql)
{
    QSqlQuery query(QSqlDatabase::database(m_connectionName));
    if (!query.exec(sql))
        return sqlError(sql.left(60), query.lastError());
    return {};
}

Result<void> CacheWorker::open()
{
    if (!m_timer) {
        m_timer = new QTimer(this);
        m_timer->setSingleShot(true);
        connect(m_timer, &QTimer::timeout, this, [this] {
            auto written = writePending();
            if (!written)
                Q_EMIT failed(written.error());
        });
    }
    const QFileInfo info(m_filePath);
    if (!QDir().mkpath(info.absolutePath()))
        return Error{QStringLiteral("cache_error"),
                     QStringLiteral("cannot create %1").arg(info.absolutePath())};
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    db.setDatabaseName(m_filePath);
    if (!db.open())
        return sqlError(QStringLiteral("open"), db.lastError());
    for (const char *pragma :
         {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=2000"}) {
        auto done = exec(QString::fromLatin1(pragma));
        if (!done)
            return done;
    }
    return migrate();
}

Result<void> CacheWorker::migrate()
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName);
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("PRAGMA user_version")) || !query.next())
        return sqlError(QStringLiteral("read schema version"), query.lastError());
    const int version = query.value(0).toInt();
    query.finish();
    if (version > LocalCache::schemaVersion) {
        // Written by a newer build: the cache is only a copy, so start over rather than misread it.
        qCWarning(lcCache) << "cache schema" << version << "is newer than"
                           << LocalCache::schemaVersion << "; rebuilding";
        for (const char *sql :
             {"DROP TABLE IF EXISTS calls", "DROP TABLE IF EXISTS meta", "PRAGMA user_version=0"}) {
            auto done = exec(QString::fromLatin1(sql));
            if (!done)
                return done;
        }
        return migrate();
    }
    // Each entry takes the schema from version i to i + 1.
    static const QList<QStringList> steps{
        {QStringLiteral(
             "CREATE TABLE calls (id TEXT PRIMARY KEY, org_id TEXT, provider TEXT NOT NULL, "
             "provider_call_id TEXT, agent_id TEXT, provider_agent_id TEXT, direction TEXT, "
             "to_number TEXT, "
             "from_number TEXT, caller_name TEXT, status TEXT NOT NULL, raw_status TEXT, "
             "end_reason TEXT, "
             "flags INTEGER NOT NULL DEFAULT 0, created_ms INTEGER, started_ms INTEGER, "
             "answered_ms INTEGER, "
             "ended_ms INTEGER, duration_s REAL, cost_cents REAL, currency TEXT, recording_url "
             "TEXT, "
             "summary TEXT, sentiment TEXT, success INTEGER, metadata BLOB, updated_ms INTEGER, "
             "seq INTEGER NOT NULL DEFAULT 0)"),
         QStringLiteral("CREATE INDEX calls_created ON calls (created_ms)"),
         QStringLiteral("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")},
        // Version 2 keeps each call as one packed blob: decoding 28 columns per row was the
        // slowest part of showing a large cache.
        {QStringLiteral("ALTER TABLE calls ADD COLUMN data BLOB")},
    };
    for (int v = version; v < int(steps.size()); ++v) {
        if (!db.transaction())
            return sqlError(QStringLiteral("begin migration"), db.lastError());
        for (const QString &sql : steps.at(v)) {
            auto done = exec(sql);
            if (!done) {
                db.rollback();
                return done;
            }
        }
        auto bumped = exec(QStringLiteral("PRAGMA user_version=%1").arg(v + 1));
        if (!bumped || !db.commit()) {
            db.rollback();
            return bumped ? sqlError(QStringLiteral("commit migration"), db.lastError()) : bumped;
        }
        qCInfo(lcCache) << "cache schema migrated to version" << v + 1;
    }
    return {};
}

Result<CacheContents> CacheWorker::load()
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName);
    CacheContents contents;
    QSqlQuery meta(db);
    if (meta.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'last_seq'")) && meta.next())
        contents.lastSeq = meta.value(0).toLongLong();
    QSqlQuery count(db);
    if (count.exec(QStringLiteral("SELECT count(*) FROM calls")) && count.next())
        contents.calls.reserve(count.value(0).toLongLong());

    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (!query.exec(
            QStringLiteral("SELECT data, %1 FROM calls").arg(QString::fromLatin1(callColumns))))
        return sqlError(QStringLiteral("load"), query.lastError());
    CacheStringPool pool;
    while (query.next()) {
        Call c;
        if (const QVariant data = query.value(0); !data.isNull()) {
            if (auto unpacked = unpackCall(data.toByteArray(), &pool))
                contents.calls.append(std::move(*unpacked));
            continue;
        }
        c = columnsToCall(query, pool);
        if (!c.id.isEmpty())
            contents.calls.append(std::move(c));
    }
    return contents;
}

void CacheWorker::setBatchInterval(int ms)
{
    m_batchMs = ms;
}

void CacheWorker::schedule()
{
    if (m_timer && !m_timer->isActive())
        m_timer->start(m_batchMs);
}

void CacheWorker::enqueue(const QList<Call> &upserts, const QStringList &removedIds, qint64 lastSeq)
{
    for (const Call &call : upserts) {
        m_removals.remove(call.id);
        m_upserts.insert(call.id, call);
    }
    for (const QString &id : removedIds) {
        m_upserts.remove(id);
        m_removals.insert(id);
    }
    m_lastSeq = std::max(m_lastSeq, lastSeq);
    schedule();
}

void CacheWorker::enqueueReplace(const QList<Call> &calls, qint64 lastSeq)
{
    m_upserts.clear();
    m_removals.clear();
    m_replace = true;
    for (const Call &call : calls)
        m_upserts.insert(call.id, call);
    m_lastSeq = lastSeq;
    schedule();
}

Result<void> CacheWorker::writePending()
{
    if (!m_replace && m_upserts.isEmpty() && m_removals.isEmpty() && m_lastSeq < 0)
        return {};
    if (!QSqlDatabase::contains(m_connectionName))
        return Error{QStringLiteral("cache_error"), QStringLiteral("the cache is not open")};
    QSqlDatabase db = QSqlDatabase::database(m_connectionName);
    if (!db.transaction())
        return sqlError(QStringLiteral("begin"), db.lastError());
    auto fail = [&db](const QString &what, const QSqlQuery &query) {
        const Error error = sqlError(what, query.lastError());
        db.rollback();
        qCWarning(lcCache) << error.message;
        return error;
    };
    QSqlQuery query(db);
    if (m_replace && !query.exec(QStringLiteral("DELETE FROM calls")))
        return fail(QStringLiteral("clear"), query);
    if (!m_removals.isEmpty()) {
        if (!query.prepare(QStringLiteral("DELETE FROM calls WHERE id = ?")))
            return fail(QStringLiteral("prepare delete"), query);
        for (const QString &id : std::as_const(m_removals)) {
            query.bindValue(0, id);
            if (!query.exec())
                return fail(QStringLiteral("delete"), query);
        }
    }
    if (!m_upserts.isEmpty()) {
        if (!query.prepare(QStringLiteral(
                "INSERT OR REPLACE INTO calls (id, provider, status, created_ms, seq, data) "
                "VALUES (?, ?, ?, ?, ?, ?)")))
            return fail(QStringLiteral("prepare insert"), query);
        for (const Call &c : std::as_const(m_upserts)) {
            query.bindValue(0, c.id);
            query.bindValue(1, wireName(c.provider));
            query.bindValue(2, wireName(c.status));
            query.bindValue(3, timeValue(c.createdAt));
            query.bindValue(4, c.seq);
            query.bindValue(5, packCall(c));
            if (!query.exec())
                return fail(QStringLiteral("insert"), query);
        }
    }
    if (m_lastSeq >= 0) {
        if (!query.prepare(
                QStringLiteral("INSERT OR REPLACE INTO meta (key, value) VALUES ('last_seq', ?)")))
            return fail(QStringLiteral("prepare meta"), query);
        query.bindValue(0, QString::number(m_lastSeq));
        if (!query.exec())
            return fail(QStringLiteral("meta"), query);
    }
    if (!db.commit())
        return sqlError(QStringLiteral("commit"), db.lastError());
    qCDebug(lcCache) << "wrote" << m_upserts.size() << "calls," << m_removals.size() << "removals";
    m_upserts.clear();
    m_removals.clear();
    m_replace = false;
    m_lastSeq = -1;
    return {};
}

LocalCache::LocalCache(const QString &filePath, QObject *parent)
    : QObject(parent), m_filePath(filePath), m_worker(new CacheWorker(filePath))
{
    qRegisterMetaType<CacheContents>();
    qRegisterMetaType<Error>();
    m_thread.setObjectName(QStringLiteral("callboard-cache"));
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &CacheWorker::failed, this, &LocalCache::failed);
    m_thread.start();
}

LocalCache::~LocalCache()
{
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker] { worker->close(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

QString LocalCache::defaultPath(const QUrl &server, const QString &orgId)
{
    QString host = server.host().isEmpty() ? QStringLiteral("local") : server.host();
    if (server.port() > 0)
        host += u'_' + QString::number(server.port());
    // Names stay readable, but anything outside a safe alphabet is hashed.
    auto safe = [](const QString &text) {
        for (QChar c : text) {
            if (!(c.isLetterOrNumber() || c == u'-' || c == u'_' || c == u'.') || c.unicode() > 127)
                return QString::fromLatin1(
                    QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha256)
                        .toHex()
                        .left(32));
        }
        return text;
    };
    const QString base = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    return base + QStringLiteral("/cache/") + safe(host) + u'/' + safe(orgId) +
        QStringLiteral(".sqlite");
}

Result<void> LocalCache::open()
{
    Result<void> result;
    QMetaObject::invokeMethod(
        m_worker, [&] { result = m_worker->open(); }, Qt::BlockingQueuedConnection);
    m_open = result.ok();
    if (!result.ok())
        qCWarning(lcCache) << "cannot open cache" << m_filePath << result.error().message;
    return result;
}

void LocalCache::load()
{
    QMetaObject::invokeMethod(m_worker, [this, worker = m_worker] {
        auto contents = worker->load();
        if (contents.ok()) {
            QMetaObject::invokeMethod(
                this, [this, c = std::move(*contents)] { Q_EMIT loaded(c); }, Qt::QueuedConnection);
        } else {
            QMetaObject::invokeMethod(
                this, [this, e = contents.error()] { Q_EMIT failed(e); }, Qt::QueuedConnection);
        }
    });
}

Result<CacheContents> LocalCache::loadNow()
{
    std::optional<Result<CacheContents>> result;
    QMetaObject::invokeMethod(
        m_worker, [&] { result.emplace(m_worker->load()); }, Qt::BlockingQueuedConnection);
    return std::move(*result);
}

void LocalCache::store(const QList<Call> &upserts, const QStringList &removedIds, qint64 lastSeq)
{
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, upserts, removedIds, lastSeq] {
        worker->enqueue(upserts, removedIds, lastSeq);
    });
}

void LocalCache::replaceAll(const QList<Call> &calls, qint64 lastSeq)
{
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, calls, lastSeq] { worker->enqueueReplace(calls, lastSeq); });
}

Result<void> LocalCache::flush()
{
    Result<void> result;
    QMetaObject::invokeMethod(
        m_worker, [&] { result = m_worker->writePending(); }, Qt::BlockingQueuedConnection);
    return result;
}

void LocalCache::setBatchInterval(int ms)
{
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, ms] { worker->setBatchInterval(ms); });
}

} // namespace cb
