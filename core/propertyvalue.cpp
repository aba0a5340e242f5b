#include "propertyvalue.h"

#include <algorithm>
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

std::size_t stringHeapBytes(const QString& s)
{
    // Qt 6 keeps a 16-byte QArrayData header (ref, flags, capacity) in front of the UTF-16
    // buffer and a terminating null. A buffer shared with another string is still charged in
    // full: the hot tier's figure is an upper bound, never an underestimate.
    if (s.isEmpty())
        return 0;
    return 16 + sizeof(char16_t) * std::size_t(s.capacity() + 1);
}

std::size_t mapHeapBytes(const PropertyValue::Map& map)
{
    std::size_t bytes = map.capacity() * sizeof(PropertyValue::Map::value_type);
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
        std::size_t bytes = l.capacity() * sizeof(PropertyValue);
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
