#include "displayformat.h"
#include "errorbanner.h"
#include "guitestsupport.h"
#include "mainwindow.h"
#include "store.h"
#include "storebackup.h"
#include "testsupport.h"
#include "workloadgenerator.h"

#include <QAction>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>

using namespace frostline;

namespace {

// A closed store at `path` holding a generated workload; returns how many versions it holds.
quint64 makeStore(const QString& path, quint64 versions, quint64 entities = 200)
{
    return test::makeGeneratedStore(path, versions, entities, 60, 11);
}

// Makes a backup of the closed store at `store` with the engine directly (not the GUI).
void engineBackup(const QString& store, const QString& dest)
{
    Store s(store);
    s.open();
    StoreBackup::backup(s, dest);
    s.close();
}

// A window with a store of 3,000 generated versions open, and a path for its backup.
struct WindowOnAStore
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("store"));
    const QString dest = dir.filePath(QStringLiteral("backup"));
    const quint64 versions = makeStore(path, 3000);
    MainWindow window;
    StoreController* const c = window.controller();
    bool open = false;

    WindowOnAStore()
    {
        window.show();
        QSignalSpy opened(c, &StoreController::storeOpened);
        window.openStorePath(path);
        open = opened.wait(30000) && c->isOpen();
    }
};

} // namespace

class TestGuiBackup : public QObject
{
    Q_OBJECT
    QTemporaryDir m_settingsDir;

    void openInWindow(MainWindow& window, const QString& path)
    {
        QSignalSpy opened(window.controller(), &StoreController::storeOpened);
        window.openStorePath(path);
        QVERIFY(opened.wait(30000));
        QVERIFY(window.controller()->isOpen());
    }

private slots:
    void initTestCase()
    {
        test::useThrowAwaySettings(m_settingsDir, QStringLiteral("tst_gui_backup"));
    }

    void backupThroughTheActionCopiesEveryVersion()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("store"));
        const QString dest = dir.filePath(QStringLiteral("backup"));
        const quint64 versions = makeStore(path, 3000);
        {
            MainWindow window;
            window.show();
            QVERIFY(!window.backupAction()->isEnabled()); // nothing open yet
            QVERIFY(window.restoreAction()->isEnabled());
            openInWindow(window, path);
            QVERIFY(window.backupAction()->isEnabled());

            StoreController* c = window.controller();
            QSignalSpy finished(c, &StoreController::backupFinished);
            QSignalSpy running(c, &StoreController::copyRunningChanged);
            test::answerDirectories(window, {dest});
            window.backupAction()->trigger();
            // While it runs: one backup at a time, and its progress bar shows.
            QVERIFY(c->isCopyRunning());
            QVERIFY(!window.backupAction()->isEnabled());
            QVERIFY(!window.restoreAction()->isEnabled());
            QVERIFY(window.copyProgress()->isVisibleTo(&window));
            QVERIFY(finished.wait(60000));

            QCOMPARE(finished.first().at(0).toString(), QDir::cleanPath(dest));
            const auto report = finished.first().at(1).value<StoreBackup::Report>();
            QCOMPARE(report.lastLsn, versions); // every record, nothing flushed yet
            QCOMPARE(report.flushedLsn, quint64(0));
            QVERIFY(report.walSegments >= 1);
            QVERIFY(report.bytes > 0);
            QVERIFY(test::waitUntil([&] { return !c->isCopyRunning(); }));
            QCOMPARE(running.count(), 2);
            QCOMPARE(running.last().at(0).toBool(), false);
            QVERIFY(window.backupAction()->isEnabled());
            QVERIFY(!window.copyProgress()->isVisibleTo(&window));
            const QString status = window.statusBar()->currentMessage();
            QVERIFY2(status.contains(QStringLiteral("Backed up to")) &&
                         status.contains(QStringLiteral("last LSN %1").arg(versions)),
                     qPrintable(status));
            QVERIFY(window.errorBanner()->text().isEmpty());
            QVERIFY(c->isOpen()); // the store stayed open throughout
        }

        // The backup restores into a store with exactly the same versions as the original.
        Store original(path);
        original.open();
        const QString restored = dir.filePath(QStringLiteral("restored"));
        StoreBackup::restore(dest, restored);
        Store copy(restored);
        const Store::OpenReport opened = copy.open();
        QCOMPARE(opened.replayedRecords, versions);
        QCOMPARE(copy.statistics().hotVersions, original.statistics().hotVersions);
        QCOMPARE(test::totalVersions(copy.statistics()), versions);
        QCOMPARE(copy.statistics().lastLsn, versions);
        for (quint64 id = 1; id <= versions; ++id) {
            const auto a = original.find(id);
            const auto b = copy.find(id);
            QVERIFY2(a && b, qPrintable(QStringLiteral("version %1").arg(id)));
            QVERIFY(a->version == b->version);
        }
        QVERIFY(!copy.find(versions + 1));
        QCOMPARE(copy.verify(), QStringList());
    }

    // Closing the window during a backup asks first: "keep working" leaves everything as it
    // was; "quit when finished" keeps the window until the backup has finished, then closes it.
    // The backup waits for the paused writers meanwhile, so it is surely still running.
    void quittingDuringABackupAsksAndWaitsForIt()
    {
        WindowOnAStore w;
        QVERIFY(w.open);
        QSignalSpy finished(w.c, &StoreController::backupFinished);
        QStringList asked;
        auto answer = MainWindow::QuitChoice::KeepWorking;
        w.window.setQuitConfirmer([&](const QString& running, bool stoppable) {
            // A copy can be cancelled: the question offers it.
            asked << running + (stoppable ? QStringLiteral(" (stoppable)") : QString());
            return answer;
        });
        {
            const auto paused = w.c->store()->pauseWriters();
            test::answerDirectories(w.window, {w.dest});
            w.window.backupAction()->trigger();
            QVERIFY(w.c->isCopyRunning());

            QVERIFY(!w.window.close()); // "keep working"
            QCOMPARE(asked,
                     QStringList{QStringLiteral("A backup or restore is running (stoppable)")});
            QVERIFY(w.window.isVisible());
            QVERIFY(!w.window.isQuittingWhenIdle());

            answer = MainWindow::QuitChoice::QuitWhenFinished;
            QVERIFY(!w.window.close()); // "quit when finished"
            QCOMPARE(asked.size(), 2);
            QVERIFY(w.window.isVisible());
            QVERIFY(w.window.isQuittingWhenIdle());
            QVERIFY(!w.window.close()); // asked once is enough
            QCOMPARE(asked.size(), 2);
            QVERIFY(w.c->isCopyRunning());
        }
        QVERIFY(test::waitUntil([&] { return !w.window.isVisible(); }, std::chrono::seconds(60)));
        QCOMPARE(finished.count(), 1);
        QVERIFY(!w.c->isCopyRunning());
        const QString restored = w.dest + QStringLiteral("-restored");
        StoreBackup::restore(w.dest, restored);
        Store copy(restored);
        QCOMPARE(copy.open().replayedRecords, w.versions);
    }

    // The backup ends while the question is on screen: its end came before the answer, and
    // "quit when finished" must still quit.
    void aBackupThatEndsWhileAskingStillQuits()
    {
        WindowOnAStore w;
        QVERIFY(w.open);
        auto paused = w.c->store()->pauseWriters();
        test::answerDirectories(w.window, {w.dest});
        w.window.backupAction()->trigger();
        QVERIFY(w.c->isCopyRunning());
        bool endedWhileAsking = false;
        w.window.setQuitConfirmer([&](const QString&, bool) {
            paused.unlock(); // the backup goes on, and ends, while the operator reads
            endedWhileAsking =
                test::waitUntil([&] { return !w.c->isCopyRunning(); }, std::chrono::seconds(60));
            return MainWindow::QuitChoice::QuitWhenFinished;
        });
        QVERIFY(!w.window.close());
        QVERIFY(endedWhileAsking);
        QVERIFY(test::waitUntil([&] { return !w.window.isVisible(); }, std::chrono::seconds(60)));
    }

    // A backup shows its steps on the status bar (the copies in bytes) beside a Cancel. Cancelled,
    // it removes its unfinished copy and says so; the store stays open and unchanged, and the
    // next backup runs. The backup waits for the paused writers while Cancel is clicked, so it
    // is surely still running.
    void aBackupShowsItsStepsAndCanBeCancelled()
    {
        WindowOnAStore w;
        QVERIFY(w.open);
        QProgressBar* bar = w.window.copyProgress();
        QPushButton* cancel = w.window.copyCancelButton();
        QVERIFY(bar && cancel && cancel == w.window.findChild<QPushButton*>("copyCancel"));
        QVERIFY(!bar->isVisibleTo(&w.window) && !cancel->isVisibleTo(&w.window));
        QSignalSpy steps(w.c, &StoreController::stepProgress);
        QSignalSpy finished(w.c, &StoreController::operationFinished);
        QSignalSpy failed(w.c, &StoreController::operationFailed);
        QSignalSpy backedUp(w.c, &StoreController::backupFinished);
        {
            const auto paused = w.c->store()->pauseWriters();
            test::answerDirectories(w.window, {w.dest});
            w.window.backupAction()->trigger();
            // After the cold tier's copy, the backup waits for the paused writers in this step.
            QVERIFY(test::waitUntil(
                [&] {
                    return std::any_of(steps.cbegin(), steps.cend(), [](const QList<QVariant>& a) {
                        return a.at(1).toString() ==
                               QLatin1String("noting the WAL position (writers paused)");
                    });
                },
                std::chrono::seconds(30)));
            QVERIFY(bar->isVisibleTo(&w.window));
            QVERIFY(cancel->isVisibleTo(&w.window) && cancel->isEnabled());
            QTest::mouseClick(cancel, Qt::LeftButton);
            QVERIFY(!cancel->isEnabled());
            QCOMPARE(w.window.statusBar()->currentMessage(),
                     MainWindow::tr("Cancelling the copy…"));
        }
        QVERIFY(test::waitUntil([&] { return !w.c->isCopyRunning(); }, std::chrono::seconds(60)));
        QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(1).toString()));
        QCOMPARE(backedUp.count(), 0);
        QCOMPARE(finished.last().at(0).toString(), StoreController::tr("Back up store"));
        QCOMPARE(finished.last().at(1).toString(),
                 QStringLiteral("Backup cancelled; its unfinished copy in %1 was removed. The "
                                "store is unchanged.")
                     .arg(QDir::cleanPath(w.dest)));
        QVERIFY(!QFileInfo::exists(w.dest));
        QVERIFY(!bar->isVisibleTo(&w.window) && !cancel->isVisibleTo(&w.window));
        QVERIFY(w.window.backupAction()->isEnabled());
        QVERIFY(w.c->isOpen());

        // Run to the end: the message names the step, the bar counts the WAL copy in bytes, and
        // Cancel is enabled again.
        QStringList shown;
        connect(w.c, &StoreController::stepProgress, this,
                [&](const QString&, const QString& step, quint64 done, quint64 total,
                    OperationControl::Unit unit) {
                    if (step == QLatin1String("copying the WAL") && total > 0) {
                        QCOMPARE(unit, OperationControl::Unit::Bytes);
                        QCOMPARE(w.window.statusBar()->currentMessage(),
                                 QStringLiteral("Back up store… copying the WAL"));
                        shown << bar->text();
                        QCOMPARE(bar->text(),
                                 QStringLiteral("%1 of %2")
                                     .arg(DisplayFormat::bytes(done), DisplayFormat::bytes(total)));
                    }
                });
        test::answerDirectories(w.window, {w.dest});
        w.window.backupAction()->trigger();
        QVERIFY(cancel->isVisibleTo(&w.window) && cancel->isEnabled());
        QVERIFY(backedUp.wait(60000));
        QVERIFY(!shown.isEmpty());
        // The last says the whole WAL was copied ("432.5 KiB of 432.5 KiB").
        QCOMPARE(shown.last().section(QStringLiteral(" of "), 0, 0),
                 shown.last().section(QStringLiteral(" of "), 1));
        StoreBackup::restore(w.dest, w.dir.filePath(QStringLiteral("restored")));
        Store copy(w.dir.filePath(QStringLiteral("restored")));
        QCOMPARE(copy.open().replayedRecords, w.versions);
    }

    // A restore cancelled removes its unfinished copy and leaves the backup as it was. The
    // cancel is raised right after the restore starts, on the GUI thread, long before the worker
    // could have copied, opened and verified the copy.
    void aCancelledRestoreRemovesItsCopy()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("store"));
        const QString backup = dir.filePath(QStringLiteral("backup"));
        const QString dest = dir.filePath(QStringLiteral("restored"));
        makeStore(path, 3000);
        engineBackup(path, backup);
        MainWindow window;
        window.show();
        StoreController* c = window.controller();
        QSignalSpy finished(c, &StoreController::operationFinished);
        QSignalSpy failed(c, &StoreController::operationFailed);
        QSignalSpy restored(c, &StoreController::restoreFinished);
        test::answerDirectories(window, {backup, dest});
        window.restoreAction()->trigger();
        QVERIFY(c->isCopyRunning());
        QVERIFY(window.copyCancelButton()->isVisibleTo(&window));
        QTest::mouseClick(window.copyCancelButton(), Qt::LeftButton);
        QVERIFY(test::waitUntil([&] { return !c->isCopyRunning(); }, std::chrono::seconds(60)));
        QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(1).toString()));
        QCOMPARE(restored.count(), 0);
        QCOMPARE(finished.last().at(1).toString(),
                 QStringLiteral("Restore cancelled; its unfinished copy in %1 was removed. The "
                                "backup is unchanged.")
                     .arg(QDir::cleanPath(dest)));
        QVERIFY(!QFileInfo::exists(dest));
        QVERIFY(!c->isOpen());
        QVERIFY(!window.copyProgress()->isVisibleTo(&window));

        // The next restore of the same backup runs to the end.
        test::answerDirectories(window, {backup, dest});
        window.restoreAction()->trigger();
        QVERIFY(restored.wait(120000));
    }

    // "Cancel it and quit" during a backup: the backup stops, removes its unfinished copy, and
    // the window closes once it has. The backup waits for the paused writers while the operator
    // answers, so it is surely still running.
    void quittingCanCancelTheBackup()
    {
        WindowOnAStore w;
        QVERIFY(w.open);
        QSignalSpy finished(w.c, &StoreController::backupFinished);
        w.window.setQuitConfirmer(
            [&](const QString&, bool) { return MainWindow::QuitChoice::CancelItAndQuit; });
        {
            const auto paused = w.c->store()->pauseWriters();
            test::answerDirectories(w.window, {w.dest});
            w.window.backupAction()->trigger();
            QVERIFY(w.c->isCopyRunning());
            QVERIFY(!w.window.close());
            QVERIFY(w.window.isVisible() && w.window.isQuittingWhenIdle());
            QVERIFY(!w.window.copyCancelButton()->isEnabled());
        }
        QVERIFY(test::waitUntil([&] { return !w.window.isVisible(); }, std::chrono::seconds(60)));
        QVERIFY(!w.c->isCopyRunning());
        QCOMPARE(finished.count(), 0);
        QVERIFY(!QFileInfo::exists(w.dest));
    }

    // Quitting while an import appends asks (an append cannot be stopped); while a copy runs as
    // well, the question names both. "Cancel it and quit" then cancels the copy, and the window
    // closes once the append has ended too. Both wait for the paused writers while the operator
    // answers, so both are surely still running.
    void quittingDuringACopyAndAnAppendNamesBothAndWaitsForTheAppend()
    {
        WindowOnAStore w;
        QVERIFY(w.open);
        constexpr int kImported = 50;
        QByteArray jsonl;
        for (int i = 1; i <= kImported; ++i)
            jsonl += QStringLiteral("{\"kind\":\"node\",\"version_id\":%1,\"entity_id\":%1,"
                                    "\"label\":\"Imported\",\"valid_from\":0,\"valid_to\":null,"
                                    "\"tx_from\":0,\"tx_to\":null,\"properties\":{}}\n")
                         .arg(1000000 + i)
                         .toUtf8();
        const QString file = w.dir.filePath(QStringLiteral("more.jsonl"));
        test::writeFile(file, jsonl);
        QStringList asked;
        auto answer = MainWindow::QuitChoice::KeepWorking;
        w.window.setQuitConfirmer([&](const QString& running, bool stoppable) {
            asked << running + (stoppable ? QStringLiteral(" (stoppable)") : QString());
            return answer;
        });
        QSignalSpy backedUp(w.c, &StoreController::backupFinished);
        QStringList imported;
        connect(w.c, &StoreController::operationFinished, this,
                [&](const QString& what, const QString& summary) {
                    if (what == StoreController::tr("Import"))
                        imported << summary;
                });
        {
            const auto paused = w.c->store()->pauseWriters();
            w.c->importFile(file);
            // Read and validated, the import waits for the writers: its Cancel is disabled.
            QPushButton* importCancel = w.window.importCancelButton();
            QVERIFY(test::waitUntil(
                [&] { return importCancel->isVisible() && !importCancel->isEnabled(); }));
            QVERIFY(!w.window.close()); // refused while the append runs, and "keep working"
            QCOMPARE(asked, QStringList{QStringLiteral("An import appending its versions is "
                                                       "running")});
            QVERIFY(!w.window.isQuittingWhenIdle());

            test::answerDirectories(w.window, {w.dest});
            w.window.backupAction()->trigger();
            QVERIFY(w.c->isCopyRunning());
            answer = MainWindow::QuitChoice::CancelItAndQuit;
            QVERIFY(!w.window.close());
            QCOMPARE(asked.value(1), QStringLiteral("A backup or restore and an import appending "
                                                    "its versions are running (stoppable)"));
            QVERIFY(w.window.isVisible() && w.window.isQuittingWhenIdle());
            QVERIFY(!w.window.copyCancelButton()->isEnabled());
            const QString message = w.window.statusBar()->currentMessage();
            QVERIFY2(message.contains(QLatin1String("the import has appended its versions")),
                     qPrintable(message));
        }
        QVERIFY(test::waitUntil([&] { return !w.window.isVisible(); }, std::chrono::seconds(60)));
        QCOMPARE(
            imported,
            QStringList{QStringLiteral("Imported %1 versions from %2").arg(kImported).arg(file)});
        QVERIFY(!w.c->isCopyRunning());
        QCOMPARE(backedUp.count(), 0);
        QVERIFY(!QFileInfo::exists(w.dest));
        w.c->closeStore();
        w.c->waitForWorkers();
        Store store(w.path);
        QCOMPARE(store.open().replayedRecords, w.versions + kImported);
    }

    void backupDuringAMigrationRestoresToASoundStore()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("store"));
        const QString backup = dir.filePath(QStringLiteral("backup"));
        const QString restored = dir.filePath(QStringLiteral("restored"));
        const quint64 versions = makeStore(path, 20000, 400);
        MainWindow window;
        window.show();
        openInWindow(window, path);
        StoreController* c = window.controller();
        MigrationPolicy policy;
        policy.batchSize = 100; // many small batches: the run lasts while the backup copies
        QSignalSpy batches(c, &StoreController::migrationBatchCommitted);
        QSignalSpy migrated(c, &StoreController::migrationFinished);
        c->runMigrationOnce(policy);
        QVERIFY(batches.wait(60000));

        // The migration is running; the backup is offered and starts anyway.
        QVERIFY(c->service()->isRunInFlight());
        QVERIFY(window.backupAction()->isEnabled());
        QSignalSpy backedUp(c, &StoreController::backupFinished);
        test::answerDirectories(window, {backup});
        window.backupAction()->trigger();
        QVERIFY(c->isCopyRunning());
        QVERIFY(backedUp.wait(120000));
        QVERIFY(window.errorBanner()->text().isEmpty());

        // Restore through the GUI while the store is still open: the window asks before it
        // switches stores; keep the current one.
        QSignalSpy restoredSpy(c, &StoreController::restoreFinished);
        QSignalSpy opened(c, &StoreController::storeOpened);
        test::answerDirectories(window, {backup, restored});
        window.restoreAction()->trigger();
        QVERIFY(restoredSpy.wait(120000));
        QCOMPARE(restoredSpy.first().at(0).toString(), QDir::cleanPath(restored));
        QMessageBox* ask = nullptr;
        QVERIFY(test::waitUntil([&] {
            ask = window.findChild<QMessageBox*>(QStringLiteral("openRestoredPrompt"));
            return ask && ask->isVisible();
        }));
        QVERIFY(ask->text().contains(QDir::cleanPath(restored)));
        ask->button(QMessageBox::Cancel)->click();
        QCOMPARE(c->storePath(), QDir::cleanPath(path));
        QCOMPARE(opened.count(), 0);

        QVERIFY(migrated.count() > 0 || migrated.wait(180000));
        QVERIFY(migrated.first().at(0).value<MigrationRunResult>().migrated > 0);
        c->waitForWorkers();

        // The copy taken mid-migration is sound: every version exactly once, in one tier.
        Store copy(restored);
        copy.open();
        QCOMPARE(copy.verify(), QStringList());
        QCOMPARE(test::totalVersions(copy.statistics()), versions);
        for (quint64 id = 1; id <= versions; id += 97)
            QVERIFY2(copy.find(id), qPrintable(QStringLiteral("version %1").arg(id)));
    }

    void restoreOpensTheCopyOrAsksFirst()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("store"));
        const QString other = dir.filePath(QStringLiteral("other"));
        const QString backup = dir.filePath(QStringLiteral("backup"));
        const quint64 versions = makeStore(path, 2000);
        makeStore(other, 500, 50);
        engineBackup(path, backup);

        MainWindow window;
        window.show();
        StoreController* c = window.controller();

        // Nothing open: the restored store opens at once.
        const QString first = dir.filePath(QStringLiteral("first"));
        QSignalSpy opened(c, &StoreController::storeOpened);
        test::answerDirectories(window, {backup, first});
        window.restoreAction()->trigger();
        QVERIFY(opened.wait(120000));
        QCOMPARE(opened.first().at(0).toString(), QDir::cleanPath(first));
        QCOMPARE(c->hotVersions(), versions);
        QVERIFY(window.statusText().contains(QDir::cleanPath(first)));

        // Another store open: the window asks, and Open switches to the restored copy.
        openInWindow(window, other);
        const QString second = dir.filePath(QStringLiteral("second"));
        QSignalSpy restored(c, &StoreController::restoreFinished);
        opened.clear();
        test::answerDirectories(window, {backup, second});
        window.restoreAction()->trigger();
        QVERIFY(restored.wait(120000));
        QMessageBox* ask = nullptr;
        QVERIFY(test::waitUntil([&] {
            ask = window.findChild<QMessageBox*>(QStringLiteral("openRestoredPrompt"));
            return ask && ask->isVisible();
        }));
        QCOMPARE(opened.count(), 0); // not before the operator says so
        ask->button(QMessageBox::Open)->click();
        QVERIFY(opened.wait(60000));
        QCOMPARE(opened.first().at(0).toString(), QDir::cleanPath(second));
        QCOMPARE(c->hotVersions(), versions);
    }

    void refusesANonEmptyDestination()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("store"));
        makeStore(path, 500, 50);
        const QString full = dir.filePath(QStringLiteral("full"));
        QVERIFY(QDir().mkpath(full));
        test::writeFile(QDir(full).filePath(QStringLiteral("keep.txt")), "precious");

        MainWindow window;
        window.show();
        openInWindow(window, path);
        StoreController* c = window.controller();
        QSignalSpy failed(c, &StoreController::operationFailed);
        QSignalSpy finished(c, &StoreController::backupFinished);
        test::answerDirectories(window, {full});
        window.backupAction()->trigger();
        QCOMPARE(failed.count(), 1); // refused before any worker starts
        QVERIFY(!c->isCopyRunning());
        const QString banner = window.errorBanner()->text();
        QVERIFY2(banner.contains(QStringLiteral("Back up store failed")) &&
                     banner.contains(QStringLiteral("is not empty")),
                 qPrintable(banner));
        QCOMPARE(QDir(full).entryList(QDir::AllEntries | QDir::NoDotAndDotDot),
                 QStringList{QStringLiteral("keep.txt")});
        QCOMPARE(finished.count(), 0);

        // A destination inside the open store is refused too.
        failed.clear();
        test::answerDirectories(window, {QDir(path).filePath(QStringLiteral("nested"))});
        window.backupAction()->trigger();
        QCOMPARE(failed.count(), 1);
        QVERIFY(
            window.errorBanner()->text().contains(QStringLiteral("lies inside the open store")));
        QVERIFY(!QFileInfo::exists(QDir(path).filePath(QStringLiteral("nested"))));

        // A failure on the worker (the destination's parent is a file) reaches the banner and
        // leaves the actions usable again.
        failed.clear();
        const QString blocked = QDir(full).filePath(QStringLiteral("keep.txt/backup"));
        QSignalSpy running(c, &StoreController::copyRunningChanged);
        test::answerDirectories(window, {blocked});
        window.backupAction()->trigger();
        QVERIFY(failed.wait(60000));
        QVERIFY(test::waitUntil([&] { return !c->isCopyRunning(); }));
        QCOMPARE(running.last().at(0).toBool(), false);
        QVERIFY2(window.errorBanner()->text().contains(QStringLiteral("keep.txt")),
                 qPrintable(window.errorBanner()->text()));
        QVERIFY(window.backupAction()->isEnabled());
        QCOMPARE(finished.count(), 0);
    }

    void refusesToRestoreOntoTheOpenStore()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("store"));
        const QString backup = dir.filePath(QStringLiteral("backup"));
        const quint64 versions = makeStore(path, 800, 50);
        engineBackup(path, backup);

        MainWindow window;
        window.show();
        openInWindow(window, path);
        const QStringList before =
            QDir(path).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden);
        StoreController* c = window.controller();
        QSignalSpy failed(c, &StoreController::operationFailed);
        QSignalSpy restored(c, &StoreController::restoreFinished);

        // Onto the open store's directory, and into a folder inside it: both refused.
        for (const QString& dest : {path, QDir(path).filePath(QStringLiteral("inside"))}) {
            failed.clear();
            test::answerDirectories(window, {backup, dest});
            window.restoreAction()->trigger();
            QCOMPARE(failed.count(), 1);
            const QString banner = window.errorBanner()->text();
            QVERIFY2(banner.contains(QStringLiteral("Restore store failed")) &&
                         banner.contains(QStringLiteral("open store")),
                     qPrintable(banner));
        }
        // The open store itself is no backup.
        failed.clear();
        test::answerDirectories(window, {path, dir.filePath(QStringLiteral("fresh"))});
        window.restoreAction()->trigger();
        QCOMPARE(failed.count(), 1);
        QVERIFY(window.errorBanner()->text().contains(QStringLiteral("not a backup")));
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("fresh"))));

        QCoreApplication::sendPostedEvents();
        QCOMPARE(restored.count(), 0);
        QVERIFY(c->isOpen());
        QCOMPARE(c->hotVersions(), versions);
        QCOMPARE(QDir(path).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden),
                 before);
    }

    // A restore that fails on the worker (a backup whose WAL segment was cut) reaches the
    // banner, leaves no copy, and ends the copy: the actions are usable again.
    void aRestoreThatFailsOnTheWorkerEndsTheCopy()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("store"));
        const QString backup = dir.filePath(QStringLiteral("backup"));
        const QString dest = dir.filePath(QStringLiteral("restored"));
        makeStore(path, 800, 50);
        engineBackup(path, backup);
        const QFileInfoList segments = QDir(QDir(backup).filePath(QStringLiteral("wal")))
                                           .entryInfoList(QDir::Files, QDir::Name);
        QVERIFY(!segments.isEmpty());
        QFile cut(segments.last().filePath());
        QVERIFY(cut.resize(cut.size() - 10));

        MainWindow window;
        window.show();
        StoreController* c = window.controller();
        QSignalSpy failed(c, &StoreController::operationFailed);
        QSignalSpy running(c, &StoreController::copyRunningChanged);
        test::answerDirectories(window, {backup, dest});
        window.restoreAction()->trigger();
        QVERIFY(c->isCopyRunning());
        QVERIFY(failed.wait(60000));
        QVERIFY(!c->isCopyRunning());
        QCOMPARE(running.last().at(0).toBool(), false);
        QVERIFY2(window.errorBanner()->text().contains(QStringLiteral("is damaged")),
                 qPrintable(window.errorBanner()->text()));
        QVERIFY(window.restoreAction()->isEnabled());
        QVERIFY(!window.copyProgress()->isVisibleTo(&window));
        QVERIFY(!QFileInfo::exists(dest));
    }
};

QTEST_MAIN(TestGuiBackup)
#include "tst_gui_backup.moc"
