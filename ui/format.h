#pragma once

#include <QString>
#include <QtGlobal>

namespace frostline {

// How the GUI writes figures: bytes with binary units, counts with digit grouping, durations
// and microsecond timestamps in the operator's local time.
class Format
{
public:
    static QString bytes(double bytes);
    static QString count(quint64 n);
    static QString duration(qint64 ms);      // "850 ms", "12.4 s", "3 min 05 s", "1 h 02 min"
    static QString timestamp(qint64 micros); // local "yyyy-MM-dd hh:mm:ss"; "open" for kOpenEnd
    static QString age(qint64 micros);       // "3 d 4 h", "12 min"
};

} // namespace frostline
