#pragma once

#include "inputlimits.h"
#include "version.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QIODevice>
#include <QString>

#include <functional>
#include <vector>

namespace frostline {

// The JSONL interchange format of design section 2: one version per line.
// Integers beyond 2^53 and unicode strings round-trip exactly; doubles keep their exact bits.
class JsonlCodec
{
public:
    enum class Tier
    {
        None,
        Hot,
        Cold
    };

    // One version as one JSON object on one line, without the newline. Keys in a fixed order:
    // kind, version_id, entity_id, label, [source, target], valid_from, valid_to, tx_from, tx_to,
    // properties, then (when tier != None) "tier" and "estimated_size" for export.
    static QByteArray encode(const Version& version, Tier tier = Tier::None);
    // TEXT as a JSON string, quotes included, escaped as encode() escapes every string.
    static QByteArray quoted(const QString& text);

    // Parses one line. On failure returns false and sets *error to the field-specific message
    // without a line prefix, e.g. `"tx_from" must be an integer`. Export-only keys ("tier",
    // "estimated_size") are accepted and ignored so an export can be imported again.
    static bool decodeLine(QByteArrayView line, Version* out, QString* error);

    // Reads every line of `device`; blank lines are skipped. Stops at the first bad line and
    // throws FrostlineError::badInput("FILE: line N: <message>") — nothing is returned partially.
    // `sourceName` names the file in messages. Streams line by line (one line buffered), and
    // refuses more than `maxVersions` versions; every line is held to InputLimits. With
    // `lineNumbers`, the line each version came from (1-based, same order), so a later check (an
    // id the store already holds) can name the line too.
    static std::vector<Version>
    readAll(QIODevice& device, const QString& sourceName,
            std::size_t maxVersions = InputLimits::kMaxVersionsPerImport,
            std::vector<qint64>* lineNumbers = nullptr);
    static std::vector<Version> readFile(const QString& path,
                                         std::vector<qint64>* lineNumbers = nullptr);

    // "FILE: line N", the way this codec's own messages name a line; for checks made after
    // reading (Store::append's `whereIs`), so every refusal names its line alike.
    static QString location(const QString& sourceName, qint64 line);
};

} // namespace frostline
