#include "previewexplanation.h"

#include "displayformat.h"

namespace frostline {

namespace {

QString entityText(EntityKind kind, quint64 entityId)
{
    return QStringLiteral("%1 %2").arg(kindName(kind)).arg(entityId);
}

} // namespace

std::optional<QString> PreviewExplanation::explain(const Selection& selection,
                                                   const MigrationPolicy& policy, quint64 versionId)
{
    // A linear scan per question: a million entries take about a millisecond, far cheaper than
    // keeping a hash of every hot version for the odd click.
    const auto& candidates = selection.candidates;
    for (size_t i = 0; i < candidates.size(); ++i) {
        const Candidate& c = candidates[i];
        if (c.versionId != versionId)
            continue;
        const QString head = QStringLiteral("version %1 of %2 would move (number %3 in migration "
                                            "order): ")
                                 .arg(versionId)
                                 .arg(entityText(c.kind, c.entityId), DisplayFormat::count(i + 1));
        if (c.reason == CandidateReason::Age) {
            return head + QStringLiteral("it is %1 old, at or past the age threshold of %2")
                              .arg(DisplayFormat::duration(c.ageMicros),
                                   DisplayFormat::duration(policy.ageThresholdMicros));
        }
        return head + QStringLiteral("the hot tier holds %1, above the memory threshold of %2, so "
                                     "younger versions move too (it is %3 old)")
                          .arg(DisplayFormat::bytes(selection.hotBytes),
                               DisplayFormat::bytes(policy.memoryThresholdBytes),
                               DisplayFormat::duration(c.ageMicros));
    }
    for (const StayExplanation& s : selection.staying) {
        if (s.versionId != versionId)
            continue;
        const QString head = QStringLiteral("version %1 stays hot: ").arg(versionId);
        const QString entity = entityText(s.kind, s.entityId);
        switch (s.reason) {
        case StayReason::Head:
            return head + QStringLiteral("it is the head of %1").arg(entity);
        case StayReason::MinHotVersions:
            return head + QStringLiteral("%1 must keep at least %2 hot (min_hot_versions = %3)")
                              .arg(entity,
                                   policy.minHotVersions == 1
                                       ? QStringLiteral("1 version")
                                       : QStringLiteral("%1 versions")
                                             .arg(DisplayFormat::count(policy.minHotVersions)),
                                   QString::number(policy.minHotVersions));
        case StayReason::TooYoung: {
            QString text =
                head + QStringLiteral("it is %1 old%2, younger than the age threshold of %3")
                           .arg(DisplayFormat::duration(s.ageMicros),
                                // Ages are clamped at 0: a clock moved before the version was
                                // recorded read as "it is 0 s old" of a version not there yet.
                                s.ageMicros == 0
                                    ? QStringLiteral(" (recorded at or after the instant asked "
                                                     "about)")
                                    : QString(),
                                DisplayFormat::duration(policy.ageThresholdMicros));
            if (selection.memoryPressure)
                text += QStringLiteral(", and moving older versions already brings the hot tier "
                                       "down to the memory threshold of %1")
                            .arg(DisplayFormat::bytes(policy.memoryThresholdBytes));
            else
                text += QStringLiteral(", and the hot tier (%1) is within the memory threshold "
                                       "of %2")
                            .arg(DisplayFormat::bytes(selection.hotBytes),
                                 DisplayFormat::bytes(policy.memoryThresholdBytes));
            return text;
        }
        case StayReason::Disabled:
            return head + QStringLiteral("the policy is disabled, so nothing moves");
        }
    }
    return std::nullopt;
}

QString PreviewExplanation::alreadyCold(const Version& version)
{
    return QStringLiteral("version %1 of %2 is in the cold tier already: no policy moves it again")
        .arg(version.versionId)
        .arg(entityText(version.kind, version.entityId));
}

} // namespace frostline
