// GUI responsiveness under load: the real MainWindow (offscreen) on a store of 500,000 generated
// versions, a migration of every eligible version and a preview running at the same time. A 5 ms
// QTimer measures the gaps between its ticks: the longest gap is the worst event-loop stall.
//
//   bench_gui_responsiveness [VERSIONS]      (default 500000)
#include "mainwindow.h"
#include "migrationpage.h"
#include "store.h"
#include "storecontroller.h"
#include "timestamps.h"
#include "workloadgenerator.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QSettings>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace frostline;

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QTemporaryDir settingsDir;
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir.path());
    const quint64 versions = argc > 1 ? QByteArray(argv[1]).toULongLong() : 500000;
    // Small batches commit hundreds a second: the GUI must keep up with their signals too.
    const quint64 batchSize = argc > 2 ? QByteArray(argv[2]).toULongLong() : 5000;

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("store"));
    QElapsedTimer setup;
    setup.start();
    {
        Store::create(path);
        Store store(path);
        store.open();
        WorkloadGenerator::Options o;
        o.entities = versions / 10;
        o.versions = versions;
        o.spanDays = 30;
        o.seed = 42;
        WorkloadGenerator generator(o);
        std::vector<Version> chunk;
        generator.generate([&](Version&& v) {
            chunk.push_back(std::move(v));
            if (chunk.size() == 50000) {
                store.append(std::move(chunk));
                chunk.clear();
            }
        });
        if (!chunk.empty())
            store.append(std::move(chunk));
        store.close();
    }
    std::printf("setup: %llu versions generated and appended in %.1f s\n",
                static_cast<unsigned long long>(versions), double(setup.elapsed()) / 1000.0);

    MainWindow window;
    window.resize(1400, 900);
    window.show();
    StoreController* c = window.controller();

    // The stall meter runs from before the open to the end of the migration.
    QElapsedTimer clock;
    clock.start();
    qint64 lastTick = clock.nsecsElapsed();
    std::vector<double> gapsMs;
    gapsMs.reserve(200000);
    QTimer meter;
    meter.setTimerType(Qt::PreciseTimer);
    meter.setInterval(5);
    QObject::connect(&meter, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        gapsMs.push_back(double(now - lastTick) / 1e6);
        if (qEnvironmentVariableIsSet("FROSTLINE_BENCH_VERBOSE") && gapsMs.back() > 40)
            std::printf("  stall of %.1f ms ending at %.3f s\n", gapsMs.back(), double(now) / 1e9);
        lastTick = now;
    });
    meter.start();

    qint64 openMs = 0, migrateStartMs = 0, previewMs = -1;
    quint64 migrated = 0;
    int batches = 0;
    bool failed = false;
    QObject::connect(c, &StoreController::operationFailed, [&](const QString& w, const QString& m) {
        std::fprintf(stderr, "%s failed: %s\n", qPrintable(w), qPrintable(m));
        failed = true;
        app.exit(1);
    });
    QObject::connect(c, &StoreController::storeOpened, [&] {
        openMs = clock.elapsed();
        if (qEnvironmentVariableIsSet("FROSTLINE_BENCH_VERBOSE"))
            std::printf("  opened at %.3f s\n", double(openMs) / 1000.0);
        window.showPage(MainWindow::MigrationPageIndex);
        migrateStartMs = clock.elapsed();
        MigrationPolicy policy = c->activePolicy();
        policy.batchSize = batchSize;
        c->runMigrationOnce(policy);
        c->requestPreview(MigrationPolicy::preset(QStringLiteral("aggressive")), currentMicros());
        window.showPage(MainWindow::DashboardPageIndex); // charts repaint while it runs
    });
    // The first answer: pages ask again after the run (the hot tier changed).
    QObject::connect(c, &StoreController::previewReady, [&] {
        if (previewMs < 0)
            previewMs = clock.elapsed();
    });
    // How far behind the run the window is: from a batch's commit to its signal's delivery.
    double worstLagMs = 0;
    QObject::connect(c, &StoreController::migrationBatchCommitted,
                     [&](const BatchCommitResult& b, const MigrationProgress&) {
                         worstLagMs = std::max(
                             worstLagMs, double(currentMicros() - b.committedAtMicros) / 1000.0);
                     });
    QObject::connect(c, &StoreController::migrationFinished, [&](const MigrationRunResult& r) {
        migrated = r.migrated;
        batches = r.batches;
        // A last look at the WAL inspector with the fresh state, then stop.
        window.showPage(MainWindow::WalPageIndex);
        QTimer::singleShot(500, &app, &QCoreApplication::quit);
    });
    QObject::connect(c, &StoreController::migrationFailed, [&](const QString& cause) {
        std::fprintf(stderr, "migration failed: %s\n", qPrintable(cause));
        failed = true;
        app.exit(1);
    });
    c->openStore(path);
    app.exec();
    meter.stop();
    if (failed)
        return 1;

    std::vector<double> sorted = gapsMs;
    std::sort(sorted.begin(), sorted.end());
    const double longest = sorted.empty() ? 0 : sorted.back();
    const double p99 = sorted.empty() ? 0 : sorted[std::size_t(double(sorted.size() - 1) * 0.99)];
    std::printf("open (recovery of %llu WAL records): %.2f s\n",
                static_cast<unsigned long long>(versions), double(openMs) / 1000.0);
    std::printf("migration: %llu versions in %d batches, %.2f s; preview answered after %.2f s\n",
                static_cast<unsigned long long>(migrated), batches,
                double(clock.elapsed() - migrateStartMs - 500) / 1000.0,
                previewMs < 0 ? -1.0 : double(previewMs - migrateStartMs) / 1000.0);
    std::printf("batches of %llu: a batch's signal reached the window at most %.1f ms after its "
                "commit\n",
                static_cast<unsigned long long>(batchSize), worstLagMs);
    std::printf("event loop (5 ms timer, %zu ticks over %.2f s): longest stall %.1f ms, p99 %.1f "
                "ms (goal < 100 ms)\n",
                gapsMs.size(), double(clock.elapsed()) / 1000.0, longest, p99);
    return 0;
}
