#include "displayformat.h"

#include "store.h"

#include "migrationpolicy.h"

#include "timestamps.h"

#include <QDateTime>

#include <limits>

namespace frostline {

namespace {

// "+X", "-X" or "X" (zero), X being N's magnitude as WRITE puts it; INT64_MIN included.
QString withSign(qint64 n, QString (*write)(quint64))
{
    const quint64 magnitude = n < 0 ? quint64(0) - quint64(n) : quint64(n);
    const QString sign = n > 0 ? QStringLiteral("+") : n < 0 ? QStringLiteral("-") : QString();
    return sign + write(magnitude);
}

} // namespace

QString DisplayFormat::count(quint64 n)
{
    QString digits = QString::number(n);
    for (qsizetype i = digits.size() - 3; i > 0; i -= 3)
        digits.insert(i, QLatin1Char(','));
    return digits;
}

QString DisplayFormat::signedCount(qint64 n)
{
    return withSign(n, &DisplayFormat::count);
}

QString DisplayFormat::bytes(quint64 n)
{
    if (n < 1024)
        return QStringLiteral("%1 B").arg(n);
    static const char* const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double value = double(n) / 1024.0;
    int unit = 0;
    // Round first so that 1023.96 KiB reads "1.0 MiB", not "1024.0 KiB".
    while (value >= 1023.95 && unit < 5) {
        value /= 1024.0;
        ++unit;
    }
    return QStringLiteral("%1 %2").arg(value, 0, 'f', 1).arg(QLatin1String(units[unit]));
}

QString DisplayFormat::signedBytes(qint64 n)
{
    return withSign(n, &DisplayFormat::bytes);
}

QString DisplayFormat::quantity(quint64 n, OperationControl::Unit unit)
{
    return unit == OperationControl::Unit::Bytes ? bytes(n) : count(n);
}

QString DisplayFormat::duration(qint64 micros)
{
    if (micros < 0)
        return QStringLiteral("-") + duration(micros == std::numeric_limits<qint64>::min()
                                                  ? std::numeric_limits<qint64>::max()
                                                  : -micros);
    constexpr qint64 second = kMicrosPerSecond, minute = 60 * second, hour = 60 * minute,
                     day = 24 * hour;
    if (micros < minute) {
        if (micros % second == 0)
            return QStringLiteral("%1 s").arg(micros / second);
        // Sub-second precision only where it matters; trailing zeros trimmed.
        QString text = QString::number(double(micros) / double(second), 'f', 6);
        while (text.endsWith(QLatin1Char('0')))
            text.chop(1);
        if (text.endsWith(QLatin1Char('.')))
            text.chop(1);
        return text + QStringLiteral(" s");
    }
    // Two units at most: an operator reads "1 d 12 h", not "1 d 12 h 3 min 4 s".
    struct Unit
    {
        qint64 size;
        const char* name;
    };
    static const Unit units[] = {{day, "d"}, {hour, "h"}, {minute, "min"}, {second, "s"}};
    for (int i = 0; i < 3; ++i) {
        if (micros < units[i].size)
            continue;
        const qint64 major = micros / units[i].size;
        const qint64 minor = (micros % units[i].size) / units[i + 1].size;
        QString text = QStringLiteral("%1 %2").arg(major).arg(QLatin1String(units[i].name));
        if (minor > 0)
            text += QStringLiteral(" %1 %2").arg(minor).arg(QLatin1String(units[i + 1].name));
        return text;
    }
    return QStringLiteral("%1 s").arg(micros / second);
}

QString DisplayFormat::elapsed(qint64 millis)
{
    if (millis < 0)
        return QStringLiteral("–");
    if (millis < 1000)
        return QStringLiteral("%1 ms").arg(millis);
    if (millis < 60'000)
        return QStringLiteral("%1 s").arg(double(millis) / 1000.0, 0, 'f', 1);
    const qint64 s = millis / 1000;
    if (s < 3600)
        return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1 h %2 min")
        .arg(s / 3600)
        .arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
}

QString DisplayFormat::timestamp(qint64 micros)
{
    if (micros == kOpenEnd)
        return QStringLiteral("open");
    // Floor division so that instants before 1970 keep a non-negative microsecond part.
    qint64 millis = micros / 1000;
    qint64 rest = micros % 1000;
    if (rest < 0) {
        rest += 1000;
        --millis;
    }
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(millis, Qt::UTC);
    if (!t.isValid())
        return QString::number(micros);
    return t.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")) +
           QStringLiteral("%1 UTC").arg(rest, 3, 10, QLatin1Char('0'));
}

QString DisplayFormat::policy(const MigrationPolicy& p)
{
    return QStringLiteral("%1 · age ≥ %2 · memory threshold %3 · keep ≥ %4 version(s) hot per "
                          "entity · batches of %5 · every %6 · %7")
        .arg(p.enabled ? QStringLiteral("enabled") : QStringLiteral("disabled (migrates nothing)"),
             duration(p.ageThresholdMicros), bytes(quint64(p.memoryThresholdBytes)),
             count(p.minHotVersions), count(p.batchSize), duration(p.runIntervalMicros),
             p.enableLru ? QStringLiteral("LRU order") : QStringLiteral("age order"));
}

QString DisplayFormat::soundStore(const StoreStatistics& s, bool groupDigits)
{
    auto figure = [groupDigits](quint64 n) { return groupDigits ? count(n) : QString::number(n); };
    // After a checkpoint the log may hold no record at all: "LSNs 3001..3000" read oddly.
    QString wal = QStringLiteral("WAL LSNs %1..%2 intact").arg(s.firstWalLsn).arg(s.lastLsn);
    if (s.lastLsn == 0)
        wal = QStringLiteral("the WAL is empty: nothing was written yet");
    else if (s.firstWalLsn > s.lastLsn)
        wal = QStringLiteral("the WAL is empty: the tiers hold every record through LSN %1")
                  .arg(s.lastLsn);
    return QStringLiteral("%1 hot and %2 cold versions, each in exactly one tier; %3; flushed LSN "
                          "%4")
        .arg(figure(s.hotVersions), figure(s.coldNodeVersions + s.coldEdgeVersions), wal)
        .arg(s.flushedLsn);
}

} // namespace frostline
