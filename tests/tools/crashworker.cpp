// A child process for the crash tests: writes to a store and acknowledges on stdout each write
// that returned, so the parent can kill it with SIGKILL at any instant and then check that every
// acknowledged write survived exactly once, unchanged.
//
//   crashworker append STORE FIRST_ID COUNT BATCH CHECKPOINT_EVERY
//       appends versions FIRST_ID.. (crashVersion(id)) in batches; prints "ack LAST_ID" after each
//       batch returned; every CHECKPOINT_EVERY batches prints "checkpoint-start", checkpoints and
//       prints "checkpoint-done FLUSHED_LSN".
//   crashworker migrate STORE FIRST_ID COUNT APPEND_BATCH MIGRATE_BATCH age|memory|lru
//       alternates: append APPEND_BATCH versions ("ack LAST_ID"), then one migration run under
//       the policy with batch_size MIGRATE_BATCH ("batch N" after each committed batch).
//   crashworker checkpoint STORE FIRST_ID COUNT BATCH
//       alternates: append BATCH versions ("ack LAST_ID"), then "checkpoint-start", a checkpoint,
//       "checkpoint-done FLUSHED_LSN".
// migrate and checkpoint use 16 KiB WAL segments and print "deleting-segments" from the store's
// truncation hook right before a truncation that deletes at least one segment.
#include "crashversions.h"
#include "migrationrun.h"
#include "store.h"

#include <QCoreApplication>

#include <cstdio>

using namespace frostline;

namespace {

void say(const char* line)
{
    std::printf("%s\n", line);
    std::fflush(stdout);
}

void sayNumber(const char* what, quint64 n)
{
    std::printf("%s %llu\n", what, static_cast<unsigned long long>(n));
    std::fflush(stdout);
}

// Appends crashVersion(id) for ids [id, end) and acknowledges the last one.
void appendRange(Store& store, quint64 id, quint64 end)
{
    std::vector<Version> versions;
    for (quint64 i = id; i < end; ++i)
        versions.push_back(test::crashVersion(i));
    store.append(std::move(versions));
    sayNumber("ack", end - 1);
}

// Prints the marker when the coming truncation will delete a segment.
void installDeletionMarker(Store& store)
{
    store.setTruncationHook([&store](quint64 flushed) {
        for (const auto& s : store.wal().segments())
            if (!s.active && s.lastLsn <= flushed) {
                say("deleting-segments");
                return;
            }
    });
}

MigrationPolicy policyNamed(const QString& name, quint64 batchSize)
{
    MigrationPolicy p;
    p.batchSize = batchSize;
    p.minHotVersions = 1;
    if (name == QLatin1String("memory")) {
        p.ageThresholdMicros = qint64(3650) * 86400 * 1000000; // nothing is old enough
        p.memoryThresholdBytes = 64 * 1024;
    } else {
        p.ageThresholdMicros = 1000000;
        p.enableLru = name == QLatin1String("lru");
    }
    return p;
}

int usage()
{
    std::fprintf(stderr,
                 "usage: crashworker append STORE FIRST_ID COUNT BATCH CHECKPOINT_EVERY\n"
                 "       crashworker migrate STORE FIRST_ID COUNT APPEND_BATCH MIGRATE_BATCH "
                 "age|memory|lru\n"
                 "       crashworker checkpoint STORE FIRST_ID COUNT BATCH\n");
    return 2;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList a = app.arguments();
    if (a.size() < 6)
        return usage();
    const QString mode = a[1];
    const QString path = a[2];
    const quint64 first = a[3].toULongLong();
    const quint64 count = a[4].toULongLong();
    const quint64 batch = std::max<quint64>(1, a[5].toULongLong());
    const quint64 end = first + count;
    try {
        Store::Options options;
        if (mode == QLatin1String("append")) {
            if (a.size() < 7)
                return usage();
            options.walSegmentBytes = 64 * 1024; // many segments: rotation and truncation happen
            Store store(path, options);
            store.open();
            say("opened");
            const quint64 checkpointEvery = a[6].toULongLong();
            quint64 batches = 0;
            for (quint64 id = first; id < end; id += batch) {
                appendRange(store, id, std::min(end, id + batch));
                if (checkpointEvery && ++batches % checkpointEvery == 0) {
                    say("checkpoint-start");
                    sayNumber("checkpoint-done", store.checkpoint().flushedLsn);
                }
            }
            store.close();
            return 0;
        }
        options.walSegmentBytes = 16 * 1024;
        Store store(path, options);
        store.open();
        installDeletionMarker(store);
        say("opened");
        if (mode == QLatin1String("migrate")) {
            if (a.size() < 8)
                return usage();
            const MigrationPolicy policy = policyNamed(a[7], std::max(1ULL, a[6].toULongLong()));
            // crashVersion tx_from is 1.7e15 + id seconds: "now" lies after every one of them.
            const qint64 now = 1'700'000'000'000'000 + qint64(end + 1000) * 1'000'000;
            for (quint64 id = first; id < end; id += batch) {
                appendRange(store, id, std::min(end, id + batch));
                // Touch a few versions so LRU order is not plain age order.
                for (quint64 t = id; t < std::min(end, id + batch); t += 7)
                    store.find(t);
                MigrationRun(store, policy, now)
                    .run([](const MigrationProgress& p, const BatchCommitResult&) {
                        sayNumber("batch", quint64(p.batch));
                    });
            }
        } else if (mode == QLatin1String("checkpoint")) {
            for (quint64 id = first; id < end; id += batch) {
                appendRange(store, id, std::min(end, id + batch));
                say("checkpoint-start");
                sayNumber("checkpoint-done", store.checkpoint().flushedLsn);
            }
        } else {
            return usage();
        }
        store.close();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "crashworker: %s\n", e.what());
        return 1;
    }
    return 0;
}
