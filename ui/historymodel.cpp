#include "historymodel.h"

#include "displayformat.h"

#include <QBrush>
#include <QColor>
#include <QFont>

#include <algorithm>

namespace frostline {

namespace {

QString quotedText(const QString& s)
{
    QString out = s;
    out.replace(QLatin1Char('\\'), QLatin1String("\\\\"))
        .replace(QLatin1Char('"'), QLatin1String("\\\""));
    return QLatin1Char('"') + out + QLatin1Char('"');
}

void appendValue(QString& out, const PropertyValue& value);

void appendMap(QString& out, const PropertyValue::Map& map)
{
    out += QLatin1Char('{');
    bool first = true;
    for (const auto& [key, value] : map) {
        if (!first)
            out += QLatin1String(", ");
        first = false;
        out += quotedText(key) + QLatin1String(": ");
        appendValue(out, value);
    }
    out += QLatin1Char('}');
}

void appendValue(QString& out, const PropertyValue& value)
{
    switch (value.type()) {
    case PropertyValue::Type::Null:
        out += QLatin1String("null");
        break;
    case PropertyValue::Type::Bool:
        out += value.toBool() ? QLatin1String("true") : QLatin1String("false");
        break;
    case PropertyValue::Type::Int:
        out += QString::number(value.toInt());
        break;
    case PropertyValue::Type::Double:
        out += QString::number(value.toDouble(), 'g', 17);
        break;
    case PropertyValue::Type::String:
        out += quotedText(value.toString());
        break;
    case PropertyValue::Type::List: {
        out += QLatin1Char('[');
        bool first = true;
        for (const PropertyValue& item : value.toList()) {
            if (!first)
                out += QLatin1String(", ");
            first = false;
            appendValue(out, item);
        }
        out += QLatin1Char(']');
        break;
    }
    case PropertyValue::Type::Map:
        appendMap(out, value.toMap());
        break;
    }
}

bool historyLess(const TieredVersion& a, const TieredVersion& b)
{
    return headOrderLess(a.version.txFrom, a.version.versionId, b.version.txFrom,
                         b.version.versionId);
}

} // namespace

HistoryModel::HistoryModel(QObject* parent) : QAbstractTableModel(parent) {}

void HistoryModel::setHistory(const EntityKey& entity, std::vector<TieredVersion> versions)
{
    beginResetModel();
    m_entity = entity;
    m_versions = std::move(versions);
    std::stable_sort(m_versions.begin(), m_versions.end(), historyLess);
    m_highlighted = -1;
    endResetModel();
}

void HistoryModel::clear()
{
    setHistory({}, {});
}

const TieredVersion* HistoryModel::versionAt(int row) const
{
    if (row < 0 || size_t(row) >= m_versions.size())
        return nullptr;
    return &m_versions[size_t(row)];
}

int HistoryModel::asOfRow(const std::vector<TieredVersion>& versions, std::optional<qint64> txTime,
                          std::optional<qint64> validTime)
{
    int best = -1;
    for (size_t i = 0; i < versions.size(); ++i) {
        const Version& v = versions[i].version;
        if (txTime && !(v.txFrom <= *txTime && *txTime < v.txTo))
            continue;
        if (validTime && !(v.validFrom <= *validTime && *validTime < v.validTo))
            continue;
        if (best < 0 ||
            headOrderLess(versions[size_t(best)].version.txFrom,
                          versions[size_t(best)].version.versionId, v.txFrom, v.versionId))
            best = int(i);
    }
    return best;
}

void HistoryModel::setHighlightedRow(int row)
{
    if (row < -1 || row >= int(m_versions.size()))
        row = -1;
    if (row == m_highlighted)
        return;
    const int old = m_highlighted;
    m_highlighted = row;
    for (int r : {old, row}) {
        if (r >= 0)
            emit dataChanged(index(r, 0), index(r, ColumnCount - 1));
    }
}

int HistoryModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_versions.size());
}

int HistoryModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HistoryModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const TieredVersion& tv = m_versions[size_t(index.row())];
    const Version& v = tv.version;
    const bool highlighted = index.row() == m_highlighted;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case VersionColumn:
            return QString::number(v.versionId);
        case TierColumn:
            return tierName(tv.tier);
        case LabelColumn:
            return v.label;
        case TxFromColumn:
            return DisplayFormat::timestamp(v.txFrom);
        case TxToColumn:
            return DisplayFormat::timestamp(v.txTo);
        case ValidFromColumn:
            return DisplayFormat::timestamp(v.validFrom);
        case ValidToColumn:
            return DisplayFormat::timestamp(v.validTo);
        case EndpointsColumn:
            return v.isEdge() ? QStringLiteral("%1 → %2").arg(v.source).arg(v.target) : QString();
        case SizeColumn:
            return DisplayFormat::bytes(v.estimatedSize());
        case PropertiesColumn:
            return propertiesText(v.properties);
        }
        break;
    case SortKeyRole:
        switch (index.column()) {
        case VersionColumn:
            return qulonglong(v.versionId);
        case TierColumn:
            return int(tv.tier);
        case TxFromColumn:
            return qlonglong(v.txFrom);
        case TxToColumn:
            return qlonglong(v.txTo);
        case ValidFromColumn:
            return qlonglong(v.validFrom);
        case ValidToColumn:
            return qlonglong(v.validTo);
        case SizeColumn:
            return qulonglong(v.estimatedSize());
        default:
            return data(index, Qt::DisplayRole);
        }
    case Qt::ToolTipRole:
        switch (index.column()) {
        case TxFromColumn:
            return QStringLiteral("%1 µs").arg(v.txFrom);
        case TxToColumn:
            return v.txTo == kOpenEnd ? QStringLiteral("open end")
                                      : QStringLiteral("%1 µs").arg(v.txTo);
        case ValidFromColumn:
            return QStringLiteral("%1 µs").arg(v.validFrom);
        case ValidToColumn:
            return v.validTo == kOpenEnd ? QStringLiteral("open end")
                                         : QStringLiteral("%1 µs").arg(v.validTo);
        case PropertiesColumn:
            return propertiesText(v.properties);
        }
        break;
    case HighlightRole:
        return highlighted;
    case Qt::FontRole:
        if (highlighted) {
            QFont font;
            font.setBold(true);
            return font;
        }
        break;
    case Qt::BackgroundRole:
        if (highlighted)
            return QBrush(QColor(255, 236, 153));
        break;
    case Qt::ForegroundRole:
        if (highlighted)
            return QBrush(QColor(Qt::black));
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == VersionColumn || index.column() == SizeColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    default:
        break;
    }
    return {};
}

QVariant HistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount ||
        role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    static const char* const names[] = {"Version", "Tier",       "Label",    "Tx from",
                                        "Tx to",   "Valid from", "Valid to", "Source → target",
                                        "Size",    "Properties"};
    return tr(names[section]);
}

QString HistoryModel::propertiesText(const PropertyValue::Map& properties)
{
    QString out;
    appendMap(out, properties);
    return out;
}

} // namespace frostline
