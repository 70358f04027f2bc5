// Crash durability: every webhook that got a 2xx survives a SIGKILL of the server.

#include "testsupport.h"

#include <QTest>

#include <atomic>
#include <mutex>
#include <thread>

using namespace cbtest;
using cb::Json;

class TestDurability : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void acknowledgedWebhooksSurviveSigkill();
};

void TestDurability::acknowledgedWebhooksSurviveSigkill()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    auto server =
        std::make_unique<ServerProcess>(QStringList{QStringLiteral("--demo")}, dir.path());
    QString error;
    QVERIFY2(server->start(&error), qPrintable(error));
    const quint16 port = server->port();

    const Json templateBody =
        Json::parse(fixture(QStringLiteral("bolna/answered/03-in-progress.json")).toStdString());
    std::mutex mutex;
    QStringList acknowledged;
    std::atomic<bool> stop{false};
    std::atomic<int> sent{0};
    std::vector<std::thread> senders;
    for (int s = 0; s < 8; ++s) {
        senders.emplace_back([&, s] {
            HttpConnection connection(port);
            for (int i = 0; !stop; ++i) {
                Json body = templateBody;
                const QString id = QStringLiteral("durable-%1-%2").arg(s).arg(i);
                body["id"] = id.toStdString();
                const HttpResult r =
                    connection.request("POST", webhookPath("bolna"), cb::toBytes(body),
                                       {{"x-callboard-token", "demo-bolna-token"}}, 5000);
                ++sent;
                if (r.status == 200) {
                    std::lock_guard lock(mutex);
                    acknowledged.append(id);
                } else if (r.status == 0) {
                    return;
                }
            }
        });
    }
    // Let the senders run, then kill the server in the middle of the stream.
    QTRY_VERIFY_WITH_TIMEOUT(sent.load() > 600, 30000);
    server->kill();
    stop = true;
    for (auto &t : senders)
        t.join();
    QVERIFY(acknowledged.size() > 300);

    server = std::make_unique<ServerProcess>(QStringList{}, dir.path());
    QVERIFY2(server->start(&error), qPrintable(error));
    const QByteArray token = server->login(QStringLiteral("admin@demo"));
    QSet<QString> stored;
    qint64 since = 0;
    for (int page = 0; page < 1000; ++page) {
        const HttpResult r = server->get(
            "/api/orgs/org-acme/calls?limit=500&since_seq=" + QByteArray::number(since), token);
        QCOMPARE(r.status, 200);
        const Json json = r.json();
        for (const Json &call : json["calls"])
            stored.insert(QString::fromStdString(call["provider_call_id"].get<std::string>()));
        if (!json["more"].get<bool>())
            break;
        since = json["next_since_seq"].get<qint64>();
    }
    int missing = 0;
    for (const QString &id : std::as_const(acknowledged))
        missing += stored.contains(id) ? 0 : 1;
    qInfo("acknowledged %lld webhooks before SIGKILL, %lld stored, %d missing",
          qlonglong(acknowledged.size()), qlonglong(stored.size()), missing);
    QCOMPARE(missing, 0);
}

QTEST_GUILESS_MAIN(TestDurability)
#include "tst_durability.moc"
