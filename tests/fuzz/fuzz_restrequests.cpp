// libFuzzer target for the readers of the REST API's JSON bodies (login, start-call,
// mark-failed, agent sync): any bytes give a reader's value or a clean error, and what a
// reader accepts keeps the promises its route relies on.
#include "server/restrequests.h"

#include <QSet>

#include <cstddef>
#include <cstdint>

namespace {

void checkError(const cb::Error &error)
{
    if (error.code.isEmpty() || error.message.isEmpty())
        __builtin_trap();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView body(reinterpret_cast<const char *>(data), qsizetype(size));

    if (const auto login = cb::rest::readLogin(body); login.ok()) {
        if (login->email.isEmpty() || login->password.isEmpty() || login->email.size() > 320 ||
            login->password.size() > 1024 || login->email != login->email.trimmed())
            __builtin_trap();
    } else {
        checkError(login.error());
    }

    if (const auto ids = cb::rest::readMarkFailed(body); ids.ok()) {
        if (ids->isEmpty() || ids->size() > 500 ||
            QSet<QString>(ids->cbegin(), ids->cend()).size() != ids->size())
            __builtin_trap();
        for (const QString &id : *ids) {
            if (id.isEmpty())
                __builtin_trap();
        }
    } else {
        checkError(ids.error());
    }

    if (const auto start = cb::rest::readStartCall(body); !start.ok()) {
        checkError(start.error());
        if (start.error().code != u"invalid_body")
            __builtin_trap();
    }

    if (const auto checkOnly = cb::rest::readSyncCheckOnly(body); !checkOnly.ok())
        checkError(checkOnly.error());
    return 0;
}
