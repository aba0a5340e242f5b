#include "activitypage.h"
#include "guitestsupport.h"
#include "jsonlcodec.h"
#include "migrationservice.h"
#include "newstoredialog.h"
#include "store.h"
#include "storecontroller.h"
#include "testsupport.h"
#include "workloadgenerator.h"

#include <QDir>
#include <QFile>
#include <QListWidget>
#include <QSemaphore>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <memory>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace frostline;

namespace {

// Holds the migration worker inside its first committed batch until released (or until the
// deadline, so that a controller that waits for the worker fails the test instead of hanging).
// Shared: the worker may still touch it after a failed test function has returned.
struct BatchGate
{
    QSemaphore entered;
    QSemaphore release;
    std::atomic<bool> first{true};
    std::atomic<bool> runReturned{false};

    static std::shared_ptr<BatchGate> install(MigrationService* service)
    {
        auto gate = std::make_shared<BatchGate>();
        // Direct: these run on the service's worker, in the run itself.
        QObject::connect(
            service, &MigrationService::batchCommitted, service,
            [gate] {
                if (gate->first.exchange(false)) {
                    gate->entered.release();
                    gate->release.tryAcquire(1, 30000);
                }
            },
            Qt::DirectConnection);
        QObject::connect(
            service, &MigrationService::runFinished, service, [gate] { gate->runReturned = true; },
            Qt::DirectConnection);
        QObject::connect(
            service, &MigrationService::failed, service, [gate] { gate->runReturned = true; },
            Qt::DirectConnection);
        return gate;
    }
};

QByteArray jsonlOf(const std::vector<Version>& versions)
{
    QByteArray out;
    for (const Version& v : versions)
        out += JsonlCodec::encode(v) + '\n';
    return out;
}

std::vector<Version> generated(quint64 versions, quint64 seed)
{
    WorkloadGenerator::Options o;
    o.entities = 200;
    o.versions = versions;
    o.spanDays = 30;
    o.seed = seed;
    return WorkloadGenerator(o).generateAll();
}

} // namespace

class TestGuiStoreController : public QObject
{
    Q_OBJECT

    // Opens PATH and makes every version older than a day eligible, BATCH versions a batch.
    static bool openForMigration(StoreController& c, const QString& path, quint64 batch)
    {
        QSignalSpy opened(&c, &StoreController::storeOpened);
        c.openStore(path);
        if (!opened.wait(120000))
            return false;
        MigrationPolicy policy;
        policy.batchSize = batch;
        policy.ageThresholdMicros = 86400LL * 1'000'000;
        QSignalSpy applied(&c, &StoreController::policyApplied);
        c.applyPolicy(policy);
        return applied.wait(60000) && c.activePolicy() == policy;
    }

private slots:
    void closingDuringAMigrationReturnsWhileTheRunIsInFlight()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("store"));
        test::makeGeneratedStore(path, 20000, 400, 60, 11);
        StoreController c;
        QVERIFY(openForMigration(c, path, 50));
        auto gate = BatchGate::install(c.service());
        QSignalSpy closed(&c, &StoreController::storeClosed);
        c.runMigrationOnce(c.activePolicy());
        QVERIFY(gate->entered.tryAcquire(1, 60000)); // the run has committed one batch

        c.closeStore();
        // Close returned while the run is still held inside its batch: it did not wait for it.
        const bool runWasInFlight = !gate->runReturned.load();
        gate->release.release();
        QVERIFY(runWasInFlight);
        QCOMPARE(closed.count(), 1);
        QVERIFY(!c.isOpen());
        QVERIFY(c.service() == nullptr);

        // The same directory opens again once the old Store is gone (its lock released), with
        // the batch that committed before the close in the cold tier.
        QSignalSpy opened(&c, &StoreController::storeOpened);
        QSignalSpy stats(&c, &StoreController::statisticsUpdated);
        c.openStore(path);
        QVERIFY(opened.wait(120000));
        QVERIFY(gate->runReturned.load());
        QVERIFY(stats.count() > 0 || stats.wait(60000));
        const auto s = stats.last().at(0).value<StoreStatistics>();
        QVERIFY(s.coldNodeVersions + s.coldEdgeVersions >= 50);
        QCOMPARE(test::totalVersions(s), quint64(20000));
        c.closeStore();
        c.waitForWorkers();
    }

    void openingAnotherStoreDoesNotWaitForTheClosingOne()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString busy = dir.filePath(QStringLiteral("busy"));
        const QString other = dir.filePath(QStringLiteral("other"));
        test::makeGeneratedStore(busy, 20000, 400, 60, 12);
        test::makeGeneratedStore(other, 500, 50, 10, 13);
        StoreController c;
        QVERIFY(openForMigration(c, busy, 50));
        auto gate = BatchGate::install(c.service());
        c.runMigrationOnce(c.activePolicy());
        QVERIFY(gate->entered.tryAcquire(1, 60000));

        // BUSY closes on a worker that waits for its held run; OTHER has nothing to wait for.
        QSignalSpy opened(&c, &StoreController::storeOpened);
        c.openStore(other);
        const bool openedWhileHeld = opened.wait(60000) && !gate->runReturned.load();
        gate->release.release();
        QVERIFY(openedWhileHeld);
        QCOMPARE(c.storePath(), QDir::cleanPath(other));
        // And BUSY itself opens again once its old Store is gone.
        c.openStore(busy);
        QVERIFY(opened.wait(120000));
        QCOMPARE(c.storePath(), QDir::cleanPath(busy));
        c.closeStore();
        c.waitForWorkers();
    }

    void reopeningAStoreWhileItOpensOpensIt()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString a = QDir::cleanPath(dir.filePath(QStringLiteral("a")));
        const QString b = QDir::cleanPath(dir.filePath(QStringLiteral("b")));
        // Enough WAL that the first open is still recovering (holding A's lock) when the second
        // one starts on the other worker.
        test::makeGeneratedStore(a, 15000, 300, 60, 14);
        test::makeGeneratedStore(b, 500, 50, 10, 15);
        StoreController c;
        QSignalSpy failed(&c, &StoreController::operationFailed);
        QSignalSpy opened(&c, &StoreController::storeOpened);
        auto settle = [&] {
            c.waitForWorkers();
            QCoreApplication::sendPostedEvents();
            c.waitForWorkers();
            QCoreApplication::sendPostedEvents();
        };
        auto failures = [&] {
            QStringList out;
            for (const auto& f : failed)
                out << f.at(0).toString() + QStringLiteral(": ") + f.at(1).toString();
            return out.join(QLatin1Char('\n'));
        };

        // A twice (Open recent clicked again), then A, B, A: the last one asked for opens,
        // nothing fails, and the superseded opens are never shown. Which of two opens running
        // at once reaches the lock first is up to the scheduler: six rounds.
        for (int round = 1; round <= 6; ++round) {
            c.openStore(a);
            c.openStore(a);
            QVERIFY(test::waitUntil([&] { return c.isOpen(); }, std::chrono::seconds(120)));
            settle();
            QVERIFY2(failed.isEmpty(), qPrintable(failures()));
            QCOMPARE(opened.count(), round);
            QCOMPARE(c.storePath(), a);
            QCOMPARE(c.hotVersions(), quint64(15000));
        }
        opened.clear();

        c.openStore(b);
        c.openStore(a);
        QVERIFY(test::waitUntil([&] { return c.isOpen(); }, std::chrono::seconds(120)));
        settle();
        QVERIFY2(failed.isEmpty(), qPrintable(failures()));
        QCOMPARE(opened.count(), 1);
        QCOMPARE(opened.last().at(0).toString(), a);
        QCOMPARE(c.storePath(), a);

        // Close during the open, then open again: the abandoned open's store is waited for.
        c.closeStore();
        c.openStore(a);
        c.closeStore();
        c.openStore(a);
        QVERIFY(test::waitUntil([&] { return c.isOpen(); }, std::chrono::seconds(120)));
        settle();
        QVERIFY2(failed.isEmpty(), qPrintable(failures()));
        QCOMPARE(c.storePath(), a);
        c.closeStore();
        c.waitForWorkers();
    }

    void resultsAboutAClosedStoreDoNotShowForTheNextOne()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString a = QDir::cleanPath(dir.filePath(QStringLiteral("a")));
        const QString b = QDir::cleanPath(dir.filePath(QStringLiteral("b")));
        test::makeGeneratedStore(a, 3000, 100, 30, 16);
        test::makeGeneratedStore(b, 500, 50, 10, 17);
        StoreController c;
        ActivityPage activity(&c);
        auto* lastCheck = activity.findChild<QListWidget*>();
        QVERIFY(lastCheck);
        QSignalSpy opened(&c, &StoreController::storeOpened);
        c.openStore(a);
        QVERIFY(opened.wait(120000));
        QSignalSpy openedB(&c, &StoreController::storeOpened);

        QSignalSpy checkpointed(&c, &StoreController::checkpointFinished);
        QSignalSpy verified(&c, &StoreController::verifyFinished);
        QSignalSpy finished(&c, &StoreController::operationFinished);
        QSignalSpy failed(&c, &StoreController::operationFailed);
        c.requestCheckpoint();
        c.requestVerify();
        // An import of a file that does not exist: its failure arrives after the switch too.
        c.importFile(dir.filePath(QStringLiteral("missing.jsonl")));
        c.openStore(b); // before any of their results can arrive (they are queued to this thread)
        QVERIFY(test::waitUntil([&] { return c.isOpen(); }, std::chrono::seconds(120)));
        c.waitForWorkers();
        QCoreApplication::sendPostedEvents();

        // A's checkpoint and verify changed nothing shown for B ...
        QCOMPARE(checkpointed.count(), 0);
        QCOMPARE(verified.count(), 0);
        QCOMPARE(openedB.count(), 1);
        const auto reportB = openedB.first().at(1).value<Store::OpenReport>();
        QVERIFY(reportB.flushedLsn < 3000); // A's checkpoint would have shown 3000
        QCOMPARE(c.flushedLsn(), reportB.flushedLsn);
        // A's verify, had it come, was of A; B has had none yet.
        QCOMPARE(lastCheck->count(), 1);
        QCOMPARE(lastCheck->item(0)->text(), QStringLiteral("Not run yet on %1.").arg(b));
        // ... and their summaries and the failure say which store they were about.
        // Their endings say so too: nothing about A may clear a failure shown for B.
        QStringList aboutA;
        for (const auto& f : finished)
            if (f.at(0).toString() != StoreController::tr("Open store")) {
                aboutA << f.at(1).toString();
                QCOMPARE(f.at(2).value<StoreController::Ending>(),
                         StoreController::Ending::AboutAClosedStore);
            }
        for (const auto& f : failed)
            aboutA << f.at(1).toString();
        QCOMPARE(aboutA.size(), 3);
        for (const QString& message : aboutA)
            QVERIFY2(message.endsWith(QStringLiteral("(store %1, closed since)").arg(a)),
                     qPrintable(message));

        // The same requests on the open store still show.
        finished.clear();
        c.requestVerify();
        QVERIFY(verified.wait(60000));
        QCOMPARE(verified.last().at(0).toStringList(), QStringList());
        QCOMPARE(finished.size(), 1);
        // What was checked, as the CLI says it ("The store is sound." told less).
        QCOMPARE(finished.first().at(1).toString(),
                 QStringLiteral("The store is sound: 500 hot and 0 cold versions, each in exactly "
                                "one tier; WAL LSNs 1..500 intact; flushed LSN %1.")
                     .arg(reportB.flushedLsn));
        // The Activity page's last check names the store it was of.
        QCOMPARE(lastCheck->count(), 1);
        QVERIFY2(lastCheck->item(0)->text().endsWith(QStringLiteral(": %1 is sound.").arg(b)),
                 qPrintable(lastCheck->item(0)->text()));
        QCOMPARE(finished.first().at(2).value<StoreController::Ending>(),
                 StoreController::Ending::Completed);
        c.closeStore();
        c.waitForWorkers();
    }

    void previewsOfTwoPagesDoNotSupersedeEachOther()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("store"));
        test::makeGeneratedStore(path, 3000, 100, 30, 18);
        StoreController c;
        QSignalSpy opened(&c, &StoreController::storeOpened);
        c.openStore(path);
        QVERIFY(opened.wait(120000));
        QObject pageA, pageB;
        MigrationPolicy older, newer;
        newer.ageThresholdMicros = 1;
        const qint64 now = currentMicros();
        QSignalSpy ready(&c, &StoreController::previewReady);
        const quint64 a1 = c.requestPreview(older, now, &pageA);
        const quint64 b1 = c.requestPreview(newer, now, &pageB);
        const quint64 a2 = c.requestPreview(newer, now, &pageA); // supersedes A's first only
        QVERIFY(a1 > 0 && b1 > a1 && a2 > b1);
        c.waitForWorkers();
        QCoreApplication::sendPostedEvents();
        QList<quint64> answered;
        for (const auto& r : ready)
            answered << r.at(0).value<quint64>();
        std::sort(answered.begin(), answered.end());
        QCOMPARE(answered, (QList<quint64>{b1, a2}));
        c.closeStore();
        c.waitForWorkers();
    }

    void quickAppliesLeaveTheNewestPolicyInTheFile()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("store"));
        test::makeGeneratedStore(path, 300, 30, 10, 19);
        StoreController c;
        QSignalSpy opened(&c, &StoreController::storeOpened);
        c.openStore(path);
        QVERIFY(opened.wait(120000));
        // Ten rounds of Apply clicked five times quickly: the window's active policy and
        // policy.json both end with the last one.
        for (int round = 0; round < 10; ++round) {
            MigrationPolicy last;
            for (int i = 1; i <= 5; ++i) {
                last = MigrationPolicy();
                last.batchSize = quint64(round * 10 + i);
                c.applyPolicy(last);
            }
            c.waitForWorkers();
            QCoreApplication::sendPostedEvents();
            QCOMPARE(c.activePolicy(), last);
            QCOMPARE(MigrationPolicy::load(c.store()->policyPath()), last);
            QCOMPARE(c.service()->policy(), last);
        }
        c.closeStore();
        c.waitForWorkers();
    }

    void theNewStoreDialogMindsOnlyItsOwnOperation()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = QDir::cleanPath(dir.filePath(QStringLiteral("demo")));
        StoreController c;
        NewStoreDialog dialog(&c);
        dialog.setPath(path);
        dialog.setWorkload(200, 60000, 10, 7);
        QSignalSpy opened(&c, &StoreController::storeOpened);
        dialog.create();
        // Another window's operation fails and its Cancel is pressed while the demo store is
        // being generated: neither is the dialog's.
        emit c.operationFailed(StoreController::tr("Import"), QStringLiteral("refused"));
        c.cancelOperation();
        QVERIFY2(!dialog.statusText().contains(QStringLiteral("failed")),
                 qPrintable(dialog.statusText()));
        QVERIFY(opened.wait(120000));
        QCOMPARE(opened.first().at(0).toString(), path);
        QCOMPARE(c.hotVersions(), quint64(60000)); // generated to the end
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        c.closeStore();
        c.waitForWorkers();
    }

    // Verify and checkpoint show their steps on the Activity page, with a Cancel that stops
    // them: the verify changing nothing, the checkpoint keeping what it committed.
    void verifyAndCheckpointShowProgressAndCanBeCancelled()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("store"));
        test::makeGeneratedStore(path, 25000, 400, 30, 20);
        StoreController c;
        ActivityPage page(&c);
        QSignalSpy opened(&c, &StoreController::storeOpened);
        c.openStore(path);
        QVERIFY(opened.wait(120000));
        QSignalSpy steps(&c, &StoreController::stepProgress);
        QSignalSpy finished(&c, &StoreController::operationFinished);
        QSignalSpy verified(&c, &StoreController::verifyFinished);
        auto summaryOf = [&](const QString& what) {
            return test::waitUntil(
                       [&] {
                           return std::any_of(finished.begin(), finished.end(), [&](const auto& f) {
                               return f.at(0).toString() == what;
                           });
                       },
                       std::chrono::seconds(120))
                       ? std::find_if(finished.begin(), finished.end(),
                                      [&](const auto& f) { return f.at(0).toString() == what; })
                             ->at(1)
                             .toString()
                       : QString();
        };

        // Cancelled from the page. The writers are paused meanwhile, so the worker (which
        // takes the writer mutex first) sees the request at its first check.
        {
            const auto paused = c.store()->pauseWriters();
            c.requestVerify();
            QVERIFY(page.isShowingProgress());
            QVERIFY(page.cancelButton()->isEnabled());
            QTest::mouseClick(page.cancelButton(), Qt::LeftButton);
        }
        QCOMPARE(summaryOf(StoreController::tr("Verify")),
                 QStringLiteral("Verify cancelled; it changed nothing."));
        QVERIFY(!page.isShowingProgress());
        QCOMPARE(verified.count(), 0);

        // Run to the end: the steps arrive, the last one counting the WAL records.
        finished.clear();
        c.requestVerify();
        QVERIFY(verified.wait(120000));
        QCOMPARE(verified.last().at(0).toStringList(), QStringList());
        QVERIFY(test::waitUntil([&] { return !page.isShowingProgress(); }));
        QStringList seen;
        quint64 walTotal = 0;
        for (const auto& step : steps) {
            seen << step.at(1).toString();
            if (step.at(1).toString() == QLatin1String("WAL records against the tiers"))
                walTotal = step.at(3).value<quint64>();
        }
        QVERIFY2(seen.contains(QStringLiteral("decoding every record of nodes.db")),
                 qPrintable(seen.join(QLatin1String(", "))));
        QCOMPARE(walTotal, quint64(25000));

        // A checkpoint cancelled before its first chunk writes nothing; the next writes all.
        finished.clear();
        {
            const auto paused = c.store()->pauseWriters();
            c.requestCheckpoint();
            c.cancelCheckpoint();
        }
        QCOMPARE(summaryOf(StoreController::tr("Checkpoint")),
                 QStringLiteral("Checkpoint cancelled after 0 versions; flushed LSN 0 (the next "
                                "checkpoint writes the rest)"));
        finished.clear();
        c.requestCheckpoint();
        QVERIFY2(summaryOf(StoreController::tr("Checkpoint"))
                     .startsWith(QStringLiteral("Checkpointed 25000 versions; flushed LSN 25000")),
                 qPrintable(summaryOf(StoreController::tr("Checkpoint"))));
        QVERIFY(!page.isShowingProgress());
        c.closeStore();
        c.waitForWorkers();
    }

    void openingAFolderThatIsNoStoreKeepsTheOpenStore()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("store"));
        test::makeGeneratedStore(path, 1000, 100, 10, 14);
        const QString plain = dir.filePath(QStringLiteral("plain"));
        QVERIFY(QDir().mkpath(plain + QStringLiteral("/something")));
        StoreController c;
        QSignalSpy opened(&c, &StoreController::storeOpened);
        c.openStore(path);
        QVERIFY(opened.wait(120000));

        // What a backup looks like (never opened), a copy cut short, and a store another
        // process has open (this test holds its lock): each refused before the open store closes.
        const QString backup = dir.filePath(QStringLiteral("backup"));
        const QString unfinished = dir.filePath(QStringLiteral("unfinished"));
        for (const QString& copy : {backup, unfinished}) {
            QVERIFY(QDir().mkpath(copy + QStringLiteral("/wal")));
            QVERIFY(QDir().mkpath(copy + QStringLiteral("/cold")));
        }
        test::writeFile(backup + QStringLiteral("/backup.json"), "{}");
        test::writeFile(Store::unfinishedCopyMarker(unfinished),
                        "This restore did not finish: the directory may lack data.\n");
        const QString other = dir.filePath(QStringLiteral("other"));
        Store::create(other);
        StoreLock otherProcess;
        otherProcess.acquire(other);
        const std::vector<std::pair<QString, QString>> refusals = {
            {plain, QStringLiteral("is not a Frostline store")},
            {dir.filePath(QStringLiteral("missing")), QStringLiteral("does not exist")},
            {backup, QStringLiteral("is a backup (backup.json is there), not a store")},
            {unfinished, QStringLiteral("is an unfinished backup or restore")},
            {other, QStringLiteral(
                        "is locked: it is open elsewhere (another process, or another window)")}};
        QSignalSpy failed(&c, &StoreController::operationFailed);
        QSignalSpy closed(&c, &StoreController::storeClosed);
        for (const auto& [wrong, why] : refusals) {
            failed.clear();
            c.openStore(wrong);
            QVERIFY(failed.count() > 0 || failed.wait(60000));
            QCOMPARE(failed.first().at(0).toString(), QStringLiteral("Open store"));
            const QString message = failed.first().at(1).toString();
            QVERIFY2(message.contains(wrong) && message.contains(why) &&
                         message.endsWith(
                             QStringLiteral(" %1 is still open.").arg(QDir::cleanPath(path))),
                     qPrintable(message));
            QCOMPARE(closed.count(), 0);
            QVERIFY(c.isOpen());
            QCOMPARE(c.storePath(), QDir::cleanPath(path));
        }
        otherProcess.release();
        // Still working: a statistics refresh answers with the store's versions.
        QSignalSpy stats(&c, &StoreController::statisticsUpdated);
        c.refreshStatistics();
        QVERIFY(stats.wait(60000));
        QCOMPARE(test::totalVersions(stats.last().at(0).value<StoreStatistics>()), quint64(1000));
        QCOMPARE(opened.count(), 1);
        c.closeStore();
        c.waitForWorkers();
    }

    void aMissingOrBadPolicyFileIsReportedAtOpen()
    {
        // The store opens with the default policy either way, and the operator is told why.
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("store"));
        test::makeGeneratedStore(path, 100, 10, 10, 5);
        const QString policyFile = QDir(path).filePath(QStringLiteral("policy.json"));
        for (const bool missing : {true, false}) {
            if (missing)
                QVERIFY(QFile::remove(policyFile));
            else
                test::writeFile(policyFile, R"({"batch_size": 0})");
            StoreController c;
            QSignalSpy failed(&c, &StoreController::operationFailed);
            QSignalSpy opened(&c, &StoreController::storeOpened);
            c.openStore(path);
            QVERIFY(opened.wait(120000));
            QCOMPARE(failed.count(), 1);
            QCOMPARE(failed.first().at(0).toString(), QStringLiteral("Load policy"));
            const QString message = failed.first().at(1).toString();
            QVERIFY2(message.startsWith(QStringLiteral("policy.json could not be read, using the "
                                                       "default policy: ")) &&
                         message.contains(missing ? QStringLiteral("does not exist")
                                                  : QStringLiteral("batch_size")),
                     qPrintable(message));
            QCOMPARE(c.activePolicy(), MigrationPolicy());
            c.closeStore();
            c.waitForWorkers();
        }
    }

    void aCutTornTailIsShownInTheOpenSummary()
    {
        // Recovery cuts an incomplete record from the WAL's tail; the open succeeds, and its
        // summary (status bar and activity log) says what was cut from which segment.
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("store"));
        test::makeGeneratedStore(path, 300, 30, 10, 5);
        const QDir wal(QDir(path).filePath(QStringLiteral("wal")));
        const QStringList segments =
            wal.entryList({QStringLiteral("*.wal")}, QDir::Files, QDir::Name);
        QVERIFY(!segments.isEmpty());
        QFile last(wal.filePath(segments.last()));
        QVERIFY(last.open(QIODevice::Append));
        QCOMPARE(last.write("\x01\x02\x03\x04\x05", 5), qint64(5));
        last.close();

        StoreController c;
        QSignalSpy finished(&c, &StoreController::operationFinished);
        QSignalSpy opened(&c, &StoreController::storeOpened);
        c.openStore(path);
        QVERIFY(opened.wait(120000));
        QCOMPARE(opened.first().at(1).value<Store::OpenReport>().tornBytesCut, qint64(5));
        QString summary;
        for (const auto& args : finished)
            if (args.at(0).toString() == QStringLiteral("Open store"))
                summary = args.at(1).toString();
        QVERIFY2(summary.contains(QStringLiteral("recovery cut 5 bytes")) &&
                     summary.contains(segments.last()),
                 qPrintable(summary));
        c.closeStore();
        c.waitForWorkers();

        // Nothing left to cut: the next open's summary says nothing of it.
        finished.clear();
        opened.clear();
        c.openStore(path);
        QVERIFY(opened.wait(120000));
        for (const auto& args : finished)
            if (args.at(0).toString() == QStringLiteral("Open store"))
                QVERIFY2(!args.at(1).toString().contains(QStringLiteral("recovery cut")),
                         qPrintable(args.at(1).toString()));
        c.closeStore();
        c.waitForWorkers();
    }

    void aCancelledImportImportsNothing()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("store"));
        Store::create(path);
        const QByteArray jsonl = jsonlOf(generated(3000, 21));
        // A pipe: the import cannot reach the end of its input before the test has cancelled.
        const QString fifo = dir.filePath(QStringLiteral("versions.jsonl"));
        QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
        StoreController c;
        QSignalSpy opened(&c, &StoreController::storeOpened);
        c.openStore(path);
        QVERIFY(opened.wait(120000));

        QSignalSpy finished(&c, &StoreController::operationFinished);
        QSignalSpy failed(&c, &StoreController::operationFailed);
        ::signal(SIGPIPE, SIG_IGN); // the import closes the pipe once it has been cancelled
        c.importFile(fifo);
        int fd = -1;
        QVERIFY(test::waitUntil([&] {
            fd = ::open(QFile::encodeName(fifo).constData(), O_WRONLY | O_NONBLOCK);
            return fd >= 0; // the import has opened the pipe for reading
        }));
        QCOMPARE(::fcntl(fd, F_SETFL, 0), 0);
        const qsizetype half = jsonl.size() / 2;
        QCOMPARE(::write(fd, jsonl.constData(), size_t(half)), ssize_t(half));
        c.cancelOperation();
        // The rest, as far as the reader still takes it, then the end of the input.
        [[maybe_unused]] const ssize_t rest =
            ::write(fd, jsonl.constData() + half, size_t(jsonl.size() - half));
        ::close(fd);
        QVERIFY(test::waitUntil([&] {
            return !failed.isEmpty() ||
                   std::any_of(finished.begin(), finished.end(), [](const QList<QVariant>& a) {
                       return a.at(0).toString() == QStringLiteral("Import");
                   });
        }));
        QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(1).toString()));
        QVERIFY2(finished.last().at(1).toString().contains(QLatin1String("cancelled")),
                 qPrintable(finished.last().at(1).toString()));
        QCOMPARE(c.hotVersions(), quint64(0));
        QCOMPARE(c.store()->wal().lastLsn(), quint64(0));

        // The same versions from a plain file import fine: the cancel, not the data, stopped it.
        const QString file = dir.filePath(QStringLiteral("plain.jsonl"));
        {
            QFile out(file);
            QVERIFY(out.open(QIODevice::WriteOnly));
            QCOMPARE(out.write(jsonl), jsonl.size());
        }
        finished.clear();
        c.importFile(file);
        QVERIFY(finished.wait(120000));
        QVERIFY2(finished.last().at(1).toString().startsWith(QLatin1String("Imported 3000")),
                 qPrintable(finished.last().at(1).toString()));
        QCOMPARE(c.hotVersions(), quint64(3000));
        c.closeStore();
        c.waitForWorkers();
    }

    void importReportsTheBytesRead()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("store"));
        Store::create(path);
        const QString file = dir.filePath(QStringLiteral("versions.jsonl"));
        const QByteArray jsonl = jsonlOf(generated(6000, 22));
        QVERIFY(jsonl.size() > 2 * 256 * 1024); // several reports, not just the last one
        {
            QFile out(file);
            QVERIFY(out.open(QIODevice::WriteOnly));
            QCOMPARE(out.write(jsonl), jsonl.size());
        }
        StoreController c;
        QSignalSpy opened(&c, &StoreController::storeOpened);
        c.openStore(path);
        QVERIFY(opened.wait(120000));

        QSignalSpy progress(&c, &StoreController::operationProgress);
        QSignalSpy finished(&c, &StoreController::operationFinished);
        c.importFile(file);
        QVERIFY(finished.wait(120000));
        QCOMPARE(finished.last().at(0).toString(), QStringLiteral("Import"));
        int reads = 0;
        qint64 previous = 0;
        for (const QList<QVariant>& args : progress) {
            QCOMPARE(args.at(0).toString(), QStringLiteral("Import"));
            if (args.at(1).value<StoreController::Phase>() != StoreController::Phase::Reading)
                break; // the append phase follows (importReportsTheAppendedVersions)
            ++reads;
            QVERIFY(args.at(2).toLongLong() > previous);
            QCOMPARE(args.at(3).toLongLong(), qint64(jsonl.size()));
            previous = args.at(2).toLongLong();
        }
        QVERIFY(reads >= 3);
        QCOMPARE(previous, qint64(jsonl.size())); // the last read report: the whole file read
        QCOMPARE(c.hotVersions(), quint64(6000));
        c.closeStore();
        c.waitForWorkers();
    }

    // After reading, an import reports its append phase: versions durably appended of the total,
    // from 0, after each chunk of 4,096, increasing, ending at the total; on the GUI thread,
    // each report no further than what the hot tier already holds.
    void importReportsTheAppendedVersions()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("store"));
        Store::create(path);
        constexpr qint64 kVersions = 2 * 4096 + 1808; // three append chunks
        const QString file = dir.filePath(QStringLiteral("versions.jsonl"));
        test::writeFile(file, jsonlOf(generated(quint64(kVersions), 23)));
        StoreController c;
        QSignalSpy opened(&c, &StoreController::storeOpened);
        c.openStore(path);
        QVERIFY(opened.wait(120000));

        struct Report
        {
            StoreController::Phase phase;
            qint64 done, total;
            quint64 hotVersions; // what the hot tier held when the report arrived
            bool onGuiThread;
        };
        std::vector<Report> reports;
        connect(&c, &StoreController::operationProgress, this,
                [&](const QString&, StoreController::Phase phase, qint64 done, qint64 total) {
                    reports.push_back({phase, done, total, c.hotVersions(),
                                       QThread::currentThread() == qApp->thread()});
                });
        QSignalSpy progress(&c, &StoreController::operationProgress);
        QSignalSpy finished(&c, &StoreController::operationFinished);
        QSignalSpy failed(&c, &StoreController::operationFailed);
        c.importFile(file);
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty() || !failed.isEmpty(), 120000);
        QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(1).toString()));
        QVERIFY2(finished.last().at(1).toString().startsWith(
                     QStringLiteral("Imported %1").arg(kVersions)),
                 qPrintable(finished.last().at(1).toString()));

        QCOMPARE(qsizetype(reports.size()), progress.count());
        std::vector<qint64> appended;
        for (std::size_t i = 0; i < reports.size(); ++i) {
            const Report& r = reports[i];
            QVERIFY(r.onGuiThread);
            QCOMPARE(progress.at(qsizetype(i)).at(0).toString(), QStringLiteral("Import"));
            QCOMPARE(progress.at(qsizetype(i)).at(1).value<StoreController::Phase>(), r.phase);
            if (r.phase == StoreController::Phase::Reading) {
                QVERIFY2(appended.empty(), "a reading report after the append phase began");
                continue;
            }
            QCOMPARE(r.phase, StoreController::Phase::Appending);
            QCOMPARE(r.total, kVersions);
            QVERIFY(r.hotVersions >= quint64(r.done)); // reported only once appended
            appended.push_back(r.done);
        }
        // At least two reports of versions already appended, besides the first "0 of N".
        const auto appendedSome =
            std::count_if(appended.begin(), appended.end(), [](qint64 done) { return done > 0; });
        QVERIFY2(appendedSome >= 2, qPrintable(QString::number(appendedSome)));
        for (std::size_t i = 1; i < appended.size(); ++i)
            QVERIFY2(
                appended[i] > appended[i - 1],
                qPrintable(QStringLiteral("%1 then %2").arg(appended[i - 1]).arg(appended[i])));
        QCOMPARE(appended.front(), qint64(0));
        QCOMPARE(appended.back(), kVersions);
        // One report per durable chunk, after the first "0 of N".
        QCOMPARE(appended, (std::vector<qint64>{0, 4096, 8192, kVersions}));
        QCOMPARE(c.hotVersions(), quint64(kVersions));
        c.closeStore();
        c.waitForWorkers();
    }

    // An id refused after parsing (twice in the file) names the file and both lines, blank
    // lines counted, as the CLI does; nothing is imported.
    void aRefusedImportNamesTheLines()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("store"));
        Store::create(path);
        const std::vector<Version> versions = generated(300, 5);
        const QString file = dir.filePath(QStringLiteral("twice.jsonl"));
        test::writeFile(file, JsonlCodec::encode(versions[0]) + "\n\n" +
                                  JsonlCodec::encode(versions[1]) + '\n' +
                                  JsonlCodec::encode(versions[0]) + '\n');
        StoreController c;
        QSignalSpy opened(&c, &StoreController::storeOpened);
        c.openStore(path);
        QVERIFY(opened.wait(120000));
        QSignalSpy failed(&c, &StoreController::operationFailed);
        c.importFile(file);
        QVERIFY(failed.wait(60000));
        const QString message = failed.last().at(1).toString();
        QVERIFY2(message.contains(QStringLiteral("%1: line 4: version %2 appears twice in the "
                                                 "input (first at %1: line 1)")
                                      .arg(file)
                                      .arg(versions[0].versionId)),
                 qPrintable(message));
        // And that none of the file went in (the banner's "Import failed." alone did not say).
        QVERIFY2(message.endsWith(QStringLiteral(" Nothing was imported.")), qPrintable(message));
        QCOMPARE(c.hotVersions(), quint64(0));
        // So does a file that does not parse.
        const QString bad = dir.filePath(QStringLiteral("bad.jsonl"));
        test::writeFile(bad, JsonlCodec::encode(versions[2]) + "\n{\"version_id\": \"x\"}\n");
        failed.clear();
        c.importFile(bad);
        QVERIFY(failed.wait(60000));
        QVERIFY2(
            failed.last().at(1).toString().startsWith(bad + QStringLiteral(": line 2: ")) &&
                failed.last().at(1).toString().endsWith(QStringLiteral(" Nothing was imported.")),
            qPrintable(failed.last().at(1).toString()));
        QCOMPARE(c.hotVersions(), quint64(0));
        c.closeStore();
        c.waitForWorkers();
    }
};

QTEST_MAIN(TestGuiStoreController)
#include "tst_gui_storecontroller.moc"
