#pragma once

#include "candidateselector.h"

#include <QAbstractTableModel>

#include <memory>
#include <optional>
#include <vector>

namespace frostline {

// The candidates of one preview, as a table. Built to stay smooth at a million rows: the model
// keeps the Selection (shared, immutable) plus one vector of row indices; sorting sorts compact
// precomputed keys, filtering rebuilds the index vector, and data() formats only the cells a view
// asks for. Sorting and filtering happen inside the model (no proxy), so a view can stay bound to
// it directly.
class CandidateModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        OrderColumn, // position in migration order, 1-based
        VersionColumn,
        KindColumn,
        EntityColumn,
        AgeColumn,
        SizeColumn,
        ReasonColumn,
        ColumnCount
    };
    // The raw value a column sorts by (migration order index, id, micros, bytes...), as qulonglong
    // or qlonglong.
    static constexpr int SortKeyRole = Qt::UserRole + 1;

    struct Totals
    {
        quint64 versions = 0, bytes = 0;
        quint64 nodeVersions = 0, nodeBytes = 0, edgeVersions = 0, edgeBytes = 0;
        quint64 ageVersions = 0, ageBytes = 0, memoryVersions = 0, memoryBytes = 0;
    };

    explicit CandidateModel(QObject* parent = nullptr);

    void setSelection(std::shared_ptr<const Selection> selection);
    std::shared_ptr<const Selection> selection() const { return m_selection; }

    // Filters: std::nullopt shows all.
    void setFilter(std::optional<EntityKind> kind, std::optional<CandidateReason> reason);
    std::optional<EntityKind> kindFilter() const { return m_kindFilter; }
    std::optional<CandidateReason> reasonFilter() const { return m_reasonFilter; }

    // Totals of every candidate in the selection, and of the rows the filter shows.
    const Totals& totals() const { return m_totals; }
    Totals shownTotals() const;

    // The candidate shown at `row` (nullptr when out of range); the row showing a version, or -1.
    const Candidate* candidateAt(int row) const;
    int rowOfVersion(quint64 versionId) const;

    int sortColumn() const { return m_sortColumn; }
    Qt::SortOrder sortOrder() const { return m_sortOrder; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

private:
    std::shared_ptr<const Selection> m_selection;
    std::vector<quint32> m_sorted; // every candidate index, in the current sort order
    std::vector<quint32> m_rows;   // the filtered subset of m_sorted: row -> candidate index
    std::optional<EntityKind> m_kindFilter;
    std::optional<CandidateReason> m_reasonFilter;
    int m_sortColumn = OrderColumn;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
    Totals m_totals;

    void computeTotals();
    void sortIndices();
    void applyFilter();
    bool accepts(const Candidate& c) const;
};

} // namespace frostline
