// libFuzzer target for the readers of server answers and cached rows on the desktop
// side: calls, agents, orgs and metrics from untrusted JSON.
#include "core/json.h"
#include "core/safejson.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView body(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto json = cb::parseJsonSafely(body);
    if (!json.ok())
        return 0;
    if (const auto call = cb::callFromJson(*json); call.ok()) {
        const auto again = cb::callFromJson(cb::toJson(*call, true));
        if (!again.ok())
            __builtin_trap();
    }
    (void)cb::agentFromJson(*json);
    (void)cb::orgFromJson(*json);
    (void)cb::metricsFromJson(*json);
    return 0;
}
