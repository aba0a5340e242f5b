#include "errorbanner.h"
#include "jsonlcodec.h"
#include "mainwindow.h"
#include "migrationlogmodel.h"
#include "store.h"
#include "testsupport.h"
#include "workloadgenerator.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QFile>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace frostline;

namespace {

// A closed store at `path` holding a generated workload; returns how many versions it holds.
quint64 makeStore(const QString& path, quint64 versions = 3000, quint64 entities = 200)
{
    return test::makeGeneratedStore(path, versions, entities, 30, 7);
}

// JSONL of a generated workload, as File ▸ Import JSONL… reads it.
QByteArray generatedJsonl(quint64 versions, quint64 seed)
{
    WorkloadGenerator::Options o;
    o.entities = 200;
    o.versions = versions;
    o.spanDays = 30;
    o.seed = seed;
    QByteArray out;
    for (const Version& v : WorkloadGenerator(o).generateAll())
        out += JsonlCodec::encode(v) + '\n';
    return out;
}

// The writing end of the pipe an import reads. Closed on every way out of a test, so that a
// failed check does not leave the import (and the window's destructor, which waits for it)
// blocked on the pipe forever.
struct PipeWriter
{
    QByteArray path;
    int fd = -1;
    ~PipeWriter()
    {
        if (fd < 0) // the import may be waiting in open() for a writer
            fd = ::open(path.constData(), O_WRONLY | O_NONBLOCK);
        if (fd >= 0)
            ::close(fd);
    }
};

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
        // What needs a store is not offered without one (it could only fail).
        auto verifyButton = [&] {
            return window.findChild<QPushButton*>(QStringLiteral("verifyStore"));
        };
        QVERIFY(verifyButton());
        QVERIFY(!verifyButton()->isEnabled());
        QVERIFY(!window.importAction()->isEnabled());
        QVERIFY(!window.closeAction()->isEnabled());
        QSignalSpy opened(window.controller(), &StoreController::storeOpened);
        QSignalSpy stats(window.controller(), &StoreController::statisticsUpdated);
        window.openStorePath(path);
        QVERIFY(opened.wait(30000));
        QVERIFY(verifyButton()->isEnabled());
        QVERIFY(window.importAction()->isEnabled());
        QVERIFY(window.closeAction()->isEnabled());
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

        // A failure stays on the banner until the same operation completes on the store open
        // now; another's success, a cancel, or a result about a store closed since leaves it
        // standing.
        using Ending = StoreController::Ending;
        emit window.controller()->operationFailed(QStringLiteral("Import"),
                                                  QStringLiteral("line 6: not JSON"));
        QVERIFY(window.errorBanner()->text().contains(QStringLiteral("Import failed")));
        emit window.controller()->operationFinished(QStringLiteral("Checkpoint"),
                                                    QStringLiteral("done"), Ending::Completed);
        QVERIFY(window.errorBanner()->text().contains(QStringLiteral("Import failed")));
        emit window.controller()->operationFinished(
            QStringLiteral("Import"),
            QStringLiteral("Import of f.jsonl cancelled: nothing was imported."),
            Ending::Cancelled);
        QVERIFY(window.errorBanner()->text().contains(QStringLiteral("Import failed")));
        emit window.controller()->operationFinished(
            QStringLiteral("Import"),
            QStringLiteral("Imported 20 versions from g.jsonl (store /a, closed since)"),
            Ending::AboutAClosedStore);
        QVERIFY(window.errorBanner()->text().contains(QStringLiteral("Import failed")));
        emit window.controller()->operationFinished(
            QStringLiteral("Import"), QStringLiteral("Imported 20 versions"), Ending::Completed);
        QVERIFY(window.errorBanner()->text().isEmpty());

        // Reopening the same store through the window works (the old handle is released).
        opened.clear();
        window.openStorePath(path);
        QVERIFY(opened.wait(150000)); // the controller waits up to 120 s for the old handle
        QCOMPARE(window.controller()->hotVersions(), versions);
    }

    // While a store opens, the status bar shows the step (the WAL replay counted in records)
    // and a Cancel. A cancelled open says so, leaves no store open and no failure, and the
    // store opens again afterwards.
    void openingShowsItsStepsAndCanBeCancelled()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("store"));
        makeStore(path, 40000, 400);
        MainWindow window;
        window.show();
        StoreController* c = window.controller();
        QProgressBar* bar = window.findChild<QProgressBar*>(QStringLiteral("openProgress"));
        QPushButton* cancel = window.findChild<QPushButton*>(QStringLiteral("openCancel"));
        QVERIFY(bar && bar == window.openProgress());
        QVERIFY(cancel && cancel == window.openCancelButton());
        QVERIFY(!bar->isVisible());

        QSignalSpy opened(c, &StoreController::storeOpened);
        QSignalSpy steps(c, &StoreController::stepProgress);
        window.openStorePath(path);
        QVERIFY(bar->isVisible());
        QVERIFY(cancel->isVisible() && cancel->isEnabled());
        // The status bar's message is seen: it takes the place of the path while it shows.
        QCOMPARE(window.statusBar()->currentMessage(), StoreController::tr("Open store…"));
        auto* pathLabel = window.findChild<QLabel*>(QStringLiteral("statusPath"));
        QVERIFY(pathLabel && !pathLabel->isVisible());
        QVERIFY(opened.wait(60000));
        QVERIFY(test::waitUntil([&] { return !bar->isVisible(); }));
        QVERIFY(!cancel->isVisible());
        QList<quint64> replayed;
        for (const auto& step : steps)
            if (step.at(0).toString() == StoreController::tr("Open store") &&
                step.at(1).toString() == QLatin1String("replaying the WAL")) {
                QCOMPARE(step.at(3).value<quint64>(), quint64(40000));
                replayed << step.at(2).value<quint64>();
            }
        QCOMPARE(replayed, (QList<quint64>{0, 32768, 40000}));

        // A verify stuck behind the paused writers holds the store just closed, so the next
        // open of it waits for it to let go (WAITING: its step was reported). The writers stay
        // paused while the returned lock lives.
        auto reopenBehindAStuckVerify = [&](bool* waiting) {
            auto paused = c->store()->pauseWriters();
            c->requestVerify();
            steps.clear();
            window.openStorePath(path);
            *waiting = test::waitUntil([&] {
                return std::any_of(steps.begin(), steps.end(), [](const auto& step) {
                    return step.at(1).toString().startsWith(QLatin1String("waiting for"));
                });
            });
            return paused;
        };
        // Such an open, cancelled from the status bar.
        QSignalSpy finished(c, &StoreController::operationFinished);
        QSignalSpy failed(c, &StoreController::operationFailed);
        {
            bool waiting = false;
            const auto paused = reopenBehindAStuckVerify(&waiting);
            QVERIFY(waiting);
            QVERIFY(bar->isVisible());
            // A request refused up front (a folder that is no store) leaves this open running,
            // and its bar and Cancel with it.
            window.openStorePath(dir.filePath(QStringLiteral("no-store")));
            QVERIFY(!failed.isEmpty());
            QVERIFY(bar->isVisible() && cancel->isVisible());
            failed.clear();
            QTest::mouseClick(cancel, Qt::LeftButton);
            QVERIFY(!cancel->isEnabled());
            QVERIFY(test::waitUntil([&] {
                return std::any_of(finished.begin(), finished.end(), [](const auto& f) {
                    return f.at(0).toString() == StoreController::tr("Open store");
                });
            }));
        }
        const auto openFinished = std::find_if(finished.begin(), finished.end(), [](const auto& f) {
            return f.at(0).toString() == StoreController::tr("Open store");
        });
        QCOMPARE(
            openFinished->at(1).toString(),
            QStringLiteral("Opening %1 cancelled; no store is open.").arg(QDir::cleanPath(path)));
        QVERIFY(!c->isOpen());
        QVERIFY(!bar->isVisible());
        QVERIFY(!cancel->isVisible());
        QVERIFY2(std::none_of(failed.begin(), failed.end(),
                              [](const auto& f) {
                                  return f.at(0).toString() == StoreController::tr("Open store");
                              }),
                 qPrintable(failed.value(0).value(1).toString()));

        opened.clear();
        window.openStorePath(path);
        QVERIFY(opened.wait(150000));
        QCOMPARE(c->hotVersions(), quint64(40000));

        // Closing the store while an open waits: the open ends there, and so do its bar and
        // Cancel (no "finished" comes for an open the operator walked away from).
        {
            bool waiting = false;
            const auto paused = reopenBehindAStuckVerify(&waiting);
            QVERIFY(waiting);
            QVERIFY(bar->isVisible());
            c->closeStore();
            QVERIFY(!bar->isVisible());
            QVERIFY(!cancel->isVisible());
        }
        opened.clear();
        window.openStorePath(path);
        QVERIFY(opened.wait(150000));
        QVERIFY(!bar->isVisible());
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
        QVERIFY(failed.count() > 0 || failed.wait(30000)); // said at once, before any close
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

    void importShowsTheBytesReadOfTheFileSize()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("store"));
        Store::create(path);
        const QString file = dir.filePath(QStringLiteral("versions.jsonl"));
        const QByteArray jsonl = generatedJsonl(6000, 31);
        QVERIFY(jsonl.size() > 2 * 256 * 1024); // several progress reports, not just the last
        {
            QFile out(file);
            QVERIFY(out.open(QIODevice::WriteOnly));
            QCOMPARE(out.write(jsonl), jsonl.size());
        }
        MainWindow window;
        window.show();
        QSignalSpy opened(window.controller(), &StoreController::storeOpened);
        window.openStorePath(path);
        QVERIFY(opened.wait(30000));
        QProgressBar* bar = window.findChild<QProgressBar*>(QStringLiteral("importProgress"));
        QPushButton* cancel = window.findChild<QPushButton*>(QStringLiteral("importCancel"));
        QVERIFY(bar && bar == window.importProgress());
        QVERIFY(cancel && cancel == window.importCancelButton());
        QVERIFY(!bar->isVisible());
        QVERIFY(!cancel->isVisible());

        // What the bar showed at each report of the reading phase, taken as the window had shown
        // it (the import may finish before the test could look at it): connected after the
        // window's own connection, this runs once the window has handled the report.
        struct Sample
        {
            int value, maximum;
            bool visible;
        };
        QList<Sample> samples;
        connect(window.controller(), &StoreController::operationProgress, this,
                [&](const QString&, StoreController::Phase phase) {
                    if (phase == StoreController::Phase::Reading)
                        samples.append({bar->value(), bar->maximum(), bar->isVisible()});
                });
        QSignalSpy finished(window.controller(), &StoreController::operationFinished);
        window.controller()->importFile(file);
        QVERIFY(bar->isVisible());
        QVERIFY(cancel->isVisible());
        QVERIFY(cancel->isEnabled());
        QVERIFY(finished.wait(120000));
        QCOMPARE(finished.last().at(0).toString(), QStringLiteral("Import"));
        QVERIFY2(finished.last().at(1).toString().startsWith(QLatin1String("Imported 6000")),
                 qPrintable(finished.last().at(1).toString()));

        QVERIFY2(samples.size() >= 2, qPrintable(QString::number(samples.size())));
        int previous = 0;
        for (const Sample& s : samples) {
            QVERIFY(s.visible);
            QCOMPARE(qint64(s.maximum), qint64(jsonl.size()));
            QVERIFY(s.value > previous);
            previous = s.value;
        }
        QCOMPARE(qint64(previous), qint64(jsonl.size())); // the whole file read
        QVERIFY(!bar->isVisible());
        QVERIFY(!cancel->isVisible());
        QCOMPARE(window.controller()->hotVersions(), quint64(6000));
    }

    // Once the file is read the import appends, which cannot be cancelled: the bar counts the
    // versions appended and Cancel stays visible but disabled, saying why, until the end.
    void cancelIsDisabledWhileTheImportAppends()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("store"));
        Store::create(path);
        constexpr int kVersions = 2 * 4096 + 1808; // three append chunks
        const QString file = dir.filePath(QStringLiteral("versions.jsonl"));
        test::writeFile(file, generatedJsonl(kVersions, 33));
        MainWindow window;
        window.show();
        QSignalSpy opened(window.controller(), &StoreController::storeOpened);
        window.openStorePath(path);
        QVERIFY(opened.wait(30000));
        QProgressBar* bar = window.importProgress();
        QPushButton* cancel = window.importCancelButton();

        // The window's state at each report, once the window has handled it (connected after
        // the window's own connection).
        struct Sample
        {
            StoreController::Phase phase;
            qint64 done, total;
            int value, maximum;
            QString format;
            bool barVisible, cancelVisible, cancelEnabled;
            QString cancelTip;
        };
        QList<Sample> samples;
        connect(window.controller(), &StoreController::operationProgress, this,
                [&](const QString&, StoreController::Phase phase, qint64 done, qint64 total) {
                    samples.append({phase, done, total, bar->value(), bar->maximum(), bar->format(),
                                    bar->isVisible(), cancel->isVisible(), cancel->isEnabled(),
                                    cancel->toolTip()});
                });
        QSignalSpy finished(window.controller(), &StoreController::operationFinished);
        QSignalSpy failed(window.controller(), &StoreController::operationFailed);
        window.controller()->importFile(file);
        QVERIFY(cancel->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty() || !failed.isEmpty(), 120000);
        QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(1).toString()));
        QVERIFY2(finished.last().at(1).toString().startsWith(
                     QStringLiteral("Imported %1").arg(kVersions)),
                 qPrintable(finished.last().at(1).toString()));

        int appending = 0, partWay = 0;
        for (const Sample& s : samples) {
            QVERIFY(s.barVisible);
            QVERIFY(s.cancelVisible);
            if (s.phase == StoreController::Phase::Reading) {
                QVERIFY2(appending == 0, "a reading report after the append phase began");
                QVERIFY(s.cancelEnabled); // reading can be cancelled
                continue;
            }
            QCOMPARE(s.phase, StoreController::Phase::Appending);
            ++appending;
            if (s.done < s.total)
                ++partWay;
            QVERIFY2(!s.cancelEnabled, qPrintable(QStringLiteral("%1 of %2 appended, Cancel "
                                                                 "enabled")
                                                      .arg(s.done)
                                                      .arg(s.total)));
            QVERIFY2(s.cancelTip.contains(QLatin1String("cannot be cancelled")),
                     qPrintable(s.cancelTip));
            QCOMPARE(s.maximum, kVersions);
            QCOMPARE(qint64(s.value), s.done);
            QVERIFY2(s.format.contains(QLatin1String("versions appended")), qPrintable(s.format));
        }
        QVERIFY2(appending >= 2, qPrintable(QString::number(appending)));
        QVERIFY(partWay >= 1); // Cancel was disabled while the append was still going on
        QCOMPARE(samples.last().done, qint64(kVersions));
        QVERIFY(!bar->isVisible());
        QVERIFY(!cancel->isVisible());
        QCOMPARE(window.controller()->hotVersions(), quint64(kVersions));

        // The next import can be cancelled again while it reads.
        failed.clear();
        window.controller()->importFile(dir.filePath(QStringLiteral("missing.jsonl")));
        QVERIFY(cancel->isVisible());
        QVERIFY(cancel->isEnabled());
        QVERIFY(!cancel->toolTip().contains(QLatin1String("cannot be cancelled")));
        QVERIFY(failed.wait(30000));
        QVERIFY(!cancel->isVisible());
    }

    void cancellingAnImportFromTheStatusBarImportsNothing()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("store"));
        Store::create(path);
        const QByteArray jsonl = generatedJsonl(6000, 32);
        // A pipe: the import cannot reach the end of its input before the test has cancelled.
        const QString fifo = dir.filePath(QStringLiteral("versions.jsonl"));
        QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
        ::signal(SIGPIPE, SIG_IGN); // the import closes the pipe once it has been cancelled

        MainWindow window;
        window.show();
        QSignalSpy opened(window.controller(), &StoreController::storeOpened);
        window.openStorePath(path);
        QVERIFY(opened.wait(30000));
        QProgressBar* bar = window.importProgress();
        QPushButton* cancel = window.importCancelButton();

        QSignalSpy finished(window.controller(), &StoreController::operationFinished);
        QSignalSpy failed(window.controller(), &StoreController::operationFailed);
        PipeWriter writer{QFile::encodeName(fifo)};
        window.controller()->importFile(fifo);
        QVERIFY(bar->isVisible());
        QVERIFY(cancel->isVisible());
        QVERIFY(cancel->isEnabled());
        QVERIFY(test::waitUntil([&] {
            writer.fd = ::open(writer.path.constData(), O_WRONLY | O_NONBLOCK);
            return writer.fd >= 0; // the import has opened the pipe for reading
        }));
        QCOMPARE(::fcntl(writer.fd, F_SETFL, 0), 0);
        const qsizetype half = jsonl.size() / 2;
        QVERIFY(half > 256 * 1024); // enough for a progress report
        QCOMPARE(::write(writer.fd, jsonl.constData(), size_t(half)), ssize_t(half));

        // A pipe has no size: the bar stays busy and says how much has been read so far.
        QTRY_VERIFY_WITH_TIMEOUT(bar->toolTip().endsWith(QLatin1String(" read")), 30000);
        QCOMPARE(bar->maximum(), 0);
        QVERIFY(bar->isVisible());
        QVERIFY(finished.isEmpty()); // still reading: the pipe is open
        QTest::mouseClick(cancel, Qt::LeftButton);
        QVERIFY(!cancel->isEnabled());

        // The rest, as far as the reader still takes it, then the end of the input.
        [[maybe_unused]] const ssize_t rest =
            ::write(writer.fd, jsonl.constData() + half, size_t(jsonl.size() - half));
        ::close(std::exchange(writer.fd, -1));
        QVERIFY(test::waitUntil([&] { return !failed.isEmpty() || !finished.isEmpty(); }));
        QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(1).toString()));
        QCOMPARE(finished.last().at(0).toString(), QStringLiteral("Import"));
        QVERIFY2(finished.last().at(1).toString().contains(QLatin1String("cancelled")),
                 qPrintable(finished.last().at(1).toString()));
        QVERIFY(!bar->isVisible());
        QVERIFY(!cancel->isVisible());
        QCOMPARE(window.controller()->hotVersions(), quint64(0));
        QCOMPARE(window.controller()->store()->wal().lastLsn(), quint64(0));
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

    // A GUI review's first run on a 1280x800 screen: a 1280x820 window whose status bar (an
    // open's progress and Cancel) was below the edge, and a View menu reading "WAL _LSN".
    void aFirstWindowFitsTheScreenAndItsMenuNamesThePages()
    {
        QSettings().clear(); // a first run: no geometry saved
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const QSize room = window.screen()->availableSize();
        QVERIFY2(window.frameGeometry().width() <= room.width() &&
                     window.frameGeometry().height() <= room.height(),
                 qPrintable(QStringLiteral("%1x%2 on %3x%4")
                                .arg(window.frameGeometry().width())
                                .arg(window.frameGeometry().height())
                                .arg(room.width())
                                .arg(room.height())));
        const auto actions = window.findChildren<QAction*>();
        QVERIFY(std::any_of(actions.begin(), actions.end(), [](const QAction* a) {
            return a->text() == QStringLiteral("WAL && LSN"); // shown as "WAL & LSN"
        }));
        window.close();
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
        b.committedAtMicros = 1767225600123000; // the row says when it committed
        MigrationProgress p;
        p.batch = 1;
        p.batches = 2;
        model.addBatches({{b, p}});
        QCOMPARE(
            model.index(0, MigrationLogModel::TimeColumn).data().toString(),
            QDateTime::fromMSecsSinceEpoch(1767225600123).toString(QStringLiteral("hh:mm:ss.zzz")));
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

        // Bounded: a long run of small batches keeps the newest 5,000 rows, in order.
        std::vector<std::pair<BatchCommitResult, MigrationProgress>> many;
        for (int i = 1; i <= 3000; ++i) {
            b.flushedLsn = quint64(i);
            many.push_back({b, p});
        }
        model.addBatches(many);
        for (auto& [batch, progress] : many)
            batch.flushedLsn += 3000;
        model.addBatches(many);
        QCOMPARE(model.rowCount(), 5000);
        QCOMPARE(model.entryAt(0).flushedLsn, quint64(1001));
        QCOMPARE(model.entryAt(4999).flushedLsn, quint64(6000));
    }
};

QTEST_MAIN(TestGuiMainWindow)
#include "tst_gui_mainwindow.moc"
