#include "versioncodec.h"

#include "frostlineerror.h"

#include <QStringDecoder>

#include <xxhash.h>

#include <algorithm>
#include <cstring>

namespace frostline {

// Layout (little-endian):
//   u8 format version (1) | u8 kind | u64 version_id | u64 entity_id |
//   i64 valid_from | i64 valid_to | i64 tx_from | i64 tx_to | [edge: u64 source | u64 target] |
//   varint label length | label UTF-8 | properties (as a map value without its tag) |
//   u64 XXH3-64 of every byte before it.
// Values: u8 tag (PropertyValue::Type) then: bool u8 | int zigzag varint | double 8 bytes |
//   string varint length + UTF-8 | list varint count + values | map varint count + (key, value)*.

namespace {

constexpr std::size_t kChecksumSize = 8;
constexpr std::size_t kFixedSize = 2 + 6 * 8;

void putU64(QByteArray& out, quint64 v)
{
    char b[8];
    for (int i = 0; i < 8; ++i)
        b[i] = char((v >> (8 * i)) & 0xff);
    out.append(b, 8);
}

void putVarint(QByteArray& out, quint64 v)
{
    char b[10];
    int n = 0;
    while (v >= 0x80) {
        b[n++] = char((v & 0x7f) | 0x80);
        v >>= 7;
    }
    b[n++] = char(v);
    out.append(b, n);
}

void putString(QByteArray& out, const QString& s)
{
    const QByteArray utf8 = s.toUtf8();
    putVarint(out, quint64(utf8.size()));
    out.append(utf8);
}

void putMapEntries(QByteArray& out, const PropertyValue::Map& map);

void putValue(QByteArray& out, const PropertyValue& v)
{
    out.append(char(v.type()));
    switch (v.type()) {
    case PropertyValue::Type::Null:
        break;
    case PropertyValue::Type::Bool:
        out.append(char(v.toBool() ? 1 : 0));
        break;
    case PropertyValue::Type::Int: {
        const qint64 i = v.toInt();
        putVarint(out, (quint64(i) << 1) ^ quint64(i >> 63));
        break;
    }
    case PropertyValue::Type::Double: {
        quint64 bits;
        const double d = v.toDouble();
        std::memcpy(&bits, &d, 8);
        putU64(out, bits);
        break;
    }
    case PropertyValue::Type::String:
        putString(out, v.toString());
        break;
    case PropertyValue::Type::List:
        putVarint(out, v.toList().size());
        for (const auto& item : v.toList())
            putValue(out, item);
        break;
    case PropertyValue::Type::Map:
        putMapEntries(out, v.toMap());
        break;
    }
}

void putMapEntries(QByteArray& out, const PropertyValue::Map& map)
{
    putVarint(out, map.size());
    for (const auto& [key, value] : map) {
        putString(out, key);
        putValue(out, value);
    }
}

// Bounds-checked reader over hostile bytes: every read checks what is left first.
class Reader
{
public:
    Reader(const char* data, std::size_t size, StringPool* pool = nullptr)
        : m_data(data), m_size(size), m_pool(pool)
    {}

    std::size_t offset() const { return m_pos; }
    std::size_t left() const { return m_size - m_pos; }
    bool failed() const { return !m_error.isEmpty(); }
    QString error() const { return m_error; }

    bool fail(const QString& what)
    {
        if (m_error.isEmpty())
            m_error = QStringLiteral("%1 at byte %2").arg(what).arg(m_pos);
        return false;
    }

    bool u8(quint8* v)
    {
        if (left() < 1)
            return fail(QStringLiteral("truncated record"));
        *v = quint8(m_data[m_pos++]);
        return true;
    }

    bool u64(quint64* v)
    {
        if (left() < 8)
            return fail(QStringLiteral("truncated record"));
        quint64 r = 0;
        for (int i = 0; i < 8; ++i)
            r |= quint64(quint8(m_data[m_pos + i])) << (8 * i);
        m_pos += 8;
        *v = r;
        return true;
    }

    bool varint(quint64* v)
    {
        quint64 r = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            quint8 b = 0;
            if (!u8(&b))
                return false;
            if (shift == 63 && b > 1)
                return fail(QStringLiteral("varint overflows 64 bits"));
            r |= quint64(b & 0x7f) << shift;
            // A trailing zero group is an overlong encoding: one value, one byte sequence.
            if (b == 0 && shift > 0)
                return fail(QStringLiteral("non-canonical varint"));
            if (!(b & 0x80)) {
                *v = r;
                return true;
            }
        }
        return fail(QStringLiteral("varint too long"));
    }

    // The bytes of a length-prefixed string, bounds- and limit-checked; advances past them.
    bool stringBytes(QByteArrayView* bytes)
    {
        quint64 len;
        if (!varint(&len))
            return false;
        if (len > left())
            return fail(QStringLiteral("string length %1 runs past the end").arg(len));
        if (len > quint64(InputLimits::kMaxStringBytes))
            return fail(QStringLiteral("string of %1 bytes exceeds the limit of %2 bytes")
                            .arg(len)
                            .arg(InputLimits::kMaxStringBytes));
        *bytes = QByteArrayView(m_data + m_pos, qsizetype(len));
        m_pos += len;
        return true;
    }

    bool string(QString* s)
    {
        QByteArrayView bytes;
        if (!stringBytes(&bytes))
            return false;
        bool ok = false;
        *s = StringPool::decodeUtf8(bytes, &ok);
        if (!ok)
            m_pos -= std::size_t(bytes.size()); // the error names where the string starts
        return ok || fail(QStringLiteral("invalid UTF-8 in string"));
    }

    // Labels and keys repeat across versions: they go through the pool when there is one.
    bool pooledString(QString* s)
    {
        if (!m_pool)
            return string(s);
        QByteArrayView bytes;
        if (!stringBytes(&bytes))
            return false;
        bool ok = false;
        *s = m_pool->intern(bytes, &ok);
        if (!ok)
            m_pos -= std::size_t(bytes.size());
        return ok || fail(QStringLiteral("invalid UTF-8 in string"));
    }

    // `what` and `limit` name the InputLimits limit the count is held to.
    bool count(quint64* n, const char* what, quint64 limit)
    {
        if (!varint(n))
            return false;
        // Every element takes at least one byte: a larger count is hostile.
        if (*n > left())
            return fail(QStringLiteral("element count %1 exceeds the remaining bytes").arg(*n));
        if (*n > limit)
            return fail(QStringLiteral("%1 of %2 elements exceeds the limit of %3")
                            .arg(QLatin1String(what))
                            .arg(*n)
                            .arg(limit));
        m_values += *n;
        if (m_values > InputLimits::kMaxValuesPerVersion)
            return fail(QStringLiteral("more than %1 property values in one version (the limit)")
                            .arg(InputLimits::kMaxValuesPerVersion));
        return true;
    }

    // Nothing is reserved from a count: nested containers may all claim the same remaining
    // bytes, so memory grows only with the elements actually decoded.
    bool mapEntries(PropertyValue::Map* map, int depth)
    {
        quint64 n;
        if (depth == 0 ? !count(&n, "properties map", InputLimits::kMaxPropertiesPerVersion)
                       : !count(&n, "map", InputLimits::kMaxListElements))
            return false;
        for (quint64 i = 0; i < n; ++i) {
            QString key;
            PropertyValue value;
            if (!pooledString(&key) || !value_(&value, depth))
                return false;
            if (!map->empty() && !(map->back().first < key))
                return fail(QStringLiteral("map keys out of order"));
            map->emplace_back(std::move(key), std::move(value));
        }
        return true;
    }

    bool value_(PropertyValue* v, int depth)
    {
        quint8 tag = 0;
        if (!u8(&tag))
            return false;
        switch (PropertyValue::Type(tag)) {
        case PropertyValue::Type::Null:
            *v = PropertyValue();
            return true;
        case PropertyValue::Type::Bool: {
            quint8 b = 0;
            if (!u8(&b))
                return false;
            if (b > 1)
                return fail(QStringLiteral("bad bool byte %1").arg(b));
            *v = PropertyValue(b == 1);
            return true;
        }
        case PropertyValue::Type::Int: {
            quint64 z;
            if (!varint(&z))
                return false;
            *v = PropertyValue(qint64((z >> 1) ^ (~(z & 1) + 1)));
            return true;
        }
        case PropertyValue::Type::Double: {
            quint64 bits = 0;
            if (!u64(&bits))
                return false;
            double d;
            std::memcpy(&d, &bits, 8);
            *v = PropertyValue(d);
            return true;
        }
        case PropertyValue::Type::String: {
            QString s;
            if (!string(&s))
                return false;
            *v = PropertyValue(std::move(s));
            return true;
        }
        case PropertyValue::Type::List: {
            if (depth >= VersionCodec::kMaxPropertyDepth)
                return fail(QStringLiteral("properties nested deeper than %1")
                                .arg(VersionCodec::kMaxPropertyDepth));
            quint64 n;
            if (!count(&n, "list", InputLimits::kMaxListElements))
                return false;
            PropertyValue::List list;
            for (quint64 i = 0; i < n; ++i) {
                PropertyValue item;
                if (!value_(&item, depth + 1))
                    return false;
                list.push_back(std::move(item));
            }
            *v = PropertyValue(std::move(list));
            return true;
        }
        case PropertyValue::Type::Map: {
            if (depth >= VersionCodec::kMaxPropertyDepth)
                return fail(QStringLiteral("properties nested deeper than %1")
                                .arg(VersionCodec::kMaxPropertyDepth));
            PropertyValue::Map map;
            if (!mapEntries(&map, depth + 1))
                return false;
            *v = PropertyValue(std::move(map));
            return true;
        }
        }
        return fail(QStringLiteral("unknown value tag %1").arg(tag));
    }

private:
    const char* m_data;
    std::size_t m_size;
    std::size_t m_pos = 0;
    StringPool* m_pool = nullptr;
    quint64 m_values = 0; // property values counted so far, at every level
    QString m_error;
};

} // namespace

void VersionCodec::encodeAppend(const Version& v, QByteArray& out)
{
    // The decoder refuses what exceeds InputLimits, so never write it: a record that cannot be
    // read back would be lost at recovery.
    if (const QString problem = InputLimits::problemWith(v); !problem.isEmpty())
        throw FrostlineError::badInput(
            QStringLiteral("version %1: %2").arg(v.versionId).arg(problem));
    // Maps are canonical (sorted keys) on the wire; a hand-built Version may not be.
    if (!std::is_sorted(v.properties.begin(), v.properties.end(),
                        [](const auto& a, const auto& b) { return a.first < b.first; })) {
        Version sorted = v;
        sorted.properties = PropertyValue::canonicalMap(std::move(sorted.properties));
        encodeAppend(sorted, out);
        return;
    }
    const qsizetype start = out.size();
    out.append(char(kFormatVersion));
    out.append(char(v.kind));
    putU64(out, v.versionId);
    putU64(out, v.entityId);
    putU64(out, quint64(v.validFrom));
    putU64(out, quint64(v.validTo));
    putU64(out, quint64(v.txFrom));
    putU64(out, quint64(v.txTo));
    if (v.isEdge()) {
        putU64(out, v.source);
        putU64(out, v.target);
    }
    putString(out, v.label);
    putMapEntries(out, v.properties);
    putU64(out, XXH3_64bits(out.constData() + start, std::size_t(out.size() - start)));
}

QByteArray VersionCodec::encode(const Version& version)
{
    QByteArray out;
    out.reserve(128);
    encodeAppend(version, out);
    return out;
}

bool VersionCodec::decode(QByteArrayView bytes, Version* out, QString* error)
{
    return decode(bytes, out, error, nullptr);
}

bool VersionCodec::decode(QByteArrayView bytes, Version* out, QString* error, StringPool* pool)
{
    auto failWith = [error](const QString& message) {
        if (error)
            *error = message;
        return false;
    };
    const std::size_t size = std::size_t(bytes.size());
    if (size < kFixedSize + 2 + kChecksumSize)
        return failWith(QStringLiteral("version record too short (%1 bytes)").arg(size));
    const auto* data = reinterpret_cast<const char*>(bytes.data());
    if (quint8(data[0]) != kFormatVersion)
        return failWith(QStringLiteral("unknown version record format %1").arg(quint8(data[0])));

    const std::size_t body = size - kChecksumSize;
    Reader trailer(data + body, kChecksumSize);
    quint64 stored = 0;
    trailer.u64(&stored);
    if (XXH3_64bits(data, body) != stored)
        return failWith(QStringLiteral("version record checksum mismatch"));

    Reader r(data, body, pool);
    quint8 format = 0, kind = 0;
    quint64 validFrom = 0, validTo = 0, txFrom = 0, txTo = 0;
    r.u8(&format);
    r.u8(&kind);
    if (kind > quint8(EntityKind::Edge))
        return failWith(QStringLiteral("bad kind byte %1").arg(kind));
    Version v;
    v.kind = EntityKind(kind);
    r.u64(&v.versionId);
    r.u64(&v.entityId);
    r.u64(&validFrom);
    r.u64(&validTo);
    r.u64(&txFrom);
    r.u64(&txTo);
    v.validFrom = qint64(validFrom);
    v.validTo = qint64(validTo);
    v.txFrom = qint64(txFrom);
    v.txTo = qint64(txTo);
    if (v.isEdge()) {
        r.u64(&v.source);
        r.u64(&v.target);
    }
    if (!r.failed())
        r.pooledString(&v.label);
    if (!r.failed())
        r.mapEntries(&v.properties, 0);
    if (!r.failed() && r.left() != 0)
        r.fail(QStringLiteral("%1 trailing bytes").arg(r.left()));
    if (r.failed())
        return failWith(r.error());
    *out = std::move(v);
    return true;
}

} // namespace frostline
