// bench/fanout: one org room with N Socket.IO clients, call events published at a fixed
// rate; delivery latency (publish → client receipt), server CPU and RSS. The same load
// runs against callboard's hub (callboard-hub-harness) and against a stock Node
// socket.io 4.8 server doing the same fan-out, and the ratios are printed.
//
//   bench_fanout [--clients 100,1000] [--rates 100,1000] [--seconds 5] [--servers hub,node]
//                [--client-threads n] [--priority]
//
// --priority (root) runs the bench, both servers and the clients in a scheduling group of
// their own at nice -10: with autogroups, `nice` alone does not help against builds in
// other sessions, and on a shared 2-core machine they would otherwise set the figures.
//
// Three processes per run: the server, this one (the publisher: `POST /emit` with the
// call in the wire shape on one keep-alive connection, paced by a 1 ms timer), and
// bench_fanout_clients (the receivers, raw WebSocket clients on epoll threads). This
// process stamps each seq with CLOCK_MONOTONIC when its request is written and when its
// 2xx is read; the clients stamp each delivery with the same clock when they read it and
// compute the latencies once publishing is over (bench/fanout_clients.cpp).

#include "core/call.h"
#include "core/json.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QProcess>
#include <QTcpSocket>
#include <QTemporaryFile>
#include <QThread>
#include <QTimer>

#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <thread>
#include <vector>

namespace {

qint64 monotonicNs()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
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

double loadAverage()
{
    QFile file(QStringLiteral("/proc/loadavg"));
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    return file.readAll().split(' ').first().toDouble();
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

/// Reads whole lines from a child's stdout until one starts with @p prefix.
QByteArray waitForLine(QProcess &process, QByteArray &buffer, const QByteArray &prefix,
                       int timeoutMs)
{
    QByteArray found;
    waitFor(
        [&] {
            buffer += process.readAllStandardOutput();
            qsizetype newline;
            while ((newline = buffer.indexOf('\n')) >= 0) {
                const QByteArray line = buffer.left(newline);
                buffer.remove(0, newline + 1);
                if (line.startsWith(prefix) || line.startsWith("FAILED")) {
                    found = line;
                    return true;
                }
            }
            return process.state() == QProcess::NotRunning;
        },
        timeoutMs);
    return found;
}

struct Server
{
    QProcess process;
    quint16 port = 0;
};

bool startServer(Server &server, const QString &kind, const QString &harness,
                 const QString &nodeDir)
{
    server.process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    if (kind == u"hub") {
        server.process.start(harness, {});
    } else {
        server.process.setWorkingDirectory(nodeDir);
        server.process.start(QStringLiteral("node"), {QStringLiteral("fanout-node-server.mjs")});
    }
    if (!server.process.waitForStarted(10000))
        return false;
    QByteArray buffer;
    const QByteArray line = waitForLine(server.process, buffer, "PORT ", 15000);
    if (line.isEmpty())
        return false;
    server.port = quint16(line.mid(5).trimmed().toUInt());
    return server.port != 0;
}

void stopProcess(QProcess &process)
{
    if (process.state() == QProcess::NotRunning)
        return;
    process.kill();
    process.waitForFinished(5000);
}

struct Result
{
    double p50 = 0, p99 = 0, p999 = 0, max = 0; ///< from the publish request written, ms
    double ackP50 = 0, ackP99 = 0; ///< from its 2xx read, ms
    double cpuPercent = 0;
    double clientsCpuPercent = 0;
    double rssMb = 0;
    double load = 0;
    qint64 expected = 0, received = 0, outOfOrder = 0;
    int joined = 0, closed = 0;
    bool ok = false;
};

QHash<QByteArray, QByteArray> keyValues(const QByteArray &line)
{
    QHash<QByteArray, QByteArray> out;
    for (const QByteArray &part : line.split(' ')) {
        const qsizetype eq = part.indexOf('=');
        if (eq > 0)
            out.insert(part.left(eq), part.mid(eq + 1));
    }
    return out;
}

cb::Json benchCall()
{
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
    return cb::toJson(call);
}

struct Options
{
    QString harness;
    QString nodeDir;
    QString clientsProgram;
    int seconds = 5;
    int clientThreads = 0;
};

Result runOne(const QString &kind, int clients, int rate, const Options &options)
{
    Result result;
    result.load = loadAverage();
    Server server;
    if (!startServer(server, kind, options.harness, options.nodeDir)) {
        std::fprintf(stderr, "could not start the %s server\n", qPrintable(kind));
        stopProcess(server.process);
        return result;
    }
    const qint64 pid = server.process.processId();
    const qint64 total = qint64(rate) * options.seconds;

    QProcess receivers;
    receivers.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    QStringList args{QStringLiteral("--port"),    QString::number(server.port),
                     QStringLiteral("--clients"), QString::number(clients),
                     QStringLiteral("--events"),  QString::number(total)};
    if (options.clientThreads > 0)
        args << QStringLiteral("--threads") << QString::number(options.clientThreads);
    receivers.start(options.clientsProgram, args);
    QByteArray receiverOut;
    const QByteArray joinedLine = waitForLine(receivers, receiverOut, "JOINED ", 90000);
    if (!joinedLine.startsWith("JOINED ")) {
        std::fprintf(stderr, "the clients did not start: %s\n", joinedLine.constData());
        stopProcess(receivers);
        stopProcess(server.process);
        return result;
    }
    result.joined = joinedLine.split(' ').value(1).toInt();
    if (result.joined < clients)
        std::fprintf(stderr, "only %d of %d clients joined\n", result.joined, clients);
    const qint64 receiversPid = receivers.processId();

    const cb::Json callJson = benchCall();
    std::vector<qint64> sentAt(size_t(total) + 1, 0);
    std::vector<qint64> ackedAt(size_t(total) + 1, 0);

    // The publisher: one keep-alive connection; responses come back in request order.
    QTcpSocket publisher;
    publisher.connectToHost(QHostAddress::LocalHost, server.port);
    publisher.waitForConnected(5000);
    publisher.setSocketOption(QAbstractSocket::LowDelayOption, 1);
    qint64 responses = 0;
    QByteArray responseBuffer;
    QObject::connect(&publisher, &QTcpSocket::readyRead, &publisher, [&] {
        const qint64 now = monotonicNs();
        responseBuffer += publisher.readAll();
        qsizetype at;
        while ((at = responseBuffer.indexOf("{\"ok\":true}")) >= 0) {
            ++responses;
            if (responses <= total)
                ackedAt[size_t(responses)] = now;
            responseBuffer.remove(0, at + 11);
        }
    });

    qint64 seq = 0;
    QElapsedTimer clock;
    const ProcStats before = procStats(pid);
    const ProcStats receiversBefore = procStats(receiversPid);
    const qint64 startNs = monotonicNs();
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
            batch += "POST /emit HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                     "application/json\r\nContent-Length: " +
                QByteArray::number(json.size()) + "\r\n\r\n" + json;
        }
        if (!batch.isEmpty()) {
            // Stamped before the write, so a delivery can never look earlier than its
            // publish.
            const qint64 now = monotonicNs();
            for (qint64 s = seq; s > 0 && sentAt[size_t(s)] == 0; --s)
                sentAt[size_t(s)] = now;
            publisher.write(batch);
            publisher.flush();
        }
        if (seq >= total)
            pacer.stop();
    });
    pacer.start(1);
    waitFor([&] { return seq >= total && responses >= total; }, (options.seconds + 60) * 1000);
    const qint64 publishedNs = monotonicNs();

    QTemporaryFile times;
    times.open();
    const qint64 count = total + 1;
    times.write(reinterpret_cast<const char *>(&count), sizeof count);
    times.write(reinterpret_cast<const char *>(sentAt.data()), qint64(sentAt.size()) * 8);
    times.write(reinterpret_cast<const char *>(ackedAt.data()), qint64(ackedAt.size()) * 8);
    times.flush();
    result.expected = total * clients;
    receivers.write("REPORT " + times.fileName().toLocal8Bit() + ' ' +
                    QByteArray::number(total * result.joined) + '\n');
    receivers.waitForBytesWritten(5000);
    const QByteArray resultLine = waitForLine(receivers, receiverOut, "RESULT ", 180000);
    const ProcStats after = procStats(pid);
    const ProcStats receiversAfter = procStats(receiversPid);
    const auto values = keyValues(resultLine);
    // CPU over publishing and delivery: up to the last receipt (the clients wait a while
    // for more before they give up; the servers are idle then).
    const qint64 lastReceiptNs = values.value("last_receipt_ns").toLongLong();
    const double wall = double(std::max(lastReceiptNs, publishedNs) - startNs) / 1e9;

    result.received = values.value("deliveries").toLongLong();
    result.closed = values.value("closed").toInt();
    result.outOfOrder = values.value("out_of_order").toLongLong();
    result.p50 = values.value("sent_p50").toDouble();
    result.p99 = values.value("sent_p99").toDouble();
    result.p999 = values.value("sent_p999").toDouble();
    result.max = values.value("sent_max").toDouble();
    result.ackP50 = values.value("ack_p50").toDouble();
    result.ackP99 = values.value("ack_p99").toDouble();
    result.cpuPercent = 100.0 * (after.cpuSeconds - before.cpuSeconds) / wall;
    result.clientsCpuPercent =
        100.0 * (receiversAfter.cpuSeconds - receiversBefore.cpuSeconds) / wall;
    result.rssMb = double(after.peakRssKb) / 1024.0;
    result.ok = resultLine.startsWith("RESULT ");
    if (!result.ok)
        std::fprintf(stderr, "no result from the clients: %s\n", resultLine.constData());

    receivers.closeWriteChannel();
    receivers.waitForFinished(5000);
    stopProcess(receivers);
    stopProcess(server.process);
    return result;
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
    const QCommandLineOption threadsOption(
        QStringLiteral("client-threads"),
        QStringLiteral("receiving threads in bench_fanout_clients (0: one per core)"),
        QStringLiteral("n"), QStringLiteral("0"));
    const QCommandLineOption priorityOption(
        QStringLiteral("priority"),
        QStringLiteral("run in an autogroup of its own at nice -10 (needs root)"));
    parser.addOptions(
        {clientsOption, ratesOption, secondsOption, serversOption, threadsOption, priorityOption});
    parser.process(app);
    if (parser.isSet(priorityOption)) {
        setsid(); // a new session is a new autogroup (fails harmlessly for a group leader)
        QFile group(QStringLiteral("/proc/self/autogroup"));
        const bool grouped = group.open(QIODevice::WriteOnly) && group.write("-10") > 0;
        const bool niced = setpriority(PRIO_PROCESS, 0, -10) == 0;
        if (!grouped || !niced)
            std::fprintf(stderr, "--priority: could not raise the priority (not root?)\n");
    }

    Options options;
    options.harness = QStringLiteral(CALLBOARD_HUB_HARNESS);
    options.nodeDir = QStringLiteral(CALLBOARD_FANOUT_NODE_DIR);
    options.clientsProgram = QStringLiteral(CALLBOARD_FANOUT_CLIENTS);
    options.seconds = parser.value(secondsOption).toInt();
    options.clientThreads = parser.value(threadsOption).toInt();
    const QStringList servers = parser.value(serversOption).split(u',', Qt::SkipEmptyParts);
    if (servers.contains(QStringLiteral("node")) &&
        !QDir(options.nodeDir + QStringLiteral("/node_modules/socket.io")).exists()) {
        std::printf("installing socket.io into %s\n", qPrintable(options.nodeDir));
        QProcess npm;
        npm.setWorkingDirectory(options.nodeDir);
        npm.start(QStringLiteral("npm"),
                  {QStringLiteral("install"), QStringLiteral("--no-audit"),
                   QStringLiteral("--no-fund"), QStringLiteral("--loglevel=error")});
        npm.waitForFinished(300000);
    }

    std::printf("fan-out to one org room, %d s per run; latency = publish request written -> "
                "client has read the frame (CLOCK_MONOTONIC in both processes); "
                "\"2xx p99\" counts from the publish response instead; load = 1-min load "
                "average before the run (%d cores)%s\n",
                options.seconds, int(std::thread::hardware_concurrency()),
                parser.isSet(priorityOption) ? "; own autogroup at nice -10" : "");
    std::printf("%-6s %7s %6s %8s %8s %8s %8s %8s %10s %6s %6s %8s %7s %5s\n", "server", "clients",
                "ev/s", "p50 ms", "p99 ms", "p99.9", "max ms", "2xx p99", "delivered", "closed",
                "cpu %", "rss MB", "clnt %", "load");
    for (const int clients : intList(parser.value(clientsOption))) {
        for (const int rate : intList(parser.value(ratesOption))) {
            QHash<QString, Result> results;
            for (const QString &kind : servers) {
                const Result r = runOne(kind, clients, rate, options);
                results.insert(kind, r);
                std::printf(
                    "%-6s %7d %6d %8.2f %8.2f %8.2f %8.2f %8.2f %9.1f%% %6d %6.0f %8.1f %7.0f "
                    "%5.1f%s\n",
                    qPrintable(kind), clients, rate, r.p50, r.p99, r.p999, r.max, r.ackP99,
                    r.expected ? 100.0 * double(r.received) / double(r.expected) : 0.0, r.closed,
                    r.cpuPercent, r.rssMb, r.clientsCpuPercent, r.load,
                    r.outOfOrder > 0 ? "  (out of seq order!)" : "");
                std::fflush(stdout);
            }
            if (results.contains(QStringLiteral("hub")) &&
                results.contains(QStringLiteral("node"))) {
                const Result &hub = results[QStringLiteral("hub")];
                const Result &node = results[QStringLiteral("node")];
                std::printf("       node/hub: p50 %.1fx, p99 %.1fx, cpu %.1fx, rss %.1fx\n",
                            hub.p50 > 0 ? node.p50 / hub.p50 : 0.0,
                            hub.p99 > 0 ? node.p99 / hub.p99 : 0.0,
                            hub.cpuPercent > 0 ? node.cpuPercent / hub.cpuPercent : 0.0,
                            hub.rssMb > 0 ? node.rssMb / hub.rssMb : 0.0);
                std::fflush(stdout);
            }
        }
    }
    return 0;
}
