#include "core/socketio.h"

#include <QTest>

using namespace cb;
using namespace cb::sio;

Q_DECLARE_METATYPE(cb::sio::SioType)

namespace {

/// One text frame of socketio.md §5.1/§5.2 and whether our encoder reproduces it byte for
/// byte: it does when every object in it has its keys in sorted order (nlohmann's order);
/// JavaScript keeps insertion order, so for the others only the bytes' multiset is kept.
struct Vector
{
    const char *frame;
    bool canonical;
};

// Every TEXT frame of the captures, in order, both directions (socketio.md §5.1 A–F, §5.2).
const Vector capturedFrames[] = {
    // A
    {R"(0{"sid":"uzywDJmgToFHZWSDAAAA","upgrades":[],"pingInterval":2000,"pingTimeout":1000,"maxPayload":1000000})",
     true},
    {R"(40{"token":"tok-acme"})", true},
    {R"(40{"sid":"yxYeVuP4EQJPl_17AAAA","pid":"PlZKx4SCde3iCGAbAAAB"})", false},
    {R"(42["metrics:updated",{"orgId":"acme","activeCalls":2,"queued":1},"Q80BEH-"])", false},
    {"2", true},
    {"3", true},
    {R"(42["call:created",{"id":"c-9","from":"+15550100","state":"ringing"},"Q80BEs1"])", false},
    {R"(421["calls:list",{"state":"any"}])", true},
    {R"(431[{"orgId":"acme","calls":[{"id":"c-1","state":"ringing"},{"id":"c-2","state":"active"}]}])",
     false},
    {R"(422["call:update",{"id":"c-9","state":"active"}])", true},
    {R"(42["call:updated",{"id":"c-9","state":"active","updatedBy":"u-1"},"Q80BEs7"])", true},
    {R"(432[{"ok":true}])", true},
    {R"(42["confirm:request"])", true},
    {R"(420["confirm",{"question":"still there?"}])", true},
    {R"(430["yes"])", true},
    {R"(42["confirm:result",{"answer":"yes"},"Q80BEs9"])", true},
    {R"(42["blob:get"])", true},
    {R"(42["metrics:updated",{"orgId":"acme","activeCalls":3,"queued":0}])", false},
    {R"(40/ops,{"token":"tok-acme"})", true},
    {R"(40/ops,{"sid":"4ZbxM293D6bslfIdAAAC","pid":"qZxGFCDLbxBexXP5AAAD"})", false},
    {R"(42/ops,["ops:hello",{"nsp":"/ops"},"Q80BEsF"])", true},
    {"40/nope,", true},
    {R"(44/nope,{"message":"Invalid namespace"})", true},
    {"41/ops,", true},
    // C
    {R"(0{"sid":"n0yetAf8e0oCjsMGAAAB","upgrades":[],"pingInterval":2000,"pingTimeout":1000,"maxPayload":1000000})",
     true},
    {R"(40{"token":"tok-acme","pid":"PlZKx4SCde3iCGAbAAAB","offset":"Q80BEsA"})", false},
    {R"(42["call:updated",{"id":"c-9","state":"held"},"Q80BE-8"])", true},
    {R"(42["call:updated",{"id":"c-9","state":"ended"},"Q80BE-9"])", true},
    {R"(42["metrics:updated",{"orgId":"acme","activeCalls":1,"queued":0},"Q80BE-B"])", false},
    {R"(40{"sid":"yxYeVuP4EQJPl_17AAAA","pid":"PlZKx4SCde3iCGAbAAAB"})", false},
    {"41", true},
    // D
    {R"(0{"sid":"du8YzfvQVQt-AAXVAAAC","upgrades":[],"pingInterval":2000,"pingTimeout":1000,"maxPayload":1000000})",
     true},
    {R"(40{"token":"tok-acme","pid":"PlZKx4SCde3iCGAbAAAB","offset":"bogus-offset"})", false},
    {R"(40{"sid":"5OdZewUKtq_Jb5ejAAAE","pid":"L3nBEsjf1UQe-8xMAAAF"})", false},
    {R"(42["metrics:updated",{"orgId":"acme","activeCalls":2,"queued":1},"Q80BF6H"])", false},
    // E
    {R"(0{"sid":"HNYM-EFatzGhoVoRAAAD","upgrades":[],"pingInterval":2000,"pingTimeout":1000,"maxPayload":1000000})",
     true},
    {R"(40{"token":"nope"})", true},
    {R"(44{"message":"unauthorized","data":{"code":"BAD_TOKEN"}})", false},
    {"40", true},
    {R"(40{"token":"tok-globex"})", true},
    {R"(40{"sid":"dvuN9MTZs5pfZvt0AAAK","pid":"hHXXDdjCfpnI5RLVAAAL"})", false},
    {R"(42["metrics:updated",{"orgId":"globex","activeCalls":2,"queued":1},"Q80BF9W"])", false},
    // F (the frames themselves are well formed; F3's "42{}" is in the malformed list)
    {R"(0{"sid":"3o4_NG2Y28hruqQGAAAE","upgrades":[],"pingInterval":2000,"pingTimeout":1000,"maxPayload":1000000})",
     true},
    {R"(40{"sid":"zQ_-ReO2K9f-h2z5AAAM","pid":"Ff-zcYbeVi9VcQOZAAAN"})", false},
    // §5.2: the official client and the server trace (Engine.IO message payloads prefixed with 4)
    {R"(40{"sid":"PXkTJVMVze2CC1tGAAAA","pid":"T3WM9jpft-ceNyRmAAAB"})", false},
    {R"(42["metrics:updated",{"orgId":"acme","activeCalls":2,"queued":1},"Q80BIrf"])", false},
    {R"(42["call:updated",{"id":"c-9","state":"held"},"Q80BIwR"])", true},
    {R"(40{"pid":"T3WM9jpft-ceNyRmAAAB","offset":"Q80BIrf","token":"tok-acme"})", false},
    {R"(42["call:create",{"from":"+15550111","state":"ringing"}])", true},
    {R"(42["call:create",{"from":"+15550999","state":"volatile-while-offline"}])", true},
    {R"(42["call:created",{"id":"c-101","from":"+15550111","state":"ringing"},"Q80BJ5L"])", false},
    {R"(42["call:created",{"id":"c-102","from":"+15550999","state":"volatile-while-offline"},"Q80BJ5L.0"])",
     false},
    {R"(40{"token":"nope"})", true},
};

QByteArray sorted(QByteArray bytes)
{
    std::sort(bytes.begin(), bytes.end());
    return bytes;
}

/// Re-encodes one whole frame through the typed packets.
QByteArray reencode(const QByteArray &frame)
{
    auto eio = decodeEio(frame);
    if (!eio)
        return "eio error: " + eio.error().code.toUtf8();
    if (eio->type == EioType::Open) {
        auto open = decodeOpen(eio->payload);
        return open ? encodeEio(EioType::Open, encodeOpen(*open))
                    : "open error: " + open.error().code.toUtf8();
    }
    if (eio->type != EioType::Message)
        return encodeEio(eio->type, eio->payload);
    auto packet = decodeSio(eio->payload);
    return packet ? encodeMessage(*packet) : "sio error: " + packet.error().code.toUtf8();
}

QString errorCode(const Result<SioPacket> &result)
{
    return result.ok() ? QString() : result.error().code;
}

} // namespace

class TestSocketIo : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Engine.IO ---------------------------------------------------------------------------

    void engineIoTypes()
    {
        for (int type = 0; type <= 6; ++type) {
            const QByteArray frame = QByteArray::number(type) + "xyz";
            auto packet = decodeEio(frame);
            QVERIFY(packet.ok());
            QCOMPARE(int(packet->type), type);
            QCOMPARE(packet->payload, QByteArray("xyz"));
            QCOMPARE(encodeEio(packet->type, packet->payload), frame);
        }
        QCOMPARE(encodeEio(EioType::Ping), QByteArray("2"));
        QCOMPARE(encodeEio(EioType::Pong), QByteArray("3"));
        QVERIFY(decodeEio("2")->payload.isEmpty());
    }

    void engineIoProbes()
    {
        auto ping = decodeEio("2probe");
        QVERIFY(ping.ok());
        QCOMPARE(ping->type, EioType::Ping);
        QVERIFY(ping->isProbe());
        auto pong = decodeEio("3probe");
        QVERIFY(pong.ok() && pong->isProbe());
        QVERIFY(!decodeEio("2")->isProbe());
        QVERIFY(!decodeEio("4probe")->isProbe());
        QVERIFY(!decodeEio("2probes")->isProbe());
    }

    void engineIoRejects_data()
    {
        QTest::addColumn<QByteArray>("frame");
        QTest::addColumn<QString>("code");
        QTest::newRow("empty") << QByteArray() << "empty_frame";
        QTest::newRow("7") << QByteArray("7") << "unknown_type";
        QTest::newRow("9 with payload") << QByteArray("9{}") << "unknown_type";
        QTest::newRow("letter") << QByteArray("x") << "unknown_type";
        QTest::newRow("space") << QByteArray(" 4") << "unknown_type";
        QTest::newRow("minus") << QByteArray("-1") << "unknown_type";
        QTest::newRow("non-ascii") << QByteArray("\xc3\xa9") << "unknown_type";
        QTest::newRow("base64 binary") << QByteArray("bAQIDBA==") << "binary_unsupported";
    }

    void engineIoRejects()
    {
        QFETCH(QByteArray, frame);
        QFETCH(QString, code);
        auto packet = decodeEio(frame);
        QVERIFY(!packet.ok());
        QCOMPARE(packet.error().code, code);
    }

    void openPacket()
    {
        const QByteArray payload =
            R"({"sid":"uzywDJmgToFHZWSDAAAA","upgrades":[],"pingInterval":2000,"pingTimeout":1000,"maxPayload":1000000})";
        auto open = decodeOpen(payload);
        QVERIFY(open.ok());
        QCOMPARE(open->sid, QStringLiteral("uzywDJmgToFHZWSDAAAA"));
        QVERIFY(open->upgrades.isEmpty());
        QCOMPARE(open->pingInterval, 2000);
        QCOMPARE(open->pingTimeout, 1000);
        QCOMPARE(open->maxPayload, qint64(1000000));
        QCOMPARE(encodeOpen(*open), payload);

        OpenPacket polling;
        polling.sid = QStringLiteral("a\"b\\c");
        polling.upgrades = {QStringLiteral("websocket")};
        const QByteArray encoded = encodeOpen(polling);
        QCOMPARE(encoded,
                 QByteArray(
                     "{\"sid\":\"a\\\"b\\\\c\",\"upgrades\":[\"websocket\"],\"pingInterval\":25000,"
                     "\"pingTimeout\":20000,\"maxPayload\":1000000}"));
        QCOMPARE(*decodeOpen(encoded), polling);

        auto minimal = decodeOpen(R"({"sid":"s","pingInterval":1,"pingTimeout":2})");
        QVERIFY(minimal.ok());
        QCOMPARE(minimal->maxPayload, qint64(0));
    }

    void openRejects_data()
    {
        QTest::addColumn<QByteArray>("payload");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("array") << QByteArray("[]");
        QTest::newRow("no sid") << QByteArray(R"({"pingInterval":1,"pingTimeout":1})");
        QTest::newRow("empty sid") << QByteArray(R"({"sid":"","pingInterval":1,"pingTimeout":1})");
        QTest::newRow("numeric sid") << QByteArray(R"({"sid":5,"pingInterval":1,"pingTimeout":1})");
        QTest::newRow("string interval")
            << QByteArray(R"({"sid":"s","pingInterval":"1","pingTimeout":1})");
        QTest::newRow("zero timeout")
            << QByteArray(R"({"sid":"s","pingInterval":1,"pingTimeout":0})");
        QTest::newRow("float interval")
            << QByteArray(R"({"sid":"s","pingInterval":1.5,"pingTimeout":1})");
        QTest::newRow("huge interval")
            << QByteArray(R"({"sid":"s","pingInterval":99999999999,"pingTimeout":1})");
        QTest::newRow("upgrades object")
            << QByteArray(R"({"sid":"s","pingInterval":1,"pingTimeout":1,"upgrades":{}})");
        QTest::newRow("upgrades numbers")
            << QByteArray(R"({"sid":"s","pingInterval":1,"pingTimeout":1,"upgrades":[1]})");
        QTest::newRow("negative maxPayload")
            << QByteArray(R"({"sid":"s","pingInterval":1,"pingTimeout":1,"maxPayload":-1})");
        QTest::newRow("deep") << "{\"sid\":" + QByteArray(1000, '[');
        QTest::newRow("truncated") << QByteArray("{\"sid\":\"s\",\"pingInterval\":1,\"pingTi");
    }

    void openRejects()
    {
        QFETCH(QByteArray, payload);
        auto open = decodeOpen(payload);
        QVERIFY(!open.ok());
        QCOMPARE(open.error().code, QStringLiteral("invalid_open"));
    }

    // Captured frames ---------------------------------------------------------------------

    void capturedFrames_data()
    {
        QTest::addColumn<QByteArray>("frame");
        QTest::addColumn<bool>("canonical");
        int index = 0;
        for (const Vector &v : ::capturedFrames)
            QTest::addRow("%02d %s", index++, v.frame) << QByteArray(v.frame) << v.canonical;
    }

    void capturedFrames()
    {
        QFETCH(QByteArray, frame);
        QFETCH(bool, canonical);
        const QByteArray again = reencode(frame);
        if (canonical) {
            QCOMPARE(again, frame);
        } else {
            QVERIFY2(again != frame, "marked non-canonical but reproduced exactly");
            QCOMPARE(sorted(again), sorted(frame));
        }
        if (frame.startsWith('4')) {
            auto packet = decodeMessage(frame);
            QVERIFY(packet.ok());
            QCOMPARE(*decodeMessage(encodeMessage(*packet)), *packet);
        }
    }

    void capturedFrameContents()
    {
        auto connect = decodeMessage(R"(40/ops,{"token":"tok-acme"})");
        QVERIFY(connect.ok());
        QCOMPARE(connect->type, SioType::Connect);
        QCOMPARE(connect->nsp, QStringLiteral("/ops"));
        QVERIFY(!connect->ackId);
        QVERIFY(connect->data == Json({{"token", "tok-acme"}}));

        auto reply =
            decodeMessage(R"(40{"sid":"yxYeVuP4EQJPl_17AAAA","pid":"PlZKx4SCde3iCGAbAAAB"})");
        QVERIFY(reply.ok());
        QCOMPARE(stringField(reply->data, "pid"), QStringLiteral("PlZKx4SCde3iCGAbAAAB"));

        auto request = decodeMessage(R"(421["calls:list",{"state":"any"}])");
        QVERIFY(request.ok());
        QCOMPARE(request->type, SioType::Event);
        QCOMPARE(request->ackId, std::optional<qint64>(1));
        QCOMPARE(eventName(*request), QStringLiteral("calls:list"));
        QVERIFY(eventArgs(*request) == Json::array({{{"state", "any"}}}));

        auto answer = decodeMessage(
            R"(431[{"orgId":"acme","calls":[{"id":"c-1","state":"ringing"},{"id":"c-2","state":"active"}]}])");
        QVERIFY(answer.ok());
        QCOMPARE(answer->type, SioType::Ack);
        QCOMPARE(answer->ackId, std::optional<qint64>(1));
        QCOMPARE(eventArgs(*answer).size(), size_t(1));
        QCOMPARE(eventArgs(*answer)[0]["calls"].size(), size_t(2));

        auto serverRequest = decodeMessage(R"(420["confirm",{"question":"still there?"}])");
        QVERIFY(serverRequest.ok());
        QCOMPARE(serverRequest->ackId, std::optional<qint64>(0));

        auto refused = decodeMessage(R"(44{"message":"unauthorized","data":{"code":"BAD_TOKEN"}})");
        QVERIFY(refused.ok());
        QCOMPARE(refused->type, SioType::ConnectError);
        QCOMPARE(connectErrorMessage(*refused), QStringLiteral("unauthorized"));
        QVERIFY(connectErrorData(*refused) == Json({{"code", "BAD_TOKEN"}}));

        auto invalidNsp = decodeMessage(R"(44/nope,{"message":"Invalid namespace"})");
        QVERIFY(invalidNsp.ok());
        QCOMPARE(invalidNsp->nsp, QStringLiteral("/nope"));
        QVERIFY(connectErrorData(*invalidNsp).is_null());

        auto leave = decodeMessage("41/ops,");
        QVERIFY(leave.ok());
        QCOMPARE(leave->type, SioType::Disconnect);
        QCOMPARE(leave->nsp, QStringLiteral("/ops"));
        QVERIFY(leave->data.is_null());
    }

    void capturedBinaryFrameIsRefusedPrecisely()
    {
        auto blob = decodeMessage(
            R"(451-["blob",{"name":"wave","bytes":{"_placeholder":true,"num":0}},"Q80BEsA"])");
        QVERIFY(!blob.ok());
        QCOMPARE(blob.error().code, QStringLiteral("binary_unsupported"));
        QVERIFY2(blob.error().message.contains(QStringLiteral("BINARY_EVENT with 1 attachment")),
                 qPrintable(blob.error().message));

        auto binaryAck = decodeSio(R"(61-/ops,15["bar",{"_placeholder":true,"num":0}])");
        QVERIFY(!binaryAck.ok());
        QCOMPARE(binaryAck.error().code, QStringLiteral("binary_unsupported"));
        QVERIFY(binaryAck.error().message.contains(QStringLiteral("BINARY_ACK")));
        QVERIFY(binaryAck.error().message.contains(QStringLiteral("/ops")));
        QVERIFY(binaryAck.error().message.contains(QStringLiteral("ack id 15")));
    }

    // Round trips -------------------------------------------------------------------------

    void roundTrips_data()
    {
        QTest::addColumn<SioType>("type");
        QTest::addColumn<QString>("nsp");
        QTest::addColumn<qint64>("ackId"); // -1: none
        QTest::addColumn<QByteArray>("json"); // empty: no payload

        const QList<std::pair<SioType, QList<QByteArray>>> payloads = {
            {SioType::Connect, {"", R"({"token":"tok-acme"})", "{}"}},
            {SioType::Disconnect, {""}},
            {SioType::Event,
             {R"(["a"])", R"(["call:updated",{"call":{"id":"c-1"},"seq":7},null,1.5])", "[42]"}},
            {SioType::Ack, {"[]", R"([{"ok":true}])", R"(["yes",2])"}},
            {SioType::ConnectError, {R"({"message":"unauthorized"})", R"("legacy string")"}},
        };
        for (const auto &[type, bodies] : payloads) {
            for (const QString &nsp :
                 {QStringLiteral("/"), QStringLiteral("/ops"), QStringLiteral("/a-b_c.d")}) {
                for (qint64 ack : {qint64(-1), qint64(0), qint64(17), maxAckId}) {
                    for (const QByteArray &body : bodies) {
                        QTest::addRow("%d %s %lld %s", int(type), qPrintable(nsp), ack,
                                      body.constData())
                            << type << nsp << ack << body;
                    }
                }
            }
        }
    }

    void roundTrips()
    {
        QFETCH(SioType, type);
        QFETCH(QString, nsp);
        QFETCH(qint64, ackId);
        QFETCH(QByteArray, json);

        SioPacket packet;
        packet.type = type;
        packet.nsp = nsp;
        if (ackId >= 0)
            packet.ackId = ackId;
        if (!json.isEmpty())
            packet.data = Json::parse(json.toStdString());

        QByteArray expected = QByteArray::number(int(type));
        if (nsp != u"/")
            expected += nsp.toUtf8() + ',';
        if (ackId >= 0)
            expected += QByteArray::number(ackId);
        expected += json;

        const QByteArray encoded = encodeSio(packet);
        QCOMPARE(encoded, expected);
        auto decoded = decodeSio(encoded);
        QVERIFY2(decoded.ok(), qPrintable(decoded.ok() ? QString() : decoded.error().message));
        QCOMPARE(*decoded, packet);
        const QByteArray frame = '4' + expected;
        QCOMPARE(encodeMessage(packet), frame);
        QCOMPARE(*decodeMessage(frame), packet);
    }

    void namespaceWithoutComma()
    {
        auto packet = decodeSio("0/ops");
        QVERIFY(packet.ok());
        QCOMPARE(packet->nsp, QStringLiteral("/ops"));
        QVERIFY(packet->data.is_null());
        QCOMPARE(encodeSio(*packet), QByteArray("0/ops,"));

        auto root = decodeSio(R"(0/,{"a":1})");
        QVERIFY(root.ok());
        QCOMPARE(root->nsp, QStringLiteral("/"));
        QCOMPARE(encodeSio(*root), QByteArray(R"(0{"a":1})"));
    }

    void binaryPacketsEncode()
    {
        SioPacket packet;
        packet.type = SioType::BinaryEvent;
        packet.attachments = 2;
        packet.nsp = QStringLiteral("/ops");
        packet.ackId = 789;
        packet.data = Json::array({"x"});
        QCOMPARE(encodeSio(packet), QByteArray(R"(52-/ops,789["x"])"));
        QCOMPARE(decodeSio(encodeSio(packet)).error().code, QStringLiteral("binary_unsupported"));
    }

    // Malformed ---------------------------------------------------------------------------

    void malformedFrames_data()
    {
        QTest::addColumn<QByteArray>("frame");
        QTest::addColumn<QString>("code");
        // §1.6 test-suite cases, F3, and the payload rules of §2.2.
        QTest::newRow("4abc") << QByteArray("4abc") << "unknown_type";
        QTest::newRow("42{} (F3)") << QByteArray("42{}") << "invalid_payload";
        QTest::newRow("42abc[...]") << QByteArray(R"(42abc["message"])") << "invalid_json";
        QTest::newRow("empty") << QByteArray() << "empty_frame";
        QTest::newRow("4 alone") << QByteArray("4") << "empty_frame";
        QTest::newRow("47") << QByteArray("47") << "unknown_type";
        QTest::newRow("4-") << QByteArray("4-1") << "unknown_type";
        QTest::newRow("event without payload") << QByteArray("42") << "invalid_payload";
        QTest::newRow("event empty array") << QByteArray("42[]") << "invalid_payload";
        QTest::newRow("event null name") << QByteArray("42[null]") << "invalid_payload";
        QTest::newRow("event object name") << QByteArray(R"(42[{"a":1}])") << "invalid_payload";
        QTest::newRow("event string payload") << QByteArray(R"(42"call")") << "invalid_payload";
        for (const char *reserved : {"connect", "connect_error", "disconnect", "disconnecting",
                                     "newListener", "removeListener"}) {
            QTest::addRow("reserved %s", reserved)
                << "42[\"" + QByteArray(reserved) + "\",1]" << QStringLiteral("invalid_payload");
        }
        QTest::newRow("trailing garbage") << QByteArray(R"(42["a"]xyz)") << "invalid_json";
        QTest::newRow("two arrays") << QByteArray(R"(42["a"]["b"])") << "invalid_json";
        QTest::newRow("truncated json")
            << QByteArray(R"(42["call:updated",{"id":)") << "invalid_json";
        QTest::newRow("single quotes") << QByteArray("42['a']") << "invalid_json";
        QTest::newRow("NaN arg") << QByteArray(R"(42["a",NaN])") << "invalid_json";
        QTest::newRow("invalid UTF-8") << QByteArray("42[\"\xff\"]") << "invalid_json";
        QTest::newRow("nsp without comma then json")
            << QByteArray(R"(42/ops["a"])") << "invalid_payload";
        QTest::newRow("disconnect with payload") << QByteArray("41{}") << "invalid_payload";
        QTest::newRow("disconnect nsp with payload")
            << QByteArray("41/ops,[]") << "invalid_payload";
        QTest::newRow("connect array") << QByteArray("40[]") << "invalid_payload";
        QTest::newRow("connect string") << QByteArray(R"(40"tok")") << "invalid_payload";
        QTest::newRow("connect null") << QByteArray("40null") << "invalid_payload";
        QTest::newRow("connect_error absent") << QByteArray("44") << "invalid_payload";
        QTest::newRow("connect_error array") << QByteArray("44[]") << "invalid_payload";
        QTest::newRow("connect_error number") << QByteArray("441") << "invalid_payload";
        QTest::newRow("ack absent") << QByteArray("431") << "invalid_payload";
        QTest::newRow("ack object") << QByteArray("431{}") << "invalid_payload";
        QTest::newRow("ack id too long")
            << QByteArray(R"(421234567890123456["a"])") << "invalid_ack_id";
        QTest::newRow("ack id overflow") << "42" + QByteArray(400, '9') + "[\"a\"]"
                                         << "invalid_ack_id";
        QTest::newRow("binary no count") << QByteArray(R"(45-["a"])") << "invalid_attachments";
        QTest::newRow("binary no dash") << QByteArray(R"(451["a"])") << "invalid_attachments";
        QTest::newRow("binary too many") << QByteArray(R"(4511-["a"])") << "invalid_attachments";
        QTest::newRow("binary huge count")
            << QByteArray(R"(4599999999999-["a"])") << "invalid_attachments";
        QTest::newRow("binary truncated") << QByteArray("451") << "invalid_attachments";
        QTest::newRow("binary event") << QByteArray(R"(451-["a"])") << "binary_unsupported";
        QTest::newRow("binary ack") << QByteArray(R"(461-15["a"])") << "binary_unsupported";
        QTest::newRow("depth bomb")
            << "42[\"a\"," + QByteArray(100000, '[') + QByteArray(100000, ']') + ']' << "too_deep";
        QTest::newRow("object depth bomb")
            << "40" + QByteArray(50000, '{').replace("{", R"({"a":)") << "too_deep";
        QTest::newRow("ping is not a message") << QByteArray("2") << "not_a_message";
        QTest::newRow("open is not a message") << QByteArray(R"(0{"sid":"x"})") << "not_a_message";
        QTest::newRow("unknown engine type") << QByteArray("9") << "unknown_type";
    }

    void malformedFrames()
    {
        QFETCH(QByteArray, frame);
        QFETCH(QString, code);
        auto packet = decodeMessage(frame);
        QCOMPARE(errorCode(packet), code);
        QVERIFY(!packet.error().message.isEmpty());
        QVERIFY(packet.error().message.size() < 400);
    }

    void validEdgeCases()
    {
        QVERIFY(decodeMessage("42[1]").ok()); // numeric event names pass the JS decoder
        QCOMPARE(eventName(*decodeMessage("42[1,\"x\"]")), QStringLiteral("1"));
        QVERIFY(decodeMessage(R"(42["connected"])").ok());
        QVERIFY(decodeMessage(R"(42["a"] )").ok()); // JSON.parse allows surrounding whitespace
        QVERIFY(decodeMessage(R"(44"legacy")").ok());
        QCOMPARE(connectErrorMessage(*decodeMessage(R"(44"legacy")")), QStringLiteral("legacy"));
        QVERIFY(decodeMessage("431[]").ok());
        QCOMPARE(decodeMessage(R"(42999999999999999["a"])")->ackId,
                 std::optional<qint64>(maxAckId));
        QCOMPARE(decodeMessage(R"(420017["a"])")->ackId, std::optional<qint64>(17));
        // 64 levels are allowed by default; the cap is the caller's.
        const QByteArray deep = "42[\"a\"," + QByteArray(63, '[') + QByteArray(63, ']') + ']';
        QVERIFY(decodeMessage(deep).ok());
        QCOMPARE(decodeMessage(deep, 10).error().code, QStringLiteral("too_deep"));
    }

    // Builders and accessors --------------------------------------------------------------

    void builders()
    {
        const Json call = {{"id", "c-9"}, {"state", "active"}};
        QCOMPARE(encodeMessage(eventPacket(QStringLiteral("call:update"), Json::array({call}), 2)),
                 QByteArray(R"(422["call:update",{"id":"c-9","state":"active"}])"));
        QCOMPARE(encodeMessage(eventPacket(QStringLiteral("call:update"), call)),
                 QByteArray(R"(42["call:update",{"id":"c-9","state":"active"}])"));
        QCOMPARE(encodeMessage(eventPacket(QStringLiteral("confirm:request"))),
                 QByteArray(R"(42["confirm:request"])"));
        QCOMPARE(encodeMessage(eventPacket(QStringLiteral("ops:hello"), Json::array({1, "two"}), 17,
                                           QStringLiteral("/ops"))),
                 QByteArray(R"(42/ops,17["ops:hello",1,"two"])"));
        QCOMPARE(encodeMessage(eventPacket(QStringLiteral("x"), Json::array({Json::array({1})}))),
                 QByteArray(R"(42["x",[1]])"));
        QCOMPARE(encodeMessage(ackPacket(0, Json::array({"yes"}))), QByteArray(R"(430["yes"])"));
        QCOMPARE(encodeMessage(ackPacket(3)), QByteArray("433[]"));
        QCOMPARE(encodeMessage(ackPacket(3, Json({{"ok", true}}), QStringLiteral("/ops"))),
                 QByteArray(R"(43/ops,3[{"ok":true}])"));
        QCOMPARE(encodeMessage(connectPacket()), QByteArray("40"));
        QCOMPARE(encodeMessage(connectPacket({{"token", "tok-acme"}})),
                 QByteArray(R"(40{"token":"tok-acme"})"));
        QCOMPARE(encodeMessage(connectPacket(Json::array(), QStringLiteral("ops"))),
                 QByteArray("40/ops,"));
        QCOMPARE(encodeMessage(connectedPacket(QStringLiteral("s1"))),
                 QByteArray(R"(40{"sid":"s1"})"));
        QCOMPARE(encodeMessage(connectedPacket(QStringLiteral("s1"), QStringLiteral("p1"))),
                 QByteArray(R"(40{"pid":"p1","sid":"s1"})"));
        QCOMPARE(encodeMessage(connectErrorPacket(QStringLiteral("Invalid namespace"), nullptr,
                                                  QStringLiteral("/nope"))),
                 QByteArray(R"(44/nope,{"message":"Invalid namespace"})"));
        QCOMPARE(encodeMessage(
                     connectErrorPacket(QStringLiteral("unauthorized"), {{"code", "BAD_TOKEN"}})),
                 QByteArray(R"(44{"data":{"code":"BAD_TOKEN"},"message":"unauthorized"})"));
        QCOMPARE(encodeMessage(disconnectPacket()), QByteArray("41"));
        QCOMPARE(encodeMessage(disconnectPacket(QStringLiteral("/ops"))), QByteArray("41/ops,"));

        // Every builder's output passes our own decoder.
        for (const SioPacket &p : {eventPacket(QStringLiteral("a")), ackPacket(1), connectPacket(),
                                   connectedPacket(QStringLiteral("s")),
                                   connectErrorPacket(QStringLiteral("m")), disconnectPacket()}) {
            auto back = decodeMessage(encodeMessage(p));
            QVERIFY(back.ok());
            QCOMPARE(*back, p);
        }
    }

    void unicodeSurvivesTheRoundTrip()
    {
        const QString name = QStringLiteral("note");
        const QString text = QStringLiteral("Zoë \u260E \U0001F4DE \"quoted\" \\ \n");
        const QByteArray frame = encodeMessage(eventPacket(name, Json::array({text})));
        const QString onTheWire = QString::fromUtf8(frame); // as QWebSocket would send it
        auto back = decodeMessage(onTheWire.toUtf8());
        QVERIFY(back.ok());
        QCOMPARE(QString::fromStdString(eventArgs(*back)[0].get<std::string>()), text);
    }

    void accessorsOnOtherPackets()
    {
        QVERIFY(eventName(connectPacket()).isEmpty());
        QVERIFY(eventArgs(connectPacket()) == Json::array());
        QVERIFY(eventArgs(eventPacket(QStringLiteral("only"))) == Json::array());
        QVERIFY(connectErrorMessage(eventPacket(QStringLiteral("x"))).isEmpty());
        QVERIFY(connectErrorData(connectErrorPacket(QStringLiteral("x"))).is_null());
    }

    // Connection state recovery -----------------------------------------------------------

    void recoveryOffsets_data()
    {
        QTest::addColumn<QByteArray>("frame");
        QTest::addColumn<QString>("offset"); // null: none
        QTest::addColumn<int>("argsLeft");
        QTest::newRow("stored broadcast")
            << QByteArray(
                   R"(42["metrics:updated",{"orgId":"acme","activeCalls":2,"queued":1},"Q80BEH-"])")
            << QStringLiteral("Q80BEH-") << 1;
        QTest::newRow("namespace") << QByteArray(R"(42/ops,["ops:hello",{"nsp":"/ops"},"Q80BEsF"])")
                                   << QStringLiteral("Q80BEsF") << 1;
        QTest::newRow("dotted offset")
            << QByteArray(R"(42["call:created",{"id":"c-102"},"Q80BJ5L.0"])")
            << QStringLiteral("Q80BJ5L.0") << 1;
        QTest::newRow("volatile")
            << QByteArray(R"(42["metrics:updated",{"orgId":"acme","activeCalls":3,"queued":0}])")
            << QString() << 1;
        QTest::newRow("ack request")
            << QByteArray(R"(420["confirm",{"question":"still there?"}])") << QString() << 1;
        QTest::newRow("name only") << QByteArray(R"(42["confirm:request"])") << QString() << 0;
        QTest::newRow("ack") << QByteArray(R"(431["a","b"])") << QString() << 2;
        QTest::newRow("connect") << QByteArray(R"(40{"sid":"x"})") << QString() << 0;
    }

    void recoveryOffsets()
    {
        QFETCH(QByteArray, frame);
        QFETCH(QString, offset);
        QFETCH(int, argsLeft);
        auto packet = decodeMessage(frame);
        QVERIFY(packet.ok());
        const auto peeked = recoveryOffset(*packet);
        QCOMPARE(peeked.has_value(), !offset.isNull());
        SioPacket stripped = *packet;
        const auto taken = takeRecoveryOffset(stripped);
        QCOMPARE(taken, peeked);
        if (offset.isNull()) {
            QCOMPARE(stripped, *packet);
        } else {
            QCOMPARE(*taken, offset);
            QCOMPARE(eventName(stripped), eventName(*packet));
        }
        QCOMPARE(int(eventArgs(stripped).size()), argsLeft);
    }

    // Robustness --------------------------------------------------------------------------

    void mutatedFramesNeverCrash()
    {
        QList<QByteArray> seeds;
        for (const Vector &v : ::capturedFrames)
            seeds.append(v.frame);
        seeds += {"451-[\"blob\",{\"_placeholder\":true,\"num\":0}]", "461-/ops,15[\"a\"]",
                  "2probe", "42/ops,17[\"x\"]", "44\"legacy\""};
        const QByteArray alphabet = "0123456789/,-[]{}\":abc \\u\xff\xc3";

        quint64 state = 0x9e3779b97f4a7c15ull;
        const auto next = [&state](quint64 bound) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            return bound ? state % bound : 0;
        };

        int accepted = 0;
        int rejected = 0;
        for (int round = 0; round < 20000; ++round) {
            QByteArray frame = seeds[qsizetype(next(quint64(seeds.size())))];
            const int edits = 1 + int(next(3));
            for (int e = 0; e < edits; ++e) {
                const qsizetype at = qsizetype(next(quint64(frame.size()) + 1));
                switch (next(5)) {
                case 0: // replace
                    if (at < frame.size())
                        frame[at] = alphabet[qsizetype(next(quint64(alphabet.size())))];
                    break;
                case 1: // insert
                    frame.insert(at, alphabet[qsizetype(next(quint64(alphabet.size())))]);
                    break;
                case 2: // delete
                    if (at < frame.size())
                        frame.remove(at, 1);
                    break;
                case 3: // truncate
                    frame.truncate(at);
                    break;
                default: // duplicate a slice
                    frame.insert(at, frame.mid(qsizetype(next(quint64(frame.size()) + 1)), 8));
                    break;
                }
            }

            auto eio = decodeEio(frame);
            if (eio.ok())
                QCOMPARE(encodeEio(eio->type, eio->payload), frame);
            auto packet = decodeMessage(frame);
            if (!packet.ok()) {
                ++rejected;
                QVERIFY(!packet.error().code.isEmpty());
                continue;
            }
            ++accepted;
            // Whatever we accept, we re-encode into something we decode to the same packet.
            auto again = decodeMessage(encodeMessage(*packet));
            QVERIFY2(again.ok(), frame.constData());
            QCOMPARE(*again, *packet);
            SioPacket copy = *packet;
            takeRecoveryOffset(copy);
        }
        QVERIFY(accepted > 1000);
        QVERIFY(rejected > 1000);
    }
};

QTEST_GUILESS_MAIN(TestSocketIo)
#include "tst_socketio.moc"
