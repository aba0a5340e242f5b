#include "jsonlcodec.h"

#include "frostlineerror.h"
#include "inputlimits.h"
#include "stringpool.h"
#include "versioncodec.h"

#include <QFile>

#include <algorithm>

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

namespace frostline {

namespace {

using json = nlohmann::json;

constexpr qsizetype kMaxLineBytes = InputLimits::kMaxLineBytes;
// Operator-supplied text quoted in messages is cut short so a message stays one readable line.
constexpr qsizetype kMaxQuoted = 80;

// A JSON string's text exactly: nlohmann has checked the UTF-8, and a leading U+FEFF is kept
// (QString::fromUtf8 drops it as a byte order mark, and import then changed the string).
QString exactText(const std::string& text)
{
    bool ok = true;
    return StringPool::decodeUtf8(QByteArrayView(text.data(), qsizetype(text.size())), &ok);
}

QString quoteText(const std::string& text)
{
    QString s = exactText(text);
    if (s.size() > kMaxQuoted)
        s = s.left(kMaxQuoted) + QStringLiteral("...");
    return QLatin1Char('"') + s + QLatin1Char('"');
}

// ---------------------------------------------------------------------------------------------
// Encoding

void appendInt(QByteArray& out, auto value)
{
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, value);
    out.append(buf, r.ptr - buf);
}

void appendDouble(QByteArray& out, double d)
{
    // JSON has no NaN/Infinity and the importer rejects them, so they cannot come from a file;
    // should one reach us through the API we write null rather than invalid JSON.
    if (!std::isfinite(d)) {
        out.append("null");
        return;
    }
    // Shortest text that parses back to the very same bits; a whole double keeps a ".0" so it
    // re-imports as a double, not an integer.
    char buf[40];
    const auto r = std::to_chars(buf, buf + sizeof buf, d);
    const qsizetype n = r.ptr - buf;
    out.append(buf, n);
    if (std::memchr(buf, '.', std::size_t(n)) == nullptr &&
        std::memchr(buf, 'e', std::size_t(n)) == nullptr)
        out.append(".0");
}

void appendString(QByteArray& out, const QString& s)
{
    static const char hex[] = "0123456789abcdef";
    const QByteArray utf8 = s.toUtf8();
    out.append('"');
    const char* p = utf8.constData();
    const char* end = p + utf8.size();
    const char* run = p;
    for (; p != end; ++p) {
        const unsigned char c = static_cast<unsigned char>(*p);
        if (c >= 0x20 && c != '"' && c != '\\' && c != 0xC2 && c != 0xE2)
            continue;
        // U+0085, U+2028 and U+2029 are line breaks to many line splitters (Python's
        // splitlines, editors): escaped, so that one version stays one line for every reader.
        if (c == 0xC2 || c == 0xE2) {
            const char* escape = nullptr;
            if (c == 0xC2 && end - p >= 2 && static_cast<unsigned char>(p[1]) == 0x85)
                escape = "\\u0085";
            else if (c == 0xE2 && end - p >= 3 && static_cast<unsigned char>(p[1]) == 0x80 &&
                     (static_cast<unsigned char>(p[2]) & 0xFE) == 0xA8)
                escape = static_cast<unsigned char>(p[2]) == 0xA8 ? "\\u2028" : "\\u2029";
            if (!escape)
                continue;
            out.append(run, p - run);
            out.append(escape);
            p += c == 0xC2 ? 1 : 2;
            run = p + 1;
            continue;
        }
        out.append(run, p - run);
        run = p + 1;
        switch (c) {
        case '"':
            out.append("\\\"");
            break;
        case '\\':
            out.append("\\\\");
            break;
        case '\n':
            out.append("\\n");
            break;
        case '\r':
            out.append("\\r");
            break;
        case '\t':
            out.append("\\t");
            break;
        case '\b':
            out.append("\\b");
            break;
        case '\f':
            out.append("\\f");
            break;
        default: {
            const char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            out.append(esc, 6);
        }
        }
    }
    out.append(run, end - run);
    out.append('"');
}

void appendValue(QByteArray& out, const PropertyValue& v, int depth);

void appendMap(QByteArray& out, const PropertyValue::Map& map, int depth)
{
    // The map is canonical (sorted by key), so the text is canonical too.
    out.append('{');
    bool first = true;
    for (const auto& [key, value] : map) {
        if (!first)
            out.append(',');
        first = false;
        appendString(out, key);
        out.append(':');
        appendValue(out, value, depth);
    }
    out.append('}');
}

void appendValue(QByteArray& out, const PropertyValue& v, int depth)
{
    switch (v.type()) {
    case PropertyValue::Type::Null:
        out.append("null");
        return;
    case PropertyValue::Type::Bool:
        out.append(v.toBool() ? "true" : "false");
        return;
    case PropertyValue::Type::Int:
        appendInt(out, v.toInt());
        return;
    case PropertyValue::Type::Double:
        appendDouble(out, v.toDouble());
        return;
    case PropertyValue::Type::String:
        appendString(out, v.toString());
        return;
    case PropertyValue::Type::List:
    case PropertyValue::Type::Map:
        break;
    }
    // Bounds the recursion, and keeps export from writing what import would refuse.
    if (depth >= VersionCodec::kMaxPropertyDepth)
        throw FrostlineError::badInput(
            QStringLiteral("cannot export version: properties nested deeper than %1 levels")
                .arg(VersionCodec::kMaxPropertyDepth));
    if (v.type() == PropertyValue::Type::Map) {
        appendMap(out, v.toMap(), depth + 1);
        return;
    }
    out.append('[');
    bool first = true;
    for (const auto& item : v.toList()) {
        if (!first)
            out.append(',');
        first = false;
        appendValue(out, item, depth + 1);
    }
    out.append(']');
}

// ---------------------------------------------------------------------------------------------
// Decoding: a SAX handler builds the Version directly (no DOM), checks every field's type as it
// arrives and bounds the nesting of properties with an explicit stack, so deep input cannot
// overflow our stack (nlohmann's parser itself is iterative).

enum class Field : quint8
{
    None,
    Kind,
    VersionId,
    EntityId,
    Label,
    Source,
    Target,
    ValidFrom,
    ValidTo,
    TxFrom,
    TxTo,
    Properties,
    Tier,
    EstimatedSize,
};

struct FieldName
{
    const char* name;
    Field field;
};

constexpr FieldName kFieldNames[] = {
    {"kind", Field::Kind},
    {"version_id", Field::VersionId},
    {"entity_id", Field::EntityId},
    {"label", Field::Label},
    {"source", Field::Source},
    {"target", Field::Target},
    {"valid_from", Field::ValidFrom},
    {"valid_to", Field::ValidTo},
    {"tx_from", Field::TxFrom},
    {"tx_to", Field::TxTo},
    {"properties", Field::Properties},
    {"tier", Field::Tier},
    {"estimated_size", Field::EstimatedSize},
};

const char* fieldName(Field f)
{
    for (const auto& fn : kFieldNames)
        if (fn.field == f)
            return fn.name;
    return "?";
}

// One scalar JSON value as the parser reported it.
struct Scalar
{
    enum class Type
    {
        Null,
        Bool,
        Int,
        UInt,
        Float,
        String
    } type = Type::Null;
    bool b = false;
    qint64 i = 0;
    quint64 u = 0;
    double d = 0;
    const std::string* text = nullptr; // the string, or the number's literal text for Float

    // nlohmann hands integers beyond the 64-bit ranges over as doubles; their literal has no
    // fraction or exponent, which lets us call them out of range instead of "not an integer".
    bool isOverflowedInteger() const
    {
        return type == Type::Float && text && text->find_first_of(".eE") == std::string::npos;
    }
};

class LineHandler
{
public:
    LineHandler(Version* out, qsizetype lineSize) : m_v(out), m_lineSize(lineSize) {}

    QString error;

    bool null() { return scalar({}); }
    bool boolean(bool b)
    {
        Scalar s;
        s.type = Scalar::Type::Bool;
        s.b = b;
        return scalar(s);
    }
    bool number_integer(json::number_integer_t i)
    {
        Scalar s;
        s.type = Scalar::Type::Int;
        s.i = i;
        return scalar(s);
    }
    bool number_unsigned(json::number_unsigned_t u)
    {
        Scalar s;
        s.type = Scalar::Type::UInt;
        s.u = u;
        return scalar(s);
    }
    bool number_float(json::number_float_t d, const json::string_t& literal)
    {
        Scalar s;
        s.type = Scalar::Type::Float;
        s.d = d;
        s.text = &literal;
        return scalar(s);
    }
    bool string(json::string_t& text)
    {
        if (qsizetype(text.size()) > InputLimits::kMaxStringBytes && m_depth > 0) {
            if (!m_frames.empty())
                return fail(QStringLiteral("property %1: %2").arg(propertyPath(), tooLong(text)));
            if (m_field == Field::Label)
                return fail(QStringLiteral("\"label\": %1").arg(tooLong(text)));
        }
        Scalar s;
        s.type = Scalar::Type::String;
        s.text = &text;
        return scalar(s);
    }
    bool binary(json::binary_t&) { return fail(QStringLiteral("unexpected binary value")); }

    bool start_object(std::size_t)
    {
        if (m_depth == 0) {
            m_depth = 1;
            return true;
        }
        if (m_frames.empty()) {
            if (m_field != Field::Properties)
                return typeError();
        } else if (!checkNesting()) {
            return false;
        }
        m_frames.push_back(Frame{true, {}, {}, {}});
        ++m_depth;
        return true;
    }

    bool start_array(std::size_t)
    {
        if (m_depth == 0)
            return fail(QStringLiteral("expected a JSON object"));
        if (m_frames.empty())
            return typeError();
        if (!checkNesting())
            return false;
        m_frames.push_back(Frame{false, {}, {}, {}});
        ++m_depth;
        return true;
    }

    bool key(json::string_t& name)
    {
        if (!m_frames.empty()) {
            if (qsizetype(name.size()) > InputLimits::kMaxStringBytes)
                return fail(QStringLiteral("property key %1: %2")
                                .arg(quoteText(name.substr(0, kMaxQuoted + 1)), tooLong(name)));
            m_frames.back().key = exactText(name);
            return true;
        }
        m_field = Field::None;
        for (const auto& fn : kFieldNames)
            if (name == fn.name)
                m_field = fn.field;
        if (m_field == Field::None)
            return fail(QStringLiteral("unknown key %1").arg(quoteText(name)));
        const quint32 bit = 1u << unsigned(m_field);
        if (m_seen & bit)
            return fail(QStringLiteral("duplicate key %1").arg(quoteText(name)));
        m_seen |= bit;
        return true;
    }

    bool end_object()
    {
        --m_depth;
        if (m_depth == 0)
            return finish();
        Frame frame = std::move(m_frames.back());
        m_frames.pop_back();
        // A key given twice would keep only one value, and the line would not come back from an
        // export as it went in: refused, like a top-level key given twice.
        std::stable_sort(frame.map.begin(), frame.map.end(),
                         [](const auto& x, const auto& y) { return x.first < y.first; });
        const auto twice =
            std::adjacent_find(frame.map.begin(), frame.map.end(),
                               [](const auto& x, const auto& y) { return x.first == y.first; });
        if (twice != frame.map.end())
            return fail((m_frames.empty() ? QString()
                                          : QStringLiteral("property %1: ").arg(propertyPath())) +
                        QStringLiteral("duplicate property key %1")
                            .arg(quoteText(twice->first.toStdString())));
        if (m_frames.empty()) {
            m_v->properties = std::move(frame.map); // sorted and without duplicates: canonical
            return true;
        }
        return addProperty(PropertyValue(std::move(frame.map)));
    }

    bool end_array()
    {
        --m_depth;
        Frame frame = std::move(m_frames.back());
        m_frames.pop_back();
        return addProperty(PropertyValue(std::move(frame.list)));
    }

    bool parse_error(std::size_t position, const std::string&,
                     const nlohmann::detail::exception& ex)
    {
        // nlohmann's text is "[json.exception.parse_error.101] parse error at line 1, column 17:
        // <reason>"; we keep the reason and say the column ourselves.
        std::string reason = ex.what();
        if (reason.starts_with("[json.exception.")) {
            if (const auto close = reason.find("] "); close != std::string::npos)
                reason.erase(0, close + 2);
        }
        if (reason.starts_with("parse error")) {
            if (const auto colon = reason.find(": "); colon != std::string::npos)
                reason.erase(0, colon + 2);
        }
        QString text = QString::fromUtf8(reason.data(), qsizetype(reason.size()));
        if (text.size() > 300)
            text = text.left(300) + QStringLiteral("...");
        // The column where the parser stopped (it may have looked one past the end).
        const qsizetype column = std::max<qsizetype>(1, std::min(qsizetype(position), m_lineSize));
        error = QStringLiteral("malformed JSON at column %1: %2").arg(column).arg(text);
        return false;
    }

private:
    struct Frame
    {
        bool isMap;
        PropertyValue::Map map;
        PropertyValue::List list;
        QString key; // the pending key of a map
    };

    bool fail(const QString& message)
    {
        if (error.isEmpty())
            error = message;
        return false;
    }

    bool has(Field f) const { return m_seen & (1u << unsigned(f)); }

    QString field() const
    {
        return QLatin1Char('"') + QLatin1String(fieldName(m_field)) + QLatin1Char('"');
    }

    // Where in the properties we are, e.g. "tags[2].name", for messages.
    QString propertyPath() const
    {
        QString path;
        for (const auto& f : m_frames) {
            if (f.isMap)
                path += (path.isEmpty() ? QString() : QStringLiteral(".")) + f.key;
            else
                path += QStringLiteral("[%1]").arg(f.list.size());
            if (path.size() > kMaxQuoted)
                return QLatin1Char('"') + path.left(kMaxQuoted) + QStringLiteral("...\"");
        }
        return QLatin1Char('"') + path + QLatin1Char('"');
    }

    bool typeError()
    {
        switch (m_field) {
        case Field::Kind:
            return fail(QStringLiteral("\"kind\" must be \"node\" or \"edge\""));
        case Field::VersionId:
        case Field::EntityId:
        case Field::Source:
        case Field::Target:
        case Field::ValidFrom:
        case Field::TxFrom:
            return fail(QStringLiteral("%1 must be an integer").arg(field()));
        case Field::ValidTo:
        case Field::TxTo:
            return fail(QStringLiteral("%1 must be an integer or null").arg(field()));
        case Field::Label:
            return fail(QStringLiteral("\"label\" must be a string"));
        case Field::Properties:
            return fail(QStringLiteral("\"properties\" must be an object"));
        case Field::Tier:
            return fail(QStringLiteral("\"tier\" must be \"hot\" or \"cold\""));
        case Field::EstimatedSize:
            return fail(QStringLiteral("\"estimated_size\" must be a non-negative integer"));
        case Field::None:
            break;
        }
        return fail(QStringLiteral("unexpected value"));
    }

    bool checkNesting()
    {
        // m_frames holds the properties object itself plus one frame per open list/map value.
        if (m_frames.size() > std::size_t(VersionCodec::kMaxPropertyDepth))
            return fail(QStringLiteral("property %1 is nested deeper than %2 levels")
                            .arg(propertyPath())
                            .arg(VersionCodec::kMaxPropertyDepth));
        return true;
    }

    static QString tooLong(const std::string& text)
    {
        return QStringLiteral("string of %1 bytes exceeds the limit of %2 bytes")
            .arg(text.size())
            .arg(InputLimits::kMaxStringBytes);
    }

    bool addProperty(PropertyValue&& value)
    {
        Frame& f = m_frames.back();
        const std::size_t n = (f.isMap ? f.map.size() : f.list.size()) + 1;
        if (m_frames.size() == 1 && n > InputLimits::kMaxPropertiesPerVersion)
            return fail(QStringLiteral("more than %1 properties in one version (the limit)")
                            .arg(InputLimits::kMaxPropertiesPerVersion));
        if (m_frames.size() > 1 && n > InputLimits::kMaxListElements) {
            // The frame's pending key/index names where the extra element would go.
            return fail(
                QStringLiteral("property %1: %2 exceeds the limit of %3 elements")
                    .arg(propertyPath(), f.isMap ? QStringLiteral("map") : QStringLiteral("list"))
                    .arg(InputLimits::kMaxListElements));
        }
        if (++m_values > InputLimits::kMaxValuesPerVersion)
            return fail(QStringLiteral("more than %1 property values in one version (the limit)")
                            .arg(InputLimits::kMaxValuesPerVersion));
        if (f.isMap)
            f.map.emplace_back(std::move(f.key), std::move(value));
        else
            f.list.push_back(std::move(value));
        return true;
    }

    bool propertyScalar(const Scalar& s)
    {
        switch (s.type) {
        case Scalar::Type::Null:
            return addProperty(PropertyValue());
        case Scalar::Type::Bool:
            return addProperty(PropertyValue(s.b));
        case Scalar::Type::Int:
            return addProperty(PropertyValue(qint64(s.i)));
        case Scalar::Type::UInt:
            if (s.u > quint64(std::numeric_limits<qint64>::max()))
                return fail(QStringLiteral("property %1: integer %2 is beyond the int64 range")
                                .arg(propertyPath())
                                .arg(s.u));
            return addProperty(PropertyValue(qint64(s.u)));
        case Scalar::Type::Float:
            if (s.isOverflowedInteger())
                return fail(QStringLiteral("property %1: integer %2 is beyond the int64 range")
                                .arg(propertyPath(), quoteText(*s.text).mid(1).chopped(1)));
            if (!std::isfinite(s.d))
                return fail(QStringLiteral("property %1: number %2 is beyond the double range")
                                .arg(propertyPath(), quoteText(*s.text).mid(1).chopped(1)));
            return addProperty(PropertyValue(s.d));
        case Scalar::Type::String:
            return addProperty(PropertyValue(exactText(*s.text)));
        }
        return false;
    }

    bool unsignedField(const Scalar& s, quint64* out)
    {
        if (s.type == Scalar::Type::UInt) {
            *out = s.u;
            return true;
        }
        if (s.type == Scalar::Type::Int)
            return fail(QStringLiteral("%1 must not be negative").arg(field()));
        if (s.isOverflowedInteger() && s.text->front() != '-')
            return fail(QStringLiteral("%1 is beyond the range of an unsigned 64-bit integer")
                            .arg(field()));
        if (s.isOverflowedInteger())
            return fail(QStringLiteral("%1 must not be negative").arg(field()));
        return typeError();
    }

    bool timeField(const Scalar& s, qint64* out)
    {
        if (s.type == Scalar::Type::Int) {
            *out = s.i;
            return true;
        }
        if (s.type == Scalar::Type::UInt && s.u <= quint64(std::numeric_limits<qint64>::max())) {
            *out = qint64(s.u);
            return true;
        }
        if (s.type == Scalar::Type::UInt || s.isOverflowedInteger())
            return fail(QStringLiteral("%1 is beyond the int64 range").arg(field()));
        return typeError();
    }

    bool scalar(const Scalar& s)
    {
        if (m_depth == 0)
            return fail(QStringLiteral("expected a JSON object"));
        if (!m_frames.empty())
            return propertyScalar(s);
        switch (m_field) {
        case Field::Kind:
            if (s.type != Scalar::Type::String || (*s.text != "node" && *s.text != "edge"))
                return typeError();
            m_v->kind = *s.text == "edge" ? EntityKind::Edge : EntityKind::Node;
            return true;
        case Field::VersionId:
            return unsignedField(s, &m_v->versionId);
        case Field::EntityId:
            return unsignedField(s, &m_v->entityId);
        case Field::Source:
            return unsignedField(s, &m_v->source);
        case Field::Target:
            return unsignedField(s, &m_v->target);
        case Field::Label:
            if (s.type != Scalar::Type::String)
                return typeError();
            m_v->label = exactText(*s.text);
            return true;
        case Field::ValidFrom:
            return timeField(s, &m_v->validFrom);
        case Field::TxFrom:
            return timeField(s, &m_v->txFrom);
        case Field::ValidTo:
            return endField(s, &m_v->validTo, "valid_to");
        case Field::TxTo:
            return endField(s, &m_v->txTo, "tx_to");
        case Field::Tier:
            if (s.type != Scalar::Type::String || (*s.text != "hot" && *s.text != "cold"))
                return typeError();
            return true;
        case Field::EstimatedSize:
            if (s.type != Scalar::Type::UInt)
                return typeError();
            return true;
        case Field::Properties:
        case Field::None:
            break;
        }
        return typeError();
    }

    // valid_to / tx_to: null is the open end. The number that stands for it inside is refused,
    // since it would come back out of an export as null (a version must round-trip unchanged).
    bool endField(const Scalar& s, qint64* end, const char* name)
    {
        if (s.type == Scalar::Type::Null) {
            *end = kOpenEnd;
            return true;
        }
        if (!timeField(s, end))
            return false;
        if (*end == kOpenEnd)
            return fail(QStringLiteral("\"%1\" must be less than %2 (that value is the open end: "
                                       "write null)")
                            .arg(QLatin1String(name))
                            .arg(kOpenEnd));
        return true;
    }

    bool checkRange(qint64 from, qint64 to, const char* fromName, const char* toName)
    {
        if (from == kOpenEnd)
            return fail(QStringLiteral("\"%1\" must be less than %2 (the open end)")
                            .arg(QLatin1String(fromName))
                            .arg(kOpenEnd));
        if (to <= from)
            return fail(QStringLiteral("\"%1\" must be greater than \"%2\"")
                            .arg(QLatin1String(toName), QLatin1String(fromName)));
        return true;
    }

    bool finish()
    {
        for (Field f : {Field::Kind, Field::VersionId, Field::EntityId, Field::Label,
                        Field::ValidFrom, Field::TxFrom})
            if (!has(f))
                return fail(QStringLiteral("missing \"%1\"").arg(QLatin1String(fieldName(f))));
        for (Field f : {Field::Source, Field::Target}) {
            if (m_v->isEdge() && !has(f))
                return fail(QStringLiteral("missing \"%1\" (edges need \"source\" and \"target\")")
                                .arg(QLatin1String(fieldName(f))));
            if (!m_v->isEdge() && has(f))
                return fail(QStringLiteral("\"%1\" is only allowed on edges")
                                .arg(QLatin1String(fieldName(f))));
        }
        return checkRange(m_v->validFrom, m_v->validTo, "valid_from", "valid_to") &&
               checkRange(m_v->txFrom, m_v->txTo, "tx_from", "tx_to");
    }

    Version* m_v;
    qsizetype m_lineSize;
    int m_depth = 0;      // open JSON containers, the top-level object included
    quint64 m_values = 0; // property values so far, at every level
    Field m_field = Field::None;
    quint32 m_seen = 0; // bit per Field present
    std::vector<Frame> m_frames;
};

bool isBlank(QByteArrayView line)
{
    for (char c : line)
        if (c != ' ' && c != '\t' && c != '\r')
            return false;
    return true;
}

} // namespace

QByteArray JsonlCodec::quoted(const QString& text)
{
    QByteArray out;
    appendString(out, text);
    return out;
}

QByteArray JsonlCodec::encode(const Version& v, Tier tier)
{
    QByteArray out;
    out.reserve(160);
    out.append(v.isEdge() ? "{\"kind\":\"edge\",\"version_id\":"
                          : "{\"kind\":\"node\",\"version_id\":");
    appendInt(out, v.versionId);
    out.append(",\"entity_id\":");
    appendInt(out, v.entityId);
    out.append(",\"label\":");
    appendString(out, v.label);
    if (v.isEdge()) {
        out.append(",\"source\":");
        appendInt(out, v.source);
        out.append(",\"target\":");
        appendInt(out, v.target);
    }
    const auto appendTime = [&out](const char* key, qint64 t, bool nullable) {
        out.append(key);
        if (nullable && t == kOpenEnd)
            out.append("null");
        else
            appendInt(out, t);
    };
    appendTime(",\"valid_from\":", v.validFrom, false);
    appendTime(",\"valid_to\":", v.validTo, true);
    appendTime(",\"tx_from\":", v.txFrom, false);
    appendTime(",\"tx_to\":", v.txTo, true);
    out.append(",\"properties\":");
    appendMap(out, v.properties, 0);
    if (tier != Tier::None) {
        out.append(tier == Tier::Hot ? ",\"tier\":\"hot\"" : ",\"tier\":\"cold\"");
        out.append(",\"estimated_size\":");
        appendInt(out, quint64(v.estimatedSize()));
    }
    out.append('}');
    return out;
}

bool JsonlCodec::decodeLine(QByteArrayView line, Version* out, QString* error)
{
    const auto failWith = [error](const QString& message) {
        if (error)
            *error = message;
        return false;
    };
    if (line.size() > kMaxLineBytes)
        return failWith(QStringLiteral("line is longer than 16 MiB (%1 bytes)").arg(kMaxLineBytes));
    Version v;
    LineHandler handler(&v, line.size());
    const char* begin = line.data();
    const bool ok = json::sax_parse(begin, begin + line.size(), &handler);
    if (!ok || !handler.error.isEmpty())
        return failWith(handler.error.isEmpty() ? QStringLiteral("malformed JSON") : handler.error);
    *out = std::move(v);
    return true;
}

std::vector<Version> JsonlCodec::readAll(QIODevice& device, const QString& sourceName,
                                         std::size_t maxVersions, std::vector<qint64>* lineNumbers)
{
    if (!device.isReadable())
        throw FrostlineError::runtime(
            QStringLiteral("%1: cannot read: not open for reading").arg(sourceName));
    std::vector<Version> versions;
    // Read in chunks: memory holds the chunk and the line being assembled (at most the line
    // limit), never the file, and a small file never needs a 16 MiB buffer.
    constexpr qsizetype kChunk = 64 * 1024;
    QByteArray pending;     // bytes read and not yet consumed start at `start`
    qsizetype start = 0;    // first byte of the current line in `pending`
    qsizetype scanFrom = 0; // no newline in pending[start, scanFrom)
    bool atEnd = false;
    qint64 lineNo = 0;
    QString error;
    for (;;) {
        qsizetype newline = pending.indexOf('\n', scanFrom);
        if (newline < 0 && pending.size() - start > kMaxLineBytes)
            throw FrostlineError::badInput(
                QStringLiteral("%1: line %2: line is longer than 16 MiB (%3 bytes)")
                    .arg(sourceName)
                    .arg(lineNo + 1)
                    .arg(kMaxLineBytes));
        if (newline < 0 && !atEnd) {
            pending.remove(0, start); // once per chunk: consumed lines cost no repeated copies
            scanFrom = pending.size();
            start = 0;
            pending.resize(scanFrom + kChunk);
            const qint64 n = device.read(pending.data() + scanFrom, kChunk);
            if (n < 0 && !device.atEnd())
                throw FrostlineError::runtime(QStringLiteral("%1: line %2: cannot read: %3")
                                                  .arg(sourceName)
                                                  .arg(lineNo + 1)
                                                  .arg(device.errorString()));
            pending.resize(scanFrom + std::max<qint64>(n, 0));
            atEnd = n <= 0;
            continue;
        }
        if (newline < 0 && start == pending.size())
            break;
        const qsizetype lineEnd = newline < 0 ? pending.size() : newline;
        QByteArrayView line(pending.constData() + start, lineEnd - start);
        start = scanFrom = newline < 0 ? pending.size() : newline + 1;
        ++lineNo;
        if (line.size() > kMaxLineBytes)
            throw FrostlineError::badInput(
                QStringLiteral("%1: line %2: line is longer than 16 MiB (%3 bytes)")
                    .arg(sourceName)
                    .arg(lineNo)
                    .arg(kMaxLineBytes));
        if (line.endsWith('\r'))
            line.chop(1);
        // A UTF-8 byte order mark some editors put at the start of a file.
        if (lineNo == 1 && line.startsWith("\xEF\xBB\xBF"))
            line = line.sliced(3);
        if (isBlank(line))
            continue;
        if (versions.size() >= maxVersions)
            throw FrostlineError::badInput(
                QStringLiteral("%1: line %2: more than %3 versions in one import (the limit)")
                    .arg(sourceName)
                    .arg(lineNo)
                    .arg(maxVersions));
        Version v;
        if (!decodeLine(line, &v, &error))
            throw FrostlineError::badInput(location(sourceName, lineNo) + QStringLiteral(": ") +
                                           error);
        versions.push_back(std::move(v));
        if (lineNumbers)
            lineNumbers->push_back(lineNo);
    }
    return versions;
}

QString JsonlCodec::location(const QString& sourceName, qint64 line)
{
    return QStringLiteral("%1: line %2").arg(sourceName).arg(line);
}

std::vector<Version> JsonlCodec::readFile(const QString& path, std::vector<qint64>* lineNumbers)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw FrostlineError::badInput(
            QStringLiteral("cannot open \"%1\": %2").arg(path, file.errorString()));
    return readAll(file, path, InputLimits::kMaxVersionsPerImport, lineNumbers);
}

} // namespace frostline
