#include "reconnectstorm.h"

#include "../server/testsupport.h"

#include "client/realtimeclient.h"
#include "core/json.h"

#include <QElapsedTimer>
#include <QThread>
#include <QUuid>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

namespace cbtest {

namespace {

constexpr const char *orgId = "org-acme";

qint64 nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

double msBetween(qint64 fromNs, qint64 toNs)
{
    return double(toNs - fromNs) / 1e6;
}

int connectNonBlocking(quint16 port)
{
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 &&
        errno != EINPROGRESS) {
        ::close(fd);
        return -1;
    }
    return fd;
}

bool sendAll(int fd, std::string_view data)
{
    while (!data.empty()) {
        const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n > 0) {
            data.remove_prefix(size_t(n));
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            pollfd p{fd, POLLOUT, 0};
            ::poll(&p, 1, 100);
            continue;
        }
        return false;
    }
    return true;
}

/// A masked client text frame (the zero mask leaves the payload as is).
std::string textFrame(std::string_view payload)
{
    std::string frame;
    frame.push_back(char(0x81));
    if (payload.size() < 126) {
        frame.push_back(char(0x80 | payload.size()));
    } else {
        frame.push_back(char(0x80 | 126));
        frame.push_back(char((payload.size() >> 8) & 0xFF));
        frame.push_back(char(payload.size() & 0xFF));
    }
    frame.append(4, '\0');
    frame.append(payload);
    return frame;
}

/// The last `"seq":N` of a frame: an event's own seq comes after its call (sorted keys).
qint64 lastSeqIn(std::string_view text)
{
    const size_t at = text.rfind("\"seq\":");
    if (at == std::string_view::npos)
        return -1;
    qint64 seq = 0;
    size_t i = at + 6;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i)
        seq = seq * 10 + (text[i] - '0');
    return i > at + 6 ? seq : -1;
}

/// Socket.IO clients on raw non-blocking sockets and one epoll thread. Each connects,
/// CONNECTs with the token, joins the org, resyncs by REST, answers pings, follows the
/// seq of call events, and on any loss retries after RealtimeClient's backoff.
class ClientPool
{
public:
    ClientPool(quint16 port, QByteArray token, int count, int rampMs)
        : m_port(port), m_token(std::move(token)), m_clients(size_t(count))
    {
        cb::RealtimeClient::Options options; // the desktop's backoff policy, as shipped
        m_backoff = std::make_unique<cb::RealtimeClient>(options);
        m_epoll = epoll_create1(EPOLL_CLOEXEC);
        const qint64 start = nowNs();
        for (int i = 0; i < count; ++i)
            m_clients[size_t(i)].retryAtNs = start + qint64(rampMs) * 1000000 * i / count;
        m_thread = std::thread([this] { run(); });
    }
    ~ClientPool() { stop(); }
    Q_DISABLE_COPY_MOVE(ClientPool)

    void stop()
    {
        if (!m_thread.joinable())
            return;
        m_stop = true;
        m_thread.join();
        for (Client &c : m_clients) {
            closeFd(c.fd);
            closeFd(c.httpFd);
        }
        ::close(m_epoll);
    }

    /// Clients that are joined and resynced to at least @p seq.
    int countResyncedTo(qint64 seq) const
    {
        std::lock_guard lock(m_mutex);
        int n = 0;
        for (const Client &c : m_clients)
            n += c.state == State::Live && c.resynced && c.seq >= seq ? 1 : 0;
        return n;
    }
    int countLive() const
    {
        std::lock_guard lock(m_mutex);
        int n = 0;
        for (const Client &c : m_clients)
            n += c.state == State::Live ? 1 : 0;
        return n;
    }
    /// From now on failed attempts are counted.
    void markKill()
    {
        std::lock_guard lock(m_mutex);
        m_failedAttempts = 0;
    }
    /// From now on joins and resyncs count as after the restart.
    void markRestart(qint64 atNs)
    {
        std::lock_guard lock(m_mutex);
        m_restartNs = atNs;
    }

    struct Outcome
    {
        int reconnected = 0;
        int resynced = 0;
        int failedAttempts = 0;
        std::vector<double> reconnectMs;
        std::vector<double> resyncMs;
    };
    Outcome outcome(qint64 finalSeq) const
    {
        std::lock_guard lock(m_mutex);
        Outcome out;
        out.failedAttempts = m_failedAttempts;
        for (const Client &c : m_clients) {
            if (c.joinedAtNs > m_restartNs && c.joinedAtNs > 0) {
                ++out.reconnected;
                out.reconnectMs.push_back(msBetween(m_restartNs, c.joinedAtNs));
            }
            if (c.resyncedAtNs > m_restartNs && c.resyncedAtNs > 0 && c.seq >= finalSeq) {
                ++out.resynced;
                out.resyncMs.push_back(msBetween(m_restartNs, c.resyncedAtNs));
            }
        }
        return out;
    }

private:
    enum class State { Waiting, Connecting, Upgrading, Opening, Connected, Joining, Live };
    struct Client
    {
        State state = State::Waiting;
        int fd = -1;
        int httpFd = -1;
        std::string in;
        std::string httpIn;
        bool httpSent = false;
        bool upgraded = false;
        int attempt = 0;
        qint64 retryAtNs = 0;
        qint64 deadlineNs = 0;
        qint64 seq = 0; ///< the highest seq this client holds
        bool resynced = false;
        qint64 joinedAtNs = 0;
        qint64 resyncedAtNs = 0;
    };

    static void closeFd(int &fd)
    {
        if (fd >= 0)
            ::close(fd);
        fd = -1;
    }

    void run()
    {
        std::vector<epoll_event> events(512);
        std::vector<char> buffer(256 * 1024);
        while (!m_stop) {
            const int n = epoll_wait(m_epoll, events.data(), int(events.size()), 5);
            std::lock_guard lock(m_mutex);
            for (int i = 0; i < n; ++i) {
                const quint64 tag = events[size_t(i)].data.u64;
                Client &c = m_clients[size_t(tag >> 1)];
                if (tag & 1)
                    onHttp(c, events[size_t(i)].events, buffer);
                else
                    onSocket(c, events[size_t(i)].events, buffer);
            }
            const qint64 now = nowNs();
            for (Client &c : m_clients) {
                if (c.state == State::Waiting && now >= c.retryAtNs)
                    startAttempt(c);
                else if (c.state != State::Waiting && c.state != State::Live && now >= c.deadlineNs)
                    lost(c);
            }
        }
    }

    quint64 tagOf(const Client &c, bool http) const
    {
        return (quint64(&c - m_clients.data()) << 1) | (http ? 1 : 0);
    }

    void startAttempt(Client &c)
    {
        c.in.clear();
        c.upgraded = false;
        c.fd = connectNonBlocking(m_port);
        if (c.fd < 0) {
            scheduleRetry(c);
            return;
        }
        c.state = State::Connecting;
        c.deadlineNs = nowNs() + 20'000'000'000LL; // RealtimeClient's connect timeout
        epoll_event event{};
        event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
        event.data.u64 = tagOf(c, false);
        epoll_ctl(m_epoll, EPOLL_CTL_ADD, c.fd, &event);
    }

    void scheduleRetry(Client &c)
    {
        c.state = State::Waiting;
        const int delay = m_backoff->backoffDelay(c.attempt);
        ++c.attempt;
        c.retryAtNs = nowNs() + qint64(delay) * 1000000;
    }

    void lost(Client &c)
    {
        if (c.state != State::Live)
            ++m_failedAttempts;
        if (c.fd >= 0)
            epoll_ctl(m_epoll, EPOLL_CTL_DEL, c.fd, nullptr);
        closeFd(c.fd);
        if (c.httpFd >= 0)
            epoll_ctl(m_epoll, EPOLL_CTL_DEL, c.httpFd, nullptr);
        closeFd(c.httpFd);
        c.resynced = false;
        scheduleRetry(c);
    }

    void onSocket(Client &c, quint32 flags, std::vector<char> &buffer)
    {
        if (c.fd < 0)
            return;
        if (c.state == State::Connecting) {
            int error = 0;
            socklen_t length = sizeof error;
            getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &length);
            if (error != 0 || (flags & (EPOLLERR | EPOLLHUP))) {
                lost(c);
                return;
            }
            if (!(flags & EPOLLOUT))
                return;
            epoll_event event{};
            event.events = EPOLLIN | EPOLLRDHUP;
            event.data.u64 = tagOf(c, false);
            epoll_ctl(m_epoll, EPOLL_CTL_MOD, c.fd, &event);
            c.state = State::Upgrading;
            const std::string_view request =
                "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
            if (!sendAll(c.fd, request))
                lost(c);
            return;
        }
        bool closed = (flags & (EPOLLERR | EPOLLHUP)) != 0;
        for (;;) {
            const ssize_t got = ::recv(c.fd, buffer.data(), buffer.size(), 0);
            if (got > 0) {
                c.in.append(buffer.data(), size_t(got));
                continue;
            }
            if (got == 0 || (errno != EAGAIN && errno != EINTR))
                closed = true;
            if (got < 0 && errno == EINTR)
                continue;
            break;
        }
        if (!parseFrames(c) || closed)
            lost(c);
    }

    /// False when the connection must be dropped.
    bool parseFrames(Client &c)
    {
        size_t pos = 0;
        std::string &in = c.in;
        if (!c.upgraded) {
            const size_t end = in.find("\r\n\r\n");
            if (end == std::string::npos)
                return true;
            if (in.rfind("HTTP/1.1 101", 0) != 0)
                return false;
            c.upgraded = true;
            c.state = State::Opening;
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
            const int opcode = d[0] & 0x0F;
            const std::string_view payload(in.data() + pos + header, length);
            pos += header + length;
            if (opcode == 0x8)
                return false;
            if (opcode == 0x1 && !onText(c, payload))
                return false;
        }
        in.erase(0, pos);
        return true;
    }

    bool onText(Client &c, std::string_view text)
    {
        if (text == "2")
            return sendAll(c.fd, textFrame("3"));
        if (c.state == State::Opening && text.rfind("0{", 0) == 0) {
            c.state = State::Connected;
            return sendAll(c.fd, textFrame("40{\"token\":\"" + m_token.toStdString() + "\"}"));
        }
        if (c.state == State::Connected) {
            if (text.rfind("40{", 0) != 0)
                return false; // CONNECT_ERROR: dropped, and tried again after the backoff
            c.state = State::Joining;
            return sendAll(
                c.fd, textFrame(std::string("421[\"org:join\",{\"org_id\":\"") + orgId + "\"}]"));
        }
        if (c.state == State::Joining && text.rfind("431[", 0) == 0) {
            const cb::Json ack = cb::Json::parse(text.substr(3), nullptr, false);
            if (!ack.is_array() || ack.empty() || !ack[0].value("ok", false))
                return false;
            c.state = State::Live;
            c.attempt = 0;
            c.joinedAtNs = nowNs();
            startResync(c);
            return true;
        }
        if (c.state == State::Live && text.rfind("42[\"call:", 0) == 0) {
            // Events are applied only once the resync caught up, as CallSync does.
            const qint64 seq = lastSeqIn(text);
            if (c.resynced && seq > c.seq)
                c.seq = seq;
        }
        return true;
    }

    void startResync(Client &c)
    {
        c.httpIn.clear();
        c.httpFd = connectNonBlocking(m_port);
        if (c.httpFd < 0) {
            lost(c);
            return;
        }
        epoll_event event{};
        event.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP;
        event.data.u64 = tagOf(c, true);
        epoll_ctl(m_epoll, EPOLL_CTL_ADD, c.httpFd, &event);
        c.httpSent = false;
    }

    void onHttp(Client &c, quint32 flags, std::vector<char> &buffer)
    {
        if (c.httpFd < 0)
            return;
        if (!c.httpSent) {
            int error = 0;
            socklen_t length = sizeof error;
            getsockopt(c.httpFd, SOL_SOCKET, SO_ERROR, &error, &length);
            if (error != 0) {
                lost(c);
                return;
            }
            if (!(flags & EPOLLOUT))
                return;
            epoll_event event{};
            event.events = EPOLLIN | EPOLLRDHUP;
            event.data.u64 = tagOf(c, true);
            epoll_ctl(m_epoll, EPOLL_CTL_MOD, c.httpFd, &event);
            c.httpSent = true;
            const std::string request = "GET /api/orgs/" + std::string(orgId) +
                "/calls?since_seq=" + std::to_string(c.seq) +
                " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + m_token.toStdString() +
                "\r\nConnection: close\r\n\r\n";
            if (!sendAll(c.httpFd, request))
                lost(c);
            return;
        }
        bool closed = false;
        for (;;) {
            const ssize_t got = ::recv(c.httpFd, buffer.data(), buffer.size(), 0);
            if (got > 0) {
                c.httpIn.append(buffer.data(), size_t(got));
                continue;
            }
            if (got < 0 && errno == EINTR)
                continue;
            closed = got == 0 || errno != EAGAIN;
            break;
        }
        if (!closed)
            return;
        epoll_ctl(m_epoll, EPOLL_CTL_DEL, c.httpFd, nullptr);
        closeFd(c.httpFd);
        const size_t headEnd = c.httpIn.find("\r\n\r\n");
        if (c.httpIn.rfind("HTTP/1.1 200", 0) != 0 || headEnd == std::string::npos) {
            lost(c);
            return;
        }
        const cb::Json page = cb::Json::parse(c.httpIn.substr(headEnd + 4), nullptr, false);
        c.httpIn.clear();
        if (!page.is_object()) {
            lost(c);
            return;
        }
        qint64 seq = c.seq;
        for (const cb::Json &call : page.value("calls", cb::Json::array()))
            seq = std::max(seq, call.value("seq", qint64(0)));
        seq = std::max(seq, page.value("next_since_seq", qint64(0)));
        c.seq = seq;
        if (page.value("more", false)) {
            startResync(c);
            return;
        }
        c.seq = std::max(c.seq, page.value("last_seq", qint64(0)));
        c.resynced = true;
        c.resyncedAtNs = nowNs();
    }

    quint16 m_port;
    QByteArray m_token;
    std::unique_ptr<cb::RealtimeClient> m_backoff;
    std::vector<Client> m_clients;
    int m_epoll = -1;
    std::thread m_thread;
    std::atomic<bool> m_stop{false};
    mutable std::mutex m_mutex;
    qint64 m_restartNs = 0;
    int m_failedAttempts = 0;
};

/// Asks GET /healthz on a fresh connection every interval, from its own thread.
class HealthProbe
{
public:
    HealthProbe(quint16 port, int intervalMs) : m_port(port), m_intervalMs(intervalMs)
    {
        m_thread = std::thread([this] { run(); });
    }
    ~HealthProbe() { stop(); }
    Q_DISABLE_COPY_MOVE(HealthProbe)

    void stop()
    {
        if (!m_thread.joinable())
            return;
        m_stop = true;
        m_thread.join();
    }

    struct Sample
    {
        qint64 startNs = 0;
        double ms = 0;
        int status = 0;
    };
    std::vector<Sample> samples() const
    {
        std::lock_guard lock(m_mutex);
        return m_samples;
    }

private:
    void run()
    {
        while (!m_stop) {
            const qint64 start = nowNs();
            const int status = probe();
            {
                std::lock_guard lock(m_mutex);
                m_samples.push_back(Sample{start, msBetween(start, nowNs()), status});
            }
            const qint64 next = start + qint64(m_intervalMs) * 1000000;
            while (!m_stop && nowNs() < next)
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }

    int probe() const
    {
        const int fd = connectNonBlocking(m_port);
        if (fd < 0)
            return 0;
        const qint64 deadline = nowNs() + 5'000'000'000LL;
        pollfd p{fd, POLLOUT, 0};
        int status = 0;
        if (::poll(&p, 1, 5000) == 1) {
            int error = 0;
            socklen_t length = sizeof error;
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
            if (error == 0 &&
                sendAll(fd,
                        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")) {
                std::string in;
                char buffer[4096];
                while (nowNs() < deadline) {
                    p = pollfd{fd, POLLIN, 0};
                    if (::poll(&p, 1, 100) <= 0)
                        continue;
                    const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
                    if (got > 0) {
                        in.append(buffer, size_t(got));
                        // The answer is complete once its short body is in.
                        if (in.find("\r\n\r\n") != std::string::npos && in.back() == '}')
                            break;
                        continue;
                    }
                    if (got == 0 || errno != EAGAIN)
                        break;
                }
                if (in.rfind("HTTP/1.1 ", 0) == 0)
                    status = std::atoi(in.c_str() + 9);
            }
        }
        ::close(fd);
        return status;
    }

    quint16 m_port;
    int m_intervalMs;
    std::thread m_thread;
    std::atomic<bool> m_stop{false};
    mutable std::mutex m_mutex;
    std::vector<Sample> m_samples;
};

/// Raises the soft limit on open files to the hard one (the server inherits it); returns it.
rlim_t raiseFileLimit()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return 0;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
    return limit.rlim_cur;
}

int postWebhooks(quint16 port, int count)
{
    const cb::Json base = cb::Json::parse(
        fixture(QStringLiteral("vapi/answered/02-status-update-in-progress.json")).toStdString(),
        nullptr, false);
    int ok = 0;
    for (int i = 0; i < count; ++i) {
        cb::Json body = base;
        body["message"]["call"]["id"] =
            QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString();
        ok += postWebhook(port, "vapi", cb::toBytes(body)).status == 200 ? 1 : 0;
    }
    return ok;
}

qint64 restLastSeq(quint16 port, const QByteArray &token)
{
    const HttpResult r = http(port, "GET", "/api/orgs/org-acme/calls?since_seq=0&limit=1", {},
                              {{"Authorization", "Bearer " + token}});
    return r.status == 200 ? r.json().value("last_seq", qint64(-1)) : -1;
}

bool waitFor(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (!done()) {
        if (clock.elapsed() > timeoutMs)
            return false;
        QThread::msleep(20);
    }
    return true;
}

} // namespace

StormReport runReconnectStorm(const StormOptions &options)
{
    StormReport report;
    report.clients = options.clients;
    // A WebSocket and, while resyncing, a REST connection per client, on both sides.
    if (const rlim_t files = raiseFileLimit(); files < rlim_t(options.clients) * 2 + 200) {
        report.failure = QStringLiteral("the open-file limit (%1) is too low for %2 clients; "
                                        "raise it with ulimit -n")
                             .arg(qulonglong(files))
                             .arg(options.clients);
        return report;
    }
    // Every client is the same demo user: the per-user cap is raised for the storm.
    const QStringList serverArguments{QStringLiteral("--max-ws-per-user"),
                                      QString::number(options.clients * 2)};
    ServerProcess first(QStringList{QStringLiteral("--demo")} + serverArguments);
    QString error;
    if (!first.start(&error)) {
        report.failure = QStringLiteral("the server did not start: ") + error;
        return report;
    }
    const quint16 port = first.port();
    const QByteArray token = first.login(QStringLiteral("viewer@demo"));
    if (token.isEmpty()) {
        report.failure = QStringLiteral("login failed");
        return report;
    }

    ClientPool pool(port, token, options.clients, options.rampMs);
    std::fprintf(stderr, "storm: connecting %d clients to port %u\n", options.clients,
                 unsigned(port));
    if (!waitFor([&] { return pool.countResyncedTo(0) == options.clients; },
                 options.settleTimeoutMs)) {
        report.failure = QStringLiteral("only %1 of %2 clients joined")
                             .arg(pool.countLive())
                             .arg(options.clients);
        return report;
    }
    if (postWebhooks(port, options.webhooksBefore) != options.webhooksBefore) {
        report.failure = QStringLiteral("webhooks before the restart were refused");
        return report;
    }
    const qint64 seqBefore = restLastSeq(port, token);
    if (!waitFor([&] { return pool.countResyncedTo(seqBefore) == options.clients; }, 10000)) {
        report.failure = QStringLiteral("the live events did not reach every client");
        return report;
    }
    report.liveBefore = pool.countLive();
    std::fprintf(stderr, "storm: %d clients live at seq %lld; killing the server\n",
                 report.liveBefore, qlonglong(seqBefore));

    HealthProbe probe(port, options.probeIntervalMs);
    const qint64 killedNs = nowNs();
    pool.markKill();
    first.kill();
    QThread::msleep(ulong(std::max(0, options.downtimeMs)));
    ServerProcess second(
        serverArguments +
            QStringList{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(port)},
        first.dataDir());
    if (!second.start(&error)) {
        report.failure = QStringLiteral("the server did not restart: ") + error;
        return report;
    }
    const qint64 restartedNs = nowNs();
    pool.markRestart(restartedNs);
    report.downMs = msBetween(killedNs, restartedNs);
    std::fprintf(stderr, "storm: server back after %.0f ms\n", report.downMs);
    // Changes the clients missed while they were away.
    if (postWebhooks(port, options.webhooksAfter) != options.webhooksAfter) {
        report.failure = QStringLiteral("webhooks after the restart were refused");
        return report;
    }
    report.finalSeq = restLastSeq(port, token);
    const bool settled =
        waitFor([&] { return pool.countResyncedTo(report.finalSeq) == options.clients; },
                options.settleTimeoutMs);
    // A little more probing once the storm is over.
    QThread::msleep(200);
    probe.stop();
    pool.stop();

    const ClientPool::Outcome outcome = pool.outcome(report.finalSeq);
    report.reconnected = outcome.reconnected;
    report.resynced = outcome.resynced;
    report.refusedAttempts = outcome.failedAttempts;
    report.reconnectMs = outcome.reconnectMs;
    report.resyncMs = outcome.resyncMs;
    for (const HealthProbe::Sample &sample : probe.samples()) {
        if (sample.startNs < restartedNs)
            continue;
        ++report.probes;
        report.probeMs.push_back(sample.ms);
        if (sample.status != 200)
            ++report.probeFailures;
    }
    if (!settled)
        report.failure = QStringLiteral("after the restart %1 of %2 clients reconnected and %3 "
                                        "resynced to seq %4")
                             .arg(report.reconnected)
                             .arg(options.clients)
                             .arg(report.resynced)
                             .arg(report.finalSeq);
    return report;
}

Spread spreadOf(std::vector<double> values)
{
    if (values.empty())
        return {};
    std::sort(values.begin(), values.end());
    const auto at = [&](double p) {
        return values[std::min(values.size() - 1, size_t(p * double(values.size() - 1) + 0.5))];
    };
    return Spread{values.front(), at(0.5), at(0.99), values.back()};
}

void printStormReport(const StormReport &report)
{
    const Spread reconnect = spreadOf(report.reconnectMs);
    const Spread resync = spreadOf(report.resyncMs);
    const Spread probe = spreadOf(report.probeMs);
    std::printf("reconnect storm: %d clients, %d live before the kill, server down %.0f ms\n",
                report.clients, report.liveBefore, report.downMs);
    std::printf("  reconnected %d, resynced %d to seq %lld; %d attempts failed after the kill\n",
                report.reconnected, report.resynced, qlonglong(report.finalSeq),
                report.refusedAttempts);
    std::printf("  rejoined after restart (ms):  first %7.0f  p50 %7.0f  p99 %7.0f  last %7.0f\n",
                reconnect.first, reconnect.p50, reconnect.p99, reconnect.last);
    std::printf("  resynced after restart (ms):  first %7.0f  p50 %7.0f  p99 %7.0f  last %7.0f\n",
                resync.first, resync.p50, resync.p99, resync.last);
    std::printf(
        "  /healthz after the restart: %d probes, %d not 200; latency p50 %.1f ms, p99 %.1f ms, "
        "max %.1f ms\n",
        report.probes, report.probeFailures, probe.p50, probe.p99, probe.last);
    std::fflush(stdout);
}

} // namespace cbtest
