#include "tablecolumns.h"

#include <QAbstractItemModel>
#include <QHeaderView>
#include <QTableView>

namespace frostline {

void TableColumns::fitAllButLast(QTableView* view)
{
    const int last = view->model()->columnCount() - 1;
    for (int c = 0; c < last; ++c)
        view->resizeColumnToContents(c);
    view->horizontalHeader()->setSectionResizeMode(last, QHeaderView::Stretch);
}

} // namespace frostline
