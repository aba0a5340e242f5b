#pragma once

#include "hotsnapshot.h"
#include "migrationpolicy.h"

#include <QHash>
#include <QString>

#include <vector>

namespace frostline {

enum class CandidateReason : quint8
{
    Age,
    Memory
};
// Why a hot version is not a candidate.
enum class StayReason : quint8
{
    Head,
    MinHotVersions,
    TooYoung,
    Disabled
};

QString reasonName(CandidateReason reason); // "age" | "memory"
QString reasonName(StayReason reason); // "head" | "min_hot_versions" | "too_young" | "disabled"

struct Candidate
{
    quint64 versionId = 0;
    EntityKind kind = EntityKind::Node;
    quint64 entityId = 0;
    qint64 ageMicros = 0;
    quint64 estimatedSize = 0;
    CandidateReason reason = CandidateReason::Age;
};

struct StayExplanation
{
    quint64 versionId = 0;
    EntityKind kind = EntityKind::Node;
    quint64 entityId = 0;
    qint64 ageMicros = 0;
    quint64 estimatedSize = 0;
    StayReason reason = StayReason::TooYoung;
};

struct Selection
{
    std::vector<Candidate> candidates;    // in migration order
    std::vector<StayExplanation> staying; // every hot version that is not a candidate (any order)
    quint64 hotVersions = 0;
    quint64 hotBytes = 0;
    quint64 candidateBytes = 0;
    quint64 projectedHotBytes = 0; // hotBytes - candidateBytes
    bool memoryPressure = false;   // hotBytes > memory threshold
};

// Last-access order for LRU mode: version id -> access sequence (greater = more recent).
// Versions absent from the map were never accessed.
using AccessOrder = QHash<quint64, quint64>;

// The candidate rules of design section 4, as a pure function of (hot snapshot, policy, now,
// access order). O(n log n) in the number of hot versions.
class CandidateSelector
{
public:
    static Selection select(const HotSnapshot& hot, const MigrationPolicy& policy, qint64 now,
                            const AccessOrder& accessOrder = {});
};

} // namespace frostline
