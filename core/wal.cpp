#include "wal.h"

#include "frostlineerror.h"
#include "storecipher.h"
#include "walformat.h"
#include "walsegmentreader.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <algorithm>
#include <condition_variable>
#include <mutex>

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

// Torn tail versus corruption (only the last segment can have a torn tail: a segment is sealed
// and fdatasync'ed before the next one exists). Scanning the last segment, the first record
// that is not a whole, sound record with the expected LSN is judged like this:
//  - the file ends inside its header or inside the record its (checked) header declares:
//    torn — a crash stopped the write;
//  - its header check fails (so its length cannot be trusted): torn only if every byte after
//    the 20-byte header is zero (the file was extended but the data never reached the disk);
//  - its header is sound but its checksum fails: torn only if every byte after the record's
//    declared end is zero (or there is none);
//  - a sound record with the wrong LSN, or a bad record followed by any non-zero byte:
//    corruption — FrostlineError naming the segment file and the byte offset, nothing is cut.
// The header check is what makes "declared end past end of file" trustworthy: a flipped bit in
// the length of an old record fails the header check and then the non-zero records after it
// make it corruption, instead of silently cutting acknowledged records as a "torn tail".
// A torn tail is cut (ftruncate + fdatasync) back to the end of the last whole record.

namespace frostline {

using namespace walformat;

namespace {

struct Segment
{
    QString fileName;
    QString path;
    quint64 firstLsn = 0;
    quint64 lastLsn = 0; // firstLsn - 1 when empty
    qint64 size = 0;     // bytes written (header, records, seal)
    bool sealed = false;

    quint64 records() const { return lastLsn + 1 - firstLsn; }
    // Records occupy [kHeaderSize, recordsEnd()); the seal follows on a sealed segment.
    qint64 recordsEnd() const { return sealed ? size - kSealSize : size; }
};

bool writeAll(int fd, const char* data, qint64 n, qint64 offset, int* err)
{
    qint64 done = 0;
    while (done < n) {
        const ssize_t w = ::pwrite(fd, data + done, size_t(n - done), offset + done);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            *err = errno;
            return false;
        }
        if (w == 0) {
            *err = ENOSPC;
            return false;
        }
        done += w;
    }
    return true;
}

bool fsyncDirectory(const QString& dir, int* err)
{
    const int fd = ::open(QFile::encodeName(dir).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        *err = errno;
        return false;
    }
    const bool ok = ::fsync(fd) == 0;
    if (!ok)
        *err = errno;
    ::close(fd);
    return ok;
}

const QRegularExpression& segmentNamePattern()
{
    static const QRegularExpression re(QStringLiteral("^(\\d{%1})\\.wal$").arg(kSegmentNameDigits));
    return re;
}

} // namespace

class Wal::Private
{
public:
    QString directory;
    Options options;

    mutable std::mutex mutex;
    std::condition_variable synced; // a group sync finished, or the log closed
    std::vector<Segment> segments;  // oldest first; back() is the active one while open
    int activeFd = -1;
    bool isOpen = false;
    quint64 nextLsn = 1;
    quint64 durableLsn = 0;
    bool syncing = false; // a leader is in fdatasync outside the mutex
    quint64 syncCount = 0;
    QString broken; // set when durability can no longer be promised (failed sync / truncate)
    std::function<int()> syncFailureHook; // tests: an errno to report after a real sync
    std::vector<char> encodeBuffer;
    quint64 recordedNewest = 0; // what Options::recordNewestSegment last accepted

    Segment& active() { return segments.back(); }

    void requireOpen() const
    {
        if (!isOpen)
            throw FrostlineError::runtime(QStringLiteral("WAL %1: not open").arg(directory));
    }
    void requireUsable() const
    {
        requireOpen();
        if (!broken.isEmpty())
            throw FrostlineError::runtime(broken);
    }

    void ensureDirectory();
    int prepareSegment(quint64 firstLsn, Segment* out, QString* tmpPath);
    void publishSegment(int fd, const QString& tmpPath, Segment segment);
    void validateExisting(std::vector<Segment>& found);
    void scanLastSegment(Segment& last, OpenReport& report, quint64 mustReachLsn);
    void rotateLocked();
    void recordNewestSegment();
    void recordSegment(quint64 firstLsn);
    void waitDurable(std::unique_lock<std::mutex>& lock, quint64 lsn);
    void closeLocked(std::unique_lock<std::mutex>& lock);
    void openLocked(quint64 nextLsnIfEmpty, quint64 newestSegment, OpenReport& report);
};

namespace {

// Reads one segment's records from its header to `seg.recordsEnd()`, checking every checksum
// and LSN continuity (and the seal of a sealed segment). Visits those in [from, endLsn].
// With a cipher, the visited records (every record when there is no `visit`: verify) must
// authenticate. Returns the LSN after the segment's last record; sets *stopped when `visit`
// returned false.
// What a damaged record leaves the operator to do, here and for the newest segment's damage
// (scanLastSegment).
const QString& restoreAdvice()
{
    static const QString advice =
        QStringLiteral(". Keep a copy of this store directory, and restore a backup to go on");
    return advice;
}

// What a damaged record in a closed segment means for the data (the newest segment's damage
// says the same in scanLastSegment): whether Berkeley DB holds its effect already.
QString damagedRecordConsequence(quint64 lsn, std::optional<quint64> flushedLsn)
{
    const QString what = QStringLiteral("it is LSN %1").arg(lsn);
    if (!flushedLsn)
        return what;
    return (lsn <= *flushedLsn
                ? QStringLiteral("%1, which the flushed LSN %2 covers: the cold tier holds it, but "
                                 "the log cannot be read past it, and the records after it are "
                                 "needed")
                      .arg(what)
                      .arg(*flushedLsn)
                : QStringLiteral("%1, past the flushed LSN %2: it and the records after it are "
                                 "only in this log")
                      .arg(what)
                      .arg(*flushedLsn)) +
           restoreAdvice();
}

quint64 readSegment(WalSegmentReader& reader, const Segment& seg, quint64 from, quint64 endLsn,
                    const std::function<bool(const WalRecord&)>* visit, bool* stopped,
                    const StoreCipher* cipher, std::optional<quint64> flushedLsn = std::nullopt)
{
    const quint64 first = reader.readHeader();
    if (first != seg.firstLsn)
        reader.fail(16,
                    QStringLiteral("header first LSN %1 does not match the file name").arg(first));
    const qint64 limit = seg.recordsEnd();
    if (reader.fileSize() < seg.size)
        reader.fail(reader.fileSize(),
                    QStringLiteral("file shorter than the %1 bytes written").arg(seg.size));
    quint64 expected = first;
    WalRecord rec;
    rec.segmentFile = seg.fileName;
    for (;;) {
        const qint64 at = reader.offset();
        const auto step = reader.next(limit);
        if (step == WalSegmentReader::Step::End)
            break;
        if (step == WalSegmentReader::Step::Seal)
            reader.fail(at, QStringLiteral("seal marker before the end of the segment"));
        if (step == WalSegmentReader::Step::BadChecksum && visit && expected < from &&
            reader.lsn() == expected) {
            // Not asked for, and its header (length, LSN) is sound: the records after it are
            // read as usual. (The store's replay starts after the flushed LSN: damage to a record
            // Berkeley DB holds already made the whole store unopenable. verify reads it.)
            reader.skipRecord();
            ++expected;
            continue;
        }
        if (step != WalSegmentReader::Step::Record)
            reader.fail(at, reader.problem(), damagedRecordConsequence(expected, flushedLsn));
        if (reader.lsn() != expected)
            reader.fail(at, QStringLiteral("record LSN %1 where LSN %2 was expected")
                                .arg(reader.lsn())
                                .arg(expected));
        const bool wanted = visit && expected >= from && expected <= endLsn;
        if (cipher && (wanted || !visit)) {
            const QByteArrayView sealed(reader.payload(), reader.payloadLength());
            if (!cipher->open(sealed, QByteArrayView(reader.recordHeader(), kRecordAadSize),
                              &rec.payload))
                reader.fail(at, QStringLiteral("record (LSN %1) does not authenticate: tampered, "
                                               "or written with another key")
                                    .arg(expected));
        }
        if (wanted) {
            rec.lsn = expected;
            rec.type = WalRecordType(reader.type());
            if (!cipher)
                rec.payload = QByteArray(reader.payload(), reader.payloadLength());
            rec.offset = at;
            if (!(*visit)(rec)) {
                *stopped = true;
                return expected + 1;
            }
        }
        ++expected;
    }
    if (seg.sealed) {
        quint64 sealLast = 0, sealRecords = 0;
        if (!reader.readSeal(limit, seg.size, &sealLast, &sealRecords))
            reader.fail(limit, QStringLiteral("bad segment seal"));
        if (sealLast != expected - 1 || sealRecords != expected - first)
            reader.fail(limit, QStringLiteral("seal says last LSN %1 but the records end at LSN %2")
                                   .arg(sealLast)
                                   .arg(expected - 1));
    }
    return expected;
}

} // namespace

void Wal::Private::ensureDirectory()
{
    const QByteArray path = QFile::encodeName(directory);
    struct stat st
    {
    };
    if (::stat(path.constData(), &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            throw FrostlineError::runtime(
                QStringLiteral("WAL directory %1: exists but is not a directory").arg(directory));
        return;
    }
    const QFileInfo info(directory);
    if (!QDir().mkpath(info.absolutePath()) ||
        (::mkdir(path.constData(), 0700) != 0 && errno != EEXIST))
        throw FrostlineError::runtime(QStringLiteral("WAL directory %1: cannot create: %2")
                                          .arg(directory, FrostlineError::errnoText(errno)));
    ::chmod(path.constData(), 0700); // whatever the umask: the log is the owner's alone
}

// Creates "<name>.wal.tmp" holding only the header, fsync'ed; the caller renames it into place
// once the previous segment is sealed, so a segment file never exists with a partial header.
int Wal::Private::prepareSegment(quint64 firstLsn, Segment* out, QString* tmpPath)
{
    out->fileName = segmentFileName(firstLsn);
    out->path = QDir(directory).filePath(out->fileName);
    out->firstLsn = firstLsn;
    out->lastLsn = firstLsn - 1;
    out->size = kHeaderSize;
    out->sealed = false;
    *tmpPath = out->path + QStringLiteral(".tmp");
    const QByteArray tmp = QFile::encodeName(*tmpPath);
    const int fd = ::open(tmp.constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        throw FrostlineError::runtime(
            QStringLiteral("WAL segment %1: cannot create in %2: %3")
                .arg(out->fileName, directory, FrostlineError::errnoText(errno)));
    char header[kHeaderSize];
    encodeHeader(header, firstLsn);
    int err = 0;
    if (::fchmod(fd, 0600) != 0)
        err = errno;
    else if (!writeAll(fd, header, kHeaderSize, 0, &err))
        ;
    else if (::fsync(fd) != 0)
        err = errno;
    if (err) {
        ::close(fd);
        ::unlink(tmp.constData());
        throw FrostlineError::runtime(QStringLiteral("WAL segment %1: cannot create: %2")
                                          .arg(out->fileName, FrostlineError::errnoText(err)));
    }
    return fd;
}

void Wal::Private::publishSegment(int fd, const QString& tmpPath, Segment segment)
{
    if (::rename(QFile::encodeName(tmpPath).constData(),
                 QFile::encodeName(segment.path).constData()) != 0) {
        const int err = errno;
        ::close(fd);
        ::unlink(QFile::encodeName(tmpPath).constData());
        throw FrostlineError::runtime(QStringLiteral("WAL segment %1: cannot create: %2")
                                          .arg(segment.fileName, FrostlineError::errnoText(err)));
    }
    activeFd = fd;
    segments.push_back(std::move(segment));
    int err = 0;
    if (!fsyncDirectory(directory, &err)) {
        broken = QStringLiteral("WAL directory %1: cannot sync: %2")
                     .arg(directory, FrostlineError::errnoText(err));
        throw FrostlineError::runtime(broken);
    }
}

// Headers of all segments, seals of the closed ones, and LSN continuity between them.
void Wal::Private::validateExisting(std::vector<Segment>& found)
{
    for (size_t i = 0; i < found.size(); ++i) {
        Segment& seg = found[i];
        WalSegmentReader reader(seg.path, seg.fileName);
        const quint64 first = reader.readHeader();
        if (first != seg.firstLsn)
            reader.fail(
                16, QStringLiteral("header first LSN %1 does not match the file name").arg(first));
        seg.size = reader.fileSize();
        if (i + 1 == found.size())
            break; // the last one is scanned in full by scanLastSegment
        quint64 last = 0, records = 0;
        const qint64 sealAt = seg.size - kSealSize;
        // Either this segment lost its end, or a file after it that this store never wrote
        // makes it look closed; the files cannot tell which, so the message names both.
        if (sealAt < kHeaderSize || !reader.readSeal(sealAt, seg.size, &last, &records))
            reader.fail(std::max<qint64>(sealAt, 0),
                        QStringLiteral("closed segment, followed by %1, has no sound seal: either "
                                       "it is damaged (its end was cut or overwritten: restore "
                                       "the store from a backup), or %1 is a stray or copied "
                                       "file that makes it look closed (if this store did not "
                                       "write %1, move it out of the WAL directory and open "
                                       "again); the seal was expected")
                            .arg(found[i + 1].fileName));
        if (last + 1 < seg.firstLsn || records != last + 1 - seg.firstLsn)
            reader.fail(sealAt, QStringLiteral("inconsistent seal (last LSN %1, %2 records)")
                                    .arg(last)
                                    .arg(records));
        seg.lastLsn = last;
        seg.sealed = true;
    }
    for (size_t i = 1; i < found.size(); ++i) {
        const Segment& prev = found[i - 1];
        const Segment& cur = found[i];
        if (cur.firstLsn > prev.lastLsn + 1)
            throw FrostlineError::runtime(
                QStringLiteral("WAL %1: missing segment between %2 (last LSN %3) and %4 (first "
                               "LSN %5): LSNs %6..%7 are absent")
                    .arg(directory, prev.fileName)
                    .arg(prev.lastLsn)
                    .arg(cur.fileName)
                    .arg(cur.firstLsn)
                    .arg(prev.lastLsn + 1)
                    .arg(cur.firstLsn - 1));
        if (cur.firstLsn < prev.lastLsn + 1)
            throw FrostlineError::runtime(
                QStringLiteral("WAL %1: segments %2 (last LSN %3) and %4 (first LSN %5) overlap")
                    .arg(directory, prev.fileName)
                    .arg(prev.lastLsn)
                    .arg(cur.fileName)
                    .arg(cur.firstLsn));
    }
}

void Wal::Private::scanLastSegment(Segment& last, OpenReport& report, quint64 mustReachLsn)
{
    WalSegmentReader reader(last.path, last.fileName);
    reader.readHeader();
    const qint64 size = reader.fileSize();
    quint64 expected = last.firstLsn;
    qint64 cutAt = -1;
    // Damage inside the newest segment stops the open: the log goes on there, so it must be
    // whole. What the damage means for the data is what the operator has to decide on: whether
    // Berkeley DB already holds that record (the flushed LSN covers it) or only this log did.
    const auto damaged = [&](qint64 at, const QString& problem, bool seal = false) {
        // A record's damage is at the LSN expected there; a seal's, after the last record.
        const quint64 lsn = seal ? expected - 1 : expected;
        const QString what = seal ? QStringLiteral("it is the seal after LSN %1").arg(lsn)
                                  : QStringLiteral("it is LSN %1").arg(lsn);
        const QString where =
            lsn <= mustReachLsn
                ? QStringLiteral("%1, in the newest segment, which the flushed LSN %2 covers: the "
                                 "cold tier holds every record through LSN %2, but a store opens "
                                 "only with its newest WAL segment whole")
                      .arg(what)
                      .arg(mustReachLsn)
                : QStringLiteral("%1, in the newest segment, past the flushed LSN %2: %3 only in "
                                 "this log")
                      .arg(what)
                      .arg(mustReachLsn)
                      .arg(seal ? QStringLiteral("the records from LSN %1 on are")
                                      .arg(mustReachLsn + 1)
                                : QStringLiteral("it and the records after it are"));
        reader.fail(at, problem, where + restoreAdvice());
    };
    for (bool done = false; !done;) {
        const qint64 at = reader.offset();
        switch (reader.next(size)) {
        case WalSegmentReader::Step::Record:
            if (reader.lsn() != expected)
                damaged(at, QStringLiteral("record LSN %1 where LSN %2 was expected")
                                .arg(reader.lsn())
                                .arg(expected));
            ++expected;
            break;
        case WalSegmentReader::Step::End:
            done = true;
            break;
        case WalSegmentReader::Step::Incomplete:
            cutAt = at;
            done = true;
            break;
        case WalSegmentReader::Step::BadHeader:
            if (!reader.zerosOnly(at + kRecordHeaderSize, size))
                damaged(at, reader.problem());
            cutAt = at;
            done = true;
            break;
        case WalSegmentReader::Step::BadChecksum:
            if (!reader.zerosOnly(reader.recordEnd(), size))
                damaged(at, reader.problem());
            cutAt = at;
            done = true;
            break;
        case WalSegmentReader::Step::Seal: {
            // Crash after sealing, before the next segment was published.
            quint64 sealLast = 0, sealRecords = 0;
            const bool sound = reader.readSeal(at, size, &sealLast, &sealRecords);
            if (size - at < kSealSize || (!sound && reader.zerosOnly(at + kSealSize, size))) {
                cutAt = at; // torn seal: the segment simply stays active
            } else if (!sound || at + kSealSize != size || sealLast != expected - 1 ||
                       sealRecords != expected - last.firstLsn) {
                damaged(at, QStringLiteral("bad segment seal"), true);
            } else {
                last.sealed = true;
            }
            done = true;
            break;
        }
        }
    }
    last.lastLsn = expected - 1;
    last.size = size;
    // A log that ends before the LSN it must continue from lost records the store needs:
    // refused before the tail is cut, so that the refusal changes no file.
    if (last.lastLsn < mustReachLsn)
        throw FrostlineError::runtime(
            QStringLiteral("WAL %1: the log ends at LSN %2 (segment %3%4), but it must reach "
                           "LSN %5, the flushed LSN: WAL records are missing; nothing was changed")
                .arg(directory)
                .arg(last.lastLsn)
                .arg(last.fileName,
                     cutAt < 0 ? QString()
                               : QStringLiteral(", after a torn tail at byte offset %1").arg(cutAt))
                .arg(mustReachLsn));
    if (cutAt < 0)
        return;
    const int fd = ::open(QFile::encodeName(last.path).constData(), O_WRONLY | O_CLOEXEC);
    int err = 0;
    if (fd < 0)
        err = errno;
    else if (::ftruncate(fd, cutAt) != 0 || ::fdatasync(fd) != 0)
        err = errno;
    if (fd >= 0)
        ::close(fd);
    if (err)
        throw FrostlineError::runtime(
            QStringLiteral("WAL segment %1: cannot cut the torn tail at byte offset %2: %3")
                .arg(last.fileName)
                .arg(cutAt)
                .arg(FrostlineError::errnoText(err)));
    report.tornBytesCut = size - cutAt;
    report.tornSegment = last.fileName;
    last.size = cutAt;
}

// With the mutex held and no sync in flight. Order keeps every crash point recoverable:
// 1. the new segment is written as a .tmp file (header only, fsync'ed);
// 2. the active segment gets its seal and is fdatasync'ed (covering all its records);
// 3. the .tmp file is renamed into place and the directory fsync'ed.
void Wal::Private::rotateLocked()
{
    Segment& old = active();
    if (old.lastLsn < old.firstLsn)
        return; // nothing to close; the new segment would have the very same first LSN
    Segment fresh;
    QString tmpPath;
    const int newFd = prepareSegment(nextLsn, &fresh, &tmpPath);
    auto discardNew = [&] {
        ::close(newFd);
        ::unlink(QFile::encodeName(tmpPath).constData());
    };
    char seal[kSealSize];
    encodeSeal(seal, old.lastLsn, old.records());
    int err = 0;
    if (!writeAll(activeFd, seal, kSealSize, old.size, &err)) {
        if (::ftruncate(activeFd, old.size) != 0)
            broken = QStringLiteral("WAL segment %1: cannot remove a partial seal: %2")
                         .arg(old.fileName, FrostlineError::errnoText(errno));
        discardNew();
        throw FrostlineError::runtime(QStringLiteral("WAL segment %1: cannot seal: %2")
                                          .arg(old.fileName, FrostlineError::errnoText(err)));
    }
    ++syncCount;
    if (::fdatasync(activeFd) != 0) {
        err = errno;
        discardNew();
        broken = QStringLiteral("WAL segment %1: cannot sync: %2")
                     .arg(old.fileName, FrostlineError::errnoText(err));
        throw FrostlineError::runtime(broken);
    }
    durableLsn = old.lastLsn;
    const int oldFd = activeFd;
    const qint64 unsealedSize = old.size;
    old.sealed = true;
    old.size += kSealSize;
    try {
        publishSegment(newFd, tmpPath, fresh);
    } catch (...) {
        if (activeFd == oldFd) { // rename failed: unseal, the old segment stays active
            Segment& again = active();
            again.sealed = false;
            again.size = unsealedSize;
            if (::ftruncate(oldFd, unsealedSize) != 0 || ::fdatasync(oldFd) != 0)
                broken = QStringLiteral("WAL segment %1: cannot remove its seal: %2")
                             .arg(again.fileName, FrostlineError::errnoText(errno));
        } else {
            ::close(oldFd);
        }
        synced.notify_all();
        throw;
    }
    ::close(oldFd);
    synced.notify_all();
}

// With the mutex held, before records go into the active segment: none goes into a segment
// before the callback has recorded it.
void Wal::Private::recordNewestSegment()
{
    if (active().firstLsn != recordedNewest)
        recordSegment(active().firstLsn);
}

// Hands `firstLsn` (or 0) to Options::recordNewestSegment and remembers it once it is accepted.
void Wal::Private::recordSegment(quint64 firstLsn)
{
    if (!options.recordNewestSegment)
        return;
    options.recordNewestSegment(firstLsn);
    recordedNewest = firstLsn;
}

// Leader/follower group commit. The first waiter that finds no sync in flight becomes the
// leader: it fdatasyncs outside the mutex, covering every record written up to that moment;
// the others wait and return when durableLsn covers them, or lead the next round.
void Wal::Private::waitDurable(std::unique_lock<std::mutex>& lock, quint64 lsn)
{
    for (;;) {
        if (durableLsn >= lsn)
            return;
        if (!broken.isEmpty())
            throw FrostlineError::runtime(broken);
        if (syncing || !isOpen) {
            synced.wait(lock);
            continue;
        }
        syncing = true;
        const quint64 target = nextLsn - 1;
        const int fd = activeFd; // rotation and close wait for !syncing, so fd stays open
        const QString fileName = active().fileName;
        lock.unlock();
        int rc = ::fdatasync(fd);
        int err = errno;
        lock.lock();
        if (rc == 0 && syncFailureHook)
            if (const int injected = syncFailureHook()) {
                rc = -1;
                err = injected;
            }
        syncing = false;
        ++syncCount;
        if (rc != 0) {
            // After a failed fdatasync the kernel may have dropped the dirty pages: a retry
            // could "succeed" without the data. Refuse all further appends.
            broken = QStringLiteral("WAL segment %1: cannot sync: %2")
                         .arg(fileName, FrostlineError::errnoText(err));
            synced.notify_all();
            throw FrostlineError::runtime(broken);
        }
        durableLsn = std::max(durableLsn, target);
        synced.notify_all();
    }
}

void Wal::Private::closeLocked(std::unique_lock<std::mutex>& lock)
{
    synced.wait(lock, [this] { return !syncing; });
    if (!isOpen)
        return;
    if (activeFd >= 0) {
        ++syncCount;
        if (::fdatasync(activeFd) == 0)
            durableLsn = nextLsn - 1;
        else if (broken.isEmpty())
            broken = QStringLiteral("WAL segment %1: cannot sync: %2")
                         .arg(active().fileName, FrostlineError::errnoText(errno));
        ::close(activeFd);
        activeFd = -1;
    }
    isOpen = false;
    synced.notify_all();
}

void Wal::Private::openLocked(quint64 nextLsnIfEmpty, quint64 newestSegment, OpenReport& report)
{
    ensureDirectory();
    segments.clear();
    broken.clear();

    QDir dir(directory);
    // Leftovers of a rotation interrupted before its rename: never part of the log. Only names
    // this log writes (a segment's name + .tmp): another file is the operator's, left alone.
    for (const QString& tmp : dir.entryList({QStringLiteral("*.wal.tmp")}, QDir::Files))
        if (segmentNamePattern().match(tmp.chopped(4)).hasMatch())
            ::unlink(QFile::encodeName(dir.filePath(tmp)).constData());
    std::vector<Segment> found;
    for (const QString& name : dir.entryList({QStringLiteral("*.wal")}, QDir::Files, QDir::Name)) {
        const auto m = segmentNamePattern().match(name);
        if (!m.hasMatch())
            continue;
        Segment seg;
        seg.fileName = name;
        seg.path = dir.filePath(name);
        seg.firstLsn = m.captured(1).toULongLong();
        seg.lastLsn = seg.firstLsn - 1;
        found.push_back(seg);
    }
    // The recorded segment was published before it was recorded, and it held records after the
    // flushed LSN when it was (else the record would be 0); truncation deletes it only once
    // those are covered and a newer segment exists. If none at least that new is left, it was
    // removed by hand. Refused before anything is created in its place or cut.
    if (newestSegment != 0 && (found.empty() || found.back().firstLsn < newestSegment))
        throw FrostlineError::runtime(
            QStringLiteral("WAL segment %1 is missing from %2: it is the log's newest segment "
                           "(records from LSN %3 on) and was deleted or moved, with any records "
                           "it held; nothing was changed: put it back, or restore the store from "
                           "a backup")
                .arg(segmentFileName(newestSegment), directory)
                .arg(newestSegment));
    recordedNewest = newestSegment;

    if (found.empty()) {
        Segment fresh;
        QString tmpPath;
        const int fd = prepareSegment(nextLsnIfEmpty, &fresh, &tmpPath);
        publishSegment(fd, tmpPath, fresh);
    } else {
        validateExisting(found);
        scanLastSegment(found.back(), report, nextLsnIfEmpty - 1);
        segments = std::move(found);
        Segment& last = active();
        if (last.sealed) {
            Segment fresh;
            QString tmpPath;
            const int fd = prepareSegment(last.lastLsn + 1, &fresh, &tmpPath);
            publishSegment(fd, tmpPath, fresh);
        } else {
            activeFd = ::open(QFile::encodeName(last.path).constData(), O_WRONLY | O_CLOEXEC);
            if (activeFd < 0)
                throw FrostlineError::runtime(
                    QStringLiteral("WAL segment %1: cannot open for writing: %2")
                        .arg(last.fileName, FrostlineError::errnoText(errno)));
        }
    }
}

Wal::Wal(QString directory, Options options) : d(std::make_unique<Private>())
{
    d->directory = std::move(directory);
    d->options = options;
}

Wal::~Wal()
{
    close();
}

Wal::OpenReport Wal::open(quint64 nextLsnIfEmpty, quint64 newestSegment)
{
    if (nextLsnIfEmpty == 0)
        throw FrostlineError::badInput(
            QStringLiteral("WAL %1: LSNs start at 1, not 0").arg(d->directory));
    std::unique_lock lock(d->mutex);
    if (d->isOpen)
        throw FrostlineError::runtime(QStringLiteral("WAL %1: already open").arg(d->directory));
    OpenReport report;
    try {
        d->openLocked(nextLsnIfEmpty, newestSegment, report);
    } catch (...) {
        if (d->activeFd >= 0)
            ::close(d->activeFd);
        d->activeFd = -1;
        d->segments.clear();
        throw;
    }
    d->nextLsn = d->active().lastLsn + 1;
    d->durableLsn = d->nextLsn - 1;
    d->isOpen = true;
    return report;
}

void Wal::recordUncoveredSegment(quint64 flushedLsn)
{
    std::unique_lock lock(d->mutex);
    d->requireUsable();
    const quint64 last = d->nextLsn - 1;
    if (last <= flushedLsn)
        return;
    // Segments are contiguous: the last record is in the newest one that starts at or before it
    // (the active segment may be a fresh, empty one).
    const auto holding = std::find_if(d->segments.rbegin(), d->segments.rend(),
                                      [last](const Segment& s) { return s.firstLsn <= last; });
    if (holding != d->segments.rend() && holding->firstLsn > d->recordedNewest)
        d->recordSegment(holding->firstLsn);
}

void Wal::close()
{
    std::unique_lock lock(d->mutex);
    d->closeLocked(lock);
}

quint64 Wal::append(const std::vector<QByteArray>& payloads, WalRecordType type)
{
    const StoreCipher* cipher = d->options.cipher.get();
    const qint64 sealing = cipher ? StoreCipher::kOverhead : 0;
    qint64 bytes = 0;
    for (const QByteArray& p : payloads) {
        if (quint64(p.size() + sealing) > kMaxPayload)
            throw FrostlineError::badInput(
                QStringLiteral("WAL append: a payload of %1 bytes exceeds the %2-byte limit")
                    .arg(p.size())
                    .arg(kMaxPayload - sealing));
        bytes += kRecordOverhead + sealing + p.size();
    }
    std::unique_lock lock(d->mutex);
    d->requireUsable();
    if (payloads.empty())
        return d->nextLsn;
    while (d->active().size >= d->options.segmentSizeBytes &&
           d->active().lastLsn >= d->active().firstLsn) {
        if (d->syncing) {
            d->synced.wait(lock);
            d->requireUsable();
            continue;
        }
        d->rotateLocked();
    }
    d->recordNewestSegment();

    Segment& seg = d->active();
    const quint64 first = d->nextLsn;
    auto& buf = d->encodeBuffer;
    buf.resize(size_t(bytes));
    char* out = buf.data();
    quint64 lsn = first;
    for (const QByteArray& p : payloads) {
        if (cipher) {
            // Sealed in place, bound to this record's header (LSN, type, length).
            const quint32 length = quint32(p.size() + sealing);
            encodeRecordHeader(out, lsn++, quint8(type), length);
            cipher->sealInto(out + kRecordHeaderSize, p, QByteArrayView(out, kRecordAadSize));
            encodeRecordChecksum(out, length);
            out += kRecordOverhead + length;
            continue;
        }
        encodeRecord(out, lsn++, quint8(type), p.constData(), quint32(p.size()));
        out += kRecordOverhead + p.size();
    }
    int err = 0;
    if (!writeAll(d->activeFd, buf.data(), bytes, seg.size, &err)) {
        // No partial record may survive: cut back to the size before this append.
        if (::ftruncate(d->activeFd, seg.size) != 0)
            d->broken = QStringLiteral("WAL segment %1: cannot remove a partial append: %2")
                            .arg(seg.fileName, FrostlineError::errnoText(errno));
        throw FrostlineError::runtime(QStringLiteral("WAL segment %1: cannot append: %2")
                                          .arg(seg.fileName, FrostlineError::errnoText(err)));
    }
    seg.size += bytes;
    d->nextLsn += payloads.size();
    seg.lastLsn = d->nextLsn - 1;
    if (d->options.sync)
        d->waitDurable(lock, d->nextLsn - 1);
    return first;
}

void Wal::scan(quint64 fromLsn, const std::function<bool(const WalRecord&)>& visit,
               std::optional<quint64> flushedLsn) const
{
    quint64 endLsn = 0;
    {
        std::lock_guard lock(d->mutex);
        d->requireOpen();
        endLsn = d->nextLsn - 1;
        const quint64 first = d->segments.front().firstLsn;
        if (first > endLsn)
            return; // the log holds no record
        if (fromLsn < first)
            throw FrostlineError::runtime(
                QStringLiteral("WAL %1: cannot scan from LSN %2: the log starts at LSN %3")
                    .arg(d->directory)
                    .arg(fromLsn)
                    .arg(first));
    }
    quint64 want = fromLsn;
    QString previous;
    quint64 previousFirst = 0;
    while (want <= endLsn) {
        Segment seg;
        std::unique_ptr<WalSegmentReader> reader;
        {
            // Open the file under the mutex: a segment is then either readable or known gone.
            std::lock_guard lock(d->mutex);
            const Segment* holder = nullptr;
            for (const Segment& s : d->segments)
                if (s.firstLsn <= want)
                    holder = &s;
            if (!holder)
                throw FrostlineError::runtime(
                    QStringLiteral("WAL %1: LSN %2 is no longer held (segments were deleted "
                                   "during the scan)")
                        .arg(d->directory)
                        .arg(want));
            if (holder->firstLsn <= previousFirst)
                throw FrostlineError::runtime(
                    QStringLiteral("WAL %1: missing segment after %2: LSN %3 is absent")
                        .arg(d->directory, previous)
                        .arg(want));
            seg = *holder;
            reader = std::make_unique<WalSegmentReader>(seg.path, seg.fileName);
        }
        bool stopped = false;
        want = readSegment(*reader, seg, want, endLsn, &visit, &stopped, d->options.cipher.get(),
                           flushedLsn);
        if (stopped)
            return;
        previous = seg.fileName;
        previousFirst = seg.firstLsn;
    }
}

void Wal::rotate()
{
    std::unique_lock lock(d->mutex);
    d->requireUsable();
    d->synced.wait(lock, [this] { return !d->syncing; });
    d->requireUsable();
    d->rotateLocked();
}

int Wal::deleteSegmentsUpTo(quint64 flushedLsn, QString* problem)
{
    std::lock_guard lock(d->mutex);
    d->requireOpen();
    // What is said when PROBLEM is given: deleting less than allowed is always safe.
    auto fail = [&](const QString& message, const QString& consequence) {
        if (!problem)
            throw FrostlineError::runtime(message);
        *problem += (problem->isEmpty() ? QString() : QStringLiteral("; ")) + message +
                    QStringLiteral("; ") + consequence;
    };
    int deleted = 0;
    while (d->segments.size() > 1 && d->segments.front().sealed &&
           d->segments.front().lastLsn <= flushedLsn) {
        const Segment& oldest = d->segments.front();
        if (::unlink(QFile::encodeName(oldest.path).constData()) != 0 && errno != ENOENT) {
            fail(QStringLiteral("WAL segment %1: cannot delete: %2")
                     .arg(oldest.fileName, FrostlineError::errnoText(errno)),
                 QStringLiteral("it and the covered segments after it stay, which is safe, and a "
                                "later migration or checkpoint deletes them once it can"));
            break;
        }
        d->segments.erase(d->segments.begin());
        ++deleted;
    }
    int err = 0;
    if (deleted && !fsyncDirectory(d->directory, &err))
        fail(QStringLiteral("WAL directory %1: cannot sync: %2")
                 .arg(d->directory, FrostlineError::errnoText(err)),
             QStringLiteral("a segment deleted now may come back after a crash, which is "
                            "harmless: every record in it is covered"));
    // Every record the log holds is covered by the flushed LSN (after a checkpoint, say): the
    // newest segment deleted now would lose nothing, so the record goes back to 0, and the next
    // append records its segment again before writing.
    if (d->recordedNewest != 0 && flushedLsn >= d->nextLsn - 1) {
        try {
            d->recordSegment(0);
        } catch (const FrostlineError& e) {
            // The truncation itself is done and durable; an uncleared record only keeps the
            // open's check stricter (an empty newest segment may then not be deleted by hand).
            qWarning("WAL %s: %s", qPrintable(d->directory), qPrintable(e.message()));
        }
    }
    return deleted;
}

quint64 Wal::lastLsn() const
{
    std::lock_guard lock(d->mutex);
    return d->nextLsn - 1;
}

quint64 Wal::firstLsn() const
{
    std::lock_guard lock(d->mutex);
    return d->segments.empty() ? d->nextLsn : d->segments.front().firstLsn;
}

std::vector<WalSegmentInfo> Wal::segments() const
{
    std::lock_guard lock(d->mutex);
    std::vector<WalSegmentInfo> out;
    out.reserve(d->segments.size());
    for (size_t i = 0; i < d->segments.size(); ++i) {
        const Segment& s = d->segments[i];
        WalSegmentInfo info;
        info.fileName = s.fileName;
        info.path = s.path;
        info.firstLsn = s.firstLsn;
        info.lastLsn = s.lastLsn;
        info.records = s.records();
        info.sizeBytes = s.size;
        info.active = d->isOpen && i + 1 == d->segments.size();
        out.push_back(info);
    }
    return out;
}

QString Wal::directory() const
{
    return d->directory;
}

void Wal::setSyncFailureHook(std::function<int()> hook)
{
    std::lock_guard lock(d->mutex);
    d->syncFailureHook = std::move(hook);
}

quint64 Wal::syncCount() const
{
    std::lock_guard lock(d->mutex);
    return d->syncCount;
}

QStringList Wal::verify() const
{
    std::vector<Segment> snapshot;
    {
        std::lock_guard lock(d->mutex);
        d->requireOpen();
        snapshot = d->segments;
    }
    QStringList problems;
    for (size_t i = 0; i < snapshot.size(); ++i) {
        const Segment& seg = snapshot[i];
        if (i > 0 && snapshot[i - 1].lastLsn + 1 != seg.firstLsn)
            problems << QStringLiteral("WAL %1: LSNs do not continue from %2 (last LSN %3) to %4 "
                                       "(first LSN %5)")
                            .arg(d->directory, snapshot[i - 1].fileName)
                            .arg(snapshot[i - 1].lastLsn)
                            .arg(seg.fileName)
                            .arg(seg.firstLsn);
        try {
            WalSegmentReader reader(seg.path, seg.fileName);
            bool stopped = false;
            const quint64 next = readSegment(reader, seg, seg.firstLsn, seg.lastLsn, nullptr,
                                             &stopped, d->options.cipher.get());
            if (next - 1 != seg.lastLsn)
                problems << QStringLiteral("WAL segment %1: records end at LSN %2, expected %3")
                                .arg(seg.fileName)
                                .arg(next - 1)
                                .arg(seg.lastLsn);
        } catch (const FrostlineError& e) {
            problems << e.message();
        }
    }
    return problems;
}

} // namespace frostline
