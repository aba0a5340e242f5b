#pragma once

class QTableView;

namespace frostline {

// How the GUI's log tables size their columns.
class TableColumns
{
public:
    // Every column but the last fits its contents; the last takes the remaining width.
    static void fitAllButLast(QTableView* view);
    // Widens (never narrows) every column but the last to fit ROW's text: for a log whose
    // figures grow as rows come, without measuring every row again.
    static void widenAllButLastFor(QTableView* view, int row);
};

} // namespace frostline
