#include "frostlineerror.h"
#include "jsonlcodec.h"
#include "workloadgenerator.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <set>

using namespace frostline;

namespace {

constexpr qint64 kNow = 1'700'000'000'000'000;
constexpr qint64 kDay = 86'400'000'000;

WorkloadGenerator::Options options(quint64 entities, quint64 versions, quint64 seed = 1)
{
    WorkloadGenerator::Options o;
    o.entities = entities;
    o.versions = versions;
    o.seed = seed;
    o.now = kNow;
    return o;
}

QByteArray asJsonl(const std::vector<Version>& versions)
{
    QByteArray out;
    for (const Version& v : versions)
        out += JsonlCodec::encode(v) + '\n';
    return out;
}

bool throwsBadInput(const std::function<void()>& f)
{
    try {
        f();
    } catch (const FrostlineError& e) {
        return e.kind() == FrostlineError::Kind::BadInput && !e.message().isEmpty();
    }
    return false;
}

// Visits every property value, nested ones included.
void visit(const PropertyValue& v, int depth,
           const std::function<void(const PropertyValue&, int)>& f)
{
    f(v, depth);
    if (v.type() == PropertyValue::Type::List)
        for (const auto& item : v.toList())
            visit(item, depth + 1, f);
    if (v.type() == PropertyValue::Type::Map)
        for (const auto& [k, item] : v.toMap())
            visit(item, depth + 1, f);
}

} // namespace

class TestWorkloadGenerator : public QObject
{
    Q_OBJECT
private slots:
    void sameSeedSameBytes()
    {
        const auto a = WorkloadGenerator(options(300, 4000, 7)).generateAll();
        const auto b = WorkloadGenerator(options(300, 4000, 7)).generateAll();
        QCOMPARE(a, b);
        QCOMPARE(asJsonl(a), asJsonl(b));
        // generate() streams the very same versions, in version-id order.
        std::vector<Version> streamed;
        WorkloadGenerator(options(300, 4000, 7)).generate([&](Version&& v) {
            streamed.push_back(std::move(v));
        });
        QCOMPARE(streamed, a);
    }

    void differentSeedsDiffer()
    {
        const auto a = WorkloadGenerator(options(300, 4000, 7)).generateAll();
        const auto b = WorkloadGenerator(options(300, 4000, 8)).generateAll();
        QCOMPARE(a.size(), b.size());
        int same = 0;
        for (std::size_t i = 0; i < a.size(); ++i)
            same += a[i] == b[i];
        QVERIFY2(same < 10, qPrintable(QString::number(same)));
    }

    void countsAndIdsAreExact()
    {
        auto o = options(1000, 12345);
        o.firstVersionId = 500;
        o.edgeFraction = 0.25;
        const auto versions = WorkloadGenerator(o).generateAll();
        QCOMPARE(versions.size(), std::size_t(12345));
        std::set<EntityKey> entities, nodes, edges;
        for (std::size_t i = 0; i < versions.size(); ++i) {
            QCOMPARE(versions[i].versionId, quint64(500 + i)); // unique, dense, in order
            entities.insert(versions[i].entity());
            (versions[i].isEdge() ? edges : nodes).insert(versions[i].entity());
        }
        QCOMPARE(entities.size(), std::size_t(1000));
        QCOMPARE(edges.size(), std::size_t(250));
        QCOMPARE(nodes.size(), std::size_t(750));
        // Node ids are 1..750 and edge ids 1..250.
        QCOMPARE(nodes.begin()->entityId, quint64(1));
        QCOMPARE(nodes.rbegin()->entityId, quint64(750));
        QCOMPARE(edges.rbegin()->entityId, quint64(250));
    }

    void rangesAndChainsAreValid()
    {
        auto o = options(500, 20000, 3);
        o.spanDays = 10;
        const auto versions = WorkloadGenerator(o).generateAll();
        const qint64 oldest = kNow - 10 * kDay;
        std::map<EntityKey, std::vector<const Version*>> chains;
        qint64 previousTx = std::numeric_limits<qint64>::min();
        for (const Version& v : versions) {
            QVERIFY(v.validFrom < v.validTo);
            QVERIFY(v.txFrom < v.txTo);
            QVERIFY2(v.txFrom >= oldest && v.txFrom <= kNow, qPrintable(QString::number(v.txFrom)));
            QVERIFY(v.txTo == kOpenEnd || v.txTo <= kNow);
            QVERIFY(v.validTo == kOpenEnd || v.validTo > v.validFrom);
            QVERIFY(v.txFrom > previousTx); // ids grow with tx_from
            previousTx = v.txFrom;
            chains[v.entity()].push_back(&v);
        }
        for (const auto& [key, chain] : chains) {
            for (std::size_t i = 0; i + 1 < chain.size(); ++i) {
                QVERIFY(chain[i]->txFrom < chain[i + 1]->txFrom);
                QCOMPARE(chain[i]->txTo, chain[i + 1]->txFrom); // closed by its successor
                QCOMPARE(chain[i]->label, chain[i + 1]->label);
            }
            QCOMPARE(chain.back()->txTo, kOpenEnd); // the head is open
        }
    }

    void edgesPointAtGeneratedNodes()
    {
        auto o = options(400, 3000, 5);
        o.edgeFraction = 0.5;
        const auto versions = WorkloadGenerator(o).generateAll();
        std::set<quint64> nodeIds;
        for (const Version& v : versions)
            if (!v.isEdge())
                nodeIds.insert(v.entityId);
        std::map<quint64, std::pair<quint64, quint64>> endpoints;
        int edgeVersions = 0;
        for (const Version& v : versions) {
            if (!v.isEdge()) {
                QCOMPARE(v.source, quint64(0));
                QCOMPARE(v.target, quint64(0));
                continue;
            }
            ++edgeVersions;
            QVERIFY(nodeIds.count(v.source));
            QVERIFY(nodeIds.count(v.target));
            QVERIFY(v.source != v.target);
            auto [it, inserted] = endpoints.emplace(v.entityId, std::pair{v.source, v.target});
            if (!inserted)
                QCOMPARE(it->second, (std::pair{v.source, v.target})); // an edge keeps its ends
        }
        QVERIFY(edgeVersions > 0);
        QCOMPARE(endpoints.size(), std::size_t(200));
    }

    void versionsPerEntityAreSkewed()
    {
        const auto versions = WorkloadGenerator(options(1000, 20000, 9)).generateAll();
        std::map<EntityKey, int> counts;
        for (const Version& v : versions)
            ++counts[v.entity()];
        std::vector<int> sorted;
        for (const auto& [k, n] : counts)
            sorted.push_back(n);
        std::sort(sorted.begin(), sorted.end());
        const int median = sorted[sorted.size() / 2];
        const int max = sorted.back();
        qInfo("versions per entity: min %d, median %d, max %d", sorted.front(), median, max);
        QCOMPARE(sorted.front() >= 1, true);
        QVERIFY2(max >= 10 * median,
                 qPrintable(QStringLiteral("max %1 median %2").arg(max).arg(median)));
        QVERIFY(max < 20000 / 10); // skewed, not degenerate
    }

    void propertiesAreVariedAndBounded()
    {
        const auto versions = WorkloadGenerator(options(200, 5000, 2)).generateAll();
        std::set<int> types;
        std::set<QString> labels;
        int empty = 0;
        for (const Version& v : versions) {
            QVERIFY(v.properties.size() <= 6);
            empty += v.properties.empty();
            QCOMPARE(v.properties, PropertyValue::canonicalMap(v.properties));
            labels.insert(v.label);
            for (const auto& [k, value] : v.properties)
                visit(value, 0, [&](const PropertyValue& p, int) { types.insert(int(p.type())); });
        }
        QCOMPARE(types.size(), std::size_t(7)); // null, bool, int, double, string, list, map
        QVERIFY(empty > 0);
        QVERIFY(labels.size() >= 6);
    }

    void degenerateOptions()
    {
        QVERIFY(WorkloadGenerator(options(0, 0)).generateAll().empty());
        auto single = options(1, 5);
        single.edgeFraction = 1.0; // still one node: edges need somewhere to point
        const auto one = WorkloadGenerator(single).generateAll();
        QCOMPARE(one.size(), std::size_t(5));
        QVERIFY(!one[0].isEdge());
        QCOMPARE(one.back().txTo, kOpenEnd);
        QVERIFY(throwsBadInput([] { WorkloadGenerator(options(10, 5)).generateAll(); }));
        auto shortSpan = options(1, 100);
        shortSpan.spanDays = 1e-12;
        QVERIFY(throwsBadInput([&] { WorkloadGenerator(shortSpan).generateAll(); }));
        auto badFraction = options(10, 10);
        badFraction.edgeFraction = 1.5;
        QVERIFY(throwsBadInput([&] { WorkloadGenerator(badFraction).generateAll(); }));
    }

    void randomVersionIsDeterministicAndNasty()
    {
        QCOMPARE(WorkloadGenerator::randomVersion(1, 2), WorkloadGenerator::randomVersion(1, 2));
        QVERIFY(
            !(WorkloadGenerator::randomVersion(1, 2) == WorkloadGenerator::randomVersion(1, 3)));
        QVERIFY(
            !(WorkloadGenerator::randomVersion(1, 2) == WorkloadGenerator::randomVersion(2, 2)));

        bool astral = false, emptyString = false, control = false, hugeId = false;
        bool nearMin = false, nearMax = false, negativeZero = false, wholeDouble = false;
        bool tinyDouble = false, openEnd = false, edge = false, node = false;
        int deepest = 0;
        std::set<int> types;
        for (quint64 i = 0; i < 3000; ++i) {
            const Version v = WorkloadGenerator::randomVersion(17, i);
            QVERIFY(v.validFrom < v.validTo);
            QVERIFY(v.txFrom < v.txTo);
            QCOMPARE(v.properties, PropertyValue::canonicalMap(v.properties));
            if (!v.isEdge())
                QVERIFY(v.source == 0 && v.target == 0);
            edge |= v.isEdge();
            node |= !v.isEdge();
            hugeId |= v.versionId > quint64(std::numeric_limits<qint64>::max());
            nearMin |= v.validFrom < std::numeric_limits<qint64>::min() + 1000;
            nearMax |= v.txFrom > std::numeric_limits<qint64>::max() - 1001;
            openEnd |= v.txTo == kOpenEnd;
            const auto checkString = [&](const QString& s) {
                emptyString |= s.isEmpty();
                for (QChar c : s) {
                    astral |= c.isHighSurrogate();
                    control |= c.unicode() < 0x20;
                }
            };
            checkString(v.label);
            for (const auto& [k, value] : v.properties) {
                checkString(k);
                deepest = std::max(deepest, value.depth());
                visit(value, 0, [&](const PropertyValue& p, int) {
                    types.insert(int(p.type()));
                    if (p.type() == PropertyValue::Type::String)
                        checkString(p.toString());
                    if (p.type() == PropertyValue::Type::Double) {
                        const double d = p.toDouble();
                        negativeZero |= d == 0 && std::signbit(d);
                        wholeDouble |= d == 2.0;
                        tinyDouble |= d == 5e-324;
                        QVERIFY(std::isfinite(d));
                    }
                });
            }
        }
        QVERIFY(astral && emptyString && control && hugeId && nearMin && nearMax && openEnd);
        QVERIFY(negativeZero && wholeDouble && tinyDouble && edge && node);
        QCOMPARE(types.size(), std::size_t(7));
        QVERIFY(deepest >= 4 && deepest <= 5);
    }
};

QTEST_GUILESS_MAIN(TestWorkloadGenerator)
#include "tst_workloadgenerator.moc"
