#pragma once

#include <QtGlobal>

#include <cstdint>
#include <limits>

namespace frostline {

// Every timestamp in Frostline is microseconds since the Unix epoch (int64): files, JSON, APIs.
// An open end of a range is null in JSON and this sentinel inside.
inline constexpr qint64 kOpenEnd = std::numeric_limits<qint64>::max();
inline constexpr qint64 kMicrosPerSecond = 1'000'000;

// Wall-clock now in microseconds since the epoch.
qint64 currentMicros();

// Seconds (fractions allowed) to microseconds, rounded to the nearest microsecond.
qint64 secondsToMicros(double seconds);
double microsToSeconds(qint64 micros);

} // namespace frostline
