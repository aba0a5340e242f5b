#pragma once

#include "version.h"

#include <vector>

namespace frostline {

// What the candidate selector needs to know of one hot version.
struct HotVersionInfo
{
    quint64 versionId = 0;
    qint64 txFrom = 0;
    quint64 entityId = 0;
    quint32 entityIndex = 0; // dense index into HotSnapshot::entityVersionCounts
    EntityKind kind = EntityKind::Node;
    bool isHead = false; // the entity's head (greatest tx_from, ties greatest version_id)
    quint64 estimatedSize = 0;
};

// A consistent copy of the hot tier's shape, taken under the hot tier's read lock, so that
// preview and migration select from a stable picture while writers go on.
struct HotSnapshot
{
    std::vector<HotVersionInfo> versions;     // any order
    std::vector<quint32> entityVersionCounts; // per entityIndex: versions in the hot tier
    std::vector<EntityKey> entities;          // per entityIndex
    quint64 totalBytes = 0;                   // sum of estimatedSize over the hot tier
};

} // namespace frostline
