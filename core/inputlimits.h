#pragma once

#include <QString>
#include <QtGlobal>

#include <cstddef>

namespace frostline {

struct Version;

// What any one input may make the engine hold: every parser of operator or on-disk input (the
// JSONL importer, the binary version codec, the policy loaders) refuses more, with one clear
// message naming the limit, so no file can exhaust the stack or grow memory without bound.
// The writers refuse the same, so nothing is ever written that could not be read back.
class InputLimits
{
public:
    // Longest JSONL line, without its newline: the importer buffers at most one line.
    static constexpr qsizetype kMaxLineBytes = 16 * 1024 * 1024;
    // Deepest nesting of lists/maps inside a version's properties (the properties map itself is
    // level 0); also the deepest bracket nesting of a policy file. Bounds every recursion.
    static constexpr int kMaxNestingDepth = 64;
    // Longest string, in UTF-8 bytes: a label, a property key or a string property value.
    static constexpr qsizetype kMaxStringBytes = 1024 * 1024;
    // Most elements of one list, or entries of one nested map, in a version's properties.
    static constexpr quint64 kMaxListElements = 100'000;
    // Most top-level properties of one version.
    static constexpr quint64 kMaxPropertiesPerVersion = 10'000;
    // Most property values of one version, at every level together: with the line length, it
    // bounds a version's memory (about 32 bytes a value) whatever its shape.
    static constexpr quint64 kMaxValuesPerVersion = 1'000'000;
    // Most versions in one import; the importer streams line by line, so memory is bounded by
    // the versions read, never by a multiple of the file size.
    static constexpr std::size_t kMaxVersionsPerImport = 50'000'000;
    // Largest policy file (JSON or TOML): a policy has seven scalar keys, and the TOML parser
    // builds the whole document in memory.
    static constexpr qsizetype kMaxPolicyBytes = 1024 * 1024;

    // The first limit `version` exceeds, as one line (e.g. `property "tags": list of 100001
    // elements exceeds the limit of 100000`), or an empty string when it is within all of them.
    // For versions built through the API, checked before anything is written.
    static QString problemWith(const Version& version);
};

} // namespace frostline
