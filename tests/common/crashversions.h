#pragma once

#include "version.h"

namespace frostline::test {

// The version the crash tests write for `id`: deterministic, so a test can tell an acknowledged
// version that survived unchanged from one that was lost or altered. Entities are shared between
// ids so chains, heads and checkpoints all take part.
Version crashVersion(quint64 id);

} // namespace frostline::test
