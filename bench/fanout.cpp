// bench/fanout: one org room with N Socket.IO clients, call events published at a fixed
// rate; delivery latency (publish request sent → client receipt), server CPU and RSS.
// The same load runs against callboard's hub (callboard-hub-harness) and against a stock
// Node socket.io 4.8 server doing the same fan-out, and the ratios are printed.
//
//   bench_fanout [--clients 100,1000] [--rates 100,1000] [--seconds 5] [--servers hub,node]
//
// Both servers get the same request (`POST /emit` with the call in the wire shape) and
// the clients are the same raw WebSocket clients in this process (their own thread).

#include "core/call.h"
#include "core/json.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <vector>

namespace {

qint64 nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

constexpr int maxSeq = 1 << 20;
/// Send time of each seq, written by the publisher, read by the client thread.
std::unique_ptr<std::atomic<qint64>[]> g_sentAt;

QByteArray maskedTextFrame(const QByteArray &payload)
{
    QByteArray frame;
    frame.append(char(0x81));
    if (payload.size() < 126) {
        frame.append(char(0x80 | payload.size()));
    } else {
        frame.append(char(0x80 | 126));
        frame.append(char(payload.size() >> 8));
        frame.append(char(payload.size() & 0xFF));
    }
    frame.append(QByteArray(4, '\0')); // a zero mask leaves the payload as is
    frame.append(payload);
    return frame;
}

/// One raw Engine.IO/Socket.IO client: handshake, CONNECT with a token, join, then
/// record the latency of every call:updated it receives.
class Client final : public QObject
{
public:
    Client(quint16 port, std::vector<float> *latenciesMs, std::atomic<int> *joined, QObject *parent)
        : QObject(parent), m_latencies(latenciesMs), m_joined(joined)
    {
        m_socket.setParent(this);
        connect(&m_socket, &QTcpSocket::connected, this, [this] {
            m_socket.setSocketOption(QAbstractSocket::LowDelayOption, 1);
            m_socket.write(
                "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        });
        connect(&m_socket, &QTcpSocket::readyRead, this, &Client::onReadyRead);
        connect(&m_socket, &QTcpSocket::disconnected, this, [this] { m_dropped = true; });
        m_socket.connectToHost(QHostAddress::LocalHost, port);
    }
    bool dropped() const { return m_dropped; }
    qint64 received() const { return m_received; }

private:
    void onReadyRead()
    {
        m_in.append(m_socket.readAll());
        qsizetype pos = 0;
        if (!m_upgraded) {
            const qsizetype end = m_in.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            m_upgraded = m_in.startsWith("HTTP/1.1 101");
            pos = end + 4;
        }
        const qint64 now = nowNs();
        while (m_in.size() - pos >= 2) {
            const auto *d = reinterpret_cast<const unsigned char *>(m_in.constData() + pos);
            qint64 length = d[1] & 0x7F;
            qsizetype header = 2;
            if (length == 126) {
                if (m_in.size() - pos < 4)
                    break;
                length = (qint64(d[2]) << 8) | d[3];
                header = 4;
            } else if (length == 127) {
                if (m_in.size() - pos < 10)
                    break;
                length = 0;
                for (int i = 0; i < 8; ++i)
                    length = (length << 8) | d[2 + i];
                header = 10;
            }
            if (m_in.size() - pos < header + length)
                break;
            if ((d[0] & 0x0F) == 0x1)
                onText(QByteArrayView(m_in.constData() + pos + header, length), now);
            pos += header + length;
        }
        m_in.remove(0, pos);
    }

    void onText(QByteArrayView text, qint64 now)
    {
        if (text.startsWith("42[\"call:updated\"")) {
            ++m_received;
            const qsizetype at = text.indexOf("\"seq\":");
            if (at < 0)
                return;
            qint64 seq = 0;
            for (qsizetype i = at + 6; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i)
                seq = seq * 10 + (text[i] - '0');
            if (seq > 0 && seq < maxSeq) {
                const qint64 sent = g_sentAt[seq].load(std::memory_order_acquire);
                if (sent > 0)
                    m_latencies->push_back(float(double(now - sent) / 1e6));
            }
        } else if (text == "2") {
            m_socket.write(maskedTextFrame("3"));
        } else if (text.startsWith("0{")) {
            m_socket.write(maskedTextFrame("40{\"token\":\"tok-acme\"}"));
        } else if (text.startsWith("40{")) {
            m_socket.write(maskedTextFrame("421[\"org:join\",{\"org_id\":\"acme\"}]"));
        } else if (text.startsWith("431[")) {
            m_joined->fetch_add(1);
        }
    }

    QTcpSocket m_socket;
    QByteArray m_in;
    std::vector<float> *m_latencies;
    std::atomic<int> *m_joined;
    qint64 m_received = 0;
    bool m_upgraded = false;
    bool m_dropped = false;
};

/// The clients, on their own thread so that reading does not delay publishing.
class ClientPool final : public QObject
{
public:
    void open(quint16 port, int count)
    {
        for (int i = 0; i < count; ++i)
            m_clients.push_back(new Client(port, &latencies, &joined, this));
    }
    void close()
    {
        for (Client *client : m_clients) {
            received += client->received();
            dropped += client->dropped() ? 1 : 0;
            delete client;
        }
        m_clients.clear();
    }
    std::vector<float> latencies;
    std::atomic<int> joined{0};
    qint64 received = 0;
    int dropped = 0;

private:
    std::vector<Client *> m_clients;
};

struct ProcStats
{
    double cpuSeconds = 0;
    qint64 rssKb = 0;
    qint64 peakRssKb = 0;
};

ProcStats procStats(qint64 pid)
{
    ProcStats stats;
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (stat.open(QIODevice::ReadOnly)) {
        const QByteArray line = stat.readAll();
        const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
        if (fields.size() > 13)
            stats.cpuSeconds = double(fields.at(11).toLongLong() + fields.at(12).toLongLong()) /
                double(sysconf(_SC_CLK_TCK));
    }
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (status.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : status.readAll().split('\n')) {
            if (line.startsWith("VmRSS:"))
                stats.rssKb = line.mid(6).trimmed().split(' ').first().toLongLong();
            else if (line.startsWith("VmHWM:"))
                stats.peakRssKb = line.mid(6).trimmed().split(' ').first().toLongLong();
        }
    }
    return stats;
}

bool waitFor(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (!done()) {
        if (timer.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
        QThread::msleep(1);
    }
    return true;
}

struct Server
{
    QProcess process;
    quint16 port = 0;
};

bool startServer(Server &server, const QString &kind, const QString &harness,
                 const QString &nodeDir)
{
    if (kind == u"hub") {
        server.process.start(harness, {});
    } else {
        server.process.setWorkingDirectory(nodeDir);
        server.process.start(QStringLiteral("node"), {QStringLiteral("fanout-node-server.mjs")});
    }
    if (!server.process.waitForStarted(10000))
        return false;
    QByteArray out;
    if (!waitFor(
            [&] {
                out += server.process.readAllStandardOutput();
                return out.contains('\n') || server.process.state() == QProcess::NotRunning;
            },
            15000))
        return false;
    const qsizetype at = out.indexOf("PORT ");
    if (at < 0)
        return false;
    server.port = quint16(out.mid(at + 5).trimmed().toUInt());
    return server.port != 0;
}

struct Result
{
    double p50 = 0, p99 = 0, max = 0;
    double cpuPercent = 0;
    double rssMb = 0;
    qint64 expected = 0, received = 0;
    int dropped = 0;
    bool ok = false;
};

double percentile(std::vector<float> &v, double p)
{
    if (v.empty())
        return 0;
    const size_t index = std::min(v.size() - 1, size_t(p * double(v.size() - 1) + 0.5));
    std::nth_element(v.begin(), v.begin() + qsizetype(index), v.end());
    return v[index];
}

Result runOne(const QString &kind, int clients, int rate, int seconds, const QString &harness,
              const QString &nodeDir)
{
    Result result;
    Server server;
    if (!startServer(server, kind, harness, nodeDir)) {
        std::fprintf(stderr, "could not start the %s server\n", qPrintable(kind));
        return result;
    }
    const qint64 pid = server.process.processId();

    QThread thread;
    auto *pool = new ClientPool;
    pool->moveToThread(&thread);
    thread.start();
    QMetaObject::invokeMethod(pool, [pool, &server, clients] { pool->open(server.port, clients); });
    if (!waitFor([&] { return pool->joined.load() >= clients; }, 60000)) {
        std::fprintf(stderr, "only %d of %d clients joined\n", pool->joined.load(), clients);
    }

    cb::Call call;
    call.id = QStringLiteral("00000000-0000-4000-8000-000000000001");
    call.orgId = QStringLiteral("acme");
    call.provider = cb::Provider::Vapi;
    call.providerCallId = QStringLiteral("vapi-call-7f3c2a");
    call.agentId = QStringLiteral("agent-1");
    call.direction = cb::Direction::Outbound;
    call.toNumber = QStringLiteral("+15550100");
    call.fromNumber = QStringLiteral("+15550199");
    call.callerName = QStringLiteral("Ada Lovelace");
    call.status = cb::CallStatus::InProgress;
    call.rawStatus = QStringLiteral("in-progress");
    call.createdAt = QDateTime::currentDateTimeUtc();
    call.startedAt = call.createdAt;
    call.answeredAt = call.createdAt;
    call.updatedAt = call.createdAt;
    const cb::Json callJson = cb::toJson(call);

    // The publisher: one keep-alive connection, requests paced by a 1 ms timer.
    QTcpSocket publisher;
    publisher.connectToHost(QHostAddress::LocalHost, server.port);
    publisher.waitForConnected(5000);
    publisher.setSocketOption(QAbstractSocket::LowDelayOption, 1);
    qint64 responses = 0;
    QByteArray responseBuffer;
    QObject::connect(&publisher, &QTcpSocket::readyRead, &publisher, [&] {
        responseBuffer += publisher.readAll();
        qsizetype at;
        while ((at = responseBuffer.indexOf("{\"ok\":true}")) >= 0) {
            ++responses;
            responseBuffer.remove(0, at + 11);
        }
    });

    const qint64 total = qint64(rate) * seconds;
    qint64 seq = 0;
    QElapsedTimer clock;
    const ProcStats before = procStats(pid);
    clock.start();
    QTimer pacer;
    pacer.setTimerType(Qt::PreciseTimer);
    QObject::connect(&pacer, &QTimer::timeout, &pacer, [&] {
        const qint64 due = std::min(total, clock.nsecsElapsed() * rate / 1000000000);
        QByteArray batch;
        while (seq < due) {
            ++seq;
            cb::Json body{
                {"org_id", "acme"}, {"seq", seq}, {"kind", "updated"}, {"call", callJson}};
            body["call"]["seq"] = seq;
            const QByteArray json = cb::toBytes(body);
            g_sentAt[seq].store(nowNs(), std::memory_order_release);
            batch += "POST /emit HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                     "application/json\r\nContent-Length: " +
                QByteArray::number(json.size()) + "\r\n\r\n" + json;
        }
        if (!batch.isEmpty()) {
            publisher.write(batch);
            publisher.flush();
        }
        if (seq >= total)
            pacer.stop();
    });
    pacer.start(1);
    waitFor([&] { return seq >= total && responses >= total; }, (seconds + 60) * 1000);
    const qint64 expected = total * clients;
    // Let the last events arrive (or give up after a while).
    waitFor(
        [&] {
            qint64 n = 0;
            QMetaObject::invokeMethod(
                pool, [&] { n = qint64(pool->latencies.size()); }, Qt::BlockingQueuedConnection);
            return n >= expected;
        },
        30000);
    const double wall = double(clock.nsecsElapsed()) / 1e9;
    const ProcStats after = procStats(pid);

    QMetaObject::invokeMethod(
        pool, [pool] { pool->close(); }, Qt::BlockingQueuedConnection);
    thread.quit();
    thread.wait();
    result.expected = expected;
    result.received = pool->received;
    result.dropped = pool->dropped;
    result.p50 = percentile(pool->latencies, 0.50);
    result.p99 = percentile(pool->latencies, 0.99);
    result.max = pool->latencies.empty()
        ? 0
        : *std::max_element(pool->latencies.begin(), pool->latencies.end());
    result.cpuPercent = 100.0 * (after.cpuSeconds - before.cpuSeconds) / wall;
    result.rssMb = double(after.peakRssKb) / 1024.0;
    result.ok = true;
    delete pool;
    for (qint64 i = 0; i <= seq && i < maxSeq; ++i)
        g_sentAt[i].store(0);

    server.process.kill();
    server.process.waitForFinished(5000);
    return result;
}

void raiseFileLimit()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

QList<int> intList(const QString &text)
{
    QList<int> out;
    for (const QString &part : text.split(u',', Qt::SkipEmptyParts))
        out.append(part.toInt());
    return out;
}

} // namespace

int main(int argc, char *argv[])
{
    raiseFileLimit();
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Realtime fan-out: callboard hub vs stock socket.io"));
    parser.addHelpOption();
    const QCommandLineOption clientsOption(QStringLiteral("clients"),
                                           QStringLiteral("client counts"), QStringLiteral("list"),
                                           QStringLiteral("100,1000"));
    const QCommandLineOption ratesOption(QStringLiteral("rates"),
                                         QStringLiteral("events per second"),
                                         QStringLiteral("list"), QStringLiteral("100,1000"));
    const QCommandLineOption secondsOption(QStringLiteral("seconds"),
                                           QStringLiteral("length of each run"),
                                           QStringLiteral("s"), QStringLiteral("5"));
    const QCommandLineOption serversOption(QStringLiteral("servers"), QStringLiteral("hub,node"),
                                           QStringLiteral("list"), QStringLiteral("hub,node"));
    parser.addOptions({clientsOption, ratesOption, secondsOption, serversOption});
    parser.process(app);

    const QString harness = QStringLiteral(CALLBOARD_HUB_HARNESS);
    const QString nodeDir = QStringLiteral(CALLBOARD_FANOUT_NODE_DIR);
    const QStringList servers = parser.value(serversOption).split(u',', Qt::SkipEmptyParts);
    if (servers.contains(QStringLiteral("node")) &&
        !QDir(nodeDir + QStringLiteral("/node_modules/socket.io")).exists()) {
        std::printf("installing socket.io into %s\n", qPrintable(nodeDir));
        QProcess npm;
        npm.setWorkingDirectory(nodeDir);
        npm.start(QStringLiteral("npm"),
                  {QStringLiteral("install"), QStringLiteral("--no-audit"),
                   QStringLiteral("--no-fund"), QStringLiteral("--loglevel=error")});
        npm.waitForFinished(300000);
    }
    g_sentAt = std::make_unique<std::atomic<qint64>[]>(maxSeq);
    const int seconds = parser.value(secondsOption).toInt();

    std::printf(
        "fan-out to one org room, %d s per run, latency = publish request sent -> client receipt\n",
        seconds);
    std::printf("%-5s %7s %7s %9s %9s %9s %7s %8s %10s %8s\n", "server", "clients", "ev/s",
                "p50 ms", "p99 ms", "max ms", "cpu %", "rss MB", "delivered", "dropped");
    for (const int clients : intList(parser.value(clientsOption))) {
        for (const int rate : intList(parser.value(ratesOption))) {
            QHash<QString, Result> results;
            for (const QString &kind : servers) {
                const Result r = runOne(kind, clients, rate, seconds, harness, nodeDir);
                results.insert(kind, r);
                std::printf(
                    "%-5s %7d %7d %9.2f %9.2f %9.2f %7.0f %8.1f %9.1f%% %8d\n", qPrintable(kind),
                    clients, rate, r.p50, r.p99, r.max, r.cpuPercent, r.rssMb,
                    r.expected ? 100.0 * double(r.received) / double(r.expected) : 0.0, r.dropped);
                std::fflush(stdout);
            }
            if (results.contains(QStringLiteral("hub")) &&
                results.contains(QStringLiteral("node"))) {
                const Result &hub = results[QStringLiteral("hub")];
                const Result &node = results[QStringLiteral("node")];
                std::printf("      node/hub: p99 %.1fx, cpu %.1fx, rss %.1fx\n",
                            hub.p99 > 0 ? node.p99 / hub.p99 : 0.0,
                            hub.cpuPercent > 0 ? node.cpuPercent / hub.cpuPercent : 0.0,
                            hub.rssMb > 0 ? node.rssMb / hub.rssMb : 0.0);
                std::fflush(stdout);
            }
        }
    }
    return 0;
}
