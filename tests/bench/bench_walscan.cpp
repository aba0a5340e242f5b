// WAL append / open / scan figures: 1,000,000 records of ~160 random bytes, appended in durable
// batches of 1000 (one group-commit fdatasync each), then a fresh open() and a full scan().
// Usage: bench_walscan [records] [directory]   (a temporary directory by default)

#include "wal.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QThread>

#include <cstdio>

using namespace frostline;

namespace {

QString cpuModel()
{
    QFile f(QStringLiteral("/proc/cpuinfo"));
    if (f.open(QIODevice::ReadOnly))
        for (const QByteArray& line : f.readAll().split('\n'))
            if (line.startsWith("model name"))
                return QString::fromUtf8(line.mid(line.indexOf(':') + 1).trimmed());
    return QStringLiteral("unknown");
}

void report(const char* what, qint64 records, qint64 bytes, qint64 nanos)
{
    const double secs = double(nanos) / 1e9;
    std::printf("%-8s %10.3f s  %12.0f records/s  %9.1f MB/s\n", what, secs, double(records) / secs,
                double(bytes) / 1e6 / secs);
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const qint64 records = argc > 1 ? QByteArray(argv[1]).toLongLong() : 1000000;
    QTemporaryDir tmp;
    const QString dir = argc > 2 ? QString::fromLocal8Bit(argv[2]) : tmp.filePath("wal");
    constexpr int kBatch = 1000;

    std::printf("machine: %d cores (nproc), %s\n", QThread::idealThreadCount(),
                qPrintable(cpuModel()));
    std::printf("records: %lld x ~160 random bytes, batches of %d, %s\n",
                static_cast<long long>(records), kBatch, qPrintable(dir));

    QRandomGenerator rng(42);
    qint64 payloadBytes = 0;
    QElapsedTimer timer;
    {
        Wal wal(dir, {});
        wal.open();
        timer.start();
        std::vector<QByteArray> batch;
        for (qint64 i = 0; i < records;) {
            batch.clear();
            for (int k = 0; k < kBatch && i < records; ++k, ++i) {
                QByteArray p(144 + int(rng.bounded(33)), Qt::Uninitialized); // 144..176 bytes
                rng.fillRange(reinterpret_cast<quint32*>(p.data()), p.size() / 4);
                payloadBytes += p.size();
                batch.push_back(std::move(p));
            }
            wal.append(batch);
        }
        const qint64 appendNs = timer.nsecsElapsed();
        report("append", records, payloadBytes, appendNs);
        std::printf("         %llu fdatasync calls, %zu segments\n",
                    static_cast<unsigned long long>(wal.syncCount()), wal.segments().size());
    }

    Wal wal(dir, {});
    timer.start();
    const auto opened = wal.open();
    const qint64 openNs = timer.nsecsElapsed();
    qint64 onDisk = 0;
    for (const auto& s : wal.segments())
        onDisk += s.sizeBytes;
    std::printf("open     %10.3f s  (%zu segments, %.1f MB on disk, last LSN %llu, torn %lld)\n",
                double(openNs) / 1e9, wal.segments().size(), double(onDisk) / 1e6,
                static_cast<unsigned long long>(wal.lastLsn()),
                static_cast<long long>(opened.tornBytesCut));

    qint64 seen = 0, seenBytes = 0;
    timer.start();
    wal.scan(1, [&](const WalRecord& r) {
        ++seen;
        seenBytes += r.payload.size();
        return true;
    });
    const qint64 scanNs = timer.nsecsElapsed();
    report("scan", seen, onDisk, scanNs);
    if (seen != records || seenBytes != payloadBytes) {
        std::fprintf(stderr, "scan saw %lld records / %lld bytes, expected %lld / %lld\n",
                     static_cast<long long>(seen), static_cast<long long>(seenBytes),
                     static_cast<long long>(records), static_cast<long long>(payloadBytes));
        return 1;
    }
    timer.start();
    const QStringList problems = wal.verify();
    report("verify", seen, onDisk, timer.nsecsElapsed());
    return problems.isEmpty() ? 0 : 1;
}
