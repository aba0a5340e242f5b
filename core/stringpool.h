#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <string_view>
#include <unordered_map>
#include <vector>

namespace frostline {

// Shares one QString buffer among equal labels and property keys while decoding many versions
// (a store has few distinct labels and keys but millions of versions): fewer allocations and
// page faults when recovery decodes a million records. Not thread safe: one pool per thread.
class StringPool
{
public:
    // The QString for these UTF-8 bytes, shared with every earlier call with the same bytes.
    // Bytes that are not valid UTF-8 are not pooled; *ok is set to false for them.
    QString intern(QByteArrayView utf8, bool* ok);

    std::size_t size() const { return m_strings.size(); }

    // Exact UTF-8 decoding (a leading U+FEFF is kept); *ok is false on invalid bytes.
    static QString decodeUtf8(QByteArrayView utf8, bool* ok);

    // Hostile input with endless distinct keys must not grow the pool without bound.
    static constexpr std::size_t kMaxStrings = 65536;

private:
    std::unordered_map<std::string_view, QString> m_strings; // views into m_keys' buffers
    std::vector<QByteArray> m_keys;
};

} // namespace frostline
