#include "httprequestparser.h"

#include <QList>

#include <algorithm>

namespace cb {

namespace {

constexpr int maxHeaderCount = 100;
constexpr qsizetype maxChunkSizeLine = 1024;

bool isTokenChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
        QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
}

bool isToken(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (char c : text) {
        if (!isTokenChar(c))
            return false;
    }
    return true;
}

Error badRequest(const QString &message)
{
    return {QStringLiteral("bad_request"), message};
}

Error bodyTooLarge(qint64 maxBodyBytes)
{
    return {QStringLiteral("payload_too_large"),
            QStringLiteral("the body exceeds %1 bytes").arg(maxBodyBytes)};
}

} // namespace

bool hasHttpToken(QByteArrayView list, QByteArrayView token)
{
    for (QByteArrayView part : QByteArray(list.toByteArray()).split(',')) {
        if (part.trimmed().compare(token, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

int httpErrorStatus(const Error &error)
{
    if (error.code == u"headers_too_large")
        return 431;
    if (error.code == u"payload_too_large")
        return 413;
    if (error.code == u"http_version")
        return 505;
    if (error.code == u"unsupported_encoding")
        return 501;
    return 400;
}

Result<ParsedRequestHead> parseRequestHead(QByteArrayView head, qint64 maxBodyBytes,
                                           QByteArray *method)
{
    ParsedRequestHead out;
    HttpRequest &request = out.request;

    const QList<QByteArray> lines = head.toByteArray().split('\n');
    const QByteArray requestLine = lines.value(0).chopped(lines.value(0).endsWith('\r') ? 1 : 0);
    const QList<QByteArray> parts = requestLine.split(' ');
    if (parts.size() != 3 || !isToken(parts.at(0)) || parts.at(1).isEmpty() ||
        parts.at(1).at(0) != '/')
        return badRequest(QStringLiteral("malformed request line"));
    if (parts.at(2) == "HTTP/1.0") {
        request.http10 = true;
    } else if (parts.at(2) != "HTTP/1.1") {
        return Error{QStringLiteral("http_version"),
                     QStringLiteral("only HTTP/1.1 and HTTP/1.0 are supported")};
    }
    request.method = parts.at(0);
    if (method)
        *method = request.method;
    request.target = parts.at(1);
    const qsizetype questionMark = request.target.indexOf('?');
    request.path = questionMark < 0 ? request.target : request.target.left(questionMark);
    if (questionMark >= 0)
        request.query.setQuery(QString::fromUtf8(request.target.mid(questionMark + 1)));

    if (lines.size() - 1 > maxHeaderCount)
        return Error{QStringLiteral("headers_too_large"), QStringLiteral("too many header fields")};
    for (qsizetype i = 1; i < lines.size(); ++i) {
        QByteArray line = lines.at(i);
        if (line.endsWith('\r'))
            line.chop(1);
        const qsizetype colon = line.indexOf(':');
        if (line.isEmpty() || line.at(0) == ' ' || line.at(0) == '\t' || colon <= 0 ||
            !isToken(QByteArrayView(line).first(colon)))
            return badRequest(QStringLiteral("malformed header field"));
        request.headers.append({line.left(colon).toLower(), line.mid(colon + 1).trimmed()});
    }

    const QByteArray connection = request.header("connection");
    out.keepAlive = request.http10 ? hasHttpToken(connection, "keep-alive")
                                   : !hasHttpToken(connection, "close");

    bool haveLength = false;
    for (const auto &[name, value] : std::as_const(request.headers)) {
        if (name == "transfer-encoding") {
            if (!value.trimmed().toLower().endsWith("chunked"))
                return Error{QStringLiteral("unsupported_encoding"),
                             QStringLiteral("unsupported transfer-encoding")};
            out.chunked = true;
        } else if (name == "content-length") {
            bool ok = false;
            const qint64 length = value.toLongLong(&ok);
            if (!ok || length < 0 || value.startsWith('+') ||
                (haveLength && length != out.contentLength))
                return badRequest(QStringLiteral("invalid content-length"));
            out.contentLength = length;
            haveLength = true;
        }
    }
    if (out.chunked && haveLength)
        return badRequest(QStringLiteral("both content-length and transfer-encoding"));
    if (out.contentLength > maxBodyBytes)
        return bodyTooLarge(maxBodyBytes);
    return out;
}

ChunkedBodyDecoder::ChunkedBodyDecoder(qint64 maxBodyBytes, qsizetype maxTrailerBytes)
    : m_maxBodyBytes(maxBodyBytes), m_maxTrailerBytes(maxTrailerBytes)
{ }

ChunkedBodyDecoder::Status ChunkedBodyDecoder::failWith(const QString &code, const QString &message)
{
    m_phase = Phase::Broken;
    m_error = {code, message};
    return Status::Failed;
}

ChunkedBodyDecoder::Status ChunkedBodyDecoder::decode(QByteArrayView input, QByteArray &body,
                                                      qsizetype &consumed)
{
    consumed = 0;
    for (;;) {
        const QByteArrayView rest = input.sliced(consumed);
        switch (m_phase) {
        case Phase::Size: {
            const QByteArrayView line = rest.first(std::min(rest.size(), maxChunkSizeLine));
            const qsizetype end = line.indexOf(QByteArrayView("\r\n"));
            if (end < 0) {
                if (line.size() >= maxChunkSizeLine)
                    return failWith(QStringLiteral("bad_request"),
                                    QStringLiteral("malformed chunk size"));
                return Status::NeedMore;
            }
            QByteArrayView sizeText = line.first(end);
            if (const qsizetype semicolon = sizeText.indexOf(';'); semicolon >= 0)
                sizeText.truncate(semicolon);
            sizeText = sizeText.trimmed();
            bool ok = false;
            const qint64 size = sizeText.toLongLong(&ok, 16);
            if (!ok || size < 0 || sizeText.size() > 8)
                return failWith(QStringLiteral("bad_request"),
                                QStringLiteral("malformed chunk size"));
            consumed += end + 2;
            if (size == 0) {
                m_phase = Phase::Trailer;
            } else if (body.size() + size > m_maxBodyBytes) {
                const Error tooLarge = bodyTooLarge(m_maxBodyBytes);
                return failWith(tooLarge.code, tooLarge.message);
            } else {
                m_remaining = size;
                m_phase = Phase::Data;
            }
            break;
        }
        case Phase::Data: {
            const qsizetype take = qsizetype(std::min<qint64>(m_remaining, rest.size()));
            if (take == 0)
                return Status::NeedMore;
            body.append(rest.first(take));
            consumed += take;
            m_remaining -= take;
            if (m_remaining == 0)
                m_phase = Phase::DataEnd;
            break;
        }
        case Phase::DataEnd:
            if (rest.size() < 2)
                return Status::NeedMore;
            if (rest.first(2) != QByteArrayView("\r\n"))
                return failWith(QStringLiteral("bad_request"), QStringLiteral("malformed chunk"));
            consumed += 2;
            m_phase = Phase::Size;
            break;
        case Phase::Trailer: {
            const QByteArrayView line = rest.first(std::min(rest.size(), m_maxTrailerBytes));
            const qsizetype end = line.indexOf(QByteArrayView("\r\n"));
            if (end < 0) {
                if (line.size() >= m_maxTrailerBytes)
                    return failWith(QStringLiteral("headers_too_large"),
                                    QStringLiteral("trailer too large"));
                return Status::NeedMore;
            }
            consumed += end + 2;
            if (end == 0) {
                m_phase = Phase::Finished;
                return Status::Done;
            }
            break;
        }
        case Phase::Finished:
            return Status::Done;
        case Phase::Broken:
            return Status::Failed;
        }
    }
}

} // namespace cb
