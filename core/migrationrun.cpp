#include "migrationrun.h"

#include "frostlineerror.h"

#include <QElapsedTimer>

#include <algorithm>

namespace frostline {

MigrationRun::MigrationRun(Store& store, MigrationPolicy policy, qint64 now)
    : m_store(store), m_policy(std::move(policy)), m_now(now)
{}

Selection MigrationRun::select() const
{
    const AccessOrder order =
        m_policy.enableLru ? m_store.accessTracker().accessOrder() : AccessOrder();
    return CandidateSelector::select(m_store.hot().snapshot(), m_policy, m_now, order);
}

MigrationRunResult MigrationRun::run(const ProgressCallback& onBatch,
                                     const std::atomic<bool>* cancel)
{
    QElapsedTimer timer;
    timer.start();
    Selection selection = select();
    const double selectSecs = double(timer.nsecsElapsed()) / 1e9;
    MigrationRunResult result = run(std::move(selection), onBatch, cancel);
    result.selectSecs = selectSecs;
    result.durationSecs += selectSecs;
    return result;
}

MigrationRunResult MigrationRun::run(Selection selection, const ProgressCallback& onBatch,
                                     const std::atomic<bool>* cancel)
{
    QElapsedTimer timer;
    timer.start();
    MigrationRunResult result;
    const auto& candidates = selection.candidates;
    const std::size_t batchSize = std::size_t(std::max<quint64>(1, m_policy.batchSize));
    result.plannedBatches = int((candidates.size() + batchSize - 1) / batchSize);
    result.flushedLsn = m_store.flushedLsn();

    MigrationProgress progress;
    progress.versionsTotal = candidates.size();
    progress.bytesTotal = selection.candidateBytes;
    progress.batches = result.plannedBatches;

    try {
        std::vector<quint64> ids;
        for (std::size_t start = 0; start < candidates.size(); start += batchSize) {
            if (cancel && cancel->load()) {
                result.cancelled = true;
                break;
            }
            const std::size_t end = std::min(candidates.size(), start + batchSize);
            ids.clear();
            for (std::size_t i = start; i < end; ++i)
                ids.push_back(candidates[i].versionId);
            const BatchCommitResult batch = m_store.migrateBatch(ids);

            result.migrated += batch.versions;
            result.nodeVersions += batch.nodeVersions;
            result.edgeVersions += batch.edgeVersions;
            result.bytes += batch.bytes;
            result.segmentsDeleted += batch.segmentsDeleted;
            result.walProblem = batch.walProblem; // the latest truncation's word
            result.flushedLsn = batch.flushedLsn;
            result.hotReadSecs += batch.hotReadSecs;
            result.cold += batch.cold;
            result.hotUpdateSecs += batch.hotUpdateSecs;
            ++result.batches;

            progress.batch = result.batches;
            progress.versionsDone = result.migrated;
            progress.bytesDone = std::min(progress.bytesTotal, progress.bytesDone + batch.bytes);
            progress.elapsedMs = timer.elapsed();
            const double secs = std::max(1e-3, double(progress.elapsedMs) / 1000.0);
            progress.versionsPerSecond = double(progress.versionsDone) / secs;
            progress.bytesPerSecond = double(progress.bytesDone) / secs;
            progress.etaMs = progress.versionsPerSecond > 0
                                 ? qint64(double(progress.versionsTotal - progress.versionsDone) /
                                          progress.versionsPerSecond * 1000.0)
                                 : -1;
            if (onBatch)
                onBatch(progress, batch);
        }
        // The batches advanced the flushed LSN only over what they migrated; the versions that stay
        // hot now enter the hot checkpoint so the flushed LSN reaches the end of the log and the
        // WAL can be truncated.
        // (Not after a cancel, even one that came during the last batch: stop() waits only for the
        // batch in flight; the next run or checkpoint catches up, and nothing is at risk
        // meanwhile.)
        if (result.batches > 0 && !(cancel && cancel->load()) &&
            m_store.uncheckpointedCount() > 0) {
            const qint64 closingStart = timer.nsecsElapsed();
            // A cancel that comes during it stops it between chunks: what it wrote stays.
            OperationControl control;
            control.cancel = cancel;
            const CheckpointResult c = m_store.checkpoint(false, control);
            result.closingCheckpointSecs = double(timer.nsecsElapsed() - closingStart) / 1e9;
            result.segmentsDeleted += c.segmentsDeleted;
            if (!c.cancelled) // a cancelled one stops before its truncation: it has no word
                result.walProblem = c.walProblem;
            result.flushedLsn = c.flushedLsn;
        }
    } catch (const FrostlineError& e) {
        if (result.batches == 0)
            throw;
        // A closing checkpoint that failed part-way may have moved it past the last batch's.
        quint64 flushed = result.flushedLsn;
        try {
            flushed = std::max(flushed, m_store.flushedLsn());
        } catch (const FrostlineError&) {
        }
        // A failure after some batches committed (a full disk in the closing checkpoint): what
        // they moved is durable, which the cause alone would leave the operator to guess.
        throw FrostlineError(e.kind(),
                             QStringLiteral("%1; before it, %2 batch(es) committed: their %3 "
                                            "versions are durable in the cold tier (flushed "
                                            "LSN %4)")
                                 .arg(e.message())
                                 .arg(result.batches)
                                 .arg(result.migrated)
                                 .arg(flushed),
                             e.cause());
    }
    result.durationSecs = double(timer.nsecsElapsed()) / 1e9;
    result.finishedAtMicros = currentMicros();
    return result;
}

} // namespace frostline
