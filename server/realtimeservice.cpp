#include "realtimeservice.h"

#include "logging.h"
#include "realtimehttp.h"
#include "serverapp.h"

#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpSocket>

namespace cb {

namespace {

CallEvent eventFor(ChangeKind kind)
{
    switch (kind) {
    case ChangeKind::Created:
        return CallEvent::Created;
    case ChangeKind::Updated:
        return CallEvent::Updated;
    case ChangeKind::Deleted:
        return CallEvent::Deleted;
    }
    return CallEvent::Updated;
}

/// `instance|org|call|seq|kind`: ids never contain '|'.
QString notificationPayload(const QString &instance, const QString &orgId, const QString &callId,
                            qint64 seq, ChangeKind kind)
{
    return instance + u'|' + orgId + u'|' + callId + u'|' + QString::number(seq) + u'|' +
        QString::number(int(kind));
}

int envInt(const char *name, int fallback)
{
    bool ok = false;
    const int value = qEnvironmentVariableIntValue(name, &ok);
    return ok && value > 0 ? value : fallback;
}

} // namespace

class RealtimeService::Access final : public HubAccess
{
public:
    explicit Access(ServerApp &app) : m_app(app) { }

    Result<QString> authenticate(const QString &token) override
    {
        auto user = m_app.auth().authenticate(token);
        if (!user)
            return user.error();
        return user->id;
    }

    Result<qint64> joinOrg(const QString &userId, const QString &orgId) override
    {
        auto role = m_app.auth().roleIn(userId, orgId);
        if (!role)
            return role.error();
        if (!role->has_value())
            return Result<qint64>::failure(QStringLiteral("forbidden"),
                                           QStringLiteral("not a member of this organization"));
        return m_app.auth().lastSeq(orgId);
    }

private:
    ServerApp &m_app;
};

class RealtimeService::MetricsSource final : public HubMetricsSource
{
public:
    explicit MetricsSource(ServerApp &app) : m_app(app) { }

    Result<Metrics> metrics(const QString &orgId) override
    {
        return m_app.store().org(orgId).metrics(QDateTime::currentDateTimeUtc());
    }

private:
    ServerApp &m_app;
};

HubOptions RealtimeService::optionsFromEnvironment()
{
    HubOptions options;
    options.pingIntervalMs = envInt("CALLBOARD_PING_INTERVAL_MS", options.pingIntervalMs);
    options.pingTimeoutMs = envInt("CALLBOARD_PING_TIMEOUT_MS", options.pingTimeoutMs);
    options.connectTimeoutMs = envInt("CALLBOARD_CONNECT_TIMEOUT_MS", options.connectTimeoutMs);
    options.maxSendQueueBytes =
        envInt("CALLBOARD_MAX_SEND_QUEUE_BYTES", int(options.maxSendQueueBytes));
    return options;
}

RealtimeService::RealtimeService(ServerApp &app, HubOptions options, QObject *parent)
    : QObject(parent)
    , m_app(app)
    , m_access(std::make_unique<Access>(app))
    , m_metrics(std::make_unique<MetricsSource>(app))
    , m_instanceId(Hub::randomId())
{
    if (app.config().db.kind == DbConfig::Kind::Postgres && options.reorderHoldMs <= 0)
        options.reorderHoldMs = 250;
    m_hub = std::make_unique<Hub>(*m_access, options);
    m_hub->setMetricsSource(m_metrics.get());

    app.setUpgradeHandler(
        [this](const HttpRequest &, QTcpSocket *socket) { return m_hub->acceptUpgrade(socket); });
    for (const QByteArray method : {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"}) {
        app.router().add(
            method, QStringLiteral("/socket.io"),
            [](const HttpRequest &request, const RouteParams &, HttpResponder responder) {
                const auto refusal = realtimehttp::engineRefusal(request.method, request.query);
                responder.send(HttpResponse{refusal.status, "application/json", refusal.body, {}});
            });
    }
    connect(&app.changeFeed(), &ChangeFeed::callChanged, this,
            [this](const QString &orgId, qint64 seq, const Call &call, ChangeKind kind) {
                onLocalChange(orgId, seq, call, int(kind));
            });
}

RealtimeService::~RealtimeService()
{
    if (!m_listenConnection.isEmpty()) {
        {
            QSqlDatabase db = QSqlDatabase::database(m_listenConnection, false);
            if (db.isOpen())
                db.driver()->unsubscribeFromNotification(QString::fromLatin1(channel));
            db.close();
        }
        QSqlDatabase::removeDatabase(m_listenConnection);
    }
}

Result<void> RealtimeService::start()
{
    const DbConfig &config = m_app.config().db;
    if (config.kind != DbConfig::Kind::Postgres)
        return {};
    const QString name = QStringLiteral("callboard-realtime-") + m_instanceId;
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
    db.setHostName(config.host);
    db.setPort(config.port);
    db.setUserName(config.user);
    db.setPassword(config.password);
    db.setDatabaseName(config.database);
    db.setConnectOptions(config.options);
    if (!db.open() || !db.driver()->subscribeToNotification(QString::fromLatin1(channel))) {
        const QString message = db.lastError().text();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(name);
        return Result<void>::failure(
            QStringLiteral("realtime_listen_failed"),
            QStringLiteral("cannot LISTEN for changes of other instances: ") + message);
    }
    connect(db.driver(), &QSqlDriver::notification, this,
            [this](const QString &notificationName, QSqlDriver::NotificationSource,
                   const QVariant &payload) { onNotification(notificationName, payload); });
    m_listenConnection = name;
    qCInfo(lcHub) << "sharing changes with other instances on channel" << channel;
    return {};
}

void RealtimeService::onLocalChange(const QString &orgId, qint64 seq, const Call &call, int kind)
{
    const auto changeKind = ChangeKind(kind);
    m_hub->publishCall(orgId, seq, eventFor(changeKind), call);
    if (m_listenConnection.isEmpty())
        return;
    QSqlQuery query(QSqlDatabase::database(m_listenConnection, false));
    query.prepare(QStringLiteral("SELECT pg_notify(?, ?)"));
    query.addBindValue(QString::fromLatin1(channel));
    query.addBindValue(notificationPayload(m_instanceId, orgId, call.id, seq, changeKind));
    if (!query.exec())
        qCWarning(lcHub) << "NOTIFY failed; other instances miss seq" << seq << "of" << orgId << ":"
                         << query.lastError().text();
}

void RealtimeService::onNotification(const QString &name, const QVariant &payload)
{
    if (name != QLatin1StringView(channel))
        return;
    const QStringList parts = payload.toString().split(u'|');
    if (parts.size() != 5)
        return;
    if (parts.at(0) == m_instanceId)
        return;
    const QString &orgId = parts.at(1);
    const QString &callId = parts.at(2);
    bool seqOk = false;
    bool kindOk = false;
    const qint64 seq = parts.at(3).toLongLong(&seqOk);
    const int kind = parts.at(4).toInt(&kindOk);
    if (orgId.isEmpty() || callId.isEmpty() || !seqOk || !kindOk || kind < 0 ||
        kind > int(ChangeKind::Deleted))
        return;
    if (ChangeKind(kind) == ChangeKind::Deleted) {
        m_hub->publishDeleted(orgId, seq, callId);
        return;
    }
    auto record = m_app.store().org(orgId).call(callId, false);
    if (!record) {
        qCWarning(lcHub) << "cannot load call" << callId << "for seq" << seq << ":"
                         << record.error().message;
        m_hub->skipSeq(orgId, seq);
        return;
    }
    // A row already changed again (or deleted) is published by the later notification.
    if (!record->has_value() || (*record)->call.seq != seq) {
        m_hub->skipSeq(orgId, seq);
        return;
    }
    m_hub->publishCall(orgId, seq, eventFor(ChangeKind(kind)), (*record)->call);
}

} // namespace cb
