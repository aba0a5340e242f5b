#pragma once

#include "version.h"

#include <QString>

namespace frostline::test {

// The version the crash tests write for `id`: deterministic, so a test can tell an acknowledged
// version that survived unchanged from one that was lost or altered. Entities are shared between
// ids so chains, heads and checkpoints all take part.
Version crashVersion(quint64 id);

// Makes a closed store at STORE_PATH holding crashVersion(1 .. VERSIONS), the first MIGRATED of
// them moved to the cold tier in one batch (the flushed LSN is then MIGRATED).
void makeCrashStore(const QString& storePath, quint64 versions, quint64 migrated);

// Damages the record of crashVersion(id) in FILE (a WAL segment, a cold database), as a bad
// sector would: one bit of its name property, stored in the record as "vérsion-ID" (the one
// occurrence not followed by a digit: "vérsion-10" is also the start of "vérsion-105"). False
// (and nothing changed) when that name is not found exactly once.
bool damageVersionName(const QString& file, quint64 id);

// damageVersionName on the cold database (nodes.db or edges.db) of the closed store at
// STORE_PATH that holds crashVersion(id): the record then no longer decodes.
bool damageColdRecord(const QString& storePath, quint64 id);

} // namespace frostline::test
