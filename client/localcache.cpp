#include "localcache.h"

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
constexpr int callColumnCount = 28;

enum StoredFlag { Finalized = 1, Voicemail = 2, Stale = 4, IsTest = 8 };

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

QVariant textValue(const QString &text)
{
    return text.isNull() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(text);
}

QVariant realValue(const std::optional<double> &value)
{
    return value ? QVariant(*value) : QVariant(QMetaType(QMetaType::Double));
}

Error sqlError(const QString &what, const QSqlError &error)
{
    return {QStringLiteral("cache_error"), what + QStringLiteral(": ") + error.text()};
}

/// Shares the text of values that repeat across rows (org, agent, currency …) between calls.
class StringPool
{
public:
    QString intern(const QString &value)
    {
        if (value.isEmpty())
            return value;
        auto it = m_pool.constFind(value);
        if (it != m_pool.constEnd())
            return *it;
        m_pool.insert(value, value);
        return value;
    }

private:
    QHash<QString, QString> m_pool;
};

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
    if (!query.exec(QStringLiteral("SELECT %1 FROM calls").arg(QString::fromLatin1(callColumns))))
        return sqlError(QStringLiteral("load"), query.lastError());
    StringPool pool;
    while (query.next()) {
        Call c;
        c.id = query.value(0).toString();
        const auto provider = providerFromString(query.value(2).toString());
        const auto status = callStatusFromString(query.value(10).toString());
        if (c.id.isEmpty() || !provider || !status)
            continue;
        c.orgId = pool.intern(query.value(1).toString());
        c.provider = *provider;
        c.providerCallId = query.value(3).toString();
        c.agentId = pool.intern(query.value(4).toString());
        c.providerAgentId = pool.intern(query.value(5).toString());
        c.direction = directionFromString(query.value(6).toString());
        c.toNumber = query.value(7).toString();
        c.fromNumber = pool.intern(query.value(8).toString());
        c.callerName = query.value(9).toString();
        c.status = *status;
        c.rawStatus = pool.intern(query.value(11).toString());
        c.endReason = pool.intern(query.value(12).toString());
        const int flags = query.value(13).toInt();
        c.finalized = flags & Finalized;
        c.voicemail = flags & Voicemail;
        c.stale = flags & Stale;
        c.isTest = flags & IsTest;
        c.createdAt = timeFrom(query.value(14));
        c.startedAt = timeFrom(query.value(15));
        c.answeredAt = timeFrom(query.value(16));
        c.endedAt = timeFrom(query.value(17));
        if (const QVariant v = query.value(18); !v.isNull())
            c.durationS = v.toDouble();
        if (const QVariant v = query.value(19); !v.isNull())
            c.costCents = v.toDouble();
        c.currency = pool.intern(query.value(20).toString());
        c.recordingUrl = query.value(21).toString();
        c.summary = query.value(22).toString();
        c.sentiment = pool.intern(query.value(23).toString());
        if (const QVariant v = query.value(24); !v.isNull())
            c.success = v.toBool();
        c.metadata = query.value(25).toByteArray();
        c.updatedAt = timeFrom(query.value(26));
        c.seq = query.value(27).toLongLong();
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
        QString placeholders;
        for (int i = 0; i < callColumnCount; ++i)
            placeholders += i ? QStringLiteral(",?") : QStringLiteral("?");
        if (!query.prepare(QStringLiteral("INSERT OR REPLACE INTO calls (%1) VALUES (%2)")
                               .arg(QString::fromLatin1(callColumns), placeholders)))
            return fail(QStringLiteral("prepare insert"), query);
        for (const Call &c : std::as_const(m_upserts)) {
            const int flags = (c.finalized ? Finalized : 0) | (c.voicemail ? Voicemail : 0) |
                (c.stale ? Stale : 0) | (c.isTest ? IsTest : 0);
            const QVariantList values{
                c.id,
                textValue(c.orgId),
                wireName(c.provider),
                textValue(c.providerCallId),
                textValue(c.agentId),
                textValue(c.providerAgentId),
                c.direction ? QVariant(wireName(*c.direction))
                            : QVariant(QMetaType(QMetaType::QString)),
                textValue(c.toNumber),
                textValue(c.fromNumber),
                textValue(c.callerName),
                wireName(c.status),
                textValue(c.rawStatus),
                textValue(c.endReason),
                flags,
                timeValue(c.createdAt),
                timeValue(c.startedAt),
                timeValue(c.answeredAt),
                timeValue(c.endedAt),
                realValue(c.durationS),
                realValue(c.costCents),
                textValue(c.currency),
                textValue(c.recordingUrl),
                textValue(c.summary),
                textValue(c.sentiment),
                c.success ? QVariant(int(*c.success)) : QVariant(QMetaType(QMetaType::Int)),
                c.metadata.isEmpty() ? QVariant(QMetaType(QMetaType::QByteArray))
                                     : QVariant(c.metadata),
                timeValue(c.updatedAt),
                c.seq,
            };
            for (int i = 0; i < callColumnCount; ++i)
                query.bindValue(i, values.at(i));
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
