#pragma once

#include "candidateselector.h"
#include "migrationpolicy.h"
#include "migrationservice.h"
#include "store.h"
#include "storebackup.h"

#include <QObject>
#include <QString>
#include <QThreadPool>

#include <QByteArray>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

namespace frostline {
class StoreCipher;

// One WAL record of a segment, decoded for the record browser of the WAL inspector.
struct DecodedWalRecord
{
    quint64 lsn = 0;
    qint64 offset = 0; // byte offset inside the segment
    qint64 payloadBytes = 0;
    bool decoded = false; // false: `error` says why the payload is not a valid version
    Version version;
    QString error;
};

// The GUI's one handle on an open store. Every long operation (open/recovery, create+generate,
// import, preview, verify, WAL scan, lookups) runs on a QThreadPool worker; its result comes back
// as a queued signal on the GUI thread. Requests of the same kind carry a generation number: a
// newer request supersedes an older one, and a stale result is dropped, never emitted.
// The GUI thread never waits on a lock held by a worker (statistics use the stores' atomics).
class StoreController : public QObject
{
    Q_OBJECT
public:
    // What operationProgress counts. Generating: versions generated and appended of the
    // workload. Reading: bytes of the file read (total 0 when unknown: a pipe). Appending:
    // versions of the file durably appended; an import reads, then appends.
    enum class Phase
    {
        Generating,
        Reading,
        Appending
    };
    Q_ENUM(Phase)
    // How an operation ended, for operationFinished. Only a completed operation on the store
    // open now (or on none: a restore, a new store) makes an earlier failure of the same
    // operation out of date; a cancel is no success, and a result about a store closed since
    // says nothing about the one open now.
    enum class Ending
    {
        Completed,
        Cancelled,
        AboutAClosedStore
    };
    Q_ENUM(Ending)

    explicit StoreController(QObject* parent = nullptr);
    ~StoreController() override; // stops the service, waits for workers, closes the store

    bool isOpen() const;
    QString storePath() const;
    Store* store() const;              // nullptr when closed; for read-only use on the GUI thread
    MigrationService* service() const; // nullptr when closed
    MigrationPolicy activePolicy() const;

    // Cheap, lock-free figures for the status bar and dashboard (atomics of the hot tier and the
    // last values the workers reported).
    quint64 hotVersions() const;
    quint64 hotBytes() const;
    // Last figures a statistics worker reported (0 before the first report).
    // The last statistics a worker read for the open store (empty before the first): hot and
    // cold from one snapshot, so they add up, unlike hotVersions() (live).
    StoreStatistics lastStatistics() const;
    quint64 flushedLsn() const;
    MigrationService::State serviceState() const;
    // Generation of the newest preview request (of any requester); previewReady carries the one
    // it answers.
    quint64 previewGeneration() const;
    // Results dropped because a newer request of the same kind superseded them.
    quint64 staleResultsDropped() const;
    // Blocks until every worker is idle (tests and shutdown only; never from a normal slot).
    void waitForWorkers();

    // True while a backup or restore runs (one at a time; cancelCopy() stops it).
    bool isCopyRunning() const;
    // Why DEST cannot receive a backup or restore (it must not exist or be an empty directory),
    // or an empty string when it can. Cheap file checks, fine on the GUI thread.
    static QString destinationProblem(const QString& dest);

    // Asks the operator for the passphrase of the encrypted store (or backup) at STOREPATH, on
    // the GUI thread; PROBLEM is why it asks again ("wrong passphrase…"), empty the first time.
    // std::nullopt: the operator cancelled. Without a provider an encrypted store fails to open
    // with the engine's "its passphrase is needed" message.
    using PassphraseProvider =
        std::function<std::optional<QByteArray>(const QString& storePath, const QString& problem)>;
    void setPassphraseProvider(PassphraseProvider provider);

public slots:
    // Opens the store on a worker; stepProgress("Open store", …) tells its steps (Berkeley DB
    // recovery, the hot checkpoint, the WAL replay). cancelOpen() stops it at the next step and
    // ends it with operationFinished saying so: no store is open then, and no file changed
    // beyond what any open does (recovery, cutting a torn WAL tail).
    void openStore(const QString& path);
    void cancelOpen();
    // Creates a store and fills it with a generated workload (progress via operationProgress).
    // A non-empty PASSPHRASE creates it encrypted at rest; the new store then opens with it
    // (the operator is not asked again).
    void createDemoStore(const QString& path, quint64 entities, quint64 versions, double spanDays,
                         quint64 seed, const QByteArray& passphrase = {});
    // Reads a JSONL file (progress: operationProgress, Phase::Reading, bytes read of the file's
    // size) and appends it all or nothing (Phase::Appending: first 0 of N, then after each
    // durable chunk of 4,096 versions, ending at N of N). cancelOperation() stops it while it
    // reads, and nothing is imported; once the append has started it cannot be cancelled any
    // more: it completes and is durable.
    void importFile(const QString& jsonlPath);
    // Returns at once: the service stops (after its batch in flight) and the store closes on a
    // worker; a later open of the same directory waits for that.
    void closeStore();

    void applyPolicy(const frostline::MigrationPolicy& policy); // writes STORE/policy.json
    // Returns the request's generation (0 when no store is open); previewReady carries it. A
    // request supersedes only the older ones of the same REQUESTER (a page), never another's.
    quint64 requestPreview(const frostline::MigrationPolicy& policy, qint64 now,
                           const QObject* requester = nullptr);
    void refreshStatistics();
    void refreshWal();
    // Verify and checkpoint report their steps (stepProgress) and stop when cancelled:
    // a verify at its next check, changing nothing; a checkpoint between chunks, keeping what
    // it committed. Either ends with operationFinished saying it was cancelled.
    void requestVerify();
    void requestCheckpoint();
    void cancelVerify();
    void cancelCheckpoint();
    void lookupVersion(quint64 versionId);
    // The version and its tier (versionLocated), without counting as a read of it. A failure
    // is operationFailed with explainOperation().
    void locateVersion(quint64 versionId);
    static QString explainOperation();
    void lookupHistory(const frostline::EntityKey& entity);
    void requestColdStatistics();
    // Decodes the records of one WAL segment (at most `limit`) on a worker.
    // The records of SEGMENT from FROMLSN (0: its first), at most LIMIT of them.
    void requestWalRecords(const frostline::WalSegmentInfo& segment, quint64 fromLsn = 0,
                           int limit = 20000);

    // Migration (through the MigrationService): one run now with the given policy / start / stop.
    void runMigrationOnce(const frostline::MigrationPolicy& policy);
    void startService();
    void stopService();
    void cancelMigration();

    // Hot backup of the open store into DEST (new or empty) on a worker; the store stays open and
    // migrations go on meanwhile. Its steps go out as stepProgress("Back up store", …), the
    // copies counted in bytes. Result: backupFinished, or operationFailed("Back up store"), or
    // (cancelCopy) operationFinished saying it was cancelled and the unfinished copy removed.
    void backupStore(const QString& dest);
    // Restores BACKUP into DEST (new or empty, never the open store's directory) on a worker and
    // opens the copy there once to prove it recovers; the open store is untouched.
    // Result: restoreFinished, or operationFailed("Restore store"). An encrypted backup: its
    // passphrase is asked (again after a wrong one); the next openStore(DEST) reuses it once.
    // Steps and cancelling as for backupStore (the proof's open and verify report theirs too).
    void restoreBackup(const QString& backup, const QString& dest);
    // Stops the backup or restore running at its next MiB or step; it removes its unfinished
    // copy. The store or backup it copies is not changed either way.
    void cancelCopy();
    // Drops a passphrase kept for the next open of a restored/created copy (the operator chose
    // not to open it).
    void forgetPendingPassphrase();

    // Cancels an import while it reads its file; see importFile for what that leaves.
    void cancelOperation();
    // Stops generating the demo store at the next slice; what was generated is kept and opened.
    void cancelDemoStore();

signals:
    void storeOpened(const QString& path, const frostline::Store::OpenReport& report);
    // An open is in flight (true) or no longer (false: opened, failed, cancelled, or abandoned
    // by a close or a newer open). What is shown of an open follows this, not the messages,
    // since a refused request (a folder that is no store) says "Open store" too.
    void openRunningChanged(bool running);
    void storeClosed();
    void operationStarted(const QString& what);
    // DONE of TOTAL in the units of PHASE; within a phase DONE never decreases.
    void operationProgress(const QString& what, frostline::StoreController::Phase phase,
                           qint64 done, qint64 total);
    void operationFinished(const QString& what, const QString& summary,
                           frostline::StoreController::Ending ending);
    // Every failure, in plain words, for the window that caused it.
    void operationFailed(const QString& what, const QString& message);
    // An open, verify, checkpoint, backup or restore is in STEP, DONE of TOTAL in that step's
    // UNIT (0 of 0: nothing to count in this step).
    void stepProgress(const QString& what, const QString& step, quint64 done, quint64 total,
                      frostline::OperationControl::Unit unit);

    void policyApplied(const frostline::MigrationPolicy& policy);
    void previewReady(quint64 generation, const frostline::MigrationPolicy& policy, qint64 now,
                      std::shared_ptr<const frostline::Selection> selection);
    void statisticsUpdated(const frostline::StoreStatistics& statistics);
    void walUpdated(const std::vector<frostline::WalSegmentStatus>& segments, quint64 lastLsn,
                    quint64 flushedLsn);
    void verifyFinished(const QStringList& problems);
    void versionFound(quint64 versionId, const std::optional<frostline::TieredVersion>& version);
    void versionLocated(quint64 versionId, const std::optional<frostline::TieredVersion>& version);
    void historyFound(const frostline::EntityKey& entity,
                      const std::vector<frostline::TieredVersion>& versions);
    void coldStatisticsUpdated(const frostline::ColdStatistics& statistics);
    void checkpointFinished(const frostline::CheckpointResult& result);
    // A backup/restore finished; the same summary also goes out as operationFinished.
    void backupFinished(const QString& dest, const frostline::StoreBackup::Report& report);
    void restoreFinished(const QString& dest, const frostline::StoreBackup::Report& report);
    void copyRunningChanged(bool running);
    // `more` is true when the segment holds records beyond `limit`.
    void walRecordsReady(const frostline::WalSegmentInfo& segment,
                         std::shared_ptr<const std::vector<frostline::DecodedWalRecord>> records,
                         bool more);

    // Re-emitted from the MigrationService (already queued to the GUI thread).
    void migrationProgress(const frostline::MigrationProgress& progress);
    void migrationBatchCommitted(const frostline::BatchCommitResult& batch,
                                 const frostline::MigrationProgress& progress);
    void migrationFinished(const frostline::MigrationRunResult& result);
    void migrationFailed(const QString& cause);
    void serviceStateChanged(frostline::MigrationService::State state);
    // Versions entered or left the hot tier of the open store (an import ended, a migration run
    // ended or failed after some batches): what a page computed from it may be out of date.
    // Not per batch; pages that follow batches listen to migrationBatchCommitted.
    void hotTierChanged();

private:
    // " S is still open." after a refused open, while store S stays open; empty with none open.
    QString stillOpenNote() const;
    // lookupVersion (a read, recorded for the LRU order) or locateVersion (not a read).
    void askForVersion(quint64 versionId, bool locateOnly);
    // CIPHER: keys already derived (and checked) for an encrypted store, instead of PASSPHRASE.
    void startOpen(const QString& clean, QByteArray passphrase, bool encrypted,
                   std::shared_ptr<const frostline::StoreCipher> cipher = {});
    // With a store open: derives the keys first, on a worker, so that a wrong passphrase is
    // refused while that store stays open; then startOpen with them.
    void unlockThenOpen(const QString& clean, QByteArray passphrase);
    void askAndOpen(const QString& clean, const QString& problem);
    void startRestore(const QString& source, const QString& target, const QString& problem);

    class Private;
    std::unique_ptr<Private> d;
};

} // namespace frostline

Q_DECLARE_METATYPE(frostline::StoreBackup::Report)
