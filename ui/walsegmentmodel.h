#pragma once

#include "store.h"

#include <QAbstractTableModel>

#include <vector>

namespace frostline {

// WAL segments with their truncation verdict (Store::walStatus()), one row per segment file.
class WalSegmentModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        FileColumn,
        FirstLsnColumn,
        LastLsnColumn,
        SizeColumn,
        RecordsColumn,
        DeletableColumn,
        ReasonColumn,
        ColumnCount
    };
    // Raw values for sorting and tests (numbers, bools) under this role.
    static constexpr int RawRole = Qt::UserRole + 1;

    explicit WalSegmentModel(QObject* parent = nullptr);

    void setSegments(std::vector<WalSegmentStatus> segments);
    const WalSegmentStatus& segmentAt(int row) const { return m_segments.at(std::size_t(row)); }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::vector<WalSegmentStatus> m_segments;
};

} // namespace frostline
