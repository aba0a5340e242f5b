#pragma once

#include "candidateselector.h"
#include "migrationpolicy.h"
#include "store.h"

#include <QString>

#include <atomic>
#include <functional>

namespace frostline {

// Progress after each committed batch (design section 4).
struct MigrationProgress
{
    quint64 versionsDone = 0, versionsTotal = 0;
    quint64 bytesDone = 0, bytesTotal = 0;
    int batch = 0, batches = 0; // batch i of n (1-based; 0 before the first commit)
    qint64 elapsedMs = 0;
    double versionsPerSecond = 0;
    double bytesPerSecond = 0;
    qint64 etaMs = -1; // -1 while unknown
};

struct MigrationRunResult
{
    quint64 migrated = 0, nodeVersions = 0, edgeVersions = 0, bytes = 0;
    int batches = 0; // batches committed
    int plannedBatches = 0;
    quint64 flushedLsn = 0;
    int segmentsDeleted = 0;
    QString walProblem; // the last covered WAL segment that could not be deleted (it stays)
    double durationSecs = 0;
    // Where the run's time went (seconds); durationSecs is about their sum.
    double selectSecs = 0;            // choosing the candidates
    double hotReadSecs = 0;           // per batch: versions out of the hot tier
    ColdCommitTimings cold;           // per batch: the Berkeley DB transactions
    double hotUpdateSecs = 0;         // per batch: hot removal and WAL truncation
    double closingCheckpointSecs = 0; // the versions that stay hot into the hot checkpoint
    bool cancelled = false;
    qint64 finishedAtMicros = 0;
};

// One migration run of a store under a policy at an instant `now`: select candidates, then
// commit them in batches of batch_size through Store::migrateBatch (one synchronous Berkeley DB
// transaction each), reporting progress after every batch, then checkpoint the versions that
// stay hot. Cancellation is honoured between batches: the batch in flight always commits first.
class MigrationRun
{
public:
    using ProgressCallback =
        std::function<void(const MigrationProgress&, const BatchCommitResult& lastBatch)>;

    MigrationRun(Store& store, MigrationPolicy policy, qint64 now);

    // The candidates this run would migrate (what preview shows), from a hot-tier snapshot.
    Selection select() const;

    // Runs to the end (or until *cancel becomes true between batches). A failing batch throws
    // FrostlineError after the batches before it stayed committed; that batch changed nothing.
    MigrationRunResult run(const ProgressCallback& onBatch = {},
                           const std::atomic<bool>* cancel = nullptr);
    // The same with candidates already selected by select() (the service's trigger check), so
    // a run over a large hot tier does not select twice.
    MigrationRunResult run(Selection selection, const ProgressCallback& onBatch,
                           const std::atomic<bool>* cancel);

private:
    Store& m_store;
    MigrationPolicy m_policy;
    qint64 m_now;
};

} // namespace frostline
