#pragma once

#include <QString>

#include <cstddef>
#include <utility>
#include <variant>
#include <vector>

namespace frostline {

// A property value of a version: null, bool, int64, double, string, list or nested map.
// Maps keep their entries sorted by key (unique keys), so equality and encodings are canonical.
class PropertyValue
{
public:
    enum class Type : quint8
    {
        Null = 0,
        Bool = 1,
        Int = 2,
        Double = 3,
        String = 4,
        List = 5,
        Map = 6
    };
    using List = std::vector<PropertyValue>;
    using Map = std::vector<std::pair<QString, PropertyValue>>;

    PropertyValue() = default;
    PropertyValue(std::nullptr_t) {}
    PropertyValue(bool b) : m_value(b) {}
    PropertyValue(qint64 i) : m_value(i) {}
    PropertyValue(int i) : m_value(qint64(i)) {}
    PropertyValue(double d) : m_value(d) {}
    PropertyValue(QString s) : m_value(std::move(s)) {}
    PropertyValue(const char* s) : m_value(QString::fromUtf8(s)) {}
    PropertyValue(List l) : m_value(std::move(l)) {}
    PropertyValue(Map m);

    Type type() const { return static_cast<Type>(m_value.index()); }
    bool isNull() const { return type() == Type::Null; }

    bool toBool() const { return std::get<bool>(m_value); }
    qint64 toInt() const { return std::get<qint64>(m_value); }
    double toDouble() const { return std::get<double>(m_value); }
    const QString& toString() const { return std::get<QString>(m_value); }
    const List& toList() const { return std::get<List>(m_value); }
    const Map& toMap() const { return std::get<Map>(m_value); }

    // Nesting depth: scalars are 0, a list or map is 1 + the deepest child.
    int depth() const;

    // Heap bytes owned by this value (not counting sizeof(PropertyValue) itself).
    std::size_t heapBytes() const;

    friend bool operator==(const PropertyValue& a, const PropertyValue& b);

    // Sorts entries by key; on duplicate keys the last one wins (as a JSON reader would).
    static Map canonicalMap(Map m);
    // The value for `key` in a canonical map, or nullptr.
    static const PropertyValue* find(const Map& map, const QString& key);

private:
    std::variant<std::monostate, bool, qint64, double, QString, List, Map> m_value;
};

// Heap bytes charged for a QString: header and buffer as the binary codec lays it out, a function
// of the text (not of this copy's capacity; see the .cpp), zero for an empty string.
std::size_t stringHeapBytes(const QString& s);
// Heap bytes of a property map: its vector, its keys and its values.
std::size_t mapHeapBytes(const PropertyValue::Map& map);

} // namespace frostline
