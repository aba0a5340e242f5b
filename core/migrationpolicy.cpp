#include "migrationpolicy.h"

#include "frostlineerror.h"
#include "inputlimits.h"
#include "privatefile.h"
#include "timestamps.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>

#include <nlohmann/json.hpp>
#include <toml.hpp>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fcntl.h>
#include <limits>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

namespace frostline {

namespace {

constexpr const char* kAgeKey = "age_threshold_secs";
constexpr const char* kMemoryKey = "memory_threshold_bytes";
constexpr const char* kMinHotKey = "min_hot_versions";
constexpr const char* kBatchKey = "batch_size";
constexpr const char* kIntervalKey = "run_interval_secs";
constexpr const char* kEnabledKey = "enabled";
constexpr const char* kLruKey = "enable_lru";

// Integers are capped at INT64_MAX so that every value survives any JSON writer exactly
// (QJsonValue keeps qint64 exactly but not quint64 beyond it).
constexpr quint64 kMaxInteger = static_cast<quint64>(std::numeric_limits<qint64>::max());
// The largest duration whose microseconds fit in qint64.
// The largest duration: whole seconds whose microseconds fit in qint64 (~292,000 years).
constexpr const char* kMaxSecondsText = "9223372036854";
constexpr qint64 kMaxDurationMicros = 9223372036854LL * 1'000'000;

QString quoted(const char* key)
{
    return QStringLiteral("\"%1\"").arg(QLatin1String(key));
}

QString fromStd(const std::string& s)
{
    return QString::fromStdString(s);
}

// What the operator wrote (a key, a value), fit for a one-line message: control characters
// escaped (a newline or an escape sequence in a key must not break or recolour the line) and
// anything past 40 bytes cut.
QString shownText(const std::string& text)
{
    std::string out;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", unsigned(u));
            out += escaped;
        } else {
            out += c;
        }
        if (out.size() > 40)
            break;
    }
    if (out.size() > 40)
        out = out.substr(0, 37) + "...";
    return fromStd(out);
}

// Microseconds as decimal seconds: an integer when whole, else a fraction exact to the
// microsecond ("1.5", "0.000001").
std::string secondsTextStd(qint64 micros)
{
    const bool negative = micros < 0;
    // Work in unsigned so INT64_MIN has a magnitude.
    const quint64 magnitude = negative ? 0 - static_cast<quint64>(micros) : quint64(micros);
    std::string text = std::to_string(magnitude / 1'000'000);
    if (const quint64 frac = magnitude % 1'000'000; frac != 0) {
        std::string digits = std::to_string(frac);
        digits.insert(0, 6 - digits.size(), '0');
        while (digits.back() == '0')
            digits.pop_back();
        text += '.' + digits;
    }
    return negative ? '-' + text : text;
}

enum class Conversion
{
    Ok,
    Negative,
    TooLarge,
    Invalid
};

// Decimal number text ("604800", "1.5", "1e-06", "-2.5E+3") to microseconds, rounded to the
// nearest microsecond (halves away from zero), without going through binary floating point so
// that "0.000001" is exactly 1 microsecond.
Conversion decimalSecondsToMicros(std::string_view text, qint64* micros)
{
    std::size_t i = 0;
    bool negative = false;
    if (i < text.size() && (text[i] == '-' || text[i] == '+'))
        negative = text[i++] == '-';
    std::string digits;
    long long exponent = 0; // value = digits * 10^exponent
    bool sawDigit = false;
    bool sawPoint = false;
    for (; i < text.size(); ++i) {
        const char c = text[i];
        if (c >= '0' && c <= '9') {
            sawDigit = true;
            if (!(digits.empty() && c == '0'))
                digits += c;
            if (sawPoint)
                --exponent;
        } else if (c == '.' && !sawPoint) {
            sawPoint = true;
        } else if (c == '_') {
            continue; // TOML digit separator
        } else {
            break;
        }
    }
    if (!sawDigit)
        return Conversion::Invalid;
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        long long e = 0;
        bool eNegative = false;
        if (i < text.size() && (text[i] == '-' || text[i] == '+'))
            eNegative = text[i++] == '-';
        bool eDigit = false;
        for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
            eDigit = true;
            if (e < 100000)
                e = e * 10 + (text[i] - '0');
        }
        if (!eDigit)
            return Conversion::Invalid;
        exponent += eNegative ? -e : e;
    }
    if (i != text.size())
        return Conversion::Invalid;
    if (digits.empty()) { // zero, whatever its exponent
        *micros = 0;
        return Conversion::Ok;
    }
    if (negative)
        return Conversion::Negative;
    // Keep the digits that land at or above the microsecond; round on the first one below.
    const long long shift = exponent + 6;
    const long long n = static_cast<long long>(digits.size());
    const long long integerDigits = n + shift;
    if (integerDigits > 19)
        return Conversion::TooLarge;
    quint64 value = 0; // at most 19 digits (+1 for rounding): fits in 64 bits
    for (long long k = 0; k < integerDigits; ++k)
        value = value * 10 + (k < n ? digits[k] - '0' : 0);
    if (integerDigits >= 0 && integerDigits < n && digits[integerDigits] >= '5')
        ++value;
    if (value > kMaxInteger)
        return Conversion::TooLarge;
    *micros = static_cast<qint64>(value);
    return Conversion::Ok;
}

std::string shortestDouble(double d)
{
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, d);
    return std::string(buffer, result.ptr);
}

Conversion doubleSecondsToMicros(double seconds, qint64* micros)
{
    if (std::isnan(seconds))
        return Conversion::Invalid;
    if (std::isinf(seconds))
        return seconds < 0 ? Conversion::Negative : Conversion::TooLarge;
    // The shortest text that reads back as this double is what the operator wrote (up to 15
    // significant digits), so converting that text is exact where binary rounding is not.
    return decimalSecondsToMicros(shortestDouble(seconds), micros);
}

// One value as read from JSON or TOML, before it is checked against its key.
struct RawValue
{
    enum class Type
    {
        Signed,
        Unsigned,
        Float,
        Bool,
        Other
    };
    Type type = Type::Other;
    qint64 i = 0;
    quint64 u = 0;
    double d = 0;
    bool b = false;
    bool outOfRange = false; // an integer literal too large for 64 bits
    std::string shown;       // what the operator wrote, for messages
};

using RawEntries = std::vector<std::pair<std::string, RawValue>>;

QString gotText(const RawValue& v)
{
    return QStringLiteral(" (got %1)").arg(shownText(v.shown));
}

// An integer field: JSON/TOML integers, or a float that is a whole number exactly representable
// (so "1e9" bytes is accepted but 1.5 and 2^64 are not).
std::optional<quint64> readInteger(const RawValue& v, quint64 minimum, const char* key,
                                   QStringList* problems)
{
    const QString below =
        QStringLiteral("%1 must be an integer >= %2").arg(quoted(key)).arg(minimum);
    const QString above =
        QStringLiteral("%1 must be an integer <= %2").arg(quoted(key)).arg(kMaxInteger);
    std::optional<quint64> value;
    bool tooLarge = v.outOfRange;
    bool inexact = false;
    switch (v.type) {
    case RawValue::Type::Signed:
        if (v.i >= 0)
            value = quint64(v.i);
        break;
    case RawValue::Type::Unsigned:
        value = v.u;
        break;
    case RawValue::Type::Float:
        if (std::isfinite(v.d) && v.d == std::floor(v.d) && v.d >= 0) {
            // Below 2^53 every integer is exact in a double; above, "9007199254740993.0" would
            // silently become ...992, so such a value must be written in digits.
            if (v.d < 9007199254740992.0)
                value = quint64(v.d);
            else if (v.d < double(kMaxInteger)) // 2^63 itself is above the maximum
                inexact = true;
            else
                tooLarge = true;
        }
        break;
    default:
        break;
    }
    if (inexact) {
        problems->append(QStringLiteral("%1 must be an integer written in digits, without a "
                                        "fraction or exponent, from 9007199254740992 (2^53) up")
                             .arg(quoted(key)) +
                         gotText(v));
        return std::nullopt;
    }
    if (tooLarge || (value && *value > kMaxInteger)) {
        problems->append(above + gotText(v));
        return std::nullopt;
    }
    if (!value || *value < minimum) {
        problems->append(below + gotText(v));
        return std::nullopt;
    }
    return value;
}

std::optional<qint64> readSeconds(const RawValue& v, bool zeroAllowed, const char* key,
                                  QStringList* problems)
{
    const QString below =
        QStringLiteral("%1 must be a number of seconds %2")
            .arg(quoted(key), zeroAllowed ? QStringLiteral(">= 0") : QStringLiteral(">= 0.000001"));
    const QString above = QStringLiteral("%1 must be a number of seconds <= %2")
                              .arg(quoted(key), QLatin1String(kMaxSecondsText));
    qint64 micros = 0;
    Conversion c = Conversion::Invalid;
    if (v.outOfRange) {
        c = v.shown.starts_with('-') ? Conversion::Negative : Conversion::TooLarge;
    } else if (v.type == RawValue::Type::Signed) {
        c = decimalSecondsToMicros(std::to_string(v.i), &micros);
    } else if (v.type == RawValue::Type::Unsigned) {
        c = decimalSecondsToMicros(std::to_string(v.u), &micros);
    } else if (v.type == RawValue::Type::Float) {
        c = doubleSecondsToMicros(v.d, &micros);
    }
    if (c == Conversion::TooLarge || (c == Conversion::Ok && micros > kMaxDurationMicros)) {
        problems->append(above + gotText(v));
        return std::nullopt;
    }
    if (c != Conversion::Ok || (!zeroAllowed && micros == 0)) {
        problems->append(below + gotText(v));
        return std::nullopt;
    }
    return micros;
}

std::optional<bool> readBool(const RawValue& v, const char* key, QStringList* problems)
{
    if (v.type != RawValue::Type::Bool) {
        problems->append(QStringLiteral("%1 must be true or false").arg(quoted(key)) + gotText(v));
        return std::nullopt;
    }
    return v.b;
}

// The one place where keys meet their rules, shared by JSON and TOML.
MigrationPolicy policyFromEntries(const RawEntries& entries, const QString& sourceName)
{
    static const std::set<std::string> known{kAgeKey,      kMemoryKey,  kMinHotKey, kBatchKey,
                                             kIntervalKey, kEnabledKey, kLruKey};
    QStringList problems;
    std::map<std::string, const RawValue*> byKey;
    for (const auto& [key, value] : entries) {
        if (!known.contains(key))
            problems.append(QStringLiteral("unknown key \"%1\"").arg(shownText(key)));
        else
            byKey[key] = &value;
    }
    MigrationPolicy policy;
    auto find = [&](const char* key) -> const RawValue* {
        const auto it = byKey.find(key);
        return it == byKey.end() ? nullptr : it->second;
    };
    if (const RawValue* v = find(kAgeKey))
        policy.ageThresholdMicros = readSeconds(*v, true, kAgeKey, &problems).value_or(0);
    if (const RawValue* v = find(kMemoryKey))
        policy.memoryThresholdBytes = readInteger(*v, 1, kMemoryKey, &problems).value_or(0);
    if (const RawValue* v = find(kMinHotKey))
        policy.minHotVersions = readInteger(*v, 0, kMinHotKey, &problems).value_or(0);
    if (const RawValue* v = find(kBatchKey))
        policy.batchSize = readInteger(*v, 1, kBatchKey, &problems).value_or(0);
    if (const RawValue* v = find(kIntervalKey))
        policy.runIntervalMicros = readSeconds(*v, false, kIntervalKey, &problems).value_or(0);
    if (const RawValue* v = find(kEnabledKey))
        policy.enabled = readBool(*v, kEnabledKey, &problems).value_or(false);
    if (const RawValue* v = find(kLruKey))
        policy.enableLru = readBool(*v, kLruKey, &problems).value_or(false);
    if (!problems.isEmpty())
        throw FrostlineError::badInput(sourceName + QStringLiteral(": ") +
                                       problems.join(QStringLiteral("; ")));
    return policy;
}

RawValue rawFromJson(const nlohmann::json& j)
{
    RawValue v;
    v.shown = j.dump();
    if (j.is_number_unsigned()) {
        v.type = RawValue::Type::Unsigned;
        v.u = j.get<quint64>();
    } else if (j.is_number_integer()) {
        v.type = RawValue::Type::Signed;
        v.i = j.get<qint64>();
    } else if (j.is_number_float()) {
        v.type = RawValue::Type::Float;
        v.d = j.get<double>();
    } else if (j.is_boolean()) {
        v.type = RawValue::Type::Bool;
        v.b = j.get<bool>();
    }
    return v;
}

// toml11 saturates integer literals beyond 64 bits instead of failing, so the literal itself is
// checked whenever a value sits at a limit.
bool tomlIntegerLiteralFits(const std::string& literal)
{
    std::string digits;
    for (char c : literal)
        if (c != '_' && c != '+')
            digits += c;
    int base = 10;
    std::size_t start = 0;
    bool negative = false;
    if (!digits.empty() && digits[0] == '-') {
        negative = true;
        start = 1;
    }
    if (digits.size() > start + 2 && digits[start] == '0') {
        const char p = digits[start + 1];
        base = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 10;
        if (base != 10)
            start += 2;
    }
    std::string text = (negative ? "-" : "") + digits.substr(start);
    qint64 value = 0;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), value, base);
    return r.ec == std::errc() && r.ptr == text.data() + text.size();
}

RawValue rawFromToml(const toml::value& t)
{
    RawValue v;
    const auto loc = t.location();
    const std::string& line = loc.line_str();
    if (loc.column() >= 1 && loc.column() - 1 + loc.region() <= line.size())
        v.shown = line.substr(loc.column() - 1, loc.region());
    if (t.is_integer()) {
        v.type = RawValue::Type::Signed;
        v.i = t.as_integer();
        if ((v.i == std::numeric_limits<qint64>::max() ||
             v.i == std::numeric_limits<qint64>::min()) &&
            !tomlIntegerLiteralFits(v.shown))
            v.outOfRange = true;
    } else if (t.is_floating()) {
        v.type = RawValue::Type::Float;
        v.d = t.as_floating();
    } else if (t.is_boolean()) {
        v.type = RawValue::Type::Bool;
        v.b = t.as_boolean();
    } else if (t.is_table()) {
        v.shown = "a table";
    } else if (t.is_array()) {
        v.shown = "an array";
    }
    if (v.shown.empty())
        v.shown = toml::format(t);
    if (v.type == RawValue::Type::Float && v.shown.empty())
        v.shown = shortestDouble(v.d);
    return v;
}

// toml11 reports errors over several lines; the operator gets one: the reason and the line.
QString oneLineTomlError(const std::string& what)
{
    std::istringstream lines(what);
    std::string line;
    std::string reason;
    std::string lineNumber;
    while (std::getline(lines, line)) {
        if (reason.empty() && line.starts_with("[error] ")) {
            reason = line.substr(8);
            if (reason.starts_with("toml::")) {
                if (const auto colon = reason.find(": "); colon != std::string::npos)
                    reason = reason.substr(colon + 2);
            }
            continue;
        }
        // Source lines look like " 12 | key = value".
        const auto bar = line.find(" | ");
        if (bar != std::string::npos) {
            std::string n = line.substr(0, bar);
            n.erase(0, n.find_first_not_of(' '));
            if (!n.empty() && n.find_first_not_of("0123456789") == std::string::npos)
                lineNumber = n;
        }
    }
    if (reason.empty())
        reason = what.substr(0, what.find('\n'));
    return lineNumber.empty() ? QStringLiteral("malformed TOML: %1").arg(fromStd(reason))
                              : QStringLiteral("malformed TOML at line %1: %2")
                                    .arg(fromStd(lineNumber), fromStd(reason));
}

// Hostile-input limits, checked before a parser sees the text: the size, and the bracket
// nesting (TOML's parser recurses into arrays and inline tables, and both formats' documents
// are freed recursively). TOML dotted keys nest tables too, so their dots count as levels.
// The scan is conservative; a real policy is seven scalar keys at depth 1.
void checkPolicyLimits(std::string_view text, bool toml, const QString& sourceName)
{
    if (qsizetype(text.size()) > InputLimits::kMaxPolicyBytes)
        throw FrostlineError::badInput(
            QStringLiteral("%1: policy file of %2 bytes exceeds the limit of %3 bytes")
                .arg(sourceName)
                .arg(text.size())
                .arg(InputLimits::kMaxPolicyBytes));
    std::vector<int> open; // per open bracket: the levels it adds (1 + dots of its key)
    int depth = 0;         // sum of `open`
    int keyDots = 0;       // dots of the key being read (TOML)
    bool inKey = toml;     // TOML: reading a key (line start, after '{' or ',' in a table)
    qsizetype line = 1;
    const auto tooDeep = [&] {
        throw FrostlineError::badInput(
            QStringLiteral("%1: line %2: nested deeper than %3 levels (the limit)")
                .arg(sourceName)
                .arg(line)
                .arg(InputLimits::kMaxNestingDepth));
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        // JSON's parser takes a NUL byte for the end of its input and would silently ignore
        // whatever follows; neither format allows one outside a string escape.
        if (c == '\0')
            throw FrostlineError::badInput(
                QStringLiteral("%1: line %2: a NUL byte (at byte offset %3) has no place in a "
                               "policy file; is it a text file?")
                    .arg(sourceName)
                    .arg(line)
                    .arg(i));
        if (c == '\n') {
            ++line;
            if (open.empty()) {
                inKey = toml;
                keyDots = 0;
            }
            continue;
        }
        if (c == '"' || (toml && c == '\'')) {
            // A string: skip it whole, escapes included (TOML literal strings have none).
            const std::string_view quote = c == '"' ? "\"\"\"" : "'''";
            const bool triple = toml && text.substr(i, 3) == quote;
            const std::size_t start = i + (triple ? 3 : 1);
            std::size_t j = start;
            for (; j < text.size(); ++j) {
                if (text[j] == '\n')
                    ++line;
                if (c == '"' && text[j] == '\\') {
                    ++j;
                    continue;
                }
                if (text[j] == c && (!triple || text.substr(j, 3) == quote))
                    break;
            }
            i = triple ? j + 2 : j;
            continue;
        }
        if (toml && c == '#') {
            while (i + 1 < text.size() && text[i + 1] != '\n')
                ++i;
            continue;
        }
        if (c == '[' || c == '{') {
            // A TOML table header ("[a.b]", "[[a.b]]") holds a key; an array holds values.
            const bool header = toml && c == '[' && inKey && (open.empty() || keyDots == -1);
            open.push_back(1 + std::max(keyDots, 0));
            depth += open.back();
            keyDots = header ? -1 : 0; // -1: inside a header, before its first dot
            inKey = c == '{' ? toml : header;
            if (depth > InputLimits::kMaxNestingDepth)
                tooDeep();
        } else if (c == ']' || c == '}') {
            if (!open.empty()) {
                depth -= open.back();
                open.pop_back();
            }
        } else if (toml && c == ',') {
            inKey = true;
            keyDots = 0;
        } else if (toml && c == '=') {
            inKey = false;
        } else if (inKey && c == '.') {
            keyDots = std::max(keyDots, 0) + 1;
            if (depth + keyDots > InputLimits::kMaxNestingDepth)
                tooDeep();
        }
    }
}

// Offset of the first byte that is not well-formed UTF-8 (overlong forms, surrogates and code
// points beyond U+10FFFF included), or npos when all of `text` is.
std::size_t firstInvalidUtf8(std::string_view text)
{
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t n = 0;
        unsigned char low = 0x80, high = 0xBF; // allowed range of the second byte
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            low = c == 0xE0 ? 0xA0 : 0x80;
            high = c == 0xED ? 0x9F : 0xBF;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            low = c == 0xF0 ? 0x90 : 0x80;
            high = c == 0xF4 ? 0x8F : 0xBF;
        } else {
            return i;
        }
        if (i + n >= text.size()) // truncated sequence
            return i;
        for (std::size_t k = 1; k <= n; ++k) {
            const auto b = static_cast<unsigned char>(text[i + k]);
            if (b < (k == 1 ? low : 0x80) || b > (k == 1 ? high : 0xBF))
                return i;
        }
        i += n + 1;
    }
    return std::string_view::npos;
}

} // namespace

QStringList MigrationPolicy::presetNames()
{
    return {QStringLiteral("default"), QStringLiteral("aggressive"), QStringLiteral("conservative"),
            QStringLiteral("disabled")};
}

MigrationPolicy MigrationPolicy::preset(const QString& name)
{
    MigrationPolicy p;
    if (name == QLatin1String("default"))
        return p;
    if (name == QLatin1String("aggressive")) {
        p.ageThresholdMicros = 86400LL * kMicrosPerSecond;
        p.memoryThresholdBytes = 512ULL << 20;
        p.minHotVersions = 1;
        p.batchSize = 2000;
        p.runIntervalMicros = 30LL * kMicrosPerSecond;
        p.enableLru = true;
        return p;
    }
    if (name == QLatin1String("conservative")) {
        p.ageThresholdMicros = 30LL * 86400 * kMicrosPerSecond;
        p.memoryThresholdBytes = 4ULL << 30;
        p.minHotVersions = 5;
        p.batchSize = 500;
        p.runIntervalMicros = 300LL * kMicrosPerSecond;
        p.enableLru = false;
        return p;
    }
    if (name == QLatin1String("disabled")) {
        p.enabled = false;
        return p;
    }
    throw FrostlineError::badInput(QStringLiteral("unknown policy preset \"%1\" (known: %2)")
                                       .arg(name, presetNames().join(QStringLiteral(", "))));
}

QStringList MigrationPolicy::validate() const
{
    QStringList problems;
    auto got = [](const std::string& s) { return QStringLiteral(" (got %1)").arg(fromStd(s)); };
    if (ageThresholdMicros < 0)
        problems.append(QStringLiteral("%1 must be a number of seconds >= 0").arg(quoted(kAgeKey)) +
                        got(secondsTextStd(ageThresholdMicros)));
    if (ageThresholdMicros > kMaxDurationMicros)
        problems.append(QStringLiteral("%1 must be a number of seconds <= %2")
                            .arg(quoted(kAgeKey), QLatin1String(kMaxSecondsText)) +
                        got(secondsTextStd(ageThresholdMicros)));
    if (memoryThresholdBytes < 1)
        problems.append(QStringLiteral("%1 must be an integer >= 1").arg(quoted(kMemoryKey)) +
                        got("0"));
    if (memoryThresholdBytes > kMaxInteger)
        problems.append(
            QStringLiteral("%1 must be an integer <= %2").arg(quoted(kMemoryKey)).arg(kMaxInteger) +
            got(std::to_string(memoryThresholdBytes)));
    if (minHotVersions > kMaxInteger)
        problems.append(
            QStringLiteral("%1 must be an integer <= %2").arg(quoted(kMinHotKey)).arg(kMaxInteger) +
            got(std::to_string(minHotVersions)));
    if (batchSize < 1)
        problems.append(QStringLiteral("%1 must be an integer >= 1").arg(quoted(kBatchKey)) +
                        got("0"));
    if (batchSize > kMaxInteger)
        problems.append(
            QStringLiteral("%1 must be an integer <= %2").arg(quoted(kBatchKey)).arg(kMaxInteger) +
            got(std::to_string(batchSize)));
    if (runIntervalMicros <= 0)
        problems.append(
            QStringLiteral("%1 must be a number of seconds >= 0.000001").arg(quoted(kIntervalKey)) +
            got(secondsTextStd(runIntervalMicros)));
    if (runIntervalMicros > kMaxDurationMicros)
        problems.append(QStringLiteral("%1 must be a number of seconds <= %2")
                            .arg(quoted(kIntervalKey), QLatin1String(kMaxSecondsText)) +
                        got(secondsTextStd(runIntervalMicros)));
    return problems;
}

QJsonObject MigrationPolicy::toJson() const
{
    // Whole seconds as integers; a fraction as the double nearest the exact decimal (which
    // reads back to the same microsecond).
    auto seconds = [](qint64 micros) {
        if (micros % kMicrosPerSecond == 0)
            return QJsonValue(micros / kMicrosPerSecond);
        const std::string text = secondsTextStd(micros);
        double d = 0; // from_chars, unlike strtod, ignores the locale
        std::from_chars(text.data(), text.data() + text.size(), d);
        return QJsonValue(d);
    };
    QJsonObject o;
    o.insert(QLatin1String(kAgeKey), seconds(ageThresholdMicros));
    o.insert(QLatin1String(kMemoryKey), QJsonValue(static_cast<qint64>(memoryThresholdBytes)));
    o.insert(QLatin1String(kMinHotKey), QJsonValue(static_cast<qint64>(minHotVersions)));
    o.insert(QLatin1String(kBatchKey), QJsonValue(static_cast<qint64>(batchSize)));
    o.insert(QLatin1String(kIntervalKey), seconds(runIntervalMicros));
    o.insert(QLatin1String(kEnabledKey), enabled);
    o.insert(QLatin1String(kLruKey), enableLru);
    return o;
}

namespace {

// The seven keys as "key", "value text" pairs, values written exactly (no binary floating point).
std::vector<std::pair<const char*, std::string>> exactFields(const MigrationPolicy& p)
{
    return {{kAgeKey, secondsTextStd(p.ageThresholdMicros)},
            {kMemoryKey, std::to_string(p.memoryThresholdBytes)},
            {kMinHotKey, std::to_string(p.minHotVersions)},
            {kBatchKey, std::to_string(p.batchSize)},
            {kIntervalKey, secondsTextStd(p.runIntervalMicros)},
            {kEnabledKey, p.enabled ? "true" : "false"},
            {kLruKey, p.enableLru ? "true" : "false"}};
}

// The seven keys in the design's order with exact values; INDENT empty writes one line.
QByteArray exactJson(const MigrationPolicy& p, const std::string& indent)
{
    const std::string newline = indent.empty() ? "" : "\n";
    const std::string colon = indent.empty() ? ":" : ": ";
    std::string out = "{" + newline;
    const auto fields = exactFields(p);
    for (std::size_t i = 0; i < fields.size(); ++i) {
        out += indent + "\"" + std::string(fields[i].first) + "\"" + colon + fields[i].second;
        out += (i + 1 < fields.size() ? "," : "") + newline;
    }
    out += "}" + newline;
    return QByteArray::fromStdString(out);
}

} // namespace

QByteArray MigrationPolicy::toJsonBytes() const
{
    return exactJson(*this, "    ");
}

QByteArray MigrationPolicy::toCompactJson() const
{
    return exactJson(*this, {});
}

QByteArray MigrationPolicy::toToml() const
{
    std::string out = "# Frostline migration policy; durations in seconds\n";
    for (const auto& [key, value] : exactFields(*this))
        out += std::string(key) + " = " + value + "\n";
    return QByteArray::fromStdString(out);
}

MigrationPolicy MigrationPolicy::fromJson(const QByteArray& json, const QString& sourceName)
{
    const std::string_view text(json.constData(), static_cast<std::size_t>(json.size()));
    checkPolicyLimits(text, false, sourceName);
    std::set<std::string> seen;
    std::string duplicate;
    std::string lastKey; // the key whose value is being parsed, for an error inside that value
    // The parser callback sees every key; depth 1 is the top-level object.
    auto callback = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
        if (event == nlohmann::json::parse_event_t::key && depth == 1) {
            lastKey = parsed.get<std::string>();
            if (duplicate.empty() && !seen.insert(lastKey).second)
                duplicate = lastKey;
        }
        return true;
    };
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(text.begin(), text.end(), callback);
    } catch (const nlohmann::json::parse_error& e) {
        // "[json.exception.parse_error.101] parse error at line 3, column 8: syntax error ..."
        std::string what = e.what();
        if (const auto p = what.find("parse error"); p != std::string::npos)
            what = what.substr(p);
        const auto detail = what.find(": ");
        std::string where = what.substr(0, detail);
        if (where.starts_with("parse error "))
            where = where.substr(12);
        const std::string reason = detail == std::string::npos ? what : what.substr(detail + 2);
        throw FrostlineError::badInput(QStringLiteral("%1: malformed JSON %2: %3")
                                           .arg(sourceName, fromStd(where), fromStd(reason)));
    } catch (const nlohmann::json::exception& e) {
        // Not only syntax: a number beyond the double range (1e400) is out_of_range.406, which
        // escaped as an uncaught exception (found by fuzz_policy).
        // It names the key, as the same value in a TOML file is named.
        std::string what = e.what();
        if (const auto close = what.find("] "); what.starts_with("[json.") && close != what.npos)
            what.erase(0, close + 2);
        if (lastKey.empty())
            throw FrostlineError::badInput(
                QStringLiteral("%1: invalid JSON: %2").arg(sourceName, fromStd(what)));
        throw FrostlineError::badInput(QStringLiteral("%1: \"%2\" is out of range: %3")
                                           .arg(sourceName, fromStd(lastKey), fromStd(what)));
    }
    if (!doc.is_object())
        throw FrostlineError::badInput(
            QStringLiteral("%1: the policy must be a JSON object (got %2)")
                .arg(sourceName, QString::fromUtf8(doc.type_name())));
    if (!duplicate.empty())
        throw FrostlineError::badInput(
            QStringLiteral("%1: duplicate key \"%2\"").arg(sourceName, shownText(duplicate)));
    RawEntries entries;
    for (const auto& [key, value] : doc.items())
        entries.emplace_back(key, rawFromJson(value));
    return policyFromEntries(entries, sourceName);
}

MigrationPolicy MigrationPolicy::fromToml(const QByteArray& tomlText, const QString& sourceName)
{
    const std::string_view text(tomlText.constData(), std::size_t(tomlText.size()));
    checkPolicyLimits(text, true, sourceName);
    // TOML is UTF-8 throughout; checked here because toml11 3.7 reads out of bounds while
    // reporting invalid UTF-8 inside a string (found by fuzz_policy).
    if (const std::size_t bad = firstInvalidUtf8(text); bad != std::string_view::npos)
        throw FrostlineError::badInput(
            QStringLiteral("%1: line %2: invalid UTF-8 (a TOML file must be UTF-8)")
                .arg(sourceName)
                .arg(std::count(text.begin(), text.begin() + std::ptrdiff_t(bad), '\n') + 1));
    std::istringstream stream(tomlText.toStdString());
    toml::value doc;
    try {
        doc = toml::parse(stream, sourceName.toStdString());
    } catch (const std::exception& e) {
        throw FrostlineError::badInput(sourceName + QStringLiteral(": ") +
                                       oneLineTomlError(e.what()));
    }
    RawEntries entries;
    for (const auto& [key, value] : doc.as_table())
        entries.emplace_back(key, rawFromToml(value));
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    return policyFromEntries(entries, sourceName);
}

MigrationPolicy MigrationPolicy::load(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw FrostlineError::badInput(
            QStringLiteral("%1: cannot read the policy: %2").arg(path, file.errorString()));
    if (file.size() > InputLimits::kMaxPolicyBytes)
        throw FrostlineError::badInput(
            QStringLiteral("%1: policy file of %2 bytes exceeds the limit of %3 bytes")
                .arg(path)
                .arg(file.size())
                .arg(InputLimits::kMaxPolicyBytes));
    // Never read more than the limit (plus one byte, so that the limit check sees the excess).
    const QByteArray bytes = file.read(InputLimits::kMaxPolicyBytes + 1);
    if (file.error() != QFileDevice::NoError)
        throw FrostlineError::badInput(
            QStringLiteral("%1: cannot read the policy: %2").arg(path, file.errorString()));
    if (path.endsWith(QLatin1String(".toml"), Qt::CaseInsensitive))
        return fromToml(bytes, path);
    return fromJson(bytes, path);
}

void MigrationPolicy::save(const QString& path) const
{
    const QByteArray bytes =
        path.endsWith(QLatin1String(".toml"), Qt::CaseInsensitive) ? toToml() : toJsonBytes();
    PrivateFile::write(path, bytes, QStringLiteral("save the policy"));
}

std::optional<qint64> MigrationPolicy::secondsToMicrosExact(double seconds)
{
    qint64 micros = 0;
    const bool negative = seconds < 0;
    if (doubleSecondsToMicros(negative ? -seconds : seconds, &micros) != Conversion::Ok ||
        micros > kMaxDurationMicros)
        return std::nullopt;
    return negative ? -micros : micros;
}

QString MigrationPolicy::secondsText(qint64 micros)
{
    return fromStd(secondsTextStd(micros));
}

} // namespace frostline
