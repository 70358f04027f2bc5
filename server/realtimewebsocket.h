#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QTimer>

#include <vector>

class QTcpSocket;

namespace cb {

class RealtimeWebSocket;

/// Writes the frames queued on many RealtimeWebSockets together, in rounds: a round
/// starts at once when the last one started more than the coalescing window ago,
/// otherwise when the window ends, and writes every socket that had frames waiting with
/// one writev() carrying all of them, instead of one send per event per socket.
///
/// The window grows with the clients written per round, a millisecond per fifty up to
/// the configured cap: a few clients get their events within about a millisecond, while
/// a thousand clients under load get fewer, larger writes, whose per-write kernel cost is
/// what bounds the hub there.
///
/// A round over many sockets is written in slices of about a millisecond, with the
/// event loop run in between: events published meanwhile join the queues of the sockets
/// not yet written in this round, instead of waiting for the whole round to end and then
/// for a whole next one. Under load rounds run back to back, each socket is written once
/// per round, and an event reaches every client within about one round.
class RealtimeFlusher final : public QObject
{
    Q_OBJECT

public:
    explicit RealtimeFlusher(int coalesceMs, QObject *parent = nullptr);
    ~RealtimeFlusher() override;
    Q_DISABLE_COPY_MOVE(RealtimeFlusher)

    void schedule(RealtimeWebSocket *socket);
    void forget(RealtimeWebSocket *socket);

private:
    void writeSlice();

    std::vector<RealtimeWebSocket *> m_dirty; ///< waiting for the next round
    std::vector<RealtimeWebSocket *> m_round; ///< the round being written
    size_t m_next = 0; ///< first socket of m_round not written yet
    QTimer m_timer;
    QElapsedTimer m_sinceRoundStart;
    int m_coalesceMs; ///< the longest window
    int m_windowMs = 1; ///< the window now, from the size of the last round
};

/// The server side of one RFC 6455 connection on a QTcpSocket whose handshake is done.
///
/// The hub writes pre-encoded frames: an event is framed once and the same bytes go to
/// every member of a room (QWebSocket would convert and copy the message per receiver).
/// Frames wait in a queue of shared byte arrays until the flusher writes them with one
/// writev(); what the kernel does not take then is left to QTcpSocket's buffer.
/// Writes are bounded: when the bytes waiting for the peer would exceed the send limit,
/// the connection is dropped (the client resyncs by seq) instead of buffering without end.
/// Incoming messages are reassembled and capped; a message over the cap closes with 1009,
/// protocol violations with 1002, invalid UTF-8 in text with 1007, as `ws` does.
class RealtimeWebSocket final : public QObject
{
    Q_OBJECT

public:
    enum Opcode : quint8 {
        Continuation = 0x0,
        Text = 0x1,
        Binary = 0x2,
        Close = 0x8,
        Ping = 0x9,
        Pong = 0xA,
    };

    /// Takes ownership of @p socket. Bytes already buffered in it are read as frames.
    /// Without a flusher, queued frames are written at the end of the event-loop pass.
    RealtimeWebSocket(QTcpSocket *socket, qint64 maxMessageBytes, qint64 maxQueuedBytes,
                      RealtimeFlusher *flusher = nullptr, QObject *parent = nullptr);
    ~RealtimeWebSocket() override;
    Q_DISABLE_COPY_MOVE(RealtimeWebSocket)

    /// One unmasked, final frame as a server sends it.
    static QByteArray frame(Opcode opcode, QByteArrayView payload);
    static QByteArray textFrame(QByteArrayView payload) { return frame(Text, payload); }

    bool isOpen() const { return m_open; }
    /// Bytes queued or written but not yet taken by the kernel.
    qint64 bytesToWrite() const;

    /// Queues a frame made by frame(). False (and the connection aborted) when the send
    /// queue is over its bound, or when the connection is no longer open.
    bool sendFrame(const QByteArray &frame);
    bool sendText(QByteArrayView payload) { return sendFrame(textFrame(payload)); }

    /// Starts the closing handshake: a close frame (with @p code unless 0, which sends an
    /// empty one as engine.io does), then the TCP connection is shut down.
    void close(quint16 code = 0, QByteArrayView reason = {});
    /// Drops the TCP connection at once.
    void abort();

    /// Reads what the socket already holds; call once the signals are connected.
    void start();

Q_SIGNALS:
    void textMessageReceived(const QByteArray &utf8);
    void binaryMessageReceived(const QByteArray &bytes);
    /// Emitted once, when the connection is gone for whatever reason.
    void disconnected();
    /// The send queue went over its bound; the connection is being dropped.
    void overflowed();

private:
    friend class RealtimeFlusher;

    void readFrames();
    /// Writes the queue out (writev), leaving to QTcpSocket what the kernel refuses.
    void flushQueue();
    void protocolError(quint16 code, QByteArrayView reason);
    void finish();

    QTcpSocket *m_socket; ///< a child of this object
    QByteArray m_in;
    QByteArray m_message;
    quint8 m_messageOpcode = 0; ///< 0 when no fragmented message is in progress
    qint64 m_maxMessageBytes;
    qint64 m_maxQueuedBytes;
    bool m_open = true;
    bool m_closeSent = false;
    bool m_finished = false;
    bool m_started = false;
    bool m_flushQueued = false;
    RealtimeFlusher *m_flusher;
    std::vector<QByteArray> m_queue;
    std::vector<QByteArray> m_writing; ///< the queue being written; kept for its capacity
    qint64 m_queuedBytes = 0;
    qint64 m_socketBacklog = 0; ///< QTcpSocket's unwritten bytes at the last flush
};

/// True when @p bytes is well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF).
bool isValidUtf8(QByteArrayView bytes);

} // namespace cb
