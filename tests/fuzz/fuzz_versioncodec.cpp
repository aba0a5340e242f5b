// libFuzzer target: VersionCodec::decode on hostile bytes (WAL payloads, cold-tier records).
// The checksum would stop almost every mutation at the door, so the input's last 8 bytes are
// replaced by the right checksum when the first byte is odd: the fuzzer then reaches the field
// and property decoders too. Whatever decodes must re-encode to the very same bytes.
#include "frostlineerror.h"
#include "versioncodec.h"

#include <QByteArray>
#include <QString>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <xxhash.h>

using namespace frostline;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0)
        return 0;
    const bool fixChecksum = data[0] & 1;
    QByteArray bytes(reinterpret_cast<const char*>(data + 1), qsizetype(size - 1));
    if (fixChecksum && bytes.size() >= 8) {
        const quint64 sum = XXH3_64bits(bytes.constData(), std::size_t(bytes.size() - 8));
        for (int i = 0; i < 8; ++i)
            bytes[bytes.size() - 8 + i] = char((sum >> (8 * i)) & 0xff);
    }
    Version v;
    QString error;
    if (!VersionCodec::decode(bytes, &v, &error)) {
        if (error.isEmpty())
            std::abort(); // a refusal must say why
        return 0;
    }
    // Decoded records are canonical, so encoding gives back the input exactly.
    if (VersionCodec::encode(v) != bytes)
        std::abort();
    return 0;
}
