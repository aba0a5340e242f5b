#include "errorbanner.h"
#include "mainwindow.h"
#include "migrationlogmodel.h"
#include "store.h"
#include "testsupport.h"
#include "workloadgenerator.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace frostline;

namespace {

// A closed store at `path` holding a generated workload; returns how many versions it holds.
quint64 makeStore(const QString& path, quint64 versions = 3000, quint64 entities = 200)
{
    return test::makeGeneratedStore(path, versions, entities, 30, 7);
}

} // namespace

class TestGuiMainWindow : public QObject
{
    Q_OBJECT
    QTemporaryDir m_settingsDir;

private slots:
    void initTestCase()
    {
        test::useThrowAwaySettings(m_settingsDir, QStringLiteral("tst_gui_mainwindow"));
    }

    void opensAGeneratedStoreAndRemembersIt()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("store"));
        const quint64 versions = makeStore(path);

        MainWindow window;
        window.show();
        QSignalSpy opened(window.controller(), &StoreController::storeOpened);
        QSignalSpy stats(window.controller(), &StoreController::statisticsUpdated);
        window.openStorePath(path);
        QVERIFY(opened.wait(30000));
        QCOMPARE(opened.first().at(0).toString(), QDir::cleanPath(path));
        QVERIFY(window.controller()->isOpen());
        QCOMPARE(window.controller()->hotVersions(), versions);
        QVERIFY(window.controller()->hotBytes() > 0);
        QCOMPARE(window.recentStores().value(0), QDir::cleanPath(path));
        QVERIFY(window.windowTitle().contains(QStringLiteral("store")));

        // The statistics worker answers and the status bar shows the figures.
        QVERIFY(stats.count() > 0 || stats.wait(30000));
        const auto s = stats.last().at(0).value<StoreStatistics>();
        QCOMPARE(s.hotVersions, versions);
        QCOMPARE(s.lastLsn, versions);
        QVERIFY(test::waitUntil([&] {
            return window.statusText().contains(QLocale::system().toString(qulonglong(versions)));
        }));
        QVERIFY(window.statusText().contains(QDir::cleanPath(path)));
        QVERIFY(window.errorBanner()->text().isEmpty());

        // Reopening the same store through the window works (the old handle is released).
        opened.clear();
        window.openStorePath(path);
        QVERIFY(opened.wait(150000)); // the controller waits up to 120 s for the old handle
        QCOMPARE(window.controller()->hotVersions(), versions);
    }

    void openingANonStoreShowsAPlainError()
    {
        QTemporaryDir dir;
        MainWindow window;
        window.show();
        QSignalSpy failed(window.controller(), &StoreController::operationFailed);
        window.openStorePath(dir.path());
        // Reported at once, on the GUI thread: the folder is checked before anything closes.
        QVERIFY(failed.count() > 0 || failed.wait(30000));
        QVERIFY(!window.controller()->isOpen());
        const QString banner = window.errorBanner()->text();
        QVERIFY2(banner.contains(QStringLiteral("is not a Frostline store")), qPrintable(banner));
        QVERIFY(banner.contains(QStringLiteral("Open store failed")));
        QVERIFY(!window.recentStores().contains(QDir::cleanPath(dir.path())));

        failed.clear();
        window.openStorePath(dir.filePath(QStringLiteral("missing")));
        QVERIFY(failed.count() > 0 || failed.wait(30000));
        QVERIFY(window.errorBanner()->text().contains(QStringLiteral("does not exist")));
    }

    void openingALockedStoreShowsAPlainError()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("store"));
        makeStore(path, 200, 20);
        Store holder(path); // another opener holds the lock
        holder.open();

        MainWindow window;
        window.show();
        QSignalSpy failed(window.controller(), &StoreController::operationFailed);
        window.openStorePath(path);
        QVERIFY(failed.wait(30000));
        QVERIFY(!window.controller()->isOpen());
        const QString banner = window.errorBanner()->text();
        QVERIFY2(banner.contains(QStringLiteral("locked")), qPrintable(banner));

        // Once released, the same window opens it and the banner goes away.
        holder.close();
        QSignalSpy opened(window.controller(), &StoreController::storeOpened);
        window.openStorePath(path);
        QVERIFY(opened.wait(30000));
        QVERIFY(window.errorBanner()->text().isEmpty());
    }

    void aStalePreviewIsDropped()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("store"));
        makeStore(path, 20000, 500);
        // The controller alone: no page issues previews of its own meanwhile.
        StoreController controller;
        StoreController* c = &controller;
        QSignalSpy opened(c, &StoreController::storeOpened);
        c->openStore(path);
        QVERIFY(opened.wait(30000));

        MigrationPolicy older; // default: 7 days
        MigrationPolicy newer;
        newer.ageThresholdMicros = 1; // nearly everything but heads
        QSignalSpy ready(c, &StoreController::previewReady);
        const quint64 dropped = c->staleResultsDropped();
        const qint64 now = currentMicros();
        c->requestPreview(older, now);
        c->requestPreview(newer, now);
        const quint64 newest = c->previewGeneration();
        QVERIFY(ready.wait(30000));
        // Let every worker finish and every queued result arrive: still exactly one answer.
        c->waitForWorkers();
        QCoreApplication::sendPostedEvents();
        QCOMPARE(ready.count(), 1);
        QCOMPARE(ready.first().at(0).value<quint64>(), newest);
        QCOMPARE(ready.first().at(1).value<MigrationPolicy>(), newer);
        const auto selection = ready.first().at(3).value<std::shared_ptr<const Selection>>();
        QVERIFY(selection);
        QCOMPARE(selection->hotVersions, quint64(20000));
        QVERIFY(selection->candidates.size() > 0);
        QVERIFY(c->staleResultsDropped() > dropped);
    }

    void shortcutsSwitchPagesAndTheLastPageIsRemembered()
    {
        {
            MainWindow window;
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            QApplication::setActiveWindow(&window);
            QVERIFY(QTest::qWaitForWindowActive(&window));
            QTest::keyClick(&window, Qt::Key_4, Qt::ControlModifier);
            QCOMPARE(window.currentPage(), int(MainWindow::MigrationPageIndex));
            QTest::keyClick(&window, Qt::Key_5, Qt::ControlModifier);
            QCOMPARE(window.currentPage(), int(MainWindow::WalPageIndex));
            QTest::keyClick(&window, Qt::Key_7, Qt::ControlModifier);
            QCOMPARE(window.currentPage(), int(MainWindow::ActivityPageIndex));
            QVERIFY(window.page(MainWindow::PolicyPageIndex));
            QVERIFY(window.page(MainWindow::PreviewPageIndex));
            QVERIFY(window.page(MainWindow::ColdPageIndex));
            window.close();
        }
        MainWindow again;
        QCOMPARE(again.currentPage(), int(MainWindow::ActivityPageIndex));
    }

    void migrationLogModelPassesTheModelTester()
    {
        MigrationLogModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        BatchCommitResult b;
        b.versions = 10;
        b.bytes = 1000;
        b.flushedLsn = 42;
        MigrationProgress p;
        p.batch = 1;
        p.batches = 2;
        model.addBatch(b, p);
        model.addFailure(QStringLiteral("disk full"));
        MigrationRunResult r;
        r.migrated = 10;
        r.batches = r.plannedBatches = 1;
        r.durationSecs = 2.0;
        r.cold.syncSecs = 0.5;
        r.cold.prepareSecs = 0.05;
        r.cold.writeSecs = 0.2;
        r.hotReadSecs = 0.1;
        r.hotUpdateSecs = 0.15;
        model.addRunFinished(r);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.index(2, MigrationLogModel::DetailColumn).data().toString(),
                 QStringLiteral("run finished: 1 of 1 batches in 2.0 s (commit sync 500 ms · "
                                "cold writes 250 ms · hot tier 250 ms)"));
        QCOMPARE(model.count(MigrationLogModel::EntryKind::Batch), 1);
        QCOMPARE(model.index(0, MigrationLogModel::FlushedLsnColumn).data().toString(),
                 QStringLiteral("42"));
        QCOMPARE(model.index(1, MigrationLogModel::DetailColumn).data().toString(),
                 QStringLiteral("disk full"));
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_MAIN(TestGuiMainWindow)
#include "tst_gui_mainwindow.moc"
