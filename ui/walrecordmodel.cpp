#include "walrecordmodel.h"

#include "displayformat.h"

#include <QBrush>
#include <QColor>
#include <QStringList>

namespace frostline {

WalRecordModel::WalRecordModel(QObject* parent) : QAbstractTableModel(parent) {}

void WalRecordModel::setRecords(std::shared_ptr<const std::vector<DecodedWalRecord>> records)
{
    beginResetModel();
    m_records = std::move(records);
    endResetModel();
}

void WalRecordModel::clear()
{
    setRecords({});
}

const DecodedWalRecord* WalRecordModel::recordAt(int row) const
{
    if (!m_records || row < 0 || row >= int(m_records->size()))
        return nullptr;
    return &(*m_records)[std::size_t(row)];
}

int WalRecordModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !m_records ? 0 : int(m_records->size());
}

int WalRecordModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant WalRecordModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const DecodedWalRecord& r = (*m_records)[std::size_t(index.row())];
    const Version& v = r.version;
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case LsnColumn:
            return QString::number(r.lsn);
        case OffsetColumn:
            return QString::number(r.offset);
        case BytesColumn:
            return QString::number(r.payloadBytes);
        case VersionIdColumn:
            return r.decoded ? QString::number(v.versionId) : QString();
        case EntityColumn:
            if (!r.decoded)
                return QString();
            return v.isEdge() ? QStringLiteral("edge %1 (%2 → %3)")
                                    .arg(v.entityId)
                                    .arg(v.source)
                                    .arg(v.target)
                              : QStringLiteral("node %1").arg(v.entityId);
        case LabelColumn:
            return r.decoded ? v.label : QString();
        case TxFromColumn:
            return r.decoded ? DisplayFormat::timestamp(v.txFrom) : QString();
        case PropertiesColumn: {
            if (!r.decoded)
                return QString();
            QStringList keys;
            for (const auto& [key, value] : v.properties)
                keys << key;
            return keys.join(QStringLiteral(", "));
        }
        case StatusColumn:
            return r.decoded ? tr("ok") : r.error;
        }
        return {};
    }
    if (role == Qt::ToolTipRole && index.column() == TxFromColumn && r.decoded)
        return tr("%1 µs since the epoch").arg(v.txFrom);
    if (role == Qt::ForegroundRole && index.column() == StatusColumn && !r.decoded)
        return QBrush(QColor(0xc62828));
    if (role == Qt::TextAlignmentRole && index.column() <= VersionIdColumn)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant WalRecordModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case LsnColumn:
        return tr("LSN");
    case OffsetColumn:
        return tr("Offset");
    case BytesColumn:
        return tr("Payload bytes");
    case VersionIdColumn:
        return tr("Version id");
    case EntityColumn:
        return tr("Entity");
    case LabelColumn:
        return tr("Label");
    case TxFromColumn:
        return tr("tx_from");
    case PropertiesColumn:
        return tr("Properties");
    case StatusColumn:
        return tr("Decoding");
    }
    return {};
}

} // namespace frostline
