#include "candidateselector.h"

#include "frostlineerror.h"

#include <algorithm>
#include <limits>

namespace frostline {

// The rules of design section 4, and the precise meaning of every stay reason:
//
// - A disabled policy selects nothing; every hot version (heads included) stays as `disabled`.
// - Otherwise an entity's head stays as `head` (rule 1), whatever its age or the memory state.
// - Each entity may give up at most allowance = count - min_hot_versions versions (0 when
//   min_hot_versions >= count), count = entityVersionCounts[entityIndex], head included.
// - Non-head versions are put in one order: age mode (tx_from, version_id) ascending; LRU mode
//   never-accessed first in that age order, then accessed ones by access sequence ascending (a
//   shared sequence, which a real AccessTracker never produces, falls back to age order).
//   Ordering uses tx_from itself, so versions from the future (age clamped to 0) still keep
//   their tx_from order among themselves.
// - Phase 1 (age): walk the age-eligible versions (age >= age_threshold) in that order; each is
//   selected with reason `age` while its entity has allowance left, else it stays as
//   `min_hot_versions`. Age candidates are taken whatever the memory state.
// - Phase 2 (memory), only when hot.totalBytes > memory_threshold_bytes: walk the remaining
//   (younger) non-head versions in the same order. Before each one, if the projected hot size
//   (totalBytes - bytes selected so far) is at or below the threshold, the walk stops and this
//   and every later one stays as `too_young`. Otherwise it is selected with reason `memory` if
//   its entity has allowance left, else it stays as `min_hot_versions` (it was needed for memory
//   but rule 2 kept it).
// - Without memory pressure, or once phase 1 alone brought the projection to the threshold,
//   every younger non-head version stays as `too_young`.
// So each hot version ends up exactly once: in candidates (migration order = phase 1 order, then
// phase 2 order) or in staying.
//
// Cost: O(n log n). Sort keys are computed once per version (one AccessOrder lookup each), the
// comparator only compares plain integers, and per-entity allowances live in a vector indexed by
// entityIndex.

QString reasonName(CandidateReason reason)
{
    switch (reason) {
    case CandidateReason::Age:
        return QStringLiteral("age");
    case CandidateReason::Memory:
        return QStringLiteral("memory");
    }
    return {};
}

QString reasonName(StayReason reason)
{
    switch (reason) {
    case StayReason::Head:
        return QStringLiteral("head");
    case StayReason::MinHotVersions:
        return QStringLiteral("min_hot_versions");
    case StayReason::TooYoung:
        return QStringLiteral("too_young");
    case StayReason::Disabled:
        return QStringLiteral("disabled");
    }
    return {};
}

namespace {

// Everything the walk needs travels with the key, so that after sorting the walk reads memory
// in order instead of jumping around the snapshot (a cache miss per version at 1M versions).
struct SortKey
{
    quint64 sequence; // access sequence, 0 when never accessed (always 0 in age mode)
    qint64 txFrom;
    quint64 versionId;
    quint64 entityId;
    quint64 estimatedSize;
    quint32 entityIndex;
    quint8 accessed; // 0 never accessed (always 0 in age mode), 1 accessed
    EntityKind kind;
    bool eligible; // age >= age_threshold

    friend bool operator<(const SortKey& a, const SortKey& b)
    {
        if (a.accessed != b.accessed)
            return a.accessed < b.accessed;
        if (a.sequence != b.sequence)
            return a.sequence < b.sequence;
        if (a.txFrom != b.txFrom)
            return a.txFrom < b.txFrom;
        return a.versionId < b.versionId;
    }
};

// now - tx_from, clamped at 0, and saturated instead of overflowing for absurd inputs.
qint64 ageOf(qint64 now, qint64 txFrom)
{
    if (now <= txFrom)
        return 0;
    const quint64 diff = static_cast<quint64>(now) - static_cast<quint64>(txFrom);
    constexpr auto kMax = static_cast<quint64>(std::numeric_limits<qint64>::max());
    return static_cast<qint64>(std::min(diff, kMax));
}

} // namespace

Selection CandidateSelector::select(const HotSnapshot& hot, const MigrationPolicy& policy,
                                    qint64 now, const AccessOrder& accessOrder)
{
    Selection result;
    const auto& versions = hot.versions;
    result.hotVersions = versions.size();
    result.hotBytes = hot.totalBytes;
    result.projectedHotBytes = hot.totalBytes;
    result.memoryPressure = hot.totalBytes > policy.memoryThresholdBytes;

    auto stay = [&](const HotVersionInfo& v, qint64 age, StayReason reason) {
        result.staying.push_back({v.versionId, v.kind, v.entityId, age, v.estimatedSize, reason});
    };

    if (!policy.enabled) {
        result.staying.reserve(versions.size());
        for (const auto& v : versions)
            stay(v, ageOf(now, v.txFrom), StayReason::Disabled);
        return result;
    }

    std::vector<quint64> allowance(hot.entityVersionCounts.size());
    for (std::size_t e = 0; e < allowance.size(); ++e) {
        const quint64 count = hot.entityVersionCounts[e];
        allowance[e] = count > policy.minHotVersions ? count - policy.minHotVersions : 0;
    }

    const bool lru = policy.enableLru && !accessOrder.isEmpty();
    std::vector<SortKey> keys; // non-head versions
    keys.reserve(versions.size());
    result.staying.reserve(versions.size());

    for (const HotVersionInfo& v : versions) {
        if (v.entityIndex >= allowance.size())
            throw FrostlineError::runtime(
                QStringLiteral("hot snapshot: version %1 has entity index %2 of %3 entities")
                    .arg(v.versionId)
                    .arg(v.entityIndex)
                    .arg(allowance.size()));
        const qint64 age = ageOf(now, v.txFrom);
        if (v.isHead) {
            stay(v, age, StayReason::Head);
            continue;
        }
        const bool eligible = age >= policy.ageThresholdMicros;
        if (!eligible && !result.memoryPressure) {
            stay(v, age, StayReason::TooYoung);
            continue;
        }
        SortKey key{0, v.txFrom, v.versionId, v.entityId, v.estimatedSize, v.entityIndex,
                    0, v.kind,   eligible};
        if (lru) {
            if (const auto it = accessOrder.constFind(v.versionId); it != accessOrder.cend()) {
                key.accessed = 1;
                key.sequence = it.value();
            }
        }
        keys.push_back(key);
    }
    const auto younger =
        std::partition(keys.begin(), keys.end(), [](const SortKey& k) { return k.eligible; });
    result.candidates.reserve(keys.size());

    auto take = [&](const SortKey& k, CandidateReason reason) {
        result.candidates.push_back(
            {k.versionId, k.kind, k.entityId, ageOf(now, k.txFrom), k.estimatedSize, reason});
        result.candidateBytes += k.estimatedSize;
        result.projectedHotBytes = result.projectedHotBytes > k.estimatedSize
                                       ? result.projectedHotBytes - k.estimatedSize
                                       : 0;
        --allowance[k.entityIndex];
    };
    auto keep = [&](const SortKey& k, StayReason reason) {
        result.staying.push_back(
            {k.versionId, k.kind, k.entityId, ageOf(now, k.txFrom), k.estimatedSize, reason});
    };

    std::sort(keys.begin(), younger);
    for (auto it = keys.begin(); it != younger; ++it) {
        if (allowance[it->entityIndex] > 0)
            take(*it, CandidateReason::Age);
        else
            keep(*it, StayReason::MinHotVersions);
    }

    // Sorting the younger ones is only worth it when memory still needs relief.
    bool relieved = result.projectedHotBytes <= policy.memoryThresholdBytes;
    if (!relieved)
        std::sort(younger, keys.end());
    for (auto it = younger; it != keys.end(); ++it) {
        relieved = relieved || result.projectedHotBytes <= policy.memoryThresholdBytes;
        if (relieved)
            keep(*it, StayReason::TooYoung);
        else if (allowance[it->entityIndex] > 0)
            take(*it, CandidateReason::Memory);
        else
            keep(*it, StayReason::MinHotVersions);
    }
    return result;
}

} // namespace frostline
