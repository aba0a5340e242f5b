#include "countprogress.h"

#include <QProgressBar>

#include <algorithm>
#include <limits>

namespace frostline {

void CountProgress::show(QProgressBar* bar, quint64 done, quint64 total)
{
    if (total == 0) {
        bar->setRange(0, 0);
        return;
    }
    int shift = 0;
    while ((total >> shift) > quint64(std::numeric_limits<int>::max()))
        ++shift;
    bar->setRange(0, int(total >> shift));
    bar->setValue(int(std::min(done, total) >> shift));
}

} // namespace frostline
