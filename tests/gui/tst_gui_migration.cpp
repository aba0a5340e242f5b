#include "errorbanner.h"
#include "mainwindow.h"
#include "migrationlogmodel.h"
#include "migrationpage.h"
#include "store.h"
#include "testsupport.h"
#include "workloadgenerator.h"

#include <QAbstractItemModelTester>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace frostline;

namespace {

quint64 makeStore(const QString& path, quint64 versions)
{
    Store::create(path);
    Store store(path);
    store.open();
    WorkloadGenerator::Options o;
    o.entities = 400;
    o.versions = versions;
    o.spanDays = 60;
    o.seed = 3;
    store.append(WorkloadGenerator(o).generateAll());
    store.close();
    return versions;
}

} // namespace

class TestGuiMigration : public QObject
{
    Q_OBJECT
    QTemporaryDir m_settingsDir;

    void openInWindow(MainWindow& window, const QString& path, quint64 batchSize)
    {
        StoreController* c = window.controller();
        QSignalSpy opened(c, &StoreController::storeOpened);
        window.openStorePath(path);
        QVERIFY(opened.wait(30000));
        MigrationPolicy policy;
        policy.batchSize = batchSize;
        QSignalSpy applied(c, &StoreController::policyApplied);
        c->applyPolicy(policy);
        QVERIFY(applied.wait(30000));
        QCOMPARE(c->activePolicy(), policy);
        window.showPage(MainWindow::MigrationPageIndex);
    }

private slots:
    void initTestCase()
    {
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
        QCoreApplication::setOrganizationName(QStringLiteral("FrostlineTest"));
    }

    void runOnceReachesFullProgressAndLogsEveryBatch()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("store"));
        const quint64 versions = makeStore(path, 10000);
        MainWindow window;
        window.show();
        MigrationPage* page = window.migrationPage();
        QAbstractItemModelTester tester(page->logModel(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        openInWindow(window, path, 400);
        StoreController* c = window.controller();

        QSignalSpy progress(c, &StoreController::migrationProgress);
        QSignalSpy batches(c, &StoreController::migrationBatchCommitted);
        QSignalSpy finished(c, &StoreController::migrationFinished);
        QSignalSpy stats(c, &StoreController::statisticsUpdated);
        QVERIFY(page->runOnceButton()->isEnabled());
        QTest::mouseClick(page->runOnceButton(), Qt::LeftButton);
        QVERIFY(finished.wait(120000));

        const auto result = finished.first().at(0).value<MigrationRunResult>();
        QVERIFY(result.migrated > 0);
        QVERIFY(result.batches > 1);
        QCOMPARE(result.batches, result.plannedBatches);
        QVERIFY(!result.cancelled);
        // Progress arrives per batch, grows, and ends at 100 %.
        QCOMPARE(progress.count(), result.batches);
        quint64 previousDone = 0;
        for (const QList<QVariant>& args : progress) {
            const auto p = args.at(0).value<MigrationProgress>();
            QVERIFY(p.versionsDone > previousDone);
            previousDone = p.versionsDone;
        }
        const auto lastProgress = progress.last().at(0).value<MigrationProgress>();
        QCOMPARE(lastProgress.versionsDone, lastProgress.versionsTotal);
        QCOMPARE(lastProgress.versionsDone, result.migrated);
        QCOMPARE(lastProgress.batch, lastProgress.batches);
        QCOMPARE(page->progressBar()->value(), 100);
        QVERIFY2(page->progressText().contains(QStringLiteral("Done")),
                 qPrintable(page->progressText()));

        // One log row per committed batch, then the run; flushed LSNs never go back.
        MigrationLogModel* log = page->logModel();
        QCOMPARE(log->count(MigrationLogModel::EntryKind::Batch), result.batches);
        QCOMPARE(log->count(MigrationLogModel::EntryKind::RunFinished), 1);
        quint64 migrated = 0, lastLsn = 0;
        for (int row = 0; row < log->rowCount(); ++row) {
            const auto& e = log->entryAt(row);
            if (e.kind != MigrationLogModel::EntryKind::Batch)
                continue;
            QVERIFY(e.versions > 0 && e.versions <= 400);
            QVERIFY(e.flushedLsn >= lastLsn);
            lastLsn = e.flushedLsn;
            migrated += e.versions;
        }
        QCOMPARE(migrated, result.migrated);
        QCOMPARE(log->entryAt(log->rowCount() - 1).kind, MigrationLogModel::EntryKind::RunFinished);

        // The tiers moved: the next statistics show the migrated versions cold.
        QVERIFY(test::waitUntil([&] {
            return stats.count() > 0 &&
                   stats.last().at(0).value<StoreStatistics>().coldNodeVersions +
                           stats.last().at(0).value<StoreStatistics>().coldEdgeVersions ==
                       result.migrated;
        }));
        QCOMPARE(c->hotVersions(), versions - result.migrated);
        QCOMPARE(c->service()->statistics().runsCompleted, quint64(1));
        QCOMPARE(c->service()->statistics().batches, quint64(result.batches));
    }

    void theStatisticsKeepUpWithTheProgressLine()
    {
        // A run of small batches: the page shows progress ten times a second. The service's
        // figures beside it used to wait for a one-second timer, and read "batches: 20" beside
        // "Batch 126 of 349".
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("store"));
        makeStore(path, 30000);
        MainWindow window;
        window.show();
        MigrationPage* page = window.migrationPage();
        openInWindow(window, path, 10);
        StoreController* c = window.controller();

        QSignalSpy finished(c, &StoreController::migrationFinished);
        QTest::mouseClick(page->runOnceButton(), Qt::LeftButton);
        const QRegularExpression shownBatch(QStringLiteral("^Batch ([0-9]+) of"));
        const QRegularExpression countedBatches(QStringLiteral("batches: ([0-9,]+)"));
        QString lastShown;
        int samples = 0;
        while (finished.isEmpty() && samples < 5) {
            QVERIFY(test::waitUntil([&] {
                return !finished.isEmpty() || (page->progressText() != lastShown &&
                                               shownBatch.match(page->progressText()).hasMatch());
            }));
            if (!finished.isEmpty())
                break;
            lastShown = page->progressText();
            const quint64 shown = shownBatch.match(lastShown).captured(1).toULongLong();
            const QRegularExpressionMatch counted = countedBatches.match(page->statisticsText());
            QVERIFY2(counted.hasMatch(), qPrintable(page->statisticsText()));
            const quint64 batches = counted.captured(1).remove(QLatin1Char(',')).toULongLong();
            // The figures are read when the progress is shown, so they count at least its batch.
            QVERIFY2(batches >= shown,
                     qPrintable(lastShown + QStringLiteral(" | ") + page->statisticsText()));
            ++samples;
        }
        QVERIFY2(samples >= 2, "the run ended before the page showed its progress twice");
        QVERIFY(!finished.isEmpty() || finished.wait(120000));
    }

    void aFailingBatchIsLoggedWithItsCause()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("store"));
        makeStore(path, 3000);
        MainWindow window;
        window.show();
        openInWindow(window, path, 500);
        StoreController* c = window.controller();
        // Fault injection through the real engine: the Berkeley DB commit fails.
        c->store()->cold().setFailureHook(
            [](const char*) { throw std::runtime_error("injected: no space left on device"); });
        QSignalSpy failed(c, &StoreController::migrationFailed);
        window.migrationPage()->runOnce();
        QVERIFY(failed.wait(60000));
        QVERIFY(failed.first().at(0).toString().contains(QStringLiteral("no space left")));
        MigrationLogModel* log = window.migrationPage()->logModel();
        QCOMPARE(log->count(MigrationLogModel::EntryKind::Failure), 1);
        QCOMPARE(log->count(MigrationLogModel::EntryKind::Batch), 0);
        const int row = log->rowCount() - 1;
        QVERIFY(log->index(row, MigrationLogModel::DetailColumn)
                    .data()
                    .toString()
                    .contains(QStringLiteral("no space left")));
        QVERIFY(window.errorBanner()->text().contains(QStringLiteral("no space left")));
        QCOMPARE(c->service()->statistics().errors, quint64(1));
        QCOMPARE(c->store()->flushedLsn(), quint64(0)); // the failed batch changed nothing
        c->store()->cold().setFailureHook({});
    }

    void serviceStartsAndStopsFromThePage()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("store"));
        makeStore(path, 3000);
        MainWindow window;
        window.show();
        openInWindow(window, path, 200);
        StoreController* c = window.controller();
        MigrationPage* page = window.migrationPage();
        QSignalSpy finished(c, &StoreController::migrationFinished);
        QVERIFY(page->startButton()->isEnabled());
        QVERIFY(!page->stopButton()->isEnabled());
        QTest::mouseClick(page->startButton(), Qt::LeftButton);
        QVERIFY(c->service()->isStarted());
        // The first run does not wait a whole interval: age-eligible versions exist.
        QVERIFY(finished.wait(60000));
        QVERIFY(test::waitUntil([&] { return page->stopButton()->isEnabled(); }));
        QTest::mouseClick(page->stopButton(), Qt::LeftButton);
        QVERIFY(test::waitUntil([&] {
            return !c->service()->isStarted() &&
                   c->serviceState() == MigrationService::State::Stopped;
        }));
        QVERIFY(page->startButton()->isEnabled());
        QVERIFY(finished.first().at(0).value<MigrationRunResult>().migrated > 0);
    }
};

QTEST_MAIN(TestGuiMigration)
#include "tst_gui_migration.moc"
