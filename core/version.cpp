#include "version.h"

#include <QHashFunctions>

namespace frostline {

QString kindName(EntityKind kind)
{
    return kind == EntityKind::Edge ? QStringLiteral("edge") : QStringLiteral("node");
}

bool parseKindName(const QString& text, EntityKind* kind)
{
    if (text == QLatin1String("node")) {
        *kind = EntityKind::Node;
        return true;
    }
    if (text == QLatin1String("edge")) {
        *kind = EntityKind::Edge;
        return true;
    }
    return false;
}

size_t qHash(const EntityKey& key, size_t seed) noexcept
{
    return ::qHash((key.entityId << 1) ^ quint64(key.kind), seed);
}

std::size_t Version::estimatedSize() const
{
    return sizeof(Version) + stringHeapBytes(label) + mapHeapBytes(properties);
}

bool operator==(const Version& a, const Version& b)
{
    return a.versionId == b.versionId && a.kind == b.kind && a.entityId == b.entityId &&
           a.label == b.label && a.validFrom == b.validFrom && a.validTo == b.validTo &&
           a.txFrom == b.txFrom && a.txTo == b.txTo && a.source == b.source &&
           a.target == b.target && a.properties == b.properties;
}

} // namespace frostline
