// libFuzzer target for the local cache's row reader: a damaged or foreign blob fails
// cleanly, and a blob that reads back as a call packs again to bytes that read back to
// the same call.
#include "client/cacherow.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    cb::CacheStringPool pool;
    const auto call = cb::unpackCall(bytes, &pool);
    if (!call.ok()) {
        if (call.error().code.isEmpty())
            __builtin_trap();
        return 0;
    }
    if (call->id.isEmpty())
        __builtin_trap();
    const QByteArray packed = cb::packCall(*call);
    const auto again = cb::unpackCall(packed, &pool);
    if (!again.ok() || cb::packCall(*again) != packed)
        __builtin_trap();
    return 0;
}
