#include "inputlimits.h"

#include "version.h"

namespace frostline {

namespace {

// Iterative walk over the property tree (no recursion, whatever the depth).
class LimitWalk
{
public:
    QString problem;

    bool string(const QString& s, const QString& what)
    {
        // UTF-8 is at most 3 bytes per UTF-16 unit: only measure when it could be too long.
        if (s.size() * 3 > InputLimits::kMaxStringBytes) {
            const qsizetype bytes = s.toUtf8().size();
            if (bytes > InputLimits::kMaxStringBytes)
                return fail(QStringLiteral("%1: string of %2 bytes exceeds the limit of %3 bytes")
                                .arg(what)
                                .arg(bytes)
                                .arg(InputLimits::kMaxStringBytes));
        }
        return true;
    }

    bool map(const PropertyValue::Map& properties)
    {
        if (quint64(properties.size()) > InputLimits::kMaxPropertiesPerVersion)
            return fail(QStringLiteral("%1 properties exceed the limit of %2 per version")
                            .arg(properties.size())
                            .arg(InputLimits::kMaxPropertiesPerVersion));
        struct Pending
        {
            const PropertyValue* value;
            int depth;
            const QString* key; // the top-level key it sits under, for messages
        };
        std::vector<Pending> stack;
        for (const auto& [key, value] : properties) {
            if (!string(key, QStringLiteral("property key")))
                return false;
            stack.push_back({&value, 0, &key});
        }
        quint64 values = properties.size();
        while (!stack.empty()) {
            const Pending p = stack.back();
            stack.pop_back();
            const QString where = QStringLiteral("property \"%1\"").arg(p.key->left(80));
            switch (p.value->type()) {
            case PropertyValue::Type::String:
                if (!string(p.value->toString(), where))
                    return false;
                continue;
            case PropertyValue::Type::List:
            case PropertyValue::Type::Map:
                break;
            default:
                continue;
            }
            if (p.depth >= InputLimits::kMaxNestingDepth)
                return fail(QStringLiteral("%1 is nested deeper than %2 levels")
                                .arg(where)
                                .arg(InputLimits::kMaxNestingDepth));
            const bool isMap = p.value->type() == PropertyValue::Type::Map;
            const quint64 n = isMap ? p.value->toMap().size() : p.value->toList().size();
            if (n > InputLimits::kMaxListElements)
                return fail(QStringLiteral("%1: %2 of %3 elements exceeds the limit of %4")
                                .arg(where, isMap ? QStringLiteral("map") : QStringLiteral("list"))
                                .arg(n)
                                .arg(InputLimits::kMaxListElements));
            values += n;
            if (values > InputLimits::kMaxValuesPerVersion)
                return fail(
                    QStringLiteral("more than %1 property values in one version (the limit)")
                        .arg(InputLimits::kMaxValuesPerVersion));
            if (isMap) {
                for (const auto& [key, value] : p.value->toMap()) {
                    if (!string(key, where + QStringLiteral(": key")))
                        return false;
                    stack.push_back({&value, p.depth + 1, p.key});
                }
            } else {
                for (const auto& item : p.value->toList())
                    stack.push_back({&item, p.depth + 1, p.key});
            }
        }
        return true;
    }

private:
    bool fail(const QString& message)
    {
        problem = message;
        return false;
    }
};

} // namespace

QString InputLimits::problemWith(const Version& version)
{
    LimitWalk walk;
    if (walk.string(version.label, QStringLiteral("label")))
        walk.map(version.properties);
    return walk.problem;
}

} // namespace frostline
