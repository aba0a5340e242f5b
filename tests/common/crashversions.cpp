#include "crashversions.h"

namespace frostline::test {

Version crashVersion(quint64 id)
{
    Version v;
    v.versionId = id;
    v.kind = id % 3 == 0 ? EntityKind::Edge : EntityKind::Node;
    v.entityId = id % 97;
    v.label = v.isEdge() ? QStringLiteral("KNOWS") : QStringLiteral("Person");
    v.txFrom = 1'700'000'000'000'000 + qint64(id) * 1'000'000;
    v.validFrom = v.txFrom - 5'000'000;
    if (v.isEdge()) {
        v.source = id % 89;
        v.target = id % 83;
    }
    v.properties = PropertyValue::canonicalMap({
        {QStringLiteral("id"), PropertyValue(qint64(id))},
        {QStringLiteral("name"), PropertyValue(QStringLiteral("vérsion-%1").arg(id))},
        {QStringLiteral("weight"), PropertyValue(double(id) / 7.0)},
    });
    return v;
}

} // namespace frostline::test
