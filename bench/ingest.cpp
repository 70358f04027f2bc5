// Webhook ingest benchmark: durable acknowledgements per second and ack latency at
// 1, 8 and 64 concurrent keep-alive senders against a real callboard-server.
//
// bench_ingest [--seconds N] [--sync full|normal] [--provider bolna|retell] [--levels 1,8,64]
// Without --port it starts build/bin/callboard-server on a fresh SQLite store.

#include "core/json.h"
#include "core/webhookauth.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

/// The next webhook a sender posts: five distinct status changes per call, each a real
/// change that takes a seq.
QByteArray nextRequest(const QByteArray &provider, int index, int sequence)
{
    static const char *const statuses[] = {"initiated", "ringing", "in-progress",
                                           "call-disconnected", "completed"};
    const int call = sequence / 5;
    const QByteArray id = "bench-" + QByteArray::number(index) + '-' + QByteArray::number(call);
    QByteArray body;
    QByteArray path;
    QByteArray auth;
    if (provider == "retell") {
        static const char *const events[] = {"call_started", "call_started", "call_started",
                                             "call_ended", "call_analyzed"};
        cb::Json j = {{"event", events[sequence % 5]},
                      {"call",
                       {{"call_id", id.toStdString()},
                        {"agent_id", "bench-retell-agent"},
                        {"call_status", "ongoing"},
                        {"direction", "outbound"},
                        {"from_number", "+14155550100"},
                        {"to_number", "+14155550123"},
                        {"start_timestamp", 1770134651539LL},
                        {"disconnection_reason", "user_hangup"}}}};
        body = cb::toBytes(j);
        path = "/api/webhooks/retell";
        auth = "x-retell-signature: " +
            cb::signRetell(body, "bench-retell-key", QDateTime::currentDateTimeUtc());
    } else {
        char buffer[512];
        const int n = std::snprintf(
            buffer, sizeof buffer,
            R"({"id":"%s","agent_id":"bench-bolna-agent","status":"%s",)"
            R"("created_at":"2026-01-28T13:17:50.116924","conversation_duration":%s,)"
            R"("telephony_data":{"to_number":"+14155550123","from_number":"+14155550100",)"
            R"("call_type":"outbound","hangup_reason":"Call recipient hungup"}})",
            id.constData(), statuses[sequence % 5], sequence % 5 == 4 ? "42.5" : "0.0");
        body = QByteArray(buffer, n);
        path = "/api/webhooks/bolna/call-status";
        auth = "x-callboard-token: bench-secret";
    }
    return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
        auth + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

/// Keep-alive connections posting webhooks back to back, each sending its next request
/// when the previous one is answered. Plain non-blocking sockets on one epoll loop, so the
/// load generator takes as little as possible of the cores it shares with the server.
class Load
{
public:
    Load(quint16 port, int count, int firstIndex, QByteArray provider)
        : m_provider(std::move(provider)), m_epoll(epoll_create1(EPOLL_CLOEXEC))
    {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        m_senders.resize(size_t(count));
        for (int i = 0; i < count; ++i) {
            Sender &s = m_senders[size_t(i)];
            s.index = firstIndex + i;
            s.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            const int one = 1;
            setsockopt(s.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            if (::connect(s.fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
                std::perror("connect");
                std::exit(1);
            }
            fcntl(s.fd, F_SETFL, fcntl(s.fd, F_GETFL) | O_NONBLOCK);
            epoll_event event{};
            event.events = EPOLLIN;
            event.data.u32 = quint32(i);
            epoll_ctl(m_epoll, EPOLL_CTL_ADD, s.fd, &event);
        }
    }

    ~Load()
    {
        for (const Sender &s : m_senders)
            close(s.fd);
        close(m_epoll);
    }

    /// Runs for @p ms; when @p record, collects the ack latencies of that time.
    void run(int ms, bool record)
    {
        m_record = record;
        for (Sender &s : m_senders) {
            if (!s.inFlight)
                send(s);
        }
        QElapsedTimer clock;
        clock.start();
        epoll_event events[128];
        while (clock.elapsed() < ms) {
            const int n = epoll_wait(m_epoll, events, 128, 50);
            for (int i = 0; i < n; ++i)
                receive(m_senders[events[i].data.u32]);
        }
    }

    /// Lets the requests in flight finish without sending more.
    void drain()
    {
        m_stopping = true;
        QElapsedTimer clock;
        clock.start();
        epoll_event events[128];
        while (clock.elapsed() < 5000 &&
               std::any_of(m_senders.begin(), m_senders.end(),
                           [](const Sender &s) { return s.inFlight; })) {
            const int n = epoll_wait(m_epoll, events, 128, 50);
            for (int i = 0; i < n; ++i)
                receive(m_senders[events[i].data.u32]);
        }
    }

    std::vector<double> latencies;
    int errors = 0;

private:
    struct Sender
    {
        int fd = -1;
        int index = 0;
        int sequence = 0;
        bool inFlight = false;
        QElapsedTimer clock;
        QByteArray input;
    };

    void send(Sender &s)
    {
        if (m_stopping) {
            s.inFlight = false;
            return;
        }
        const QByteArray request = nextRequest(m_provider, s.index, s.sequence++);
        s.inFlight = true;
        s.clock.start();
        qsizetype written = 0;
        while (written < request.size()) {
            const ssize_t n =
                ::write(s.fd, request.constData() + written, size_t(request.size() - written));
            if (n > 0) {
                written += n;
            } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
                ++errors;
                s.inFlight = false;
                return;
            }
        }
    }

    void receive(Sender &s)
    {
        char buffer[16384];
        for (;;) {
            const ssize_t n = ::read(s.fd, buffer, sizeof buffer);
            if (n > 0) {
                s.input.append(buffer, n);
                continue;
            }
            if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                ++errors;
                s.inFlight = false;
                epoll_ctl(m_epoll, EPOLL_CTL_DEL, s.fd, nullptr);
                return;
            }
            if (errno == EAGAIN)
                break;
        }
        for (;;) {
            const qsizetype headEnd = s.input.indexOf("\r\n\r\n");
            if (headEnd < 0)
                return;
            const qsizetype lengthAt = s.input.indexOf("Content-Length: ");
            const qint64 length = lengthAt >= 0 && lengthAt < headEnd
                ? s.input.mid(lengthAt + 16, s.input.indexOf("\r\n", lengthAt) - lengthAt - 16)
                      .toLongLong()
                : 0;
            if (s.input.size() < headEnd + 4 + length)
                return;
            const bool ok = s.input.startsWith("HTTP/1.1 200");
            s.input.remove(0, headEnd + 4 + length);
            if (!ok)
                ++errors;
            else if (m_record)
                latencies.push_back(double(s.clock.nsecsElapsed()) / 1e6);
            send(s);
        }
    }

    QByteArray m_provider;
    int m_epoll = -1;
    std::vector<Sender> m_senders;
    bool m_record = false;
    bool m_stopping = false;
};

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const size_t index = std::min(values.size() - 1, size_t(p * double(values.size())));
    return values[index];
}

int admin(const QString &dataDir, const QStringList &arguments)
{
    QProcess process;
    process.setStandardOutputFile(QProcess::nullDevice());
    process.start(QStringLiteral(CALLBOARD_SERVER_BIN),
                  QStringList{QStringLiteral("admin")} + arguments +
                      QStringList{QStringLiteral("--data"), dataDir});
    process.waitForFinished(30000);
    return process.exitCode();
}

/// CPU time (user + system) the process has used, in milliseconds.
double cpuMs(qint64 pid)
{
    QFile file(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray stat = file.readAll();
    const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
    const double ticks = fields.value(11).toDouble() + fields.value(12).toDouble();
    return ticks * 1000.0 / double(sysconf(_SC_CLK_TCK));
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Webhook ingest benchmark"));
    parser.addHelpOption();
    parser.addOptions(
        {{QStringLiteral("seconds"), QStringLiteral("Seconds per level (default 5)."),
          QStringLiteral("n")},
         {QStringLiteral("sync"), QStringLiteral("SQLite synchronous: full or normal."),
          QStringLiteral("mode")},
         {QStringLiteral("provider"), QStringLiteral("bolna (token) or retell (HMAC)."),
          QStringLiteral("p")},
         {QStringLiteral("levels"),
          QStringLiteral("Comma-separated sender counts (default 1,8,64)."),
          QStringLiteral("list")}});
    parser.process(app);
    const int seconds = parser.value(QStringLiteral("seconds")).isEmpty()
        ? 5
        : parser.value(QStringLiteral("seconds")).toInt();
    const QString sync = parser.value(QStringLiteral("sync")).isEmpty()
        ? QStringLiteral("full")
        : parser.value(QStringLiteral("sync"));
    const QByteArray provider = parser.value(QStringLiteral("provider")).isEmpty()
        ? QByteArray("bolna")
        : parser.value(QStringLiteral("provider")).toLatin1();
    QList<int> levels{1, 8, 64};
    if (!parser.value(QStringLiteral("levels")).isEmpty()) {
        levels.clear();
        for (const QString &level : parser.value(QStringLiteral("levels")).split(u','))
            levels.append(level.toInt());
    }

    QTemporaryDir dir;
    const QString data = dir.path();
    admin(data,
          {QStringLiteral("create-org"), QStringLiteral("--name"), QStringLiteral("Bench"),
           QStringLiteral("--id"), QStringLiteral("bench")});
    admin(data,
          {QStringLiteral("set-provider"), QStringLiteral("--org"), QStringLiteral("bench"),
           QStringLiteral("--provider"), QStringLiteral("bolna"),
           QStringLiteral("--webhook-secret"), QStringLiteral("bench-secret")});
    admin(data,
          {QStringLiteral("set-provider"), QStringLiteral("--org"), QStringLiteral("bench"),
           QStringLiteral("--provider"), QStringLiteral("retell"),
           QStringLiteral("--webhook-secret"), QStringLiteral("bench-retell-key")});
    for (const char *p : {"bolna", "retell"})
        admin(data,
              {QStringLiteral("create-agent"), QStringLiteral("--org"), QStringLiteral("bench"),
               QStringLiteral("--provider"), QString::fromLatin1(p),
               QStringLiteral("--provider-agent-id"),
               QStringLiteral("bench-%1-agent").arg(QLatin1StringView(p))});

    QProcess server;
    server.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    server.start(QStringLiteral(CALLBOARD_SERVER_BIN),
                 {QStringLiteral("--data"), data, QStringLiteral("--listen"),
                  QStringLiteral("127.0.0.1:0"), QStringLiteral("--sqlite-sync"), sync});
    QByteArray out;
    while (!out.contains('\n') && server.waitForReadyRead(10000))
        out += server.readAllStandardOutput();
    const quint16 port = quint16(out.mid(out.lastIndexOf(':') + 1).trimmed().toUInt());
    if (port == 0) {
        std::fprintf(stderr, "the server did not start\n");
        return 1;
    }
    std::printf(
        "callboard-server ingest: SQLite synchronous=%s, provider %s, %d s per level, %d cores\n",
        qPrintable(sync.toUpper()), provider.constData(), seconds, QThread::idealThreadCount());
    std::printf("%8s %10s %10s %9s %9s %9s %7s %14s %14s\n", "senders", "acks", "acks/s", "p50 ms",
                "p99 ms", "max ms", "errors", "server cpu/ack", "load cpu/ack");
    int senderBase = 0;
    for (int level : std::as_const(levels)) {
        Load load(port, level, senderBase, provider);
        senderBase += level;
        load.latencies.reserve(200000);
        load.run(500, false); // warm-up
        load.errors = 0;
        const double serverBefore = cpuMs(server.processId());
        const double selfBefore = cpuMs(QCoreApplication::applicationPid());
        QElapsedTimer clock;
        clock.start();
        load.run(seconds * 1000, true);
        const double elapsed = double(clock.nsecsElapsed()) / 1e9;
        const double serverUsed = cpuMs(server.processId()) - serverBefore;
        const double selfUsed = cpuMs(QCoreApplication::applicationPid()) - selfBefore;
        const std::vector<double> &measured = load.latencies;
        const int errors = load.errors;
        load.drain();
        const double perAck = measured.empty() ? 0.0 : 1000.0 / double(measured.size());
        std::printf("%8d %10zu %10.0f %9.2f %9.2f %9.2f %7d %11.0f us %11.0f us\n", level,
                    measured.size(), double(measured.size()) / elapsed, percentile(measured, 0.50),
                    percentile(measured, 0.99),
                    measured.empty() ? 0.0 : *std::max_element(measured.begin(), measured.end()),
                    errors, serverUsed * perAck, selfUsed * perAck);
        std::fflush(stdout);
    }
    server.terminate();
    server.waitForFinished(10000);
    return 0;
}
