#pragma once

#include "storecontroller.h"

#include <QAbstractTableModel>

#include <memory>
#include <vector>

namespace frostline {

// The decoded records of one WAL segment, for the record browser of the WAL inspector.
class WalRecordModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        LsnColumn,
        OffsetColumn,
        BytesColumn,
        VersionIdColumn,
        EntityColumn,
        LabelColumn,
        TxFromColumn,
        PropertiesColumn,
        StatusColumn,
        ColumnCount
    };

    explicit WalRecordModel(QObject* parent = nullptr);

    void setRecords(std::shared_ptr<const std::vector<DecodedWalRecord>> records);
    void clear();
    const DecodedWalRecord* recordAt(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const std::vector<DecodedWalRecord>> m_records;
};

} // namespace frostline
