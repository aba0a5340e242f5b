// libFuzzer target: the JSONL importer. The input is one line for JsonlCodec::decodeLine, and
// a whole file for JsonlCodec::readAll. A decoded version must survive encode -> decode.
#include "frostlineerror.h"
#include "jsonlcodec.h"

#include <QBuffer>
#include <QByteArray>
#include <QString>

#include <cstdint>
#include <cstdlib>

using namespace frostline;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char*>(data), qsizetype(size));
    Version v;
    QString error;
    if (JsonlCodec::decodeLine(bytes, &v, &error)) {
        Version again;
        if (!JsonlCodec::decodeLine(JsonlCodec::encode(v), &again, &error) || !(again == v))
            std::abort();
    } else if (error.isEmpty()) {
        std::abort(); // a refusal must say why
    }
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    try {
        const std::vector<Version> all = JsonlCodec::readAll(buffer, QStringLiteral("fuzz.jsonl"));
        (void)all;
    } catch (const FrostlineError& e) {
        if (e.kind() != FrostlineError::Kind::BadInput || e.message().isEmpty())
            std::abort();
    }
    return 0;
}
