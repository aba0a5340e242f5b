#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace frostline {

class StoreCipher;

enum class WalRecordType : quint8
{
    VersionPut = 1
};

struct WalRecord
{
    quint64 lsn = 0;
    WalRecordType type = WalRecordType::VersionPut;
    QByteArray payload;  // for VersionPut: VersionCodec bytes (opened, in an encrypted store)
    QString segmentFile; // file name (not path) of the segment holding it
    qint64 offset = 0;   // byte offset of the record inside that segment
};

struct WalSegmentInfo
{
    QString fileName; // e.g. "00000000000000000001.wal"
    QString path;
    quint64 firstLsn = 0; // from the header; the first LSN this segment holds or would hold
    quint64 lastLsn = 0;  // last LSN it holds; firstLsn - 1 when it holds no record
    quint64 records = 0;
    qint64 sizeBytes = 0;
    bool active = false; // the segment being appended to; never deleted
};

// The write-ahead log: a directory of segment files, each with a header (magic, format version,
// first LSN), then records (length, type, LSN, payload, checksum). LSNs are contiguous from 1.
//
// Thread safety: any number of threads may call append() concurrently (group commit: one
// fdatasync covers every record appended while the previous sync ran); scan(), segments() and
// lastLsn() may run concurrently with appends.
class Wal
{
public:
    struct Options
    {
        qint64 segmentSizeBytes = 64 * 1024 * 1024; // rotate once a segment reaches this size
        bool sync = true;                           // fdatasync before append() returns
        // An encrypted store: payloads are sealed on append and opened (authenticated) on scan
        // and verify; a record that does not authenticate is corruption naming segment+offset.
        std::shared_ptr<const StoreCipher> cipher = {};
        // Records outside the log (the store keeps it in the cold tier's meta.db) the first LSN
        // of the newest segment while it holds records the flushed LSN does not cover, so that
        // this segment deleted by hand is noticed at the next open instead of silently taking
        // those records with it. Called with the log's mutex held: before records go into a
        // segment not recorded yet (when it throws, the append fails with nothing written, and
        // the next append calls it again); and with 0 by deleteSegmentsUpTo() once the flushed
        // LSN covers every record (the newest segment may then go without loss).
        std::function<void(quint64 firstLsn)> recordNewestSegment = {};
    };

    struct OpenReport
    {
        qint64 tornBytesCut = 0; // bytes cut from the tail of the last segment (crash mid-append)
        QString tornSegment;     // which segment was repaired, empty if none
    };

    Wal(QString directory, Options options);
    ~Wal();
    Wal(const Wal&) = delete;
    Wal& operator=(const Wal&) = delete;

    // Opens (creating the directory and a first segment if needed, owner-only permissions).
    // Validates every segment header and LSN continuity between segments, scans the last segment
    // and cuts a torn tail at the last whole record. `nextLsnIfEmpty` is the LSN the log starts at
    // when it holds no segment at all (the store passes flushedLsn + 1); a log that ends before
    // `nextLsnIfEmpty - 1` is refused before any tail is cut. `newestSegment` is the
    // first LSN last passed to Options::recordNewestSegment (0: none): when no segment that new
    // is on disk, the open is refused before anything is created or cut.
    // Throws FrostlineError naming segment and byte offset on corruption before the tail, a bad
    // header, or a gap between segments.
    OpenReport open(quint64 nextLsnIfEmpty = 1, quint64 newestSegment = 0);
    void close();

    // Passes to Options::recordNewestSegment, now, the segment holding the last record when that
    // record is after `flushedLsn` and no segment that new is recorded yet. The store calls it
    // after open, so that a log written before the record existed (or one whose newest segment
    // was published but not yet recorded when the process died) is guarded from this open on,
    // not only from its next append.
    void recordUncoveredSegment(quint64 flushedLsn);

    // Appends the payloads as consecutive records and returns the LSN of the first. When it
    // returns, the records are durable (Options::sync). Rotates to a new segment when the active
    // one has reached the segment size. Throws FrostlineError (Runtime) on I/O failure, e.g. a full
    // disk; a failed append leaves no partial record visible to readers after reopen.
    quint64 append(const std::vector<QByteArray>& payloads,
                   WalRecordType type = WalRecordType::VersionPut);

    // Visits records with lsn >= fromLsn in LSN order until `visit` returns false. Throws
    // FrostlineError naming segment and offset on a checksum mismatch or a bad record, and on a
    // missing segment inside the range (fromLsn must be >= firstLsn() unless the log is empty).
    // The message names the damaged record's LSN and, given the store's flushed LSN, whether the
    // cold tier holds it already. A record before fromLsn whose payload alone is damaged (its
    // header sound) is stepped over: a scan that needs only what follows goes on.
    void scan(quint64 fromLsn, const std::function<bool(const WalRecord&)>& visit,
              std::optional<quint64> flushedLsn = std::nullopt) const;

    // Closes the active segment and starts a new one at lastLsn() + 1.
    void rotate();

    // WAL truncation: deletes closed (non-active) segments whose lastLsn <= flushedLsn, oldest
    // first, and returns how many. The caller passes the flushed LSN read back from Berkeley DB
    // after the commit — never a count, never an LSN that is not yet durable there.
    // A segment that cannot be deleted (or a directory that cannot be synced) throws; with
    // PROBLEM given, it is said there instead, and the segments deleted before it are counted.
    int deleteSegmentsUpTo(quint64 flushedLsn, QString* problem = nullptr);

    quint64 lastLsn() const;  // last appended LSN, 0 when nothing was ever appended
    quint64 firstLsn() const; // first LSN still held; lastLsn() + 1 when the log holds none
    std::vector<WalSegmentInfo> segments() const;
    QString directory() const;

    // Full check of every record of every segment (checksums, LSN continuity), for `verify`.
    // Returns the problems found, empty when the log is sound.
    QStringList verify() const;

    // Fault injection through the real log: called right after each real fdatasync of an append
    // that succeeded; a non-zero return is taken as that errno, as if the sync had failed (the
    // log then refuses every further append, as after a real failure). Pass {} to remove.
    void setSyncFailureHook(std::function<int()> hook);

    // fdatasync calls on segment files so far (group commits, rotations, close). With group
    // commit it stays well below the number of append() calls under concurrency.
    quint64 syncCount() const;

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace frostline
