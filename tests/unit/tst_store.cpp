#include "crashversions.h"
#include "frostlineerror.h"
#include "migrationpolicybuilder.h"
#include "migrationrun.h"
#include "store.h"
#include "storebackup.h"
#include "storelock.h"
#include "testsupport.h"
#include "versioncodec.h"
#include "walformat.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>

#include <sys/stat.h>

using namespace frostline;
using test::crashVersion;

namespace {

std::vector<Version> versionsRange(quint64 first, quint64 count)
{
    std::vector<Version> out;
    for (quint64 id = first; id < first + count; ++id)
        out.push_back(crashVersion(id));
    return out;
}

// A new store in a temporary directory, open.
class FreshStore
{
public:
    FreshStore() : m_path(m_dir.filePath(QStringLiteral("s")))
    {
        Store::create(m_path);
        m_store = std::make_unique<Store>(m_path);
        m_store->open();
    }
    Store& store() { return *m_store; }
    const QString& path() const { return m_path; }

private:
    QTemporaryDir m_dir;
    QString m_path;
    std::unique_ptr<Store> m_store;
};

// crashVersion(id) made a version of node `entity`: several of them form one entity's history.
Version nodeVersion(quint64 id, quint64 entity)
{
    Version v = crashVersion(id);
    v.kind = EntityKind::Node;
    v.entityId = entity;
    v.source = v.target = 0;
    return v;
}

// Appends in several calls: the WAL rotates between appends, so this yields many segments.
void appendInSlices(Store& store, quint64 first, quint64 count, quint64 slice = 20)
{
    for (quint64 id = first; id < first + count; id += slice)
        store.append(versionsRange(id, std::min(slice, first + count - id)));
}

Store::Options smallSegments()
{
    Store::Options o;
    o.walSegmentBytes = 16 * 1024;
    return o;
}

// A closed store at PATH of 400 versions in 16 KiB WAL segments, checkpointed (flushed LSN 400)
// with every segment kept, as after a crash between the commit and the truncation. Returns the
// segments.
std::vector<WalSegmentInfo> checkpointedKeepingTheWal(const QString& path)
{
    Store::create(path);
    Store store(path, smallSegments());
    store.open();
    for (quint64 id = 1; id <= 400; id += 20)
        store.append(versionsRange(id, 20));
    store.setTruncationHook([](quint64) { throw std::runtime_error("kept for the test"); });
    store.checkpoint(); // committed; the truncation's failure is only its walProblem
    if (store.flushedLsn() != 400)
        qFatal("checkpointedKeepingTheWal: flushed LSN %llu", store.flushedLsn());
    return store.wal().segments();
}

QStringList walFiles(const QString& store)
{
    return QDir(store + QStringLiteral("/wal"))
        .entryList({QStringLiteral("*.wal")}, QDir::Files, QDir::Name);
}

} // namespace

class TestStore : public QObject
{
    Q_OBJECT
private slots:
    void createOpenAppendFind()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        QVERIFY(Store::looksLikeStore(path));
        QVERIFY_THROWS_EXCEPTION(FrostlineError, Store::create(path));
        Store store(path);
        store.open();
        const quint64 last = store.append(versionsRange(1, 100));
        QCOMPARE(last, quint64(100));
        QCOMPARE(store.hot().versionCount(), quint64(100));
        auto v = store.find(42);
        QVERIFY(v);
        QVERIFY(v->version == crashVersion(42));
        QCOMPARE(v->tier, Tier::Hot);
        QVERIFY(!store.find(1000));
        QVERIFY(store.verify().isEmpty());
    }

    void duplicateIdsRejectedAndNothingAppended()
    {
        FreshStore fresh;
        Store& store = fresh.store();
        store.append(versionsRange(1, 10));
        auto batch = versionsRange(11, 5);
        batch.push_back(crashVersion(3)); // already in the store
        try {
            store.append(batch);
            QFAIL("duplicate accepted");
        } catch (const FrostlineError& e) {
            QVERIFY2(e.message().contains(QStringLiteral("version 3 already exists")),
                     qPrintable(e.message()));
        }
        QCOMPARE(store.hot().versionCount(), quint64(10));
        QCOMPARE(store.wal().lastLsn(), quint64(10));
        auto twice = versionsRange(20, 2);
        twice.push_back(crashVersion(20));
        QVERIFY_THROWS_EXCEPTION(FrostlineError, store.append(twice));
        QCOMPARE(store.wal().lastLsn(), quint64(10));
    }

    // The progress callback of Store::append: once per chunk of 4,096 versions, each time after
    // the chunk is synced to the WAL and in the hot tier, with increasing counts ending at the
    // total; none for a refused input; a callback that throws cannot stop the append.
    void appendReportsEachDurableChunk()
    {
        FreshStore fresh;
        Store& store = fresh.store();
        int syncs = 0; // the WAL's successful fdatasyncs
        store.wal().setSyncFailureHook([&] {
            ++syncs;
            return 0;
        });
        struct Report
        {
            std::size_t appended, total;
            quint64 lastLsn;
            int syncs;
            bool lastIsHot, nextIsHot;
        };
        std::vector<Report> reports;
        constexpr std::size_t kTotal = 2 * 4096 + 1000;
        const quint64 last = store.append(
            versionsRange(1, kTotal), {}, [&](std::size_t appended, std::size_t total) {
                reports.push_back({appended, total, store.wal().lastLsn(), syncs,
                                   store.hot().contains(appended),
                                   store.hot().contains(appended + 1)});
            });
        QCOMPARE(last, quint64(kTotal));
        QCOMPARE(reports.size(), std::size_t(3));
        const std::size_t expected[] = {4096, 8192, kTotal};
        for (std::size_t k = 0; k < reports.size(); ++k) {
            const Report& r = reports[k];
            QCOMPARE(r.appended, expected[k]);
            QCOMPARE(r.total, kTotal);
            QCOMPARE(r.lastLsn, quint64(r.appended)); // ids and LSNs both count from 1 here
            QVERIFY(r.syncs >= int(k + 1));           // each chunk synced before its report
            QVERIFY(r.lastIsHot);
            QVERIFY(!r.nextIsHot); // the next chunk is not appended yet
        }

        // A refused input (an id the store holds) and an empty one report nothing.
        reports.clear();
        auto count = [&](std::size_t appended, std::size_t total) {
            reports.push_back({appended, total, 0, 0, false, false});
        };
        QVERIFY_THROWS_EXCEPTION(FrostlineError,
                                 store.append(versionsRange(kTotal, 10), {}, count));
        store.append({}, {}, count);
        QVERIFY(reports.empty());

        // A callback that throws is dropped; the append goes on to the end.
        int calls = 0;
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("progress callback "
                                                                             "threw")));
        const quint64 end =
            store.append(versionsRange(kTotal + 1, 5000), {}, [&](std::size_t, std::size_t) {
                ++calls;
                throw std::runtime_error("display gone");
            });
        QCOMPARE(calls, 1);
        QCOMPARE(end, quint64(kTotal + 5000));
        QCOMPARE(store.hot().versionCount(), quint64(kTotal + 5000));
        store.wal().setSyncFailureHook({});
        QVERIFY(store.verify().isEmpty());
    }

    void reopenReplaysWalAndCheckpoint()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        {
            Store store(path, smallSegments());
            store.open();
            appendInSlices(store, 1, 300);
            const auto c = store.checkpoint();
            QCOMPARE(c.checkpointedVersions, quint64(300));
            QCOMPARE(c.flushedLsn, quint64(300));
            QVERIFY(c.segmentsDeleted > 0); // every closed segment is at or below L now
            store.append(versionsRange(301, 50));
        }
        Store store(path, smallSegments());
        const auto report = store.open();
        QCOMPARE(report.flushedLsn, quint64(300));
        QCOMPARE(report.checkpointVersions, quint64(300));
        QCOMPARE(report.replayedRecords, quint64(50));
        QCOMPARE(store.hot().versionCount(), quint64(350));
        for (quint64 id = 1; id <= 350; ++id)
            QVERIFY(store.find(id)->version == crashVersion(id));
        QVERIFY2(store.verify().isEmpty(), qPrintable(store.verify().join('\n')));
    }

    void migrateBatchMovesToColdAndKeepsHeadsSafe()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        std::vector<quint64> moved;
        {
            Store store(path, smallSegments());
            store.open();
            appendInSlices(store, 1, 400);
            for (quint64 id = 1; id <= 200; ++id)
                moved.push_back(id);
            const auto r = store.migrateBatch(moved);
            QCOMPARE(r.versions, quint64(200));
            // L advances only over the migrated prefix (LSNs 1..200): versions 201.. (heads
            // among them) live only in the WAL, so their segments must stay.
            QCOMPARE(r.flushedLsn, quint64(200));
            QVERIFY(r.segmentsDeleted > 0);
            for (const auto& seg : store.wal().segments())
                QVERIFY(seg.active || seg.lastLsn > 200);
            QCOMPARE(store.hot().versionCount(), quint64(200));
            QCOMPARE(store.find(5)->tier, Tier::Cold);
            QVERIFY(store.find(5)->version == crashVersion(5));
            QCOMPARE(store.statistics().checkpointVersions, quint64(0));
            // Migrating from the middle of the log does not move L past the hot versions
            // before it.
            QCOMPARE(store.migrateBatch({300, 301}).flushedLsn, quint64(200));
        }
        {
            // Reopen with L = 200: the rest comes back from the WAL, the migrated 300/301 are
            // recognised as cold and not put back in hot.
            Store store(path, smallSegments());
            const auto report = store.open();
            QCOMPARE(report.skippedAlreadyCold, quint64(2));
            QCOMPARE(store.hot().versionCount(), quint64(198));
            // A checkpoint then makes every hot version durable in Berkeley DB.
            const auto c = store.checkpoint();
            QCOMPARE(c.checkpointedVersions, quint64(198));
            QCOMPARE(c.flushedLsn, quint64(400));
            QCOMPARE(store.statistics().checkpointVersions, quint64(198));
        }
        // Every closed WAL segment at or below L is gone; reopen: nothing may be lost.
        Store store(path, smallSegments());
        store.open();
        QCOMPARE(store.hot().versionCount(), quint64(198));
        for (quint64 id = 1; id <= 400; ++id) {
            const auto v = store.find(id);
            QVERIFY2(v, qPrintable(QString::number(id)));
            QCOMPARE(v->tier, id <= 200 || id == 300 || id == 301 ? Tier::Cold : Tier::Hot);
            QVERIFY(v->version == crashVersion(id));
        }
        QVERIFY2(store.verify().isEmpty(), qPrintable(store.verify().join('\n')));
    }

    // A cold record that no longer decodes is reported once by verify, naming its version, and
    // a read of it names the version too: the operator learns what is damaged.
    void aCorruptColdRecordIsNamedOnce()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        test::makeCrashStore(path, 40, 20);
        QVERIFY(test::damageColdRecord(path, 7)); // a node (7 % 3 != 0): in nodes.db

        Store store(path);
        store.open();
        const QStringList problems = store.verify();
        QVERIFY2(problems.size() == 1, qPrintable(problems.join(QLatin1Char('\n'))));
        QVERIFY2(problems.front().startsWith(QStringLiteral("nodes.db: version 7 does not decode")),
                 qPrintable(problems.front()));
        try {
            store.find(7);
            QFAIL("a corrupt record was read without an error");
        } catch (const FrostlineError& e) {
            QVERIFY2(
                e.message().contains(QStringLiteral("corrupt record of version 7 in nodes.db")),
                qPrintable(e.message()));
        }
        QCOMPARE(store.find(8)->version, crashVersion(8)); // its neighbours are intact
    }

    // A damaged record in a WAL segment that the flushed LSN already covers is reported once:
    // the WAL check names it, and the cross-check scan that stops on it must not repeat it.
    void aDamagedWalRecordIsReportedOnce()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        const std::vector<WalSegmentInfo> segments = checkpointedKeepingTheWal(path);
        QVERIFY(segments.size() > 2);
        const QString segment = segments.front().path;
        QFile file(segment);
        QVERIFY(file.open(QIODevice::ReadWrite));
        QByteArray bytes = file.readAll();
        bytes[bytes.size() / 2] = char(bytes[bytes.size() / 2] ^ 0x5a);
        QVERIFY(file.seek(0));
        QCOMPARE(file.write(bytes), bytes.size());
        file.close();

        Store store(path, smallSegments());
        store.open();
        const QStringList problems = store.verify();
        const QString name = QFileInfo(segment).fileName();
        QVERIFY2(problems.size() == 1 && problems.front().contains(name),
                 qPrintable(problems.join(QLatin1Char('\n'))));
    }

    // A WAL cut short below the flushed LSN is refused, and the refusal changes no file: the
    // torn tail it ends with is not cut first (that would destroy the evidence).
    void aWalEndingBeforeTheFlushedLsnIsRefusedUntouched()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        const std::vector<WalSegmentInfo> segments = checkpointedKeepingTheWal(path);
        QString last = segments.back().path;
        if (segments.back().records == 0) // the checkpoint's fresh segment
            last = segments[segments.size() - 2].path;
        // Remove every segment after LAST, and cut LAST in the middle of a record.
        const QDir wal(path + QStringLiteral("/wal"));
        for (const QString& f : wal.entryList({QStringLiteral("*.wal")}, QDir::Files))
            if (f > QFileInfo(last).fileName())
                QVERIFY(QFile::remove(wal.filePath(f)));
        const qint64 cutTo = QFileInfo(last).size() / 2 + 3;
        QVERIFY(QFile::resize(last, cutTo));
        try {
            Store store(path, smallSegments());
            store.open();
            QFAIL("a WAL ending before the flushed LSN was accepted");
        } catch (const FrostlineError& e) {
            QVERIFY2(e.message().contains(QLatin1String("but it must reach LSN 400, the flushed "
                                                        "LSN: WAL records are missing; nothing "
                                                        "was changed")),
                     qPrintable(e.message()));
        }
        QCOMPARE(QFileInfo(last).size(), cutTo);
    }

    // verify reports its steps (and the WAL records it has cross-checked) and stops when asked;
    // a stopped verify changes nothing and the next one runs to the end.
    void verifyReportsItsStepsAndCanBeCancelled()
    {
        FreshStore fresh;
        Store& store = fresh.store();
        appendInSlices(store, 1, 25000, 5000);
        QStringList steps;
        quint64 lastDone = 0, lastTotal = 0;
        OperationControl control;
        control.progress = [&](const QString& step, quint64 done, quint64 total,
                               OperationControl::Unit) {
            if (steps.isEmpty() || steps.last() != step)
                steps << step;
            if (step == QLatin1String("WAL records against the tiers")) {
                QVERIFY(done >= lastDone);
                lastDone = done;
                lastTotal = total;
            }
        };
        QCOMPARE(store.verify(control), QStringList());
        QCOMPARE(steps.first(), QStringLiteral("WAL checksums and LSN continuity"));
        QVERIFY2(steps.contains(QStringLiteral("decoding every record of nodes.db")),
                 qPrintable(steps.join(QLatin1String(", "))));
        QCOMPARE(steps.last(), QStringLiteral("WAL records against the tiers"));
        QCOMPARE(lastTotal, quint64(25000));
        QCOMPARE(lastDone, quint64(20000)); // reported every 10,000 records

        // Cancelled at the third step: it throws, saying so, and the store is as it was.
        std::atomic<bool> cancel{false};
        OperationControl stopping;
        stopping.cancel = &cancel;
        stopping.progress = [&](const QString& step, quint64, quint64, OperationControl::Unit) {
            if (step.startsWith(QLatin1String("decoding every record")))
                cancel = true;
        };
        try {
            store.verify(stopping);
            QFAIL("a cancelled verify ran to the end");
        } catch (const FrostlineError& e) {
            QCOMPARE(e.cause(), FrostlineError::Cause::Cancelled);
            QCOMPARE(e.message(), QStringLiteral("verify cancelled"));
        }
        QCOMPARE(store.verify(), QStringList());
    }

    // open reports its steps in order (recovery, the hot checkpoint, the WAL replay counted in
    // records of those to replay) and stops when asked, in the checkpoint load or between replay
    // chunks: the cancelled open leaves the store closed, unlocked and its files as they were,
    // and the next open finds every version.
    void openReportsItsStepsAndCanBeCancelled()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        {
            Store store(path);
            store.open();
            appendInSlices(store, 1, 70000, 5000);
            QCOMPARE(store.checkpoint().flushedLsn, quint64(70000));
            appendInSlices(store, 70001, 70000, 5000);
        }
        auto walSizes = [&] {
            QMap<QString, qint64> sizes;
            for (const QFileInfo& f :
                 QDir(path + QStringLiteral("/wal")).entryInfoList(QDir::Files))
                sizes[f.fileName()] = f.size();
            return sizes;
        };
        const QMap<QString, qint64> walBefore = walSizes();

        QStringList steps;
        QList<quint64> replayed;
        quint64 loaded = 0;
        OperationControl watching;
        watching.progress = [&](const QString& step, quint64 done, quint64 total,
                                OperationControl::Unit) {
            if (steps.isEmpty() || steps.last() != step)
                steps << step;
            if (step == QLatin1String("loading the hot checkpoint"))
                loaded = std::max(loaded, done);
            if (step == QLatin1String("replaying the WAL")) {
                QCOMPARE(total, quint64(70000));
                replayed << done;
            }
        };
        {
            Store store(path);
            const Store::OpenReport report = store.open(watching);
            QCOMPARE(report.checkpointVersions, quint64(70000));
            QCOMPARE(report.replayedRecords, quint64(70000));
        }
        QCOMPARE(steps, (QStringList{QStringLiteral("recovering the cold tier"),
                                     QStringLiteral("loading the hot checkpoint"),
                                     QStringLiteral("replaying the WAL")}));
        QCOMPARE(loaded, quint64(65536)); // reported every 32,768 versions
        QCOMPARE(replayed, (QList<quint64>{0, 32768, 65536, 70000}));

        // Cancelled in each of the two long steps, at its first report: it stops there, before
        // the step's next report (at 65,536).
        for (const QString& stopAt :
             {QStringLiteral("loading the hot checkpoint"), QStringLiteral("replaying the WAL")}) {
            std::atomic<bool> cancel{false};
            OperationControl stopping;
            stopping.cancel = &cancel;
            quint64 reached = 0;
            stopping.progress = [&](const QString& step, quint64 done, quint64,
                                    OperationControl::Unit) {
                if (step == stopAt && done > 0) {
                    reached = std::max(reached, done);
                    cancel = true;
                }
            };
            Store store(path);
            try {
                store.open(stopping);
                QFAIL(qPrintable(
                    QStringLiteral("an open cancelled in '%1' ran to the end").arg(stopAt)));
            } catch (const FrostlineError& e) {
                QCOMPARE(e.cause(), FrostlineError::Cause::Cancelled);
                QCOMPARE(e.message(), QStringLiteral("opening store %1 cancelled").arg(path));
            }
            QCOMPARE(reached, quint64(32768));
            QVERIFY(!store.isOpen());
            QCOMPARE(walSizes(), walBefore);
            Store other(path); // the cancelled open let go of the lock
            const Store::OpenReport report = other.open();
            QCOMPARE(report.checkpointVersions + report.replayedRecords, quint64(140000));
            QCOMPARE(other.hot().versionCount(), quint64(140000));
        }
    }

    // A checkpoint stopped between chunks keeps the chunks it committed (the flushed LSN covers
    // them), rotates and truncates nothing; the next checkpoint writes the rest.
    void checkpointCanBeCancelledBetweenChunks()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        Store::Options options;
        options.checkpointChunk = 100;
        {
            Store store(path, options);
            store.open();
            appendInSlices(store, 1, 1000, 100);
            const auto segmentsBefore = store.wal().segments().size();
            std::atomic<bool> cancel{false};
            OperationControl control;
            control.cancel = &cancel;
            QList<quint64> reported;
            control.progress = [&](const QString&, quint64 done, quint64 total,
                                   OperationControl::Unit) {
                QCOMPARE(total, quint64(1000));
                reported << done;
                if (done >= 200)
                    cancel = true;
            };
            const CheckpointResult partial = store.checkpoint(true, control);
            QVERIFY(partial.cancelled);
            QCOMPARE(reported, (QList<quint64>{0, 100, 200}));
            QCOMPARE(partial.checkpointedVersions, quint64(200));
            QCOMPARE(partial.flushedLsn, quint64(200));
            QCOMPARE(store.flushedLsn(), quint64(200));
            QCOMPARE(partial.segmentsDeleted, 0);
            QCOMPARE(store.wal().segments().size(), segmentsBefore);
            QCOMPARE(store.verify(), QStringList());

            const CheckpointResult rest = store.checkpoint();
            QVERIFY(!rest.cancelled);
            QCOMPARE(rest.checkpointedVersions, quint64(800));
            QCOMPARE(rest.flushedLsn, quint64(1000));
        }
        Store store(path, options);
        const Store::OpenReport report = store.open();
        QCOMPARE(report.checkpointVersions, quint64(1000));
        QCOMPARE(report.replayedRecords, quint64(0));
        QCOMPARE(store.verify(), QStringList());
    }

    // An init cut short (a full disk ends it with SIGBUS inside Berkeley DB, no unwinding) keeps
    // its marker: opening names it, and init on the directory clears it and starts again. (A
    // black-box check's half-made store answered "already holds a store" to the init its message
    // asked for.) A finished init leaves no marker, and a marker that is not ours is no licence
    // to clear a directory.
    void anUnfinishedInitIsRedoneByInit()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        QVERIFY(!QFileInfo::exists(Store::unfinishedCopyMarker(path)));
        QVERIFY(QDir(path).removeRecursively());

        // Killed while it wrote its marker: only the marker's temporary file. Init again works.
        QVERIFY(QDir().mkpath(path));
        test::writeFile(path + QStringLiteral("/INCOMPLETE.tmp-Ab12Cd"), "This init did");
        Store::create(path);
        QCOMPARE(QDir(path).entryList({QStringLiteral("INCOMPLETE*")}, QDir::Files), QStringList());
        QVERIFY(QDir(path).removeRecursively());

        // What a cut init leaves: its marker, policy.json, wal/ and cold/ without databases.
        QVERIFY(QDir().mkpath(path + QStringLiteral("/wal")));
        QVERIFY(QDir().mkpath(path + QStringLiteral("/cold")));
        test::writeFile(Store::unfinishedCopyMarker(path),
                        "This init did not finish: the store may lack parts. Run init on this "
                        "directory again.\n");
        test::writeFile(path + QStringLiteral("/policy.json"), "{}");
        {
            Store half(path);
            try {
                half.open();
                QFAIL("an unfinished init opened");
            } catch (const FrostlineError& e) {
                QCOMPARE(e.kind(), FrostlineError::Kind::BadInput);
                QVERIFY2(e.message().contains(QLatin1String("is an unfinished init")) &&
                             e.message().contains(QLatin1String("run init on it again")),
                         qPrintable(e.message()));
            }
        }
        // Not while a process holds the store's lock (it may be that init, still at work).
        {
            StoreLock held;
            held.acquire(path);
            try {
                Store::create(path);
                QFAIL("an unfinished init was cleared under a held lock");
            } catch (const FrostlineError& e) {
                QVERIFY2(e.message().contains(QLatin1String("a process has open")),
                         qPrintable(e.message()));
            }
            QVERIFY(QFileInfo::exists(Store::unfinishedCopyMarker(path)));
        }
        // Not when it holds something init does not make: that is kept, and said.
        test::writeFile(path + QStringLiteral("/notes.txt"), "mine");
        QVERIFY_THROWS_EXCEPTION(FrostlineError, Store::create(path));
        QCOMPARE(test::readFile(path + QStringLiteral("/notes.txt")), QByteArray("mine"));
        QVERIFY(QFile::remove(path + QStringLiteral("/notes.txt")));

        Store::create(path);
        QVERIFY(!QFileInfo::exists(Store::unfinishedCopyMarker(path)));
        {
            Store store(path);
            store.open();
            store.append({test::crashVersion(1)});
            QCOMPARE(store.verify(), QStringList());
        }

        // Someone else's INCOMPLETE: init refuses the directory as not empty.
        const QString other = dir.filePath(QStringLiteral("other"));
        QVERIFY(QDir().mkpath(other));
        test::writeFile(Store::unfinishedCopyMarker(other), "my notes\n");
        QVERIFY_THROWS_EXCEPTION(FrostlineError, Store::create(other));
        QVERIFY(QFileInfo::exists(Store::unfinishedCopyMarker(other)));
    }

    // A store directory that lost wal/ or cold/ is called incomplete, not "run init first".
    void anIncompleteStoreIsNotSentToInit()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        QVERIFY(QDir(path + QStringLiteral("/wal")).removeRecursively());
        Store store(path);
        try {
            store.open();
            QFAIL("a store without wal/ opened");
        } catch (const FrostlineError& e) {
            QCOMPARE(
                e.message(),
                QStringLiteral("store %1 has no wal/ directory (its cold/ is there): the store "
                               "is incomplete; restore wal/ or the whole store from a backup")
                    .arg(path));
        }
        QVERIFY(!QDir(path + QStringLiteral("/wal")).exists()); // nothing made up in its place
    }

    void failedBatchChangesNothing()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        Store store(path, smallSegments());
        store.open();
        store.append(versionsRange(1, 200));
        const QStringList walBefore = walFiles(path);
        const auto statsBefore = store.statistics();
        store.cold().setFailureHook([](const char*) {
            throw FrostlineError::runtime(QStringLiteral("injected commit failure"));
        });
        try {
            store.migrateBatch({1, 2, 3});
            QFAIL("batch did not fail");
        } catch (const FrostlineError& e) {
            QVERIFY2(e.message().contains(QStringLiteral("injected commit failure")),
                     qPrintable(e.message()));
        }
        QCOMPARE(walFiles(path), walBefore);
        QCOMPARE(store.hot().versionCount(), quint64(200));
        QCOMPARE(store.statistics().flushedLsn, statsBefore.flushedLsn);
        QCOMPARE(store.statistics().coldNodeVersions + store.statistics().coldEdgeVersions,
                 quint64(0));
        store.cold().setFailureHook({});
        QCOMPARE(store.migrateBatch({1, 2, 3}).versions, quint64(3));
        QVERIFY(store.verify().isEmpty());
    }

    // Berkeley DB's own checkpoint failing at the end of a checkpoint: the error says what was
    // committed before it, and it was.
    void aFailedEnvironmentCheckpointSaysWhatIsCommitted()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        Store store(path, smallSegments());
        store.open();
        appendInSlices(store, 1, 400);
        store.cold().setFailureHook([](const char* stage) {
            if (std::strcmp(stage, "checkpoint-environment") == 0)
                throw FrostlineError::runtime(QStringLiteral("injected: No space left on device"));
        });
        try {
            store.checkpoint();
            QFAIL("the checkpoint did not fail");
        } catch (const FrostlineError& e) {
            QVERIFY2(e.message().startsWith(
                         QLatin1String("the hot checkpoint is written (400 versions), the flushed "
                                       "LSN is 400 and ")),
                     qPrintable(e.message()));
            QVERIFY2(e.message().contains(QLatin1String("nothing is lost")) &&
                         e.message().contains(QLatin1String("injected: No space left on device")),
                     qPrintable(e.message()));
        }
        store.cold().setFailureHook({});
        QCOMPARE(store.flushedLsn(), quint64(400));
        store.close();
        Store again(path, smallSegments());
        const Store::OpenReport open = again.open();
        QCOMPARE(open.replayedRecords, quint64(0)); // all from the hot checkpoint
        QCOMPARE(again.verify(), QStringList());
    }

    void historyAndAsOfAcrossTiers()
    {
        FreshStore fresh;
        Store& store = fresh.store();
        std::vector<Version> vs;
        for (int i = 0; i < 4; ++i) {
            Version v;
            v.versionId = 10 + quint64(i);
            v.kind = EntityKind::Node;
            v.entityId = 7;
            v.label = QStringLiteral("Person");
            v.txFrom = 1000 * (i + 1);
            v.txTo = i < 3 ? 1000 * (i + 2) : kOpenEnd;
            v.validFrom = 100 * i;
            v.validTo = kOpenEnd;
            vs.push_back(v);
        }
        Version edge = vs[0];
        edge.versionId = 99;
        edge.kind = EntityKind::Edge;
        edge.source = 1;
        edge.target = 2;
        vs.push_back(edge);
        store.append(vs);
        store.migrateBatch({10, 11});
        const auto h = store.history({EntityKind::Node, 7});
        QCOMPARE(h.size(), std::size_t(4));
        QCOMPARE(h[0].version.versionId, quint64(10));
        QCOMPARE(h[0].tier, Tier::Cold);
        QCOMPARE(h[3].tier, Tier::Hot);
        QCOMPARE(store.history({EntityKind::Edge, 7}).size(), std::size_t(1));
        // As known at tx 2500, the version recorded at 2000 is current.
        QCOMPARE(store.asOf({EntityKind::Node, 7}, 2500, std::nullopt)->version.versionId,
                 quint64(11));
        // Valid at 150: versions 10 (from 0) and 11 (from 100); the later recorded one wins.
        QCOMPARE(store.asOf({EntityKind::Node, 7}, std::nullopt, 150)->version.versionId,
                 quint64(11));
        // Valid at 150 as known at 1500: only version 10 was current then.
        QCOMPARE(store.asOf({EntityKind::Node, 7}, 1500, 150)->version.versionId, quint64(10));
        QVERIFY(!store.asOf({EntityKind::Node, 7}, 500, std::nullopt));
    }

    // The GUI reads history on a worker while the migration service runs. A batch that commits
    // between history()'s two tier reads must neither drop the version it moves (an as-of query
    // would then answer with an older one) nor list it twice.
    void historyDuringAMigrationBatchListsEveryVersionOnce()
    {
        FreshStore fresh;
        Store& store = fresh.store();
        std::vector<Version> vs;
        for (quint64 id = 1; id <= 5; ++id)
            vs.push_back(nodeVersion(id, 7));
        store.append(vs);
        store.migrateBatch({1});
        bool moved = false;
        store.setHistoryHook([&] {
            if (!std::exchange(moved, true))
                store.migrateBatch({2});
        });
        const auto h = store.history({EntityKind::Node, 7});
        store.setHistoryHook({});
        QVERIFY(moved);
        QCOMPARE(h.size(), std::size_t(5));
        for (std::size_t i = 0; i < h.size(); ++i) {
            QCOMPARE(h[i].version, vs[i]);
            QCOMPARE(h[i].tier, i < 2 ? Tier::Cold : Tier::Hot);
        }
        QCOMPARE(store.asOf({EntityKind::Node, 7}, vs[1].txFrom, std::nullopt)->version.versionId,
                 quint64(2));
        QVERIFY(store.verify().isEmpty());
    }

    // Reads through the store record accesses (design section 4): every hot version a history
    // lists, only the answer of an as-of query, and no cold version. The LRU order follows.
    void historyAndAsOfRecordAccessesForTheLruOrder()
    {
        FreshStore fresh;
        Store& store = fresh.store();
        std::vector<Version> vs;
        for (quint64 id = 1; id <= 8; ++id)
            vs.push_back(nodeVersion(id, id <= 4 ? 7 : 8)); // heads 4 and 8
        store.append(vs);
        store.migrateBatch({1});
        QCOMPARE(store.history({EntityKind::Node, 7}).size(), std::size_t(4));
        QCOMPARE(store.asOf({EntityKind::Node, 8}, vs[5].txFrom, std::nullopt)->version.versionId,
                 quint64(6));
        std::vector<quint64> accessed;
        for (quint64 id = 1; id <= 8; ++id) {
            qint64 at = 0;
            if (store.accessTracker().lastAccess(id, &at))
                accessed.push_back(id);
        }
        QCOMPARE(accessed, (std::vector<quint64>{2, 3, 4, 6}));

        const MigrationPolicy lru =
            MigrationPolicyBuilder().ageThresholdSecs(0).minHotVersions(0).enableLru(true).build();
        std::vector<quint64> order;
        for (const Candidate& c : MigrationRun(store, lru, vs.back().txFrom).select().candidates)
            order.push_back(c.versionId);
        // Never read first (by age), then least recently read; heads stay.
        QCOMPARE(order, (std::vector<quint64>{5, 7, 2, 3, 6}));

        // Locating a version to explain it (the preview's "why?") is not a read: no access.
        QCOMPARE(store.locate(5)->tier, Tier::Hot);
        QCOMPARE(store.locate(5)->version, vs[4]);
        QCOMPARE(store.locate(1)->tier, Tier::Cold);
        QVERIFY(!store.locate(99));
        qint64 at = 0;
        QVERIFY(!store.accessTracker().lastAccess(5, &at));
        QCOMPARE(store.find(5)->tier, Tier::Hot); // a read is
        QVERIFY(store.accessTracker().lastAccess(5, &at));
    }

    void tornTailIsCutAndAcknowledgedSurvive()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        {
            Store store(path);
            store.open();
            store.append(versionsRange(1, 20));
            store.append(versionsRange(21, 1));
        }
        const QString seg = path + QStringLiteral("/wal/") + walFiles(path).last();
        // Cut the 21st record in half: what a crash in the middle of an append leaves.
        QFile f(seg);
        QVERIFY(f.resize(f.size() - 60));
        Store store(path);
        const auto report = store.open();
        QVERIFY(report.tornBytesCut > 0);
        QCOMPARE(store.hot().versionCount(), quint64(20));
        QVERIFY(!store.find(21));
        store.append(versionsRange(21, 1));
        QCOMPARE(store.wal().lastLsn(), quint64(21));
        QVERIFY(store.verify().isEmpty());
    }

    // Damage inside the newest WAL segment stops the open (the log goes on there), also where
    // the flushed LSN covers it. The message says which record it is and whether Berkeley DB
    // holds it already, so the operator knows what is at stake: it said only the offset, and the
    // docs claimed damage in the covered part let the store open.
    void damageInTheNewestSegmentSaysWhetherTheFlushedLsnCoversIt_data()
    {
        QTest::addColumn<quint64>("damaged");
        QTest::addColumn<QString>("consequence");
        QTest::newRow("covered") << quint64(10)
                                 << QStringLiteral(
                                        "; it is LSN 10, in the newest segment, which the flushed "
                                        "LSN 20 covers: the cold tier holds every record through "
                                        "LSN 20, but a store opens only with its newest WAL "
                                        "segment whole. Keep a copy of this store directory, and "
                                        "restore a backup to go on");
        QTest::newRow("past the flushed LSN")
            << quint64(200)
            << QStringLiteral("; it is LSN 200, in the newest segment, past the flushed LSN 20: it "
                              "and the records after it are only in this log. Keep a copy of this "
                              "store directory, and restore a backup to go on");
    }

    void damageInTheNewestSegmentSaysWhetherTheFlushedLsnCoversIt()
    {
        QFETCH(quint64, damaged);
        QFETCH(QString, consequence);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        test::makeCrashStore(path, 300, 20); // the flushed LSN is 20
        const QStringList files = walFiles(path);
        QCOMPARE(files.size(), 1); // LSNs 1..300, the newest segment
        // One bit of the damaged record's payload: its checksum fails and sound records
        // follow, so it is damage, not a torn tail.
        QVERIFY(test::damageVersionName(path + QStringLiteral("/wal/") + files.first(), damaged));

        Store store(path);
        try {
            store.open();
            QFAIL("a store opened with damage inside its newest WAL segment");
        } catch (const FrostlineError& e) {
            QVERIFY2(e.message().startsWith(QStringLiteral("WAL segment %1: record checksum "
                                                           "mismatch at byte offset ")
                                                .arg(files.first())),
                     qPrintable(e.message()));
            QVERIFY2(e.message().endsWith(consequence), qPrintable(e.message()));
        }
        QVERIFY(!store.isOpen());
    }

    void flippedByteInNeededRangeIsAnErrorNamingSegment()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        {
            Store store(path, smallSegments());
            store.open();
            appendInSlices(store, 1, 300);
        }
        const QStringList files = walFiles(path);
        QVERIFY(files.size() > 2);
        const QString seg = path + QStringLiteral("/wal/") + files[1];
        QFile f(seg);
        QVERIFY(f.open(QIODevice::ReadWrite));
        const qint64 at = f.size() / 2;
        f.seek(at);
        char c;
        f.getChar(&c);
        f.seek(at);
        f.putChar(char(c ^ 0x5a));
        f.close();
        Store store(path, smallSegments());
        try {
            store.open();
            QFAIL("corruption not detected");
        } catch (const FrostlineError& e) {
            QVERIFY2(e.message().contains(files[1]), qPrintable(e.message()));
            QVERIFY2(e.message().contains(QStringLiteral("offset")), qPrintable(e.message()));
        }
        QVERIFY(!store.isOpen());
    }

    // Damage to one record's payload in a closed segment still needed: past the flushed LSN the
    // open stops and says which LSN and what it means; covered by it, the store opens (its
    // replay needs only what follows), and verify and a read of that record name it.
    void damageInAClosedSegmentSaysWhatItMeans()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        WalRecord covered, uncovered;
        {
            Store store(path, smallSegments());
            store.open();
            appendInSlices(store, 1, 300);
            store.checkpoint(false); // flushed LSN 300, inside the segment that goes on
            appendInSlices(store, 301, 300);
            const std::vector<WalSegmentInfo> segments = store.wal().segments();
            const auto holding = std::find_if(segments.begin(), segments.end(), [](const auto& s) {
                return s.firstLsn <= 290 && s.lastLsn > 300;
            });
            QVERIFY(holding != segments.end() && !holding->active);
            store.wal().scan(holding->firstLsn, [&](const WalRecord& r) {
                if (r.lsn == 290)
                    covered = r;
                if (r.lsn == 310)
                    uncovered = r;
                return r.lsn < 310;
            });
            QCOMPARE(uncovered.segmentFile, covered.segmentFile);
        }
        const QString segment = path + QStringLiteral("/wal/") + covered.segmentFile;
        auto flip = [&](const WalRecord& r) {
            QFile f(segment);
            QVERIFY(f.open(QIODevice::ReadWrite));
            const qint64 at = r.offset + walformat::kRecordHeaderSize + r.payload.size() / 2;
            char c = 0;
            QVERIFY(f.seek(at) && f.getChar(&c) && f.seek(at) && f.putChar(char(c ^ 0x20)));
        };

        flip(covered);
        {
            Store store(path, smallSegments());
            const Store::OpenReport open = store.open();
            QCOMPARE(open.replayedRecords, quint64(300));
            QCOMPARE(store.maxVersionId(), quint64(600));
            const QStringList problems = store.verify();
            QVERIFY2(problems.size() == 1 &&
                         problems.first().startsWith(
                             QStringLiteral("WAL segment %1: record checksum mismatch at byte "
                                            "offset %2; it is LSN 290")
                                 .arg(covered.segmentFile)
                                 .arg(covered.offset)),
                     qPrintable(problems.join('\n')));
            try {
                store.wal().scan(
                    store.wal().firstLsn(), [](const WalRecord&) { return true; },
                    store.flushedLsn());
                QFAIL("the damaged record was read");
            } catch (const FrostlineError& e) {
                QVERIFY2(e.message().contains(QLatin1String(
                             "; it is LSN 290, which the flushed LSN 300 covers: the cold tier "
                             "holds it")),
                         qPrintable(e.message()));
            }
        }

        flip(uncovered);
        Store store(path, smallSegments());
        try {
            store.open();
            QFAIL("a store opened without LSN 310");
        } catch (const FrostlineError& e) {
            QCOMPARE(e.message(),
                     QStringLiteral("WAL segment %1: record checksum mismatch at byte offset %2; "
                                    "it is LSN 310, past the flushed LSN 300: it and the records "
                                    "after it are only in this log. Keep a copy of this store "
                                    "directory, and restore a backup to go on")
                         .arg(uncovered.segmentFile)
                         .arg(uncovered.offset));
        }
        QVERIFY(!store.isOpen());
    }

    void missingSegmentIsAnError()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        {
            Store store(path, smallSegments());
            store.open();
            appendInSlices(store, 1, 300);
        }
        const QStringList files = walFiles(path);
        QVERIFY(files.size() > 2);
        QVERIFY(QFile::remove(path + QStringLiteral("/wal/") + files[1]));
        Store store(path, smallSegments());
        QVERIFY_THROWS_EXCEPTION(FrostlineError, store.open());
        // And the first segment gone: records 1.. are needed (flushed LSN is 0).
        QTemporaryDir dir2;
        const QString path2 = dir2.filePath(QStringLiteral("s"));
        Store::create(path2);
        {
            Store s2(path2, smallSegments());
            s2.open();
            appendInSlices(s2, 1, 300);
        }
        const QStringList files2 = walFiles(path2);
        QVERIFY(QFile::remove(path2 + QStringLiteral("/wal/") + files2.first()));
        Store s2(path2, smallSegments());
        try {
            s2.open();
            QFAIL("missing first segment not detected");
        } catch (const FrostlineError& e) {
            // The operator is told which records and where to put the segment back: before the
            // first file still there. Segment names are their first LSN.
            const quint64 firstLeft = files2[1].section(QLatin1Char('.'), 0, 0).toULongLong();
            QVERIFY(firstLeft > 1);
            QVERIFY2(e.message().contains(QStringLiteral("WAL records 1..%1 are missing: the "
                                                         "segment(s) that held them, before %2 in ")
                                              .arg(firstLeft - 1)
                                              .arg(files2[1])),
                     qPrintable(e.message()));
        }
    }

    void lockedStoreGivesClearError()
    {
        FreshStore fresh;
        Store& store = fresh.store();
        Store second(fresh.path());
        try {
            second.open();
            QFAIL("second opener got in");
        } catch (const FrostlineError& e) {
            // The same process: said so, not blamed on "another process" with our own pid.
            QVERIFY2(e.message().contains(QStringLiteral("still open in this process (pid %1)")
                                              .arg(QCoreApplication::applicationPid())),
                     qPrintable(e.message()));
        }
        // Another process too.
        const auto r = test::runCli({QStringLiteral("stats"), fresh.path()});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("locked by another process"), r.err.constData());
        QCOMPARE(r.err.count('\n'), 1);
        QVERIFY(StoreLock::isHeld(fresh.path()));

        // store.lock keeps the last pid after every exit, so an operator may delete it as stale:
        // the store stays locked all the same (two writers once shared one WAL segment).
        QVERIFY(QFile::remove(QDir(fresh.path()).filePath(QStringLiteral("store.lock"))));
        QVERIFY_THROWS_EXCEPTION(FrostlineError, second.open());
        QVERIFY(!second.isOpen());
        const auto afterRemoval = test::runCli({QStringLiteral("stats"), fresh.path()});
        QCOMPARE(afterRemoval.exitCode, 1);
        QVERIFY2(afterRemoval.err.contains("is locked by a process that cannot be named: its "
                                           "store.lock, which holds the pid, was removed"),
                 afterRemoval.err.constData());
        QVERIFY(StoreLock::isHeld(fresh.path()));
        store.close();
        QVERIFY(!StoreLock::isHeld(fresh.path()));
        QCOMPARE(test::runCli({QStringLiteral("stats"), fresh.path()}).exitCode, 0);
    }

    // A store.lock that is a symbolic link is not followed: its target would be overwritten.
    void aStoreLockThatIsASymlinkIsRefused()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        const QString lock = QDir(path).filePath(QStringLiteral("store.lock"));
        const QString victim = dir.filePath(QStringLiteral("victim.txt"));
        QVERIFY(QFile::remove(lock));
        test::writeFile(victim, "precious\n");
        QVERIFY(QFile::link(victim, lock));
        Store store(path);
        try {
            store.open();
            QFAIL("opened through a symbolic store.lock");
        } catch (const FrostlineError& e) {
            QVERIFY2(e.message().contains(QLatin1String("store.lock is a symbolic link")),
                     qPrintable(e.message()));
        }
        QFile f(victim);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("precious\n"));
        // A dangling one does not make its target either.
        QVERIFY(QFile::remove(victim));
        QVERIFY_THROWS_EXCEPTION(FrostlineError, store.open());
        QVERIFY(!QFileInfo::exists(victim));
    }

    // A store renamed away while open, with a new store made at its path: nothing more goes to
    // the path (new WAL segments, deleted segments, batches), and the moved store keeps all.
    void aStoreMovedWhileOpenWritesNothingAtItsOldPath()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        const QString moved = dir.filePath(QStringLiteral("moved"));
        Store::create(path);
        {
            Store store(path);
            store.open();
            store.append(versionsRange(1, 100));
            QVERIFY(QDir().rename(path, moved));
            Store::create(path);
            const QMap<QString, QByteArray> fresh = test::treeDigest(path);
            auto expectMoved = [&](const std::function<void()>& write) {
                try {
                    write();
                    QFAIL("wrote after the store was moved");
                } catch (const FrostlineError& e) {
                    QVERIFY2(e.message().contains(QLatin1String("was moved or replaced while it "
                                                                "was open")),
                             qPrintable(e.message()));
                }
            };
            expectMoved([&] { store.append(versionsRange(101, 10)); });
            expectMoved([&] { store.migrateBatch({1, 2}); });
            expectMoved([&] { store.checkpoint(); });
            expectMoved([&] { store.setActivePolicy(MigrationPolicy()); });
            // A backup reads by path: the other store's files, and its cold tier's copy would
            // have panicked this store's environment.
            expectMoved([&] { StoreBackup::backup(store, dir.filePath(QStringLiteral("b"))); });
            QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("b"))));
            QCOMPARE(test::treeDigest(path), fresh);
            QCOMPARE(store.find(50)->version.versionId, quint64(50)); // still serves reads
        }
        Store back(moved);
        back.open();
        QCOMPARE(back.verify(), QStringList());
        QCOMPARE(back.maxVersionId(), quint64(100));
        QCOMPARE(back.statistics().hotVersions, quint64(100));
    }

    void readOnlyStoreDirectory()
    {
        // Root ignores permission bits, so make the file system itself read-only.
        QTemporaryDir dir;
        const QString mnt = dir.filePath(QStringLiteral("ro"));
        QDir().mkpath(mnt);
        if (QProcess::execute(QStringLiteral("mount"),
                              {QStringLiteral("-t"), QStringLiteral("tmpfs"), QStringLiteral("-o"),
                               QStringLiteral("size=1g"), QStringLiteral("tmpfs"), mnt}) != 0)
            QSKIP("cannot mount a tmpfs here (needs CAP_SYS_ADMIN)");
        auto unmount = qScopeGuard([&] {
            QProcess::execute(QStringLiteral("umount"), {QStringLiteral("-l"), mnt});
        });
        const QString path = mnt + QStringLiteral("/s");
        Store::create(path);
        {
            Store store(path);
            store.open();
            store.append(versionsRange(1, 50));
        }
        QCOMPARE(QProcess::execute(QStringLiteral("mount"),
                                   {QStringLiteral("-o"), QStringLiteral("remount,ro"), mnt}),
                 0);
        Store store(path);
        try {
            store.open();
            QFAIL("opened a store on a read-only file system for writing");
        } catch (const FrostlineError& e) {
            QVERIFY2(!e.message().isEmpty(), "empty message");
            QVERIFY2(e.message().contains(path) ||
                         e.message().contains(QStringLiteral("Read-only")),
                     qPrintable(e.message()));
        }
        QCOMPARE(QProcess::execute(QStringLiteral("mount"),
                                   {QStringLiteral("-o"), QStringLiteral("remount,rw"), mnt}),
                 0);
        Store again(path);
        again.open();
        QCOMPARE(again.hot().versionCount(), quint64(50));
        QVERIFY(again.verify().isEmpty());
    }

    void filesAreOwnerOnly()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        {
            Store store(path);
            store.open();
            store.append(versionsRange(1, 10));
            store.checkpoint();
        }
        QStringList offenders;
        std::function<void(const QString&)> walk = [&](const QString& p) {
            struct stat st;
            QVERIFY(::stat(QFile::encodeName(p).constData(), &st) == 0);
            if (st.st_mode & 077)
                offenders << QStringLiteral("%1 %2").arg(p).arg(st.st_mode & 0777, 0, 8);
            if (S_ISDIR(st.st_mode))
                for (const QString& e :
                     QDir(p).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden))
                    walk(p + '/' + e);
        };
        walk(path);
        QVERIFY2(offenders.isEmpty(), qPrintable(offenders.join('\n')));
    }
};

QTEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
