// bench/fanout_clients: the receiving side of bench_fanout, in a process of its own so
// that reading a million frames a second never competes with the code that publishes
// and measures. Plain POSIX: non-blocking sockets spread over a few epoll threads, the
// WebSocket handshake, Engine.IO open, Socket.IO CONNECT with a token and `org:join`,
// then per frame only its header and the event's `seq` (no JSON parsing, no event loop).
//
//   bench_fanout_clients --port P --clients N [--threads T] [--token tok-acme] [--org acme]
//                        [--events E]
//
// Talks to its parent over stdin/stdout, one line each:
//   out  JOINED <joined> <clients>          once every client has its join ack (or gave up)
//   in   REPORT <times-file> <expected>     publishing is over; <times-file> holds, per
//                                           seq, when it was published (see below)
//   out  RESULT key=value ...               after the last expected delivery (or a quiet
//                                           spell); the process exits when stdin closes
// Every delivery's receipt time is CLOCK_MONOTONIC, the clock the parent stamps the
// publish times with (same machine), taken right after the recv() that read it. The
// times file is native-endian int64: the count n, then n publish-request-written times,
// then n 2xx-received times (index = seq; 0 where unknown).

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

int64_t monotonicNs()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

/// One delivery: the event's seq and when it was read, in µs after the process started.
struct Delivery
{
    uint32_t seq;
    uint32_t atUs;
};

constexpr size_t connBufferBytes = 32 * 1024;

struct Conn
{
    int fd = -1;
    std::unique_ptr<char[]> buffer;
    size_t capacity = 0;
    size_t length = 0;
    bool upgraded = false;
    bool joined = false;
    bool closed = false;
    uint32_t lastSeq = 0;
};

struct Config
{
    int port = 0;
    int clients = 100;
    int threads = 0;
    std::string token = "tok-acme";
    std::string org = "acme";
    int64_t events = 0;
};

bool sendAll(int fd, const char *data, size_t size)
{
    while (size > 0) {
        const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            // Only a few small frames are ever sent; the kernel takes them unless the
            // server stopped reading, and then waiting a little is all one can do.
            usleep(100);
            continue;
        }
        if (n <= 0)
            return false;
        data += n;
        size -= size_t(n);
    }
    return true;
}

/// A masked text frame (a zero key leaves the payload as is, which RFC 6455 allows).
bool sendText(int fd, std::string_view payload)
{
    std::string frame;
    frame.push_back(char(0x81));
    if (payload.size() < 126) {
        frame.push_back(char(0x80 | payload.size()));
    } else {
        frame.push_back(char(0x80 | 126));
        frame.push_back(char(payload.size() >> 8));
        frame.push_back(char(payload.size() & 0xFF));
    }
    frame.append(4, '\0');
    frame.append(payload);
    return sendAll(fd, frame.data(), frame.size());
}

/// The seq of a `call:*` event: the number after the last `"seq":` (callboard sorts the
/// keys so the event's own seq comes last; the Node server's last one is call.seq, which
/// the bench sets to the same value).
uint32_t eventSeq(std::string_view text)
{
    const size_t at = text.rfind("\"seq\":");
    if (at == std::string_view::npos)
        return 0;
    uint64_t seq = 0;
    for (size_t i = at + 6; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i)
        seq = seq * 10 + uint64_t(text[i] - '0');
    return seq > UINT32_MAX ? 0 : uint32_t(seq);
}

/// The clients one thread owns, and what they received.
class Worker
{
public:
    Worker(const Config &config, int64_t startNs) : m_config(config), m_startNs(startNs) { }

    bool add(int fd)
    {
        auto conn = std::make_unique<Conn>();
        conn->fd = fd;
        conn->capacity = connBufferBytes;
        conn->buffer = std::make_unique<char[]>(conn->capacity);
        epoll_event event{};
        event.events = EPOLLIN | EPOLLRDHUP;
        event.data.ptr = conn.get();
        if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &event) != 0)
            return false;
        m_conns.push_back(std::move(conn));
        return true;
    }

    void reserve(size_t deliveries) { m_deliveries.reserve(deliveries); }
    void start()
    {
        m_thread = std::thread([this] { run(); });
    }
    void stop()
    {
        m_stop.store(true);
        if (m_thread.joinable())
            m_thread.join();
    }

    bool init()
    {
        m_epoll = epoll_create1(EPOLL_CLOEXEC);
        return m_epoll >= 0;
    }

    ~Worker()
    {
        stop();
        for (auto &conn : m_conns)
            ::close(conn->fd);
        if (m_epoll >= 0)
            ::close(m_epoll);
    }

    std::atomic<int> joined{0};
    std::atomic<int> closed{0};
    std::atomic<int64_t> received{0};
    std::atomic<int64_t> lastReceiptNs{0};
    int64_t outOfOrder = 0;
    int64_t otherEvents = 0;
    const std::vector<Delivery> &deliveries() const { return m_deliveries; }

private:
    void run()
    {
        std::vector<epoll_event> events(512);
        while (!m_stop.load(std::memory_order_relaxed)) {
            const int n = epoll_wait(m_epoll, events.data(), int(events.size()), 20);
            for (int i = 0; i < n; ++i)
                readFrom(*static_cast<Conn *>(events[i].data.ptr));
        }
    }

    void readFrom(Conn &conn)
    {
        if (conn.closed)
            return;
        if (conn.capacity - conn.length < 4096) {
            // A frame larger than the buffer: grow it (the receipt is still timed below).
            const size_t capacity = conn.capacity * 2;
            auto buffer = std::make_unique<char[]>(capacity);
            std::memcpy(buffer.get(), conn.buffer.get(), conn.length);
            conn.buffer = std::move(buffer);
            conn.capacity = capacity;
        }
        const ssize_t got =
            ::recv(conn.fd, conn.buffer.get() + conn.length, conn.capacity - conn.length, 0);
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return;
        if (got <= 0) {
            conn.closed = true;
            closed.fetch_add(1, std::memory_order_relaxed);
            epoll_ctl(m_epoll, EPOLL_CTL_DEL, conn.fd, nullptr);
            return;
        }
        const int64_t now = monotonicNs();
        conn.length += size_t(got);
        parse(conn, now);
    }

    void parse(Conn &conn, int64_t now)
    {
        const char *data = conn.buffer.get();
        size_t pos = 0;
        if (!conn.upgraded) {
            const std::string_view head(data, conn.length);
            const size_t end = head.find("\r\n\r\n");
            if (end == std::string_view::npos)
                return;
            if (head.rfind("HTTP/1.1 101", 0) != 0) {
                std::fprintf(stderr, "upgrade refused: %.*s\n", int(std::min<size_t>(end, 200)),
                             data);
                conn.closed = true;
                closed.fetch_add(1, std::memory_order_relaxed);
                epoll_ctl(m_epoll, EPOLL_CTL_DEL, conn.fd, nullptr);
                return;
            }
            conn.upgraded = true;
            pos = end + 4;
        }
        int64_t delivered = 0;
        while (conn.length - pos >= 2) {
            const auto *d = reinterpret_cast<const unsigned char *>(data + pos);
            uint64_t length = d[1] & 0x7F;
            size_t header = 2;
            if (length == 126) {
                if (conn.length - pos < 4)
                    break;
                length = (uint64_t(d[2]) << 8) | d[3];
                header = 4;
            } else if (length == 127) {
                if (conn.length - pos < 10)
                    break;
                length = 0;
                for (int i = 0; i < 8; ++i)
                    length = (length << 8) | d[2 + i];
                header = 10;
            }
            if (conn.length - pos < header + length) {
                if (header + length > conn.capacity)
                    grow(conn, header + length + pos);
                break;
            }
            if ((d[0] & 0x0F) == 0x1)
                delivered +=
                    onText(conn, std::string_view(data + pos + header, size_t(length)), now);
            pos += header + size_t(length);
        }
        if (pos > 0) {
            conn.length -= pos;
            std::memmove(conn.buffer.get(), conn.buffer.get() + pos, conn.length);
        }
        if (delivered > 0) {
            received.fetch_add(delivered, std::memory_order_relaxed);
            lastReceiptNs.store(now, std::memory_order_relaxed);
        }
    }

    static void grow(Conn &conn, size_t needed)
    {
        size_t capacity = conn.capacity;
        while (capacity < needed)
            capacity *= 2;
        auto buffer = std::make_unique<char[]>(capacity);
        std::memcpy(buffer.get(), conn.buffer.get(), conn.length);
        conn.buffer = std::move(buffer);
        conn.capacity = capacity;
    }

    int onText(Conn &conn, std::string_view text, int64_t now)
    {
        if (text.size() > 8 && text.substr(0, 8) == "42[\"call") {
            const uint32_t seq = eventSeq(text);
            if (seq <= conn.lastSeq)
                ++outOfOrder;
            conn.lastSeq = std::max(conn.lastSeq, seq);
            m_deliveries.push_back(Delivery{seq, uint32_t((now - m_startNs) / 1000)});
            return 1;
        }
        if (text == "2") {
            sendText(conn.fd, "3");
        } else if (text.rfind("0{", 0) == 0) {
            sendText(conn.fd, "40{\"token\":\"" + m_config.token + "\"}");
        } else if (text.rfind("40{", 0) == 0) {
            sendText(conn.fd, "421[\"org:join\",{\"org_id\":\"" + m_config.org + "\"}]");
        } else if (text.rfind("431[", 0) == 0) {
            if (!conn.joined && text.find("\"ok\":true") != std::string_view::npos) {
                conn.joined = true;
                joined.fetch_add(1, std::memory_order_relaxed);
            } else if (!conn.joined) {
                std::fprintf(stderr, "join refused: %.*s\n", int(text.size()), text.data());
            }
        } else if (text.rfind("44", 0) == 0) {
            std::fprintf(stderr, "connect refused: %.*s\n", int(text.size()), text.data());
        } else {
            ++otherEvents;
        }
        return 0;
    }

    const Config &m_config;
    int64_t m_startNs;
    int m_epoll = -1;
    std::vector<std::unique_ptr<Conn>> m_conns;
    std::vector<Delivery> m_deliveries;
    std::thread m_thread;
    std::atomic<bool> m_stop{false};
};

int connectClient(int port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(uint16_t(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
        ::close(fd);
        return -1;
    }
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const char request[] =
        "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    if (!sendAll(fd, request, sizeof request - 1)) {
        ::close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

struct Stats
{
    int64_t count = 0;
    double p50 = 0, p99 = 0, p999 = 0, max = 0; ///< ms
};

Stats stats(std::vector<int64_t> &ns)
{
    Stats s;
    s.count = int64_t(ns.size());
    if (ns.empty())
        return s;
    auto at = [&](double p) {
        const size_t index = std::min(ns.size() - 1, size_t(p * double(ns.size() - 1) + 0.5));
        std::nth_element(ns.begin(), ns.begin() + std::ptrdiff_t(index), ns.end());
        return double(ns[index]) / 1e6;
    };
    s.p50 = at(0.50);
    s.p99 = at(0.99);
    s.p999 = at(0.999);
    s.max = double(*std::max_element(ns.begin(), ns.end())) / 1e6;
    return s;
}

bool readTimes(const std::string &path, std::vector<int64_t> &sent, std::vector<int64_t> &acked)
{
    FILE *file = std::fopen(path.c_str(), "rb");
    if (!file)
        return false;
    int64_t count = 0;
    bool ok = std::fread(&count, sizeof count, 1, file) == 1 && count >= 0 && count < (1 << 26);
    if (ok) {
        sent.resize(size_t(count));
        acked.resize(size_t(count));
        ok = std::fread(sent.data(), sizeof(int64_t), sent.size(), file) == sent.size() &&
            std::fread(acked.data(), sizeof(int64_t), acked.size(), file) == acked.size();
    }
    std::fclose(file);
    return ok;
}

double cpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
        double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

void raiseFileLimit()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

bool parseArgs(int argc, char **argv, Config &config)
{
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (i + 1 >= argc)
            return false;
        const char *value = argv[++i];
        if (arg == "--port")
            config.port = std::atoi(value);
        else if (arg == "--clients")
            config.clients = std::atoi(value);
        else if (arg == "--threads")
            config.threads = std::atoi(value);
        else if (arg == "--token")
            config.token = value;
        else if (arg == "--org")
            config.org = value;
        else if (arg == "--events")
            config.events = std::atoll(value);
        else
            return false;
    }
    return config.port > 0 && config.clients > 0;
}

} // namespace

int main(int argc, char **argv)
{
    Config config;
    if (!parseArgs(argc, argv, config)) {
        std::fprintf(stderr,
                     "usage: bench_fanout_clients --port P --clients N [--threads T] "
                     "[--token tok-acme] [--org acme] [--events E]\n");
        return 2;
    }
    raiseFileLimit();
    if (config.threads <= 0)
        config.threads = int(std::max(1u, std::thread::hardware_concurrency()));
    config.threads = std::min(config.threads, config.clients);

    const int64_t startNs = monotonicNs();
    const double cpuAtStart = cpuSeconds();
    std::vector<std::unique_ptr<Worker>> workers;
    for (int t = 0; t < config.threads; ++t) {
        workers.push_back(std::make_unique<Worker>(config, startNs));
        if (!workers.back()->init()) {
            std::printf("FAILED epoll\n");
            return 1;
        }
        if (config.events > 0)
            workers.back()->reserve(
                size_t(config.events) * size_t(config.clients) / size_t(config.threads) + 1024);
    }
    for (auto &worker : workers)
        worker->start();
    for (int i = 0; i < config.clients; ++i) {
        const int fd = connectClient(config.port);
        if (fd < 0 || !workers[size_t(i % config.threads)]->add(fd)) {
            std::printf("FAILED connect %d: %s\n", i, std::strerror(errno));
            std::fflush(stdout);
            return 1;
        }
    }

    auto sum = [&](auto member) {
        int64_t total = 0;
        for (auto &worker : workers)
            total += (worker.get()->*member).load(std::memory_order_relaxed);
        return total;
    };
    const int64_t joinDeadline = monotonicNs() + 60'000'000'000;
    while (sum(&Worker::joined) + sum(&Worker::closed) < config.clients &&
           monotonicNs() < joinDeadline)
        usleep(2000);
    std::printf("JOINED %lld %d\n", static_cast<long long>(sum(&Worker::joined)), config.clients);
    std::fflush(stdout);

    std::string line;
    std::string timesPath;
    int64_t expected = 0;
    while (std::getline(std::cin, line)) {
        if (line.rfind("REPORT ", 0) == 0) {
            const size_t space = line.find(' ', 7);
            timesPath = line.substr(7, space - 7);
            expected = space == std::string::npos ? 0 : std::atoll(line.c_str() + space + 1);
            break;
        }
    }
    if (timesPath.empty())
        return 0; // the parent went away

    // Wait for the last delivery, or until nothing has arrived for a while.
    const int64_t reportNs = monotonicNs();
    int64_t lastCount = -1;
    int64_t lastChangeNs = reportNs;
    while (true) {
        const int64_t count = sum(&Worker::received);
        const int64_t now = monotonicNs();
        if (count != lastCount) {
            lastCount = count;
            lastChangeNs = now;
        }
        if (count >= expected || now - lastChangeNs > 5'000'000'000 ||
            now - reportNs > 120'000'000'000)
            break;
        usleep(2000);
    }
    const double cpuUsed = cpuSeconds() - cpuAtStart;
    for (auto &worker : workers)
        worker->stop();

    std::vector<int64_t> sent, acked;
    if (!readTimes(timesPath, sent, acked)) {
        std::printf("FAILED times file %s\n", timesPath.c_str());
        return 1;
    }
    std::vector<int64_t> fromSent, fromAck;
    int64_t deliveries = 0, unknown = 0, outOfOrder = 0, other = 0, lastReceipt = 0;
    for (auto &worker : workers) {
        deliveries += int64_t(worker->deliveries().size());
        outOfOrder += worker->outOfOrder;
        other += worker->otherEvents;
        lastReceipt = std::max(lastReceipt, worker->lastReceiptNs.load());
    }
    fromSent.reserve(size_t(deliveries));
    fromAck.reserve(size_t(deliveries));
    for (auto &worker : workers) {
        for (const Delivery &delivery : worker->deliveries()) {
            const int64_t at = startNs + int64_t(delivery.atUs) * 1000;
            if (delivery.seq >= sent.size() || sent[delivery.seq] == 0) {
                ++unknown;
                continue;
            }
            fromSent.push_back(at - sent[delivery.seq]);
            if (acked[delivery.seq] != 0)
                fromAck.push_back(at - acked[delivery.seq]);
        }
    }
    const Stats s = stats(fromSent);
    const Stats a = stats(fromAck);
    std::printf("RESULT deliveries=%lld unknown=%lld closed=%lld out_of_order=%lld other=%lld "
                "last_receipt_ns=%lld cpu_s=%.3f "
                "sent_p50=%.3f sent_p99=%.3f sent_p999=%.3f sent_max=%.3f "
                "ack_p50=%.3f ack_p99=%.3f ack_max=%.3f\n",
                static_cast<long long>(deliveries), static_cast<long long>(unknown),
                static_cast<long long>(sum(&Worker::closed)), static_cast<long long>(outOfOrder),
                static_cast<long long>(other), static_cast<long long>(lastReceipt), cpuUsed, s.p50,
                s.p99, s.p999, s.max, a.p50, a.p99, a.max);
    std::fflush(stdout);
    // Stay until the parent has read this process's CPU time and closes the pipe.
    while (std::getline(std::cin, line)) { }
    return 0;
}
