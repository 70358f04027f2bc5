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

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
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

/// The clients: raw Engine.IO/Socket.IO over non-blocking sockets on one epoll thread,
/// so that reading a million frames a second costs as little as it can and never delays
/// the publisher. Each answers pings, CONNECTs with a token, joins `acme`, and records
/// the latency of every call:updated.
class ClientPool
{
public:
    ~ClientPool() { stop(); }

    bool open(quint16 port, int count)
    {
        m_epoll = epoll_create1(0);
        for (int i = 0; i < count; ++i) {
            const int fd = socket(AF_INET, SOCK_STREAM, 0);
            sockaddr_in address{};
            address.sin_family = AF_INET;
            address.sin_port = htons(port);
            address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            if (fd < 0 ||
                ::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
                std::fprintf(stderr, "connect failed for client %d: %s\n", i, std::strerror(errno));
                if (fd >= 0)
                    ::close(fd);
                return false;
            }
            const int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            const char request[] =
                "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
            sendAll(fd, request, sizeof request - 1);
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
            m_conns.push_back(std::make_unique<Conn>(Conn{fd, {}, false, false}));
            epoll_event event{};
            event.events = EPOLLIN;
            event.data.ptr = m_conns.back().get();
            epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &event);
        }
        m_thread = std::thread([this] { run(); });
        return true;
    }

    void stop()
    {
        if (!m_thread.joinable())
            return;
        m_stop = true;
        m_thread.join();
        for (auto &conn : m_conns) {
            dropped += conn->closed ? 1 : 0;
            ::close(conn->fd);
        }
        m_conns.clear();
        ::close(m_epoll);
    }

    qint64 latencyCount() const { return m_count.load(std::memory_order_relaxed); }

    std::vector<float> latencies; ///< read after stop()
    std::atomic<int> joined{0};
    qint64 received = 0;
    int dropped = 0;

private:
    struct Conn
    {
        int fd;
        std::string in;
        bool upgraded;
        bool closed;
    };

    static void sendAll(int fd, const char *data, size_t size)
    {
        while (size > 0) {
            const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
            if (n <= 0)
                return;
            data += n;
            size -= size_t(n);
        }
    }
    static void sendText(int fd, std::string_view payload)
    {
        std::string frame;
        frame.push_back(char(0x81));
        frame.push_back(char(0x80 | payload.size()));
        frame.append(4, '\0'); // a zero mask leaves the payload as is
        frame.append(payload);
        sendAll(fd, frame.data(), frame.size());
    }

    void run()
    {
        std::vector<epoll_event> events(256);
        std::vector<char> buffer(256 * 1024);
        while (!m_stop) {
            const int n = epoll_wait(m_epoll, events.data(), int(events.size()), 5);
            for (int i = 0; i < n; ++i) {
                auto *conn = static_cast<Conn *>(events[i].data.ptr);
                while (true) {
                    const ssize_t got = ::recv(conn->fd, buffer.data(), buffer.size(), 0);
                    if (got > 0) {
                        conn->in.append(buffer.data(), size_t(got));
                        continue;
                    }
                    if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
                        conn->closed = true;
                        epoll_ctl(m_epoll, EPOLL_CTL_DEL, conn->fd, nullptr);
                    }
                    break;
                }
                parse(*conn, nowNs());
            }
        }
    }

    void parse(Conn &conn, qint64 now)
    {
        size_t pos = 0;
        std::string &in = conn.in;
        if (!conn.upgraded) {
            const size_t end = in.find("\r\n\r\n");
            if (end == std::string::npos)
                return;
            conn.upgraded = in.rfind("HTTP/1.1 101", 0) == 0;
            pos = end + 4;
        }
        while (in.size() - pos >= 2) {
            const auto *d = reinterpret_cast<const unsigned char *>(in.data() + pos);
            quint64 length = d[1] & 0x7F;
            size_t header = 2;
            if (length == 126) {
                if (in.size() - pos < 4)
                    break;
                length = (quint64(d[2]) << 8) | d[3];
                header = 4;
            } else if (length == 127) {
                if (in.size() - pos < 10)
                    break;
                length = 0;
                for (int i = 0; i < 8; ++i)
                    length = (length << 8) | d[2 + i];
                header = 10;
            }
            if (in.size() - pos < header + length)
                break;
            if ((d[0] & 0x0F) == 0x1)
                onText(conn, std::string_view(in.data() + pos + header, length), now);
            pos += header + length;
        }
        in.erase(0, pos);
    }

    void onText(Conn &conn, std::string_view text, qint64 now)
    {
        if (text.rfind("42[\"call:updated\"", 0) == 0) {
            ++received;
            const size_t at = text.rfind("\"seq\":"); // the event's own seq comes last
            if (at == std::string_view::npos)
                return;
            qint64 seq = 0;
            for (size_t i = at + 6; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i)
                seq = seq * 10 + (text[i] - '0');
            if (seq > 0 && seq < maxSeq) {
                const qint64 sent = g_sentAt[seq].load(std::memory_order_acquire);
                if (sent > 0) {
                    latencies.push_back(float(double(now - sent) / 1e6));
                    m_count.fetch_add(1, std::memory_order_relaxed);
                }
            }
        } else if (text == "2") {
            sendText(conn.fd, "3");
        } else if (text.rfind("0{", 0) == 0) {
            sendText(conn.fd, "40{\"token\":\"tok-acme\"}");
        } else if (text.rfind("40{", 0) == 0) {
            sendText(conn.fd, "421[\"org:join\",{\"org_id\":\"acme\"}]");
        } else if (text.rfind("431[", 0) == 0) {
            joined.fetch_add(1);
        }
    }

    int m_epoll = -1;
    std::vector<std::unique_ptr<Conn>> m_conns;
    std::thread m_thread;
    std::atomic<bool> m_stop{false};
    std::atomic<qint64> m_count{0};
};

double processCpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
        double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

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
    double benchCpuPercent = 0; ///< this process: publisher and clients
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

    ClientPool pool;
    if (!pool.open(server.port, clients)) {
        server.process.kill();
        server.process.waitForFinished(5000);
        return result;
    }
    if (!waitFor([&] { return pool.joined.load() >= clients; }, 60000))
        std::fprintf(stderr, "only %d of %d clients joined\n", pool.joined.load(), clients);

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
    const double benchCpuBefore = processCpuSeconds();
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
    waitFor([&] { return pool.latencyCount() >= expected; }, 30000);
    const double wall = double(clock.nsecsElapsed()) / 1e9;
    const ProcStats after = procStats(pid);
    const double benchCpuAfter = processCpuSeconds();

    pool.stop();
    result.expected = expected;
    result.received = pool.received;
    result.dropped = pool.dropped;
    result.p50 = percentile(pool.latencies, 0.50);
    result.p99 = percentile(pool.latencies, 0.99);
    result.max = pool.latencies.empty()
        ? 0
        : *std::max_element(pool.latencies.begin(), pool.latencies.end());
    result.benchCpuPercent = 100.0 * (benchCpuAfter - benchCpuBefore) / wall;
    result.cpuPercent = 100.0 * (after.cpuSeconds - before.cpuSeconds) / wall;
    result.rssMb = double(after.peakRssKb) / 1024.0;
    result.ok = true;
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
    std::printf("%-6s %7s %6s %9s %9s %9s %6s %8s %10s %7s %9s\n", "server", "clients", "ev/s",
                "p50 ms", "p99 ms", "max ms", "cpu %", "rss MB", "delivered", "dropped",
                "bench cpu");
    for (const int clients : intList(parser.value(clientsOption))) {
        for (const int rate : intList(parser.value(ratesOption))) {
            QHash<QString, Result> results;
            for (const QString &kind : servers) {
                const Result r = runOne(kind, clients, rate, seconds, harness, nodeDir);
                results.insert(kind, r);
                std::printf("%-6s %7d %6d %9.2f %9.2f %9.2f %6.0f %8.1f %9.1f%% %7d %8.0f%%\n",
                            qPrintable(kind), clients, rate, r.p50, r.p99, r.max, r.cpuPercent,
                            r.rssMb,
                            r.expected ? 100.0 * double(r.received) / double(r.expected) : 0.0,
                            r.dropped, r.benchCpuPercent);
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
