#include "server/httprequestparser.h"

#include <QTest>

using namespace cb;

/// The HTTP/1.1 request-head parser and the chunked body decoder on their own: what they
/// read, the status every malformed input is answered with, and bodies arriving in pieces.
class TestHttpRequestParser : public QObject
{
    Q_OBJECT

private:
    static constexpr qint64 maxBody = 1024;

    /// Decodes @p input as a socket would deliver it, @p step bytes at a time.
    static ChunkedBodyDecoder::Status decodeInPieces(QByteArrayView input, qsizetype step,
                                                     QByteArray &body, qsizetype &used,
                                                     Error *error = nullptr)
    {
        ChunkedBodyDecoder decoder(maxBody, 256);
        used = 0;
        auto status = ChunkedBodyDecoder::Status::NeedMore;
        for (qsizetype available = 0; status == ChunkedBodyDecoder::Status::NeedMore;) {
            available = std::min(input.size(), available + step);
            qsizetype consumed = 0;
            status = decoder.decode(input.sliced(used, available - used), body, consumed);
            used += consumed;
            if (available == input.size())
                break;
        }
        if (error)
            *error = decoder.error();
        return status;
    }

private Q_SLOTS:
    void readsAHead()
    {
        const auto head = parseRequestHead("POST /api/orgs/o1/calls?limit=5&q=a%20b HTTP/1.1\r\n"
                                           "Host: x\r\nContent-Length: 12\r\n"
                                           "Authorization: Bearer  tok \r\nX-Empty:",
                                           maxBody);
        QVERIFY2(head.ok(), qPrintable(head.ok() ? QString() : head.error().message));
        QCOMPARE(head->request.method, QByteArray("POST"));
        QCOMPARE(head->request.target, QByteArray("/api/orgs/o1/calls?limit=5&q=a%20b"));
        QCOMPARE(head->request.path, QByteArray("/api/orgs/o1/calls"));
        QCOMPARE(head->request.query.queryItemValue(QStringLiteral("q"), QUrl::FullyDecoded),
                 QStringLiteral("a b"));
        QCOMPARE(head->request.header("content-length"), QByteArray("12"));
        QCOMPARE(head->request.bearerToken(), QStringLiteral("tok"));
        QVERIFY(!head->request.header("x-empty").isNull());
        QCOMPARE(head->contentLength, 12);
        QVERIFY(!head->chunked);
        QVERIFY(head->keepAlive);
        QVERIFY(!head->request.http10);
    }

    void keepAlive_data()
    {
        QTest::addColumn<QByteArray>("head");
        QTest::addColumn<bool>("keepAlive");
        QTest::newRow("1.1") << QByteArray("GET / HTTP/1.1") << true;
        QTest::newRow("1.1 close") << QByteArray("GET / HTTP/1.1\r\nConnection: Close") << false;
        QTest::newRow("1.1 list") << QByteArray("GET / HTTP/1.1\r\nConnection: te, close") << false;
        QTest::newRow("1.0") << QByteArray("GET / HTTP/1.0") << false;
        QTest::newRow("1.0 keep-alive")
            << QByteArray("GET / HTTP/1.0\r\nConnection: keep-alive") << true;
    }
    void keepAlive()
    {
        QFETCH(QByteArray, head);
        QFETCH(bool, keepAlive);
        const auto parsed = parseRequestHead(head, maxBody);
        QVERIFY(parsed.ok());
        QCOMPARE(parsed->keepAlive, keepAlive);
    }

    void refusesMalformedHeads_data()
    {
        QTest::addColumn<QByteArray>("head");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        const QString bad = QStringLiteral("bad_request");
        QTest::newRow("empty") << QByteArray() << 400 << bad;
        QTest::newRow("two parts") << QByteArray("GET /") << 400 << bad;
        QTest::newRow("absolute target") << QByteArray("GET http://x/ HTTP/1.1") << 400 << bad;
        QTest::newRow("method not a token") << QByteArray("G(T / HTTP/1.1") << 400 << bad;
        QTest::newRow("version") << QByteArray("GET / HTTP/2.0") << 505
                                 << QStringLiteral("http_version");
        QTest::newRow("folded header") << QByteArray("GET / HTTP/1.1\r\n continued") << 400 << bad;
        QTest::newRow("no colon") << QByteArray("GET / HTTP/1.1\r\nHost") << 400 << bad;
        QTest::newRow("space in name") << QByteArray("GET / HTTP/1.1\r\nHo st: x") << 400 << bad;
        QTest::newRow("gzip") << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: gzip") << 501
                              << QStringLiteral("unsupported_encoding");
        QTest::newRow("negative length")
            << QByteArray("POST / HTTP/1.1\r\nContent-Length: -1") << 400 << bad;
        QTest::newRow("plus length")
            << QByteArray("POST / HTTP/1.1\r\nContent-Length: +1") << 400 << bad;
        QTest::newRow("two lengths")
            << QByteArray("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2") << 400
            << bad;
        QTest::newRow("length and chunked")
            << QByteArray("POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked")
            << 400 << bad;
        QTest::newRow("too long") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 1025") << 413
                                  << QStringLiteral("payload_too_large");
        QByteArray many = "GET / HTTP/1.1";
        for (int i = 0; i < 101; ++i)
            many += "\r\nX-" + QByteArray::number(i) + ": 1";
        QTest::newRow("101 fields") << many << 431 << QStringLiteral("headers_too_large");
    }
    void refusesMalformedHeads()
    {
        QFETCH(QByteArray, head);
        QFETCH(int, status);
        QFETCH(QString, code);
        const auto parsed = parseRequestHead(head, maxBody);
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error().code, code);
        QCOMPARE(httpErrorStatus(parsed.error()), status);
        QVERIFY(!parsed.error().message.isEmpty());
    }

    void reportsTheMethodOfAFailedHead()
    {
        QByteArray method;
        const auto parsed =
            parseRequestHead("HEAD / HTTP/1.1\r\nContent-Length: x", maxBody, &method);
        QVERIFY(!parsed.ok());
        QCOMPARE(method, QByteArray("HEAD"));
    }

    void decodesChunksInAnyPieces()
    {
        const QByteArray input = "5;name=value\r\nhello\r\n"
                                 "0006\r\n world\r\n"
                                 "0\r\nX-Trailer: 1\r\n\r\n"
                                 "GET /next HTTP/1.1\r\n\r\n";
        const qsizetype end = input.indexOf("GET /next");
        for (qsizetype step : {qsizetype(1), qsizetype(2), qsizetype(7), input.size()}) {
            QByteArray body;
            qsizetype used = 0;
            QCOMPARE(decodeInPieces(input, step, body, used), ChunkedBodyDecoder::Status::Done);
            QCOMPARE(body, QByteArray("hello world"));
            QCOMPARE(used, end); // the pipelined request stays for the next head
        }
    }

    void waitsForTheRest()
    {
        ChunkedBodyDecoder decoder(maxBody, 256);
        QByteArray body;
        qsizetype used = 0;
        QCOMPARE(decoder.decode("5\r\nhel", body, used), ChunkedBodyDecoder::Status::NeedMore);
        QCOMPARE(used, 6);
        QCOMPARE(body, QByteArray("hel"));
        QCOMPARE(decoder.decode("lo\r\n0\r\n", body, used), ChunkedBodyDecoder::Status::NeedMore);
        QCOMPARE(decoder.decode("\r\n", body, used), ChunkedBodyDecoder::Status::Done);
        QCOMPARE(body, QByteArray("hello"));
    }

    void refusesMalformedChunks_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<int>("status");
        QTest::newRow("not hex") << QByteArray("zz\r\n") << 400;
        QTest::newRow("negative") << QByteArray("-5\r\n") << 400;
        QTest::newRow("nine digits") << QByteArray("000000001\r\nx\r\n0\r\n\r\n") << 400;
        QTest::newRow("no CRLF after data") << QByteArray("1\r\nxy\r\n") << 400;
        QTest::newRow("size line without end") << QByteArray(1100, '1') << 400;
        QTest::newRow("over the body limit") << QByteArray("401\r\n") << 413;
        QTest::newRow("sum over the body limit")
            << (QByteArray("200\r\n") + QByteArray(512, 'a') + "\r\n201\r\n") << 413;
        QTest::newRow("trailer without end")
            << (QByteArray("0\r\nX: ") + QByteArray(300, 'a')) << 431;
    }
    void refusesMalformedChunks()
    {
        QFETCH(QByteArray, input);
        QFETCH(int, status);
        for (qsizetype step : {qsizetype(1), qsizetype(5), input.size()}) {
            QByteArray body;
            qsizetype used = 0;
            Error error;
            QCOMPARE(decodeInPieces(input, step, body, used, &error),
                     ChunkedBodyDecoder::Status::Failed);
            QCOMPARE(httpErrorStatus(error), status);
            QVERIFY(body.size() <= maxBody);
        }
    }
};

QTEST_GUILESS_MAIN(TestHttpRequestParser)
#include "tst_httprequestparser.moc"
