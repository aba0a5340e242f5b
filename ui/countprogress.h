#pragma once

#include <QtGlobal>

class QProgressBar;

namespace frostline {

// Shows DONE of TOTAL on a progress bar; TOTAL 0 makes it busy (nothing to count yet). Counts of
// records and versions outgrow the int a QProgressBar counts in: large ones are shown in coarser
// units, the filled share staying right.
class CountProgress
{
public:
    static void show(QProgressBar* bar, quint64 done, quint64 total);
};

} // namespace frostline
