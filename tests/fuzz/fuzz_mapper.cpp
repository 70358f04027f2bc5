// libFuzzer target for one provider's webhook and poll mappers (CALLBOARD_FUZZ_PROVIDER):
// any bytes either fail cleanly or produce an event the merge accepts.
#include "core/callmerge.h"
#include "core/json.h"
#include "core/providermapper.h"
#include "core/safejson.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView body(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto json = cb::parseJsonSafely(body);
    if (!json.ok())
        return 0;
    constexpr auto provider = cb::Provider::CALLBOARD_FUZZ_PROVIDER;
    for (const auto &event :
         {cb::mapWebhook(provider, *json), cb::mapPolledCall(provider, *json)}) {
        if (!event.ok())
            continue;
        const cb::CallRecord once = cb::apply({}, *event);
        const cb::CallRecord twice = cb::apply(once, *event);
        if (!(once == twice))
            __builtin_trap(); // applying the same event twice must change nothing
        (void)cb::toBytes(cb::toJson(twice.call, true));
    }
    return 0;
}
