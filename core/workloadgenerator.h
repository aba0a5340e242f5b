#pragma once

#include "version.h"

#include <functional>
#include <vector>

namespace frostline {

// A realistic synthetic workload for `frostline-cli generate`, demos, tests and benchmarks:
// many entities with skewed version counts (a few entities have many versions, most have few),
// node and edge entities (edges between generated nodes; node and edge ids may coincide),
// timestamps spread over `spanDays` into the past from `now`, labels from a small vocabulary,
// and varied properties. Seeded: the same options give the same versions, byte for byte.
class WorkloadGenerator
{
public:
    struct Options
    {
        quint64 entities = 1000;  // number of entities (nodes and edges together)
        quint64 versions = 10000; // total number of versions
        double spanDays = 30;     // tx_from spread over [now - spanDays, now]
        quint64 seed = 1;
        qint64 now = 0;             // 0 = currentMicros()
        quint64 firstVersionId = 1; // version ids are firstVersionId, firstVersionId+1, ...
        double edgeFraction = 0.3;  // share of entities that are edges
    };

    explicit WorkloadGenerator(Options options);

    // Calls `sink` with every version in version-id order.
    void generate(const std::function<void(Version&&)>& sink);
    std::vector<Version> generateAll();

    // A random version exercising every corner of the data model (every property type, nesting,
    // unicode incl. astral planes, ids and times near the int64/uint64 limits, open ends, edges and
    // nodes): for codec round-trip tests. Deterministic for a given `seed` and `index`.
    static Version randomVersion(quint64 seed, quint64 index);

private:
    Options m_options;
};

} // namespace frostline
