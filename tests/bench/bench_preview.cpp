// Times CandidateSelector::select() on a hot tier of 1,000,000 versions over ~100,000 entities
// with skewed version counts: age mode, LRU mode (half the versions accessed) and memory pressure.
#include "accesstracker.h"
#include "candidateselector.h"
#include "migrationpolicybuilder.h"

#include <QElapsedTimer>
#include <QFile>
#include <QRandomGenerator>
#include <QThread>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

using namespace frostline;

namespace {

double threadCpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

constexpr qint64 kSec = 1'000'000;
constexpr qint64 kNow = 1'700'000'000LL * kSec;

QString cpuModel()
{
    QFile f(QStringLiteral("/proc/cpuinfo"));
    if (f.open(QIODevice::ReadOnly))
        for (const QByteArray& line : f.readAll().split('\n'))
            if (line.startsWith("model name"))
                return QString::fromUtf8(line.mid(line.indexOf(':') + 1).trimmed());
    return QStringLiteral("unknown");
}

HotSnapshot makeSnapshot(std::size_t versions, std::size_t entities)
{
    QRandomGenerator rng(42);
    // Skewed counts: entity e gets a weight ~ 1/(rank+1)^0.8, scaled to `versions` in total,
    // at least 1 each.
    std::vector<double> weight(entities);
    double sum = 0;
    for (std::size_t e = 0; e < entities; ++e)
        sum += weight[e] = 1.0 / std::pow(double(e + 1), 0.8);
    HotSnapshot hot;
    hot.entityVersionCounts.resize(entities);
    std::size_t assigned = 0;
    for (std::size_t e = 0; e < entities; ++e) {
        hot.entityVersionCounts[e] =
            std::max<quint32>(1, quint32(weight[e] / sum * double(versions - entities)) + 1);
        assigned += hot.entityVersionCounts[e];
    }
    for (std::size_t e = 0; assigned < versions; e = (e + 1) % entities, ++assigned)
        ++hot.entityVersionCounts[e];
    hot.versions.reserve(versions);
    quint64 nextId = 1;
    for (std::size_t e = 0; e < entities; ++e) {
        const EntityKind kind = e % 3 == 0 ? EntityKind::Edge : EntityKind::Node;
        const quint64 entityId = e / 2; // node/edge id collisions on purpose
        hot.entities.push_back({kind, entityId});
        const quint32 count = hot.entityVersionCounts[e];
        // tx_from spread over 60 days; the last one generated is the newest (the head).
        qint64 tx = kNow - qint64(rng.bounded(60 * 86400)) * kSec;
        std::vector<HotVersionInfo> chain;
        for (quint32 k = 0; k < count; ++k) {
            chain.push_back(
                {nextId++, tx, entityId, quint32(e), kind, false, 200 + rng.bounded(800u)});
            tx += qint64(rng.bounded(1, 3 * 86400)) * kSec / std::max<quint32>(1, count / 8);
        }
        chain.back().isHead = true;
        for (auto& v : chain) {
            hot.totalBytes += v.estimatedSize;
            hot.versions.push_back(v);
        }
    }
    // Hot tier iteration order is not tx order.
    std::shuffle(hot.versions.begin(), hot.versions.end(), rng);
    return hot;
}

void run(const char* name, const HotSnapshot& hot, const MigrationPolicy& p,
         const AccessOrder& access = {})
{
    double best = 1e9;
    double bestCpu = 1e9;
    Selection s;
    for (int i = 0; i < 5; ++i) {
        s = {};
        QElapsedTimer timer;
        const double cpu0 = threadCpuMs();
        timer.start();
        s = CandidateSelector::select(hot, p, kNow, access);
        best = std::min(best, double(timer.nsecsElapsed()) / 1e6);
        bestCpu = std::min(bestCpu, threadCpuMs() - cpu0);
    }
    std::size_t memory = 0;
    for (const auto& c : s.candidates)
        memory += c.reason == CandidateReason::Memory;
    std::printf("%-16s %7.1f ms wall, %7.1f ms CPU (best of 5)  candidates %zu (memory %zu), "
                "staying %zu\n",
                name, best, bestCpu, s.candidates.size(), memory, s.staying.size());
}

} // namespace

int main()
{
    constexpr std::size_t kVersions = 1'000'000;
    constexpr std::size_t kEntities = 100'000;
    std::printf("machine: nproc %d, CPU %s\n", QThread::idealThreadCount(), qPrintable(cpuModel()));
    // A yardstick for reading the figures on a shared machine: a plain sort of 1M integers.
    {
        std::vector<quint64> v(kVersions);
        QRandomGenerator rng(1);
        for (auto& x : v)
            x = rng.generate64();
        QElapsedTimer t;
        t.start();
        std::sort(v.begin(), v.end());
        QFile loadavg(QStringLiteral("/proc/loadavg"));
        const QByteArray load =
            loadavg.open(QIODevice::ReadOnly) ? loadavg.readAll().trimmed() : QByteArray("?");
        std::printf("yardstick: std::sort of 1M quint64 %.1f ms; load average %s\n",
                    double(t.nsecsElapsed()) / 1e6, load.constData());
    }
    QElapsedTimer build;
    build.start();
    const HotSnapshot hot = makeSnapshot(kVersions, kEntities);
    const auto maxCount =
        *std::max_element(hot.entityVersionCounts.begin(), hot.entityVersionCounts.end());
    std::printf("snapshot: %zu versions, %zu entities (largest %u versions), %.1f MiB, built in "
                "%lld ms\n",
                hot.versions.size(), hot.entities.size(), maxCount,
                double(hot.totalBytes) / (1 << 20), build.elapsed());

    const auto age = MigrationPolicyBuilder().ageThresholdSecs(30 * 86400).build();
    run("age", hot, age);

    AccessTracker tracker;
    QRandomGenerator rng(7);
    for (const auto& v : hot.versions)
        if (rng.bounded(2))
            tracker.recordAccess(v.versionId, kNow);
    const AccessOrder access = tracker.accessOrder();
    std::printf("access order: %lld versions accessed\n", qlonglong(access.size()));
    const auto lru = MigrationPolicyBuilder(age).enableLru(true).build();
    run("lru", hot, lru, access);

    const auto memory =
        MigrationPolicyBuilder(age).memoryThresholdBytes(hot.totalBytes / 4).build();
    run("memory pressure", hot, memory);
    const auto memoryLru = MigrationPolicyBuilder(memory).enableLru(true).build();
    run("memory + lru", hot, memoryLru, access);
    return 0;
}
