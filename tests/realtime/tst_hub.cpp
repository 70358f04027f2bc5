#include "server/hub.h"
#include "server/realtimewebsocket.h"

#include "core/json.h"
#include "core/socketio.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimeZone>
#include <QWebSocket>

#include <memory>

#include <sys/ioctl.h>

using namespace cb;

namespace {

class Access final : public HubAccess
{
public:
    Result<QString> authenticate(const QString &token) override
    {
        if (token == u"tok-acme")
            return QStringLiteral("u-acme");
        if (token == u"tok-both")
            return QStringLiteral("u-both");
        if (token == u"tok-old")
            return Result<QString>::failure(QStringLiteral("expired_token"),
                                            QStringLiteral("expired"));
        return Result<QString>::failure(QStringLiteral("invalid_token"),
                                        QStringLiteral("unknown token"));
    }
    Result<qint64> joinOrg(const QString &userId, const QString &orgId) override
    {
        if (userId == u"u-both" || (userId == u"u-acme" && orgId == u"acme"))
            return lastSeq;
        return Result<qint64>::failure(QStringLiteral("forbidden"), QStringLiteral("not a member"));
    }
    qint64 lastSeq = 41;
};

class CountingMetrics final : public HubMetricsSource
{
public:
    Result<Metrics> metrics(const QString &orgId) override
    {
        ++calls;
        Metrics m;
        m.orgId = orgId;
        m.at = QDateTime::fromMSecsSinceEpoch(0, QTimeZone::utc());
        m.active = calls;
        return m;
    }
    int calls = 0;
};

/// A QWebSocket client that records every text frame it receives.
class Client
{
public:
    explicit Client(quint16 port, const QByteArray &query = "EIO=4&transport=websocket")
    {
        QObject::connect(&socket, &QWebSocket::textMessageReceived, &socket,
                         [this](const QString &text) { frames.append(text.toUtf8()); });
        socket.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/socket.io/?%2")
                             .arg(port)
                             .arg(QString::fromLatin1(query))));
    }
    bool waitFrames(int count, int timeoutMs = 5000)
    {
        return QTest::qWaitFor([&] { return frames.size() >= count; }, timeoutMs);
    }
    bool waitClosed(int timeoutMs = 5000)
    {
        return QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::UnconnectedState; },
                               timeoutMs);
    }
    /// Opens, answers the open packet with CONNECT and waits for the reply.
    QByteArray connectWith(const QByteArray &auth)
    {
        if (!waitFrames(1))
            return {};
        const qsizetype before = frames.size();
        socket.sendTextMessage(QString::fromUtf8("40" + auth));
        if (!waitFrames(int(before) + 1))
            return {};
        return frames.at(before);
    }
    QByteArray join(const QString &orgId, int ackId = 1)
    {
        const qsizetype before = frames.size();
        socket.sendTextMessage(
            QStringLiteral("42%1[\"org:join\",{\"org_id\":\"%2\"}]").arg(ackId).arg(orgId));
        if (!waitFrames(int(before) + 1))
            return {};
        return frames.at(before);
    }
    QList<QByteArray> events(const QByteArray &name) const
    {
        QList<QByteArray> out;
        for (const QByteArray &frame : frames) {
            if (frame.startsWith(QByteArray("42[\"" + name + "\"")))
                out.append(frame);
        }
        return out;
    }
    QWebSocket socket;
    QList<QByteArray> frames;
};

Call sampleCall(const QString &id, const QString &orgId)
{
    Call call;
    call.id = id;
    call.orgId = orgId;
    call.provider = Provider::Vapi;
    call.status = CallStatus::InProgress;
    call.transcript = QStringLiteral("never pushed");
    return call;
}

qint64 seqOf(const QByteArray &frame)
{
    const auto packet = sio::decodeMessage(frame);
    if (!packet)
        return -1;
    const Json args = sio::eventArgs(*packet);
    return args.empty() ? -1 : qint64(numberField(args.front(), "seq").value_or(-1));
}

} // namespace

class TestHub : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void openPacket();
    void pollingGetsEngineIoError_data();
    void pollingGetsEngineIoError();
    void wrongProtocolVersionIsDropped();
    void connectAndJoin();
    void badTokenKeepsSessionOpen();
    void unknownNamespace();
    void joinRefusedForNonMember();
    void eventsReachMembersOnly();
    void deletedAndLeave();
    void severalOrgsOnOneConnection();
    void reorderHoldsGaps();
    void metricsThrottled();
    void serverPingsAndDropsSilentClient();
    void clientPingCloses();
    void malformedPacketClosesOnlyThatClient();
    void oversizeFrameCloses1009();
    void connectTimeout();
    void slowConsumerIsDropped();
    void flusherRoundsLetTheEventLoopRun();
    void utf8Validation();

private:
    void startHub(HubOptions options);

    Access m_access;
    CountingMetrics m_metrics;
    std::unique_ptr<Hub> m_hub;
    std::unique_ptr<QTcpServer> m_server;
    quint16 m_port = 0;
};

void TestHub::init()
{
    HubOptions options;
    options.pingIntervalMs = 60000;
    options.pingTimeoutMs = 60000;
    options.connectTimeoutMs = 60000;
    options.metricsIntervalMs = 60000;
    startHub(options);
}

void TestHub::startHub(HubOptions options)
{
    m_server.reset();
    m_hub.reset();
    m_metrics.calls = 0;
    m_hub = std::make_unique<Hub>(m_access, options);
    m_hub->setMetricsSource(&m_metrics);
    m_server = std::make_unique<QTcpServer>();
    QObject::connect(m_server.get(), &QTcpServer::pendingConnectionAvailable, m_server.get(),
                     [this] {
                         while (QTcpSocket *socket = m_server->nextPendingConnection())
                             QVERIFY(m_hub->acceptUpgrade(socket));
                     });
    QVERIFY(m_server->listen(QHostAddress::LocalHost, 0));
    m_port = m_server->serverPort();
}

void TestHub::cleanup()
{
    m_server.reset();
    m_hub.reset();
}

void TestHub::openPacket()
{
    Client client(m_port);
    QVERIFY(client.waitFrames(1));
    const QByteArray open = client.frames.first();
    QVERIFY(open.startsWith("0{"));
    const auto packet = sio::decodeOpen(open.mid(1));
    QVERIFY(packet);
    QCOMPARE(packet->sid.size(), 20);
    QVERIFY(packet->upgrades.isEmpty());
    QCOMPARE(packet->pingInterval, 60000);
    QCOMPARE(packet->maxPayload, 1000000);
    QVERIFY(open.contains("\"upgrades\":[]"));
}

void TestHub::pollingGetsEngineIoError_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("polling")
        << QByteArray("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n")
        << QByteArray("{\"code\":0,\"message\":\"Transport unknown\"}");
    QTest::newRow("no transport") << QByteArray("GET /socket.io/?EIO=4 HTTP/1.1\r\nHost: x\r\n\r\n")
                                  << QByteArray("{\"code\":0,\"message\":\"Transport unknown\"}");
    QTest::newRow("sid")
        << QByteArray(
               "GET /socket.io/?EIO=4&transport=websocket&sid=abc HTTP/1.1\r\nHost: x\r\n\r\n")
        << QByteArray("{\"code\":1,\"message\":\"Session ID unknown\"}");
    QTest::newRow("websocket without upgrade")
        << QByteArray("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\n\r\n")
        << QByteArray("{\"code\":3,\"message\":\"Bad request\"}");
    QTest::newRow("upgrade to polling")
        << QByteArray("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nUpgrade: "
                      "websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      "Sec-WebSocket-Version: 13\r\n\r\n")
        << QByteArray("Transport unknown");
}

void TestHub::pollingGetsEngineIoError()
{
    QFETCH(QByteArray, request);
    QFETCH(QByteArray, expected);
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_port);
    QVERIFY(socket.waitForConnected(5000));
    // Split the head so the hub has to wait for the rest of it.
    socket.write(request.left(10));
    QVERIFY(socket.waitForBytesWritten(5000));
    QTest::qWait(20);
    socket.write(request.mid(10));
    QByteArray response;
    QVERIFY(QTest::qWaitFor(
        [&] {
            response += socket.readAll();
            return socket.state() == QAbstractSocket::UnconnectedState ||
                response.endsWith(expected);
        },
        5000));
    response += socket.readAll();
    QVERIFY2(response.startsWith("HTTP/1.1 400 Bad Request\r\n"), response.constData());
    QVERIFY2(response.endsWith(QByteArray("\r\n\r\n" + expected)), response.constData());
}

void TestHub::wrongProtocolVersionIsDropped()
{
    Client client(m_port, "EIO=3&transport=websocket");
    QVERIFY(client.waitClosed());
    QVERIFY(client.frames.isEmpty());
}

void TestHub::connectAndJoin()
{
    Client client(m_port);
    const QByteArray connected = client.connectWith("{\"token\":\"tok-acme\"}");
    QVERIFY2(connected.startsWith("40{\"sid\":\""), connected.constData());
    const QByteArray ack = client.join(QStringLiteral("acme"), 7);
    QCOMPARE(ack, QByteArray("437[{\"last_seq\":41,\"ok\":true}]"));
    QVERIFY(client.waitFrames(4));
    QVERIFY2(client.frames.at(3).startsWith("42[\"metrics:updated\",{"),
             client.frames.at(3).constData());
    QCOMPARE(m_hub->memberCount(QStringLiteral("acme")), 1);
}

void TestHub::badTokenKeepsSessionOpen()
{
    Client client(m_port);
    QCOMPARE(client.connectWith("{\"token\":\"nope\"}"),
             QByteArray("44{\"data\":{\"code\":\"invalid_token\"},\"message\":\"unauthorized\"}"));
    QCOMPARE(client.connectWith(""),
             QByteArray("44{\"data\":{\"code\":\"missing_token\"},\"message\":\"unauthorized\"}"));
    QCOMPARE(client.connectWith("{\"token\":\"tok-old\"}"),
             QByteArray("44{\"data\":{\"code\":\"expired_token\"},\"message\":\"unauthorized\"}"));
    // Events before a successful CONNECT are ignored, not answered.
    client.socket.sendTextMessage(QStringLiteral("421[\"org:join\",{\"org_id\":\"acme\"}]"));
    QVERIFY(client.connectWith("{\"token\":\"tok-acme\"}").startsWith("40{\"sid\""));
    QCOMPARE(client.socket.state(), QAbstractSocket::ConnectedState);
    QCOMPARE(m_hub->memberCount(QStringLiteral("acme")), 0);
}

void TestHub::unknownNamespace()
{
    Client client(m_port);
    QVERIFY(client.waitFrames(1));
    client.socket.sendTextMessage(QStringLiteral("40/random,{\"token\":\"tok-acme\"}"));
    QVERIFY(client.waitFrames(2));
    QCOMPARE(client.frames.at(1), QByteArray("44/random,{\"message\":\"Invalid namespace\"}"));
}

void TestHub::joinRefusedForNonMember()
{
    Client client(m_port);
    QVERIFY(client.connectWith("{\"token\":\"tok-acme\"}").startsWith("40"));
    QCOMPARE(
        client.join(QStringLiteral("globex"), 3),
        QByteArray(
            "433[{\"error\":{\"code\":\"forbidden\",\"message\":\"not a member\"},\"ok\":false}]"));
    client.socket.sendTextMessage(QStringLiteral("424[\"org:join\",{\"org\":\"acme\"}]"));
    QVERIFY(client.waitFrames(4));
    QVERIFY(client.frames.at(3).startsWith("434[{\"error\":{\"code\":\"invalid_request\""));
    QCOMPARE(m_hub->memberCount(QStringLiteral("globex")), 0);
}

void TestHub::eventsReachMembersOnly()
{
    Client member(m_port);
    Client other(m_port);
    QVERIFY(member.connectWith("{\"token\":\"tok-acme\"}").startsWith("40"));
    QVERIFY(other.connectWith("{\"token\":\"tok-both\"}").startsWith("40"));
    QVERIFY(member.join(QStringLiteral("acme")).startsWith("431"));
    QVERIFY(other.join(QStringLiteral("globex")).startsWith("431"));

    m_hub->publishCall(QStringLiteral("acme"), 42, CallEvent::Created,
                       sampleCall(QStringLiteral("c-1"), QStringLiteral("acme")));
    m_hub->publishCall(QStringLiteral("acme"), 43, CallEvent::Updated,
                       sampleCall(QStringLiteral("c-1"), QStringLiteral("acme")));
    QVERIFY(QTest::qWaitFor([&] { return member.events("call:updated").size() == 1; }, 5000));
    const QList<QByteArray> created = member.events("call:created");
    QCOMPARE(created.size(), 1);
    QCOMPARE(seqOf(created.first()), 42);
    QCOMPARE(seqOf(member.events("call:updated").first()), 43);

    const auto packet = sio::decodeMessage(created.first());
    QVERIFY(packet);
    const Json body = sio::eventArgs(*packet).front();
    QCOMPARE(stringField(body, "org_id"), QStringLiteral("acme"));
    QCOMPARE(stringField(body["call"], "id"), QStringLiteral("c-1"));
    QVERIFY(!body["call"].contains("transcript"));

    QTest::qWait(50);
    QVERIFY(other.events("call:created").isEmpty());
    QVERIFY(other.events("call:updated").isEmpty());
}

void TestHub::deletedAndLeave()
{
    Client client(m_port);
    QVERIFY(client.connectWith("{\"token\":\"tok-acme\"}").startsWith("40"));
    QVERIFY(client.join(QStringLiteral("acme")).startsWith("431"));
    m_hub->publishDeleted(QStringLiteral("acme"), 50, QStringLiteral("c-9"));
    QVERIFY(QTest::qWaitFor([&] { return client.events("call:deleted").size() == 1; }, 5000));
    QCOMPARE(
        client.events("call:deleted").first(),
        QByteArray("42[\"call:deleted\",{\"call_id\":\"c-9\",\"org_id\":\"acme\",\"seq\":50}]"));

    const qsizetype before = client.frames.size();
    client.socket.sendTextMessage(QStringLiteral("425[\"org:leave\",{\"org_id\":\"acme\"}]"));
    QVERIFY(client.waitFrames(int(before) + 1));
    QCOMPARE(client.frames.last(), QByteArray("435[{\"ok\":true}]"));
    QCOMPARE(m_hub->memberCount(QStringLiteral("acme")), 0);
    m_hub->publishDeleted(QStringLiteral("acme"), 51, QStringLiteral("c-10"));
    QTest::qWait(50);
    QCOMPARE(client.events("call:deleted").size(), 1);

    // DISCONNECT of the only namespace leaves every room and closes, as stock does.
    QVERIFY(client.join(QStringLiteral("acme"), 6).startsWith("436"));
    client.socket.sendTextMessage(QStringLiteral("41"));
    QVERIFY(client.waitClosed());
    QCOMPARE(m_hub->memberCount(QStringLiteral("acme")), 0);
}

void TestHub::severalOrgsOnOneConnection()
{
    Client client(m_port);
    QVERIFY(client.connectWith("{\"token\":\"tok-both\"}").startsWith("40"));
    QVERIFY(client.join(QStringLiteral("acme"), 1).startsWith("431"));
    QVERIFY(client.join(QStringLiteral("globex"), 2).startsWith("432"));
    m_hub->publishCall(QStringLiteral("globex"), 5, CallEvent::Updated,
                       sampleCall(QStringLiteral("g-1"), QStringLiteral("globex")));
    m_hub->publishCall(QStringLiteral("acme"), 9, CallEvent::Updated,
                       sampleCall(QStringLiteral("a-1"), QStringLiteral("acme")));
    QVERIFY(QTest::qWaitFor([&] { return client.events("call:updated").size() == 2; }, 5000));
    QCOMPARE(seqOf(client.events("call:updated").at(0)), 5);
    QCOMPARE(seqOf(client.events("call:updated").at(1)), 9);
    client.socket.close();
    QVERIFY(QTest::qWaitFor([&] { return m_hub->connectionCount() == 0; }, 5000));
    QCOMPARE(m_hub->memberCount(QStringLiteral("acme")), 0);
    QCOMPARE(m_hub->memberCount(QStringLiteral("globex")), 0);
}

void TestHub::reorderHoldsGaps()
{
    HubOptions options;
    options.reorderHoldMs = 100;
    options.metricsIntervalMs = 60000;
    startHub(options);
    Client client(m_port);
    QVERIFY(client.connectWith("{\"token\":\"tok-acme\"}").startsWith("40"));
    QVERIFY(client.join(QStringLiteral("acme")).startsWith("431"));
    const QString acme = QStringLiteral("acme");
    const Call call = sampleCall(QStringLiteral("c-1"), acme);
    m_hub->publishCall(acme, 10, CallEvent::Updated, call);
    m_hub->publishCall(acme, 12, CallEvent::Updated, call); // arrives before 11
    m_hub->publishCall(acme, 11, CallEvent::Updated, call);
    m_hub->publishCall(acme, 11, CallEvent::Updated, call); // duplicate
    m_hub->publishCall(acme, 14, CallEvent::Updated, call); // 13 was superseded
    m_hub->skipSeq(acme, 13);
    m_hub->publishCall(acme, 16, CallEvent::Updated,
                       call); // 15 never comes: released after the hold
    QVERIFY(QTest::qWaitFor([&] { return client.events("call:updated").size() == 5; }, 5000));
    QList<qint64> seqs;
    for (const QByteArray &frame : client.events("call:updated"))
        seqs.append(seqOf(frame));
    QCOMPARE(seqs, (QList<qint64>{10, 11, 12, 14, 16}));
}

void TestHub::metricsThrottled()
{
    Client client(m_port);
    QVERIFY(client.connectWith("{\"token\":\"tok-acme\"}").startsWith("40"));
    QVERIFY(client.join(QStringLiteral("acme")).startsWith("431"));
    QVERIFY(QTest::qWaitFor([&] { return client.events("metrics:updated").size() == 1; }, 5000));
    for (int seq = 1; seq <= 20; ++seq)
        m_hub->publishCall(QStringLiteral("acme"), seq, CallEvent::Updated,
                           sampleCall(QStringLiteral("c"), QStringLiteral("acme")));
    // One right after the first change, then nothing for metricsIntervalMs (a minute here).
    QVERIFY(QTest::qWaitFor([&] { return client.events("metrics:updated").size() == 2; }, 5000));
    QTest::qWait(200);
    QCOMPARE(client.events("metrics:updated").size(), 2);
    QCOMPARE(m_metrics.calls, 2);
}

void TestHub::serverPingsAndDropsSilentClient()
{
    HubOptions options;
    options.pingIntervalMs = 100;
    options.pingTimeoutMs = 100;
    startHub(options);

    Client answering(m_port);
    QObject::connect(&answering.socket, &QWebSocket::textMessageReceived, &answering.socket,
                     [&](const QString &text) {
                         if (text == u"2")
                             answering.socket.sendTextMessage(QStringLiteral("3"));
                     });
    Client silent(m_port);
    QVERIFY(silent.waitClosed());
    QVERIFY(silent.frames.contains("2"));
    QVERIFY(QTest::qWaitFor([&] { return answering.frames.count("2") >= 3; }, 5000));
    QCOMPARE(answering.socket.state(), QAbstractSocket::ConnectedState);
}

void TestHub::clientPingCloses()
{
    Client client(m_port);
    QVERIFY(client.waitFrames(1));
    client.socket.sendTextMessage(QStringLiteral("2"));
    QVERIFY(client.waitClosed());
}

void TestHub::malformedPacketClosesOnlyThatClient()
{
    Client good(m_port);
    QVERIFY(good.connectWith("{\"token\":\"tok-acme\"}").startsWith("40"));
    const QStringList bad = {
        QStringLiteral("42{}"),       QStringLiteral("4abc"), QStringLiteral("42abc[\"x\"]"),
        QStringLiteral(""),           QStringLiteral("9"),    QStringLiteral("42[\"connect\"]"),
        QStringLiteral("41{\"a\":1}")};
    for (const QString &frame : bad) {
        Client client(m_port);
        QVERIFY(client.connectWith("{\"token\":\"tok-acme\"}").startsWith("40"));
        client.socket.sendTextMessage(frame);
        QVERIFY2(client.waitClosed(), qPrintable(frame));
    }
    Client binary(m_port);
    QVERIFY(binary.waitFrames(1));
    binary.socket.sendBinaryMessage(QByteArray("\x01\x02", 2));
    QVERIFY(binary.waitClosed());

    QCOMPARE(good.socket.state(), QAbstractSocket::ConnectedState);
    QVERIFY(good.join(QStringLiteral("acme")).startsWith("431"));
}

void TestHub::oversizeFrameCloses1009()
{
    HubOptions options;
    options.maxPayload = 1000;
    startHub(options);
    Client client(m_port);
    QVERIFY(client.waitFrames(1));
    client.socket.sendTextMessage(QStringLiteral("42[\"x\",\"%1\"]").arg(QString(2000, u'a')));
    QVERIFY(client.waitClosed());
    QCOMPARE(client.socket.closeCode(), QWebSocketProtocol::CloseCodeTooMuchData);
}

void TestHub::connectTimeout()
{
    HubOptions options;
    options.connectTimeoutMs = 100;
    startHub(options);
    Client idle(m_port);
    Client connected(m_port);
    QVERIFY(connected.connectWith("{\"token\":\"tok-acme\"}").startsWith("40"));
    QVERIFY(idle.waitClosed());
    QTest::qWait(150);
    QCOMPARE(connected.socket.state(), QAbstractSocket::ConnectedState);
}

void TestHub::slowConsumerIsDropped()
{
    HubOptions options;
    options.maxSendQueueBytes = 1024 * 1024;
    options.metricsIntervalMs = 60000;
    startHub(options);

    Client fast(m_port);
    QVERIFY(fast.connectWith("{\"token\":\"tok-acme\"}").startsWith("40"));
    QVERIFY(fast.join(QStringLiteral("acme")).startsWith("431"));

    // A raw client that joins, then stops reading: its kernel buffers fill, then the
    // hub's queue does.
    QTcpSocket slow;
    slow.connectToHost(QHostAddress::LocalHost, m_port);
    QVERIFY(slow.waitForConnected(5000));
    auto maskedText = [](const QByteArray &payload) {
        QByteArray frame;
        frame.append(char(0x81));
        frame.append(char(0x80 | payload.size()));
        frame.append(QByteArray(4, '\0'));
        frame.append(payload);
        return frame;
    };
    slow.write(
        "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: "
        "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    slow.write(maskedText("40{\"token\":\"tok-acme\"}"));
    slow.write(maskedText("42[\"org:join\",{\"org_id\":\"acme\"}]"));
    QVERIFY(QTest::qWaitFor([&] { return m_hub->memberCount(QStringLiteral("acme")) == 2; }, 5000));
    slow.setReadBufferSize(1);

    Call call = sampleCall(QStringLiteral("c-big"), QStringLiteral("acme"));
    call.summary = QString(32 * 1024, u'x');
    qint64 seq = 0;
    QVERIFY(QTest::qWaitFor(
        [&] {
            for (int i = 0; i < 2; ++i)
                m_hub->publishCall(QStringLiteral("acme"), ++seq, CallEvent::Updated, call);
            return m_hub->overflowCount() > 0 || seq > 8000;
        },
        60000));
    QCOMPARE(m_hub->overflowCount(), 1);
    QCOMPARE(m_hub->memberCount(QStringLiteral("acme")), 1);
    QCOMPARE(fast.socket.state(), QAbstractSocket::ConnectedState);
    QVERIFY(QTest::qWaitFor([&] { return fast.events("call:updated").size() == seq; }, 20000));
}

void TestHub::flusherRoundsLetTheEventLoopRun()
{
    // Many sockets with a large frame each make one round long; the event loop must get
    // to run inside it, and frames queued meanwhile still reach every socket in order.
    constexpr int count = 300;
    const QByteArray first = RealtimeWebSocket::textFrame(QByteArray(128 * 1024, 'a'));
    const QByteArray second = RealtimeWebSocket::textFrame(QByteArray(16, 'b'));
    QTcpServer listener;
    QVERIFY(listener.listen(QHostAddress::LocalHost, 0));
    RealtimeFlusher flusher(0);
    std::vector<std::unique_ptr<QTcpSocket>> peers;
    std::vector<std::unique_ptr<RealtimeWebSocket>> sockets;
    for (int i = 0; i < count; ++i) {
        peers.push_back(std::make_unique<QTcpSocket>());
        peers.back()->connectToHost(QHostAddress::LocalHost, listener.serverPort());
        QVERIFY(peers.back()->waitForConnected(5000));
        QVERIFY(listener.waitForNewConnection(5000));
        sockets.push_back(std::make_unique<RealtimeWebSocket>(listener.nextPendingConnection(),
                                                              1 << 20, 8 << 20, &flusher));
    }
    for (auto &socket : sockets)
        QVERIFY(socket->sendFrame(first));
    // A zero timer runs on every event-loop pass: it must see the round half done.
    int reached = 0;
    bool queuedSecond = false;
    QTimer watcher;
    QObject::connect(&watcher, &QTimer::timeout, &watcher, [&] {
        reached = 0;
        for (auto &peer : peers) {
            int pending = 0;
            ioctl(int(peer->socketDescriptor()), FIONREAD, &pending);
            reached += pending > 0 ? 1 : 0;
        }
        if (reached == 0)
            return;
        watcher.stop();
        if (reached < count) {
            queuedSecond = true;
            for (auto &socket : sockets)
                QVERIFY(socket->sendFrame(second));
        }
    });
    watcher.start(0);
    QVERIFY(QTest::qWaitFor([&] { return !watcher.isActive(); }, 10000));
    QVERIFY2(queuedSecond,
             qPrintable(QStringLiteral("%1 of %2 sockets written before the event "
                                       "loop ran")
                            .arg(reached)
                            .arg(count)));

    const QByteArray expected = first + second;
    QVERIFY(QTest::qWaitFor(
        [&] {
            for (auto &peer : peers) {
                if (peer->bytesAvailable() < expected.size())
                    return false;
            }
            return true;
        },
        20000));
    for (auto &peer : peers)
        QCOMPARE(peer->readAll(), expected);
}

void TestHub::utf8Validation()
{
    QVERIFY(isValidUtf8("plain ascii that is longer than eight bytes"));
    QVERIFY(isValidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x9e"));
    QVERIFY(!isValidUtf8("\xc0\xaf"));
    QVERIFY(!isValidUtf8("\xed\xa0\x80"));
    QVERIFY(!isValidUtf8("abc\xe2\x82"));
    QVERIFY(!isValidUtf8("\xf5\x80\x80\x80"));
}

QTEST_GUILESS_MAIN(TestHub)
#include "tst_hub.moc"
