#include "candidateselector.h"
#include "frostlineerror.h"
#include "migrationrun.h"
#include "store.h"
#include "testsupport.h"
#include "workloadgenerator.h"

#include <QDir>
#include <QFileInfo>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <thread>

using namespace frostline;

namespace {

constexpr qint64 kDay = 86400LL * 1'000'000;
// A fixed "now" so previews and runs agree exactly (2024-01-01T00:00:00Z).
constexpr qint64 kNow = 1704067200LL * 1'000'000;

std::vector<Version> generated(quint64 versions, quint64 entities, quint64 seed = 7,
                               quint64 firstId = 1)
{
    WorkloadGenerator::Options o;
    o.versions = versions;
    o.entities = entities;
    o.seed = seed;
    o.now = kNow;
    o.spanDays = 30;
    o.firstVersionId = firstId;
    return WorkloadGenerator(o).generateAll();
}

// COUNT one-version entities (heads, a day old, never candidates) with ids from FIRST.
std::vector<Version> youngHeads(quint64 first, quint64 count)
{
    std::vector<Version> out;
    for (quint64 id = first; id < first + count; ++id) {
        Version v;
        v.versionId = id;
        v.entityId = 1'000'000 + id;
        v.label = QStringLiteral("Head");
        v.txFrom = kNow - kDay;
        v.validFrom = v.txFrom;
        v.properties.emplace_back(QStringLiteral("payload"),
                                  PropertyValue(QStringLiteral("head %1 ").arg(id).repeated(8)));
        out.push_back(v);
    }
    return out;
}

// Appends in several calls so that the WAL rotates between them when segments are small.
void appendInSlices(Store& store, const std::vector<Version>& versions, std::size_t slice = 500)
{
    for (std::size_t start = 0; start < versions.size(); start += slice) {
        const std::size_t end = std::min(versions.size(), start + slice);
        store.append(std::vector<Version>(versions.begin() + qsizetype(start),
                                          versions.begin() + qsizetype(end)));
    }
}

QSet<quint64> coldIds(const Store& store)
{
    QSet<quint64> ids;
    for (EntityKind kind : {EntityKind::Node, EntityKind::Edge})
        store.cold().scan(kind, [&](Version&& v) {
            ids.insert(v.versionId);
            return true;
        });
    return ids;
}

QSet<quint64> hotIds(const Store& store)
{
    QSet<quint64> ids;
    store.hot().forEach([&](const HotTier::Entry& e) {
        ids.insert(e.version.versionId);
        return true;
    });
    return ids;
}

QSet<quint64> idsOf(const std::vector<Candidate>& candidates, std::size_t count = SIZE_MAX)
{
    QSet<quint64> ids;
    for (std::size_t i = 0; i < candidates.size() && i < count; ++i)
        ids.insert(candidates[i].versionId);
    return ids;
}

QSet<quint64> allIds(const std::vector<Version>& versions)
{
    QSet<quint64> ids;
    for (const Version& v : versions)
        ids.insert(v.versionId);
    return ids;
}

// Name and size of every WAL segment file.
QStringList walListing(const QString& storePath)
{
    QStringList out;
    const QDir dir(storePath + QStringLiteral("/wal"));
    for (const QFileInfo& fi : dir.entryInfoList(QDir::Files, QDir::Name))
        out << QStringLiteral("%1:%2").arg(fi.fileName()).arg(fi.size());
    return out;
}

// Every version in exactly the expected tier and unchanged, field for field.
void checkVersions(Store& store, const std::vector<Version>& versions,
                   const QSet<quint64>& expectedCold)
{
    for (const Version& v : versions) {
        const auto found = store.find(v.versionId);
        QVERIFY2(found, qPrintable(QStringLiteral("version %1 lost").arg(v.versionId)));
        QCOMPARE(found->tier, expectedCold.contains(v.versionId) ? Tier::Cold : Tier::Hot);
        QVERIFY2(found->version == v,
                 qPrintable(QStringLiteral("version %1 changed").arg(v.versionId)));
    }
}

void checkTiers(const Store& store, const QSet<quint64>& all, const QSet<quint64>& expectedCold)
{
    const QSet<quint64> cold = coldIds(store);
    QCOMPARE(cold.size(), expectedCold.size());
    QVERIFY(cold == expectedCold);
    QVERIFY(hotIds(store) == (all - expectedCold));
}

// 2,000 generated versions over ENTITIES entities in a new store, open; nothing migrated or
// checkpointed yet.
struct GeneratedStore
{
    QTemporaryDir dir;
    std::unique_ptr<Store> store;

    explicit GeneratedStore(quint64 entities, const Store::Options& options = {})
    {
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        store = std::make_unique<Store>(path, options);
        store->open();
        appendInSlices(*store, generated(2000, entities));
    }
};

// Every version older than 5 days, in batches of 100.
MigrationPolicy olderThanFiveDaysIn100s()
{
    MigrationPolicy policy;
    policy.batchSize = 100;
    policy.ageThresholdMicros = 5 * kDay;
    return policy;
}

// After a run that left versions out of the hot checkpoint: the store is sound, and the next
// checkpoint catches up with the whole log.
void checkpointCatchesUp(Store& store)
{
    QVERIFY(store.flushedLsn() < store.wal().lastLsn());
    QCOMPARE(store.verify(), QStringList());
    store.checkpoint();
    QCOMPARE(store.flushedLsn(), store.wal().lastLsn());
    QCOMPARE(store.verify(), QStringList());
}

} // namespace

class TestMigrationRun : public QObject
{
    Q_OBJECT
private slots:
    void previewEqualsRun_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::newRow("age") << QStringLiteral("age");
        QTest::newRow("memory-pressure") << QStringLiteral("memory");
        QTest::newRow("lru") << QStringLiteral("lru");
    }

    void previewEqualsRun()
    {
        QFETCH(QString, mode);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        const auto versions = generated(4000, 400);
        const QSet<quint64> all = allIds(versions);
        QSet<quint64> accessed;
        QSet<quint64> expectedCold;
        {
            Store store(path);
            store.open();
            appendInSlices(store, versions);

            MigrationPolicy policy;
            policy.batchSize = 250;
            policy.ageThresholdMicros = 10 * kDay;
            if (mode == QLatin1String("memory")) {
                policy.ageThresholdMicros = 365 * kDay; // nothing is old enough
                policy.memoryThresholdBytes = store.hot().totalBytes() / 2;
            } else if (mode == QLatin1String("lru")) {
                policy.enableLru = true;
                // Every third version is read; the LRU order puts them last.
                for (const Version& v : versions)
                    if (v.versionId % 3 == 0) {
                        QVERIFY(store.find(v.versionId));
                        accessed.insert(v.versionId);
                    }
            }

            MigrationRun run(store, policy, kNow);
            const Selection preview = run.select();
            QVERIFY(preview.candidates.size() > 500);
            QVERIFY(preview.candidates.size() < versions.size());
            for (const Candidate& c : preview.candidates)
                QCOMPARE(c.reason, mode == QLatin1String("memory") ? CandidateReason::Memory
                                                                   : CandidateReason::Age);
            if (mode == QLatin1String("memory"))
                QVERIFY(preview.projectedHotBytes <= policy.memoryThresholdBytes);
            if (mode == QLatin1String("lru")) {
                // Never-accessed first, then by increasing last access.
                bool seenAccessed = false;
                int accessedCandidates = 0;
                for (const Candidate& c : preview.candidates) {
                    if (accessed.contains(c.versionId)) {
                        seenAccessed = true;
                        ++accessedCandidates;
                    } else {
                        QVERIFY2(!seenAccessed, "a never-accessed candidate after an accessed one");
                    }
                }
                QVERIFY(accessedCandidates > 0);
            }
            expectedCold = idsOf(preview.candidates);
            QCOMPARE(std::size_t(expectedCold.size()), preview.candidates.size());

            const MigrationRunResult result = run.run();
            QCOMPARE(result.migrated, quint64(preview.candidates.size()));
            QCOMPARE(result.bytes, preview.candidateBytes);
            QCOMPARE(result.batches, int((preview.candidates.size() + 249) / 250));
            QVERIFY(!result.cancelled);
            checkTiers(store, all, expectedCold);
            checkVersions(store, versions, expectedCold);
            QCOMPARE(store.verify(), QStringList());
            const StoreStatistics stats = store.statistics();
            QCOMPARE(stats.coldNodeVersions + stats.coldEdgeVersions, quint64(expectedCold.size()));
            QCOMPARE(stats.hotVersions, quint64(all.size() - expectedCold.size()));
            store.close();
        }
        Store reopened(path);
        reopened.open();
        checkTiers(reopened, all, expectedCold);
        checkVersions(reopened, versions, expectedCold);
        QCOMPARE(reopened.verify(), QStringList());
    }

    void batchesAndProgress()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        Store store(path);
        store.open();
        appendInSlices(store, generated(3000, 300));
        MigrationPolicy policy;
        policy.batchSize = 97;
        policy.ageThresholdMicros = 5 * kDay;
        MigrationRun run(store, policy, kNow);
        const Selection preview = run.select();
        const quint64 n = preview.candidates.size();
        QVERIFY(n > 5 * 97);
        const int expectedBatches = int((n + 96) / 97);

        std::vector<MigrationProgress> seen;
        quint64 batchVersions = 0, batchBytes = 0;
        const MigrationRunResult result =
            run.run([&](const MigrationProgress& p, const BatchCommitResult& b) {
                const quint64 remaining = n - batchVersions;
                QCOMPARE(b.versions, std::min<quint64>(97, remaining));
                QCOMPARE(b.nodeVersions + b.edgeVersions, b.versions);
                batchVersions += b.versions;
                batchBytes += b.bytes;
                seen.push_back(p);
            });
        QCOMPARE(int(seen.size()), expectedBatches);
        QCOMPARE(result.batches, expectedBatches);
        QCOMPARE(result.plannedBatches, expectedBatches);
        QCOMPARE(batchVersions, n);
        QCOMPARE(batchBytes, preview.candidateBytes);
        for (std::size_t i = 0; i < seen.size(); ++i) {
            const MigrationProgress& p = seen[i];
            QCOMPARE(p.batch, int(i) + 1);
            QCOMPARE(p.batches, expectedBatches);
            QCOMPARE(p.versionsTotal, n);
            QCOMPARE(p.bytesTotal, preview.candidateBytes);
            QVERIFY(p.versionsDone <= p.versionsTotal);
            QVERIFY(p.bytesDone <= p.bytesTotal);
            QVERIFY(p.elapsedMs >= 0);
            QVERIFY(p.versionsPerSecond > 0);
            QVERIFY(p.bytesPerSecond > 0);
            QVERIFY(p.etaMs >= 0);
            if (i > 0) {
                const MigrationProgress& q = seen[i - 1];
                QVERIFY(p.versionsDone > q.versionsDone);
                QVERIFY(p.bytesDone > q.bytesDone);
                QVERIFY(p.elapsedMs >= q.elapsedMs);
            }
        }
        QCOMPARE(seen.back().versionsDone, n);
        QCOMPARE(seen.back().bytesDone, preview.candidateBytes);
        QCOMPARE(seen.back().etaMs, qint64(0));
        // The time breakdown: every part measured (each batch synced to disk), and the parts
        // together no more than the whole run.
        QVERIFY(result.cold.syncSecs > 0);
        QVERIFY(result.cold.writeSecs > 0);
        QVERIFY(result.cold.prepareSecs > 0);
        QVERIFY(result.hotReadSecs > 0);
        QVERIFY(result.hotUpdateSecs > 0);
        QVERIFY(result.selectSecs > 0);
        QVERIFY(result.closingCheckpointSecs > 0);
        const double parts = result.selectSecs + result.hotReadSecs + result.cold.prepareSecs +
                             result.cold.writeSecs + result.cold.syncSecs + result.hotUpdateSecs +
                             result.closingCheckpointSecs;
        QVERIFY2(parts <= result.durationSecs,
                 qPrintable(QStringLiteral("%1 > %2").arg(parts).arg(result.durationSecs)));
        QCOMPARE(store.verify(), QStringList());
    }

    // The dashboard's figures come from statistics(), read while batches commit: hot + cold is
    // always the store's total, never a batch counted in both tiers (between its commit and its
    // hot removal).
    void statisticsNeverCountABatchInBothTiers()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        Store store(path);
        store.open();
        const quint64 total = 3000;
        appendInSlices(store, generated(total, 100));
        MigrationPolicy policy;
        policy.batchSize = 3; // about a thousand commits to read across
        policy.ageThresholdMicros = 0;
        std::atomic<bool> done{false};
        std::atomic<quint64> reads{0}, miscounts{0}, lastMiscount{0};
        std::thread reader([&] {
            while (!done.load()) {
                const StoreStatistics s = store.statistics();
                const quint64 seen = s.hotVersions + s.coldNodeVersions + s.coldEdgeVersions;
                if (seen != total) {
                    ++miscounts;
                    lastMiscount = seen;
                }
                ++reads;
            }
        });
        QVERIFY(test::waitUntil([&] { return reads.load() > 0; }));
        const MigrationRunResult result = MigrationRun(store, policy, kNow).run();
        done = true;
        reader.join();
        QVERIFY(result.migrated > 2500);
        QVERIFY2(miscounts.load() == 0,
                 qPrintable(QStringLiteral("%1 of %2 reads counted %3 versions, not %4")
                                .arg(miscounts.load())
                                .arg(reads.load())
                                .arg(lastMiscount.load())
                                .arg(total)));
    }

    void disabledPolicyAndEmptySelectionMakeNoBatches()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        Store store(path);
        store.open();
        const auto versions = generated(1000, 100);
        appendInSlices(store, versions);
        const QStringList walBefore = walListing(path);

        MigrationPolicy disabled = MigrationPolicy::preset(QStringLiteral("disabled"));
        disabled.ageThresholdMicros = 0;   // everything would be eligible if it were enabled
        disabled.memoryThresholdBytes = 1; // and under pressure
        MigrationRun off(store, disabled, kNow);
        QVERIFY(off.select().candidates.empty());
        int calls = 0;
        MigrationRunResult r =
            off.run([&](const MigrationProgress&, const BatchCommitResult&) { ++calls; });
        QCOMPARE(calls, 0);
        QCOMPARE(r.migrated, quint64(0));
        QCOMPARE(r.batches, 0);
        QCOMPARE(r.plannedBatches, 0);

        MigrationPolicy young;
        young.ageThresholdMicros = 365 * kDay;
        MigrationRun none(store, young, kNow);
        QVERIFY(none.select().candidates.empty());
        r = none.run([&](const MigrationProgress&, const BatchCommitResult&) { ++calls; });
        QCOMPARE(calls, 0);
        QCOMPARE(r.batches, 0);
        QCOMPARE(r.plannedBatches, 0);

        QVERIFY(coldIds(store).isEmpty());
        QCOMPARE(store.hot().versionCount(), quint64(versions.size()));
        QCOMPARE(walListing(path), walBefore);
        QCOMPARE(store.verify(), QStringList());
    }

    void cancelBetweenBatches_data()
    {
        QTest::addColumn<int>("k");
        QTest::newRow("after 1") << 1;
        QTest::newRow("after 4") << 4;
    }

    void cancelBetweenBatches()
    {
        QFETCH(int, k);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        Store store(path);
        store.open();
        const auto versions = generated(2000, 200);
        appendInSlices(store, versions);
        MigrationPolicy policy;
        policy.batchSize = 50;
        policy.ageThresholdMicros = 5 * kDay;
        MigrationRun run(store, policy, kNow);
        const Selection preview = run.select();
        QVERIFY(preview.candidates.size() > std::size_t(k + 2) * 50);

        std::atomic<bool> cancel{false};
        int calls = 0;
        const MigrationRunResult result = run.run(
            [&](const MigrationProgress& p, const BatchCommitResult&) {
                ++calls;
                if (p.batch == k)
                    cancel = true;
            },
            &cancel);
        QCOMPARE(calls, k);
        QCOMPARE(result.batches, k);
        QVERIFY(result.cancelled);
        QCOMPARE(result.migrated, quint64(k) * 50);
        const QSet<quint64> expectedCold = idsOf(preview.candidates, std::size_t(k) * 50);
        checkTiers(store, allIds(versions), expectedCold);
        QCOMPARE(store.verify(), QStringList());
    }

    // A cancel that arrives while the last batch commits: every batch is done, but the closing
    // checkpoint (which can be long) is skipped, as stop() promises to wait only for the batch
    // in flight. Nothing is at risk: the next checkpoint catches up.
    void cancelDuringTheLastBatchSkipsTheClosingCheckpoint()
    {
        GeneratedStore fixture(201);
        Store& store = *fixture.store;
        MigrationRun run(store, olderThanFiveDaysIn100s(), kNow);
        Selection preview = run.select();
        const std::size_t total = preview.candidates.size();
        QVERIFY(total > 200);
        std::atomic<bool> cancel{false};
        const MigrationRunResult result = run.run(
            std::move(preview),
            [&](const MigrationProgress& p, const BatchCommitResult&) {
                if (p.batch == p.batches)
                    cancel = true;
            },
            &cancel);
        QCOMPARE(result.migrated, quint64(total));
        QVERIFY(!result.cancelled); // every batch committed
        QCOMPARE(result.closingCheckpointSecs, 0.0);
        QVERIFY(store.uncheckpointedCount() > 0);
        checkpointCatchesUp(store);
    }

    // A cancel that arrives during the closing checkpoint stops it between its chunks (it can be
    // long: every version that stays hot), keeping the chunks it committed.
    void cancelDuringTheClosingCheckpointStopsItBetweenChunks()
    {
        Store::Options options;
        options.checkpointChunk = 50;
        GeneratedStore fixture(202, options);
        Store& store = *fixture.store;
        MigrationRun run(store, olderThanFiveDaysIn100s(), kNow);
        Selection preview = run.select();
        const std::size_t total = preview.candidates.size();
        std::atomic<bool> cancel{false};
        int checkpointCommits = 0;
        const MigrationRunResult result = run.run(
            std::move(preview),
            [&](const MigrationProgress& p, const BatchCommitResult&) {
                if (p.batch != p.batches)
                    return;
                // After the last batch: the closing checkpoint's first chunk asks to stop.
                store.cold().setFailureHook([&](const char* stage) {
                    if (std::strcmp(stage, "before-commit") == 0 && ++checkpointCommits == 1)
                        cancel = true;
                });
            },
            &cancel);
        store.cold().setFailureHook({});
        QCOMPARE(result.migrated, quint64(total));
        QCOMPARE(checkpointCommits, 1); // one chunk committed, then it stopped
        QVERIFY(store.uncheckpointedCount() > 0);
        checkpointCatchesUp(store);
    }

    void failingBatchChangesNothingAndRetrySucceeds()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        Store::Options options;
        options.walSegmentBytes = 16 * 1024;
        auto versions = generated(2000, 200);
        const std::vector<Version> fresh = youngHeads(100001, 200);
        QSet<quint64> expectedCold;
        const QSet<quint64> all = allIds(versions) + allIds(fresh);
        {
            Store store(path, options);
            store.open();
            appendInSlices(store, versions, 100);
            MigrationPolicy policy;
            policy.batchSize = 60;
            policy.ageThresholdMicros = 5 * kDay;
            MigrationRun run(store, policy, kNow);
            const Selection preview = run.select();
            QVERIFY(preview.candidates.size() > 5 * 60);
            expectedCold = idsOf(preview.candidates);

            int commits = 0;
            store.cold().setFailureHook([&](const char* stage) {
                if (QByteArray(stage) == "before-commit" && ++commits == 3)
                    throw std::runtime_error("injected: disk full on batch 3");
            });
            QStringList walAfter2;
            quint64 flushedAfter2 = 0, coldFlushedAfter2 = 0;
            int batchesSeen = 0;
            bool threw = false;
            try {
                run.run([&](const MigrationProgress& p, const BatchCommitResult&) {
                    batchesSeen = p.batch;
                    if (p.batch == 2) {
                        // New writes after batch 2 rotate the WAL: closed segments above the
                        // flushed LSN that the failed batch must neither flush nor delete.
                        appendInSlices(store, fresh, 25);
                    }
                    walAfter2 = walListing(path);
                    flushedAfter2 = store.flushedLsn();
                    coldFlushedAfter2 = store.cold().flushedLsn();
                });
            } catch (const FrostlineError& e) {
                threw = true;
                QVERIFY2(e.message().contains(QLatin1String("injected: disk full on batch 3")),
                         qPrintable(e.message()));
                // And what the two batches before it made durable (the cause alone left that
                // to be guessed).
                QVERIFY2(e.message().endsWith(
                             QStringLiteral("; before it, 2 batch(es) committed: their 120 "
                                            "versions are durable in the cold tier (flushed LSN "
                                            "%1)")
                                 .arg(flushedAfter2)),
                         qPrintable(e.message()));
            }
            QVERIFY(threw);
            QCOMPARE(batchesSeen, 2);
            QCOMPARE(commits, 3);
            QVERIFY(walAfter2.size() > 1);
            QCOMPARE(walListing(path), walAfter2);
            QCOMPARE(store.flushedLsn(), flushedAfter2);
            QCOMPARE(store.cold().flushedLsn(), coldFlushedAfter2);

            const QSet<quint64> firstTwo = idsOf(preview.candidates, 120);
            const QSet<quint64> third =
                idsOf(preview.candidates, 180) - firstTwo; // the failed batch
            QCOMPARE(third.size(), 60);
            checkTiers(store, all, firstTwo);
            for (quint64 id : third) {
                QVERIFY(store.hot().contains(id));
                QVERIFY(!store.cold().contains(id));
            }
            QCOMPARE(store.verify(), QStringList());

            store.cold().setFailureHook({});
            const MigrationRunResult again = MigrationRun(store, policy, kNow).run();
            QCOMPARE(again.migrated, quint64(expectedCold.size() - 120));
            checkTiers(store, all, expectedCold);
            QCOMPARE(store.verify(), QStringList());
        }
        Store reopened(path, options);
        reopened.open();
        checkTiers(reopened, all, expectedCold);
        checkVersions(reopened, versions, expectedCold);
        checkVersions(reopened, fresh, expectedCold);
        QCOMPARE(reopened.verify(), QStringList());
    }

    // The ancestor engine truncated the WAL up to the migrated batch's LSN while the heads of
    // other entities, written before it, lived only in the WAL; recovery then lost them.
    void walTruncationKeepsHeadsWrittenBeforeTheBatch()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        Store::Options options;
        options.walSegmentBytes = 16 * 1024;

        // First: entities 1..300, one version each (their heads, young), low LSNs.
        const std::vector<Version> heads = youngHeads(1, 300);
        // Then: old chains of other entities (high LSNs), which the migration moves.
        const auto chains = generated(1500, 100, 11, 1001);
        std::vector<Version> all = heads;
        all.insert(all.end(), chains.begin(), chains.end());

        QSet<quint64> expectedCold;
        {
            Store store(path, options);
            store.open();
            appendInSlices(store, heads, 25);
            appendInSlices(store, chains, 100);
            const auto before = store.wal().segments();
            QVERIFY(before.size() > 4);
            // The heads' records lie in closed segments wholly below the batch's LSNs.
            QVERIFY(!before.front().active);
            QVERIFY(before.front().lastLsn < 300);
            QCOMPARE(store.flushedLsn(), quint64(0));

            MigrationPolicy policy;
            policy.batchSize = 100000; // one batch
            policy.ageThresholdMicros = 5 * kDay;
            MigrationRun run(store, policy, kNow);
            const Selection preview = run.select();
            QVERIFY(!preview.candidates.empty());
            for (const Candidate& c : preview.candidates)
                QVERIFY(c.versionId > 1000); // no head of the first entities is migrated
            expectedCold = idsOf(preview.candidates);
            const MigrationRunResult result = run.run();
            QCOMPARE(result.batches, 1);
            QVERIFY(result.segmentsDeleted > 0); // truncation really happened

            // Truncation invariant: what remains is active or still needed.
            const quint64 flushed = store.cold().flushedLsn();
            QCOMPARE(store.flushedLsn(), flushed);
            for (const WalSegmentStatus& s : store.walStatus())
                QVERIFY2(s.segment.active || s.segment.lastLsn > flushed,
                         qPrintable(s.segment.fileName + QStringLiteral(": ") + s.reason));
            // The heads' segments are gone from disk: only Berkeley DB can bring them back.
            const QStringList files = walListing(path);
            QVERIFY(!files.join(QLatin1Char(' ')).contains(before.front().fileName));
            QCOMPARE(store.verify(), QStringList());
            store.close();
        }
        Store reopened(path, options);
        reopened.open();
        checkTiers(reopened, allIds(all), expectedCold);
        checkVersions(reopened, all, expectedCold);
        for (const Version& h : heads) {
            const auto history = reopened.history(h.entity());
            QCOMPARE(history.size(), std::size_t(1));
            QVERIFY(history.front().version == h);
        }
        QCOMPARE(reopened.verify(), QStringList());
    }
};

QTEST_GUILESS_MAIN(TestMigrationRun)
#include "tst_migrationrun.moc"
