#pragma once

#include "operationcontrol.h"
#include "version.h"

#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace frostline {

class StoreCipher;

// One hot version to write into the hot checkpoint, with the LSN of its WAL record.
struct CheckpointEntry
{
    const Version* version = nullptr;
    quint64 lsn = 0;
};

// Everything one Berkeley DB transaction writes (design section 3): the batch's versions into
// the cold databases, the hot-checkpoint changes needed to advance the flushed LSN, and the new
// flushed LSN itself.
struct ColdCommit
{
    std::vector<const Version*> migrated;        // put into cold node/edge dbs (+ history index)
    std::vector<quint64> checkpointRemovals;     // version ids leaving the hot checkpoint
    std::vector<CheckpointEntry> checkpointPuts; // hot versions entering the hot checkpoint
    quint64 flushedLsn = 0;                      // new flushed LSN; must be >= the current one
};

// Where one commit's time went: what a benchmark or an operator asking "why is migration slow?"
// needs to tell CPU work from waiting for the disk.
struct ColdCommitTimings
{
    double prepareSecs = 0; // encoding and sorting, before the transaction begins
    double writeSecs = 0;   // inside the transaction: lookups, bulk puts and deletes, meta
    double syncSecs = 0;    // DbTxn::commit(DB_TXN_SYNC): the log written and flushed to disk

    ColdCommitTimings& operator+=(const ColdCommitTimings& other)
    {
        prepareSecs += other.prepareSecs;
        writeSecs += other.writeSecs;
        syncSecs += other.syncSecs;
        return *this;
    }
};

struct ColdStatistics
{
    quint64 nodeVersions = 0;
    quint64 edgeVersions = 0;
    quint64 coldBytes = 0;          // encoded bytes of the cold versions
    quint64 checkpointVersions = 0; // versions in the hot checkpoint
    quint64 flushedLsn = 0;
    quint64 pages = 0; // leaf + internal + overflow pages of all databases
    quint32 pageSize = 0;
    quint64 cacheHits = 0, cacheMisses = 0;
    double cacheHitRate = 0; // hits / (hits + misses), 0 when no access yet
    quint64 cacheBytes = 0;
    QStringList logFiles;    // Berkeley DB log files in use (log.0000000001, ...)
    QString durability;      // e.g. "synchronous commit (DB_TXN_SYNC), recovery on open"
    QString berkeleyVersion; // DbEnv::version()
};

// The cold tier: a transactional Berkeley DB environment under STORE/cold
// (DB_INIT_TXN | DB_INIT_LOG | DB_INIT_LOCK | DB_INIT_MPOOL, DB_RECOVER on open, DB_THREAD).
// Databases: nodes.db and edges.db keyed by big-endian version id (value: VersionCodec bytes),
// history.db keyed by (kind, entity id, tx_from, version id) for history reads, checkpoint.db
// (the hot checkpoint: version id -> lsn + VersionCodec bytes) and meta.db (format version,
// flushed LSN, counts). Every handle, cursor and transaction is RAII: aborted unless committed.
//
// Thread safety: every method may be called from any thread; Berkeley DB does the locking.
class ColdTier
{
public:
    // With a cipher (an encrypted store): Berkeley DB's own encryption (DB_ENCRYPT_AES, regions
    // in process memory) and hot-checkpoint values sealed with the store's AEAD.
    explicit ColdTier(QString home, std::shared_ptr<const StoreCipher> cipher = {});
    ~ColdTier();
    ColdTier(const ColdTier&) = delete;
    ColdTier& operator=(const ColdTier&) = delete;

    // Creates (owner-only permissions) or opens the environment with DB_RECOVER.
    // Throws FrostlineError naming the home and Berkeley DB's message on failure. A tier with
    // some of its databases missing is refused before anything is touched (Berkeley DB would
    // create a missing one empty, silently losing what it held).
    void open();
    // Whether `home` holds any of the cold databases: false for a tier not created yet (or one
    // emptied or moved away, which only the store can tell apart).
    static bool hasDatabases(const QString& home);
    void close();
    QString home() const;

    // The flushed LSN as stored in meta.db, read in its own transaction.
    quint64 flushedLsn() const;

    // The first LSN of the WAL's newest segment while it holds records the flushed LSN does not
    // cover, as last recorded; 0 when none does (or in a store from before this record existed).
    // What it means and when it is written: Wal::Options::recordNewestSegment.
    quint64 newestWalSegment() const;
    // Records it (or 0) in its own synchronous transaction.
    void recordNewestWalSegment(quint64 firstLsn);

    // Writes `commit` in ONE transaction committed synchronously (DB_TXN_SYNC); uses bulk puts and
    // deletes where Berkeley DB offers them. Throws FrostlineError on failure after aborting:
    // nothing of the commit is then visible.
    ColdCommitTimings commit(const ColdCommit& commit);

    // Fault injection through the real engine: called inside the transaction right before
    // DbTxn::commit with the stage name "before-commit"; if it throws, the transaction is aborted
    // and commit() throws FrostlineError carrying the hook's message. Also called by
    // checkpointEnvironment() with "checkpoint-environment", which then throws likewise before
    // Berkeley DB's checkpoint. Pass {} to remove.
    void setFailureHook(std::function<void(const char* stage)> hook);

    // Visits every version in the hot checkpoint (any order).
    void loadCheckpoint(const std::function<void(Version&&, quint64 lsn)>& visit) const;

    std::optional<Version> get(quint64 versionId) const;
    bool contains(quint64 versionId) const;
    // Smallest and greatest cold version id (both kinds); false when the cold tier is empty.
    bool versionIdRange(quint64* minId, quint64* maxId) const;
    // The entity's cold versions ordered by (tx_from, version_id).
    std::vector<Version> history(const EntityKey& entity) const;
    // Visits every cold version of `kind` in version-id order until `visit` returns false.
    void scan(EntityKind kind, const std::function<bool(Version&&)>& visit) const;

    ColdStatistics statistics() const;

    // Berkeley DB checkpoint (txn_checkpoint) and removal of log files no longer needed for
    // recovery, so the cold environment's own logs do not grow without bound.
    void checkpointEnvironment();

    // Hot backup of the environment into `targetHome` (created; must not hold the files yet) with
    // Berkeley DB's own procedure, DbEnv::backup: the database files first, then every log file.
    // Commits may run meanwhile; checkpointEnvironment() removes no log file until it returns, so
    // the copy stays recoverable. The copy needs catastrophic recovery (DB_RECOVER_FATAL) before
    // use, as db_hotbackup does.
    void backup(const QString& targetHome);

    // Structural check of every database (Berkeley DB's verify) plus decoding of every record.
    // Returns the problems found, empty when sound.
    // CONTROL may stop it between databases and every few thousand records (it then throws,
    // Cause::Cancelled).
    QStringList verify(const OperationControl& control = {}) const;

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace frostline
