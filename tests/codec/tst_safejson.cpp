#include "core/safejson.h"

#include <QTest>

using namespace cb;

class TestSafeJson : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesOrdinaryDocuments()
    {
        auto object = parseJsonSafely(R"({"id":"c-1","n":[1,2.5,true,null],"s":"é"})");
        QVERIFY(object.ok());
        QVERIFY(object->at("id") == "c-1");
        QCOMPARE(object->at("n").size(), size_t(4));
        QVERIFY(object->at("s") == "é");

        auto scalar = parseJsonSafely("  42 ");
        QVERIFY(scalar.ok());
        QVERIFY(*scalar == 42);
    }

    void rejectsOversizedBodiesBeforeParsing()
    {
        const QByteArray huge = '\"' + QByteArray(2 << 20, 'a') + '\"';
        auto result = parseJsonSafely(huge);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, QStringLiteral("too_large"));

        // The cap is inclusive, and it is the caller's choice.
        QVERIFY(parseJsonSafely("[1]", 3).ok());
        QCOMPARE(parseJsonSafely("[1] ", 3).error().code, QStringLiteral("too_large"));
    }

    void rejectsDeepNesting_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("code");
        const int bomb = 100000;
        QTest::newRow("open arrays") << QByteArray(bomb, '[') << QStringLiteral("too_deep");
        QTest::newRow("balanced arrays")
            << QByteArray(bomb, '[') + QByteArray(bomb, ']') << QStringLiteral("too_deep");
        QByteArray objects;
        for (int i = 0; i < bomb / 10; ++i)
            objects += R"({"a":)";
        QTest::newRow("objects") << objects << QStringLiteral("too_deep");
        QTest::newRow("65 levels")
            << QByteArray(65, '[') + QByteArray(65, ']') << QStringLiteral("too_deep");
        QTest::newRow("64 levels") << QByteArray(64, '[') + QByteArray(64, ']') << QString();
        QTest::newRow("brackets inside a string")
            << '\"' + QByteArray(1000, '[') + '\"' << QString();
    }

    void rejectsDeepNesting()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, code);
        auto result = parseJsonSafely(body);
        if (code.isEmpty()) {
            QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
        } else {
            QVERIFY(!result.ok());
            QCOMPARE(result.error().code, code);
        }
    }

    void rejectsMalformedInput_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("whitespace only") << QByteArray(" \n\t");
        QTest::newRow("truncated object") << QByteArray("{\"id\":\"c-1\",\"status\":\"comp");
        QTest::newRow("truncated after comma") << QByteArray(R"([1,2,)");
        QTest::newRow("NaN") << QByteArray(R"({"cost":NaN})");
        QTest::newRow("Infinity") << QByteArray("[Infinity]");
        QTest::newRow("number overflow") << QByteArray("[1e999]");
        QTest::newRow("single quotes") << QByteArray("{'a':1}");
        QTest::newRow("trailing comma") << QByteArray(R"({"a":1,})");
        QTest::newRow("trailing garbage") << QByteArray(R"({"a":1} x)");
        QTest::newRow("two documents") << QByteArray("{}{}");
        QTest::newRow("comment") << QByteArray("{} // hi");
        QTest::newRow("invalid UTF-8 in string") << QByteArray("{\"a\":\"\xff\xfe\"}");
        QTest::newRow("overlong UTF-8") << QByteArray("[\"\xc0\xaf\"]");
        QTest::newRow("UTF-8 surrogate") << QByteArray("[\"\xed\xa0\x80\"]");
        QTest::newRow("truncated UTF-8") << QByteArray("[\"\xe2\x82\"]");
        QTest::newRow("raw control char") << QByteArray("[\"a\nb\"]");
        QTest::newRow("lone surrogate escape") << QByteArray(R"(["\ud800"])");
        QTest::newRow("NUL byte") << QByteArray("[1,\0 2]", 7);
        QTest::newRow("BOM only") << QByteArray("\xef\xbb\xbf");
        QTest::newRow("bare word") << QByteArray("completed");
    }

    void rejectsMalformedInput()
    {
        QFETCH(QByteArray, body);
        auto result = parseJsonSafely(body);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, QStringLiteral("invalid_json"));
        QVERIFY(!result.error().message.isEmpty());
    }

    void reportsTheByteOffset()
    {
        auto result = parseJsonSafely(R"({"a":1,"b":tru})");
        QVERIFY(!result.ok());
        QVERIFY2(result.error().message.startsWith(QStringLiteral("invalid JSON at byte 15")),
                 qPrintable(result.error().message));
        QVERIFY(!result.error().message.contains(QStringLiteral("json.exception")));
    }

    void keepsErrorMessagesShort()
    {
        const QByteArray body = "[\"" + QByteArray(100000, 'x');
        auto result = parseJsonSafely(body);
        QVERIFY(!result.ok());
        QVERIFY(result.error().message.size() < 300);
    }

    void duplicateKeysKeepTheLastValue()
    {
        auto result = parseJsonSafely(R"({"status":"queued","status":"completed"})");
        QVERIFY(result.ok());
        QCOMPARE(result->size(), size_t(1));
        QVERIFY(result->at("status") == "completed");
    }

    void skipsAByteOrderMark()
    {
        auto result = parseJsonSafely("\xef\xbb\xbf{\"a\":1}");
        QVERIFY(result.ok());
        QVERIFY(result->at("a") == 1);
    }

    void acceptsValidUnicode()
    {
        auto result = parseJsonSafely("[\"\xf0\x9f\x93\x9e\",\"\\u00e9\\ud83d\\udcde\"]");
        QVERIFY(result.ok());
        QVERIFY(result->at(0) == "\xf0\x9f\x93\x9e");
        QVERIFY(result->at(1) == "\xc3\xa9\xf0\x9f\x93\x9e");
    }

    void checksTheTopLevelShape()
    {
        QVERIFY(parseJsonObject(R"({"a":1})").ok());
        auto array = parseJsonObject("[1]");
        QVERIFY(!array.ok());
        QCOMPARE(array.error().code, QStringLiteral("wrong_shape"));
        QCOMPARE(parseJsonObject("null").error().code, QStringLiteral("wrong_shape"));
        QCOMPARE(parseJsonObject("\"{}\"").error().code, QStringLiteral("wrong_shape"));
        QVERIFY(parseJsonSafely("[1]", JsonShape::Array).ok());
        QCOMPARE(parseJsonSafely("{}", JsonShape::Array).error().code,
                 QStringLiteral("wrong_shape"));
        // Parse errors win over the shape check.
        QCOMPARE(parseJsonObject("[").error().code, QStringLiteral("invalid_json"));
    }

    void neverThrowsOnRandomBytes()
    {
        // A deterministic generator: the point is coverage of odd bytes, not randomness.
        quint32 state = 12345;
        const auto next = [&state] {
            state = state * 1664525u + 1013904223u;
            return state >> 8;
        };
        const QByteArray alphabet =
            "{}[]\":,0123456789.eE+-truefalsn \\u\\" + QByteArray("\xff\xc3\xa9\x00", 4);
        int parsed = 0;
        for (int round = 0; round < 5000; ++round) {
            QByteArray body;
            const int length = int(next() % 40);
            for (int i = 0; i < length; ++i)
                body += alphabet[qsizetype(next() % quint32(alphabet.size()))];
            auto result = parseJsonSafely(body, 1 << 20, 8);
            if (result.ok())
                ++parsed;
            else
                QVERIFY(!result.error().code.isEmpty());
        }
        QVERIFY(parsed > 0);
    }
};

QTEST_GUILESS_MAIN(TestSafeJson)
#include "tst_safejson.moc"
