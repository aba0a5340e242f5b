#include "accesstracker.h"
#include "migrationpolicybuilder.h"

#include <QtTest>

#include <atomic>
#include <set>
#include <thread>

using namespace frostline;

namespace {

// Version ids of the tracker from least to most recently accessed.
std::vector<quint64> lruOrder(const AccessTracker& tracker)
{
    const AccessOrder order = tracker.accessOrder();
    std::vector<std::pair<quint64, quint64>> bySequence;
    for (auto it = order.cbegin(); it != order.cend(); ++it)
        bySequence.emplace_back(it.value(), it.key());
    std::sort(bySequence.begin(), bySequence.end());
    std::vector<quint64> ids;
    for (const auto& [sequence, id] : bySequence)
        ids.push_back(id);
    return ids;
}

using Ids = std::vector<quint64>;

} // namespace

class TestAccessTracker : public QObject
{
    Q_OBJECT
private slots:
    void remembersTheLastAccess()
    {
        AccessTracker t;
        QCOMPARE(t.capacity(), std::size_t(1'000'000));
        t.recordAccess(1, 100);
        t.recordAccess(2, 200);
        t.recordAccess(3, 300);
        t.recordAccess(1, 400); // 1 becomes the most recent
        QCOMPARE(lruOrder(t), (Ids{2, 3, 1}));
        qint64 at = 0;
        QVERIFY(t.lastAccess(1, &at));
        QCOMPARE(at, qint64(400));
        QVERIFY(t.lastAccess(2, nullptr));
        QVERIFY(!t.lastAccess(9, &at));
        QCOMPARE(t.size(), std::size_t(3));
        // Sequences, not wall-clock times, order accesses: an earlier clock still counts as newer.
        t.recordAccess(2, 50);
        QCOMPARE(lruOrder(t), (Ids{3, 1, 2}));
    }

    void evictsTheLeastRecentlyAccessedAtCapacity()
    {
        AccessTracker t(3);
        t.recordAccess(1, 1);
        t.recordAccess(2, 2);
        t.recordAccess(3, 3);
        t.recordAccess(1, 4);
        t.recordAccess(4, 5); // evicts 2, the least recently accessed
        QCOMPARE(t.size(), std::size_t(3));
        QVERIFY(!t.lastAccess(2, nullptr));
        QCOMPARE(lruOrder(t), (Ids{3, 1, 4}));
        t.recordAccess(3, 6); // re-access at capacity evicts nothing
        QCOMPARE(t.size(), std::size_t(3));
        QCOMPARE(lruOrder(t), (Ids{1, 4, 3}));
        for (quint64 id = 100; id < 200; ++id)
            t.recordAccess(id, 7);
        QCOMPARE(lruOrder(t), (Ids{197, 198, 199}));
    }

    void setCapacityShrinksAndGrows()
    {
        AccessTracker t(5);
        for (quint64 id = 1; id <= 5; ++id)
            t.recordAccess(id, qint64(id));
        t.recordAccess(2, 10);
        t.setCapacity(2);
        QCOMPARE(t.capacity(), std::size_t(2));
        QCOMPARE(lruOrder(t), (Ids{5, 2}));
        t.setCapacity(4);
        t.recordAccess(7, 11);
        t.recordAccess(8, 12);
        QCOMPARE(lruOrder(t), (Ids{5, 2, 7, 8}));
        t.setCapacity(0); // remembers nothing from now on
        QCOMPARE(t.size(), std::size_t(0));
        t.recordAccess(9, 13);
        QCOMPARE(t.size(), std::size_t(0));
        QVERIFY(t.accessOrder().isEmpty());
    }

    void forget()
    {
        AccessTracker t(3);
        t.recordAccess(1, 1);
        t.recordAccess(2, 2);
        t.recordAccess(3, 3);
        t.forget(2);
        t.forget(42); // unknown: nothing happens
        QCOMPARE(t.size(), std::size_t(2));
        QVERIFY(!t.lastAccess(2, nullptr));
        QCOMPARE(lruOrder(t), (Ids{1, 3}));
        // The freed slot is used without evicting anyone.
        t.recordAccess(4, 4);
        QCOMPARE(lruOrder(t), (Ids{1, 3, 4}));
        t.recordAccess(2, 5); // now at capacity: 1 goes
        QCOMPARE(lruOrder(t), (Ids{3, 4, 2}));
    }

    void drivesTheSelectorsLruMode()
    {
        HotSnapshot hot;
        hot.entities = {{EntityKind::Node, 1}};
        hot.entityVersionCounts = {4};
        for (quint64 id = 1; id <= 4; ++id)
            hot.versions.push_back(
                {id, qint64(id) * 1'000'000, 1, 0, EntityKind::Node, id == 4, 10});
        hot.totalBytes = 40;
        AccessTracker t;
        t.recordAccess(1, 0);
        t.recordAccess(3, 0);
        t.recordAccess(1, 0);
        const auto p =
            MigrationPolicyBuilder().ageThresholdSecs(0).minHotVersions(0).enableLru(true).build();
        const auto s = CandidateSelector::select(hot, p, 100'000'000, t.accessOrder());
        Ids ids;
        for (const auto& c : s.candidates)
            ids.push_back(c.versionId);
        QCOMPARE(ids, (Ids{2, 3, 1}));
    }

    void concurrentAccessesKeepTheNewest()
    {
        // Each thread records its own ids; with capacity below the total, exactly the most
        // recent `capacity` accesses survive, whatever the interleaving.
        constexpr int kThreads = 4;
        constexpr quint64 kPerThread = 20'000;
        constexpr std::size_t kCapacity = 10'000;
        AccessTracker t(kCapacity);
        std::atomic<int> ready{0};
        std::vector<std::thread> threads;
        for (int th = 0; th < kThreads; ++th)
            threads.emplace_back([&, th] {
                ready.fetch_add(1);
                while (ready.load() < kThreads) {
                } // start together to maximise contention
                for (quint64 i = 0; i < kPerThread; ++i)
                    t.recordAccess(quint64(th) * kPerThread + i, qint64(i));
            });
        for (auto& th : threads)
            th.join();
        QCOMPARE(t.size(), kCapacity);
        const AccessOrder order = t.accessOrder();
        QCOMPARE(std::size_t(order.size()), kCapacity);
        std::set<quint64> sequences;
        for (auto it = order.cbegin(); it != order.cend(); ++it)
            sequences.insert(it.value());
        const quint64 total = kThreads * kPerThread;
        QCOMPARE(sequences.size(), kCapacity);
        QCOMPARE(*sequences.begin(), total - kCapacity + 1);
        QCOMPARE(*sequences.rbegin(), total);
    }

    void concurrentReadersAndWriters()
    {
        constexpr quint64 kIds = 1000;
        AccessTracker t;
        std::atomic<bool> writing{true};
        std::atomic<std::size_t> maxSeen{0};
        std::thread reader([&] {
            while (writing.load()) {
                const std::size_t n = std::size_t(t.accessOrder().size());
                maxSeen = std::max(maxSeen.load(), n);
                t.lastAccess(7, nullptr);
                t.size();
            }
        });
        std::vector<std::thread> writers;
        for (int th = 0; th < 3; ++th)
            writers.emplace_back([&, th] {
                for (quint64 i = 0; i < 30'000; ++i) {
                    t.recordAccess((i * 7 + quint64(th)) % kIds, qint64(i));
                    if (i % 1000 == 999)
                        t.forget(i % kIds);
                }
            });
        for (auto& w : writers)
            w.join();
        writing = false;
        reader.join();
        QVERIFY(maxSeen.load() <= kIds);
        QVERIFY(t.size() <= kIds);
        QVERIFY(t.size() >= kIds - 90); // at most 90 forgets
        std::set<quint64> sequences;
        const AccessOrder order = t.accessOrder();
        for (auto it = order.cbegin(); it != order.cend(); ++it)
            sequences.insert(it.value());
        QCOMPARE(sequences.size(), t.size()); // every access got its own sequence
        QVERIFY(*sequences.rbegin() <= 90'000);
    }
};

QTEST_GUILESS_MAIN(TestAccessTracker)
#include "tst_accesstracker.moc"
