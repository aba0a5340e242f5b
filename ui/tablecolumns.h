#pragma once

class QTableView;

namespace frostline {

// How the GUI's log tables size their columns.
class TableColumns
{
public:
    // Every column but the last fits its contents; the last takes the remaining width.
    static void fitAllButLast(QTableView* view);
};

} // namespace frostline
