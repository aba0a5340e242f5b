#pragma once

#include "operationcontrol.h"

#include <QString>
#include <QtGlobal>

namespace frostline {

struct MigrationPolicy;
struct StoreStatistics;

// How figures are written for operators (the GUI, and the explanations the CLI prints too), so
// every page says "1.0 GiB", "7 d" and "12,408" alike. Fixed English grouping: figures read the
// same on every machine and in tests.
class DisplayFormat
{
public:
    // 12408 -> "12,408"; signed variant writes "+12,408" / "-3" / "0".
    static QString count(quint64 n);
    static QString signedCount(qint64 n);
    // Bytes: "512 B", "3.1 MiB", "1.0 GiB" (IEC units, one decimal above 1 KiB).
    static QString bytes(quint64 n);
    static QString signedBytes(qint64 n); // "+3.1 MiB", "-512 B"
    // A figure of a long operation's step in its unit: count() or bytes().
    static QString quantity(quint64 n, OperationControl::Unit unit);
    // A duration in microseconds: "0 s", "1.5 s", "45 s", "2 h 30 min", "7 d", "1 d 12 h".
    static QString duration(qint64 micros);
    // Elapsed wall time of an operation in milliseconds: "850 ms", "12.4 s", "3 min 05 s",
    // "1 h 02 min"; negative (not known) -> "–".
    static QString elapsed(qint64 millis);
    // An instant in microseconds since the epoch, UTC with microseconds; kOpenEnd -> "open".
    static QString timestamp(qint64 micros);
    // A policy in one line: "enabled · age ≥ 7 d · memory threshold 1.0 GiB · keep ≥ 1 …".
    static QString policy(const MigrationPolicy& policy);
    // What a verify that found no problem checked, after "is sound: ": "40,000 hot and 0 cold
    // versions, each in exactly one tier; WAL LSNs 1..40000 intact; flushed LSN 0". Without
    // GROUP_DIGITS the counts are plain integers, as everything the CLI prints.
    static QString soundStore(const StoreStatistics& s, bool groupDigits = true);
};

} // namespace frostline
