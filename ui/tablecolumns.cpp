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

void TableColumns::widenAllButLastFor(QTableView* view, int row)
{
    const QAbstractItemModel* model = view->model();
    for (int c = 0; c + 1 < model->columnCount(); ++c) {
        const int needed =
            view->fontMetrics().horizontalAdvance(model->index(row, c).data().toString()) + 16;
        if (needed > view->columnWidth(c))
            view->setColumnWidth(c, needed);
    }
}

} // namespace frostline
