// A process hosting the realtime Hub alone, for the Node interop tests and the fan-out
// benchmark: fixed tokens and memberships, and `POST /emit` to publish a call change as
// the server's change feed would after a commit.
//
//   callboard-hub-harness [--ping-interval ms] [--ping-timeout ms] [--connect-timeout ms]
//                         [--max-payload bytes] [--metrics-interval ms] [--port n]
// Prints "PORT <n>" once listening on 127.0.0.1.
//
// Tokens: tok-acme → user u-acme (member of acme), tok-globex → u-globex (globex),
// tok-both → u-both (acme and globex); anything else is refused with code invalid_token.
//   POST /emit  {"org_id","seq","kind":"created|updated|deleted","call":{…}} → 200 {"ok":true}
//   GET /stats  → {"connections","members":{org:count},"overflows"}

#include "server/hub.h"

#include "core/json.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTcpServer>
#include <QTcpSocket>

#include <cstdio>
#include <memory>

namespace {

class Access final : public cb::HubAccess
{
public:
    cb::Result<QString> authenticate(const QString &token) override
    {
        if (token == u"tok-acme")
            return QStringLiteral("u-acme");
        if (token == u"tok-globex")
            return QStringLiteral("u-globex");
        if (token == u"tok-both")
            return QStringLiteral("u-both");
        return cb::Result<QString>::failure(QStringLiteral("invalid_token"),
                                            QStringLiteral("unknown token"));
    }
    cb::Result<qint64> joinOrg(const QString &userId, const QString &orgId) override
    {
        const bool member = userId == u"u-both" || userId == QStringLiteral("u-") + orgId;
        if (!member)
            return cb::Result<qint64>::failure(QStringLiteral("forbidden"),
                                               QStringLiteral("not a member"));
        return lastSeq.value(orgId, 0);
    }
    QHash<QString, qint64> lastSeq;
};

class Metrics final : public cb::HubMetricsSource
{
public:
    cb::Result<cb::Metrics> metrics(const QString &orgId) override
    {
        cb::Metrics m;
        m.orgId = orgId;
        m.at = QDateTime::currentDateTimeUtc();
        m.active = changes.value(orgId);
        return m;
    }
    QHash<QString, int> changes;
};

QByteArray httpResponse(int status, const QByteArray &body)
{
    return "HTTP/1.1 " + QByteArray::number(status) + (status == 200 ? " OK" : " Error") +
        "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) +
        "\r\n\r\n" + body;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    const QCommandLineOption pingInterval(QStringLiteral("ping-interval"), QStringLiteral("ms"),
                                          QStringLiteral("ms"), QStringLiteral("25000"));
    const QCommandLineOption pingTimeout(QStringLiteral("ping-timeout"), QStringLiteral("ms"),
                                         QStringLiteral("ms"), QStringLiteral("20000"));
    const QCommandLineOption connectTimeout(QStringLiteral("connect-timeout"), QStringLiteral("ms"),
                                            QStringLiteral("ms"), QStringLiteral("45000"));
    const QCommandLineOption maxPayload(QStringLiteral("max-payload"), QStringLiteral("bytes"),
                                        QStringLiteral("bytes"), QStringLiteral("1000000"));
    const QCommandLineOption metricsInterval(QStringLiteral("metrics-interval"),
                                             QStringLiteral("ms"), QStringLiteral("ms"),
                                             QStringLiteral("1000"));
    const QCommandLineOption port(QStringLiteral("port"),
                                  QStringLiteral("port to listen on (0: any free one)"),
                                  QStringLiteral("port"), QStringLiteral("0"));
    parser.addOptions(
        {pingInterval, pingTimeout, connectTimeout, maxPayload, metricsInterval, port});
    parser.process(app);

    cb::HubOptions options;
    options.pingIntervalMs = parser.value(pingInterval).toInt();
    options.pingTimeoutMs = parser.value(pingTimeout).toInt();
    options.connectTimeoutMs = parser.value(connectTimeout).toInt();
    options.maxPayload = parser.value(maxPayload).toLongLong();
    options.metricsIntervalMs = parser.value(metricsInterval).toInt();

    Access access;
    Metrics metrics;
    cb::Hub hub(access, options);
    hub.setMetricsSource(&metrics);

    QTcpServer server;
    server.setListenBacklogSize(4096);
    QObject::connect(&server, &QTcpServer::pendingConnectionAvailable, &server, [&] {
        while (QTcpSocket *socket = server.nextPendingConnection()) {
            socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
            // Requests are read into a buffer of the connection's own, so a publisher
            // pipelining many `POST /emit` costs one copy per byte, not a peek per request.
            auto buffer = std::make_shared<QByteArray>();
            auto handle = [&, socket, buffer] {
                if (buffer->isEmpty()) {
                    const QByteArray line = socket->peek(1024);
                    const qsizetype eol = line.indexOf("\r\n");
                    if (eol < 0 && line.size() < 1024)
                        return;
                    if (line.left(eol).contains(" /socket.io/")) {
                        socket->disconnect(&server);
                        hub.acceptUpgrade(socket);
                        return;
                    }
                }
                buffer->append(socket->readAll());
                qsizetype pos = 0;
                while (true) {
                    const qsizetype end = buffer->indexOf("\r\n\r\n", pos);
                    if (end < 0)
                        break;
                    const QByteArray head = buffer->mid(pos, end - pos).toLower();
                    qsizetype length = 0;
                    const qsizetype at = head.indexOf("content-length:");
                    if (at >= 0)
                        length = head.mid(at + 15, head.indexOf('\r', at) - at - 15)
                                     .trimmed()
                                     .toLongLong();
                    if (buffer->size() < end + 4 + length)
                        break;
                    const QByteArrayView request(buffer->constData() + pos, end + 4 + length - pos);
                    const QByteArrayView body = request.sliced(end + 4 - pos);
                    pos = end + 4 + length;
                    if (request.startsWith("POST /emit")) {
                        cb::Json json = cb::Json::parse(body.begin(), body.end(), nullptr, false);
                        const QString orgId = cb::stringField(json, "org_id");
                        const qint64 seq = qint64(cb::numberField(json, "seq").value_or(0));
                        const QString kind = cb::stringField(json, "kind");
                        access.lastSeq[orgId] = seq;
                        ++metrics.changes[orgId];
                        auto call = cb::callFromJson(json.contains("call") ? json["call"]
                                                                           : cb::Json::object());
                        if (kind == u"deleted")
                            hub.publishDeleted(orgId, seq, cb::stringField(json["call"], "id"));
                        else if (call)
                            hub.publishCall(orgId, seq,
                                            kind == u"created" ? cb::CallEvent::Created
                                                               : cb::CallEvent::Updated,
                                            call.value());
                        socket->write(httpResponse(200, "{\"ok\":true}"));
                    } else if (request.startsWith("GET /stats")) {
                        cb::Json stats{{"connections", hub.connectionCount()},
                                       {"overflows", hub.overflowCount()},
                                       {"members",
                                        {{"acme", hub.memberCount(QStringLiteral("acme"))},
                                         {"globex", hub.memberCount(QStringLiteral("globex"))}}}};
                        socket->write(httpResponse(200, cb::toBytes(stats)));
                    } else {
                        socket->write(httpResponse(404, "{}"));
                    }
                }
                buffer->remove(0, pos);
            };
            QObject::connect(socket, &QTcpSocket::readyRead, &server, handle);
            QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        }
    });
    if (!server.listen(QHostAddress::LocalHost, quint16(parser.value(port).toUInt()))) {
        std::fprintf(stderr, "listen failed\n");
        return 1;
    }
    std::printf("PORT %d\n", int(server.serverPort()));
    std::fflush(stdout);
    return app.exec();
}
