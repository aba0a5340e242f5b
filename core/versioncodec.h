#pragma once

#include "inputlimits.h"
#include "stringpool.h"
#include "version.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace frostline {

// Compact binary encoding of one version, used by the WAL, the hot checkpoint and the cold tier.
// Layout: format-version byte, fields, then a checksum of everything before it.
// Decoding hostile bytes never crashes and never reads past `bytes`: it returns false and says why.
class VersionCodec
{
public:
    static constexpr quint8 kFormatVersion = 1;
    // Deepest nesting of lists/maps accepted in properties (decoder and encoder alike). The
    // decoder and encoder enforce every other InputLimits too.
    static constexpr int kMaxPropertyDepth = InputLimits::kMaxNestingDepth;

    // Throw FrostlineError::badInput when the version exceeds an InputLimits limit.
    static QByteArray encode(const Version& version);
    static void encodeAppend(const Version& version, QByteArray& out);

    // On failure returns false and sets *error to one line saying what is wrong and at which
    // byte offset; *out is then unspecified.
    static bool decode(QByteArrayView bytes, Version* out, QString* error);
    // The same, sharing label and key buffers through `pool` (bulk decoding: recovery).
    static bool decode(QByteArrayView bytes, Version* out, QString* error, StringPool* pool);
};

} // namespace frostline
