// libFuzzer target for the Engine.IO / Socket.IO decoders: never crash, and whatever
// decodes re-encodes to a frame that decodes to the same packet.
#include "core/socketio.h"

#include <cstddef>
#include <cstdint>

using namespace cb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView frame(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto eio = sio::decodeEio(frame);
    if (eio.ok() && eio->type == sio::EioType::Open)
        (void)sio::decodeOpen(eio->payload);

    const auto packet = sio::decodeMessage(frame);
    if (!packet.ok())
        return 0;
    const QByteArray again = sio::encodeMessage(*packet);
    const auto reparsed = sio::decodeMessage(again);
    if (!reparsed.ok() || reparsed->type != packet->type || reparsed->nsp != packet->nsp ||
        reparsed->ackId != packet->ackId || reparsed->data != packet->data)
        __builtin_trap();
    (void)sio::eventName(*packet);
    (void)sio::recoveryOffset(*packet);
    return 0;
}
