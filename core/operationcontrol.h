#pragma once

#include "frostlineerror.h"

#include <QString>

#include <atomic>
#include <functional>

namespace frostline {

// What a long store operation (open, verify, checkpoint, backup, restore) reports while it runs,
// and how the operator stops it. `progress` is told the step it is in and DONE of TOTAL in that
// step's unit (0 of 0: a step with nothing to count). Once `cancel` is set the operation stops at
// its next check: a checkpoint between two chunks, keeping the chunks it committed; the others by
// throwing FrostlineError with Cause::Cancelled (a backup or restore removes its copy first).
struct OperationControl
{
    // Records and versions are counted; a copy counts bytes (shown as sizes, not as counts).
    enum class Unit
    {
        Items,
        Bytes
    };

    std::function<void(const QString& step, quint64 done, quint64 total, Unit unit)> progress;
    const std::atomic<bool>* cancel = nullptr;

    bool cancelled() const { return cancel && cancel->load(); }
    void report(const QString& step, quint64 done, quint64 total, Unit unit = Unit::Items) const
    {
        if (progress)
            progress(step, done, total, unit);
    }
    // Throws when cancelled; WHAT names the operation in the message.
    void check(const QString& what) const
    {
        if (cancelled())
            throw FrostlineError(FrostlineError::Kind::Runtime,
                                 QStringLiteral("%1 cancelled").arg(what),
                                 FrostlineError::Cause::Cancelled);
    }
};

} // namespace frostline
