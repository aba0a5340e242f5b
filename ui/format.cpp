#include "format.h"

#include "timestamps.h"

#include <QDateTime>
#include <QLocale>

namespace frostline {

QString Format::bytes(double bytes)
{
    static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (bytes >= 1024.0 && u < 4) {
        bytes /= 1024.0;
        ++u;
    }
    return u == 0 ? QStringLiteral("%1 B").arg(qint64(bytes))
                  : QStringLiteral("%1 %2")
                        .arg(bytes, 0, 'f', bytes < 10 ? 2 : 1)
                        .arg(QLatin1String(units[u]));
}

QString Format::count(quint64 n)
{
    return QLocale::system().toString(qulonglong(n));
}

QString Format::duration(qint64 ms)
{
    if (ms < 0)
        return QStringLiteral("–");
    if (ms < 1000)
        return QStringLiteral("%1 ms").arg(ms);
    if (ms < 60'000)
        return QStringLiteral("%1 s").arg(double(ms) / 1000.0, 0, 'f', 1);
    const qint64 s = ms / 1000;
    if (s < 3600)
        return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1 h %2 min")
        .arg(s / 3600)
        .arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
}

QString Format::timestamp(qint64 micros)
{
    if (micros == kOpenEnd)
        return QStringLiteral("open");
    return QDateTime::fromMSecsSinceEpoch(micros / 1000)
        .toString(QStringLiteral("yyyy-MM-dd hh:mm:ss"));
}

QString Format::age(qint64 micros)
{
    const qint64 s = micros / kMicrosPerSecond;
    if (s < 60)
        return QStringLiteral("%1 s").arg(s);
    if (s < 3600)
        return QStringLiteral("%1 min").arg(s / 60);
    if (s < 86400)
        return QStringLiteral("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
    return QStringLiteral("%1 d %2 h").arg(s / 86400).arg((s % 86400) / 3600);
}

} // namespace frostline
