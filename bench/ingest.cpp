// Webhook ingest benchmark: durable acknowledgements per second and ack latency at
// 1, 8 and 64 concurrent keep-alive senders against a real callboard-server.
//
// bench_ingest [--seconds N] [--sync full|normal] [--provider bolna|retell] [--port P]
// Without --port it starts build/bin/callboard-server on a fresh SQLite store.

#include "core/json.h"
#include "core/webhookauth.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

#include <unistd.h>

namespace {

/// One keep-alive connection posting webhooks back to back.
class Sender final : public QObject
{
public:
    Sender(quint16 port, int index, QByteArray provider, std::vector<double> *latencies,
           int *errors)
        : m_index(index), m_provider(std::move(provider)), m_latencies(latencies), m_errors(errors)
    {
        m_socket.setSocketOption(QAbstractSocket::LowDelayOption, 1);
        connect(&m_socket, &QTcpSocket::connected, this, &Sender::sendNext);
        connect(&m_socket, &QTcpSocket::readyRead, this, &Sender::onReadyRead);
        m_socket.connectToHost(QStringLiteral("127.0.0.1"), port);
    }

    void stop() { m_stopping = true; }
    bool idle() const { return !m_inFlight; }

private:
    void sendNext()
    {
        if (m_stopping) {
            m_inFlight = false;
            return;
        }
        static const char *const statuses[] = {"initiated", "ringing", "in-progress",
                                               "call-disconnected", "completed"};
        const int call = m_sequence / 5;
        const char *status = statuses[m_sequence % 5];
        ++m_sequence;
        QByteArray body;
        QByteArray path;
        QByteArray auth;
        const QByteArray id =
            "bench-" + QByteArray::number(m_index) + '-' + QByteArray::number(call);
        if (m_provider == "retell") {
            static const char *const events[] = {"call_started", "call_started", "call_started",
                                                 "call_ended", "call_analyzed"};
            cb::Json j = {{"event", events[(m_sequence - 1) % 5]},
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
            cb::Json j = {{"id", id.toStdString()},
                          {"agent_id", "bench-bolna-agent"},
                          {"status", status},
                          {"created_at", "2026-01-28T13:17:50.116924"},
                          {"conversation_duration", m_sequence % 5 == 0 ? 42.5 : 0.0},
                          {"telephony_data",
                           {{"to_number", "+14155550123"},
                            {"from_number", "+14155550100"},
                            {"call_type", "outbound"},
                            {"hangup_reason", "Call recipient hungup"}}}};
            body = cb::toBytes(j);
            path = "/api/webhooks/bolna/call-status";
            auth = "x-callboard-token: bench-secret";
        }
        QByteArray request = "POST " + path +
            " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" + auth +
            "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
        m_inFlight = true;
        m_clock.start();
        m_socket.write(request);
        m_socket.flush();
    }

    void onReadyRead()
    {
        m_buffer += m_socket.readAll();
        for (;;) {
            const qsizetype headEnd = m_buffer.indexOf("\r\n\r\n");
            if (headEnd < 0)
                return;
            const qsizetype lengthAt = m_buffer.indexOf("Content-Length: ");
            const qint64 length = lengthAt >= 0 && lengthAt < headEnd
                ? m_buffer.mid(lengthAt + 16, m_buffer.indexOf("\r\n", lengthAt) - lengthAt - 16)
                      .toLongLong()
                : 0;
            if (m_buffer.size() < headEnd + 4 + length)
                return;
            const bool ok = m_buffer.startsWith("HTTP/1.1 200");
            m_buffer.remove(0, headEnd + 4 + length);
            if (ok)
                m_latencies->push_back(double(m_clock.nsecsElapsed()) / 1e6);
            else
                ++*m_errors;
            sendNext();
        }
    }

    QTcpSocket m_socket;
    QByteArray m_buffer;
    QElapsedTimer m_clock;
    int m_index = 0;
    int m_sequence = 0;
    QByteArray m_provider;
    std::vector<double> *m_latencies;
    int *m_errors;
    bool m_stopping = false;
    bool m_inFlight = false;
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
    std::printf("%8s %10s %10s %9s %9s %9s %7s %14s\n", "senders", "acks", "acks/s", "p50 ms",
                "p99 ms", "max ms", "errors", "server cpu/ack");
    int senderBase = 0;
    for (int level : std::as_const(levels)) {
        std::vector<double> latencies;
        latencies.reserve(200000);
        int errors = 0;
        std::vector<std::unique_ptr<Sender>> senders;
        for (int i = 0; i < level; ++i)
            senders.push_back(
                std::make_unique<Sender>(port, senderBase + i, provider, &latencies, &errors));
        senderBase += level;
        // Warm up for half a second, then measure.
        QElapsedTimer warm;
        warm.start();
        while (warm.elapsed() < 500)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        latencies.clear();
        errors = 0;
        const double cpuBefore = cpuMs(server.processId());
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < seconds * 1000)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        const double elapsed = double(clock.nsecsElapsed()) / 1e9;
        const std::vector<double> measured = latencies;
        const double cpuUsed = cpuMs(server.processId()) - cpuBefore;
        for (auto &sender : senders)
            sender->stop();
        QElapsedTimer drain;
        drain.start();
        while (
            drain.elapsed() < 5000 &&
            !std::all_of(senders.begin(), senders.end(), [](const auto &s) { return s->idle(); }))
            QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        std::printf("%8d %10zu %10.0f %9.2f %9.2f %9.2f %7d %11.0f us\n", level, measured.size(),
                    double(measured.size()) / elapsed, percentile(measured, 0.50),
                    percentile(measured, 0.99),
                    measured.empty() ? 0.0 : *std::max_element(measured.begin(), measured.end()),
                    errors, measured.empty() ? 0.0 : cpuUsed * 1000.0 / double(measured.size()));
        std::fflush(stdout);
    }
    server.terminate();
    server.waitForFinished(10000);
    return 0;
}
