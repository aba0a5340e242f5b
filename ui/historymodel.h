#pragma once

#include "store.h"

#include <QAbstractTableModel>

#include <optional>
#include <vector>

namespace frostline {

// An entity's history across both tiers, one version per row in (tx_from, version_id) order,
// with a tier column. One row can be highlighted: the version an as-of lookup found.
class HistoryModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        VersionColumn,
        TierColumn,
        LabelColumn,
        TxFromColumn,
        TxToColumn,
        ValidFromColumn,
        ValidToColumn,
        EndpointsColumn, // edges: "source -> target"
        SizeColumn,
        PropertiesColumn,
        ColumnCount
    };
    static constexpr int SortKeyRole = Qt::UserRole + 1;
    static constexpr int HighlightRole = Qt::UserRole + 2; // bool

    explicit HistoryModel(QObject* parent = nullptr);

    // Rows are shown in (tx_from, version_id) order whatever order `versions` comes in.
    void setHistory(const EntityKey& entity, std::vector<TieredVersion> versions);
    void clear();
    const EntityKey& entity() const { return m_entity; }
    const std::vector<TieredVersion>& versions() const { return m_versions; }
    const TieredVersion* versionAt(int row) const;

    // The as-of rule: among versions with tx_from <= T < tx_to and valid_from <= V < valid_to
    // (each condition only when its time is given), the one with the greatest
    // (tx_from, version_id). Returns the row, or -1 when none matches.
    static int asOfRow(const std::vector<TieredVersion>& versions, std::optional<qint64> txTime,
                       std::optional<qint64> validTime);

    // Highlights one row (-1: none).
    void setHighlightedRow(int row);
    int highlightedRow() const { return m_highlighted; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // Properties in one line, JSON-like: {"since": 2019, "tags": ["a", "b"]}.
    static QString propertiesText(const PropertyValue::Map& properties);

private:
    EntityKey m_entity;
    std::vector<TieredVersion> m_versions;
    int m_highlighted = -1;
};

} // namespace frostline
