// Prints how fast the JSONL codec and the workload generator run on a realistic workload.
// Usage: bench_jsonlcodec [versions] (default 1,000,000).
#include "jsonlcodec.h"
#include "versioncodec.h"
#include "workloadgenerator.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>

#include <cstdio>
#include <ctime>

using namespace frostline;

namespace {
// CPU seconds of this (single-threaded) process: the machine may be shared, wall time is noisy.
double cpuSeconds()
{
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}

struct Phase
{
    QElapsedTimer wall;
    double cpuStart = cpuSeconds();
    Phase() { wall.start(); }
    double wallS() const { return double(wall.nsecsElapsed()) / 1e9; }
    double cpuS() const { return cpuSeconds() - cpuStart; }
};
} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const quint64 count = argc > 1 ? QByteArray(argv[1]).toULongLong() : 1'000'000;
    QTemporaryDir dir;
    const QString path = dir.filePath("bench.jsonl");

    WorkloadGenerator::Options options;
    options.entities = count / 10;
    options.versions = count;
    options.seed = 1;
    Phase generate;
    std::vector<Version> versions = WorkloadGenerator(options).generateAll();
    const double generateS = generate.cpuS(), generateW = generate.wallS();

    Phase encode;
    QByteArray bytes;
    for (const Version& v : versions)
        bytes += JsonlCodec::encode(v) + '\n';
    const double encodeS = encode.cpuS(), encodeW = encode.wallS();
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        return 1;
    file.close();

    Phase read;
    const std::vector<Version> back = JsonlCodec::readFile(path);
    const double readS = read.cpuS(), readW = read.wallS();
    if (back != versions) {
        std::fprintf(stderr, "round trip mismatch\n");
        return 1;
    }

    Phase binaryEncode;
    QByteArray binary;
    for (const Version& v : versions)
        VersionCodec::encodeAppend(v, binary);
    const double binEncodeS = binaryEncode.cpuS(), binEncodeW = binaryEncode.wallS();

    const double mb = bytes.size() / 1e6;
    std::printf("versions                %llu (%llu entities)\n", (unsigned long long)count,
                (unsigned long long)options.entities);
    std::printf("generate                %.2f s cpu, %.2f s wall (%.0f versions/s cpu)\n",
                generateS, generateW, count / generateS);
    std::printf("jsonl encode            %.2f s cpu, %.2f s wall (%.0f versions/s cpu, %.1f MB, "
                "%.0f B/line)\n",
                encodeS, encodeW, count / encodeS, mb, double(bytes.size()) / double(count));
    std::printf(
        "jsonl readFile          %.2f s cpu, %.2f s wall (%.0f versions/s cpu, %.1f MB/s)\n", readS,
        readW, count / readS, mb / readS);
    std::printf("binary encode           %.2f s cpu, %.2f s wall (%.0f versions/s cpu, %.1f MB)\n",
                binEncodeS, binEncodeW, count / binEncodeS, binary.size() / 1e6);
    return 0;
}
