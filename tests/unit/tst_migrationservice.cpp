#include "frostlineerror.h"
#include "migrationservice.h"
#include "store.h"
#include "testsupport.h"
#include "workloadgenerator.h"

#include <QDir>
#include <QFileInfo>
#include <QSemaphore>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <atomic>
#include <memory>
#include <stdexcept>

using namespace frostline;
using test::waitUntil;

namespace {

constexpr qint64 kDay = 86400LL * 1'000'000;
constexpr qint64 kNow = 1704067200LL * 1'000'000; // 2024-01-01T00:00:00Z

// Lives on the test thread: the service's signals reach it queued (they are emitted on a pool
// worker), and the spies watch these re-emitted signals on the test thread only.
class Relay : public QObject
{
    Q_OBJECT
public:
    explicit Relay(MigrationService& service)
    {
        connect(&service, &MigrationService::progress, this, &Relay::progress);
        connect(&service, &MigrationService::batchCommitted, this, &Relay::batchCommitted);
        connect(&service, &MigrationService::runFinished, this, &Relay::runFinished);
        connect(&service, &MigrationService::failed, this, &Relay::failed);
        connect(&service, &MigrationService::stateChanged, this, &Relay::stateChanged);
        const auto note = [this] {
            if (QThread::currentThread() != thread())
                ++wrongThreadDeliveries;
        };
        connect(&service, &MigrationService::progress, this, note);
        connect(&service, &MigrationService::batchCommitted, this, note);
        connect(&service, &MigrationService::runFinished, this, note);
        connect(&service, &MigrationService::failed, this, note);
        // Runs on the emitting thread: counts batches as they commit and checks that no two
        // batch callbacks ever run at once.
        connect(
            &service, &MigrationService::batchCommitted, &service,
            [this](const BatchCommitResult& b, const MigrationProgress&) {
                const int inside = ++concurrentCallbacks;
                int seen = maxConcurrentCallbacks.load();
                while (inside > seen &&
                       !maxConcurrentCallbacks.compare_exchange_weak(seen, inside)) {
                }
                if (QThread::currentThread() == thread())
                    ++emittedOnTestThread;
                ++batchesEmitted;
                versionsEmitted += b.versions;
                --concurrentCallbacks;
            },
            Qt::DirectConnection);
        connect(
            &service, &MigrationService::stateChanged, &service,
            [this](MigrationService::State s) {
                if (s == MigrationService::State::Running)
                    ++runningTransitions;
            },
            Qt::DirectConnection);
    }

    std::atomic<int> concurrentCallbacks{0}, maxConcurrentCallbacks{0};
    std::atomic<int> batchesEmitted{0}, emittedOnTestThread{0}, runningTransitions{0};
    std::atomic<quint64> versionsEmitted{0};
    int wrongThreadDeliveries = 0;

signals:
    void progress(const frostline::MigrationProgress& progress);
    void batchCommitted(const frostline::BatchCommitResult& batch,
                        const frostline::MigrationProgress& progress);
    void runFinished(const frostline::MigrationRunResult& result);
    void failed(const QString& cause);
    void stateChanged(frostline::MigrationService::State state);
};

// A real store in a temporary directory holding a generated workload.
struct Fixture
{
    QTemporaryDir dir;
    QString path;
    std::vector<Version> versions;
    std::unique_ptr<Store> store;

    explicit Fixture(quint64 count, quint64 entities)
    {
        path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        store = std::make_unique<Store>(path);
        store->open();
        WorkloadGenerator::Options o;
        o.versions = count;
        o.entities = entities;
        o.now = kNow;
        o.spanDays = 30;
        o.seed = 3;
        versions = WorkloadGenerator(o).generateAll();
        for (std::size_t start = 0; start < versions.size(); start += 500)
            store->append(std::vector<Version>(
                versions.begin() + qsizetype(start),
                versions.begin() + qsizetype(std::min(versions.size(), start + 500))));
    }

    QSet<quint64> coldIds() const
    {
        QSet<quint64> ids;
        for (EntityKind kind : {EntityKind::Node, EntityKind::Edge})
            store->cold().scan(kind, [&](Version&& v) {
                ids.insert(v.versionId);
                return true;
            });
        return ids;
    }

    QSet<quint64> hotIds() const
    {
        QSet<quint64> ids;
        store->hot().forEach([&](const HotTier::Entry& e) {
            ids.insert(e.version.versionId);
            return true;
        });
        return ids;
    }

    QSet<quint64> allIds() const
    {
        QSet<quint64> ids;
        for (const Version& v : versions)
            ids.insert(v.versionId);
        return ids;
    }

    QStringList walListing() const
    {
        QStringList out;
        for (const QFileInfo& fi :
             QDir(path + QStringLiteral("/wal")).entryInfoList(QDir::Files, QDir::Name))
            out << QStringLiteral("%1:%2").arg(fi.fileName()).arg(fi.size());
        return out;
    }
};

MigrationPolicy agePolicy(quint64 batchSize)
{
    MigrationPolicy p;
    p.batchSize = batchSize;
    p.ageThresholdMicros = 5 * kDay;
    p.runIntervalMicros = 3600LL * 1'000'000; // the timer stays out of the way
    return p;
}

QSet<quint64> firstIds(const Selection& s, std::size_t count = SIZE_MAX)
{
    QSet<quint64> ids;
    for (std::size_t i = 0; i < s.candidates.size() && i < count; ++i)
        ids.insert(s.candidates[i].versionId);
    return ids;
}

} // namespace

class TestMigrationService : public QObject
{
    Q_OBJECT
private slots:
    void runOnceSignalsAndStatistics()
    {
        Fixture f(3000, 300);
        const MigrationPolicy policy = agePolicy(100);
        const Selection preview = MigrationRun(*f.store, policy, kNow).select();
        const quint64 n = preview.candidates.size();
        QVERIFY(n > 300);
        quint64 nodeCandidates = 0;
        for (const Candidate& c : preview.candidates)
            nodeCandidates += c.kind == EntityKind::Node ? 1 : 0;
        QVERIFY(nodeCandidates > 0 && nodeCandidates < n);
        const int expectedBatches = int((n + 99) / 100);

        MigrationService service(*f.store);
        service.setPolicy(policy);
        service.setClock([] { return kNow; });
        Relay relay(service);
        QSignalSpy progress(&relay, &Relay::progress);
        QSignalSpy batches(&relay, &Relay::batchCommitted);
        QSignalSpy finished(&relay, &Relay::runFinished);
        QSignalSpy failed(&relay, &Relay::failed);

        const qint64 before = currentMicros();
        QVERIFY(service.runOnce());
        QVERIFY(finished.wait(120000));
        service.waitForIdle();
        // Queued signals from one thread keep their order: all batches came before the end.
        QCOMPARE(batches.count(), expectedBatches);
        QCOMPARE(progress.count(), expectedBatches);
        QCOMPARE(failed.count(), 0);
        QCOMPARE(relay.wrongThreadDeliveries, 0);
        QCOMPARE(relay.emittedOnTestThread.load(), 0); // really emitted on a worker
        for (int i = 0; i < progress.count(); ++i) {
            const auto p = progress.at(i).at(0).value<MigrationProgress>();
            QCOMPARE(p.batch, i + 1);
            QCOMPARE(p.batches, expectedBatches);
        }

        const auto result = finished.at(0).at(0).value<MigrationRunResult>();
        QCOMPARE(result.migrated, n);
        QCOMPARE(result.batches, expectedBatches);
        QVERIFY(!result.cancelled);

        const MigrationStatistics stats = service.statistics();
        const StoreStatistics store = f.store->statistics();
        QCOMPARE(stats.nodeVersions, nodeCandidates);
        QCOMPARE(stats.edgeVersions, n - nodeCandidates);
        QCOMPARE(stats.nodeVersions, store.coldNodeVersions);
        QCOMPARE(stats.edgeVersions, store.coldEdgeVersions);
        QCOMPARE(stats.bytes, preview.candidateBytes);
        QCOMPARE(stats.batches, quint64(expectedBatches));
        QCOMPARE(stats.runsCompleted, quint64(1));
        QCOMPARE(stats.errors, quint64(0));
        QVERIFY(stats.lastRunDurationSecs > 0);
        QCOMPARE(stats.lastRunDurationSecs, result.durationSecs);
        QVERIFY(stats.lastRunAtMicros >= before);
        QCOMPARE(stats.lastRunAtMicros, result.finishedAtMicros);

        QVERIFY(f.coldIds() == firstIds(preview));
        QCOMPARE(service.state(), MigrationService::State::Stopped); // runOnce while stopped
        QCOMPARE(f.store->verify(), QStringList());
    }

    void startStopIdempotent()
    {
        Fixture f(300, 30);
        MigrationService service(*f.store);
        MigrationPolicy policy = agePolicy(1000);
        policy.ageThresholdMicros = 365 * kDay; // no trigger
        service.setPolicy(policy);
        service.setClock([] { return kNow; });
        QCOMPARE(service.state(), MigrationService::State::Stopped);
        service.stop(); // stopping a stopped service is harmless
        QCOMPARE(service.state(), MigrationService::State::Stopped);
        service.start();
        service.start();
        QVERIFY(service.isStarted());
        QVERIFY(service.state() != MigrationService::State::Stopped);
        service.stop();
        service.stop();
        QVERIFY(!service.isStarted());
        QVERIFY(!service.isRunInFlight());
        QCOMPARE(service.state(), MigrationService::State::Stopped);
        QCOMPARE(service.statistics().runsCompleted, quint64(0));
        QCOMPARE(service.statistics().errors, quint64(0));
    }

    void rapidStartStopNeverRunsTwoAtOnce()
    {
        Fixture f(3000, 300);
        const MigrationPolicy policy = agePolicy(5);
        MigrationService service(*f.store);
        service.setPolicy(policy);
        service.setClock([] { return kNow; });
        Relay relay(service);
        for (int i = 0; i < 100; ++i) {
            service.start();
            if (i % 10 == 0) {
                // Now and then let a batch commit, so that stop() meets runs mid-way however
                // fast or slow the machine is.
                const int before = relay.batchesEmitted.load();
                QVERIFY(waitUntil([&] { return relay.batchesEmitted.load() > before; }));
            }
            service.stop();
            service.start();
        }
        service.stop();
        QVERIFY(!service.isRunInFlight());
        QCOMPARE(service.state(), MigrationService::State::Stopped);
        QVERIFY(relay.batchesEmitted.load() > 0); // runs really happened
        QCOMPARE(relay.maxConcurrentCallbacks.load(), 1);
        const QSet<quint64> cold = f.coldIds();
        QCOMPARE(quint64(cold.size()), relay.versionsEmitted.load());
        QCOMPARE(service.statistics().batches, quint64(relay.batchesEmitted.load()));
        QVERIFY((cold + f.hotIds()) == f.allIds());
        QCOMPARE(f.store->verify(), QStringList());
    }

    void stopLetsTheBatchInFlightCommit()
    {
        Fixture f(3000, 300);
        const MigrationPolicy policy = agePolicy(5);
        const Selection preview = MigrationRun(*f.store, policy, kNow).select();
        const int planned = int((preview.candidates.size() + 4) / 5);
        QVERIFY(planned > 50);

        MigrationService service(*f.store);
        service.setPolicy(policy);
        service.setClock([] { return kNow; });
        Relay relay(service);
        QSignalSpy batches(&relay, &Relay::batchCommitted);
        QSignalSpy finished(&relay, &Relay::runFinished);
        service.start();
        QVERIFY(waitUntil([&] { return batches.count() >= 3; }));
        service.stop();
        const int committed = relay.batchesEmitted.load();
        QVERIFY(!service.isRunInFlight());
        QCOMPARE(service.state(), MigrationService::State::Stopped);
        QVERIFY(committed >= 3);
        QVERIFY(committed < planned);

        QVERIFY(finished.count() == 1 || finished.wait(30000));
        const auto result = finished.at(0).at(0).value<MigrationRunResult>();
        QVERIFY(result.cancelled);
        QCOMPARE(result.batches, committed);
        // A stopped run is counted as cancelled, not completed; its batches count all the same.
        QCOMPARE(service.statistics().runsCancelled, quint64(1));
        QCOMPARE(service.statistics().runsCompleted, quint64(0));
        QCOMPARE(service.statistics().batches, quint64(committed));
        // Every batch committed before stop() returned was announced, and none after.
        QCOMPARE(batches.count(), committed);
        QCOMPARE(relay.batchesEmitted.load(), committed);

        const QSet<quint64> expectedCold = firstIds(preview, std::size_t(committed) * 5);
        QCOMPARE(relay.versionsEmitted.load(), quint64(committed) * 5);
        QVERIFY(f.coldIds() == expectedCold);
        QVERIFY(f.hotIds() == f.allIds() - expectedCold);
        QCOMPARE(f.store->verify(), QStringList());
    }

    void requestStopReturnsAtOnceAndNoRunFollows()
    {
        Fixture f(3000, 300);
        MigrationPolicy policy = agePolicy(5);
        policy.runIntervalMicros = 1000; // the timer fires every millisecond
        MigrationService service(*f.store);
        service.setPolicy(policy);
        service.setClock([] { return kNow; });
        // Holds the run inside its next committed batch (direct: on the service's worker) while
        // holdNext is set: first here, then in every other cycle below.
        QSemaphore entered, release;
        std::atomic<bool> holdNext{true};
        connect(
            &service, &MigrationService::batchCommitted, &service,
            [&] {
                if (holdNext.exchange(false)) {
                    entered.release();
                    release.tryAcquire(1, 30000);
                }
            },
            Qt::DirectConnection);
        Relay relay(service);
        QSignalSpy states(&relay, &Relay::stateChanged);
        service.start();
        QVERIFY(entered.tryAcquire(1, 60000));
        service.requestStop();
        // It returned with the run still held in its batch: it did not wait for it.
        const bool returnedWhileHeld = service.isRunInFlight();
        release.release();
        QVERIFY(returnedWhileHeld);
        QVERIFY(!service.isStarted());
        QVERIFY(waitUntil([&] {
            return !states.isEmpty() && states.last().at(0).value<MigrationService::State>() ==
                                            MigrationService::State::Stopped;
        }));
        const int batchesAtStop = relay.batchesEmitted.load();
        const int runsAtStop = relay.runningTransitions.load();
        // Fifty timer intervals later nothing has run again: the timer stopped with the request,
        // not when the run's (queued) state change arrived.
        QTest::qWait(50);
        QVERIFY(!service.isRunInFlight());
        QCOMPARE(relay.runningTransitions.load(), runsAtStop);
        QCOMPARE(relay.batchesEmitted.load(), batchesAtStop);
        QCOMPARE(service.state(), MigrationService::State::Stopped);
        QCOMPARE(f.store->verify(), QStringList());

        // A stop racing the end of a run always ends Stopped, never Idle.
        // Every other cycle, the stop meets a run mid-way: held in a committed batch. (Waiting for
        // a batch to be counted instead let a run on fast storage migrate everything before the
        // stop, and the cycles after it then waited for a batch that could not come.)
        for (int i = 0; i < 100; ++i) {
            const bool midRun = i % 2;
            holdNext = midRun;
            service.start();
            if (midRun)
                QVERIFY(entered.tryAcquire(1, 60000));
            service.requestStop();
            if (midRun)
                release.release();
            service.waitForIdle();
            QCOMPARE(service.state(), MigrationService::State::Stopped);
        }
        QCOMPARE(relay.maxConcurrentCallbacks.load(), 1);
        QCOMPARE(f.store->verify(), QStringList());
    }

    void failureIsReportedAndTheServiceKeepsRunning()
    {
        Fixture f(2000, 200);
        const MigrationPolicy policy = agePolicy(100);
        const Selection preview = MigrationRun(*f.store, policy, kNow).select();
        QVERIFY(!preview.candidates.empty());
        MigrationService service(*f.store);
        service.setPolicy(policy);
        service.setClock([] { return kNow; });
        Relay relay(service);
        QSignalSpy failed(&relay, &Relay::failed);
        QSignalSpy finished(&relay, &Relay::runFinished);

        const QStringList walBefore = f.walListing();
        const quint64 flushedBefore = f.store->cold().flushedLsn();
        f.store->cold().setFailureHook(
            [](const char*) { throw std::runtime_error("injected: cold volume offline"); });
        service.start();
        QVERIFY(failed.wait(60000));
        service.waitForIdle();
        QVERIFY2(failed.at(0).at(0).toString().contains(QLatin1String("cold volume offline")),
                 qPrintable(failed.at(0).at(0).toString()));
        const MigrationStatistics stats = service.statistics();
        QCOMPARE(stats.errors, quint64(1));
        QCOMPARE(stats.runsCompleted, quint64(0));
        QCOMPARE(stats.batches, quint64(0));
        QVERIFY(stats.lastError.contains(QLatin1String("cold volume offline")));
        QCOMPARE(finished.count(), 0);
        QVERIFY(service.isStarted());
        QVERIFY(service.state() != MigrationService::State::Stopped);
        // The failed run left the WAL and the cold tier untouched.
        QCOMPARE(f.walListing(), walBefore);
        QCOMPARE(f.store->cold().flushedLsn(), flushedBefore);
        QVERIFY(f.coldIds().isEmpty());
        QCOMPARE(f.store->verify(), QStringList());

        f.store->cold().setFailureHook({});
        QVERIFY(service.runOnce());
        QVERIFY(finished.wait(60000));
        service.waitForIdle();
        QCOMPARE(service.statistics().errors, quint64(1));
        QCOMPARE(service.statistics().runsCompleted, quint64(1));
        QCOMPARE(failed.count(), 1);
        QVERIFY(f.coldIds() == firstIds(preview));
        QVERIFY(service.isStarted());
        service.stop();
        QCOMPARE(f.store->verify(), QStringList());
    }

    void timerRunsOnlyWhenATriggerHolds()
    {
        Fixture f(2000, 200);
        MigrationPolicy policy = agePolicy(200);
        policy.ageThresholdMicros = 365 * kDay; // every version is younger (30 days at most)
        policy.runIntervalMicros = 50'000;      // 0.05 s
        MigrationService service(*f.store);
        service.setPolicy(policy);
        service.setClock([] { return kNow; });
        Relay relay(service);
        QSignalSpy finished(&relay, &Relay::runFinished);

        service.start();
        // Several timer ticks pass (each one a launch that finds no trigger) with no run.
        QVERIFY(waitUntil([&] { return relay.runningTransitions.load() >= 6; }));
        QCOMPARE(finished.count(), 0);
        QCOMPARE(relay.batchesEmitted.load(), 0);
        QCOMPARE(service.statistics().runsCompleted, quint64(0));
        QVERIFY(f.coldIds().isEmpty());

        // A year later every non-head version is old enough: the timer runs on its own.
        const qint64 later = kNow + 400 * kDay;
        const Selection preview = MigrationRun(*f.store, policy, later).select();
        QVERIFY(preview.candidates.size() > 500);
        service.setClock([=] { return later; });
        QVERIFY(finished.wait(60000));
        const auto result = finished.at(0).at(0).value<MigrationRunResult>();
        QCOMPARE(result.migrated, quint64(preview.candidates.size()));
        QVERIFY(f.coldIds() == firstIds(preview));

        // Nothing is left to migrate: more ticks, no more runs.
        const int ticks = relay.runningTransitions.load();
        QVERIFY(waitUntil([&] { return relay.runningTransitions.load() >= ticks + 5; }));
        QCOMPARE(finished.count(), 1);
        QCOMPARE(service.statistics().runsCompleted, quint64(1));
        service.stop();
        QCOMPARE(f.store->verify(), QStringList());
    }

    void timerRunsOnMemoryPressure()
    {
        Fixture f(2000, 200);
        MigrationPolicy policy = agePolicy(200);
        policy.ageThresholdMicros = 365 * kDay;
        policy.memoryThresholdBytes = f.store->hot().totalBytes() / 2;
        policy.runIntervalMicros = 50'000;
        const Selection preview = MigrationRun(*f.store, policy, kNow).select();
        QVERIFY(preview.memoryPressure);
        QVERIFY(!preview.candidates.empty());
        MigrationService service(*f.store);
        service.setPolicy(policy);
        service.setClock([] { return kNow; });
        Relay relay(service);
        QSignalSpy finished(&relay, &Relay::runFinished);
        service.start();
        QVERIFY(finished.wait(60000));
        QVERIFY(f.coldIds() == firstIds(preview));
        QVERIFY(f.store->hot().totalBytes() <= policy.memoryThresholdBytes);
        // Under the threshold now: further ticks do not run.
        const int ticks = relay.runningTransitions.load();
        QVERIFY(waitUntil([&] { return relay.runningTransitions.load() >= ticks + 5; }));
        QCOMPARE(finished.count(), 1);
        service.stop();
        QCOMPARE(f.store->verify(), QStringList());
    }
};

QTEST_GUILESS_MAIN(TestMigrationService)
#include "tst_migrationservice.moc"
