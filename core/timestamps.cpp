#include "timestamps.h"

#include <QDateTime>

#include <cmath>

namespace frostline {

qint64 currentMicros()
{
    return QDateTime::currentMSecsSinceEpoch() * 1000;
}

qint64 secondsToMicros(double seconds)
{
    return static_cast<qint64>(std::llround(seconds * static_cast<double>(kMicrosPerSecond)));
}

double microsToSeconds(qint64 micros)
{
    return static_cast<double>(micros) / static_cast<double>(kMicrosPerSecond);
}

} // namespace frostline
