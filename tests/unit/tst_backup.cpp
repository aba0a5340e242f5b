// Hot backup and restore (StoreBackup, frostline-cli backup/restore): a backup taken while a
// MigrationService commits batches and another thread appends must restore into a sound store
// holding the source's content at one instant between the start and the end of the backup.
#include "crashversions.h"
#include "frostlineerror.h"
#include "migrationservice.h"
#include "store.h"
#include "storebackup.h"
#include "storecipher.h"
#include "testsupport.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <numeric>
#include <thread>

using namespace frostline;

namespace {

QSet<quint64> coldIds(Store& store)
{
    QSet<quint64> ids;
    for (EntityKind kind : {EntityKind::Node, EntityKind::Edge})
        store.cold().scan(kind, [&](Version&& v) {
            ids.insert(v.versionId);
            return true;
        });
    return ids;
}

void appendRange(Store& store, quint64 first, quint64 end)
{
    std::vector<Version> versions;
    for (quint64 id = first; id < end; ++id)
        versions.push_back(test::crashVersion(id));
    store.append(std::move(versions));
}

// The steps a backup or restore reports (each once, in order), where each got to, and a cancel
// raised the first time a chosen step is reported.
struct StepLog
{
    struct Reached
    {
        quint64 done = 0, total = 0;
        OperationControl::Unit unit = OperationControl::Unit::Items;
        bool monotonic = true;
        int reports = 0;
    };
    QStringList steps;
    QMap<QString, Reached> reached;
    QString cancelAt;
    quint64 cancelFrom = 0; // cancel once cancelAt has reported at least this much done
    std::atomic<bool> cancel{false};

    OperationControl control()
    {
        OperationControl c;
        c.cancel = &cancel;
        c.progress = [this](const QString& step, quint64 done, quint64 total,
                            OperationControl::Unit unit) {
            if (!steps.contains(step))
                steps << step;
            Reached& r = reached[step];
            r.monotonic = r.monotonic && done >= r.done && done <= total;
            r.done = done;
            r.total = total;
            r.unit = unit;
            ++r.reports;
            if (step == cancelAt && done >= cancelFrom)
                cancel = true;
        };
        return c;
    }
};

// An open store of VERSIONS versions (a multiple of 2,000), appended in slices of 2,000 into WAL
// segments of 1 MiB.
struct AppendedStore
{
    QTemporaryDir temporary;
    const QString dir = temporary.path();
    const QString path = temporary.filePath(QStringLiteral("s"));
    std::unique_ptr<Store> store;

    explicit AppendedStore(quint64 versions)
    {
        Store::create(path);
        Store::Options options;
        options.walSegmentBytes = 1 << 20;
        store = std::make_unique<Store>(path, options);
        store->open();
        for (quint64 id = 1; id <= versions; id += 2000)
            appendRange(*store, id, id + 2000);
    }
};

// An open store in 16 KiB WAL segments (a segment rolls between appends), at temporary's "s".
struct SmallSegmentStore
{
    QTemporaryDir temporary;
    std::unique_ptr<Store> store;

    SmallSegmentStore()
    {
        const QString path = temporary.filePath(QStringLiteral("s"));
        Store::create(path);
        Store::Options options;
        options.walSegmentBytes = 16 * 1024;
        store = std::make_unique<Store>(path, options);
        store->open();
    }
};

// Runs COPY (a backup or restore into DEST) once for each of STEPS, cancelled when that step is
// first reported: it must throw Cause::Cancelled with MESSAGE, report no step after that one,
// leave nothing at GONE (DEST, or the first directory made for it), and stop inside PARTWAY
// (a copy step) before its end.
void cancelInEachStep(const QStringList& steps, const QString& partway, const QString& gone,
                      const QString& message,
                      const std::function<void(const OperationControl&)>& copy)
{
    for (const QString& step : steps) {
        StepLog log;
        log.cancelAt = step;
        try {
            copy(log.control());
            QFAIL(qPrintable(QStringLiteral("a copy cancelled in '%1' ran to the end").arg(step)));
        } catch (const FrostlineError& e) {
            QCOMPARE(e.cause(), FrostlineError::Cause::Cancelled);
            QCOMPARE(e.message(), message);
        }
        QVERIFY2(!QFileInfo::exists(gone), qPrintable(step));
        QCOMPARE(log.steps.last(), step);
        if (step == partway) {
            const StepLog::Reached reached = log.reached.value(step);
            QVERIFY2(reached.done < reached.total, qPrintable(QString::number(reached.done)));
        }
    }
}

// Runs COPY (a backup or restore into DEST) cancelled at STEP's first report past its start,
// 8 MiB in: it must stop there, within the MiB that crossed 8 MiB, reporting nothing more
// though more than another 8 MiB were left, and leave nothing at DEST.
void cancelPastTheStart(const QString& step, const QString& dest,
                        const std::function<void(const OperationControl&)>& copy)
{
    StepLog log;
    log.cancelAt = step;
    log.cancelFrom = 1;
    QVERIFY_THROWS_EXCEPTION(FrostlineError, copy(log.control()));
    const StepLog::Reached reached = log.reached.value(step);
    QVERIFY2(reached.total > (17 << 20), qPrintable(QString::number(reached.total)));
    QCOMPARE(reached.reports, 2); // 0, then the one the cancel came at
    QVERIFY2(reached.done >= (8 << 20) && reached.done < (9 << 20),
             qPrintable(QString::number(reached.done)));
    QCOMPARE(log.steps.last(), step);
    QVERIFY(!QFileInfo::exists(dest));
}

} // namespace

class TestBackup : public QObject
{
    Q_OBJECT
private slots:
    void backupWhileMigratingAndAppending()
    {
        SmallSegmentStore small; // batches delete segments while the copy runs
        QTemporaryDir& dir = small.temporary;
        Store& store = *small.store;
        constexpr quint64 kInitial = 8000;
        appendRange(store, 1, kInitial + 1);

        MigrationService service(store);
        MigrationPolicy policy;
        policy.ageThresholdMicros = 1'000'000;
        policy.batchSize = 5;
        service.setPolicy(policy);
        service.setClock([] { return qint64(1'800'000'000'000'000); });
        std::atomic<int> batches{0};
        connect(
            &service, &MigrationService::batchCommitted, &service,
            [&](const BatchCommitResult&) { ++batches; }, Qt::DirectConnection);
        QVERIFY(service.runOnce());
        QVERIFY(test::waitUntil([&] { return batches.load() >= 3; }));

        // Appends race the copy too (the active WAL segment grows and rotates meanwhile).
        std::atomic<bool> stop{false};
        std::atomic<quint64> acknowledged{kInitial};
        std::thread appender([&] {
            for (quint64 id = kInitial + 1; !stop.load(); id += 10) {
                appendRange(store, id, id + 10);
                acknowledged = id + 9;
            }
        });
        QTest::qWait(50);

        const quint64 ackedAtStart = acknowledged.load();
        const QSet<quint64> coldAtStart = coldIds(store);
        const int batchesAtStart = batches.load();
        const QString backupPath = dir.filePath(QStringLiteral("backup"));
        const StoreBackup::Report report = StoreBackup::backup(store, backupPath);
        const int batchesDuring = batches.load() - batchesAtStart;
        const QSet<quint64> coldAtEnd = coldIds(store);
        stop = true;
        appender.join();
        const quint64 ackedAtEnd = acknowledged.load();
        service.cancel();
        service.waitForIdle();
        QVERIFY2(batchesDuring > 0, "no migration batch committed during the backup");
        qInfo("backup: %lld bytes in %lld ms while %d batches committed; copy flushed LSN %llu, "
              "last LSN %llu, %d WAL segments",
              static_cast<long long>(report.bytes), static_cast<long long>(report.elapsedMs),
              batchesDuring, static_cast<unsigned long long>(report.flushedLsn),
              static_cast<unsigned long long>(report.lastLsn), report.walSegments);
        QVERIFY(store.verify().isEmpty());
        store.close();

        const QString restored = dir.filePath(QStringLiteral("restored"));
        StoreBackup::restore(backupPath, restored);
        Store copy(restored);
        copy.open();
        const QStringList problems = copy.verify();
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join('\n')));

        // Appends: a whole prefix, at least what was acknowledged when the backup began.
        const quint64 maxId = copy.maxVersionId();
        QVERIFY2(maxId >= ackedAtStart, qPrintable(QString::number(maxId)));
        QVERIFY(maxId <= ackedAtEnd + 10);
        for (quint64 id = 1; id <= maxId; ++id) {
            const auto v = copy.find(id);
            QVERIFY2(v, qPrintable(QStringLiteral("version %1 missing from the restore").arg(id)));
            QVERIFY2(v->version == test::crashVersion(id),
                     qPrintable(QStringLiteral("version %1 changed").arg(id)));
        }
        const StoreStatistics s = copy.statistics();
        QCOMPARE(s.hotVersions + s.coldNodeVersions + s.coldEdgeVersions, maxId); // exactly once

        // Migration: the cold set of one instant between start and end (cold only grows).
        const QSet<quint64> coldCopy = coldIds(copy);
        QVERIFY(coldCopy.contains(coldAtStart));
        QVERIFY(coldAtEnd.contains(coldCopy));
        copy.close();

        // The restored store is a working store: it appends, checkpoints and reopens.
        {
            Store again(restored);
            again.open();
            appendRange(again, maxId + 1, maxId + 50);
            again.checkpoint();
        }
        Store reopened(restored);
        reopened.open();
        QVERIFY(reopened.verify().isEmpty());
        QCOMPARE(reopened.maxVersionId(), maxId + 49);
    }

    // A backup is the store at one instant, whatever writers do while it runs: two versions
    // appended together are both in it or neither, also when one of them is migrated at once
    // (before the cold tier's copy, it was in the copy without its sibling); and a checkpoint
    // after the cold tier's copy deletes no WAL segment that the copy still needs.
    void aBackupIsTheStoreAtOneInstant()
    {
        SmallSegmentStore small;
        QTemporaryDir& dir = small.temporary;
        Store& store = *small.store;
        for (quint64 id = 1; id < 2001; id += 20) // a segment rolls between appends
            appendRange(store, id, id + 20);      // nothing checkpointed: all needed
        QVERIFY(store.wal().segments().size() > 4);

        StepLog log;
        OperationControl control = log.control();
        int deletedDuringTheBackup = -1;
        control.progress = [&, logged = control.progress](const QString& step, quint64 done,
                                                          quint64 total,
                                                          OperationControl::Unit unit) {
            const bool first = !log.steps.contains(step);
            logged(step, done, total, unit);
            if (!first)
                return;
            if (step == QLatin1String("copying the cold tier (Berkeley DB hot backup)")) {
                appendRange(store, 2001, 2003);
                store.migrateBatch({2001});
            } else if (step == QLatin1String("recovering the copy")) {
                appendRange(store, 2003, 2005);
                store.migrateBatch({2003});
                deletedDuringTheBackup = store.checkpoint().segmentsDeleted;
            }
        };
        const QString backup = dir.filePath(QStringLiteral("b"));
        const StoreBackup::Report report = StoreBackup::backup(store, backup, control);
        QCOMPARE(deletedDuringTheBackup, 0);
        QCOMPARE(report.lastLsn, quint64(2004));
        // The truncation held back catches up at the next one.
        QVERIFY(store.checkpoint().segmentsDeleted > 0);
        QVERIFY(store.verify().isEmpty());
        store.close();

        const QString restored = dir.filePath(QStringLiteral("r"));
        StoreBackup::restore(backup, restored);
        Store copy(restored);
        copy.open();
        QVERIFY(copy.verify().isEmpty());
        QCOMPARE(copy.maxVersionId(), quint64(2004));
        for (quint64 id = 1; id <= 2004; ++id)
            QVERIFY2(copy.find(id) && copy.find(id)->version == test::crashVersion(id),
                     qPrintable(QStringLiteral("version %1").arg(id)));
        const QSet<quint64> cold = coldIds(copy);
        QCOMPARE(cold, QSet<quint64>{2001}); // 2003 moved after the cold tier's copy: hot again
        const StoreStatistics s = copy.statistics();
        QCOMPARE(s.hotVersions + s.coldNodeVersions + s.coldEdgeVersions, quint64(2004));
    }

    // Records after the flushed LSN live only in the WAL: the backup must carry those segments.
    void backupCarriesTheWalAfterTheFlushedLsn()
    {
        SmallSegmentStore small;
        QTemporaryDir& dir = small.temporary;
        Store& store = *small.store;
        appendRange(store, 1, 1001);
        store.checkpoint();
        for (quint64 id = 1001; id < 3001; id += 20)
            appendRange(store, id, id + 20); // not checkpointed: WAL only (segments rotate)
        const StoreBackup::Report report =
            StoreBackup::backup(store, dir.filePath(QStringLiteral("b")));
        QCOMPARE(report.lastLsn, quint64(3000));
        QVERIFY(report.flushedLsn < 3000);
        QVERIFY(report.walSegments > 1);
        const QString restored = dir.filePath(QStringLiteral("r"));
        StoreBackup::restore(dir.filePath(QStringLiteral("b")), restored);
        Store copy(restored);
        const Store::OpenReport open = copy.open();
        QVERIFY(open.replayedRecords >= 2000);
        QVERIFY(copy.verify().isEmpty());
        QCOMPARE(copy.maxVersionId(), quint64(3000));
        for (quint64 id = 1; id <= 3000; ++id)
            QVERIFY(copy.find(id) && copy.find(id)->version == test::crashVersion(id));
    }

    void aFlushedStoresBackupHoldsNoSegmentAndRestores()
    {
        // When the flushed LSN covers every record the backup copies no segment, but the copied
        // cold tier may still name the store's newest segment as holding uncovered records (a
        // checkpoint that committed while the backup ran, before its truncation cleared the
        // record). The copy must not then miss that segment: a recorded segment gone at open is
        // refused as deleted by hand. The record is set here as such a backup would find it.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        Store store(path);
        store.open();
        appendRange(store, 1, 501);
        store.checkpoint(false);
        QCOMPARE(store.flushedLsn(), store.wal().lastLsn());
        QCOMPARE(store.cold().newestWalSegment(), quint64(0));
        store.cold().recordNewestWalSegment(store.wal().segments().back().firstLsn);
        const QString backup = dir.filePath(QStringLiteral("b"));
        const StoreBackup::Report report = StoreBackup::backup(store, backup);
        QCOMPARE(report.walSegments, 0);
        QVERIFY(QDir(QDir(backup).filePath(QStringLiteral("wal"))).isEmpty());
        const QString restored = dir.filePath(QStringLiteral("r"));
        StoreBackup::restore(backup, restored);
        Store copy(restored);
        copy.open();
        QVERIFY(copy.verify().isEmpty());
        QCOMPARE(copy.maxVersionId(), quint64(500));
        // The copy's log carries on after the flushed LSN, and its new segment is recorded.
        appendRange(copy, 501, 502);
        QCOMPARE(copy.wal().lastLsn(), quint64(501));
        QCOMPARE(copy.cold().newestWalSegment(), copy.wal().segments().back().firstLsn);
    }

    void refusesNonEmptyDestinations()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        Store store(path);
        store.open();
        appendRange(store, 1, 20);
        const QString busy = dir.filePath(QStringLiteral("busy"));
        QVERIFY(QDir().mkpath(busy));
        test::writeFile(QDir(busy).filePath(QStringLiteral("keep.txt")), "precious");
        try {
            StoreBackup::backup(store, busy);
            QFAIL("backup into a non-empty directory was accepted");
        } catch (const FrostlineError& e) {
            QCOMPARE(e.kind(), FrostlineError::Kind::BadInput);
            QVERIFY2(e.message().contains(QLatin1String("is not empty")), qPrintable(e.message()));
        }
        // A regular file in the way is named for what it is, and kept.
        const QString file = QDir(busy).filePath(QStringLiteral("keep.txt"));
        try {
            StoreBackup::backup(store, file);
            QFAIL("backup onto a regular file was accepted");
        } catch (const FrostlineError& e) {
            QCOMPARE(e.kind(), FrostlineError::Kind::BadInput);
            QVERIFY2(e.message().contains(QLatin1String("is not a directory")),
                     qPrintable(e.message()));
        }
        const QString backupPath = dir.filePath(QStringLiteral("b"));
        StoreBackup::backup(store, backupPath);
        try {
            StoreBackup::restore(backupPath, busy);
            QFAIL("restore into a non-empty directory was accepted");
        } catch (const FrostlineError& e) {
            QVERIFY2(e.message().contains(QLatin1String("restore destination")) &&
                         e.message().contains(QLatin1String("is not empty")),
                     qPrintable(e.message()));
        }
        QCOMPARE(test::readFile(QDir(busy).filePath(QStringLiteral("keep.txt"))),
                 QByteArray("precious"));
        try {
            StoreBackup::restore(busy, dir.filePath(QStringLiteral("new")));
            QFAIL("a directory that is no backup was restored");
        } catch (const FrostlineError& e) {
            QVERIFY2(e.message().contains(QLatin1String("is not a Frostline backup")),
                     qPrintable(e.message()));
        }
        // A path that is not there is said so.
        const QString nowhere = dir.filePath(QStringLiteral("nowhere"));
        try {
            StoreBackup::restore(nowhere, dir.filePath(QStringLiteral("new")));
            QFAIL("a missing backup was restored");
        } catch (const FrostlineError& e) {
            QCOMPARE(e.message(), QStringLiteral("backup %1 does not exist").arg(nowhere));
        }
        // A backup is never opened in place (recovery would write into it): it is restored.
        const QByteArray manifest =
            test::readFile(QDir(backupPath).filePath(QStringLiteral("backup.json")));
        const auto before = QDir(backupPath + QStringLiteral("/cold")).entryList(QDir::Files);
        Store inPlace(backupPath);
        try {
            inPlace.open();
            QFAIL("a backup opened as a store");
        } catch (const FrostlineError& e) {
            QCOMPARE(e.kind(), FrostlineError::Kind::BadInput);
            QVERIFY2(e.message().contains(QLatin1String("is a backup (backup.json is there), not "
                                                        "a store")),
                     qPrintable(e.message()));
        }
        QCOMPARE(QDir(backupPath + QStringLiteral("/cold")).entryList(QDir::Files), before);
        QCOMPARE(test::readFile(QDir(backupPath).filePath(QStringLiteral("backup.json"))),
                 manifest);
        QVERIFY(!QFileInfo::exists(QDir(backupPath).filePath(QStringLiteral("store.lock"))));
        // One opened in place before (how a backup came back before session 14) may be someone's
        // store by now: it still opens.
        test::writeFile(QDir(backupPath).filePath(QStringLiteral("store.lock")), "");
        Store promoted(backupPath);
        promoted.open();
        QVERIFY(promoted.isOpen());
    }

    // A copy into its own source would copy itself again at every level, until the disk is
    // full: refused before anything is written, also when a symbolic link hides it.
    void refusesDestinationsInsideTheSource()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        Store store(path);
        store.open();
        appendRange(store, 1, 20);
        const QString backupPath = dir.filePath(QStringLiteral("b"));
        StoreBackup::backup(store, backupPath);
        const QString link = dir.filePath(QStringLiteral("link-to-b"));
        QVERIFY(QFile::link(backupPath, link));
        const QString storeLink = dir.filePath(QStringLiteral("link-to-s"));
        QVERIFY(QFile::link(path, storeLink));
        const auto entriesOf = [](const QString& d) {
            return QDir(d).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden);
        };
        const QStringList backupBefore = entriesOf(backupPath);
        const QStringList storeBefore = entriesOf(path);

        for (const QString& dest : {QDir(backupPath).filePath(QStringLiteral("r")),
                                    QDir(backupPath).filePath(QStringLiteral("a/b/c")),
                                    QDir(link).filePath(QStringLiteral("r")), backupPath}) {
            try {
                StoreBackup::restore(backupPath, dest);
                QFAIL(qPrintable(QStringLiteral("restore into %1 was accepted").arg(dest)));
            } catch (const FrostlineError& e) {
                QCOMPARE(e.kind(), FrostlineError::Kind::BadInput);
                QVERIFY2(e.message().contains(QLatin1String("lies inside the backup")),
                         qPrintable(e.message()));
            }
        }
        for (const QString& dest : {QDir(storeLink).filePath(QStringLiteral("wal/copy")),
                                    QDir(path).filePath(QStringLiteral("b2"))}) {
            try {
                StoreBackup::backup(store, dest);
                QFAIL(qPrintable(QStringLiteral("backup into %1 was accepted").arg(dest)));
            } catch (const FrostlineError& e) {
                QCOMPARE(e.kind(), FrostlineError::Kind::BadInput);
                QVERIFY2(e.message().contains(QLatin1String("lies inside the store")),
                         qPrintable(e.message()));
            }
        }
        QCOMPARE(entriesOf(backupPath), backupBefore);
        QCOMPARE(entriesOf(path), storeBefore);
        // A sibling whose name merely starts like the backup's is fine.
        StoreBackup::restore(backupPath, dir.filePath(QStringLiteral("b-restored")));
        QVERIFY(Store::looksLikeStore(dir.filePath(QStringLiteral("b-restored"))));
    }

    // A backup whose WAL was cut or altered after it was made would restore as if its tail were
    // torn, short of the versions it lost: the manifest the backup wrote refuses it, and the
    // refused restore leaves nothing behind.
    void aDamagedBackupIsRefusedAndLeavesNoCopy()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        Store store(path);
        store.open();
        appendRange(store, 1, 1001);
        store.checkpoint();
        appendRange(store, 1001, 1501); // WAL only
        const QString backup = dir.filePath(QStringLiteral("b"));
        const StoreBackup::Report report = StoreBackup::backup(store, backup);
        QCOMPARE(report.lastLsn, quint64(1500));
        QVERIFY(QFileInfo::exists(QDir(backup).filePath(QStringLiteral("backup.json"))));
        QVERIFY(!QFileInfo::exists(Store::unfinishedCopyMarker(backup)));
        const QString segment = QDir(backup).filePath(QStringLiteral("wal/")) +
                                QDir(QDir(backup).filePath(QStringLiteral("wal")))
                                    .entryList({QStringLiteral("*.wal")}, QDir::Files, QDir::Name)
                                    .constLast();
        const QByteArray whole = test::readFile(segment);
        auto refused = [&](const QString& expected) {
            const QString dest = dir.filePath(QStringLiteral("r"));
            try {
                StoreBackup::restore(backup, dest);
                return QStringLiteral("restored");
            } catch (const FrostlineError& e) {
                if (QFileInfo::exists(dest))
                    return QStringLiteral("left %1 behind").arg(dest);
                return e.message().contains(expected) ? QString() : e.message();
            }
        };

        // Cut at the end (a record boundary or not): the size the backup wrote names it.
        QVERIFY(QFile::resize(segment, whole.size() - 10));
        QString problem = refused(QStringLiteral("is damaged: its WAL segment %1 is %2 bytes, the "
                                                 "backup wrote %3")
                                      .arg(QFileInfo(segment).fileName())
                                      .arg(whole.size() - 10)
                                      .arg(whole.size()));
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        // The last record altered, same size: cut as a torn tail at open, caught by the LSN.
        QByteArray altered = whole;
        altered[altered.size() - 5] = char(altered[altered.size() - 5] ^ 0x5a);
        QFile::remove(segment);
        test::writeFile(segment, altered);
        problem = refused(QStringLiteral("is damaged: its WAL ends at LSN 1499, but the backup "
                                         "recorded LSN 1500"));
        QVERIFY2(problem.isEmpty(), qPrintable(problem));

        // Whole again: it restores, every version there.
        QFile::remove(segment);
        test::writeFile(segment, whole);
        const QString dest = dir.filePath(QStringLiteral("r"));
        StoreBackup::restore(backup, dest);
        QVERIFY(!QFileInfo::exists(Store::unfinishedCopyMarker(dest)));
        QVERIFY(!QFileInfo::exists(QDir(dest).filePath(QStringLiteral("backup.json"))));
        Store copy(dest);
        copy.open();
        QVERIFY(copy.verify().isEmpty());
        QCOMPARE(copy.maxVersionId(), quint64(1500));
    }

    // A backup whose cold database is damaged inside a record opens (Berkeley DB's own checks
    // pass) but fails verify: refused as damaged, exit 2 in the CLI, and no copy is left. (A
    // black-box check restored such a backup with exit 0; the copy then exported nothing.)
    void aBackupWithADamagedColdRecordIsRefused()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        const QString backup = dir.filePath(QStringLiteral("b"));
        {
            Store store(path);
            store.open();
            appendRange(store, 1, 1001);
            std::vector<quint64> firstHalf(500);
            std::iota(firstHalf.begin(), firstHalf.end(), 1);
            store.migrateBatch(firstHalf);
            StoreBackup::backup(store, backup);
        }
        const QString nodes = QDir(backup).filePath(QStringLiteral("cold/nodes.db"));
        const QByteArray original = test::readFile(nodes);
        const QString dest = dir.filePath(QStringLiteral("r"));
        // nodes.db with the byte at OFFSET flipped: the restore's refusal (bad input, no copy
        // left), or what went wrong instead.
        auto refusalWithByteFlipped = [&](qsizetype offset) -> QString {
            QByteArray bytes = original;
            bytes[offset] = char(bytes[offset] ^ 0x5a);
            QFile::remove(nodes);
            test::writeFile(nodes, bytes);
            try {
                StoreBackup::restore(backup, dest);
                return QStringLiteral("restored");
            } catch (const FrostlineError& e) {
                if (e.kind() != FrostlineError::Kind::BadInput || QFileInfo::exists(dest))
                    return QStringLiteral("not bad input, or a copy left: ") + e.message();
                return e.message();
            }
        };

        const qsizetype at = original.indexOf(QStringLiteral("vérsion-250").toUtf8());
        QVERIFY(at > 0);
        QString refusal = refusalWithByteFlipped(at + 4);
        QVERIFY2(refusal.startsWith(QStringLiteral("backup %1 is damaged: its copy in %2 fails "
                                                   "verify (the copy is removed): ")
                                        .arg(backup, dest)) &&
                     refusal.contains(QLatin1String("nodes.db")) &&
                     refusal.contains(QLatin1String("250")),
                 qPrintable(refusal));

        // Its header damaged instead (the meta page's magic number), the copy does not even
        // open: damaged all the same (exit 2), not a runtime failure; only a full disk is told
        // apart (the backup may be fine then).
        refusal = refusalWithByteFlipped(12);
        QVERIFY2(refusal.startsWith(QStringLiteral("backup %1 is damaged: its copy in %2 does "
                                                   "not open (the copy is removed): ")
                                        .arg(backup, dest)),
                 qPrintable(refusal));
    }

    // A backup without policy.json (its store had lost it) holds whole data: restored, with a
    // note that the store has no active policy yet, not refused as damaged.
    void aBackupWithoutItsPolicyRestoresWithANote()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        const QString backup = dir.filePath(QStringLiteral("b"));
        Store::create(path);
        {
            Store store(path);
            store.open();
            appendRange(store, 1, 101);
            StoreBackup::backup(store, backup);
        }
        QVERIFY(QFile::remove(QDir(backup).filePath(QStringLiteral("policy.json"))));
        const QString dest = dir.filePath(QStringLiteral("r"));
        const StoreBackup::Report report = StoreBackup::restore(backup, dest);
        QVERIFY2(report.policyNote.contains(QLatin1String("no sound active policy")) &&
                     report.policyNote.contains(QLatin1String("policy.json is missing")),
                 qPrintable(report.policyNote));
        Store copy(dest);
        copy.open();
        QCOMPARE(copy.maxVersionId(), quint64(100));
        QCOMPARE(copy.verify(), QStringList{copy.policyProblem()});
    }

    // A copy cut short (a kill -9 during a backup or restore) keeps its marker: it never opens
    // as a store, and a backup with it is never restored.
    void anUnfinishedCopyIsRefused()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        {
            Store store(path);
            store.open();
            appendRange(store, 1, 101);
            StoreBackup::backup(store, dir.filePath(QStringLiteral("b")));
        }
        const QString backup = dir.filePath(QStringLiteral("b"));
        // What a backup killed part-way leaves (the marker's own text).
        test::writeFile(Store::unfinishedCopyMarker(backup),
                        "This backup did not finish: the directory may lack data. Delete it and "
                        "run the backup again.\n");
        try {
            Store(backup).open();
            QFAIL("an unfinished copy opened");
        } catch (const FrostlineError& e) {
            QCOMPARE(e.kind(), FrostlineError::Kind::BadInput); // exit 2, as for restore
            QVERIFY2(e.message().contains(QLatin1String("is an unfinished backup or restore")) &&
                         e.message().contains(QLatin1String("delete this copy")),
                     qPrintable(e.message()));
        }
        try {
            StoreBackup::restore(backup, dir.filePath(QStringLiteral("r")));
            QFAIL("an unfinished backup was restored");
        } catch (const FrostlineError& e) {
            QCOMPARE(e.kind(), FrostlineError::Kind::BadInput);
            QVERIFY2(e.message().contains(QLatin1String("is an unfinished backup")),
                     qPrintable(e.message()));
        }
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("r"))));
        // Killed before it made wal/ and cold/: still an unfinished backup, not "no backup".
        const QString early = dir.filePath(QStringLiteral("early"));
        QVERIFY(QDir().mkpath(early));
        QVERIFY(
            QFile::copy(Store::unfinishedCopyMarker(backup), Store::unfinishedCopyMarker(early)));
        try {
            StoreBackup::restore(early, dir.filePath(QStringLiteral("r")));
            QFAIL("an unfinished backup was restored");
        } catch (const FrostlineError& e) {
            QVERIFY2(e.message().contains(QLatin1String("is an unfinished backup")),
                     qPrintable(e.message()));
        }

        // A file of that name that Frostline did not write (an operator's, in a live store):
        // refused too, but never with advice to delete the store.
        test::writeFile(Store::unfinishedCopyMarker(path), "my notes\n");
        try {
            Store(path).open();
            QFAIL("a store with a foreign INCOMPLETE file opened");
        } catch (const FrostlineError& e) {
            QCOMPARE(e.kind(), FrostlineError::Kind::BadInput);
            QVERIFY2(e.message().contains(QLatin1String("but not one it wrote: if this is your "
                                                        "store, move that file away")) &&
                         !e.message().contains(QLatin1String("delete")),
                     qPrintable(e.message()));
        }
    }

    // A backup made before backup.json existed restores unchecked; a torn tail its proof-open
    // cuts is said, not passed over in silence.
    void anOldBackupsCutTailIsReported()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        {
            Store store(path);
            store.open();
            appendRange(store, 1, 201);
            StoreBackup::backup(store, dir.filePath(QStringLiteral("b")));
        }
        const QString backup = dir.filePath(QStringLiteral("b"));
        QVERIFY(QFile::remove(QDir(backup).filePath(QStringLiteral("backup.json"))));
        const QString segment =
            QDir(backup).filePath(QStringLiteral("wal/00000000000000000001.wal"));
        QVERIFY(QFile::resize(segment, QFileInfo(segment).size() - 7));
        const StoreBackup::Report report =
            StoreBackup::restore(backup, dir.filePath(QStringLiteral("r")));
        QVERIFY2(report.tornTailNote.startsWith(QStringLiteral("recovery cut ")) &&
                     report.tornTailNote.contains(QStringLiteral("00000000000000000001.wal")) &&
                     report.tornTailNote.contains(QStringLiteral("; the log now ends at LSN ")),
                 qPrintable(report.tornTailNote));
        QCOMPARE(report.lastLsn, quint64(199));
    }

    // A store that a process has open is no backup: a copy of its files is not one instant of it.
    void aStoreInUseIsNoBackup()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        auto store = std::make_unique<Store>(path);
        store->open();
        appendRange(*store, 1, 101);
        const QString dest = dir.filePath(QStringLiteral("r"));
        try {
            StoreBackup::restore(path, dest);
            QFAIL("a store in use was restored as a backup");
        } catch (const FrostlineError& e) {
            QCOMPARE(e.kind(), FrostlineError::Kind::BadInput);
            QVERIFY2(e.message().contains(QLatin1String("is a store that a process has open")),
                     qPrintable(e.message()));
        }
        QVERIFY(!QFileInfo::exists(dest));
        store.reset(); // closed, it is a fine source
        StoreBackup::restore(path, dest);
        Store copy(dest);
        copy.open();
        QCOMPARE(copy.maxVersionId(), quint64(100));
    }

    // An encrypted store's backup that lost encryption.json cannot be opened: said plainly,
    // not as Berkeley DB's panic over pages it cannot read.
    void anEncryptedBackupWithoutItsKeyFileIsRefused()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        const QByteArray passphrase("correct horse");
        Store::create(path, passphrase);
        {
            Store::Options options;
            options.passphrase = passphrase;
            Store store(path, options);
            store.open();
            appendRange(store, 1, 51);
            StoreBackup::backup(store, dir.filePath(QStringLiteral("b")));
        }
        const QString backup = dir.filePath(QStringLiteral("b"));
        QVERIFY(QFile::remove(StoreCipher::keyFilePath(backup)));
        try {
            StoreBackup::restore(backup, dir.filePath(QStringLiteral("r")), passphrase);
            QFAIL("an encrypted backup without its key file was restored");
        } catch (const FrostlineError& e) {
            QVERIFY2(e.message().contains(QLatin1String("was made from an encrypted store, but "
                                                        "its encryption.json is missing")),
                     qPrintable(e.message()));
        }
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("r"))));
        // The CLI says the same with the passphrase given (it is no plain backup).
        const QString passFile = dir.filePath(QStringLiteral("pass.txt"));
        test::writeFile(passFile, passphrase + '\n');
        const auto r =
            test::runCli({QStringLiteral("restore"), backup, dir.filePath(QStringLiteral("r")),
                          QStringLiteral("--passphrase-file"), passFile});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("was made from an encrypted store, but its encryption.json is "
                                "missing"),
                 r.err.constData());
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("r"))));
    }

    // A backup and a restore report their steps (the copies in bytes, ending at their totals;
    // a restore's proof then reports the open's and the verify's steps).
    void backupAndRestoreReportTheirSteps()
    {
        AppendedStore s(20000); // nothing checkpointed: the WAL is all needed
        Store& store = *s.store;
        const QDir dir(s.dir);
        quint64 walBytes = 0;
        for (const WalSegmentInfo& s : store.wal().segments())
            walBytes += quint64(s.sizeBytes);
        QVERIFY(walBytes > 2 << 20);

        const QString backup = dir.filePath(QStringLiteral("b"));
        StepLog backupLog;
        const StoreBackup::Report report = StoreBackup::backup(store, backup, backupLog.control());
        QCOMPARE(backupLog.steps,
                 (QStringList{QStringLiteral("copying the cold tier (Berkeley DB hot backup)"),
                              QStringLiteral("recovering the copy"),
                              QStringLiteral("noting the WAL position (writers paused)"),
                              QStringLiteral("copying the WAL")}));
        const StepLog::Reached wal = backupLog.reached.value(QStringLiteral("copying the WAL"));
        QCOMPARE(wal.unit, OperationControl::Unit::Bytes);
        QVERIFY(wal.monotonic);
        QCOMPARE(wal.total, walBytes);
        QCOMPARE(wal.done, walBytes);
        QVERIFY(quint64(report.bytes) > walBytes); // and the environment's files

        const QString restored = dir.filePath(QStringLiteral("r"));
        StepLog restoreLog;
        StoreBackup::restore(backup, restored, restoreLog.control());
        QCOMPARE(restoreLog.steps.first(), QStringLiteral("copying the backup"));
        const StepLog::Reached copy =
            restoreLog.reached.value(QStringLiteral("copying the backup"));
        QCOMPARE(copy.unit, OperationControl::Unit::Bytes);
        QVERIFY(copy.monotonic);
        quint64 backupBytes = 0;
        QDirIterator files(backup, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (files.hasNext())
            // Not the manifest, nor the region files of the environment the backup opened.
            if (const QFileInfo f = files.nextFileInfo();
                f.fileName() != "backup.json" && !f.fileName().startsWith("__db."))
                backupBytes += quint64(f.size());
        QCOMPARE(copy.total, backupBytes);
        QCOMPARE(copy.done, backupBytes);
        for (const QString& step :
             {QStringLiteral("recovering the cold tier"), QStringLiteral("replaying the WAL"),
              QStringLiteral("WAL checksums and LSN continuity")})
            QVERIFY2(restoreLog.steps.contains(step),
                     qPrintable(restoreLog.steps.join(QLatin1String(", "))));
        QCOMPARE(restoreLog.reached.value(QStringLiteral("replaying the WAL")).done,
                 quint64(20000));
        QCOMPARE(restoreLog.steps.last(), QStringLiteral("WAL records against the tiers"));
    }

    // Cancelled in any step, a backup throws Cause::Cancelled and removes its copy (a DEST it
    // made goes; an empty DEST that was there stays, empty); a restore likewise, its proof's
    // open and verify included. The store and the backup are unchanged, and the next attempt
    // succeeds.
    void aCancelledBackupOrRestoreRemovesItsCopy()
    {
        AppendedStore s(20000);
        Store& store = *s.store;
        const QString& path = s.path;
        const QDir dir(s.dir);
        store.checkpoint(false); // the cold tier has a hot checkpoint to copy and load
        appendRange(store, 20001, 30001);
        const quint64 lastLsn = store.wal().lastLsn();

        const QString backup = dir.filePath(QStringLiteral("b"));
        const QString made = dir.filePath(QStringLiteral("new/parent/b"));
        // Stopped inside the WAL copy: after its first MiB, not at its end.
        cancelInEachStep({QStringLiteral("copying the cold tier (Berkeley DB hot backup)"),
                          QStringLiteral("recovering the copy"),
                          QStringLiteral("noting the WAL position (writers paused)"),
                          QStringLiteral("copying the WAL")},
                         QStringLiteral("copying the WAL"), dir.filePath(QStringLiteral("new")),
                         QStringLiteral("backup of store %1 cancelled; the unfinished copy in %2 "
                                        "is removed")
                             .arg(path, made),
                         [&](const OperationControl& c) { StoreBackup::backup(store, made, c); });
        if (QTest::currentTestFailed())
            return;
        // An empty DEST that was there stays, as it was.
        QVERIFY(QDir().mkpath(backup));
        {
            StepLog log;
            log.cancelAt = QStringLiteral("recovering the copy");
            QVERIFY_THROWS_EXCEPTION(FrostlineError,
                                     StoreBackup::backup(store, backup, log.control()));
            QVERIFY(QFileInfo(backup).isDir());
            QVERIFY(QDir(backup).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden));
        }
        QVERIFY(store.verify().isEmpty());
        QCOMPARE(store.wal().lastLsn(), lastLsn);
        StoreBackup::backup(store, backup);
        store.close();

        const QMap<QString, QByteArray> backupBefore = test::treeDigest(backup);
        const QString restored = dir.filePath(QStringLiteral("r"));
        cancelInEachStep(
            {QStringLiteral("copying the backup"), QStringLiteral("recovering the cold tier"),
             QStringLiteral("loading the hot checkpoint"), QStringLiteral("replaying the WAL"),
             QStringLiteral("WAL records against the tiers")},
            QStringLiteral("copying the backup"), restored,
            QStringLiteral("restore of %1 cancelled; the unfinished copy in %2 is removed")
                .arg(backup, restored),
            [&](const OperationControl& c) { StoreBackup::restore(backup, restored, c); });
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(test::treeDigest(backup), backupBefore);
        StoreBackup::restore(backup, restored);
        Store copy(restored);
        copy.open();
        QVERIFY(copy.verify().isEmpty());
        QCOMPARE(copy.wal().lastLsn(), lastLsn);
        QCOMPARE(copy.hot().versionCount(), quint64(30000));
    }

    // A cancel inside a copy is noticed within a MiB: cancelled at the copy's first report past
    // its start (8 MiB in), a backup's WAL copy and a restore's copy report nothing more, though
    // each has more than another 8 MiB to go. (A copy that noticed a cancel only between steps
    // would report again at 16 MiB.)
    void aCancelStopsACopyWithinAMiB()
    {
        AppendedStore s(140000); // about 20 MB of WAL
        Store& store = *s.store;
        const QDir dir(s.dir);
        const QString backup = dir.filePath(QStringLiteral("b"));
        cancelPastTheStart(
            QStringLiteral("copying the WAL"), backup,
            [&](const OperationControl& c) { StoreBackup::backup(store, backup, c); });
        if (QTest::currentTestFailed())
            return;
        StoreBackup::backup(store, backup);
        store.close();
        const QString restored = dir.filePath(QStringLiteral("r"));
        cancelPastTheStart(
            QStringLiteral("copying the backup"), restored,
            [&](const OperationControl& c) { StoreBackup::restore(backup, restored, c); });
    }

    void cliBackupAndRestore()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        QCOMPARE(test::runCli({QStringLiteral("init"), path}).exitCode, 0);
        QCOMPARE(test::runCli({QStringLiteral("generate"), path, QStringLiteral("--entities"),
                               QStringLiteral("50"), QStringLiteral("--versions"),
                               QStringLiteral("800"), QStringLiteral("--span-days"),
                               QStringLiteral("30"), QStringLiteral("--seed"), QStringLiteral("7")})
                     .exitCode,
                 0);
        const QString policy = dir.filePath(QStringLiteral("p.json"));
        test::writeFile(policy, "{\"age_threshold_secs\":864000,\"batch_size\":40}");
        QCOMPARE(test::runCli({QStringLiteral("migrate"), path, QStringLiteral("--policy"), policy})
                     .exitCode,
                 0);
        const auto exported = test::runCli({QStringLiteral("export"), path});
        QVERIFY(exported.out.contains("\"tier\":\"cold\""));
        QVERIFY(exported.out.contains("\"tier\":\"hot\""));

        const QString backupPath = dir.filePath(QStringLiteral("b"));
        auto r = test::runCli({QStringLiteral("backup"), path, backupPath});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.out.contains("backed up to"));
        const QString restored = dir.filePath(QStringLiteral("r"));
        r = test::runCli({QStringLiteral("restore"), backupPath, restored});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(test::runCli({QStringLiteral("verify"), restored}).exitCode, 0);
        QCOMPARE(test::runCli({QStringLiteral("export"), restored}).out, exported.out);

        r = test::runCli({QStringLiteral("restore"), backupPath, restored});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("is not empty"), r.err.constData());
        QVERIFY(test::runCli({QStringLiteral("--help")}).out.contains("backup STORE DEST"));
    }
};

QTEST_GUILESS_MAIN(TestBackup)
#include "tst_backup.moc"
