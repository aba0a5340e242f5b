#include "storebackup.h"

#include "coldtier.h"
#include "frostlineerror.h"
#include "privatefile.h"
#include "regionfaulthandler.h"
#include "store.h"
#include "storecipher.h"
#include "storelock.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <db_cxx.h>

#include <cerrno>
#include <fcntl.h>
#include <limits>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace frostline {

namespace {

// What a backup wrote, so that a restore can tell a whole backup from a damaged one: a WAL
// segment cut at a record boundary, or a last record damaged, otherwise reads as a torn tail and
// restores without a word, short of the versions it lost.
const QString kManifest = QStringLiteral("backup.json");

// DEST must be new or an empty directory; it is created owner-only.
void prepareDestination(const QString& dest, const char* what)
{
    const QFileInfo info(dest);
    if (info.exists() && (!info.isDir() || !QDir(dest).isEmpty()))
        throw FrostlineError::badInput(
            QStringLiteral("%1 destination %2 is %3; choose a new or empty directory")
                .arg(QLatin1String(what), dest,
                     info.isDir() ? QStringLiteral("not empty")
                                  : QStringLiteral("not a directory")));
    for (const QString& dir : {dest, QDir(dest).filePath(QStringLiteral("wal"))})
        PrivateFile::makeDirectory(dir);
}

// The bytes a backup or restore has copied in its current step, reported to the operator at
// most every few MiB (and at the end of the step), and the place where a cancel is noticed:
// after every MiB copied.
class CopyMeter
{
public:
    CopyMeter(const OperationControl& control, QString what)
        : m_control(control), m_what(std::move(what))
    {}
    void startStep(const QString& step, quint64 total)
    {
        m_step = step;
        m_stepDone = 0;
        m_stepTotal = total;
        m_reported = 0;
        m_control.report(m_step, 0, m_stepTotal, OperationControl::Unit::Bytes);
    }
    void add(qint64 n)
    {
        m_bytes += n;
        m_stepDone += quint64(n);
        if (m_stepDone - m_reported >= kReportEvery) {
            m_reported = m_stepDone;
            m_control.report(m_step, m_stepDone, std::max(m_stepTotal, m_stepDone),
                             OperationControl::Unit::Bytes);
        }
        check();
    }
    void endStep()
    {
        if (m_reported != m_stepDone)
            m_control.report(m_step, m_stepDone, std::max(m_stepTotal, m_stepDone),
                             OperationControl::Unit::Bytes);
        check();
    }
    // Bytes a step copied by other means (Berkeley DB's hot backup): in the total, not reported.
    void addUncounted(qint64 n) { m_bytes += n; }
    void check() const { m_control.check(m_what); }
    // For the steps that are not a copy (a restore's proof: open, verify).
    const OperationControl& control() const { return m_control; }
    qint64 bytes() const { return m_bytes; } // copied in every step

private:
    static constexpr quint64 kReportEvery = 8 << 20;
    const OperationControl& m_control;
    QString m_what;
    QString m_step;
    quint64 m_stepDone = 0, m_stepTotal = 0, m_reported = 0;
    qint64 m_bytes = 0;
};

// Copies the first `length` bytes of `from` (all when negative) into a new owner-only file,
// synced. Returns false when `from` does not exist; throws on any other failure, and when the
// operator cancels (METER says so).
bool copyFile(const QString& from, const QString& to, qint64 length, CopyMeter& meter)
{
    const int in = ::open(QFile::encodeName(from).constData(), O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        if (errno == ENOENT)
            return false;
        throw FrostlineError::runtime(
            QStringLiteral("cannot read %1: %2").arg(from, FrostlineError::errnoText(errno)));
    }
    const int out =
        ::open(QFile::encodeName(to).constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out < 0) {
        const int err = errno;
        ::close(in);
        throw FrostlineError::runtime(
            QStringLiteral("cannot create %1: %2").arg(to, FrostlineError::errnoText(err)));
    }
    std::vector<char> buffer(1 << 20);
    qint64 left = length < 0 ? std::numeric_limits<qint64>::max() : length;
    int err = 0;
    while (left > 0) {
        const ssize_t n =
            ::read(in, buffer.data(), std::size_t(std::min<qint64>(left, qint64(buffer.size()))));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            err = errno;
            break;
        }
        if (n == 0)
            break;
        for (ssize_t done = 0; done < n;) {
            const ssize_t w = ::write(out, buffer.data() + done, std::size_t(n - done));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                err = errno;
                break;
            }
            done += w;
        }
        if (err)
            break;
        left -= n;
        try {
            meter.add(n);
        } catch (...) {
            ::close(in);
            ::close(out);
            throw;
        }
    }
    if (!err && ::fsync(out) != 0)
        err = errno;
    ::close(in);
    ::close(out);
    if (err)
        throw FrostlineError::runtime(QStringLiteral("cannot copy %1 to %2: %3")
                                          .arg(from, to, FrostlineError::errnoText(err)));
    if (length >= 0 && QFileInfo(to).size() != length)
        throw FrostlineError::runtime(
            QStringLiteral("cannot copy %1: it is shorter than the %2 bytes it held at the start "
                           "of the backup")
                .arg(from)
                .arg(length));
    return true;
}

// What db_hotbackup does after copying: catastrophic recovery, so that every log record copied
// is applied whatever checkpoints happened while the database files were read. An encrypted
// copy needs the store's Berkeley DB key (its regions are private: DB_PRIVATE anyway).
void recoverCatastrophically(const QString& home, const StoreCipher* cipher)
{
    DbEnv env(DB_CXX_NO_EXCEPTIONS);
    const QByteArray path = QFile::encodeName(home);
    if (cipher) {
        const QByteArray password = cipher->berkeleyPassword();
        if (const int ret = env.set_encrypt(password.constData(), DB_ENCRYPT_AES)) {
            env.close(0);
            throw FrostlineError::runtime(
                QStringLiteral("backup %1: cannot set the encryption key: %2")
                    .arg(home, QString::fromLocal8Bit(DbEnv::strerror(ret))));
        }
    }
    const int ret = env.open(path.constData(),
                             DB_CREATE | DB_INIT_TXN | DB_INIT_LOG | DB_INIT_LOCK | DB_INIT_MPOOL |
                                 DB_RECOVER_FATAL | DB_PRIVATE,
                             0600);
    const QString message = QString::fromLocal8Bit(DbEnv::strerror(ret));
    env.close(0);
    if (ret != 0)
        throw FrostlineError::runtime(
            QStringLiteral("backup %1: catastrophic recovery of the copied environment failed: %2")
                .arg(home, message));
}

// What a restore copies of a backup: not the region files and the lock, which belong to a
// running environment, not to the data; not the manifest, which describes the backup, not the
// restored store.
bool restoreCopies(const QFileInfo& file)
{
    return !file.fileName().startsWith(QLatin1String("__db.")) &&
           file.fileName() != StoreLock::fileName() && file.fileName() != kManifest;
}

QFileInfoList entriesOf(const QString& dir)
{
    return QDir(dir).entryInfoList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden);
}

// The bytes copyTree will copy (the total its progress counts towards).
quint64 treeBytes(const QString& from)
{
    quint64 bytes = 0;
    for (const QFileInfo& entry : entriesOf(from))
        bytes += entry.isDir()          ? treeBytes(entry.filePath())
                 : restoreCopies(entry) ? quint64(entry.size())
                                        : 0;
    return bytes;
}

void copyTree(const QString& from, const QString& to, CopyMeter& meter)
{
    for (const QFileInfo& entry : entriesOf(from)) {
        const QString target = QDir(to).filePath(entry.fileName());
        if (entry.isDir()) {
            if (!QDir().mkpath(target))
                throw FrostlineError::runtime(
                    QStringLiteral("cannot create directory %1").arg(target));
            ::chmod(QFile::encodeName(target).constData(), 0700);
            copyTree(entry.filePath(), target, meter);
        } else if (restoreCopies(entry)) {
            copyFile(entry.filePath(), target, -1, meter);
        }
    }
    PrivateFile::syncDirectory(to);
}

// A cancelled backup or restore has removed its copy by the time this is thrown (the copy's
// UnfinishedCopy went out of scope on the way), unless a file would not go: then its marker
// stays, and the message says what to delete instead of that it is gone.
[[noreturn]] void throwCancelled(const QString& what, const QString& dest)
{
    const QString marker = Store::unfinishedCopyMarker(dest);
    throw FrostlineError(
        FrostlineError::Kind::Runtime,
        QFileInfo::exists(marker)
            ? QStringLiteral("%1 cancelled; the unfinished copy in %2 could not be removed "
                             "entirely (%3 marks it): delete it")
                  .arg(what, dest, marker)
            : QStringLiteral("%1 cancelled; the unfinished copy in %2 is removed").arg(what, dest),
        FrostlineError::Cause::Cancelled);
}

// While a copy's environment works, a region fault (a full disk) names the copy, and says that
// the copy (left marked INCOMPLETE: the process ends there) must go before the next attempt;
// then again the environment noted before (the open store's, in the GUI).
struct NotedCopy
{
    NotedCopy(const QString& home, const QString& dest)
        : before(RegionFaultHandler::noteEnvironment(
              QStringLiteral("%1 (the copy being made, left unfinished: delete %2 before you run "
                             "again)")
                  .arg(home, dest)))
    {}
    ~NotedCopy() { RegionFaultHandler::noteEnvironment(before); }
    NotedCopy(const NotedCopy&) = delete;
    NotedCopy& operator=(const NotedCopy&) = delete;
    QString before;
};

struct Manifest
{
    bool present = false;
    quint64 lastLsn = 0;
    bool encrypted = false;
    struct Segment
    {
        QString file;
        qint64 bytes = 0;
    };
    std::vector<Segment> segments;
};

// A backup made before manifests existed has none: it restores as before, unchecked.
Manifest readManifest(const QString& backup)
{
    Manifest m;
    QFile file(QDir(backup).filePath(kManifest));
    if (!file.exists())
        return m;
    auto damaged = [&](const QString& why) {
        return FrostlineError::badInput(
            QStringLiteral("backup %1 is damaged: %2 %3").arg(backup, file.fileName(), why));
    };
    if (!file.open(QIODevice::ReadOnly))
        throw damaged(QStringLiteral("cannot be read: ") + file.errorString());
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &error);
    const QJsonObject o = doc.object();
    if (error.error != QJsonParseError::NoError ||
        !o.value(QStringLiteral("last_lsn")).isDouble() ||
        !o.value(QStringLiteral("wal_segments")).isArray())
        throw damaged(QStringLiteral("is not a backup manifest"));
    m.present = true;
    m.lastLsn = quint64(o.value(QStringLiteral("last_lsn")).toInteger());
    m.encrypted = o.value(QStringLiteral("encrypted")).toBool();
    for (const QJsonValue& v : o.value(QStringLiteral("wal_segments")).toArray()) {
        const QJsonObject s = v.toObject();
        const QString name = s.value(QStringLiteral("file")).toString();
        if (name.isEmpty() || name.contains(QLatin1Char('/')) ||
            !s.value(QStringLiteral("bytes")).isDouble())
            throw damaged(QStringLiteral("is not a backup manifest"));
        m.segments.push_back({name, s.value(QStringLiteral("bytes")).toInteger()});
    }
    return m;
}

// The destination of a backup or restore, marked unfinished (Store::unfinishedCopyMarker) from
// before its first file until the copy is whole and proven. A failure removes what was made,
// marker last, so no cut-short copy is ever left to pass for a store; a kill -9 leaves the
// marker, and the copy is refused at open.
class UnfinishedCopy
{
public:
    UnfinishedCopy(QString dest, const char* what)
        : m_dest(std::move(dest)), m_createdDest(!QFileInfo::exists(m_dest))
    {
        // What a failure must put back: the parents this copy creates (a/b of a/b/dest), or the
        // mode of an empty DEST that was there before (the copy makes it owner-only).
        // Cleaned first: "a/b/r/" names r, whose parent is b.
        for (QString dir =
                 QFileInfo(QDir::cleanPath(QFileInfo(m_dest).absoluteFilePath())).absolutePath();
             !dir.isEmpty() && !QFileInfo::exists(dir) && dir != QDir::rootPath();
             dir = QFileInfo(dir).absolutePath())
            m_createdParents.push_back(dir); // deepest first
        struct stat before = {};
        if (!m_createdDest && ::stat(QFile::encodeName(m_dest).constData(), &before) == 0)
            m_modeBefore = before.st_mode & 07777;
        try {
            prepareDestination(m_dest, what);
        } catch (...) {
            restoreDestination(); // it may have made DEST (and parents) or DEST owner-only
            throw;
        }
        m_armed = true; // DEST was new or empty: what is in it now is ours to remove
        try {
            PrivateFile::write(Store::unfinishedCopyMarker(m_dest),
                               QStringLiteral("This %1 did not finish: the directory may lack "
                                              "data. Delete it and run the %1 again.\n")
                                   .arg(QLatin1String(what))
                                   .toUtf8(),
                               QStringLiteral("mark the %1 unfinished").arg(QLatin1String(what)));
            PrivateFile::syncDirectory(m_dest);
        } catch (...) {
            removeCopy();
            throw;
        }
    }
    UnfinishedCopy(const UnfinishedCopy&) = delete;
    UnfinishedCopy& operator=(const UnfinishedCopy&) = delete;

    void finish()
    {
        if (!QFile::remove(Store::unfinishedCopyMarker(m_dest)))
            throw FrostlineError::runtime(
                QStringLiteral("cannot remove %1").arg(Store::unfinishedCopyMarker(m_dest)));
        PrivateFile::syncDirectory(m_dest);
        m_armed = false;
    }

    ~UnfinishedCopy()
    {
        if (m_armed)
            removeCopy();
    }

private:
    void removeCopy()
    {
        const QString marker = Store::unfinishedCopyMarker(m_dest);
        const QDir dir(m_dest);
        for (const QFileInfo& entry :
             dir.entryInfoList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden)) {
            if (entry.absoluteFilePath() == QFileInfo(marker).absoluteFilePath())
                continue;
            if (entry.isDir() && !entry.isSymLink())
                QDir(entry.absoluteFilePath()).removeRecursively();
            else
                QFile::remove(entry.absoluteFilePath());
        }
        if (dir.entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden).size() == 1)
            QFile::remove(marker); // everything else is gone: nothing left to mistake
        restoreDestination();
    }

    // DEST as it was before: a DEST made for the copy goes, with the parents made for it, as far
    // as they are empty (what else was put there meanwhile stays); one that was there gets its
    // mode back.
    void restoreDestination()
    {
        if (!m_createdDest) {
            if (m_modeBefore >= 0)
                ::chmod(QFile::encodeName(m_dest).constData(), mode_t(m_modeBefore));
            return;
        }
        QDir().rmdir(QDir(m_dest).filePath(QStringLiteral("wal")));
        if (!QDir().rmdir(m_dest))
            return;
        for (const QString& parent : m_createdParents)
            if (!QDir().rmdir(parent))
                return;
    }

    QString m_dest;
    bool m_createdDest;
    QStringList m_createdParents;
    int m_modeBefore = -1;
    bool m_armed = false;
};

// backup(), its cancellation aside.
StoreBackup::Report copyStore(Store& store, const QString& dest, CopyMeter& meter)
{
    using Report = StoreBackup::Report;
    QElapsedTimer timer;
    timer.start();
    UnfinishedCopy unfinished(dest, "backup");
    Report report;
    const QDir destDir(dest);
    const QString walCopy = destDir.filePath(QStringLiteral("wal"));

    // A backup is the state of one instant: the cold tier copied first, then the WAL up to a
    // position noted after that copy, so every version the copied cold tier holds has its record
    // (and those of the versions appended with it) in the copied WAL. Replay skips the records
    // of versions already cold; versions migrated after the cold copy come back hot. Copying the
    // WAL first let a version appended and migrated meanwhile be in the copy without its
    // acknowledged siblings. No segment is deleted until the WAL is copied: a batch committed
    // after the cold copy could otherwise delete one that the copy still needs.
    const Store::WalTruncationHold keepSegments = store.holdWalTruncation();
    // Every file is read by path: from a store moved while open, that is another store's.
    store.requireInPlace();

    // 1. The environment: database files, then logs; then catastrophic recovery in the copy.
    const QString coldCopy = destDir.filePath(QStringLiteral("cold"));
    // A full disk while the copy's Berkeley DB regions grow is the destination's, not the store's.
    const NotedCopy noted(coldCopy, dest);
    // One Berkeley DB call copies the environment: it is not counted, and a cancel waits for it.
    meter.startStep(QStringLiteral("copying the cold tier (Berkeley DB hot backup)"), 0);
    store.cold().backup(coldCopy);
    ::chmod(QFile::encodeName(coldCopy).constData(), 0700);
    for (const QFileInfo& f : QDir(coldCopy).entryInfoList(QDir::Files)) {
        meter.addUncounted(f.size());
        ::chmod(QFile::encodeName(f.filePath()).constData(), 0600);
    }
    meter.endStep();
    meter.startStep(QStringLiteral("recovering the copy"), 0);
    recoverCatastrophically(coldCopy, store.cipher().get());
    meter.check();
    ColdTier cold(coldCopy, store.cipher());
    cold.open();
    report.flushedLsn = cold.flushedLsn();
    meter.endStep();

    // 2. The WAL position, with writers paused so the active segment ends at a record boundary:
    // the segments holding records after the copy's flushed LSN.
    std::vector<WalSegmentInfo> needed;
    meter.startStep(QStringLiteral("noting the WAL position (writers paused)"), 0);
    {
        auto paused = store.pauseWriters();
        store.requireInPlace();
        for (const WalSegmentInfo& s : store.wal().segments())
            if (s.lastLsn > report.flushedLsn)
                needed.push_back(s);
        if (QFileInfo::exists(store.policyPath()))
            copyFile(store.policyPath(), destDir.filePath(QStringLiteral("policy.json")), -1,
                     meter);
        // An encrypted store's key parameters (never the key): the copy opens with the same
        // passphrase.
        if (store.isEncrypted())
            copyFile(StoreCipher::keyFilePath(store.path()), StoreCipher::keyFilePath(dest), -1,
                     meter);
    }
    meter.endStep();

    // 3. Those segments, writers running: sealed segments never change, the active one is read
    // only up to the noted size, and none is deleted (keepSegments).
    quint64 walBytes = 0;
    for (const WalSegmentInfo& s : needed)
        walBytes += quint64(s.sizeBytes);
    meter.startStep(QStringLiteral("copying the WAL"), walBytes);
    report.lastLsn = report.flushedLsn;
    quint64 newestCopied = 0;
    for (const WalSegmentInfo& s : needed) {
        if (!copyFile(s.path, QDir(walCopy).filePath(s.fileName), s.sizeBytes, meter))
            throw FrostlineError::runtime(
                QStringLiteral("backup: WAL segment %1 (LSNs %2..%3) vanished during the backup; "
                               "the copy needs it (its cold tier is flushed only to LSN %4)")
                    .arg(s.fileName)
                    .arg(s.firstLsn)
                    .arg(s.lastLsn)
                    .arg(report.flushedLsn));
        ++report.walSegments;
        report.lastLsn = std::max(report.lastLsn, s.lastLsn);
        newestCopied = std::max(newestCopied, s.firstLsn);
    }
    meter.endStep();
    // The copy's newest segment is the newest one copied (the store's own may be newer, or hold
    // nothing the copy needs); with none, its first open starts the log after the flushed LSN.
    cold.recordNewestWalSegment(newestCopied);
    cold.close();
    PrivateFile::syncDirectory(walCopy);

    QJsonArray segments;
    for (const WalSegmentInfo& s : needed)
        segments.append(QJsonObject{{QStringLiteral("file"), s.fileName},
                                    {QStringLiteral("bytes"), s.sizeBytes},
                                    {QStringLiteral("last_lsn"), qint64(s.lastLsn)}});
    const QJsonObject manifest{{QStringLiteral("flushed_lsn"), qint64(report.flushedLsn)},
                               {QStringLiteral("last_lsn"), qint64(report.lastLsn)},
                               {QStringLiteral("encrypted"), store.isEncrypted()},
                               {QStringLiteral("wal_segments"), segments}};
    PrivateFile::write(destDir.filePath(kManifest), QJsonDocument(manifest).toJson(),
                       QStringLiteral("write the backup manifest"));
    PrivateFile::syncDirectory(dest);
    meter.check(); // the last moment a cancel removes the copy
    unfinished.finish();
    report.bytes = meter.bytes();
    report.elapsedMs = timer.elapsed();
    return report;
}

} // namespace

StoreBackup::Report StoreBackup::backup(Store& store, const QString& dest,
                                        const OperationControl& control)
{
    if (!store.isOpen())
        throw FrostlineError::runtime(
            QStringLiteral("backup: store %1 is not open").arg(store.path()));
    if (Store::isSameOrInside(dest, store.path()))
        throw FrostlineError::badInput(
            QStringLiteral("backup destination %1 lies inside the store %2")
                .arg(dest, store.path()));
    const QString what = QStringLiteral("backup of store %1").arg(store.path());
    try {
        CopyMeter meter(control, what);
        return copyStore(store, dest, meter);
    } catch (const FrostlineError& e) {
        if (e.cause() == FrostlineError::Cause::Cancelled)
            throwCancelled(what, dest);
        throw;
    }
}

bool StoreBackup::madeFromEncryptedStore(const QString& backup)
{
    return readManifest(backup).encrypted;
}

namespace {

// restore() once BACKUP is checked, its cancellation aside.
StoreBackup::Report restoreCopy(const QString& backup, const QString& dest,
                                const Manifest& manifest,
                                const std::shared_ptr<const StoreCipher>& cipher, CopyMeter& meter,
                                const QElapsedTimer& timer)
{
    using Report = StoreBackup::Report;
    UnfinishedCopy unfinished(dest, "restore");
    const NotedCopy noted(QDir(dest).filePath(QStringLiteral("cold")), dest);
    Report report;
    meter.startStep(QStringLiteral("copying the backup"), treeBytes(backup));
    copyTree(backup, dest, meter);
    meter.endStep();
    report.bytes = meter.bytes();
    // Opening recovers the environment (DB_RECOVER) and replays the WAL: proof it is a store.
    // The copy carries the backup's encryption.json: the keys derived above open it.
    Store::Options options;
    options.cipher = cipher;
    options.openUnfinishedCopy = true;
    {
        Store store(dest, options);
        try {
            report.tornTailNote = store.open(meter.control()).tornTailNote();
        } catch (const FrostlineError& e) {
            if (e.cause() == FrostlineError::Cause::Cancelled)
                throw;
            // Not "damaged" when the disk is full: the backup may be fine, and a retry with room
            // succeeds. Anything else that stops a fresh copy from opening (a database's header,
            // a cut log) is in the backup's files: bad input, exit 2, like every damaged backup.
            if (e.message().contains(FrostlineError::errnoText(ENOSPC)))
                throw FrostlineError(e.kind(),
                                     QStringLiteral("restore of %1: its copy in %2 does not open "
                                                    "(the copy is removed): %3")
                                         .arg(backup, dest, e.message()));
            throw FrostlineError::badInput(QStringLiteral("backup %1 is damaged: its copy in %2 "
                                                          "does not open (the copy is removed): %3")
                                               .arg(backup, dest, e.message()));
        }
        // Opening proves the log and the environment, not the data: a backup with a flipped byte
        // inside nodes.db opened, "restored" with exit 0, and then exported nothing. verify reads
        // every record of both tiers. A missing or unsound policy.json is a note, not damage: the
        // data is whole, and the operator can write a policy.
        QStringList problems = store.verify(meter.control());
        if (const QString policy = store.policyProblem(); !policy.isEmpty()) {
            problems.removeAll(policy);
            report.policyNote =
                QStringLiteral("the restored store has no sound active policy, since the backup "
                               "carries none: %1")
                    .arg(policy);
        }
        if (!problems.isEmpty())
            throw FrostlineError::badInput(
                QStringLiteral("backup %1 is damaged: its copy in %2 fails verify (the copy is "
                               "removed): %3%4")
                    .arg(backup, dest, problems.front(),
                         problems.size() == 1 ? QString()
                                              : QStringLiteral(" (and %1 more problem(s))")
                                                    .arg(problems.size() - 1)));
        const StoreStatistics s = store.statistics();
        report.flushedLsn = s.flushedLsn;
        report.lastLsn = s.lastLsn;
        report.walSegments = int(s.walSegments);
        store.close();
    }
    // A record damaged at the very end of the log is cut at open like a torn tail: the LSN the
    // backup recorded says whether anything was lost.
    if (manifest.present && report.lastLsn != manifest.lastLsn)
        throw FrostlineError::badInput(
            QStringLiteral("backup %1 is damaged: its WAL ends at LSN %2, but the backup recorded "
                           "LSN %3 (a WAL segment was cut or altered)")
                .arg(backup)
                .arg(report.lastLsn)
                .arg(manifest.lastLsn));
    meter.check(); // the last moment a cancel removes the copy
    unfinished.finish();
    report.elapsedMs = timer.elapsed();
    return report;
}

} // namespace

StoreBackup::Report StoreBackup::restore(const QString& backup, const QString& dest,
                                         const OperationControl& control)
{
    return restore(backup, dest, QByteArray(), control);
}

StoreBackup::Report StoreBackup::restore(const QString& backup, const QString& dest,
                                         const QByteArray& passphrase,
                                         const OperationControl& control)
{
    QElapsedTimer timer;
    timer.start();
    if (!QFileInfo(backup).isDir())
        throw FrostlineError::badInput(
            QFileInfo::exists(backup) ? QStringLiteral("backup %1 is not a directory").arg(backup)
                                      : QStringLiteral("backup %1 does not exist").arg(backup));
    // First: a backup killed early has its marker but not yet its wal/ and cold/.
    if (QFileInfo::exists(Store::unfinishedCopyMarker(backup)))
        throw FrostlineError::badInput(
            QStringLiteral("%1 is an unfinished backup (%2 is there): it may lack data; restore "
                           "another backup")
                .arg(backup, Store::unfinishedCopyMarker(backup)));
    if (!Store::looksLikeStore(backup))
        throw FrostlineError::badInput(
            QStringLiteral("%1 is not a Frostline backup (no wal/ and cold/ inside)").arg(backup));
    if (Store::isSameOrInside(dest, backup))
        throw FrostlineError::badInput(
            QStringLiteral("restore destination %1 lies inside the backup %2; choose a directory "
                           "outside it")
                .arg(dest, backup));
    // A store some process has open is no backup: a copy of its files taken now is not one
    // instant of it.
    if (StoreLock::isHeld(backup))
        throw FrostlineError::badInput(
            QStringLiteral("%1 is a store that a process has open, not a backup: back it up "
                           "with backup (or close it first)")
                .arg(backup));
    const Manifest manifest = readManifest(backup);
    // An encrypted backup: the passphrase is checked before anything is copied.
    std::shared_ptr<const StoreCipher> cipher;
    if (manifest.encrypted && !StoreCipher::isEncrypted(backup))
        throw FrostlineError::badInput(
            QStringLiteral("backup %1 was made from an encrypted store, but its %2 is missing: "
                           "the copy cannot be opened without it")
                .arg(backup, QFileInfo(StoreCipher::keyFilePath(backup)).fileName()));
    if (StoreCipher::isEncrypted(backup)) {
        if (passphrase.isEmpty())
            throw FrostlineError::badInput(
                QStringLiteral("backup %1 is encrypted: its passphrase is needed to restore it")
                    .arg(backup));
        cipher = StoreCipher::unlock(backup, passphrase, QStringLiteral("backup"));
    }
    // Segments of the wrong size are named before anything is copied.
    for (const Manifest::Segment& m : manifest.segments) {
        const QFileInfo f(QDir(backup).filePath(QStringLiteral("wal/") + m.file));
        if (!f.exists())
            throw FrostlineError::badInput(
                QStringLiteral("backup %1 is damaged: its WAL segment %2 is missing")
                    .arg(backup, m.file));
        if (f.size() != m.bytes)
            throw FrostlineError::badInput(
                QStringLiteral("backup %1 is damaged: its WAL segment %2 is %3 bytes, the backup "
                               "wrote %4")
                    .arg(backup, m.file)
                    .arg(f.size())
                    .arg(m.bytes));
    }
    const QString what = QStringLiteral("restore of %1").arg(backup);
    CopyMeter meter(control, what);
    try {
        return restoreCopy(backup, dest, manifest, cipher, meter, timer);
    } catch (const FrostlineError& e) {
        if (e.cause() == FrostlineError::Cause::Cancelled)
            throwCancelled(what, dest);
        throw;
    }
}

} // namespace frostline
