#pragma once

#include "httpmessage.h"

#include "core/result.h"

#include <QByteArray>
#include <QByteArrayView>

namespace cb {

/// A request head as read from the wire: the request without body and peer, and how
/// its body is framed.
struct ParsedRequestHead
{
    HttpRequest request;
    qint64 contentLength = 0;
    bool chunked = false;
    bool keepAlive = true; ///< whether the connection may serve another request after it
};

/// Parses an HTTP/1.1 (or 1.0) request head: the request line and the header fields, without
/// the blank line that ends them. A body announced larger than @p maxBodyBytes is refused
/// here, before any of it is read. On failure the error's code tells the status to answer
/// (httpErrorStatus()); @p method, when given, receives the method as soon as the request
/// line is valid, so that the answer to a failed HEAD request carries no body either.
Result<ParsedRequestHead> parseRequestHead(QByteArrayView head, qint64 maxBodyBytes,
                                           QByteArray *method = nullptr);

/// The HTTP status that answers a parse error of parseRequestHead() or ChunkedBodyDecoder.
int httpErrorStatus(const Error &error);

/// Whether the comma-separated header value @p list holds @p token (case-insensitive).
bool hasHttpToken(QByteArrayView list, QByteArrayView token);

/// Decodes a chunked request body (RFC 9112 §7.1) from bytes that arrive in pieces: each
/// decode() takes what has arrived, consumes what it can and keeps its place for the next.
/// Chunk extensions and trailer fields are read and dropped.
class ChunkedBodyDecoder
{
public:
    enum class Status { NeedMore, Done, Failed };

    ChunkedBodyDecoder(qint64 maxBodyBytes = 0, qsizetype maxTrailerBytes = 0);

    /// Appends the data of the chunks in @p input to @p body and sets @p consumed to the bytes
    /// of @p input used; bytes after the end of the body are left alone. After Failed,
    /// error() says why and the stream cannot be trusted any more.
    Status decode(QByteArrayView input, QByteArray &body, qsizetype &consumed);
    const Error &error() const { return m_error; }

private:
    enum class Phase { Size, Data, DataEnd, Trailer, Finished, Broken };

    Status failWith(const QString &code, const QString &message);

    qint64 m_maxBodyBytes;
    qsizetype m_maxTrailerBytes;
    Phase m_phase = Phase::Size;
    qint64 m_remaining = 0; ///< bytes still due in the current chunk
    Error m_error;
};

} // namespace cb
