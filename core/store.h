#pragma once

#include "accesstracker.h"
#include "coldtier.h"
#include "hottier.h"
#include "migrationpolicy.h"
#include "operationcontrol.h"
#include "storecipher.h"
#include "storelock.h"
#include "version.h"
#include "wal.h"

#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace frostline {

enum class Tier
{
    Hot,
    Cold
};
QString tierName(Tier tier); // "hot" | "cold"

struct TieredVersion
{
    Version version;
    Tier tier = Tier::Hot;
};

struct StoreStatistics
{
    quint64 hotVersions = 0, hotNodeVersions = 0, hotEdgeVersions = 0, hotBytes = 0,
            hotEntities = 0;
    quint64 coldNodeVersions = 0, coldEdgeVersions = 0, coldBytes = 0;
    quint64 checkpointVersions = 0; // hot versions held in the hot checkpoint
    quint64 uncheckpointedVersions = 0;
    quint64 flushedLsn = 0, lastLsn = 0, firstWalLsn = 0;
    quint64 walSegments = 0;
    qint64 walBytes = 0;
    bool encrypted = false; // encryption at rest (STORE/encryption.json)
    QString cipher;         // e.g. "AES-256-GCM", empty when not encrypted
};

// A WAL segment with the truncation verdict for it.
struct WalSegmentStatus
{
    WalSegmentInfo segment;
    bool deletable = false;
    QString reason; // why it may or may not be deleted, in the operator's words
};

struct BatchCommitResult
{
    quint64 versions = 0, nodeVersions = 0, edgeVersions = 0, bytes = 0;
    quint64 flushedLsn = 0;
    int segmentsDeleted = 0;
    QString walProblem; // a covered segment that could not be deleted (it stays; see truncateWal)
    qint64 committedAtMicros = 0; // when its transaction's commit returned (wall clock)
    // Where the batch's time went (seconds).
    double hotReadSecs = 0;   // taking the batch's versions out of the hot tier
    ColdCommitTimings cold;   // the Berkeley DB transaction
    double hotUpdateSecs = 0; // after the commit: hot removal and WAL truncation
};

struct CheckpointResult
{
    quint64 checkpointedVersions = 0;
    quint64 flushedLsn = 0;
    int segmentsDeleted = 0;
    QString walProblem;     // a covered segment that could not be deleted (it stays)
    bool cancelled = false; // stopped between chunks (OperationControl): not every version is in
};

// A store directory (design section 3):
//   STORE/store.lock  STORE/wal/  STORE/cold/  STORE/policy.json
// Owns the lock, the WAL, the cold tier (Berkeley DB), the hot tier and the access tracker.
//
// Threads: appends, checkpoints and migration batches are serialized by one writer mutex; reads
// (find, history, statistics) may run concurrently with them from any thread.
class Store
{
public:
    struct Options
    {
        qint64 walSegmentBytes = 16 * 1024 * 1024;
        bool syncWal = true;
        std::size_t accessTrackerCapacity = AccessTracker::kDefaultCapacity;
        // Versions per Berkeley DB transaction when checkpointing a large hot tier.
        std::size_t checkpointChunk = 50000;
        // The passphrase of an encrypted store (ignored for an unencrypted one). Kept in memory
        // only until open() has derived the keys; never written anywhere.
        QByteArray passphrase = {};
        // Or keys already derived from this store's encryption.json (restore derives them for
        // the backup, whose file the copy carries): open() checks them against that file's key
        // check instead of deriving again. Takes precedence over `passphrase`.
        std::shared_ptr<const StoreCipher> cipher = {};
        // Opens a directory that still carries the unfinished-copy marker: only restore's own
        // proof-open of the copy it is making.
        bool openUnfinishedCopy = false;
    };

    struct OpenReport
    {
        quint64 flushedLsn = 0;
        quint64 checkpointVersions = 0; // loaded from the hot checkpoint
        quint64 replayedRecords = 0;    // WAL records after the flushed LSN
        quint64 skippedAlreadyCold = 0; // replayed records whose version is already cold
        quint64 skippedAlreadyHot = 0;
        qint64 tornBytesCut = 0;
        QString tornSegment;
        quint64 walLastLsn = 0; // the WAL's last LSN once open (after any cut)
        qint64 elapsedMs = 0;

        // What recovery cut from the WAL's tail, in the operator's words; empty when nothing.
        // Cutting a torn tail is recovery doing its job, but it changes a file of the store, and
        // a complete record whose bytes were damaged is cut the same way: the operator is told.
        QString tornTailNote() const;
    };

    // Creates an empty store (directories, empty WAL, cold environment, default policy.json).
    // Throws if PATH already holds a store or is a non-empty directory.
    static void create(const QString& path);
    // The same, encrypted at rest (StoreCipher): STORE/encryption.json is written first, then
    // the WAL and the cold environment are laid down encrypted. The passphrase must not be empty.
    static void create(const QString& path, const QByteArray& passphrase);
    static bool looksLikeStore(const QString& path);
    // The refusals open() makes from the directory's files alone, before it touches anything:
    // not there, not a store, an unfinished init or copy (unless UNFINISHED_COPY_ALLOWED), a
    // backup. Throws the FrostlineError open() would; cheap enough for the GUI thread, which asks
    // before it closes the store that is open.
    static void checkOpenable(const QString& path, bool unfinishedCopyAllowed = false);
    // The file a backup or restore keeps in its destination until the copy is whole; open()
    // refuses a directory that has it (a copy cut short, e.g. by a full disk or kill -9).
    static QString unfinishedCopyMarker(const QString& path);
    // PATH with symbolic links resolved as far as it exists (the rest appended): the directory
    // the operator means, whatever spelling a dialog or a shell gave.
    static QString resolvedPath(const QString& path);
    // Whether PATH is DIR or lies inside it, both resolved: a copy into its own source would copy
    // itself again at every level until the disk is full.
    static bool isSameOrInside(const QString& path, const QString& dir);

    explicit Store(QString path);
    Store(QString path, Options options);
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // Lock, recover the cold environment (DB_RECOVER), load the hot checkpoint, replay the WAL
    // after the flushed LSN. Throws FrostlineError naming what failed and where. An encrypted
    // store checks the passphrase first, before touching any file: a missing or wrong one throws
    // FrostlineError::badInput ("wrong passphrase for encrypted store PATH").
    // CONTROL gets the steps (Berkeley DB recovery, the hot checkpoint, the WAL replay with
    // records replayed of those to replay) and may cancel between them and between chunks:
    // open() then throws FrostlineError with Cause::Cancelled and leaves the store closed and
    // unlocked. Nothing open() does before that is undone, and none of it needs undoing: the
    // recovery and a cut torn tail are what any open does, the rest happens in memory.
    OpenReport open(const OperationControl& control = {});
    void close();
    bool isOpen() const { return m_open; }
    QString path() const { return m_path; }
    // Whether the store is encrypted at rest; its cipher once open() derived the keys (else null).
    bool isEncrypted() const;
    std::shared_ptr<const StoreCipher> cipher() const { return m_cipher; }

    // Validates every version first (ids unique in the store and in the input, ranges, edges),
    // then appends them to the WAL (durable on return) and the hot tier. Returns the last LSN.
    // A bad version throws FrostlineError::badInput and appends nothing.
    // `whereIs(i)`, when given, names where the i-th version came from ("FILE: line N"): a
    // refusal then starts with it. A failure after some chunks were appended (a full disk) says
    // how many of the versions are already durable, so the operator imports only the rest.
    // `progress`, when given, is called on the appending thread after each chunk (4,096
    // versions) is durable in the WAL and applied to the hot tier, with the versions appended so
    // far and the total: increasing, the last call with appended == total (none for a refused or
    // empty input). It runs under the writer mutex: keep it short and do not call back into the
    // Store. It cannot stop the append: once the first chunk is written the rest follows, since a
    // part-way stop would leave the first chunks durable. An exception from it is dropped (with
    // a warning) and no further progress is reported; the append goes on.
    using AppendProgress = std::function<void(std::size_t appended, std::size_t total)>;
    // Versions per WAL append inside append(): an input no larger is appended all or nothing.
    static constexpr std::size_t kAppendChunk = 4096;
    // `cancelBeforeWriting`, when given, is read once, after the versions are validated and
    // before the first chunk is written: if set, append() throws FrostlineError with
    // Cause::Cancelled and has written nothing. (Validating a large input against the store takes
    // a while; writing, once begun, is not stopped, as above.)
    quint64 append(std::vector<Version> versions,
                   const std::function<QString(std::size_t index)>& whereIs = {},
                   const AppendProgress& progress = {},
                   const std::atomic<bool>* cancelBeforeWriting = nullptr);

    // Writes every hot version not yet in the hot checkpoint into it, advances the flushed LSN
    // to the last WAL record, then deletes the WAL segments that are wholly at or below it.
    // The explicit form (the `checkpoint` command) also closes the active segment so the log
    // can shrink at once; the end of a migration run passes false.
    CheckpointResult checkpoint();
    // CONTROL reports the versions written (one report per chunk) and may stop the checkpoint
    // between chunks: what it committed stays (the flushed LSN covers it), the rest waits for
    // the next checkpoint, and nothing is rotated or truncated (CheckpointResult::cancelled).
    CheckpointResult checkpoint(bool rotateActiveSegment, const OperationControl& control = {});
    // Hot versions appended since the last checkpoint that are not yet durable in Berkeley DB
    // (they live only in the WAL).
    quint64 uncheckpointedCount() const;

    // One migration batch (design section 3): ONE synchronous Berkeley DB transaction with the
    // versions, the hot-checkpoint changes and the new flushed LSN; the hot tier changes only
    // after the commit returns; WAL segments are then deleted under the truncation invariant.
    // On failure nothing changes (WAL, hot, cold) and FrostlineError is thrown.
    BatchCommitResult migrateBatch(const std::vector<quint64>& versionIds);

    // Reads. Each hot version a read returns counts as accessed (AccessTracker, LRU order).
    std::optional<TieredVersion> find(quint64 versionId);
    // The version and its tier, like find, but recording no access: asking why a version stays
    // or moves (the preview's "why?", `preview --explain`) is not a read of it and must not move
    // it in the LRU order.
    std::optional<TieredVersion> locate(quint64 versionId) const;
    // The entity's versions across both tiers, ordered by (tx_from, version_id).
    std::vector<TieredVersion> history(const EntityKey& entity);
    // The version of `entity` valid at validTime as known at txTime (each optional).
    std::optional<TieredVersion> asOf(const EntityKey& entity, std::optional<qint64> txTime,
                                      std::optional<qint64> validTime);

    // The policy in STORE/policy.json; nullopt when that file does not exist. init writes one,
    // so a store without it lost it, and the caller decides (never a silent default here).
    // Throws FrostlineError when the file cannot be read or is not a valid policy.
    std::optional<MigrationPolicy> activePolicy() const;
    void setActivePolicy(const MigrationPolicy& policy);
    QString policyPath() const;
    // What is wrong with STORE/policy.json (missing, malformed, invalid), or empty when sound.
    QString policyProblem() const;

    StoreStatistics statistics() const;
    std::vector<WalSegmentStatus> walStatus() const;
    quint64 flushedLsn() const;

    // Full consistency check: WAL checksums and LSN continuity, Berkeley DB verify, every version
    // present in exactly one tier and equal to its WAL record, the hot checkpoint matching the hot
    // tier. Returns the problems found; empty when the store is sound.
    // CONTROL reports the steps (and the WAL records cross-checked) and may stop the check: it
    // then throws FrostlineError with Cause::Cancelled. It holds the writer mutex throughout.
    QStringList verify(const OperationControl& control = {});

    HotTier& hot() { return m_hot; }
    const HotTier& hot() const { return m_hot; }
    ColdTier& cold() { return *m_cold; }
    const ColdTier& cold() const { return *m_cold; }
    Wal& wal() { return *m_wal; }
    const Wal& wal() const { return *m_wal; }
    AccessTracker& accessTracker() { return m_access; }

    quint64 maxVersionId() const;

    // Throws when the store's directory is no longer at its path (moved or replaced while
    // open): the WAL and Berkeley DB make new files by path, which would land in another store.
    // Every write checks it first (appends, batches, checkpoints, truncation, the policy, a
    // backup's reads by path).
    void requireInPlace() const;

    // Blocks appends, checkpoints and migration batches while the returned lock is held, so a
    // caller (StoreBackup) can read a consistent WAL position. Hold it briefly: writers wait.
    std::unique_lock<std::mutex> pauseWriters() { return std::unique_lock(m_writeMutex); }

    // While a hold lives, WAL truncation deletes no segment (the next truncation after the last
    // hold ends catches up): a backup copies the cold tier first and then the WAL segments after
    // that copy's flushed LSN, which a batch committed in between would otherwise delete.
    class WalTruncationHold
    {
    public:
        explicit WalTruncationHold(std::atomic<int>& holds) : m_holds(&holds) { ++holds; }
        WalTruncationHold(WalTruncationHold&& other) noexcept
            : m_holds(std::exchange(other.m_holds, nullptr))
        {}
        WalTruncationHold(const WalTruncationHold&) = delete;
        WalTruncationHold& operator=(const WalTruncationHold&) = delete;
        WalTruncationHold& operator=(WalTruncationHold&&) = delete;
        ~WalTruncationHold()
        {
            if (m_holds)
                --*m_holds;
        }

    private:
        std::atomic<int>* m_holds;
    };
    [[nodiscard]] WalTruncationHold holdWalTruncation()
    {
        return WalTruncationHold(m_truncationHolds);
    }

    // Test hook (crash and fault tests): called with the writer lock held right before WAL
    // truncation (Wal::deleteSegmentsUpTo) after a checkpoint or a migration batch committed,
    // with the flushed LSN read back from Berkeley DB. If it throws, no segment is deleted (as a
    // crash at that instant would leave things) and, like any failure of the truncation, its
    // message becomes the result's walProblem: the commit stands. Pass {} to remove.
    void setTruncationHook(std::function<void(quint64 flushedLsn)> hook);
    // Test hook: history() calls it between its two tier reads, so a test can commit a migration
    // batch at exactly that instant. Set it before any concurrent use; pass {} to remove.
    void setHistoryHook(std::function<void()> hook);

private:
    QString m_path;
    Options m_options;
    std::shared_ptr<const StoreCipher> m_cipher;
    bool m_open = false;
    bool m_creating = false; // set by createStore: only then may open() lay down the cold tier
    StoreLock m_lock;
    std::unique_ptr<Wal> m_wal;
    std::unique_ptr<ColdTier> m_cold;
    HotTier m_hot;
    AccessTracker m_access;

    mutable std::mutex m_writeMutex; // appends, checkpoints, migration batches
    // Ids appended since the last checkpoint, in LSN order; entries before
    // m_uncheckpointedStart are all migrated (cold) and no longer matter.
    std::vector<quint64> m_uncheckpointed;
    std::size_t m_uncheckpointedStart = 0;
    std::atomic<quint64> m_flushedLsn{0};
    std::atomic<int> m_truncationHolds{0}; // see holdWalTruncation()
    // Odd while a migration batch is between its cold commit and the end of its hot removal,
    // when its versions are in both tiers; statistics() reads again then (see there).
    std::atomic<quint64> m_moveEpoch{0};
    // The last WAL record whose version is in the hot tier (or cold): what the flushed LSN may
    // reach at most. Not the WAL's own last LSN: an append whose sync failed leaves records in
    // the file whose versions never entered the hot tier, and a flushed LSN past them would
    // drop them from recovery while no tier holds them. Guarded by m_writeMutex.
    quint64 m_appliedLsn = 0;
    std::atomic<quint64> m_maxVersionId{0};
    quint64 m_coldMinId = 0, m_coldMaxId = 0; // range of cold ids seen at open (for fast replay)
    std::function<void(quint64)> m_truncationHook; // guarded by m_writeMutex
    std::function<void()> m_historyHook;           // set before concurrent use

    static void createStore(const QString& path, bool encrypted, const QByteArray& passphrase);
    void requireOpen() const;
    bool coldMayContain(quint64 versionId) const;
    std::vector<TieredVersion> readHistory(const EntityKey& entity) const;
    void recordRead(const TieredVersion& read);
    void validateAppend(const std::vector<Version>& versions,
                        const std::function<QString(std::size_t)>& whereIs) const;
    int truncateWal(QString* problem); // PROBLEM: a segment that could not be deleted
    StoreStatistics readStatistics() const;
};

} // namespace frostline
