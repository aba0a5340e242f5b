#pragma once

#include "frostlineerror.h"

#include <QString>

#include <atomic>
#include <functional>

namespace frostline {

// What a long store operation (verify, checkpoint) reports while it runs, and how the operator
// stops it. `progress` is told the step it is in and DONE of TOTAL in that step's units (0 of 0:
// a step with nothing to count). Once `cancel` is set the operation stops at its next check: a
// checkpoint between two chunks, keeping the chunks it committed; a verify by throwing
// FrostlineError with Cause::Cancelled.
struct OperationControl
{
    std::function<void(const QString& step, quint64 done, quint64 total)> progress;
    const std::atomic<bool>* cancel = nullptr;

    bool cancelled() const { return cancel && cancel->load(); }
    void report(const QString& step, quint64 done, quint64 total) const
    {
        if (progress)
            progress(step, done, total);
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
