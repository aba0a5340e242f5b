#include "candidatemodel.h"

#include "displayformat.h"

#include <algorithm>
#include <numeric>

namespace frostline {

namespace {

void addTo(CandidateModel::Totals& t, const Candidate& c)
{
    ++t.versions;
    t.bytes += c.estimatedSize;
    if (c.kind == EntityKind::Node) {
        ++t.nodeVersions;
        t.nodeBytes += c.estimatedSize;
    } else {
        ++t.edgeVersions;
        t.edgeBytes += c.estimatedSize;
    }
    if (c.reason == CandidateReason::Age) {
        ++t.ageVersions;
        t.ageBytes += c.estimatedSize;
    } else {
        ++t.memoryVersions;
        t.memoryBytes += c.estimatedSize;
    }
}

// One sort key per row: compact and contiguous, so a million-row sort compares in cache
// instead of chasing candidates through the index vector.
struct SortKey
{
    quint64 primary;
    quint32 secondary;
    quint32 index; // migration order: the final tie-break keeps equal keys in a stable order
};

} // namespace

CandidateModel::CandidateModel(QObject* parent) : QAbstractTableModel(parent) {}

void CandidateModel::setSelection(std::shared_ptr<const Selection> selection)
{
    beginResetModel();
    m_selection = std::move(selection);
    computeTotals();
    sortIndices();
    applyFilter();
    endResetModel();
}

void CandidateModel::setFilter(std::optional<EntityKind> kind,
                               std::optional<CandidateReason> reason)
{
    if (kind == m_kindFilter && reason == m_reasonFilter)
        return;
    beginResetModel();
    m_kindFilter = kind;
    m_reasonFilter = reason;
    applyFilter();
    endResetModel();
}

CandidateModel::Totals CandidateModel::shownTotals() const
{
    if (!m_kindFilter && !m_reasonFilter)
        return m_totals;
    Totals t;
    for (quint32 i : m_rows)
        addTo(t, m_selection->candidates[i]);
    return t;
}

const Candidate* CandidateModel::candidateAt(int row) const
{
    if (row < 0 || size_t(row) >= m_rows.size())
        return nullptr;
    return &m_selection->candidates[m_rows[size_t(row)]];
}

int CandidateModel::rowOfVersion(quint64 versionId) const
{
    if (!m_selection)
        return -1;
    for (size_t row = 0; row < m_rows.size(); ++row) {
        if (m_selection->candidates[m_rows[row]].versionId == versionId)
            return int(row);
    }
    return -1;
}

int CandidateModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int CandidateModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CandidateModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const quint32 candidateIndex = m_rows[size_t(index.row())];
    const Candidate& c = m_selection->candidates[candidateIndex];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case OrderColumn:
            return QString::number(candidateIndex + 1);
        case VersionColumn:
            return QString::number(c.versionId);
        case KindColumn:
            return kindName(c.kind);
        case EntityColumn:
            return QString::number(c.entityId);
        case AgeColumn:
            return DisplayFormat::duration(c.ageMicros);
        case SizeColumn:
            return DisplayFormat::bytes(c.estimatedSize);
        case ReasonColumn:
            return reasonName(c.reason);
        }
        break;
    case SortKeyRole:
        switch (index.column()) {
        case OrderColumn:
            return qulonglong(candidateIndex);
        case VersionColumn:
            return qulonglong(c.versionId);
        case KindColumn:
            return int(c.kind);
        case EntityColumn:
            return qulonglong(c.entityId);
        case AgeColumn:
            return qlonglong(c.ageMicros);
        case SizeColumn:
            return qulonglong(c.estimatedSize);
        case ReasonColumn:
            return int(c.reason);
        }
        break;
    case Qt::ToolTipRole:
        if (index.column() == AgeColumn)
            return QStringLiteral("%1 microseconds").arg(c.ageMicros);
        if (index.column() == SizeColumn)
            return QStringLiteral("%1 bytes").arg(c.estimatedSize);
        break;
    case Qt::TextAlignmentRole:
        if (index.column() != KindColumn && index.column() != ReasonColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    default:
        break;
    }
    return {};
}

QVariant CandidateModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole) {
        static const char* const names[] = {"Order", "Version", "Kind",  "Entity",
                                            "Age",   "Size",    "Reason"};
        return tr(names[section]);
    }
    if (role == Qt::ToolTipRole) {
        static const char* const tips[] = {
            "Position in migration order",
            "Version id",
            "node or edge",
            "Entity id (node 5 and edge 5 are different entities)",
            "Age at the preview instant (now - tx_from)",
            "Estimated hot-tier size",
            "age: past the age threshold; memory: moved to relieve memory pressure"};
        return tr(tips[section]);
    }
    return {};
}

void CandidateModel::sort(int column, Qt::SortOrder order)
{
    if (column < 0 || column >= ColumnCount)
        return;
    beginResetModel();
    m_sortColumn = column;
    m_sortOrder = order;
    sortIndices();
    applyFilter();
    endResetModel();
}

void CandidateModel::computeTotals()
{
    m_totals = {};
    if (!m_selection)
        return;
    for (const Candidate& c : m_selection->candidates)
        addTo(m_totals, c);
}

void CandidateModel::sortIndices()
{
    const size_t n = m_selection ? m_selection->candidates.size() : 0;
    m_sorted.resize(n);
    if (n == 0)
        return;
    if (m_sortColumn == OrderColumn) {
        std::iota(m_sorted.begin(), m_sorted.end(), quint32(0));
        if (m_sortOrder == Qt::DescendingOrder)
            std::reverse(m_sorted.begin(), m_sorted.end());
        return;
    }
    std::vector<SortKey> keys(n);
    const auto& candidates = m_selection->candidates;
    for (size_t i = 0; i < n; ++i) {
        const Candidate& c = candidates[i];
        SortKey& k = keys[i];
        k.index = quint32(i);
        k.secondary = 0;
        switch (m_sortColumn) {
        case VersionColumn:
            k.primary = c.versionId;
            break;
        case KindColumn:
            k.primary = quint64(c.kind);
            break;
        case EntityColumn:
            k.primary = c.entityId;
            k.secondary = quint32(c.kind);
            break;
        case AgeColumn:
            k.primary = quint64(std::max<qint64>(c.ageMicros, 0));
            break;
        case SizeColumn:
            k.primary = c.estimatedSize;
            break;
        case ReasonColumn:
            k.primary = quint64(c.reason);
            break;
        }
    }
    // Equal keys keep migration order in both directions: the operator sees "the first to
    // move" first within a group either way.
    if (m_sortOrder == Qt::AscendingOrder) {
        std::sort(keys.begin(), keys.end(), [](const SortKey& a, const SortKey& b) {
            if (a.primary != b.primary)
                return a.primary < b.primary;
            if (a.secondary != b.secondary)
                return a.secondary < b.secondary;
            return a.index < b.index;
        });
    } else {
        std::sort(keys.begin(), keys.end(), [](const SortKey& a, const SortKey& b) {
            if (a.primary != b.primary)
                return a.primary > b.primary;
            if (a.secondary != b.secondary)
                return a.secondary > b.secondary;
            return a.index < b.index;
        });
    }
    for (size_t i = 0; i < n; ++i)
        m_sorted[i] = keys[i].index;
}

bool CandidateModel::accepts(const Candidate& c) const
{
    return (!m_kindFilter || c.kind == *m_kindFilter) &&
           (!m_reasonFilter || c.reason == *m_reasonFilter);
}

void CandidateModel::applyFilter()
{
    if (!m_kindFilter && !m_reasonFilter) {
        m_rows = m_sorted;
        return;
    }
    m_rows.clear();
    for (quint32 i : m_sorted) {
        if (accepts(m_selection->candidates[i]))
            m_rows.push_back(i);
    }
}

} // namespace frostline
