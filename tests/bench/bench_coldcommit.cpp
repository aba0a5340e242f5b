// Cold-tier commit throughput against a raw Berkeley DB baseline, in one run:
//  (a) raw baseline: one btree, DB_MULTIPLE_KEY bulk put of 1000 records per DB_TXN_SYNC txn;
//  (b) ColdTier::commit of real (encoded) versions, 1000 per batch, `migrated` only;
//  (c) the same as a migration of previously checkpointed versions (checkpoint removals too).
// Also times the hot checkpoint of the whole set in ONE transaction and loading it back.
// Usage: bench_coldcommit [versions]   (default 1000000)

#include "coldtier.h"
#include "rawberkeleybaseline.h"
#include "versioncodec.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QThread>

#include <cstdio>

using namespace frostline;

namespace {

// A realistic version whose encoding is about 150 bytes.
Version makeVersion(quint64 id)
{
    Version v;
    v.versionId = id;
    v.kind = id % 10 < 7 ? EntityKind::Node : EntityKind::Edge;
    v.entityId = id % 50'000;
    v.label = v.isEdge() ? QStringLiteral("KNOWS") : QStringLiteral("Person");
    v.txFrom = 1'700'000'000'000'000 + qint64(id) * 1000;
    v.validFrom = v.txFrom;
    v.txTo = v.txFrom + 5000;
    if (v.isEdge()) {
        v.source = id % 30'000;
        v.target = (id * 7) % 30'000;
    }
    v.properties = PropertyValue::canonicalMap({
        {"name", PropertyValue(QStringLiteral("entity-%1").arg(v.entityId))},
        {"city", PropertyValue(QStringLiteral("Trondheim"))},
        {"score", PropertyValue(double(id % 1000) / 3.0)},
        {"visits", PropertyValue(qint64(id % 100000))},
        {"active", PropertyValue(id % 2 == 0)},
    });
    return v;
}

std::vector<Version> makeBatch(quint64 first, quint64 count)
{
    std::vector<Version> out;
    out.reserve(count);
    for (quint64 i = 0; i < count; ++i)
        out.push_back(makeVersion(first + i));
    return out;
}

QString cpuModel()
{
    QFile f(QStringLiteral("/proc/cpuinfo"));
    if (f.open(QIODevice::ReadOnly))
        for (const QByteArray& line : f.readAll().split('\n'))
            if (line.startsWith("model name"))
                return QString::fromLatin1(line.mid(line.indexOf(':') + 1).trimmed());
    return QStringLiteral("unknown");
}

double ms(const QElapsedTimer& t)
{
    return double(t.nsecsElapsed()) / 1e6;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const quint64 total = argc > 1 ? QByteArray(argv[1]).toULongLong() : 1'000'000;
    constexpr quint64 kBatch = 1000;
    QTemporaryDir dir(QDir::currentPath() + QStringLiteral("/bench_coldcommit-XXXXXX"));

    quint64 sampleBytes = 0;
    for (quint64 i = 1; i <= 1000; ++i)
        sampleBytes += quint64(VersionCodec::encode(makeVersion(i)).size());
    const quint32 valueBytes = quint32(sampleBytes / 1000);

    std::printf("machine: %d cores (nproc), %s\n", QThread::idealThreadCount(),
                qPrintable(cpuModel()));
    std::printf("versions: %llu, batch %llu, mean encoded version %u bytes, page size 8192\n",
                static_cast<unsigned long long>(total), static_cast<unsigned long long>(kBatch),
                valueBytes);

    bench::RawBaselineOptions raw;
    raw.records = total;
    raw.valueBytes = valueBytes;
    raw.batchSize = quint32(kBatch);
    const auto baseline = bench::runRawBerkeleyBaseline(dir.filePath(QStringLiteral("raw")), raw);
    const double rawRate = baseline.recordsPerSecond();
    std::printf("(a) raw Berkeley DB bulk put + DB_TXN_SYNC: %10.0f records/s (%.2f s)\n", rawRate,
                baseline.seconds);

    auto runCommits = [&](const QString& home, bool withCheckpoint) {
        ColdTier cold(home);
        cold.open();
        quint64 lsn = 0;
        if (withCheckpoint) {
            // The whole set enters the hot checkpoint first, in ONE transaction (the hot
            // checkpoint of a big store), then is loaded back as recovery would.
            std::vector<Version> all = makeBatch(1, total);
            ColdCommit c;
            for (const auto& v : all)
                c.checkpointPuts.push_back({&v, v.versionId});
            c.flushedLsn = lsn = total;
            QElapsedTimer t;
            t.start();
            cold.commit(c);
            std::printf("    hot checkpoint of %llu versions in one transaction: %.0f ms\n",
                        static_cast<unsigned long long>(total), ms(t));
            all.clear();
            all.shrink_to_fit();
            t.restart();
            quint64 loaded = 0, lsnSum = 0;
            cold.loadCheckpoint([&](Version&& v, quint64 l) {
                ++loaded;
                lsnSum += l - v.versionId;
            });
            std::printf("    loadCheckpoint of %llu versions: %.0f ms%s\n",
                        static_cast<unsigned long long>(loaded), ms(t),
                        loaded == total && lsnSum == 0 ? "" : "  (MISMATCH)");
        }
        double seconds = 0;
        for (quint64 first = 1; first <= total; first += kBatch) {
            const quint64 n = std::min(kBatch, total - first + 1);
            const std::vector<Version> batch = makeBatch(first, n);
            ColdCommit c;
            c.migrated.reserve(n);
            for (const auto& v : batch)
                c.migrated.push_back(&v);
            if (withCheckpoint)
                for (const auto& v : batch)
                    c.checkpointRemovals.push_back(v.versionId);
            c.flushedLsn = ++lsn;
            QElapsedTimer t;
            t.start();
            cold.commit(c);
            seconds += double(t.nsecsElapsed()) / 1e9;
        }
        const auto s = cold.statistics();
        if (s.nodeVersions + s.edgeVersions != total || s.checkpointVersions != 0)
            std::printf("    (MISMATCH: %llu cold, %llu checkpointed)\n",
                        static_cast<unsigned long long>(s.nodeVersions + s.edgeVersions),
                        static_cast<unsigned long long>(s.checkpointVersions));
        return std::make_pair(double(total) / seconds, seconds);
    };

    const auto [migratedRate, migratedSeconds] =
        runCommits(dir.filePath(QStringLiteral("cold-b")), false);
    std::printf("(b) ColdTier::commit, migrated only:        %10.0f versions/s (%.2f s)\n",
                migratedRate, migratedSeconds);
    const auto [removalRate, removalSeconds] =
        runCommits(dir.filePath(QStringLiteral("cold-c")), true);
    std::printf("(c) ColdTier::commit + checkpoint removals: %10.0f versions/s (%.2f s)\n",
                removalRate, removalSeconds);
    std::printf("ratio (b)/(a): %.2f\nratio (c)/(a): %.2f\n", migratedRate / rawRate,
                removalRate / rawRate);
    return 0;
}
