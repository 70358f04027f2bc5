#include "server/restrequests.h"

#include <QTest>

using namespace cb;

/// The REST body readers: what they accept and the error code of everything else.
class TestRestRequests : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void login()
    {
        const auto ok = rest::readLogin("{\"email\":\"  a@b.example \",\"password\":\" pw \"}");
        QVERIFY(ok.ok());
        QCOMPARE(ok->email, QStringLiteral("a@b.example"));
        QCOMPARE(ok->password, QStringLiteral(" pw "));

        QCOMPARE(rest::readLogin("{\"email\":\"a@b.example\"}").error().code,
                 QStringLiteral("invalid_body"));
        QCOMPARE(rest::readLogin("{\"email\":\"a@b.example\",\"password\":7}").error().code,
                 QStringLiteral("invalid_body"));
        const QByteArray longEmail =
            "{\"email\":\"" + QByteArray(321, 'a') + "\",\"password\":\"x\"}";
        QCOMPARE(rest::readLogin(longEmail).error().code, QStringLiteral("invalid_body"));
        QCOMPARE(rest::readLogin("[1]").error().code, QStringLiteral("wrong_shape"));
        QCOMPARE(rest::readLogin("{").error().code, QStringLiteral("invalid_json"));
        QCOMPARE(rest::readLogin(QByteArray(rest::maxJsonBody + 1, ' ')).error().code,
                 QStringLiteral("payload_too_large"));
        const QByteArray deep =
            "{\"email\":" + QByteArray(20, '[') + QByteArray(20, ']') + QByteArray("}");
        QCOMPARE(rest::readLogin(deep).error().code, QStringLiteral("too_deep"));
    }

    void markFailed()
    {
        const auto ids = rest::readMarkFailed("{\"ids\":[\"c1\",\"c2\",\"c1\"]}");
        QVERIFY(ids.ok());
        QCOMPARE(*ids, QStringList({QStringLiteral("c1"), QStringLiteral("c2")}));

        for (const char *bad :
             {"{}", "{\"ids\":[]}", "{\"ids\":\"c1\"}", "{\"ids\":[1]}", "{\"ids\":[\"\"]}"}) {
            QCOMPARE(rest::readMarkFailed(bad).error().code, QStringLiteral("invalid_body"));
        }
        QByteArray many = "{\"ids\":[";
        for (int i = 0; i < 501; ++i)
            many += (i ? ",\"" : "\"") + QByteArray::number(i) + '"';
        many += "]}";
        QCOMPARE(rest::readMarkFailed(many).error().code, QStringLiteral("invalid_body"));
        const QByteArray longId = "{\"ids\":[\"" + QByteArray(201, 'x') + "\"]}";
        QCOMPARE(rest::readMarkFailed(longId).error().code, QStringLiteral("invalid_body"));
    }

    void startCall()
    {
        const auto start = rest::readStartCall(
            "{\"agent_id\":\"a1\",\"to_number\":\"+14155550123\",\"is_test\":true}");
        QVERIFY(start.ok());
        QCOMPARE(start->agentId, QStringLiteral("a1"));
        QCOMPARE(start->toNumber, QStringLiteral("+14155550123"));
        QVERIFY(start->isTest);
        QVERIFY(!rest::readStartCall("{\"agent_id\":\"a1\"}")->isTest);
        QCOMPARE(rest::readStartCall("{\"is_test\":\"yes\"}").error().code,
                 QStringLiteral("invalid_body"));
        QCOMPARE(rest::readStartCall("nope").error().code, QStringLiteral("invalid_body"));
    }

    void syncCheckOnly()
    {
        QCOMPARE(*rest::readSyncCheckOnly(" \r\n"), false);
        QCOMPARE(*rest::readSyncCheckOnly("{\"check_only\":true}"), true);
        QCOMPARE(*rest::readSyncCheckOnly("{\"check_only\":\"no\"}"), false);
        QVERIFY(!rest::readSyncCheckOnly("[]").ok());
    }
};

QTEST_GUILESS_MAIN(TestRestRequests)
#include "tst_restrequests.moc"
