#include "store.h"

#include "frostlineerror.h"
#include "inputlimits.h"
#include "parallelslices.h"
#include "privatefile.h"
#include "versioncodec.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QScopeGuard>
#include <QSet>

#include <algorithm>
#include <cerrno>
#include <numeric>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace frostline {

namespace {

// The first words of the INCOMPLETE marker an init writes (a backup's or restore's differ).
const QByteArray kUnfinishedInit = QByteArrayLiteral("This init did not finish");

// The first words of the INCOMPLETE marker at MARKER_PATH (empty when there is none): whose it is.
QByteArray markerHead(const QString& markerPath)
{
    QFile marker(markerPath);
    return marker.open(QIODevice::ReadOnly) ? marker.read(64) : QByteArray();
}

QString walDir(const QString& store)
{
    return QDir(store).filePath(QStringLiteral("wal"));
}
QString coldDir(const QString& store)
{
    return QDir(store).filePath(QStringLiteral("cold"));
}

} // namespace

QString tierName(Tier tier)
{
    return tier == Tier::Cold ? QStringLiteral("cold") : QStringLiteral("hot");
}

QString Store::resolvedPath(const QString& path)
{
    QString existing = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    QStringList missing;
    while (!QFileInfo::exists(existing) && existing != QLatin1String("/")) {
        missing.prepend(QFileInfo(existing).fileName());
        existing = QFileInfo(existing).path();
    }
    QString resolved = QFileInfo(existing).canonicalFilePath();
    if (resolved.isEmpty())
        resolved = existing;
    for (const QString& part : missing)
        resolved = QDir(resolved).filePath(part);
    return QDir::cleanPath(resolved);
}

bool Store::isSameOrInside(const QString& path, const QString& dir)
{
    const QString inner = resolvedPath(path);
    const QString outer = resolvedPath(dir);
    return inner == outer ||
           inner.startsWith(outer.endsWith(QLatin1Char('/')) ? outer : outer + QLatin1Char('/'));
}

QString Store::unfinishedCopyMarker(const QString& path)
{
    return QDir(path).filePath(QStringLiteral("INCOMPLETE"));
}

bool Store::looksLikeStore(const QString& path)
{
    const QDir d(path);
    return d.exists(QStringLiteral("wal")) && d.exists(QStringLiteral("cold"));
}

void Store::create(const QString& path)
{
    createStore(path, false, {});
}

void Store::create(const QString& path, const QByteArray& passphrase)
{
    if (passphrase.isEmpty())
        throw FrostlineError::badInput(
            QStringLiteral("%1: an encrypted store needs a non-empty passphrase").arg(path));
    createStore(path, true, passphrase);
}

void Store::createStore(const QString& path, bool encrypted, const QByteArray& passphrase)
{
    // An init cut short (a full disk raises SIGBUS inside Berkeley DB, which ends the process)
    // leaves its marker: what that init made is ours to clear, so "run init again" works. Only
    // then: the directory itself stays (a mount point, its mode), anything else in it makes it
    // not ours, and a process holding the store's lock may be the init still at work.
    if (markerHead(unfinishedCopyMarker(path)).startsWith(kUnfinishedInit)) {
        const QStringList made = {QStringLiteral("INCOMPLETE"),
                                  QStringLiteral("policy.json"),
                                  QStringLiteral("encryption.json"),
                                  StoreLock::fileName(),
                                  QStringLiteral("wal"),
                                  QStringLiteral("cold")};
        const QFileInfoList entries = QDir(path).entryInfoList(QDir::AllEntries | QDir::Hidden |
                                                               QDir::System | QDir::NoDotAndDotDot);
        const bool onlyOurs = std::all_of(entries.begin(), entries.end(), [&](const QFileInfo& e) {
            return made.contains(e.fileName()) ||
                   (e.fileName().contains(QLatin1String(".tmp-")) &&
                    made.contains(e.fileName().section(QLatin1String(".tmp-"), 0, 0)));
        });
        if (!onlyOurs)
            throw FrostlineError::badInput(
                QStringLiteral("%1 holds an unfinished init and files init did not make; move "
                               "them away (or delete the directory) and run init again")
                    .arg(path));
        if (StoreLock::isHeld(path))
            throw FrostlineError::runtime(
                QStringLiteral("%1 holds an unfinished init that a process has open (an init "
                               "still at work?); run init again once it has ended")
                    .arg(path));
        for (const QFileInfo& e : entries) {
            const bool gone = e.isDir() && !e.isSymLink() ? QDir(e.filePath()).removeRecursively()
                                                          : QFile::remove(e.filePath());
            if (!gone)
                throw FrostlineError::runtime(
                    QStringLiteral("%1 holds an unfinished init, and its %2 cannot be removed; "
                                   "delete it and run init again")
                        .arg(path, e.fileName()));
        }
    }
    const QFileInfo info(path);
    if (info.exists() && !info.isDir())
        throw FrostlineError::badInput(
            QStringLiteral("%1 exists and is not a directory").arg(path));
    // An init killed while it wrote its marker leaves only the marker's temporary file: nothing
    // else was made yet, so the directory is as empty as before.
    if (const QFileInfoList entries = QDir(path).entryInfoList(QDir::AllEntries | QDir::Hidden |
                                                               QDir::System | QDir::NoDotAndDotDot);
        !entries.isEmpty() && std::all_of(entries.begin(), entries.end(), [](const QFileInfo& e) {
            return e.isFile() && !e.isSymLink() &&
                   e.fileName().startsWith(QLatin1String("INCOMPLETE.tmp-"));
        }))
        for (const QFileInfo& e : entries)
            QFile::remove(e.filePath());
    if (looksLikeStore(path))
        throw FrostlineError::badInput(QStringLiteral("%1 already holds a store").arg(path));
    if (info.exists() && !QDir(path).isEmpty())
        throw FrostlineError::badInput(
            QStringLiteral("%1 is not empty; choose a new or empty directory").arg(path));
    PrivateFile::makeDirectory(path);
    PrivateFile::write(unfinishedCopyMarker(path),
                       kUnfinishedInit + QByteArrayLiteral(": the store may lack parts. Run init "
                                                           "on this directory again.\n"),
                       QStringLiteral("mark the init unfinished"));
    PrivateFile::makeDirectory(walDir(path));
    PrivateFile::makeDirectory(coldDir(path));
    // The key file first: a store whose encryption.json is missing is an unencrypted one.
    std::shared_ptr<const StoreCipher> cipher;
    if (encrypted)
        cipher = StoreCipher::create(path, passphrase);
    MigrationPolicy().save(QDir(path).filePath(QStringLiteral("policy.json")));
    // Opening once lays down the cold environment and the first WAL segment.
    Options options;
    options.openUnfinishedCopy = true; // its own marker
    Store store(path, options);
    store.m_cipher = cipher;
    store.m_creating = true;
    store.open();
    store.close();
    if (!QFile::remove(unfinishedCopyMarker(path)))
        throw FrostlineError::runtime(QStringLiteral("%1: cannot remove %2 at the end of init")
                                          .arg(path, unfinishedCopyMarker(path)));
    // The marker's removal made durable: back after a power loss, it would read as an init left
    // unfinished, whose rerun deletes wal/ and cold/ with what was written since.
    PrivateFile::syncDirectory(path);
}

Store::Store(QString path) : Store(std::move(path), Options()) {}

Store::Store(QString path, Options options)
    : m_path(QDir::cleanPath(std::move(path))), m_options(options),
      m_access(options.accessTrackerCapacity)
{}

Store::~Store()
{
    try {
        close();
    } catch (...) {
        // Closing is best effort in a destructor; Berkeley DB recovers on the next open.
    }
}

void Store::requireOpen() const
{
    if (!m_open)
        throw FrostlineError::runtime(QStringLiteral("store %1 is not open").arg(m_path));
}

void Store::requireInPlace() const
{
    if (!m_lock.isStillAt(m_path))
        throw FrostlineError::runtime(
            QStringLiteral("store %1 was moved or replaced while it was open: the directory at "
                           "that path is not the one opened, so nothing more is written (what "
                           "was acknowledged stays in the moved store; open it where it is now)")
                .arg(m_path));
}

void Store::checkOpenable(const QString& path, bool unfinishedCopyAllowed)
{
    // A STORE that names no store is bad input (exit 2 on the command line), like any argument
    // that is wrong; a store that is there but damaged is a runtime failure.
    // One that cannot be looked at (no permission, a stale mount) is neither: the reason is said.
    if (struct stat st = {}; ::stat(QFile::encodeName(path).constData(), &st) != 0) {
        if (errno != ENOENT && errno != ENOTDIR)
            throw FrostlineError::runtime(QStringLiteral("cannot look at store %1: %2")
                                              .arg(path, FrostlineError::errnoText(errno)));
        throw FrostlineError::badInput(QStringLiteral("store %1 does not exist").arg(path));
    } else if (!S_ISDIR(st.st_mode)) {
        throw FrostlineError::badInput(QStringLiteral("store %1 is not a directory").arg(path));
    }
    // A directory this user may not list or enter would read as "not a store" below.
    if (::access(QFile::encodeName(path).constData(), R_OK | X_OK) != 0)
        throw FrostlineError::runtime(QStringLiteral("cannot look at store %1: %2")
                                          .arg(path, FrostlineError::errnoText(errno)));
    if (!looksLikeStore(path)) {
        // One of the two there: a store that lost the other, not a place for init.
        const QDir dir(path);
        const bool hasWal = dir.exists(QStringLiteral("wal"));
        if (hasWal || dir.exists(QStringLiteral("cold")))
            throw FrostlineError::runtime(
                QStringLiteral("store %1 has no %2 directory (its %3 is there): the store is "
                               "incomplete; restore %2 or the whole store from a backup")
                    .arg(path, hasWal ? QStringLiteral("cold/") : QStringLiteral("wal/"),
                         hasWal ? QStringLiteral("wal/") : QStringLiteral("cold/")));
        throw FrostlineError::badInput(
            QStringLiteral("%1 is not a Frostline store (no wal/ and cold/ inside); run init first")
                .arg(path));
    }
    // A copy cut short can look whole and even open (a WAL segment copied in part reads as a
    // torn tail): never let it pass for the store it was copied from.
    if (const QString marker = unfinishedCopyMarker(path);
        !unfinishedCopyAllowed && QFile::exists(marker)) {
        const QByteArray head = markerHead(marker);
        const bool ours = head.contains(QByteArrayLiteral(" did not finish"));
        // Refused as bad input (exit 2), like a directory that is not a store: the path names
        // something that is not, or not yet, a store to open.
        if (head.startsWith(kUnfinishedInit))
            throw FrostlineError::badInput(
                QStringLiteral("%1 is an unfinished init (%2 is there): run init on it again")
                    .arg(path, marker));
        throw FrostlineError::badInput(
            ours ? QStringLiteral("%1 is an unfinished backup or restore (%2 is there): it may "
                                  "lack data; delete this copy and run the backup or restore "
                                  "again")
                       .arg(path, marker)
                 : QStringLiteral("%1 holds a file named %2, the name Frostline keeps for an "
                                  "unfinished backup or restore, but not one it wrote: if this "
                                  "is your store, move that file away and open it again")
                       .arg(path, QFileInfo(marker).fileName()));
    }
    // A backup is restored, never opened in place: an open runs recovery, which writes into it
    // (a black-box check's `verify BACKUP` rewrote a log file and made region files there). Only
    // a backup never opened: one that was (before session 14 that was how a backup came back)
    // holds the lock file every open leaves, and may be someone's store by now.
    if (!unfinishedCopyAllowed &&
        QFileInfo::exists(QDir(path).filePath(QStringLiteral("backup.json"))) &&
        !QFileInfo::exists(QDir(path).filePath(StoreLock::fileName())))
        throw FrostlineError::badInput(
            QStringLiteral("%1 is a backup (backup.json is there), not a store: an open would "
                           "change it; restore it into a new directory first (frostline-cli "
                           "restore, or File > Restore store from backup), which also checks it")
                .arg(path));
}

Store::OpenReport Store::open(const OperationControl& control)
{
    if (m_open)
        return {};
    QElapsedTimer timer;
    timer.start();
    checkOpenable(m_path, m_options.openUnfinishedCopy);
    // The passphrase is checked against encryption.json before the lock, the WAL or Berkeley DB
    // is touched: a wrong one leaves every file as it was.
    if (isEncrypted() && !m_cipher) {
        if (m_options.cipher) {
            if (!m_options.cipher->opensKeyCheckOf(m_path))
                throw FrostlineError::wrongPassphrase(
                    QStringLiteral("the keys given do not open encrypted store %1").arg(m_path));
            m_cipher = std::exchange(m_options.cipher, {});
        } else {
            if (m_options.passphrase.isEmpty())
                throw FrostlineError::badInput(
                    QStringLiteral("store %1 is encrypted: its passphrase is needed to open it")
                        .arg(m_path));
            m_cipher = StoreCipher::unlock(m_path, m_options.passphrase);
            m_options.passphrase.clear();
        }
    }
    m_lock.acquire(m_path);
    OpenReport report;
    const QString cancelled = QStringLiteral("opening store %1").arg(m_path);
    try {
        // Only init lays down a new cold tier: an existing store whose cold/ holds no database
        // was emptied or moved, and a new one would silently stand in for what it held.
        if (!m_creating && !ColdTier::hasDatabases(coldDir(m_path)))
            throw FrostlineError::runtime(
                QStringLiteral("store %1: its cold tier (%2) holds no databases: it was emptied "
                               "or moved; nothing was changed: put it back, or restore the store "
                               "from a backup")
                    .arg(m_path, coldDir(m_path)));
        control.report(QStringLiteral("recovering the cold tier"), 0, 0);
        m_cold = std::make_unique<ColdTier>(coldDir(m_path), m_cipher);
        try {
            m_cold->open();
        } catch (const FrostlineError& e) {
            // Berkeley DB reads an encrypted log's first bytes as a wrong magic number. Without
            // encryption.json the store looks plain, and the operator would read only "run
            // database recovery": say what is more likely.
            if (m_cipher || !e.message().contains(QLatin1String("magic number")))
                throw;
            throw FrostlineError(
                e.kind(),
                e.message() + QStringLiteral("; the cold tier's log cannot be read as plain: if "
                                             "this store was made with --encrypt, its %1 is "
                                             "missing; put it back (a backup has it) and open "
                                             "it again")
                                  .arg(StoreCipher::keyFilePath(m_path)),
                e.cause());
        }
        control.check(cancelled);
        const quint64 flushed = m_cold->flushedLsn();
        m_flushedLsn = flushed;
        report.flushedLsn = flushed;
        m_coldMinId = m_coldMaxId = 0;
        m_cold->versionIdRange(&m_coldMinId, &m_coldMaxId);
        quint64 maxId = m_coldMaxId;

        // 1. The hot checkpoint: every hot version whose WAL record is at or below L.
        const QString loading = QStringLiteral("loading the hot checkpoint");
        control.report(loading, 0, 0);
        std::vector<std::pair<Version, quint64>> loaded;
        m_cold->loadCheckpoint([&](Version&& v, quint64 lsn) {
            maxId = std::max(maxId, v.versionId);
            loaded.emplace_back(std::move(v), lsn);
            if (loaded.size() % 32768 == 0) {
                control.check(cancelled);
                control.report(loading, loaded.size(), 0); // its size is known only at the end
            }
        });
        control.check(cancelled);
        report.checkpointVersions = loaded.size();
        m_hot.clear();
        m_hot.reserve(loaded.size());
        m_hot.insertMany(std::move(loaded));

        // 2. The WAL after L. A gap between L and the first record still in the log means a
        // segment that recovery needs is gone: an error, never a skip.
        Wal::Options walOptions{m_options.walSegmentBytes, m_options.syncWal, m_cipher};
        ColdTier* cold = m_cold.get();
        walOptions.recordNewestSegment = [cold](quint64 firstLsn) {
            cold->recordNewestWalSegment(firstLsn);
        };
        m_wal = std::make_unique<Wal>(walDir(m_path), walOptions);
        const Wal::OpenReport walReport = m_wal->open(flushed + 1, m_cold->newestWalSegment());
        report.tornBytesCut = walReport.tornBytesCut;
        report.tornSegment = walReport.tornSegment;
        report.walLastLsn = m_wal->lastLsn();
        if (m_wal->lastLsn() < flushed)
            throw FrostlineError::runtime(
                QStringLiteral(
                    "store %1: the WAL ends at LSN %2 but the cold tier's flushed LSN is "
                    "%3: WAL records are missing")
                    .arg(m_path)
                    .arg(m_wal->lastLsn())
                    .arg(flushed));
        if (m_wal->lastLsn() > flushed && m_wal->firstLsn() > flushed + 1)
            throw FrostlineError::runtime(
                QStringLiteral("store %1: WAL records %2..%3 are missing: the segment(s) that "
                               "held them, before %4 in %5, were deleted or moved; put them back "
                               "or restore a backup")
                    .arg(m_path)
                    .arg(flushed + 1)
                    .arg(m_wal->firstLsn() - 1)
                    .arg(m_wal->segments().front().fileName, m_wal->directory()));
        m_wal->recordUncoveredSegment(flushed);

        m_uncheckpointed.clear();
        m_uncheckpointedStart = 0;
        const quint64 toReplay = m_wal->lastLsn() > flushed ? m_wal->lastLsn() - flushed : 0;
        const QString replaying = QStringLiteral("replaying the WAL");
        control.report(replaying, 0, toReplay);
        m_hot.reserve(std::size_t(report.checkpointVersions + toReplay));
        m_uncheckpointed.reserve(std::size_t(toReplay));

        // Records are decoded in parallel, a chunk at a time; insertion stays in LSN order.
        constexpr std::size_t kChunk = 32768;
        std::vector<StringPool> pools(parallelSliceCount());
        std::vector<WalRecord> records;
        records.reserve(kChunk);
        auto replayChunk = [&] {
            std::vector<HotTier::Entry> decoded(records.size());
            std::vector<QString> errors(records.size());
            // One slice (and one string pool) per thread.
            runParallelSlices(pools.size(), [&](std::size_t slice) {
                const std::size_t begin = records.size() * slice / pools.size();
                const std::size_t end = records.size() * (slice + 1) / pools.size();
                for (std::size_t i = begin; i < end; ++i) {
                    if (!VersionCodec::decode(records[i].payload, &decoded[i].version, &errors[i],
                                              &pools[slice]))
                        return;
                    decoded[i].lsn = records[i].lsn;
                    decoded[i].size = decoded[i].version.estimatedSize();
                }
            });
            std::vector<HotTier::Entry> fresh;
            fresh.reserve(decoded.size());
            for (std::size_t i = 0; i < decoded.size(); ++i) {
                if (!errors[i].isEmpty())
                    throw FrostlineError::runtime(
                        QStringLiteral("WAL segment %1, offset %2 (LSN %3): %4")
                            .arg(records[i].segmentFile)
                            .arg(records[i].offset)
                            .arg(records[i].lsn)
                            .arg(errors[i]));
                Version& v = decoded[i].version;
                // Idempotent replay: a version already in the cold tier is not put back in hot.
                if (coldMayContain(v.versionId) && m_cold->contains(v.versionId)) {
                    ++report.skippedAlreadyCold;
                    continue;
                }
                maxId = std::max(maxId, v.versionId);
                m_uncheckpointed.push_back(v.versionId);
                fresh.push_back(std::move(decoded[i]));
            }
            const std::size_t n = fresh.size();
            report.skippedAlreadyHot += n - m_hot.insertMany(std::move(fresh));
            records.clear();
        };
        m_wal->scan(
            flushed + 1,
            [&](const WalRecord& record) {
                ++report.replayedRecords;
                records.push_back(record);
                if (records.size() == kChunk) {
                    control.check(cancelled);
                    replayChunk();
                    control.report(replaying, report.replayedRecords, toReplay);
                }
                return true;
            },
            flushed);
        control.check(cancelled);
        replayChunk();
        control.report(replaying, report.replayedRecords, toReplay);
        m_maxVersionId = maxId;
        m_appliedLsn = m_wal->lastLsn();
    } catch (...) {
        m_wal.reset();
        m_cold.reset();
        m_hot.clear();
        m_lock.release();
        throw;
    }
    m_open = true;
    report.elapsedMs = timer.elapsed();
    return report;
}

QString Store::OpenReport::tornTailNote() const
{
    if (tornBytesCut <= 0)
        return {};
    // How many records the cut bytes held cannot be known (they do not parse); where the log
    // now ends can, and is what the operator compares with what was acknowledged.
    return QStringLiteral("recovery cut %1 bytes from the end of WAL segment %2: what followed "
                          "its last whole record was incomplete or failed its checksum (a write "
                          "interrupted by a crash; if none happened, the segment was damaged); "
                          "the log now ends at LSN %3")
        .arg(tornBytesCut)
        .arg(tornSegment)
        .arg(walLastLsn);
}

void Store::close()
{
    if (!m_open)
        return;
    std::lock_guard guard(m_writeMutex);
    m_open = false;
    if (m_wal)
        m_wal->close();
    if (m_cold)
        m_cold->close();
    m_wal.reset();
    m_cold.reset();
    m_hot.clear();
    m_uncheckpointed.clear();
    m_uncheckpointedStart = 0;
    m_lock.release();
}

bool Store::isEncrypted() const
{
    return m_cipher != nullptr || StoreCipher::isEncrypted(m_path);
}

bool Store::coldMayContain(quint64 versionId) const
{
    return m_coldMaxId != 0 && versionId >= m_coldMinId && versionId <= m_coldMaxId;
}

quint64 Store::maxVersionId() const
{
    return m_maxVersionId.load();
}

quint64 Store::flushedLsn() const
{
    return m_flushedLsn.load();
}

void Store::validateAppend(const std::vector<Version>& versions,
                           const std::function<QString(std::size_t)>& whereIs) const
{
    QHash<quint64, std::size_t> seen; // id -> index of its first occurrence
    seen.reserve(qsizetype(versions.size()));
    for (std::size_t i = 0; i < versions.size(); ++i) {
        const Version& v = versions[i];
        // Built only for a refusal: formatting it for every version would tax a large import.
        auto where = [&] { return whereIs ? whereIs(i) + QStringLiteral(": ") : QString(); };
        auto who = [&] { return where() + QStringLiteral("version %1").arg(v.versionId); };
        if (const auto first = seen.constFind(v.versionId); first != seen.constEnd())
            throw FrostlineError::badInput(
                who() + QStringLiteral(" appears twice in the input") +
                (whereIs ? QStringLiteral(" (first at %1)").arg(whereIs(*first)) : QString()));
        seen.insert(v.versionId, i);
        if (m_hot.contains(v.versionId))
            throw FrostlineError::badInput(who() + QStringLiteral(" already exists (hot tier)"));
        if (coldMayContain(v.versionId) && m_cold->contains(v.versionId))
            throw FrostlineError::badInput(who() + QStringLiteral(" already exists (cold tier)"));
        if (v.validTo <= v.validFrom)
            throw FrostlineError::badInput(who() +
                                           QStringLiteral(": valid_to must be after valid_from"));
        if (v.txTo <= v.txFrom)
            throw FrostlineError::badInput(who() + QStringLiteral(": tx_to must be after tx_from"));
        if (!v.isEdge() && (v.source != 0 || v.target != 0))
            throw FrostlineError::badInput(who() +
                                           QStringLiteral(": only edges have source/target"));
        if (v.versionId == 0)
            throw FrostlineError::badInput(where() + QStringLiteral("version_id 0 is reserved"));
        // Checked up front: the encoder would refuse it part-way through the WAL appends.
        if (const QString problem = InputLimits::problemWith(v); !problem.isEmpty())
            throw FrostlineError::badInput(who() + QStringLiteral(": ") + problem);
    }
}

quint64 Store::append(std::vector<Version> versions,
                      const std::function<QString(std::size_t)>& whereIs,
                      const AppendProgress& progress, const std::atomic<bool>* cancelBeforeWriting)
{
    requireOpen();
    std::lock_guard guard(m_writeMutex);
    validateAppend(versions, whereIs);
    if (versions.empty())
        return m_wal->lastLsn();
    OperationControl{{}, cancelBeforeWriting}.check(QStringLiteral("append"));
    // Appended in chunks so a huge import never holds all encodings at once. Not cancellable
    // between chunks: a stop part-way would leave the first chunks durable (acknowledged) and
    // the rest not, which only a failure (the message below says how far it got) may do.
    bool reporting = bool(progress);
    quint64 lastLsn = m_wal->lastLsn();
    for (std::size_t start = 0; start < versions.size(); start += kAppendChunk) {
        const std::size_t end = std::min(versions.size(), start + kAppendChunk);
        std::vector<QByteArray> payloads;
        payloads.reserve(end - start);
        for (std::size_t i = start; i < end; ++i)
            payloads.push_back(VersionCodec::encode(versions[i]));
        quint64 first = 0;
        try {
            // Each chunk: a new segment would be made in the other directory. (Thrown for the
            // first chunk, it goes out as it is, like the append's own failure.)
            requireInPlace();
            first = m_wal->append(payloads);
        } catch (const FrostlineError& e) {
            if (start == 0)
                throw;
            // The earlier chunks are acknowledged and durable; say so, or a retry of the whole
            // input would be refused for ids that already exist.
            throw FrostlineError(
                e.kind(),
                e.message() +
                    QStringLiteral("; the first %1 of the %2 versions (through %3) were appended "
                                   "before the failure and are durable: append only the rest")
                        .arg(start)
                        .arg(versions.size())
                        .arg(whereIs
                                 ? whereIs(start - 1)
                                 : QStringLiteral("version %1").arg(versions[start - 1].versionId)),
                e.cause());
        }
        std::vector<std::pair<Version, quint64>> entries;
        entries.reserve(end - start);
        quint64 maxId = m_maxVersionId.load();
        for (std::size_t i = start; i < end; ++i) {
            maxId = std::max(maxId, versions[i].versionId);
            m_uncheckpointed.push_back(versions[i].versionId);
            entries.emplace_back(std::move(versions[i]), first + (i - start));
        }
        m_maxVersionId = maxId;
        m_hot.insertMany(std::move(entries));
        lastLsn = first + (end - start) - 1;
        m_appliedLsn = lastLsn;
        if (reporting) {
            // This chunk is durable and applied. A failing report must not end the append
            // part-way (that would be a cancel): it is dropped and reporting stops.
            try {
                progress(end, versions.size());
            } catch (...) {
                reporting = false;
                qWarning("Store::append: the progress callback threw; no further progress is "
                         "reported, the append goes on");
            }
        }
    }
    return lastLsn;
}

int Store::truncateWal(QString* problem)
{
    // A segment that cannot be deleted now (a read-only WAL directory, a failed read of the
    // flushed LSN) fails neither the batch nor the checkpoint, both committed: keeping a covered
    // segment is always safe, and a later truncation deletes it. Failing them instead told the
    // operator nothing was done, and stopped every later run at its first batch.
    try {
        // WAL truncation invariant: delete only closed segments whose last LSN is at or below
        // the flushed LSN as read back from Berkeley DB after the commit, never a count or a
        // guess.
        const quint64 durable = m_cold->flushedLsn();
        m_flushedLsn = durable;
        if (m_truncationHook)
            m_truncationHook(durable);
        if (m_truncationHolds.load() > 0)
            return 0;     // a backup copies the segments: they go at the next truncation after it
        requireInPlace(); // the segments at the path would be another store's
        return m_wal->deleteSegmentsUpTo(durable, problem);
    } catch (const std::exception& e) {
        *problem = QStringLiteral("the WAL was not truncated after the commit: %1; its covered "
                                  "segments stay, which is safe, until the next truncation")
                       .arg(QString::fromUtf8(e.what()));
        return 0;
    }
}

void Store::setTruncationHook(std::function<void(quint64)> hook)
{
    std::lock_guard guard(m_writeMutex);
    m_truncationHook = std::move(hook);
}

void Store::setHistoryHook(std::function<void()> hook)
{
    m_historyHook = std::move(hook);
}

CheckpointResult Store::checkpoint()
{
    return checkpoint(true);
}

CheckpointResult Store::checkpoint(bool rotateActiveSegment, const OperationControl& control)
{
    requireOpen();
    std::lock_guard guard(m_writeMutex);
    requireInPlace();
    CheckpointResult result;
    std::size_t done = m_uncheckpointedStart;
    const std::size_t first = done;
    const QString step = QStringLiteral("versions written to the hot checkpoint");
    control.report(step, 0, m_uncheckpointed.size() - first);
    while (done < m_uncheckpointed.size()) {
        // Between chunks the store is as after a failed chunk: the flushed LSN covers what is
        // committed, and the next checkpoint starts at m_uncheckpointedStart.
        if (control.cancelled()) {
            result.cancelled = true;
            result.flushedLsn = m_flushedLsn.load();
            return result;
        }
        const std::size_t end = std::min(m_uncheckpointed.size(), done + m_options.checkpointChunk);
        // In place, not copied: the writer mutex keeps every insert and remove out meanwhile.
        std::vector<const HotTier::Entry*> entries = m_hot.entriesInPlace(
            std::vector<quint64>(m_uncheckpointed.begin() + std::ptrdiff_t(done),
                                 m_uncheckpointed.begin() + std::ptrdiff_t(end)));
        entries.erase(std::remove(entries.begin(), entries.end(), nullptr), entries.end());
        ColdCommit commit;
        for (const HotTier::Entry* e : entries)
            commit.checkpointPuts.push_back({&e->version, e->lsn});
        // Every record up to this chunk's last LSN is then durable in Berkeley DB: the earlier
        // ones were checkpointed before or migrated (they are cold).
        commit.flushedLsn =
            end == m_uncheckpointed.size()
                ? m_appliedLsn
                : std::max(m_flushedLsn.load(), entries.empty() ? 0 : entries.back()->lsn);
        m_cold->commit(commit);
        m_flushedLsn = commit.flushedLsn;
        m_uncheckpointedStart = end;
        result.checkpointedVersions += entries.size();
        done = end;
        control.report(step, done - first, m_uncheckpointed.size() - first);
    }
    m_uncheckpointed.clear();
    m_uncheckpointedStart = 0;
    if (m_appliedLsn > m_flushedLsn.load()) {
        ColdCommit commit;
        commit.flushedLsn = m_appliedLsn;
        m_cold->commit(commit);
        m_flushedLsn = commit.flushedLsn;
    }
    // An explicit checkpoint closes the active segment when it holds records, so the log can
    // shrink at once.
    if (rotateActiveSegment) {
        const auto segments = m_wal->segments();
        if (!segments.empty() && segments.back().records > 0) {
            try {
                m_wal->rotate();
            } catch (const FrostlineError& e) {
                // What is committed stays committed: say so, or the operator reads "nothing done".
                // The closed segments it covers still go (a full disk is when they matter most).
                QString walProblem;
                const int deleted = truncateWal(&walProblem);
                throw FrostlineError(
                    e.kind(),
                    QStringLiteral("the hot checkpoint is written (%1 versions), the flushed "
                                   "LSN is %2 and %3 covered WAL segment(s) are deleted, but "
                                   "closing the active WAL segment failed: %4%5")
                        .arg(result.checkpointedVersions)
                        .arg(m_flushedLsn.load())
                        .arg(deleted)
                        .arg(e.message(),
                             walProblem.isEmpty() ? QString() : QStringLiteral("; ") + walProblem),
                    e.cause());
            }
        }
    }
    result.segmentsDeleted = truncateWal(&result.walProblem);
    result.flushedLsn = m_flushedLsn.load();
    try {
        m_cold->checkpointEnvironment();
    } catch (const FrostlineError& e) {
        // Berkeley DB's own checkpoint only shortens its next recovery: what came before it is
        // committed, and the operator must not read "checkpoint failed" as "nothing was done".
        throw FrostlineError(
            e.kind(),
            QStringLiteral("the hot checkpoint is written (%1 versions), the flushed LSN is %2 "
                           "and %3 covered WAL segment(s) are deleted, but Berkeley DB's own "
                           "checkpoint after it failed (nothing is lost; the next checkpoint "
                           "tries it again): %4")
                .arg(result.checkpointedVersions)
                .arg(result.flushedLsn)
                .arg(result.segmentsDeleted)
                .arg(e.message()),
            e.cause());
    }
    return result;
}

BatchCommitResult Store::migrateBatch(const std::vector<quint64>& versionIds)
{
    requireOpen();
    std::lock_guard guard(m_writeMutex);
    requireInPlace();
    BatchCommitResult result;
    QElapsedTimer phase;
    phase.start();
    const quint64 flushedBefore = m_flushedLsn.load();

    // The batch is read in place, not copied: only this writer (m_writeMutex) inserts into or
    // removes from the hot tier, so the entries stay put until m_hot.remove below.
    const std::vector<const HotTier::Entry*> found = m_hot.entriesInPlace(versionIds);
    std::vector<const HotTier::Entry*> batch;
    batch.reserve(versionIds.size());
    QSet<quint64> inBatch;
    inBatch.reserve(qsizetype(versionIds.size()));
    for (std::size_t i = 0; i < versionIds.size(); ++i) {
        const quint64 id = versionIds[i];
        if (!found[i])
            throw FrostlineError::runtime(
                QStringLiteral("version %1 is not in the hot tier; nothing was migrated").arg(id));
        if (inBatch.contains(id))
            continue;
        inBatch.insert(id);
        batch.push_back(found[i]);
    }

    ColdCommit commit;
    commit.migrated.reserve(batch.size());
    result.hotReadSecs = double(phase.nsecsElapsed()) / 1e9;
    for (const HotTier::Entry* e : batch) {
        commit.migrated.push_back(&e->version);
        // In the hot checkpoint already: it leaves it in the same transaction.
        if (e->lsn <= flushedBefore)
            commit.checkpointRemovals.push_back(e->version.versionId);
    }
    // The flushed LSN advances over the prefix of the log whose versions are all durable in
    // Berkeley DB now: up to just before the oldest appended version that stays hot and is not
    // in the hot checkpoint. So a batch never needs to write hot versions, and no record that
    // still holds the only durable copy of a hot version (a head, say) can fall at or below L.
    std::size_t firstStaying = m_uncheckpointedStart;
    while (firstStaying < m_uncheckpointed.size() &&
           (inBatch.contains(m_uncheckpointed[firstStaying]) ||
            !m_hot.contains(m_uncheckpointed[firstStaying])))
        ++firstStaying;
    quint64 newFlushed = m_appliedLsn;
    if (firstStaying < m_uncheckpointed.size())
        newFlushed = m_hot.entriesInPlace({m_uncheckpointed[firstStaying]}).front()->lsn - 1;
    commit.flushedLsn = std::max(flushedBefore, newFlushed);

    m_moveEpoch.fetch_add(1); // odd: see statistics()
    auto moved = qScopeGuard([this] { m_moveEpoch.fetch_add(1); });
    result.cold = m_cold->commit(commit); // throws: nothing changed anywhere
    m_flushedLsn = commit.flushedLsn;
    result.committedAtMicros = currentMicros();
    phase.restart();

    // Only now, after the commit returned, does hot memory change.
    m_uncheckpointedStart = firstStaying;
    if (m_uncheckpointedStart > 4096 && m_uncheckpointedStart * 2 > m_uncheckpointed.size()) {
        m_uncheckpointed.erase(m_uncheckpointed.begin(),
                               m_uncheckpointed.begin() + std::ptrdiff_t(m_uncheckpointedStart));
        m_uncheckpointedStart = 0;
    }
    std::vector<quint64> ids;
    ids.reserve(batch.size());
    for (const HotTier::Entry* e : batch) {
        const quint64 id = e->version.versionId;
        ids.push_back(id);
        result.bytes += e->size;
        (e->version.kind == EntityKind::Node ? result.nodeVersions : result.edgeVersions) += 1;
        m_access.forget(id);
        m_coldMinId = m_coldMaxId == 0 ? id : std::min(m_coldMinId, id);
        m_coldMaxId = std::max(m_coldMaxId, id);
    }
    batch.clear(); // the entries are gone after this line
    m_hot.remove(ids);
    moved.dismiss();
    m_moveEpoch.fetch_add(1); // even: each version is in one tier again
    result.versions = ids.size();
    result.segmentsDeleted = truncateWal(&result.walProblem);
    result.flushedLsn = m_flushedLsn.load();
    result.hotUpdateSecs = double(phase.nsecsElapsed()) / 1e9;
    return result;
}

quint64 Store::uncheckpointedCount() const
{
    std::lock_guard guard(m_writeMutex);
    return m_uncheckpointed.size() - m_uncheckpointedStart;
}

std::optional<TieredVersion> Store::find(quint64 versionId)
{
    std::optional<TieredVersion> found = locate(versionId);
    if (found)
        recordRead(*found);
    return found;
}

std::optional<TieredVersion> Store::locate(quint64 versionId) const
{
    requireOpen();
    // Hot first: a batch commits to the cold tier before its versions leave the hot tier, so a
    // version a batch moves meanwhile is found in one of the two.
    if (auto v = m_hot.get(versionId))
        return TieredVersion{std::move(*v), Tier::Hot};
    if (auto v = m_cold->get(versionId))
        return TieredVersion{std::move(*v), Tier::Cold};
    return std::nullopt;
}

std::vector<TieredVersion> Store::history(const EntityKey& entity)
{
    std::vector<TieredVersion> out = readHistory(entity);
    for (const TieredVersion& v : out)
        recordRead(v);
    return out;
}

void Store::recordRead(const TieredVersion& read)
{
    // Reads through the store feed the LRU order (design section 4); cold versions have no
    // place in it. A version a batch moves meanwhile may be recorded after the batch forgot it:
    // a stale entry that the tracker's bound evicts in time and no selection sees (not hot).
    if (read.tier == Tier::Hot)
        m_access.recordAccess(read.version.versionId, currentMicros());
}

std::vector<TieredVersion> Store::readHistory(const EntityKey& entity) const
{
    requireOpen();
    // Hot first, then cold, without the writer mutex (a reader never waits for a batch): a batch
    // commits its versions to the cold tier before they leave the hot tier, so each version is
    // in at least one of the two reads. Read the other way round, a batch committing in between
    // would hide its versions from both. A version in both reads moved during the call: its
    // committed cold copy is kept.
    std::vector<Version> hot = m_hot.chain(entity);
    if (m_historyHook)
        m_historyHook();
    std::vector<TieredVersion> out;
    for (auto& v : m_cold->history(entity))
        out.push_back({std::move(v), Tier::Cold});
    std::vector<quint64> coldIds;
    coldIds.reserve(out.size());
    for (const TieredVersion& v : out)
        coldIds.push_back(v.version.versionId);
    std::sort(coldIds.begin(), coldIds.end());
    for (auto& v : hot)
        if (!std::binary_search(coldIds.begin(), coldIds.end(), v.versionId))
            out.push_back({std::move(v), Tier::Hot});
    std::sort(out.begin(), out.end(), [](const TieredVersion& a, const TieredVersion& b) {
        return headOrderLess(a.version.txFrom, a.version.versionId, b.version.txFrom,
                             b.version.versionId);
    });
    return out;
}

std::optional<TieredVersion> Store::asOf(const EntityKey& entity, std::optional<qint64> txTime,
                                         std::optional<qint64> validTime)
{
    // Of the versions known at txTime and valid at validTime, the latest recorded one wins.
    // Only that answer counts as read, not the history searched for it.
    const auto all = readHistory(entity);
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
        const Version& v = it->version;
        if (txTime && !(v.txFrom <= *txTime && *txTime < v.txTo))
            continue;
        if (validTime && !(v.validFrom <= *validTime && *validTime < v.validTo))
            continue;
        recordRead(*it);
        return *it;
    }
    return std::nullopt;
}

QString Store::policyPath() const
{
    return QDir(m_path).filePath(QStringLiteral("policy.json"));
}

std::optional<MigrationPolicy> Store::activePolicy() const
{
    if (!QFileInfo::exists(policyPath()))
        return std::nullopt;
    return MigrationPolicy::load(policyPath());
}

QString Store::policyProblem() const
{
    try {
        if (!activePolicy())
            return QStringLiteral("%1 is missing: the store has no active policy (write one "
                                  "there; policy show --preset NAME prints a preset)")
                .arg(policyPath());
    } catch (const FrostlineError& e) {
        return e.message();
    }
    return {};
}

void Store::setActivePolicy(const MigrationPolicy& policy)
{
    requireInPlace();
    policy.save(policyPath());
}

StoreStatistics Store::statistics() const
{
    requireOpen();
    // Read without the writer mutex, so a refresh does not wait for a batch, unless a migration
    // batch moved versions meanwhile: between its commit and its hot removal they are in both
    // tiers, and hot + cold would count them twice. Then the figures are read again with the
    // mutex held, when no batch is half-way.
    const quint64 epoch = m_moveEpoch.load();
    const StoreStatistics s = readStatistics();
    if ((epoch & 1) == 0 && m_moveEpoch.load() == epoch)
        return s;
    std::lock_guard guard(m_writeMutex);
    return readStatistics();
}

StoreStatistics Store::readStatistics() const
{
    StoreStatistics s;
    s.hotVersions = m_hot.versionCount();
    s.hotNodeVersions = m_hot.nodeVersionCount();
    s.hotEdgeVersions = m_hot.edgeVersionCount();
    s.hotBytes = m_hot.totalBytes();
    s.hotEntities = m_hot.entityCount();
    const ColdStatistics cold = m_cold->statistics();
    s.coldNodeVersions = cold.nodeVersions;
    s.coldEdgeVersions = cold.edgeVersions;
    s.coldBytes = cold.coldBytes;
    s.checkpointVersions = cold.checkpointVersions;
    s.flushedLsn = cold.flushedLsn;
    s.uncheckpointedVersions = s.hotVersions - std::min(s.hotVersions, s.checkpointVersions);
    s.lastLsn = m_wal->lastLsn();
    s.firstWalLsn = m_wal->firstLsn();
    for (const auto& seg : m_wal->segments()) {
        ++s.walSegments;
        s.walBytes += seg.sizeBytes;
    }
    s.encrypted = m_cipher != nullptr;
    if (m_cipher)
        s.cipher = m_cipher->cipherName();
    return s;
}

std::vector<WalSegmentStatus> Store::walStatus() const
{
    requireOpen();
    const quint64 flushed = m_cold->flushedLsn();
    std::vector<WalSegmentStatus> out;
    for (const auto& seg : m_wal->segments()) {
        WalSegmentStatus st;
        st.segment = seg;
        if (seg.active) {
            st.reason = QStringLiteral("active segment (still being appended to)");
        } else if (seg.lastLsn > flushed) {
            st.reason = QStringLiteral("holds LSNs up to %1, above the flushed LSN %2: needed for "
                                       "recovery")
                            .arg(seg.lastLsn)
                            .arg(flushed);
        } else {
            st.deletable = true;
            // Truncation runs only after a commit; say why a deletable segment is still here.
            st.reason = QStringLiteral("closed and every LSN (<= %1) is at or below the flushed "
                                       "LSN %2; the next migration or checkpoint deletes it")
                            .arg(seg.lastLsn)
                            .arg(flushed);
        }
        out.push_back(st);
    }
    return out;
}

QStringList Store::verify(const OperationControl& control)
{
    requireOpen();
    std::lock_guard guard(m_writeMutex);
    const QString what = QStringLiteral("verify");
    control.check(what);
    control.report(QStringLiteral("WAL checksums and LSN continuity"), 0, 0);
    QStringList problems = m_wal->verify();
    // The active policy is part of the store: migrate and the service refuse to run without a
    // sound one, so a damaged or lost policy.json is a problem to report here, not at 3 a.m.
    if (const QString policy = policyProblem(); !policy.isEmpty())
        problems << policy;
    problems += m_cold->verify(control);
    control.check(what);
    control.report(QStringLiteral("hot tier and hot checkpoint"), 0, 0);

    // Hot entries by id, read in place (the writer mutex keeps them put), so the checks below
    // never hold the hot tier's lock while they take the cold tier's, or the other way round.
    QHash<quint64, const HotTier::Entry*> hotEntries;
    hotEntries.reserve(qsizetype(m_hot.versionCount()));
    m_hot.forEach([&](const HotTier::Entry& e) {
        hotEntries.insert(e.version.versionId, &e);
        return true;
    });

    // Every hot version in exactly one tier.
    quint64 bothTiers = 0;
    for (auto it = hotEntries.cbegin(); it != hotEntries.cend(); ++it)
        if (m_cold->contains(it.key()) && ++bothTiers <= 20)
            problems
                << QStringLiteral("version %1 is in both the hot and the cold tier").arg(it.key());

    // The hot checkpoint holds exactly the hot versions at or below the flushed LSN.
    const quint64 flushed = m_cold->flushedLsn();
    QSet<quint64> checkpointed;
    m_cold->loadCheckpoint([&](Version&& v, quint64 lsn) {
        checkpointed.insert(v.versionId);
        const HotTier::Entry* hot = hotEntries.value(v.versionId, nullptr);
        if (!hot)
            problems << QStringLiteral("hot checkpoint holds version %1 which is not hot")
                            .arg(v.versionId);
        else if (!(hot->version == v) || hot->lsn != lsn)
            problems << QStringLiteral(
                            "hot checkpoint copy of version %1 differs from the hot tier")
                            .arg(v.versionId);
    });
    for (const HotTier::Entry* e : std::as_const(hotEntries)) {
        if (e->lsn <= flushed && !checkpointed.contains(e->version.versionId))
            problems << QStringLiteral("hot version %1 (LSN %2 <= flushed LSN %3) is missing from "
                                       "the hot checkpoint")
                            .arg(e->version.versionId)
                            .arg(e->lsn)
                            .arg(flushed);
        if (problems.size() >= 200)
            break;
    }

    // Every WAL record's version is present in exactly one tier, unchanged. Records after the
    // applied LSN belong to an append that failed (its sync, say): never acknowledged, in no
    // tier until a reopen replays them. One line says so instead of one per version.
    if (m_wal->lastLsn() > m_appliedLsn)
        problems << QStringLiteral("WAL records %1..%2 were written by an append that failed and "
                                   "was not acknowledged; they are in neither tier until the "
                                   "store is reopened, which replays them")
                        .arg(m_appliedLsn + 1)
                        .arg(m_wal->lastLsn());
    if (m_wal->lastLsn() >= m_wal->firstLsn()) {
        const QString step = QStringLiteral("WAL records against the tiers");
        const quint64 firstLsn = m_wal->firstLsn();
        const quint64 records = m_appliedLsn >= firstLsn ? m_appliedLsn - firstLsn + 1 : 0;
        control.check(what);
        control.report(step, 0, records);
        try {
            m_wal->scan(firstLsn, [&](const WalRecord& r) {
                if (r.lsn > m_appliedLsn)
                    return false;
                if ((r.lsn - firstLsn + 1) % 10000 == 0) {
                    control.check(what);
                    control.report(step, r.lsn - firstLsn + 1, records);
                }
                Version v;
                QString error;
                if (!VersionCodec::decode(r.payload, &v, &error)) {
                    problems << QStringLiteral("WAL segment %1, offset %2: %3")
                                    .arg(r.segmentFile)
                                    .arg(r.offset)
                                    .arg(error);
                    return problems.size() < 200;
                }
                const auto hot = m_hot.get(v.versionId);
                std::optional<Version> cold;
                try {
                    if (coldMayContain(v.versionId))
                        cold = m_cold->get(v.versionId);
                } catch (const FrostlineError&) {
                    // ColdTier::verify above read every cold record and named each one that
                    // cannot be read; this is one of them. The scan goes on to the others.
                    return problems.size() < 200;
                }
                if (!hot && !cold)
                    problems << QStringLiteral("version %1 (LSN %2) is in neither tier")
                                    .arg(v.versionId)
                                    .arg(r.lsn);
                else if ((hot && !(*hot == v)) || (cold && !(*cold == v)))
                    problems << QStringLiteral("version %1 differs from its WAL record (LSN %2)")
                                    .arg(v.versionId)
                                    .arg(r.lsn);
                return problems.size() < 200;
            });
        } catch (const FrostlineError& e) {
            if (e.cause() == FrostlineError::Cause::Cancelled)
                throw;
            // The WAL check above names a damaged record once; the scan stops at the same one.
            if (!problems.contains(e.message()))
                problems << e.message();
        }
    }
    return problems;
}

} // namespace frostline
