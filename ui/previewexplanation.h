#pragma once

#include "candidateselector.h"
#include "migrationpolicy.h"

#include <QString>

namespace frostline {

// "Why does this stay hot?" / "why would this move?" for one version of a preview, in plain words,
// from the selector's own verdict (Selection::candidates / Selection::staying), e.g.
// "version 812 stays hot: it is the head of node 17".
class PreviewExplanation
{
public:
    static QString explain(const Selection& selection, const MigrationPolicy& policy,
                           quint64 versionId);
};

} // namespace frostline
