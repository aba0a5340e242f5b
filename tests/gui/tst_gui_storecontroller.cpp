#include "guitestsupport.h"
#include "migrationservice.h"
#include "store.h"
#include "storecontroller.h"
#include "testsupport.h"

#include <QDir>
#include <QSemaphore>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <memory>

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

        QSignalSpy failed(&c, &StoreController::operationFailed);
        QSignalSpy closed(&c, &StoreController::storeClosed);
        for (const QString& wrong : {plain, dir.filePath(QStringLiteral("missing"))}) {
            failed.clear();
            c.openStore(wrong);
            QVERIFY(failed.count() > 0 || failed.wait(60000));
            QCOMPARE(failed.first().at(0).toString(), QStringLiteral("Open store"));
            QVERIFY2(failed.first().at(1).toString().contains(wrong),
                     qPrintable(failed.first().at(1).toString()));
            QCOMPARE(closed.count(), 0);
            QVERIFY(c.isOpen());
            QCOMPARE(c.storePath(), QDir::cleanPath(path));
        }
        // Still working: a statistics refresh answers with the store's versions.
        QSignalSpy stats(&c, &StoreController::statisticsUpdated);
        c.refreshStatistics();
        QVERIFY(stats.wait(60000));
        QCOMPARE(test::totalVersions(stats.last().at(0).value<StoreStatistics>()), quint64(1000));
        QCOMPARE(opened.count(), 1);
        c.closeStore();
        c.waitForWorkers();
    }
};

QTEST_MAIN(TestGuiStoreController)
#include "tst_gui_storecontroller.moc"
