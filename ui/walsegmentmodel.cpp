#include "walsegmentmodel.h"

#include "displayformat.h"

#include <QBrush>
#include <QColor>

namespace frostline {

WalSegmentModel::WalSegmentModel(QObject* parent) : QAbstractTableModel(parent) {}

void WalSegmentModel::setSegments(std::vector<WalSegmentStatus> segments)
{
    // Same files in the same order (the common refresh): update in place so the selection stays.
    bool sameFiles = segments.size() == m_segments.size();
    for (std::size_t i = 0; sameFiles && i < segments.size(); ++i)
        sameFiles = segments[i].segment.fileName == m_segments[i].segment.fileName;
    if (sameFiles) {
        m_segments = std::move(segments);
        if (!m_segments.empty())
            emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_segments = std::move(segments);
    endResetModel();
}

int WalSegmentModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_segments.size());
}

int WalSegmentModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant WalSegmentModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const WalSegmentStatus& s = m_segments[std::size_t(index.row())];
    const WalSegmentInfo& seg = s.segment;
    const bool empty = seg.records == 0;
    if (role == RawRole) {
        switch (index.column()) {
        case FileColumn:
            return seg.fileName;
        case FirstLsnColumn:
            return qulonglong(seg.firstLsn);
        case LastLsnColumn:
            return qulonglong(seg.lastLsn);
        case SizeColumn:
            return qlonglong(seg.sizeBytes);
        case RecordsColumn:
            return qulonglong(seg.records);
        case DeletableColumn:
            return s.deletable;
        case ReasonColumn:
            return s.reason;
        }
        return {};
    }
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case FileColumn:
            return seg.active ? seg.fileName + tr(" (active)") : seg.fileName;
        case FirstLsnColumn:
            return QString::number(seg.firstLsn);
        case LastLsnColumn:
            return empty ? QStringLiteral("–") : QString::number(seg.lastLsn);
        case SizeColumn:
            return DisplayFormat::bytes(quint64(seg.sizeBytes));
        case RecordsColumn:
            return DisplayFormat::count(seg.records);
        case DeletableColumn:
            return s.deletable ? tr("yes") : tr("no");
        case ReasonColumn:
            return s.reason;
        }
        return {};
    }
    if (role == Qt::ToolTipRole)
        return s.reason;
    if (role == Qt::TextAlignmentRole && index.column() >= FirstLsnColumn &&
        index.column() <= RecordsColumn)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ForegroundRole && index.column() == DeletableColumn)
        return QBrush(s.deletable ? QColor(0x2e7d32) : QColor(0xb26a00));
    return {};
}

QVariant WalSegmentModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case FileColumn:
        return tr("Segment file");
    case FirstLsnColumn:
        return tr("First LSN");
    case LastLsnColumn:
        return tr("Last LSN");
    case SizeColumn:
        return tr("Size");
    case RecordsColumn:
        return tr("Records");
    case DeletableColumn:
        return tr("Deletable");
    case ReasonColumn:
        return tr("Why");
    }
    return {};
}

} // namespace frostline
