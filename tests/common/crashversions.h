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

// Damages the cold record of crashVersion(id) in the closed store at STORE_PATH, as a bad sector
// would: one bit of its name property, which is stored once, in the record. The record then no
// longer decodes. False (and nothing changed) when the record is not found exactly once.
bool damageColdRecord(const QString& storePath, quint64 id);

} // namespace frostline::test
