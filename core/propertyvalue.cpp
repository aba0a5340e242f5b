#include "propertyvalue.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

namespace frostline {

PropertyValue::PropertyValue(Map m) : m_value(canonicalMap(std::move(m))) {}

int PropertyValue::depth() const
{
    int deepest = 0;
    if (type() == Type::List) {
        for (const auto& v : toList())
            deepest = std::max(deepest, v.depth());
        return deepest + 1;
    }
    if (type() == Type::Map) {
        for (const auto& [k, v] : toMap())
            deepest = std::max(deepest, v.depth());
        return deepest + 1;
    }
    return 0;
}

namespace {
// Bytes of `s` in UTF-8 (a lone surrogate counts as the 3 bytes of its replacement).
std::size_t utf8Length(const QString& s)
{
    std::size_t bytes = 0;
    const qsizetype n = s.size();
    const QChar* c = s.constData();
    for (qsizetype i = 0; i < n; ++i) {
        const char16_t u = c[i].unicode();
        if (u < 0x80)
            bytes += 1;
        else if (u < 0x800)
            bytes += 2;
        else if (QChar::isHighSurrogate(u) && i + 1 < n && c[i + 1].isLowSurrogate()) {
            bytes += 4;
            ++i;
        } else
            bytes += 3;
    }
    return bytes;
}
} // namespace

std::size_t stringHeapBytes(const QString& s)
{
    // estimated_size is a function of a version's content, not of the capacities its copy at
    // hand happens to have: a JSONL import, a WAL replay, a hot-checkpoint load, a generated
    // version and any copy of them (export, history) then all give one figure, in every process,
    // so preview, stats, export and the memory rule agree before and after a reopen. The figure
    // is what the binary codec (replay, checkpoint load) allocates: Qt 6's 16-byte QArrayData
    // header, then QStringDecoder's buffer of one UTF-16 unit per UTF-8 byte plus one, and the
    // terminating null. A buffer shared with another string is still charged in full.
    if (s.isEmpty())
        return 0;
    return 16 + sizeof(char16_t) * (utf8Length(s) + 2);
}

// The element slots charged for a vector of `size` elements: std::bit_ceil(size), what the
// binary codec's element-by-element growth allocates (see stringHeapBytes for why the charge is a
// function of the content and not of the capacity at hand).
namespace {
std::size_t chargedSlots(std::size_t size)
{
    return size == 0 ? 0 : std::bit_ceil(size);
}
} // namespace

std::size_t mapHeapBytes(const PropertyValue::Map& map)
{
    std::size_t bytes = chargedSlots(map.size()) * sizeof(PropertyValue::Map::value_type);
    for (const auto& [k, v] : map)
        bytes += stringHeapBytes(k) + v.heapBytes();
    return bytes;
}

std::size_t PropertyValue::heapBytes() const
{
    switch (type()) {
    case Type::String:
        return stringHeapBytes(toString());
    case Type::List: {
        const auto& l = toList();
        std::size_t bytes = chargedSlots(l.size()) * sizeof(PropertyValue);
        for (const auto& v : l)
            bytes += v.heapBytes();
        return bytes;
    }
    case Type::Map:
        return mapHeapBytes(toMap());
    default:
        return 0;
    }
}

bool operator==(const PropertyValue& a, const PropertyValue& b)
{
    if (a.type() != b.type())
        return false;
    if (a.type() == PropertyValue::Type::Double) {
        // Bitwise equality: a round trip must keep -0.0 and the exact bits.
        const double x = a.toDouble(), y = b.toDouble();
        return std::memcmp(&x, &y, sizeof x) == 0;
    }
    return a.m_value == b.m_value;
}

PropertyValue::Map PropertyValue::canonicalMap(Map m)
{
    std::stable_sort(m.begin(), m.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
    // Keep the last of equal keys.
    Map out;
    out.reserve(m.size());
    for (auto& entry : m) {
        if (!out.empty() && out.back().first == entry.first)
            out.back().second = std::move(entry.second);
        else
            out.push_back(std::move(entry));
    }
    return out;
}

const PropertyValue* PropertyValue::find(const Map& map, const QString& key)
{
    auto it = std::lower_bound(map.begin(), map.end(), key,
                               [](const auto& e, const QString& k) { return e.first < k; });
    if (it != map.end() && it->first == key)
        return &it->second;
    return nullptr;
}

} // namespace frostline
