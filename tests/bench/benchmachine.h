#pragma once

// One line naming the machine a benchmark ran on, so figures in docs/benchmarks.md carry it.

#include <QFile>
#include <QString>
#include <QThread>

#include <sys/resource.h>
#include <unistd.h>

namespace frostline::bench {

inline QString machineDescription()
{
    QString cpu = QStringLiteral("unknown CPU");
    QFile f(QStringLiteral("/proc/cpuinfo"));
    if (f.open(QIODevice::ReadOnly)) {
        for (const QByteArray& line : f.readAll().split('\n'))
            if (line.startsWith("model name")) {
                cpu = QString::fromUtf8(line.mid(line.indexOf(':') + 1)).trimmed();
                break;
            }
    }
    double load[3] = {0, 0, 0};
    getloadavg(load, 3);
    return QStringLiteral("%1 cores, %2, load average %3")
        .arg(QThread::idealThreadCount())
        .arg(cpu)
        .arg(load[0], 0, 'f', 2);
}

// CPU seconds (user + system) this process has used so far, all threads.
inline double processCpuSeconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

} // namespace frostline::bench
