// A child process for the crash tests: writes to a store and acknowledges on stdout each write
// that returned, so the parent can kill it with SIGKILL at any instant and then check that every
// acknowledged write survived exactly once, unchanged.
//
//   crashworker append STORE FIRST_ID COUNT BATCH CHECKPOINT_EVERY
//       appends versions FIRST_ID.. (crashVersion(id)) in batches; prints "ack LAST_ID" after each
//       batch returned; every CHECKPOINT_EVERY batches prints "checkpoint-start", checkpoints and
//       prints "checkpoint-done FLUSHED_LSN".
#include "crashversions.h"
#include "store.h"

#include <QCoreApplication>

#include <cstdio>

using namespace frostline;

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList a = app.arguments();
    if (a.size() < 7 || a[1] != QLatin1String("append")) {
        std::fprintf(stderr,
                     "usage: crashworker append STORE FIRST_ID COUNT BATCH CHECKPOINT_EVERY\n");
        return 2;
    }
    const QString path = a[2];
    const quint64 first = a[3].toULongLong();
    const quint64 count = a[4].toULongLong();
    const quint64 batch = std::max<quint64>(1, a[5].toULongLong());
    const quint64 checkpointEvery = a[6].toULongLong();
    try {
        Store::Options options;
        options.walSegmentBytes = 64 * 1024; // many segments, so rotation and truncation happen
        Store store(path, options);
        store.open();
        std::printf("opened\n");
        std::fflush(stdout);
        quint64 batches = 0;
        for (quint64 id = first; id < first + count; id += batch) {
            std::vector<Version> versions;
            for (quint64 i = id; i < std::min(first + count, id + batch); ++i)
                versions.push_back(test::crashVersion(i));
            const quint64 last = versions.back().versionId;
            store.append(std::move(versions));
            std::printf("ack %llu\n", static_cast<unsigned long long>(last));
            std::fflush(stdout);
            if (checkpointEvery && ++batches % checkpointEvery == 0) {
                std::printf("checkpoint-start\n");
                std::fflush(stdout);
                const auto r = store.checkpoint();
                std::printf("checkpoint-done %llu\n",
                            static_cast<unsigned long long>(r.flushedLsn));
                std::fflush(stdout);
            }
        }
        store.close();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "crashworker: %s\n", e.what());
        return 1;
    }
    return 0;
}
