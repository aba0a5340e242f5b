#pragma once

#include "candidateselector.h"
#include "migrationpolicy.h"

#include <QString>

#include <optional>

namespace frostline {

// "Why does this stay hot?" / "why would this move?" for one version of a preview, in plain words,
// from the selector's own verdict (Selection::candidates / Selection::staying), e.g.
// "version 812 stays hot: it is the head of node 17". The GUI's preview page and the CLI's
// `preview --explain` both answer with it.
class PreviewExplanation
{
public:
    // Empty when the version is not in the hot tier the selection was made of (already cold, or
    // no such version): where to look for it is the caller's to say.
    static std::optional<QString> explain(const Selection& selection, const MigrationPolicy& policy,
                                          quint64 versionId);
    // For a version found in the cold tier instead.
    static QString alreadyCold(const Version& version);
};

} // namespace frostline
