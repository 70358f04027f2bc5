// libFuzzer target for the HTTP/1.1 request parser: the bytes up to the first blank line
// are a request head, the rest a chunked body. Nothing may crash; every error maps to a
// 4xx/5xx answer; a body decoded as it arrives in small pieces is the same as decoded at
// once.
#include "server/httprequestparser.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace {

// Small limits, so that the fuzzer reaches them.
constexpr qint64 maxBody = 4096;
constexpr qsizetype maxTrailer = 512;

void checkHead(QByteArrayView head)
{
    QByteArray method;
    const auto parsed = cb::parseRequestHead(head, maxBody, &method);
    if (!parsed.ok()) {
        const int status = cb::httpErrorStatus(parsed.error());
        if (status < 400 || status > 599 || parsed.error().message.isEmpty())
            __builtin_trap();
        return;
    }
    const cb::HttpRequest &request = parsed->request;
    if (parsed->contentLength < 0 || parsed->contentLength > maxBody || request.method != method ||
        !request.target.startsWith('/') || !request.target.startsWith(request.path))
        __builtin_trap();
    for (const auto &[name, value] : request.headers) {
        if (name != name.toLower() || name.isEmpty())
            __builtin_trap();
    }
    (void)request.bearerToken();
}

void checkChunkedBody(QByteArrayView input, qsizetype step)
{
    cb::ChunkedBodyDecoder whole(maxBody, maxTrailer);
    QByteArray wholeBody;
    qsizetype wholeUsed = 0;
    const auto wholeStatus = whole.decode(input, wholeBody, wholeUsed);
    if (wholeUsed < 0 || wholeUsed > input.size() || wholeBody.size() > maxBody)
        __builtin_trap();

    // As a socket delivers it: a few bytes more each time, unconsumed bytes offered again.
    cb::ChunkedBodyDecoder pieces(maxBody, maxTrailer);
    QByteArray piecesBody;
    qsizetype offset = 0;
    auto status = cb::ChunkedBodyDecoder::Status::NeedMore;
    for (qsizetype available = 0; status == cb::ChunkedBodyDecoder::Status::NeedMore;) {
        available = std::min(input.size(), available + step);
        qsizetype used = 0;
        status = pieces.decode(input.sliced(offset, available - offset), piecesBody, used);
        if (used < 0 || used > available - offset)
            __builtin_trap();
        offset += used;
        if (available == input.size())
            break;
    }
    if (status != wholeStatus || piecesBody != wholeBody)
        __builtin_trap();
    if (status == cb::ChunkedBodyDecoder::Status::Done && offset != wholeUsed)
        __builtin_trap();
    if (status == cb::ChunkedBodyDecoder::Status::Failed &&
        (pieces.error() != whole.error() || cb::httpErrorStatus(whole.error()) < 400))
        __builtin_trap();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    const qsizetype end = input.indexOf(QByteArrayView("\r\n\r\n"));
    checkHead(end < 0 ? input : input.first(end));
    if (end >= 0) {
        const QByteArrayView body = input.sliced(end + 4);
        checkChunkedBody(body, 1 + (size % 7));
    }
    return 0;
}
