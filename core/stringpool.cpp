#include "stringpool.h"

#include <QStringDecoder>

namespace frostline {

QString StringPool::intern(QByteArrayView utf8, bool* ok)
{
    const std::string_view view(utf8.data(), std::size_t(utf8.size()));
    if (auto it = m_strings.find(view); it != m_strings.end()) {
        *ok = true;
        return it->second;
    }
    QString s = decodeUtf8(utf8, ok);
    if (!*ok)
        return {};
    // Long strings are rarely repeated; pooling them would only hold memory.
    if (utf8.size() > 64 || m_strings.size() >= kMaxStrings)
        return s;
    m_keys.emplace_back(utf8.data(), utf8.size());
    const QByteArray& key = m_keys.back();
    m_strings.emplace(std::string_view(key.constData(), std::size_t(key.size())), s);
    return s;
}

QString StringPool::decodeUtf8(QByteArrayView utf8, bool* ok)
{
    // ConvertInitialBom: a leading U+FEFF is text like any other, not a byte order mark to drop
    // (dropping it changed a string on every WAL replay or cold read).
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless |
                                                     QStringDecoder::Flag::ConvertInitialBom);
    QString s = decoder(utf8);
    *ok = !decoder.hasError();
    return s;
}

} // namespace frostline
