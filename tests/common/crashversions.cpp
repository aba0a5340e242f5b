#include "crashversions.h"

#include "store.h"

#include <QFile>

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

void makeCrashStore(const QString& storePath, quint64 versions, quint64 migrated)
{
    Store::create(storePath);
    Store store(storePath);
    store.open();
    std::vector<Version> all;
    for (quint64 id = 1; id <= versions; ++id)
        all.push_back(crashVersion(id));
    store.append(std::move(all));
    std::vector<quint64> ids;
    for (quint64 id = 1; id <= migrated; ++id)
        ids.push_back(id);
    if (!ids.empty())
        store.migrateBatch(ids);
    store.close();
}

bool damageVersionName(const QString& path, quint64 id)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadWrite))
        return false;
    QByteArray bytes = file.readAll();
    const QByteArray name = QStringLiteral("vérsion-%1").arg(id).toUtf8();
    qsizetype at = -1;
    for (qsizetype i = bytes.indexOf(name); i >= 0; i = bytes.indexOf(name, i + 1)) {
        const qsizetype after = i + name.size();
        if (after < bytes.size() && bytes.at(after) >= '0' && bytes.at(after) <= '9')
            continue;
        if (at >= 0)
            return false;
        at = i;
    }
    if (at < 0)
        return false;
    bytes[at + 1] = char(bytes[at + 1] ^ 0x20);
    return file.seek(0) && file.write(bytes) == bytes.size();
}

bool damageColdRecord(const QString& storePath, quint64 id)
{
    const QString db =
        crashVersion(id).isEdge() ? QStringLiteral("edges.db") : QStringLiteral("nodes.db");
    return damageVersionName(storePath + QStringLiteral("/cold/") + db, id);
}

} // namespace frostline::test
