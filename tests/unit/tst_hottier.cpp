#include "hottier.h"
#include "version.h"

#include <QtTest>

#include <atomic>
#include <map>
#include <random>
#include <thread>

using namespace frostline;

namespace {

Version makeVersion(quint64 id, EntityKind kind, quint64 entity, qint64 txFrom, int payload)
{
    Version v;
    v.versionId = id;
    v.kind = kind;
    v.entityId = entity;
    v.label = QStringLiteral("L%1").arg(payload % 7);
    v.txFrom = txFrom;
    v.validFrom = txFrom;
    if (kind == EntityKind::Edge) {
        v.source = entity + 1;
        v.target = entity + 2;
    }
    v.properties = PropertyValue::canonicalMap(
        {{"n", PropertyValue(qint64(payload))},
         {"s", PropertyValue(QString(payload % 50, QLatin1Char('x')))}});
    return v;
}

// The reference: per entity, (tx_from, id) -> version, i.e. head order with the head last.
using Reference = std::map<EntityKey, std::map<std::pair<qint64, quint64>, Version>>;

void compareWithReference(const HotTier& hot, const Reference& reference)
{
    quint64 versions = 0, nodes = 0, bytes = 0;
    for (const auto& [entity, chain] : reference) {
        std::vector<quint64> expected;
        for (const auto& [order, v] : chain) {
            expected.push_back(v.versionId);
            ++versions;
            nodes += v.kind == EntityKind::Node ? 1 : 0;
            bytes += v.estimatedSize();
        }
        std::vector<quint64> actual;
        for (const Version& v : hot.chain(entity))
            actual.push_back(v.versionId);
        QCOMPARE(actual, expected);
        const auto head = hot.head(entity);
        QVERIFY(head.has_value() == !expected.empty());
        if (head)
            QCOMPARE(head->versionId, expected.back());
    }
    QCOMPARE(hot.versionCount(), versions);
    QCOMPARE(hot.nodeVersionCount(), nodes);
    QCOMPARE(hot.totalBytes(), bytes);
    QCOMPARE(hot.entityCount(), quint64(reference.size()));

    // The snapshot carries the same facts without touching the versions themselves.
    const HotSnapshot snapshot = hot.snapshot();
    QCOMPARE(quint64(snapshot.versions.size()), versions);
    QCOMPARE(snapshot.totalBytes, bytes);
    for (const HotVersionInfo& info : snapshot.versions) {
        const EntityKey entity{info.kind, info.entityId};
        QCOMPARE(snapshot.entities[info.entityIndex], entity);
        const auto& chain = reference.at(entity);
        const auto it = chain.find({info.txFrom, info.versionId});
        QVERIFY(it != chain.end());
        QCOMPARE(info.estimatedSize, quint64(it->second.estimatedSize()));
        QCOMPARE(info.isHead, std::next(it) == chain.end());
        QCOMPARE(snapshot.entityVersionCounts[info.entityIndex], quint32(chain.size()));
    }
}

} // namespace

class TestHotTier : public QObject
{
    Q_OBJECT
private slots:
    // Removal keeps every chain exactly in head order, whatever leaves: heads, middles, several
    // versions of one entity at once, ties in tx_from, ids listed twice or not hot at all.
    void removalKeepsChainsExact()
    {
        std::mt19937_64 random(20261126);
        HotTier hot;
        Reference reference;
        std::vector<quint64> live;
        quint64 nextId = 1;
        for (int round = 0; round < 40; ++round) {
            std::vector<std::pair<Version, quint64>> incoming;
            const int inserts = 50 + int(random() % 150);
            for (int i = 0; i < inserts; ++i) {
                // A few entities with long chains, node and edge ids shared, tx_from ties.
                const EntityKind kind = random() % 3 == 0 ? EntityKind::Edge : EntityKind::Node;
                const quint64 entity = random() % 12;
                const qint64 txFrom = qint64(random() % 40) * 1000;
                Version v = makeVersion(nextId, kind, entity, txFrom, int(random() % 1000));
                reference[v.entity()].emplace(std::pair(v.txFrom, v.versionId), v);
                live.push_back(nextId);
                incoming.emplace_back(std::move(v), nextId);
                ++nextId;
            }
            QCOMPARE(hot.insertMany(std::move(incoming)), std::size_t(inserts));

            std::shuffle(live.begin(), live.end(), random);
            const std::size_t leaving = live.size() * (random() % 60) / 100;
            std::vector<quint64> ids(live.end() - std::ptrdiff_t(leaving), live.end());
            live.resize(live.size() - leaving);
            quint64 expectedFreed = 0;
            for (quint64 id : ids) {
                const Version v = *hot.get(id);
                expectedFreed += v.estimatedSize();
                auto& chain = reference[v.entity()];
                chain.erase({v.txFrom, v.versionId});
                if (chain.empty())
                    reference.erase(v.entity());
            }
            if (!ids.empty())
                ids.push_back(ids.front()); // listed twice: removed once
            ids.push_back(nextId + 1000);   // not hot: ignored
            QCOMPARE(hot.remove(ids), expectedFreed);
            compareWithReference(hot, reference);
            if (QTest::currentTestFailed())
                return;
        }
    }

    void entriesInPlaceMatchCopies()
    {
        HotTier hot;
        std::vector<std::pair<Version, quint64>> incoming;
        for (quint64 id = 1; id <= 20; ++id)
            incoming.emplace_back(makeVersion(id, EntityKind::Node, id % 3, qint64(id), int(id)),
                                  100 + id);
        hot.insertMany(std::move(incoming));
        const std::vector<quint64> ids{5, 77, 1, 20};
        const auto found = hot.entriesInPlace(ids);
        QCOMPARE(found.size(), ids.size());
        QVERIFY(found[1] == nullptr);
        for (std::size_t i : {std::size_t(0), std::size_t(2), std::size_t(3)}) {
            QVERIFY(found[i]);
            const auto copy = hot.entry(ids[i]);
            QVERIFY(copy);
            QCOMPARE(found[i]->version, copy->version);
            QCOMPARE(found[i]->lsn, 100 + ids[i]);
            QCOMPARE(found[i]->size, quint64(copy->version.estimatedSize()));
        }
    }

    // Readers (snapshot, chain, head) beside one writer inserting and removing: every snapshot
    // is consistent with itself (one head per entity, sizes add up). Run under TSan in CI.
    void readersBesideTheWriter()
    {
        HotTier hot;
        std::atomic<bool> done{false};
        std::atomic<int> inconsistent{0};
        std::thread reader([&] {
            while (!done.load()) {
                const HotSnapshot s = hot.snapshot();
                std::vector<int> heads(s.entities.size(), 0);
                quint64 bytes = 0;
                for (const HotVersionInfo& info : s.versions) {
                    heads[info.entityIndex] += info.isHead ? 1 : 0;
                    bytes += info.estimatedSize;
                }
                for (int h : heads)
                    if (h != 1)
                        ++inconsistent;
                if (bytes != s.totalBytes)
                    ++inconsistent;
                (void)hot.chain({EntityKind::Node, 3});
                (void)hot.head({EntityKind::Edge, 4});
            }
        });
        quint64 nextId = 1;
        std::vector<quint64> live;
        for (int round = 0; round < 200; ++round) {
            std::vector<std::pair<Version, quint64>> incoming;
            for (int i = 0; i < 50; ++i) {
                const EntityKind kind = i % 2 ? EntityKind::Edge : EntityKind::Node;
                incoming.emplace_back(makeVersion(nextId, kind, quint64(i % 9), qint64(nextId), i),
                                      nextId);
                live.push_back(nextId++);
            }
            hot.insertMany(std::move(incoming));
            std::vector<quint64> leaving(live.begin(), live.begin() + 30);
            live.erase(live.begin(), live.begin() + 30);
            hot.remove(leaving);
        }
        done = true;
        reader.join();
        QCOMPARE(inconsistent.load(), 0);
        QCOMPARE(hot.versionCount(), quint64(live.size()));
    }
};

QTEST_GUILESS_MAIN(TestHotTier)
#include "tst_hottier.moc"
