// The realtime endpoint of the real callboard-server binary: a webhook taken by the
// server reaches a Socket.IO client; with PostgreSQL, a webhook taken by instance A
// reaches a client of instance B, in seq order.
#include "../server/pgtestserver.h"
#include "../server/testsupport.h"

#include "core/json.h"
#include "core/socketio.h"

#include <QTest>
#include <QUuid>
#include <QWebSocket>

#include <memory>
#include <vector>

using namespace cbtest;
using cb::Json;

namespace {

/// A Socket.IO client on QWebSocket that answers pings and keeps every call event.
class Client
{
public:
    explicit Client(quint16 port)
    {
        QObject::connect(&socket, &QWebSocket::textMessageReceived, &socket,
                         [this](const QString &text) {
                             const QByteArray frame = text.toUtf8();
                             if (frame == "2") {
                                 socket.sendTextMessage(QStringLiteral("3"));
                                 return;
                             }
                             frames.append(frame);
                             const auto packet = cb::sio::decodeMessage(frame);
                             if (!packet || packet->type != cb::sio::SioType::Event)
                                 return;
                             const QString name = cb::sio::eventName(*packet);
                             if (name.startsWith(u"call:"))
                                 events.append({name, cb::sio::eventArgs(*packet).front()});
                         });
        socket.open(QUrl(
            QStringLiteral("ws://127.0.0.1:%1/socket.io/?EIO=4&transport=websocket").arg(port)));
    }
    bool waitFrames(int count, int timeoutMs = 10000)
    {
        return QTest::qWaitFor([&] { return frames.size() >= count; }, timeoutMs);
    }
    QByteArray send(const QByteArray &text)
    {
        const qsizetype before = frames.size();
        socket.sendTextMessage(QString::fromUtf8(text));
        return waitFrames(int(before) + 1) ? frames.at(before) : QByteArray();
    }
    /// CONNECT with @p token and join @p orgId; returns the org's last seq, or -1.
    qint64 connectAndJoin(const QByteArray &token, const QString &orgId)
    {
        if (!waitFrames(1) || !send("40{\"token\":\"" + token + "\"}").startsWith("40{\"sid\""))
            return -1;
        const QByteArray ack = send("421[\"org:join\",{\"org_id\":\"" + orgId.toUtf8() + "\"}]");
        const auto packet = cb::sio::decodeMessage(ack);
        if (!packet || packet->type != cb::sio::SioType::Ack)
            return -1;
        const Json body = cb::sio::eventArgs(*packet).front();
        return body.value("ok", false) ? body.value("last_seq", qint64(-1)) : -1;
    }
    const Json *callEvent(const QString &providerCallId) const
    {
        for (const auto &[name, body] : events) {
            if (body.contains("call") &&
                body["call"].value("provider_call_id", std::string()) ==
                    providerCallId.toStdString())
                return &body;
        }
        return nullptr;
    }
    QList<qint64> seqs() const
    {
        QList<qint64> out;
        for (const auto &[name, body] : events)
            out.append(body.value("seq", qint64(0)));
        return out;
    }

    QWebSocket socket;
    QList<QByteArray> frames;
    QList<std::pair<QString, Json>> events;
};

/// A Vapi status-update fixture for a new call id.
QByteArray vapiWebhook(const QString &callId,
                       const char *file = "02-status-update-in-progress.json")
{
    Json body = Json::parse(
        fixture(QStringLiteral("vapi/answered/") + QString::fromLatin1(file)).toStdString());
    body["message"]["call"]["id"] = callId.toStdString();
    return cb::toBytes(body);
}

int postVapi(quint16 port, const QString &callId,
             const char *file = "02-status-update-in-progress.json")
{
    return http(port, "POST", "/api/webhooks/vapi", vapiWebhook(callId, file),
                {{"x-vapi-secret", "demo-vapi-secret"}})
        .status;
}

bool strictlyIncreasing(const QList<qint64> &seqs)
{
    for (qsizetype i = 1; i < seqs.size(); ++i) {
        if (seqs.at(i) <= seqs.at(i - 1)) {
            qWarning() << "seqs out of order:" << seqs;
            return false;
        }
    }
    return true;
}

} // namespace

class TestRealtimeServer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void webhookReachesClient();
    void twoInstancesShareChangesThroughPostgres();
    void connectionsPerUserAreCapped();
};

void TestRealtimeServer::webhookReachesClient()
{
    ServerProcess server({QStringLiteral("--demo")});
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    const QByteArray token = server.login(QStringLiteral("viewer@demo"));
    QVERIFY(!token.isEmpty());

    // The polling transport is refused exactly as a websocket-only stock server does.
    const HttpResult polling = http(server.port(), "GET", "/socket.io/?EIO=4&transport=polling");
    QCOMPARE(polling.status, 400);
    QCOMPARE(polling.body, QByteArray("{\"code\":0,\"message\":\"Transport unknown\"}"));

    Client bad(server.port());
    QVERIFY(bad.waitFrames(1));
    QCOMPARE(bad.send("40{\"token\":\"nope\"}"),
             QByteArray("44{\"data\":{\"code\":\"unauthorized\"},\"message\":\"unauthorized\"}"));

    Client client(server.port());
    const qint64 lastSeq = client.connectAndJoin(token, QStringLiteral("org-acme"));
    QVERIFY(lastSeq >= 0);
    QVERIFY(QTest::qWaitFor(
        [&] {
            return std::any_of(client.frames.begin(), client.frames.end(), [](const QByteArray &f) {
                return f.startsWith("42[\"metrics:updated\"");
            });
        },
        10000));
    const QByteArray refused = client.send("422[\"org:join\",{\"org_id\":\"org-globex\"}]");
    QVERIFY2(refused.startsWith("432[{\"error\":{\"code\":\"forbidden\""), refused.constData());

    const QString callId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    QCOMPARE(postVapi(server.port(), callId), 200);
    QVERIFY(QTest::qWaitFor([&] { return client.callEvent(callId) != nullptr; }, 10000));
    const Json event = *client.callEvent(callId);
    QCOMPARE(event.value("org_id", std::string()), std::string("org-acme"));
    QVERIFY(event.value("seq", qint64(0)) > lastSeq);
    QCOMPARE(event["call"].value("status", std::string()), std::string("in_progress"));
    QVERIFY(!event["call"].contains("transcript"));
    QVERIFY(strictlyIncreasing(client.seqs()));
}

void TestRealtimeServer::twoInstancesShareChangesThroughPostgres()
{
    if (PgTestServer::binDir().isEmpty())
        QSKIP("PostgreSQL binaries are not installed (scripts/setup installs them)");
    PgTestServer pg;
    QString error;
    QVERIFY2(pg.start(&error), qPrintable(error));
    const QString url = pg.createDatabase(&error);
    QVERIFY2(error.isEmpty(), qPrintable(error));

    // The demo's own seeding (ServerProcess seeds --demo in its SQLite data directory).
    qputenv("CALLBOARD_DEMO", "1");
    ServerProcess a({QStringLiteral("--db"), url});
    const bool started = a.start(&error);
    qunsetenv("CALLBOARD_DEMO");
    QVERIFY2(started, qPrintable(error));
    ServerProcess b({QStringLiteral("--db"), url});
    QVERIFY2(b.start(&error), qPrintable(error));
    const QByteArray token = b.login(QStringLiteral("viewer@demo"));
    QVERIFY(!token.isEmpty());

    Client onB(b.port());
    QVERIFY(onB.connectAndJoin(token, QStringLiteral("org-acme")) >= 0);
    Client onA(a.port());
    QVERIFY(onA.connectAndJoin(token, QStringLiteral("org-acme")) >= 0);

    // Webhooks for several calls, in a burst, all taken by instance A.
    QStringList ids;
    for (int i = 0; i < 10; ++i) {
        ids.append(QUuid::createUuid().toString(QUuid::WithoutBraces));
        QCOMPARE(postVapi(a.port(), ids.last()), 200);
    }
    QCOMPARE(postVapi(a.port(), ids.first(), "08-status-update-ended.json"), 200);

    QVERIFY(QTest::qWaitFor(
        [&] {
            for (const QString &id : ids) {
                if (!onB.callEvent(id))
                    return false;
            }
            return true;
        },
        20000));
    QVERIFY(strictlyIncreasing(onB.seqs()));
    QVERIFY(strictlyIncreasing(onA.seqs()));
    // The last change of the first call arrives on B as well: its ended state.
    QVERIFY(QTest::qWaitFor(
        [&] {
            for (const auto &[name, body] : onB.events) {
                if (body.contains("call") &&
                    body["call"].value("provider_call_id", std::string()) ==
                        ids.first().toStdString() &&
                    body["call"].value("status", std::string()) != "in_progress")
                    return true;
            }
            return false;
        },
        20000));
}

void TestRealtimeServer::connectionsPerUserAreCapped()
{
    ServerProcess server(
        {QStringLiteral("--demo"), QStringLiteral("--max-ws-per-user"), QStringLiteral("3")});
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    const QByteArray viewer = server.login(QStringLiteral("viewer@demo"));
    const QByteArray viewerAgain = server.login(QStringLiteral("viewer@demo"));
    const QByteArray staff = server.login(QStringLiteral("staff@demo"));
    QVERIFY(!viewer.isEmpty() && !viewerAgain.isEmpty() && !staff.isEmpty());

    std::vector<std::unique_ptr<Client>> held;
    for (int i = 0; i < 3; ++i) {
        held.push_back(std::make_unique<Client>(server.port()));
        QVERIFY(held.back()->connectAndJoin(i == 2 ? viewerAgain : viewer,
                                            QStringLiteral("org-acme")) >= 0);
    }

    // The fourth CONNECT of the user (whatever the session) is refused and closed.
    Client over(server.port());
    QVERIFY(over.waitFrames(1));
    QCOMPARE(over.send("40{\"token\":\"" + viewerAgain + "\"}"),
             QByteArray("44{\"data\":{\"code\":\"too_many_connections\"},"
                        "\"message\":\"too many connections\"}"));
    QVERIFY(QTest::qWaitFor(
        [&] { return over.socket.state() == QAbstractSocket::UnconnectedState; }, 10000));

    // Other users are not affected.
    Client other(server.port());
    QVERIFY(other.connectAndJoin(staff, QStringLiteral("org-acme")) >= 0);

    // Closing one connection frees its slot.
    held.front()->socket.close();
    QVERIFY(QTest::qWaitFor(
        [&] { return held.front()->socket.state() == QAbstractSocket::UnconnectedState; }, 10000));
    held.erase(held.begin());
    bool admitted = false;
    for (int attempt = 0; attempt < 20 && !admitted; ++attempt) {
        held.push_back(std::make_unique<Client>(server.port()));
        admitted = held.back()->connectAndJoin(viewer, QStringLiteral("org-acme")) >= 0;
        if (!admitted) {
            held.pop_back();
            QTest::qWait(100);
        }
    }
    QVERIFY(admitted);
    QCOMPARE(held.size(), size_t(3));
    // And the cap holds again.
    Client overAgain(server.port());
    QVERIFY(overAgain.waitFrames(1));
    QVERIFY(overAgain.send("40{\"token\":\"" + viewer + "\"}").startsWith("44{"));
}

QTEST_GUILESS_MAIN(TestRealtimeServer)
#include "tst_realtime_server.moc"
