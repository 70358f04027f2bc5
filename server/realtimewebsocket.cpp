#include "realtimewebsocket.h"

#include "logging.h"

#include <QTcpSocket>
#include <QTimer>

#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace cb {

namespace {

/// How long a closing connection may linger before the TCP connection is dropped.
constexpr int closeLingerMs = 5000;
/// How long the flusher writes before it lets the event loop run (publishes, reads).
constexpr qint64 sliceNs = 1000000;

} // namespace

RealtimeFlusher::RealtimeFlusher(int coalesceMs, QObject *parent)
    : QObject(parent), m_coalesceMs(coalesceMs)
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &RealtimeFlusher::writeSlice);
    m_sinceRoundStart.start();
}

RealtimeFlusher::~RealtimeFlusher()
{
    for (size_t i = m_next; i < m_round.size(); ++i)
        m_dirty.push_back(m_round[i]);
    for (RealtimeWebSocket *socket : m_dirty) {
        if (!socket)
            continue;
        socket->m_flushQueued = false;
        socket->m_flusher = nullptr;
    }
}

void RealtimeFlusher::schedule(RealtimeWebSocket *socket)
{
    m_dirty.push_back(socket);
    // While a round is being written the timer runs its next slice; the round's end
    // schedules the next round.
    if (!m_timer.isActive())
        m_timer.start(int(std::max<qint64>(0, m_windowMs - m_sinceRoundStart.elapsed())));
}

void RealtimeFlusher::forget(RealtimeWebSocket *socket)
{
    std::replace(m_dirty.begin(), m_dirty.end(), socket, static_cast<RealtimeWebSocket *>(nullptr));
    std::replace(m_round.begin() + qsizetype(m_next), m_round.end(), socket,
                 static_cast<RealtimeWebSocket *>(nullptr));
}

void RealtimeFlusher::writeSlice()
{
    if (m_next >= m_round.size()) {
        m_round.clear();
        std::swap(m_round, m_dirty); // both keep their capacity
        m_next = 0;
        m_sinceRoundStart.restart();
        m_windowMs = std::clamp(int(m_round.size() / 50), 1, std::max(1, m_coalesceMs));
    }
    QElapsedTimer slice;
    slice.start();
    while (m_next < m_round.size()) {
        RealtimeWebSocket *socket = m_round[m_next++];
        if (socket) {
            socket->m_flushQueued = false;
            socket->flushQueue();
        }
        if ((m_next & 15) == 0 && slice.nsecsElapsed() > sliceNs && m_next < m_round.size()) {
            m_timer.start(0);
            return;
        }
    }
    m_round.clear();
    m_next = 0;
    const auto waiting = std::find_if(m_dirty.begin(), m_dirty.end(),
                                      [](RealtimeWebSocket *socket) { return socket != nullptr; });
    if (waiting != m_dirty.end())
        m_timer.start(int(std::max<qint64>(0, m_windowMs - m_sinceRoundStart.elapsed())));
    else
        m_dirty.clear();
}

bool isValidUtf8(QByteArrayView bytes)
{
    const auto *p = reinterpret_cast<const unsigned char *>(bytes.data());
    const auto *end = p + bytes.size();
    while (p < end) {
        // ASCII runs are the common case: skip them eight bytes at a time.
        while (end - p >= 8) {
            quint64 word;
            std::memcpy(&word, p, 8);
            if (word & 0x8080808080808080ULL)
                break;
            p += 8;
        }
        if (p >= end)
            break;
        const unsigned char c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        int extra;
        quint32 cp;
        if (c >= 0xC2 && c <= 0xDF) {
            extra = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            extra = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (end - p <= extra)
            return false;
        for (int i = 1; i <= extra; ++i) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if ((extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        p += extra + 1;
    }
    return true;
}

RealtimeWebSocket::RealtimeWebSocket(QTcpSocket *socket, qint64 maxMessageBytes,
                                     qint64 maxQueuedBytes, RealtimeFlusher *flusher,
                                     QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_maxMessageBytes(maxMessageBytes)
    , m_maxQueuedBytes(maxQueuedBytes)
    , m_flusher(flusher)
{
    socket->setParent(this);
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    connect(socket, &QTcpSocket::readyRead, this, &RealtimeWebSocket::readFrames);
    connect(socket, &QTcpSocket::disconnected, this, &RealtimeWebSocket::finish);
    connect(socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
        if (m_socket->state() != QAbstractSocket::ConnectedState)
            finish();
    });
}

RealtimeWebSocket::~RealtimeWebSocket()
{
    if (m_flusher && m_flushQueued)
        m_flusher->forget(this);
    m_socket->disconnect(this);
    m_socket->abort();
}

void RealtimeWebSocket::start()
{
    if (m_started)
        return;
    m_started = true;
    if (m_socket->state() != QAbstractSocket::ConnectedState) {
        QTimer::singleShot(0, this, &RealtimeWebSocket::finish);
        return;
    }
    if (m_socket->bytesAvailable() > 0)
        QTimer::singleShot(0, this, &RealtimeWebSocket::readFrames);
}

QByteArray RealtimeWebSocket::frame(Opcode opcode, QByteArrayView payload)
{
    const qsizetype size = payload.size();
    QByteArray out;
    out.reserve(size + 10);
    out.append(char(0x80 | opcode));
    if (size < 126) {
        out.append(char(size));
    } else if (size <= 0xFFFF) {
        out.append(char(126));
        out.append(char((size >> 8) & 0xFF));
        out.append(char(size & 0xFF));
    } else {
        out.append(char(127));
        for (int shift = 56; shift >= 0; shift -= 8)
            out.append(char((quint64(size) >> shift) & 0xFF));
    }
    out.append(payload);
    return out;
}

qint64 RealtimeWebSocket::bytesToWrite() const
{
    return m_queuedBytes + m_socket->bytesToWrite();
}

bool RealtimeWebSocket::sendFrame(const QByteArray &frame)
{
    if (!m_open)
        return false;
    // QTcpSocket only holds bytes for a client that already lags; ask it only then.
    if (m_socketBacklog > 0)
        m_socketBacklog = m_socket->bytesToWrite();
    if (m_queuedBytes + m_socketBacklog + frame.size() > m_maxQueuedBytes) {
        qCInfo(lcHub) << "dropping a client that does not keep up:" << bytesToWrite()
                      << "bytes waiting";
        Q_EMIT overflowed();
        abort();
        return false;
    }
    m_queue.push_back(frame);
    m_queuedBytes += frame.size();
    if (!m_flushQueued) {
        m_flushQueued = true;
        if (m_flusher) {
            m_flusher->schedule(this);
        } else {
            QMetaObject::invokeMethod(
                this,
                [this] {
                    m_flushQueued = false;
                    flushQueue();
                },
                Qt::QueuedConnection);
        }
    }
    return true;
}

void RealtimeWebSocket::flushQueue()
{
    if (m_queue.empty())
        return;
    std::swap(m_queue, m_writing);
    m_queuedBytes = 0;
    const std::vector<QByteArray> &queue = m_writing;
    if (m_socket->state() != QAbstractSocket::ConnectedState) {
        m_writing.clear();
        return;
    }
    size_t next = 0; // first frame not fully written
    qint64 partial = 0; // bytes of that frame already written
    // Straight to the kernel when QTcpSocket holds nothing older; otherwise behind it.
    // QTcpSocket sends one buffer chunk per write notification: drain it here first.
    if (m_socket->bytesToWrite() > 0)
        m_socket->flush();
    if (m_socket->bytesToWrite() == 0) {
        const int fd = int(m_socket->socketDescriptor());
        while (next < queue.size()) {
            iovec vectors[64];
            int count = 0;
            for (size_t i = next; i < queue.size() && count < 64; ++i, ++count) {
                const QByteArray &frame = queue[i];
                const qint64 skip = i == next ? partial : 0;
                vectors[count].iov_base = const_cast<char *>(frame.constData() + skip);
                vectors[count].iov_len = size_t(frame.size() - skip);
            }
            const ssize_t written = ::writev(fd, vectors, count);
            if (written < 0 && errno == EINTR)
                continue;
            if (written < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                m_writing.clear();
                abort();
                return;
            }
            if (written <= 0)
                break;
            qint64 left = written;
            while (next < queue.size() && left > 0) {
                const qint64 rest = queue[next].size() - partial;
                if (left >= rest) {
                    left -= rest;
                    ++next;
                    partial = 0;
                } else {
                    partial += left;
                    left = 0;
                }
            }
        }
    }
    for (size_t i = next; i < queue.size(); ++i)
        m_socket->write(i == next && partial > 0 ? queue[i].mid(partial) : queue[i]);
    m_writing.clear();
    m_socketBacklog = m_socket->bytesToWrite();
}

void RealtimeWebSocket::close(quint16 code, QByteArrayView reason)
{
    if (!m_open)
        return;
    m_open = false;
    if (!m_closeSent) {
        m_closeSent = true;
        flushQueue();
        QByteArray payload;
        if (code != 0) {
            payload.append(char(code >> 8));
            payload.append(char(code & 0xFF));
            payload.append(reason.first(std::min<qsizetype>(reason.size(), 123)));
        }
        m_socket->write(frame(Close, payload));
    }
    m_socket->disconnectFromHost();
    QTimer::singleShot(closeLingerMs, this, [this] {
        m_socket->abort();
        finish();
    });
}

void RealtimeWebSocket::abort()
{
    m_open = false;
    m_socket->abort();
    finish();
}

void RealtimeWebSocket::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_open = false;
    Q_EMIT disconnected();
}

void RealtimeWebSocket::protocolError(quint16 code, QByteArrayView reason)
{
    qCDebug(lcHub) << "websocket protocol error" << code << reason;
    m_in.clear();
    m_message.clear();
    close(code, reason);
}

void RealtimeWebSocket::readFrames()
{
    m_in.append(m_socket->readAll());
    qsizetype pos = 0;
    while (m_open) {
        const qsizetype available = m_in.size() - pos;
        if (available < 2)
            break;
        const auto *data = reinterpret_cast<const unsigned char *>(m_in.constData() + pos);
        const bool fin = data[0] & 0x80;
        const quint8 rsv = data[0] & 0x70;
        const quint8 opcode = data[0] & 0x0F;
        const bool masked = data[1] & 0x80;
        quint64 length = data[1] & 0x7F;
        qsizetype header = 2;
        if (rsv != 0)
            return protocolError(1002, "RSV1 must be clear");
        if (!masked)
            return protocolError(1002, "MASK must be set");
        if (length == 126) {
            if (available < 4)
                break;
            length = (quint64(data[2]) << 8) | data[3];
            header = 4;
        } else if (length == 127) {
            if (available < 10)
                break;
            length = 0;
            for (int i = 0; i < 8; ++i)
                length = (length << 8) | data[2 + i];
            if (length >> 63)
                return protocolError(1002, "Invalid payload length");
            header = 10;
        }
        const bool control = opcode & 0x8;
        if (control && (!fin || length > 125))
            return protocolError(1002, "Invalid control frame");
        if (!control && quint64(m_message.size()) + length > quint64(m_maxMessageBytes))
            return protocolError(1009, "Max payload size exceeded");
        header += 4;
        if (quint64(available) < header + length)
            break;

        const unsigned char *mask = data + header - 4;
        QByteArray payload(reinterpret_cast<const char *>(data + header), qsizetype(length));
        char *p = payload.data();
        for (qsizetype i = 0; i < payload.size(); ++i)
            p[i] = char(p[i] ^ mask[i & 3]);
        pos += header + qsizetype(length);

        switch (opcode) {
        case Continuation:
        case Text:
        case Binary: {
            if (opcode == Continuation && m_messageOpcode == 0)
                return protocolError(1002, "Invalid opcode 0");
            if (opcode != Continuation && m_messageOpcode != 0)
                return protocolError(1002, "Invalid opcode");
            if (opcode != Continuation)
                m_messageOpcode = opcode;
            m_message.append(payload);
            if (!fin)
                break;
            const quint8 messageOpcode = m_messageOpcode;
            QByteArray message = std::move(m_message);
            m_message = QByteArray();
            m_messageOpcode = 0;
            if (messageOpcode == Text) {
                if (!isValidUtf8(message))
                    return protocolError(1007, "Invalid UTF-8 sequence");
                Q_EMIT textMessageReceived(message);
            } else {
                Q_EMIT binaryMessageReceived(message);
            }
            break;
        }
        case Close: {
            quint16 code = 0;
            if (payload.size() == 1)
                return protocolError(1002, "Invalid close frame");
            if (payload.size() >= 2)
                code = quint16((quint8(payload.at(0)) << 8) | quint8(payload.at(1)));
            m_in.clear();
            close(code);
            return;
        }
        case Ping:
            sendFrame(frame(Pong, payload));
            break;
        case Pong:
            break;
        default:
            return protocolError(1002, "Invalid opcode");
        }
    }
    if (pos > 0)
        m_in.remove(0, pos);
}

} // namespace cb
