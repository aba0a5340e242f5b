// Faults injected through the real engine: a full disk (a small tmpfs filled up) during import,
// checkpoint and migration; a read-only cold directory; a Berkeley DB transaction failing at
// commit; a WAL sync that fails; a WAL segment that vanishes while the store is closed. Each fault
// must give a clear FrostlineError, lose nothing acknowledged, and the next run after the fault is
// cleared must succeed. The mount-based cases need root (mount -t tmpfs); they skip with the reason
// otherwise.
#include "coldtier.h"
#include "crashversions.h"
#include "frostlineerror.h"
#include "migrationrun.h"
#include "store.h"
#include "storebackup.h"
#include "testsupport.h"

#include <QDir>
#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

using namespace frostline;

namespace {

bool run(const QString& program, const QStringList& args, QString* output = nullptr)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    const bool ok =
        p.waitForFinished(30000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    if (output)
        *output = QString::fromLocal8Bit(p.readAll()).trimmed();
    return ok;
}

// A small tmpfs mounted for one test, unmounted (lazily) at the end.
class Tmpfs
{
public:
    explicit Tmpfs(const QString& where, const QString& size = QStringLiteral("256m"))
        : m_path(where)
    {
        QDir().mkpath(where);
        m_mounted = run(QStringLiteral("mount"),
                        {QStringLiteral("-t"), QStringLiteral("tmpfs"), QStringLiteral("-o"),
                         QStringLiteral("size=") + size, QStringLiteral("tmpfs"), where},
                        &m_error);
    }
    ~Tmpfs()
    {
        for (const QString& m : m_bindMounts)
            run(QStringLiteral("umount"), {QStringLiteral("-l"), m});
        if (m_mounted)
            run(QStringLiteral("umount"), {QStringLiteral("-l"), m_path});
    }
    bool mounted() const { return m_mounted; }
    QString error() const { return m_error; }
    QString path(const QString& name) const { return QDir(m_path).filePath(name); }

    // Fills the file system until only `leaveBytes` remain free (the fault); free() clears it.
    void fill(qint64 leaveBytes)
    {
        struct statvfs s
        {
        };
        QVERIFY(::statvfs(QFile::encodeName(m_path).constData(), &s) == 0);
        const qint64 avail = qint64(s.f_bavail) * qint64(s.f_frsize);
        const int fd = ::open(QFile::encodeName(path(QStringLiteral("filler"))).constData(),
                              O_CREAT | O_WRONLY | O_APPEND, 0600);
        QVERIFY(fd >= 0);
        if (avail > leaveBytes)
            QVERIFY(::posix_fallocate(fd, 0, avail - leaveBytes) == 0 || true);
        // Page-granular leftovers: write until ENOSPC when asked to leave nothing at all.
        if (leaveBytes == 0) {
            const QByteArray chunk(4096, 'x');
            while (::write(fd, chunk.constData(), std::size_t(chunk.size())) > 0) {
            }
        }
        ::close(fd);
    }
    void free() { QVERIFY(QFile::remove(path(QStringLiteral("filler")))); }

    // `dir` becomes read-only (a read-only bind mount over itself) until writable(dir).
    bool readOnly(const QString& dir)
    {
        if (!run(QStringLiteral("mount"), {QStringLiteral("--bind"), dir, dir}, &m_error))
            return false;
        m_bindMounts << dir;
        return run(QStringLiteral("mount"),
                   {QStringLiteral("-o"), QStringLiteral("remount,bind,ro"), dir}, &m_error);
    }
    bool writable(const QString& dir)
    {
        m_bindMounts.removeAll(dir);
        return run(QStringLiteral("umount"), {dir}, &m_error);
    }

private:
    QString m_path;
    bool m_mounted = false;
    QString m_error;
    QStringList m_bindMounts;
};

#define REQUIRE_TMPFS(fs)                                                                          \
    if (!(fs).mounted())                                                                           \
        QSKIP(qPrintable(                                                                          \
            QStringLiteral("cannot mount a tmpfs (needs root): %1").arg((fs).error())));

int g_labelBytes = 2000; // fills the disk quickly

std::vector<Version> bigVersions(quint64 first, quint64 end)
{
    std::vector<Version> out;
    for (quint64 id = first; id < end; ++id) {
        Version v = test::crashVersion(id);
        v.label = QString(g_labelBytes, QLatin1Char('L'));
        out.push_back(std::move(v));
    }
    return out;
}

Version bigVersion(quint64 id)
{
    return bigVersions(id, id + 1).front();
}

// Every id 1..acknowledged present once and unchanged, nothing else; verify clean.
QString checkAll(Store& store, quint64 acknowledged)
{
    const QStringList problems = store.verify();
    if (!problems.isEmpty())
        return problems.join('\n');
    for (quint64 id = 1; id <= acknowledged; ++id) {
        const auto v = store.find(id);
        if (!v || !(v->version == bigVersion(id)))
            return QStringLiteral("version %1 %2").arg(id).arg(v ? "changed" : "lost");
    }
    const StoreStatistics s = store.statistics();
    if (s.hotVersions + s.coldNodeVersions + s.coldEdgeVersions != store.maxVersionId())
        return QStringLiteral("duplicates or strays");
    return {};
}

// The message of the FrostlineError that opening `store` throws; empty when it opens.
QString openFailure(Store& store)
{
    try {
        store.open();
    } catch (const FrostlineError& e) {
        return e.message();
    }
    return {};
}

// checkAll on a fresh open of PATH: empty when it opens with everything acknowledged.
QString reopenAndCheck(const QString& path, quint64 acknowledged,
                       const Store::Options& options = {})
{
    Store store(path, options);
    if (const QString failure = openFailure(store); !failure.isEmpty())
        return QStringLiteral("reopen: ") + failure;
    return checkAll(store, acknowledged);
}

MigrationPolicy everythingOld(quint64 batchSize)
{
    MigrationPolicy p;
    p.ageThresholdMicros = 1'000'000;
    p.batchSize = batchSize;
    return p;
}

constexpr qint64 kFarFuture = 1'800'000'000'000'000;

// A new store at PATH holding versions 1..COUNT and, when MIGRATE, with every version but the
// heads moved to the cold tier; closed again. Returns how many versions were migrated.
quint64 createStore(const QString& path, quint64 count, bool migrate = false)
{
    Store::create(path);
    Store store(path);
    store.open();
    store.append(bigVersions(1, count + 1));
    return migrate ? MigrationRun(store, everythingOld(50), kFarFuture).run().migrated : 0;
}

} // namespace

class TestFaults : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    int m_faults = 0;

private slots:
    void diskFullDuringImport()
    {
        Tmpfs fs(m_dir.filePath(QStringLiteral("import")));
        REQUIRE_TMPFS(fs);
        const QString path = fs.path(QStringLiteral("s"));
        Store::create(path);
        quint64 acked = 0;
        {
            Store store(path);
            store.open();
            store.append(bigVersions(1, 101));
            acked = 100;
            fs.fill(16 * 1024);
            QString message;
            for (int i = 0; i < 200 && message.isEmpty(); ++i) {
                try {
                    store.append(bigVersions(acked + 1, acked + 21));
                    acked += 20;
                } catch (const FrostlineError& e) {
                    message = e.message();
                }
            }
            qInfo("import on a full disk: %s", qPrintable(message));
            QVERIFY2(message.contains(QLatin1String("WAL segment")) &&
                         message.contains(QLatin1String("No space left on device")),
                     qPrintable(message));
            ++m_faults;
            fs.free();
            // The same open store goes on once space is back: the failed append left nothing.
            store.append(bigVersions(acked + 1, acked + 21));
            acked += 20;
        }
        Store store(path);
        store.open();
        const QString problem = checkAll(store, acked);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QCOMPARE(store.maxVersionId(), acked);
    }

    // An import larger than one append chunk (4096 versions) meets a full disk after its first
    // chunk: those versions are acknowledged and durable, and the error says how many, so the
    // operator imports only the rest (a whole retry would be refused for existing ids).
    void diskFullPartWayThroughAnImport()
    {
        Tmpfs fs(m_dir.filePath(QStringLiteral("partial")));
        REQUIRE_TMPFS(fs);
        const QString path = fs.path(QStringLiteral("s"));
        Store::create(path);
        constexpr quint64 kImport = 12000; // about 24 MB: three chunks, room for one
        quint64 durable = 0;
        {
            Store store(path);
            store.open();
            fs.fill(12 * 1024 * 1024);
            QString message;
            std::size_t reported = 0; // the progress callback's last count of durable versions
            try {
                store.append(
                    bigVersions(1, kImport + 1),
                    [](std::size_t i) {
                        return QStringLiteral("import.jsonl: line %1").arg(i + 1);
                    },
                    [&](std::size_t appended, std::size_t) { reported = appended; });
            } catch (const FrostlineError& e) {
                message = e.message();
            }
            ++m_faults;
            qInfo("import part-way on a full disk: %s", qPrintable(message));
            const QRegularExpression said(QStringLiteral(
                "No space left on device; the first (\\d+) of the 12000 versions \\(through "
                "import\\.jsonl: line (\\d+)\\) were appended before the failure and are durable"));
            const QRegularExpressionMatch m = said.match(message);
            QVERIFY2(m.hasMatch(), qPrintable(message));
            durable = m.captured(1).toULongLong();
            QCOMPARE(m.captured(2).toULongLong(), durable);
            QVERIFY(durable > 0 && durable < kImport);
            QCOMPARE(store.maxVersionId(), durable);
            QCOMPARE(quint64(reported), durable); // progress said as much as the message, no more
            fs.free();
            // The rest, as the message says.
            store.append(bigVersions(durable + 1, kImport + 1));
        }
        Store store(path);
        store.open();
        const QString problem = checkAll(store, kImport);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QCOMPARE(store.maxVersionId(), kImport);
    }

    void diskFullDuringCheckpointAndMigration_data()
    {
        QTest::addColumn<bool>("migrate");
        QTest::newRow("checkpoint") << false;
        QTest::newRow("migration") << true;
    }

    void diskFullDuringCheckpointAndMigration()
    {
        QFETCH(bool, migrate);
        // Migration allocates no disk space until Berkeley DB's 64 MiB log file rolls over or its
        // cache evicts: big versions make the batch's log outgrow the (preallocated) log file.
        g_labelBytes = migrate ? 12000 : 2000;
        const auto restoreLabel = qScopeGuard([] { g_labelBytes = 2000; });
        Tmpfs fs(m_dir.filePath(migrate ? QStringLiteral("migrate") : QStringLiteral("ckpt")),
                 migrate ? QStringLiteral("768m") : QStringLiteral("256m"));
        REQUIRE_TMPFS(fs);
        const QString path = fs.path(QStringLiteral("s"));
        Store::create(path);
        Store::Options options;
        options.walSegmentBytes = 64 * 1024;
        constexpr quint64 kVersions = 3000;
        {
            Store store(path, options);
            store.open();
            for (quint64 id = 1; id <= kVersions; id += 100)
                store.append(bigVersions(id, id + 100));
        }
        fs.fill(0);
        // In a child (the real CLI): Berkeley DB maps sparse region files (__db.*); on a full
        // file system touching a fresh page raises SIGBUS inside Berkeley DB, which the CLI
        // must turn into its ordinary one-line error.
        const QString policy = m_dir.filePath(QStringLiteral("everything-old.json"));
        test::writeFile(policy, "{\"age_threshold_secs\":1,\"batch_size\":200}");
        QProcess cli;
        cli.start(test::cliPath(),
                  migrate
                      ? QStringList{QStringLiteral("migrate"), path, QStringLiteral("--policy"),
                                    policy, QStringLiteral("--now"), QString::number(kFarFuture)}
                      : QStringList{QStringLiteral("checkpoint"), path});
        QVERIFY(cli.waitForFinished(120000));
        const QString message = QString::fromLocal8Bit(cli.readAllStandardError()).trimmed();
        qInfo("%s on a full disk: %s", migrate ? "migration" : "checkpoint", qPrintable(message));
        ++m_faults;
        // One clear line naming the cause and the store, exit status 1; never a bare signal
        // (RegionFaultHandler explains a SIGBUS from Berkeley DB's mapped region files).
        QCOMPARE(cli.exitStatus(), QProcess::NormalExit);
        QCOMPARE(cli.exitCode(), 1);
        QVERIFY2(message.contains(QLatin1String("No space left on device")), qPrintable(message));
        QVERIFY2(message.contains(path), qPrintable(message));
        QCOMPARE(message.count(QLatin1Char('\n')), 0);
        fs.free();
        Store store(path, options);
        try {
            store.open();
        } catch (const FrostlineError& e) {
            QFAIL(qPrintable(QStringLiteral("reopen after the full disk: ") + e.message()));
        }
        QString problem = checkAll(store, kVersions);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        // The next run succeeds and moves what it should.
        try {
            if (migrate) {
                const MigrationRunResult r =
                    MigrationRun(store, everythingOld(200), kFarFuture).run();
                QVERIFY(r.migrated > 0);
            } else {
                store.checkpoint();
                QCOMPARE(store.flushedLsn(), kVersions);
            }
        } catch (const FrostlineError& e) {
            QFAIL(qPrintable(QStringLiteral("the run after the full disk: ") + e.message()));
        }
        problem = checkAll(store, kVersions);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    void readOnlyColdDirectory()
    {
        Tmpfs fs(m_dir.filePath(QStringLiteral("ro")));
        REQUIRE_TMPFS(fs);
        const QString path = fs.path(QStringLiteral("s"));
        const QString cold = QDir(path).filePath(QStringLiteral("cold"));
        createStore(path, 500);
        QVERIFY2(fs.readOnly(cold), qPrintable(fs.error()));
        {
            Store store(path);
            const QString message = openFailure(store);
            qInfo("open with a read-only cold directory: %s", qPrintable(message));
            QVERIFY2(message.contains(QLatin1String("cold tier")) &&
                         message.contains(QLatin1String("Read-only file system")),
                     qPrintable(message));
            QVERIFY(!store.isOpen());
            ++m_faults;
        }
        QVERIFY2(fs.writable(cold), qPrintable(fs.error()));

        // Read-only while open: the migration batch fails (Berkeley DB panics); nothing changes.
        {
            // Berkeley DB keeps the handles of a panicked environment: after DB_RUNRECOVERY,
            // Db::close and DbEnv::close return at once without freeing them.
            [[maybe_unused]] const test::IgnoreBerkeleyLeaks panicked;
            Store store(path);
            store.open();
            QVERIFY2(fs.readOnly(cold), qPrintable(fs.error()));
            QString message;
            try {
                MigrationRun(store, everythingOld(50), kFarFuture).run();
            } catch (const FrostlineError& e) {
                message = e.message();
            }
            qInfo("migration into a read-only cold directory: %s", qPrintable(message));
            QVERIFY2(message.contains(QLatin1String("cold tier")), qPrintable(message));
            ++m_faults;
        }
        QVERIFY2(fs.writable(cold), qPrintable(fs.error()));
        Store store(path);
        store.open();
        QString problem = checkAll(store, 500);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QVERIFY(MigrationRun(store, everythingOld(50), kFarFuture).run().migrated > 0);
        problem = checkAll(store, 500);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    // A WAL directory that turns read-only. A covered segment that cannot be deleted fails
    // neither a batch nor the run: they are committed, and keeping the segment is safe (it used to
    // fail the run after its first batch, saying only "cannot delete", and so every later run).
    // A checkpoint that cannot start a new segment fails, saying what it committed first.
    void aWalDirectoryThatTurnsReadOnly()
    {
        Tmpfs fs(m_dir.filePath(QStringLiteral("walro")));
        REQUIRE_TMPFS(fs);
        const QString path = fs.path(QStringLiteral("s"));
        const QString wal = QDir(path).filePath(QStringLiteral("wal"));
        Store::create(path);
        Store::Options options;
        options.walSegmentBytes = 16 * 1024;
        Store store(path, options);
        store.open();
        for (quint64 first = 1; first <= 300; first += 10) // a segment rolls between appends
            store.append(bigVersions(first, first + 10));
        const std::size_t segmentsBefore = store.wal().segments().size();
        QVERIFY(segmentsBefore > 2);
        // Read-only from the first truncation on, every batch's and the closing checkpoint's.
        bool readOnly = false;
        store.setTruncationHook([&](quint64) {
            if (!readOnly)
                readOnly = fs.readOnly(wal);
        });
        const MigrationRunResult r = MigrationRun(store, everythingOld(50), kFarFuture).run();
        store.setTruncationHook({});
        QVERIFY2(readOnly, qPrintable(fs.error()));
        ++m_faults;
        QVERIFY(r.migrated > 0);
        QCOMPARE(r.batches, r.plannedBatches);
        QCOMPARE(r.segmentsDeleted, 0);
        QVERIFY2(r.walProblem.contains(QLatin1String("cannot delete: Read-only file system; it "
                                                     "and the covered segments after it stay, "
                                                     "which is safe")),
                 qPrintable(r.walProblem));
        QCOMPARE(store.wal().segments().size(), segmentsBefore);
        QCOMPARE(store.flushedLsn(), store.wal().lastLsn());

        QVERIFY2(fs.writable(wal), qPrintable(fs.error()));
        const CheckpointResult c = store.checkpoint();
        QVERIFY(c.segmentsDeleted > 0);
        QCOMPARE(c.walProblem, QString());
        QString problem = checkAll(store, 300);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));

        // A checkpoint that cannot close the active segment (no new one can be made) fails,
        // saying what it committed before that.
        store.append(bigVersions(301, 311));
        QVERIFY2(fs.readOnly(wal), qPrintable(fs.error()));
        QString message;
        try {
            store.checkpoint();
        } catch (const FrostlineError& e) {
            message = e.message();
        }
        ++m_faults;
        QVERIFY2(message.startsWith(QStringLiteral("the hot checkpoint is written (10 versions), "
                                                   "the flushed LSN is %1 and 0 covered WAL "
                                                   "segment(s) are deleted, but closing the "
                                                   "active WAL segment failed: ")
                                        .arg(store.wal().lastLsn())) &&
                     message.contains(QLatin1String("Read-only file system")),
                 qPrintable(message));
        store.close();
        QVERIFY2(fs.writable(wal), qPrintable(fs.error()));
        Store reopened(path, options);
        QCOMPARE(openFailure(reopened), QString());
        problem = checkAll(reopened, 310);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    void coldCommitFails()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        Store store(path);
        store.open();
        store.append(bigVersions(1, 401));
        const StoreStatistics before = store.statistics();
        store.cold().setFailureHook([](const char* stage) {
            throw FrostlineError::runtime(QStringLiteral("injected failure at %1").arg(stage));
        });
        QString message;
        try {
            MigrationRun(store, everythingOld(50), kFarFuture).run();
        } catch (const FrostlineError& e) {
            message = e.message();
        }
        QVERIFY2(message.contains(QLatin1String("aborted before commit")) &&
                     message.contains(QLatin1String("injected failure at before-commit")),
                 qPrintable(message));
        ++m_faults;
        // Nothing changed anywhere: hot, cold, flushed LSN, WAL.
        const StoreStatistics after = store.statistics();
        QCOMPARE(after.hotVersions, before.hotVersions);
        QCOMPARE(after.coldNodeVersions + after.coldEdgeVersions, quint64(0));
        QCOMPARE(after.flushedLsn, before.flushedLsn);
        QCOMPARE(after.walSegments, before.walSegments);
        QString problem = checkAll(store, 400);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        store.cold().setFailureHook({});
        QVERIFY(MigrationRun(store, everythingOld(50), kFarFuture).run().migrated > 0);
        store.close();
        store.open();
        problem = checkAll(store, 400);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    // A WAL sync that fails (through a hook right after the real fdatasync): the append is not
    // acknowledged and the log refuses further appends. Its records are in the file but in no
    // tier, so neither a checkpoint nor a migration batch may move the flushed LSN past them
    // (recovery would skip them while no tier holds them). A reopen replays them.
    void walSyncFails()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        Store store(path);
        store.open();
        store.append(bigVersions(1, 401));
        store.wal().setSyncFailureHook([] { return EIO; });
        QString message;
        try {
            store.append(bigVersions(401, 451));
        } catch (const FrostlineError& e) {
            message = e.message();
        }
        ++m_faults;
        QVERIFY2(message.contains(QLatin1String("cannot sync")), qPrintable(message));
        store.wal().setSyncFailureHook({});
        QCOMPARE(store.wal().lastLsn(), quint64(450)); // written, never acknowledged
        QVERIFY_THROWS_EXCEPTION(FrostlineError, store.append(bigVersions(451, 452)));

        QVERIFY(MigrationRun(store, everythingOld(50), kFarFuture).run().migrated > 0);
        try {
            store.checkpoint(); // its closing rotation is refused by the broken log
        } catch (const FrostlineError&) {
        }
        QVERIFY2(store.flushedLsn() <= 400, qPrintable(QString::number(store.flushedLsn())));
        const QStringList problems = store.verify();
        QCOMPARE(problems.size(), 1);
        QVERIFY2(problems.front().contains(QLatin1String("WAL records 401..450")) &&
                     problems.front().contains(QLatin1String("append that failed")),
                 qPrintable(problems.front()));

        store.close();
        store.open();
        const QString problem = checkAll(store, 450);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    void walSegmentVanishes()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        const QString wal = QDir(path).filePath(QStringLiteral("wal"));
        Store::create(path);
        Store::Options options;
        options.walSegmentBytes = 16 * 1024;
        quint64 flushed = 0;
        {
            Store store(path, options);
            store.open();
            for (quint64 id = 1; id <= 300; id += 10)
                store.append(bigVersions(id, id + 10));
            // A checkpoint whose truncation does not happen (as if killed right before it): the
            // segments it made unnecessary stay on disk.
            store.setTruncationHook([](quint64) {
                throw FrostlineError::runtime(QStringLiteral("truncation skipped"));
            });
            const CheckpointResult kept = store.checkpoint(); // committed: the skip is a note
            QVERIFY2(kept.walProblem.contains(QLatin1String("truncation skipped")),
                     qPrintable(kept.walProblem));
            QCOMPARE(kept.segmentsDeleted, 0);
            store.setTruncationHook({});
            flushed = store.flushedLsn();
            QCOMPARE(flushed, quint64(300));
            for (quint64 id = 301; id <= 600; id += 10)
                store.append(bigVersions(id, id + 10)); // needed: after the flushed LSN
        }
        const QStringList files =
            QDir(wal).entryList({QStringLiteral("*.wal")}, QDir::Files, QDir::Name);
        QVERIFY(files.size() > 4);
        // The oldest segment, wholly at or below the flushed LSN: not needed, the store opens.
        QVERIFY(QFile::remove(QDir(wal).filePath(files.first())));
        {
            const QString problem = reopenAndCheck(path, 600, options);
            QVERIFY2(problem.isEmpty(), qPrintable(problem));
        }
        ++m_faults;
        // The first segment holding LSNs after the flushed LSN: needed; the open names the range.
        QString needed;
        quint64 neededFirst = 0;
        for (const QString& f :
             QDir(wal).entryList({QStringLiteral("*.wal")}, QDir::Files, QDir::Name)) {
            const quint64 first = f.section(QLatin1Char('.'), 0, 0).toULongLong();
            if (first <= flushed + 1) {
                needed = f;
                neededFirst = first;
            }
        }
        QVERIFY(!needed.isEmpty());
        const QString aside = dir.filePath(QStringLiteral("aside.wal"));
        QVERIFY(QFile::rename(QDir(wal).filePath(needed), aside));
        {
            Store store(path, options);
            const QString message = openFailure(store);
            qInfo("a needed WAL segment vanished: %s", qPrintable(message));
            // Wal::open names the gap between the neighbours ("LSNs 301..310 are absent").
            QVERIFY2(message.contains(QStringLiteral("LSNs %1..").arg(flushed + 1)) &&
                         message.contains(QLatin1String("missing segment")),
                     qPrintable(message));
            QVERIFY(!store.isOpen());
            Q_UNUSED(neededFirst);
        }
        ++m_faults;
        // The segment comes back: the store opens with everything.
        QVERIFY(QFile::rename(aside, QDir(wal).filePath(needed)));
        const QString problem = reopenAndCheck(path, 600, options);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    void coldDatabaseVanishes_data()
    {
        QTest::addColumn<QStringList>("removed");
        for (const char* f : {"nodes.db", "edges.db", "history.db", "checkpoint.db", "meta.db"})
            QTest::newRow(f) << QStringList{QLatin1String(f)};
        QTest::newRow("all of cold/") << QStringList{QStringLiteral("*")};
        // The log deleted to free space: Berkeley DB would start a new one below the pages' LSNs.
        QTest::newRow("the log") << QStringList{QStringLiteral("log.*")};
    }
    void coldDatabaseVanishes()
    {
        // A cold database deleted or moved away: every open is refused with the file named, and
        // nothing is created in its place (Berkeley DB's DB_CREATE would have made an empty one,
        // silently dropping the cold versions or the hot checkpoint).
        QFETCH(QStringList, removed);
        const QString path =
            m_dir.filePath(QStringLiteral("coldgone-%1").arg(QTest::currentDataTag()));
        const QString cold = QDir(path).filePath(QStringLiteral("cold"));
        const QString aside =
            m_dir.filePath(QStringLiteral("aside-%1").arg(QTest::currentDataTag()));
        Store::create(path);
        {
            Store store(path);
            store.open();
            store.append(bigVersions(1, 301));
            QVERIFY(MigrationRun(store, everythingOld(50), kFarFuture).run().migrated > 0);
            store.checkpoint();
        }
        QVERIFY(QDir().mkpath(aside));
        const bool pattern = removed.front().contains(QLatin1Char('*'));
        const QStringList names =
            pattern ? QDir(cold).entryList({removed.front()}, QDir::Files) : removed;
        QVERIFY(!names.isEmpty());
        for (const QString& name : names)
            QVERIFY(QFile::rename(QDir(cold).filePath(name), QDir(aside).filePath(name)));
        const QStringList before = QDir(cold).entryList(QDir::Files);
        for (int attempt = 0; attempt < 2; ++attempt) {
            Store store(path);
            const QString message = openFailure(store);
            QVERIFY2(!store.isOpen(), "a store without its cold databases opened");
            const QString expected = !pattern ? removed.front()
                                     : removed.front() == QLatin1String("*")
                                         ? QStringLiteral("holds no databases")
                                         : QStringLiteral("log files (log.*) are missing");
            QVERIFY2(message.contains(expected), qPrintable(message));
            QCOMPARE(QDir(cold).entryList(QDir::Files), before);
        }
        const auto cli = test::runCli({QStringLiteral("stats"), path});
        QCOMPARE(cli.exitCode, 1);
        QCOMPARE(cli.err.count('\n'), 1);
        QCOMPARE(QDir(cold).entryList(QDir::Files), before);
        ++m_faults;

        // Put back, the store opens with everything.
        for (const QString& name : names)
            QVERIFY(QFile::rename(QDir(aside).filePath(name), QDir(cold).filePath(name)));
        const QString problem = reopenAndCheck(path, 300);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    void newestWalSegmentVanishes_data()
    {
        QTest::addColumn<bool>("everySegment");
        QTest::addColumn<bool>("writtenBeforeTheRecord");
        QTest::newRow("the active segment") << false << false;
        QTest::newRow("every segment") << true << false;
        QTest::newRow("a store written before the record, opened once since") << false << true;
    }
    void newestWalSegmentVanishes()
    {
        // The segment holding the newest acknowledged writes (after the flushed LSN) deleted by
        // hand: the log alone would simply end earlier, and open would start a new segment in its
        // place, silently dropping those writes. The cold tier records the newest segment, so the
        // open is refused naming it, and nothing is created or cut.
        QFETCH(bool, everySegment);
        QFETCH(bool, writtenBeforeTheRecord);
        const QString path =
            m_dir.filePath(QStringLiteral("walgone-%1").arg(QTest::currentDataTag()));
        const QString wal = QDir(path).filePath(QStringLiteral("wal"));
        const QString aside =
            m_dir.filePath(QStringLiteral("walaside-%1").arg(QTest::currentDataTag()));
        Store::create(path);
        Store::Options options;
        options.walSegmentBytes = 16 * 1024;
        {
            Store store(path, options);
            store.open();
            store.append(bigVersions(1, 301));
            QVERIFY(MigrationRun(store, everythingOld(50), kFarFuture).run().migrated > 0);
            for (quint64 id = 301; id <= 600; id += 10)
                store.append(bigVersions(id, id + 10)); // after the flushed LSN: WAL only
            QVERIFY(store.flushedLsn() < store.wal().lastLsn());
            QVERIFY(store.wal().segments().size() > 2);
            QVERIFY(store.wal().segments().back().records > 0);
        }
        if (writtenBeforeTheRecord) {
            // A store from before meta.db had the record: none is there. Opening it once, with
            // no append, must record its newest segment.
            {
                ColdTier cold(QDir(path).filePath(QStringLiteral("cold")));
                cold.open();
                QVERIFY(cold.newestWalSegment() > 0);
                cold.recordNewestWalSegment(0);
            }
            Store store(path, options);
            store.open();
        }
        QVERIFY(QDir().mkpath(aside));
        QStringList names = QDir(wal).entryList({QStringLiteral("*.wal")}, QDir::Files, QDir::Name);
        const QString newest = names.last();
        if (!everySegment)
            names = QStringList{newest};
        for (const QString& name : names)
            QVERIFY(QFile::rename(QDir(wal).filePath(name), QDir(aside).filePath(name)));
        const QStringList before = QDir(wal).entryList(QDir::Files, QDir::Name);
        for (int attempt = 0; attempt < 2; ++attempt) {
            Store store(path, options);
            const QString message = openFailure(store);
            QVERIFY2(!store.isOpen(), "a store without its newest WAL segment opened");
            if (attempt == 0)
                qInfo("the newest WAL segment vanished: %s", qPrintable(message));
            QVERIFY2(message.contains(newest) && message.contains(QLatin1String("missing")),
                     qPrintable(message));
            QCOMPARE(QDir(wal).entryList(QDir::Files, QDir::Name), before);
        }
        const auto cli = test::runCli({QStringLiteral("export"), path});
        QCOMPARE(cli.exitCode, 1);
        QCOMPARE(cli.err.count('\n'), 1);
        QVERIFY2(cli.err.contains(newest.toUtf8()), cli.err.constData());
        QVERIFY(cli.out.isEmpty());
        QCOMPARE(QDir(wal).entryList(QDir::Files, QDir::Name), before);
        ++m_faults;

        // Put back, the store opens with everything.
        for (const QString& name : names)
            QVERIFY(QFile::rename(QDir(aside).filePath(name), QDir(wal).filePath(name)));
        const QString problem = reopenAndCheck(path, 600, options);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    void coveredWalMayGo_data()
    {
        QTest::addColumn<bool>("checkpoint");
        QTest::newRow("after a checkpoint") << true;
        QTest::newRow("after a completed migration") << false;
    }
    void coveredWalMayGo()
    {
        // The other side of newestWalSegmentVanishes: once the flushed LSN covers every record
        // (a checkpoint, or a migration run's closing checkpoint, which does not rotate),
        // deleting the whole WAL loses nothing, and the store opens with everything.
        QFETCH(bool, checkpoint);
        const QString path =
            m_dir.filePath(QStringLiteral("walcovered-%1").arg(QTest::currentDataTag()));
        const QString wal = QDir(path).filePath(QStringLiteral("wal"));
        Store::create(path);
        Store::Options options;
        options.walSegmentBytes = 16 * 1024;
        {
            Store store(path, options);
            store.open();
            store.append(bigVersions(1, 301));
            QVERIFY(MigrationRun(store, everythingOld(50), kFarFuture).run().migrated > 0);
            if (checkpoint)
                store.checkpoint();
            QCOMPARE(store.flushedLsn(), store.wal().lastLsn());
            QCOMPARE(store.cold().newestWalSegment(), quint64(0));
            QVERIFY(checkpoint || store.wal().segments().back().records > 0);
        }
        for (const QString& f : QDir(wal).entryList(QDir::Files))
            QVERIFY(QFile::remove(QDir(wal).filePath(f)));
        Store store(path, options);
        QCOMPARE(openFailure(store), QString());
        const QString problem = checkAll(store, 300);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        // And the log carries on, its new segment recorded before it takes a record.
        store.append(bigVersions(301, 302));
        QCOMPARE(store.cold().newestWalSegment(), store.wal().segments().back().firstLsn);
    }

    // A restore that runs out of space leaves nothing: before, its copy (cold tier whole, the
    // WAL cut part way) opened and verified clean, short of every version after the cut.
    void restoreOntoAFullDiskLeavesNothing()
    {
        Tmpfs fs(m_dir.filePath(QStringLiteral("restorefull")));
        REQUIRE_TMPFS(fs);
        const QString path = m_dir.filePath(QStringLiteral("restorefull-source"));
        const QString backup = m_dir.filePath(QStringLiteral("restorefull-backup"));
        Store::create(path);
        {
            Store store(path);
            store.open();
            store.append(bigVersions(1, 3001)); // about 6 MB of WAL, all needed by the copy
            StoreBackup::backup(store, backup);
        }
        qint64 bytes = 0;
        QDirIterator it(backup, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext())
            bytes += QFileInfo(it.next()).size();
        // Into new parents (a/b/r, made for the copy) and into an empty directory that was
        // there before, group-readable: a failure leaves neither the parents nor a changed mode.
        const QString emptyBefore = fs.path(QStringLiteral("empty"));
        QVERIFY(QDir().mkdir(emptyBefore));
        QCOMPARE(::chmod(QFile::encodeName(emptyBefore).constData(), 0750), 0);
        fs.fill(bytes / 2);
        const QString dest = fs.path(QStringLiteral("a/b/r/")); // as a shell completes it
        for (const QString& target : {dest, emptyBefore}) {
            QString message;
            try {
                StoreBackup::restore(backup, target);
            } catch (const FrostlineError& e) {
                message = e.message();
            }
            qInfo("restore onto a full disk: %s", qPrintable(message));
            QVERIFY2(message.contains(QLatin1String("No space left on device")),
                     qPrintable(message));
            ++m_faults;
        }
        QVERIFY2(!QFileInfo::exists(dest), "the cut-short copy was left behind");
        QVERIFY2(!QFileInfo::exists(fs.path(QStringLiteral("a"))),
                 "the parents made for the copy were left behind");
        QVERIFY(QDir(emptyBefore).isEmpty());
        struct stat after = {};
        QCOMPARE(::stat(QFile::encodeName(emptyBefore).constData(), &after), 0);
        QCOMPARE(after.st_mode & 07777, mode_t(0750));
        fs.free();
        StoreBackup::restore(backup, dest);
        const QString problem = reopenAndCheck(dest, 3000);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    // frostline-cli backup onto a destination that fills up, at several points of the copy
    // (WAL segments, Berkeley DB's files, the copy's own regions): exit 1, one line that leads
    // with the full disk and names the destination, never the store being copied; and no copy
    // is left that could pass for a backup.
    void backupOntoAFullDisk()
    {
        Tmpfs fs(m_dir.filePath(QStringLiteral("backupfull")), QStringLiteral("256m"));
        REQUIRE_TMPFS(fs);
        const QString path = m_dir.filePath(QStringLiteral("backupfull-source"));
        Store::create(path);
        {
            Store store(path);
            store.open();
            store.append(bigVersions(1, 3001));
            StoreBackup::backup(store, m_dir.filePath(QStringLiteral("backupfull-measure")));
        }
        qint64 bytes = 0;
        QDirIterator it(m_dir.filePath(QStringLiteral("backupfull-measure")), QDir::Files,
                        QDirIterator::Subdirectories);
        while (it.hasNext())
            bytes += QFileInfo(it.next()).size();
        constexpr qint64 kMiB = 1024 * 1024;
        // Free space from nothing to more than the backup needs: each step of the copy meets
        // the full disk somewhere in this sweep.
        std::vector<qint64> leaves{qint64(64) * 1024, 3 * kMiB};
        for (const int tenths : {4, 6, 7, 8, 9, 12}) // SIGBUS came at 8 on the dev machine
            leaves.push_back(bytes * tenths / 10);
        for (const qint64 leave : leaves) {
            fs.fill(leave);
            const QString dest = fs.path(QStringLiteral("b"));
            const test::CliResult r = test::runCli({QStringLiteral("backup"), path, dest});
            const QString message = QString::fromLocal8Bit(r.err).trimmed();
            qInfo("backup with %lld bytes free: exit %d: %s", leave, r.exitCode,
                  qPrintable(message));
            fs.free();
            if (r.exitCode == 0) { // it fitted: a whole backup
                QVERIFY(!QFileInfo::exists(Store::unfinishedCopyMarker(dest)));
                QVERIFY(QDir(dest).removeRecursively());
                continue;
            }
            ++m_faults;
            QCOMPARE(r.exitCode, 1);
            QCOMPARE(message.count(QLatin1Char('\n')), 0);
            QVERIFY2(message.contains(QLatin1String("No space left on device")),
                     qPrintable(message));
            QVERIFY2(!message.contains(QLatin1String("Operation not permitted")),
                     qPrintable(message));
            const bool regionFault = message.contains(QLatin1String("region files in"));
            if (regionFault) // the handler names the command and the environment that
                             // faulted: the copy's
                QVERIFY2(message.startsWith(QLatin1String("frostline-cli backup: ")) &&
                             message.contains(QLatin1String("region files in ") + dest) &&
                             message.contains(QLatin1String("left unfinished: delete ") + dest +
                                              QLatin1String(" before you run again")),
                         qPrintable(message));
            // A failure the process survived removed the copy; a SIGBUS ends the process on the
            // spot, and the copy keeps its unfinished marker: it never opens.
            if (QFileInfo::exists(dest)) {
                QVERIFY2(regionFault, qPrintable(message));
                QVERIFY(QFileInfo::exists(Store::unfinishedCopyMarker(dest)));
                QVERIFY(QDir(dest).removeRecursively());
            }
        }
        const QString problem = reopenAndCheck(path, 3000);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    void exportFillsTheDisk()
    {
        // An export redirected to a file system that fills up part-way: the writes that got
        // through were short, not failed, and the message must still say why (it said "Unknown
        // error" when a short write was taken for a failure without an errno).
        Tmpfs fs(m_dir.filePath(QStringLiteral("dumpfs")), QStringLiteral("256k"));
        REQUIRE_TMPFS(fs);
        const QString path = m_dir.filePath(QStringLiteral("dumped"));
        createStore(path, 1000); // about 2 MB of JSONL
        QProcess p;
        p.setStandardOutputFile(fs.path(QStringLiteral("dump.jsonl")));
        p.start(test::cliPath(), {QStringLiteral("export"), path});
        QVERIFY(p.waitForFinished(60000));
        const QByteArray err = p.readAllStandardError();
        qInfo("export to a full disk: %s", err.trimmed().constData());
        QCOMPARE(p.exitCode(), 1);
        QCOMPARE(err.count('\n'), 1);
        QVERIFY2(err.startsWith("frostline-cli export: cannot write to standard output: No space "
                                "left on device"),
                 err.constData());
        QVERIFY(QFileInfo(fs.path(QStringLiteral("dump.jsonl"))).size() > 0); // it got part-way
        ++m_faults;
        const QString problem = reopenAndCheck(path, 1000);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    void openOnAFullDisk()
    {
        // Opening runs Berkeley DB's recovery, which lays down its region files (about 27 MB)
        // when there are none, as in a store just restored from a backup or copied; on a full
        // file system Berkeley DB panicked and the message said "run database recovery". The
        // message names the cause instead, and the store opens once there is room.
        Tmpfs fs(m_dir.filePath(QStringLiteral("openfs")), QStringLiteral("100m"));
        REQUIRE_TMPFS(fs);
        const QString path = fs.path(QStringLiteral("s"));
        QVERIFY(createStore(path, 300, true) > 0);
        const QDir cold(QDir(path).filePath(QStringLiteral("cold")));
        const QStringList regions = cold.entryList({QStringLiteral("__db.*")}, QDir::Files);
        QVERIFY(!regions.isEmpty());
        for (const QString& region : regions)
            QVERIFY(QFile::remove(cold.filePath(region)));
        fs.fill(0);
        Store store(path);
        const QString message = openFailure(store);
        qInfo("open on a full disk: %s", qPrintable(message));
        QVERIFY(!store.isOpen());
        QVERIFY2(message.contains(QLatin1String("No space left on device")) &&
                     message.contains(QLatin1String("free some space")) &&
                     !message.contains(QLatin1String("recovery")),
                 qPrintable(message));
        const auto cli = test::runCli({QStringLiteral("stats"), path});
        QCOMPARE(cli.exitCode, 1);
        QCOMPARE(cli.err.count('\n'), 1);
        QVERIFY2(cli.err.contains("No space left on device"), cli.err.constData());
        ++m_faults;
        fs.free();
        const QString problem = reopenAndCheck(path, 300);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    void aStoreThisUserMayNotEnterIsSaidAsSuch()
    {
        // A store of another user (owner-only, as init makes it) read as "not a Frostline store;
        // run init first", exit 2: wrong advice, and a script took it for bad input. It is a
        // runtime failure that names the reason.
        QTemporaryDir dir;
        QVERIFY(QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::WriteOwner |
                                                      QFile::ExeOwner | QFile::ReadOther |
                                                      QFile::ExeOther));
        const QString store = dir.filePath(QStringLiteral("store"));
        QCOMPARE(test::runCli({QStringLiteral("init"), store}).exitCode, 0);
        QProcess p;
        if (::geteuid() == 0) {
            // Root passes every permission check: the CLI runs as nobody, from a copy nobody
            // may execute (the build tree may be out of its reach).
            const QString cli = dir.filePath(QStringLiteral("frostline-cli"));
            QVERIFY(QFile::copy(test::cliPath(), cli));
            QVERIFY(QFile::setPermissions(cli, QFile::ReadOwner | QFile::ExeOwner |
                                                   QFile::ReadOther | QFile::ExeOther));
            p.start(QStringLiteral("setpriv"),
                    {QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"),
                     QStringLiteral("--clear-groups"), cli, QStringLiteral("stats"), store});
        } else {
            QVERIFY(QFile::setPermissions(store, QFile::WriteOwner));
            p.start(test::cliPath(), {QStringLiteral("stats"), store});
        }
        QVERIFY(p.waitForFinished(120000));
        QFile::setPermissions(store, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        QCOMPARE(p.readAllStandardError(), QByteArray("frostline-cli stats: cannot look at store " +
                                                      store.toUtf8() + ": Permission denied\n"));
        QCOMPARE(p.exitCode(), 1);
        // For its owner it opens as ever.
        QCOMPARE(test::runCli({QStringLiteral("verify"), store}).exitCode, 0);
    }

    void aStoreOnReadOnlyMediaSaysWhatToDo()
    {
        // A snapshot or a read-only mount: every open writes (the lock, recovery), so the store
        // cannot be opened in place. The error said only "cannot open store.lock: Read-only
        // file system"; it now says why and what to do. The store itself is untouched.
        Tmpfs fs(m_dir.filePath(QStringLiteral("readonlyfs")), QStringLiteral("100m"));
        REQUIRE_TMPFS(fs);
        const QString path = fs.path(QStringLiteral("s"));
        QCOMPARE(test::makeGeneratedStore(path, 300, 30, 30, 2), quint64(300));
        QVERIFY2(fs.readOnly(path), qPrintable(fs.error()));
        Store store(path);
        const QString expected =
            QStringLiteral("store %1 is on a read-only file system: opening a store writes to it "
                           "(its lock, Berkeley DB's recovery); copy the directory to a writable "
                           "place and open the copy")
                .arg(path);
        QCOMPARE(openFailure(store), expected);
        const auto cli = test::runCli({QStringLiteral("stats"), path});
        QCOMPARE(cli.exitCode, 1);
        QCOMPARE(QString::fromLocal8Bit(cli.err),
                 QStringLiteral("frostline-cli stats: ") + expected + QLatin1Char('\n'));
        ++m_faults;
        QVERIFY2(fs.writable(path), qPrintable(fs.error()));
        QCOMPARE(openFailure(store), QString());
        QCOMPARE(store.verify(), QStringList());
        QCOMPARE(store.statistics().hotVersions, quint64(300));
    }

    void verifyJsonAnswersOnAFullDisk()
    {
        // A store whose Berkeley DB region files are there but sparse: on a full file system
        // the open's first touch of a fresh region page raises SIGBUS inside Berkeley DB. The
        // process ends there, and verify --json printed nothing on stdout: a script reading it
        // got no answer. Now stdout holds the same JSON as for a store that does not open.
        Tmpfs fs(m_dir.filePath(QStringLiteral("verifyfs")), QStringLiteral("100m"));
        REQUIRE_TMPFS(fs);
        const QString path = fs.path(QStringLiteral("s"));
        QCOMPARE(test::makeGeneratedStore(path, 3000, 100, 30, 1), quint64(3000));
        fs.fill(0);
        const auto cli = test::runCli({QStringLiteral("verify"), path, QStringLiteral("--json")});
        QCOMPARE(cli.exitCode, 1);
        QCOMPARE(cli.err.count('\n'), 1);
        QVERIFY2(cli.err.contains("region files in") && cli.err.contains("No space left"),
                 cli.err.constData());
        QJsonParseError error;
        const QJsonDocument answer = QJsonDocument::fromJson(cli.out, &error);
        QVERIFY2(error.error == QJsonParseError::NoError, cli.out.constData());
        QCOMPARE(answer.object().value(QStringLiteral("ok")), QJsonValue(false));
        // The problem is the stderr line without its "frostline-cli verify: " prefix.
        const QJsonArray problems = answer.object().value(QStringLiteral("problems")).toArray();
        QCOMPARE(problems.size(), 1);
        QCOMPARE("frostline-cli verify: " + problems.first().toString().toLocal8Bit() + '\n',
                 cli.err);
        ++m_faults;
        fs.free();
        Store store(path);
        const QString failure = openFailure(store);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        QCOMPARE(store.verify(), QStringList());
        QCOMPARE(store.statistics().hotVersions, quint64(3000));
    }

    void generateFillsTheDisk()
    {
        // generate on a disk that fills up part-way: its message gives the count of this run's
        // versions that are durable (it used to give the count inside one internal slice).
        Tmpfs fs(m_dir.filePath(QStringLiteral("genfs")), QStringLiteral("256m"));
        REQUIRE_TMPFS(fs);
        const QString path = fs.path(QStringLiteral("s"));
        QCOMPARE(test::runCli({QStringLiteral("init"), path}).exitCode, 0);
        // Room for opening (recovery lays down Berkeley DB's region files and a log file again,
        // about 65 MB) and about 15 MB of WAL, a third of the ~45 MB the run would write.
        fs.fill(80 * 1024 * 1024);
        const auto r = test::runCli(
            {QStringLiteral("generate"), path, QStringLiteral("--entities"), QStringLiteral("1000"),
             QStringLiteral("--versions"), QStringLiteral("300000"), QStringLiteral("--span-days"),
             QStringLiteral("30"), QStringLiteral("--seed"), QStringLiteral("5")});
        qInfo("generate on a full disk: %s", r.err.trimmed().constData());
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(r.err.count('\n'), 1);
        const QRegularExpression count(
            QStringLiteral("No space left on device.*; the first (\\d+) generated versions "
                           "\\(ids 1\\.\\.(\\d+)\\) were appended before the failure"));
        const auto m = count.match(QString::fromUtf8(r.err));
        QVERIFY2(m.hasMatch(), r.err.constData());
        const quint64 durable = m.captured(1).toULongLong();
        QCOMPARE(m.captured(2).toULongLong(), durable);
        QVERIFY(durable > Store::kAppendChunk && durable < 300000);
        ++m_faults;
        fs.free();
        Store store(path);
        QCOMPARE(openFailure(store), QString());
        QVERIFY(store.verify().isEmpty());
        QCOMPARE(store.maxVersionId(), durable);
        QCOMPARE(store.statistics().hotVersions, durable);
    }

    void cleanupTestCase() { qInfo("faults injected: %d", m_faults); }
};

QTEST_GUILESS_MAIN(TestFaults)
#include "tst_faults.moc"
