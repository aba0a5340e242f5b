// Migration throughput against a raw Berkeley DB baseline measured in the same run (issue 4):
// the full path (select, encode, write, commit, hot removal, truncation, and the closing
// checkpoint of the versions that stay hot) versus DB_MULTIPLE_KEY bulk puts of records of the
// same count and size, same batch size, synchronous commits. Goal: >= 0.8x.
// Also times a preview (CandidateSelector over the hot snapshot) of all hot versions.
//
//   bench_migration [VERSIONS] [BATCH]
#include "benchmachine.h"
#include "migrationpolicybuilder.h"
#include "migrationrun.h"
#include "rawberkeleybaseline.h"
#include "store.h"
#include "versioncodec.h"
#include "workloadgenerator.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>

#include <cstdio>

using namespace frostline;

namespace {

struct Prepared
{
    QString path;
    quint64 encodedBytes = 0;
    quint64 versions = 0;
};

Prepared prepare(const QTemporaryDir& tmp, const QString& name, quint64 versions, bool checkpoint)
{
    Prepared p;
    p.path = tmp.filePath(name);
    Store::create(p.path);
    Store store(p.path);
    store.open();
    WorkloadGenerator::Options o;
    o.entities = versions / 10;
    o.versions = versions;
    o.spanDays = 90;
    o.seed = 11;
    std::vector<Version> slice;
    WorkloadGenerator(o).generate([&](Version&& v) {
        p.encodedBytes += quint64(VersionCodec::encode(v).size());
        slice.push_back(std::move(v));
        if (slice.size() == 20000) {
            store.append(std::move(slice));
            slice.clear();
        }
    });
    if (!slice.empty())
        store.append(std::move(slice));
    if (checkpoint)
        store.checkpoint();
    p.versions = versions;
    return p;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const quint64 versions = argc > 1 ? QByteArray(argv[1]).toULongLong() : 1'000'000;
    const quint64 batch = argc > 2 ? QByteArray(argv[2]).toULongLong() : 1000;
    QTemporaryDir tmp(QDir::tempPath() + QStringLiteral("/bench-migration-XXXXXX"));
    std::printf("machine: %s\n", qPrintable(bench::machineDescription()));

    for (const bool checkpointed : {false, true}) {
        const Prepared p =
            prepare(tmp, checkpointed ? QStringLiteral("ckpt") : QStringLiteral("fresh"), versions,
                    checkpointed);
        Store store(p.path);
        store.open();
        const MigrationPolicy policy =
            MigrationPolicyBuilder().ageThresholdSecs(0).batchSize(batch).build();
        const qint64 now = currentMicros();

        QElapsedTimer previewTimer;
        previewTimer.start();
        const Selection selection = MigrationRun(store, policy, now).select();
        const double previewMs = double(previewTimer.nsecsElapsed()) / 1e6;
        std::printf("%s store: preview of %llu hot versions -> %zu candidates in %.1f ms\n",
                    checkpointed ? "checkpointed" : "fresh",
                    static_cast<unsigned long long>(selection.hotVersions),
                    selection.candidates.size(), previewMs);

        // The baseline writes exactly as many records as the run migrates, each of the mean
        // encoded size, in the same batches.
        const quint64 records = selection.candidates.size();
        bench::RawBaselineOptions raw;
        raw.records = records;
        raw.valueBytes = quint32(p.encodedBytes / p.versions);
        raw.batchSize = quint32(batch);
        const QString storeName = checkpointed ? QStringLiteral("ckpt") : QStringLiteral("fresh");
        // Each raw variant in a fresh environment of its own.
        auto runRaw = [&](const char* name, auto&& adjust) {
            bench::RawBaselineOptions options = raw;
            adjust(options);
            return bench::runRawBerkeleyBaseline(
                tmp.filePath(QLatin1String(name) + QLatin1Char('-') + storeName), options);
        };
        const auto baseline = runRaw("raw", [](bench::RawBaselineOptions&) {});
        // Not the goal's baseline: the same writes plus one entity-index key per record in a
        // second B-tree, the least any cold tier that answers "history of entity E" must do.
        const auto indexFloor =
            runRaw("floor", [](bench::RawBaselineOptions& o) { o.entityIndexKeys = true; });
        // The other layout that answers it: no index, the records keyed in entity order.
        const auto entityOrdered =
            runRaw("ordered", [](bench::RawBaselineOptions& o) { o.entityOrderedKeys = true; });

        QElapsedTimer timer;
        timer.start();
        const double cpu0 = bench::processCpuSeconds();
        const MigrationRunResult r = MigrationRun(store, policy, now).run();
        const double seconds = double(timer.nsecsElapsed()) / 1e9;
        const double cpu = bench::processCpuSeconds() - cpu0;
        const double rate = double(r.migrated) / seconds;
        std::printf("%s store: raw baseline %llu records x %u bytes: %.0f records/s (%.2f s, "
                    "of which commit sync %.2f s)\n",
                    checkpointed ? "checkpointed" : "fresh",
                    static_cast<unsigned long long>(baseline.records), raw.valueBytes,
                    baseline.recordsPerSecond(), baseline.seconds, baseline.syncSeconds);
        std::printf("%s store: raw baseline + entity index key per record: %.0f records/s "
                    "(%.2fx of the baseline)\n",
                    checkpointed ? "checkpointed" : "fresh", indexFloor.recordsPerSecond(),
                    indexFloor.recordsPerSecond() / baseline.recordsPerSecond());
        std::printf("%s store: raw records keyed in entity order (no index): %.0f records/s "
                    "(%.2fx of the baseline)\n",
                    checkpointed ? "checkpointed" : "fresh", entityOrdered.recordsPerSecond(),
                    entityOrdered.recordsPerSecond() / baseline.recordsPerSecond());
        std::printf(
            "%s store: full migration %llu versions in %d batches: %.0f versions/s (%.2f s, "
            "%.2f s CPU), %d segments deleted\n",
            checkpointed ? "checkpointed" : "fresh", static_cast<unsigned long long>(r.migrated),
            r.batches, rate, seconds, cpu, r.segmentsDeleted);
        // Where the full path's time went; the disk sync is the part the baseline shares.
        std::printf("%s store: time of the full path: select %.2f s, hot reads %.2f s, cold "
                    "prepare %.2f s, cold writes %.2f s, commit sync %.2f s, hot removal and "
                    "truncation %.2f s, closing checkpoint %.2f s\n",
                    checkpointed ? "checkpointed" : "fresh", r.selectSecs, r.hotReadSecs,
                    r.cold.prepareSecs, r.cold.writeSecs, r.cold.syncSecs, r.hotUpdateSecs,
                    r.closingCheckpointSecs);
        std::printf("RESULT %s ratio_full_migration_to_raw=%.2f (goal >= 0.8) preview_ms=%.0f\n",
                    checkpointed ? "checkpointed" : "fresh", rate / baseline.recordsPerSecond(),
                    previewMs);
        if (!store.verify().isEmpty())
            std::printf("VERIFY FAILED\n");
    }
    return 0;
}
