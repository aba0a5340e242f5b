#include "candidateselector.h"
#include "frostlineerror.h"
#include "migrationpolicybuilder.h"

#include <QRandomGenerator>
#include <QtTest>

#include <algorithm>
#include <map>
#include <thread>

using namespace frostline;

namespace {

constexpr qint64 kSec = 1'000'000;

struct V
{
    quint64 id;
    EntityKind kind;
    quint64 entity;
    qint64 txFrom; // microseconds
    quint64 size = 100;
};

constexpr auto N = EntityKind::Node;
constexpr auto E = EntityKind::Edge;

// A snapshot as the hot tier would take it: dense entity indices in first-seen order, counts,
// heads (greatest tx_from, ties greatest version_id) and the byte total.
HotSnapshot makeSnapshot(const std::vector<V>& vs)
{
    HotSnapshot hot;
    std::map<EntityKey, quint32> index;
    std::map<EntityKey, std::size_t> head;
    for (std::size_t i = 0; i < vs.size(); ++i) {
        const V& v = vs[i];
        const EntityKey key{v.kind, v.entity};
        if (!index.contains(key)) {
            index[key] = static_cast<quint32>(hot.entities.size());
            hot.entities.push_back(key);
            hot.entityVersionCounts.push_back(0);
        }
        ++hot.entityVersionCounts[index[key]];
        const auto h = head.find(key);
        if (h == head.end() ||
            headOrderLess(vs[h->second].txFrom, vs[h->second].id, v.txFrom, v.id))
            head[key] = i;
        hot.totalBytes += v.size;
    }
    for (std::size_t i = 0; i < vs.size(); ++i) {
        const V& v = vs[i];
        const EntityKey key{v.kind, v.entity};
        hot.versions.push_back(
            {v.id, v.txFrom, v.entity, index[key], v.kind, head[key] == i, v.size});
    }
    return hot;
}

std::vector<quint64> candidateIds(const Selection& s)
{
    std::vector<quint64> ids;
    for (const Candidate& c : s.candidates)
        ids.push_back(c.versionId);
    return ids;
}

// version id -> reason name, failing when a version is missing or appears twice.
std::map<quint64, QString> reasonsOf(const HotSnapshot& hot, const Selection& s)
{
    std::map<quint64, QString> reasons;
    bool ok = true;
    for (const Candidate& c : s.candidates)
        ok = reasons.emplace(c.versionId, reasonName(c.reason)).second && ok;
    for (const StayExplanation& st : s.staying)
        ok = reasons.emplace(st.versionId, reasonName(st.reason)).second && ok;
    if (!ok || reasons.size() != hot.versions.size())
        return {{0, QStringLiteral("a version is missing or appears twice")}};
    for (const auto& v : hot.versions)
        if (!reasons.contains(v.versionId))
            return {{0, QStringLiteral("version %1 is missing").arg(v.versionId)}};
    return reasons;
}

using Reasons = std::map<quint64, QString>;
using Ids = std::vector<quint64>;

MigrationPolicy policy(double ageSecs, quint64 minHot, quint64 memory = 1ULL << 40,
                       bool lru = false)
{
    return MigrationPolicyBuilder()
        .ageThresholdSecs(ageSecs)
        .minHotVersions(minHot)
        .memoryThresholdBytes(memory)
        .enableLru(lru)
        .build();
}

// ---- A deliberately naive reference, straight from design section 4, O(n^2). ----
// It recomputes heads and counts from (kind, entity_id) itself instead of trusting the
// snapshot's flags and indices.
struct Reference
{
    std::vector<std::pair<quint64, QString>> candidates;
    Reasons reasons;
};

Reference referenceSelect(const std::vector<V>& vs, const MigrationPolicy& p, qint64 now,
                          const AccessOrder& access)
{
    Reference ref;
    const std::size_t n = vs.size();
    auto sameEntity = [&](std::size_t a, std::size_t b) {
        return vs[a].kind == vs[b].kind && vs[a].entity == vs[b].entity;
    };
    auto age = [&](std::size_t i) { return now > vs[i].txFrom ? now - vs[i].txFrom : 0; };
    if (!p.enabled) {
        for (const V& v : vs)
            ref.reasons[v.id] = "disabled";
        return ref;
    }
    std::vector<bool> isHead(n, true);
    std::vector<quint64> count(n, 0);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j)
            if (sameEntity(i, j)) {
                ++count[i];
                if (vs[j].txFrom > vs[i].txFrom ||
                    (vs[j].txFrom == vs[i].txFrom && vs[j].id > vs[i].id))
                    isHead[i] = false;
            }
    // true when i goes before j in migration order
    auto before = [&](std::size_t i, std::size_t j) {
        if (p.enableLru) {
            const bool ai = access.contains(vs[i].id);
            const bool aj = access.contains(vs[j].id);
            if (ai != aj)
                return !ai;
            if (ai && access[vs[i].id] != access[vs[j].id])
                return access[vs[i].id] < access[vs[j].id];
        }
        if (vs[i].txFrom != vs[j].txFrom)
            return vs[i].txFrom < vs[j].txFrom;
        return vs[i].id < vs[j].id;
    };
    std::vector<bool> taken(n, false);
    std::vector<bool> visited(n, false);
    auto allowed = [&](std::size_t i) {
        quint64 selected = 0;
        for (std::size_t j = 0; j < n; ++j)
            if (taken[j] && sameEntity(i, j))
                ++selected;
        return count[i] > p.minHotVersions && selected < count[i] - p.minHotVersions;
    };
    auto nextOf = [&](bool eligiblePhase) {
        std::size_t best = n;
        for (std::size_t i = 0; i < n; ++i) {
            if (visited[i] || isHead[i] || (age(i) >= p.ageThresholdMicros) != eligiblePhase)
                continue;
            if (best == n || before(i, best))
                best = i;
        }
        return best;
    };
    for (std::size_t i = 0; i < n; ++i)
        if (isHead[i]) {
            visited[i] = true;
            ref.reasons[vs[i].id] = "head";
        }
    for (std::size_t i = nextOf(true); i != n; i = nextOf(true)) {
        visited[i] = true;
        if (allowed(i)) {
            taken[i] = true;
            ref.candidates.emplace_back(vs[i].id, "age");
            ref.reasons[vs[i].id] = "age";
        } else {
            ref.reasons[vs[i].id] = "min_hot_versions";
        }
    }
    quint64 total = 0;
    quint64 selectedBytes = 0;
    for (std::size_t i = 0; i < n; ++i) {
        total += vs[i].size;
        if (taken[i])
            selectedBytes += vs[i].size;
    }
    for (std::size_t i = nextOf(false); i != n; i = nextOf(false)) {
        visited[i] = true;
        const bool stillAbove =
            total > p.memoryThresholdBytes && total - selectedBytes > p.memoryThresholdBytes;
        if (!stillAbove) {
            ref.reasons[vs[i].id] = "too_young";
        } else if (allowed(i)) {
            taken[i] = true;
            selectedBytes += vs[i].size;
            ref.candidates.emplace_back(vs[i].id, "memory");
            ref.reasons[vs[i].id] = "memory";
        } else {
            ref.reasons[vs[i].id] = "min_hot_versions";
        }
    }
    return ref;
}

} // namespace

class TestCandidateSelector : public QObject
{
    Q_OBJECT
private slots:
    void headIsNeverACandidate()
    {
        // Single-version entities: each is its own head, however old, even with min 0.
        const auto hot = makeSnapshot({{1, N, 1, 0}, {2, E, 2, 0}, {3, N, 3, 10 * kSec}});
        const auto s = CandidateSelector::select(hot, policy(0, 0), 1000 * kSec);
        QCOMPARE(candidateIds(s), Ids{});
        QCOMPARE(reasonsOf(hot, s), (Reasons{{1, "head"}, {2, "head"}, {3, "head"}}));
    }

    void oldestFirstTiesBySmallerId()
    {
        // Versions 7, 3, 5 (entity 1) and 4 (entity 2) share tx_from 100 s.
        const auto hot = makeSnapshot({{7, N, 1, 100 * kSec},
                                       {9, N, 1, 500 * kSec},
                                       {3, N, 1, 100 * kSec},
                                       {5, N, 1, 100 * kSec},
                                       {4, N, 2, 100 * kSec},
                                       {2, N, 1, 200 * kSec},
                                       {8, N, 2, 600 * kSec},
                                       {1, N, 2, 300 * kSec}});
        const auto s = CandidateSelector::select(hot, policy(60, 1), 1000 * kSec);
        QCOMPARE(candidateIds(s), (Ids{3, 4, 5, 7, 2, 1}));
        for (const Candidate& c : s.candidates)
            QCOMPARE(c.reason, CandidateReason::Age);
        QCOMPARE(s.candidates[0].ageMicros, 900 * kSec);
        QCOMPARE(s.candidates[4].ageMicros, 800 * kSec);
        QCOMPARE(reasonsOf(hot, s).at(9), QStringLiteral("head"));
        QCOMPARE(reasonsOf(hot, s).at(8), QStringLiteral("head"));
    }

    void versionsFromTheFutureHaveAgeZero()
    {
        const qint64 now = 1000 * kSec;
        const auto hot = makeSnapshot({{1, N, 1, 2000 * kSec},
                                       {2, N, 1, 1500 * kSec},
                                       {3, N, 1, 3000 * kSec},
                                       {4, N, 1, 999 * kSec}});
        // Threshold 0: age 0 >= 0, so future versions are eligible, ordered by tx_from.
        const auto s0 = CandidateSelector::select(hot, policy(0, 1), now);
        QCOMPARE(candidateIds(s0), (Ids{4, 2, 1}));
        QCOMPARE(s0.candidates[0].ageMicros, kSec);
        QCOMPARE(s0.candidates[1].ageMicros, qint64(0));
        QCOMPARE(s0.candidates[2].ageMicros, qint64(0));
        // Threshold 1 s: only version 4 (exactly 1 s old) qualifies; the future ones are young.
        const auto s1 = CandidateSelector::select(hot, policy(1, 1), now);
        QCOMPARE(candidateIds(s1), (Ids{4}));
        QCOMPARE(reasonsOf(hot, s1),
                 (Reasons{{1, "too_young"}, {2, "too_young"}, {3, "head"}, {4, "age"}}));
        for (const auto& st : s1.staying)
            if (st.versionId == 1)
                QCOMPARE(st.ageMicros, qint64(0));
    }

    void ageThresholdIsInclusive()
    {
        const auto hot = makeSnapshot({{1, N, 1, 0}, {2, N, 1, 1}, {3, N, 1, 50 * kSec}});
        // now - tx_from: version 1 is exactly 10 s old, version 2 one microsecond younger.
        const auto s = CandidateSelector::select(hot, policy(10, 0), 10 * kSec);
        QCOMPARE(candidateIds(s), (Ids{1}));
        QCOMPARE(reasonsOf(hot, s).at(2), QStringLiteral("too_young"));
    }

    void minHotVersionsLimitsEachEntity()
    {
        // Entity 1: 5 versions (head 5) -> with min 2 at most 3 leave; its 4th oldest stays.
        const auto hot = makeSnapshot({{1, N, 1, 10 * kSec},
                                       {2, N, 1, 20 * kSec},
                                       {3, N, 1, 30 * kSec},
                                       {4, N, 1, 40 * kSec},
                                       {5, N, 1, 50 * kSec},
                                       {6, E, 1, 15 * kSec},
                                       {7, E, 1, 60 * kSec}});
        const auto s = CandidateSelector::select(hot, policy(0, 2), 1000 * kSec);
        QCOMPARE(candidateIds(s), (Ids{1, 2, 3}));
        QCOMPARE(reasonsOf(hot, s), (Reasons{{1, "age"},
                                             {2, "age"},
                                             {3, "age"},
                                             {4, "min_hot_versions"},
                                             {5, "head"},
                                             {6, "min_hot_versions"},
                                             {7, "head"}}));
    }

    void minHotVersionsAboveTheCount()
    {
        const auto hot = makeSnapshot({{1, N, 1, 10 * kSec},
                                       {2, N, 1, 20 * kSec},
                                       {3, N, 1, 30 * kSec},
                                       {4, N, 2, 10 * kSec},
                                       {5, N, 2, 20 * kSec},
                                       {6, N, 2, 30 * kSec},
                                       {7, N, 2, 40 * kSec},
                                       {8, N, 2, 50 * kSec},
                                       {9, N, 2, 60 * kSec},
                                       {10, N, 2, 70 * kSec}});
        // min 5: entity 1 (3 versions) gives nothing, entity 2 (7 versions) gives 2.
        const auto s = CandidateSelector::select(hot, policy(0, 5), 1000 * kSec);
        QCOMPARE(candidateIds(s), (Ids{4, 5}));
        const auto r = reasonsOf(hot, s);
        QCOMPARE(r.at(1), QStringLiteral("min_hot_versions"));
        QCOMPARE(r.at(2), QStringLiteral("min_hot_versions"));
        QCOMPARE(r.at(3), QStringLiteral("head"));
        QCOMPARE(r.at(6), QStringLiteral("min_hot_versions"));
        // min equal to the count: nothing either.
        const auto s3 = CandidateSelector::select(hot, policy(0, 7), 1000 * kSec);
        QCOMPARE(candidateIds(s3), Ids{});
    }

    void minHotVersionsZeroTakesAllButTheHead()
    {
        const auto hot = makeSnapshot({{1, N, 1, 10 * kSec},
                                       {2, N, 1, 20 * kSec},
                                       {3, N, 1, 30 * kSec},
                                       {4, E, 9, 5 * kSec}});
        const auto s = CandidateSelector::select(hot, policy(0, 0), 1000 * kSec);
        QCOMPARE(candidateIds(s), (Ids{1, 2}));
        QCOMPARE(reasonsOf(hot, s), (Reasons{{1, "age"}, {2, "age"}, {3, "head"}, {4, "head"}}));
    }

    void nodeAndEdgeWithTheSameIdAreSeparateEntities()
    {
        // Node 5 has 3 versions, edge 5 only 1. With min 2, node 5 may give 1 version; were
        // they one entity (4 versions) it would give 2, and edge 5's version would not be a head.
        const auto hot = makeSnapshot({{1, N, 5, 10 * kSec},
                                       {2, N, 5, 20 * kSec},
                                       {3, N, 5, 30 * kSec},
                                       {4, E, 5, 5 * kSec}});
        const auto s = CandidateSelector::select(hot, policy(0, 2), 1000 * kSec);
        QCOMPARE(candidateIds(s), (Ids{1}));
        QCOMPARE(reasonsOf(hot, s),
                 (Reasons{{1, "age"}, {2, "min_hot_versions"}, {3, "head"}, {4, "head"}}));
        QCOMPARE(s.candidates[0].kind, EntityKind::Node);
        QCOMPARE(s.candidates[0].entityId, quint64(5));

        // Both give independently when each has room: node 5 one, edge 5 one, oldest first.
        const auto hot2 = makeSnapshot({{1, N, 5, 10 * kSec},
                                        {2, N, 5, 30 * kSec},
                                        {3, E, 5, 20 * kSec},
                                        {4, E, 5, 40 * kSec}});
        const auto s2 = CandidateSelector::select(hot2, policy(0, 1), 1000 * kSec);
        QCOMPARE(candidateIds(s2), (Ids{1, 3}));
        QCOMPARE(s2.candidates[1].kind, EntityKind::Edge);
    }

    void memoryPressureAddsYoungerVersionsInOrder()
    {
        const qint64 now = 1000 * kSec;
        // Age threshold 500 s: only version 1 is old enough. Sizes 100 each, total 900.
        const auto hot = makeSnapshot({{1, N, 1, 100 * kSec},
                                       {2, N, 1, 600 * kSec},
                                       {3, N, 1, 900 * kSec}, // head of 1
                                       {4, N, 2, 650 * kSec},
                                       {5, N, 2, 990 * kSec}, // head of 2
                                       {6, N, 3, 700 * kSec},
                                       {7, N, 3, 710 * kSec},
                                       {8, N, 3, 720 * kSec},
                                       {9, N, 3, 995 * kSec}}); // head of 3
        // min 2: entity 1 (3 versions) may give 1, entity 2 (2) none, entity 3 (4) two.
        // Threshold 450: after version 1 (age) projected 800; then in age order 2 is blocked
        // (entity 1 used its one), 4 blocked (entity 2), 6 -> 700, 7 -> 600, 8 blocked (entity
        // 3 used its two) -> still above, nothing left.
        auto s = CandidateSelector::select(hot, policy(500, 2, 450), now);
        QVERIFY(s.memoryPressure);
        QCOMPARE(candidateIds(s), (Ids{1, 6, 7}));
        QCOMPARE(reasonsOf(hot, s), (Reasons{{1, "age"},
                                             {2, "min_hot_versions"},
                                             {3, "head"},
                                             {4, "min_hot_versions"},
                                             {5, "head"},
                                             {6, "memory"},
                                             {7, "memory"},
                                             {8, "min_hot_versions"},
                                             {9, "head"}}));
        QCOMPARE(s.candidates[0].reason, CandidateReason::Age);
        QCOMPARE(s.candidates[1].reason, CandidateReason::Memory);
        QCOMPARE(s.candidateBytes, quint64(300));
        QCOMPARE(s.projectedHotBytes, quint64(600));

        // min 1 and threshold 650: 1 (age) -> 800, 2 -> 700, 4 -> 600 <= 650: stop. The rest
        // of the younger versions are too young, not min_hot_versions.
        s = CandidateSelector::select(hot, policy(500, 1, 650), now);
        QCOMPARE(candidateIds(s), (Ids{1, 2, 4}));
        const auto r = reasonsOf(hot, s);
        QCOMPARE(r.at(2), QStringLiteral("memory"));
        QCOMPARE(r.at(4), QStringLiteral("memory"));
        QCOMPARE(r.at(6), QStringLiteral("too_young"));
        QCOMPARE(r.at(8), QStringLiteral("too_young"));
        QCOMPARE(s.projectedHotBytes, quint64(600));

        // Landing exactly on the threshold stops too (at or below).
        s = CandidateSelector::select(hot, policy(500, 1, 700), now);
        QCOMPARE(candidateIds(s), (Ids{1, 2}));
        QCOMPARE(s.projectedHotBytes, quint64(700));
    }

    void memoryPressureBySizeNotCount()
    {
        // One big young version relieves pressure alone; smaller earlier ones are taken first.
        const auto hot = makeSnapshot({{1, N, 1, 100 * kSec, 10},
                                       {2, N, 1, 200 * kSec, 1000},
                                       {3, N, 1, 300 * kSec, 10},
                                       {4, N, 1, 400 * kSec, 10}});
        const auto s = CandidateSelector::select(hot, policy(10000, 0, 500), 1000 * kSec);
        QCOMPARE(candidateIds(s), (Ids{1, 2}));
        QCOMPARE(s.projectedHotBytes, quint64(20));
        QCOMPARE(reasonsOf(hot, s).at(3), QStringLiteral("too_young"));
    }

    void memoryPressureWhereAgeCandidatesSuffice()
    {
        const auto hot = makeSnapshot({{1, N, 1, 100 * kSec, 500},
                                       {2, N, 1, 200 * kSec, 500},
                                       {3, N, 1, 900 * kSec, 100},
                                       {4, N, 1, 950 * kSec, 100}});
        // Total 1200 > 300; age candidates 1 and 2 bring it to 200: no memory candidates.
        const auto s = CandidateSelector::select(hot, policy(500, 1, 300), 1000 * kSec);
        QVERIFY(s.memoryPressure);
        QCOMPARE(candidateIds(s), (Ids{1, 2}));
        QCOMPARE(reasonsOf(hot, s),
                 (Reasons{{1, "age"}, {2, "age"}, {3, "too_young"}, {4, "head"}}));
        // No pressure at all: the young one is too young whatever min_hot_versions says.
        const auto calm = CandidateSelector::select(hot, policy(500, 3, 5000), 1000 * kSec);
        QVERIFY(!calm.memoryPressure);
        QCOMPARE(candidateIds(calm), (Ids{1}));
        QCOMPARE(reasonsOf(hot, calm).at(2), QStringLiteral("min_hot_versions"));
        QCOMPARE(reasonsOf(hot, calm).at(3), QStringLiteral("too_young"));
    }

    void lruOrdersNeverAccessedFirstThenLeastRecent()
    {
        const auto hot = makeSnapshot({{1, N, 1, 100 * kSec},
                                       {2, N, 1, 200 * kSec},
                                       {3, N, 1, 300 * kSec},
                                       {4, N, 1, 400 * kSec},
                                       {5, N, 1, 500 * kSec},
                                       {6, N, 1, 600 * kSec},
                                       {7, N, 1, 990 * kSec}});
        // 1 accessed most recently, 4 least recently, 2 in between; 3, 5 and 6 never.
        const AccessOrder access{{1, 30}, {2, 20}, {4, 10}, {7, 40}};
        const auto s =
            CandidateSelector::select(hot, policy(0, 0, 1ULL << 40, true), 1000 * kSec, access);
        QCOMPARE(candidateIds(s), (Ids{3, 5, 6, 4, 2, 1}));
        // Age mode ignores accesses.
        const auto a = CandidateSelector::select(hot, policy(0, 0), 1000 * kSec, access);
        QCOMPARE(candidateIds(a), (Ids{1, 2, 3, 4, 5, 6}));
        // With rule 2 (min 4: three may go) the LRU order decides which three.
        const auto limited =
            CandidateSelector::select(hot, policy(0, 4, 1ULL << 40, true), 1000 * kSec, access);
        QCOMPARE(candidateIds(limited), (Ids{3, 5, 6}));
        QCOMPARE(reasonsOf(hot, limited).at(4), QStringLiteral("min_hot_versions"));
    }

    void lruWithAgeAndMemory()
    {
        // Age-eligible ones first (in LRU order), then memory ones in LRU order.
        const auto hot = makeSnapshot({{1, N, 1, 100 * kSec},
                                       {2, N, 1, 200 * kSec},
                                       {3, N, 1, 700 * kSec},
                                       {4, N, 1, 800 * kSec},
                                       {5, N, 1, 850 * kSec},
                                       {6, N, 1, 990 * kSec}});
        const AccessOrder access{{1, 5}, {3, 1}};
        // Eligible (age >= 500 s): 1, 2 -> LRU: 2 (never), 1. Younger: 3, 4, 5 -> 4, 5, 3.
        const auto s =
            CandidateSelector::select(hot, policy(500, 0, 250, true), 1000 * kSec, access);
        QCOMPARE(candidateIds(s), (Ids{2, 1, 4, 5}));
        QCOMPARE(reasonsOf(hot, s), (Reasons{{1, "age"},
                                             {2, "age"},
                                             {3, "too_young"},
                                             {4, "memory"},
                                             {5, "memory"},
                                             {6, "head"}}));
    }

    void disabledSelectsNothing()
    {
        const auto hot = makeSnapshot(
            {{1, N, 1, 0, 1000}, {2, N, 1, 1, 1000}, {3, E, 1, 2, 1000}, {4, N, 2, 3, 1000}});
        const auto p = MigrationPolicyBuilder()
                           .ageThresholdSecs(0)
                           .minHotVersions(0)
                           .memoryThresholdBytes(1)
                           .enabled(false)
                           .build();
        const auto s = CandidateSelector::select(hot, p, 1000 * kSec);
        QCOMPARE(candidateIds(s), Ids{});
        QCOMPARE(reasonsOf(hot, s),
                 (Reasons{{1, "disabled"}, {2, "disabled"}, {3, "disabled"}, {4, "disabled"}}));
        QCOMPARE(s.projectedHotBytes, quint64(4000));
        QCOMPARE(s.candidateBytes, quint64(0));
        QCOMPARE(s.hotVersions, quint64(4));
    }

    void ageThresholdZeroTakesEveryNonHead()
    {
        const auto hot = makeSnapshot({{10, N, 1, 999 * kSec},
                                       {11, N, 1, 1000 * kSec},
                                       {12, N, 1, 998 * kSec},
                                       {13, E, 1, 1000 * kSec},
                                       {14, E, 1, 1000 * kSec}});
        const auto s = CandidateSelector::select(hot, policy(0, 1), 1000 * kSec);
        QCOMPARE(candidateIds(s), (Ids{12, 10, 13}));
        QCOMPARE(reasonsOf(hot, s).at(11), QStringLiteral("head"));
        QCOMPARE(reasonsOf(hot, s).at(14), QStringLiteral("head")); // tie: greater id is head
    }

    void summaryFigures()
    {
        const auto hot = makeSnapshot({{1, N, 1, 0, 7}, {2, N, 1, 1, 11}, {3, N, 1, 2, 13}});
        const auto s = CandidateSelector::select(hot, policy(0, 0, 30), 1000 * kSec);
        QCOMPARE(s.hotVersions, quint64(3));
        QCOMPARE(s.hotBytes, quint64(31));
        QVERIFY(s.memoryPressure);
        QCOMPARE(s.candidateBytes, quint64(18));
        QCOMPARE(s.projectedHotBytes, quint64(13));
        QCOMPARE(s.candidates[1].estimatedSize, quint64(11));
        QCOMPARE(s.candidates[1].ageMicros, 1000 * kSec - 1);
        QCOMPARE(reasonName(CandidateReason::Memory), QStringLiteral("memory"));
        QCOMPARE(reasonName(StayReason::MinHotVersions), QStringLiteral("min_hot_versions"));
    }

    void entityIndexOutOfRangeIsAnError()
    {
        auto hot = makeSnapshot({{1, N, 1, 0}, {2, N, 1, 1}});
        hot.versions[0].entityIndex = 7;
        QVERIFY_THROWS_EXCEPTION(FrostlineError,
                                 CandidateSelector::select(hot, policy(0, 0), 1000 * kSec));
    }

    void matchesNaiveReferenceOnRandomSnapshots()
    {
        QRandomGenerator rng(20240601);
        int withMemory = 0;
        int withMinHot = 0;
        for (int round = 0; round < 200; ++round) {
            std::vector<V> vs;
            std::vector<quint64> ids;
            const int entities = rng.bounded(1, 9);
            for (int e = 0; e < entities; ++e) {
                const auto kind = rng.bounded(2) ? N : E;
                const quint64 entity = rng.bounded(1, 5); // small ids: node/edge collisions
                const int versions = rng.bounded(1, 7);
                for (int k = 0; k < versions; ++k) {
                    quint64 id;
                    do
                        id = rng.bounded(1, 400);
                    while (std::find(ids.begin(), ids.end(), id) != ids.end());
                    ids.push_back(id);
                    // Coarse tx_from values (ties), some in the future of now = 10 s.
                    vs.push_back({id, kind, entity, qint64(rng.bounded(0, 14)) * kSec,
                                  rng.bounded(1u, 100u)});
                }
            }
            std::shuffle(vs.begin(), vs.end(), rng);
            const auto hot = makeSnapshot(vs);
            const qint64 now = 10 * kSec;

            const double ages[] = {0, 1, 3, 5.5, 8, 20};
            const auto p = MigrationPolicyBuilder()
                               .ageThresholdSecs(ages[rng.bounded(6)])
                               .minHotVersions(rng.bounded(5))
                               .memoryThresholdBytes(rng.bounded(1u, quint32(hot.totalBytes + 20)))
                               .enableLru(rng.bounded(2))
                               .enabled(rng.bounded(10) != 0)
                               .build();
            AccessOrder access;
            std::vector<quint64> sequences;
            for (int k = 0; k < int(vs.size()); ++k)
                sequences.push_back(k + 1);
            std::shuffle(sequences.begin(), sequences.end(), rng);
            for (std::size_t k = 0; k < vs.size(); ++k)
                if (rng.bounded(2))
                    access.insert(vs[k].id, sequences[k]);

            const auto s = CandidateSelector::select(hot, p, now, access);
            const auto ref = referenceSelect(vs, p, now, access);
            const QByteArray where = "round " + QByteArray::number(round);

            std::vector<std::pair<quint64, QString>> got;
            for (const Candidate& c : s.candidates)
                got.emplace_back(c.versionId, reasonName(c.reason));
            QVERIFY2(got == ref.candidates, where.constData());
            QVERIFY2(reasonsOf(hot, s) == ref.reasons, where.constData());

            // Candidate and stay records carry the version's own facts.
            for (const Candidate& c : s.candidates) {
                const auto v = std::find_if(vs.begin(), vs.end(),
                                            [&](const V& x) { return x.id == c.versionId; });
                QCOMPARE(c.kind, v->kind);
                QCOMPARE(c.entityId, v->entity);
                QCOMPARE(c.estimatedSize, v->size);
                QCOMPARE(c.ageMicros, std::max<qint64>(0, now - v->txFrom));
            }
            quint64 bytes = 0;
            for (const Candidate& c : s.candidates)
                bytes += c.estimatedSize;
            QCOMPARE(s.candidateBytes, bytes);
            QCOMPARE(s.projectedHotBytes, hot.totalBytes - bytes);
            for (const auto& [id, reason] : ref.reasons) {
                withMemory += reason == QLatin1String("memory");
                withMinHot += reason == QLatin1String("min_hot_versions");
            }
        }
        // The random workloads really exercised the interesting rules.
        QVERIFY(withMemory > 50);
        QVERIFY(withMinHot > 50);
    }

    void concurrentSelectsAgree()
    {
        // select() is a pure function of shared read-only inputs: threads may run it at once.
        std::vector<V> vs;
        for (quint64 i = 1; i <= 20000; ++i)
            vs.push_back(
                {i, i % 2 ? N : E, i % 1500, qint64((i * 7919) % 5000) * kSec, 100 + i % 7});
        const auto hot = makeSnapshot(vs);
        AccessOrder access;
        for (quint64 i = 1; i <= 20000; i += 3)
            access.insert(i, 100000 - i);
        const auto p = policy(2500, 2, hot.totalBytes / 3, true);
        const auto expected = candidateIds(CandidateSelector::select(hot, p, 5000 * kSec, access));
        QVERIFY(expected.size() > 1000);
        std::vector<Ids> results(4);
        std::vector<std::thread> threads;
        for (std::size_t t = 0; t < results.size(); ++t)
            threads.emplace_back([&, t] {
                results[t] = candidateIds(CandidateSelector::select(hot, p, 5000 * kSec, access));
            });
        for (auto& t : threads)
            t.join();
        for (const auto& r : results)
            QVERIFY(r == expected);
    }
};

QTEST_GUILESS_MAIN(TestCandidateSelector)
#include "tst_candidateselector.moc"
