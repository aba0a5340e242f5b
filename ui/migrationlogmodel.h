#pragma once

#include "migrationrun.h"

#include <QAbstractTableModel>
#include <QDateTime>

#include <vector>

namespace frostline {

// The migration page's log: one row per committed batch, per finished run and per failure
// (with its cause), newest last.
class MigrationLogModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum class EntryKind
    {
        Batch,
        RunFinished,
        Failure
    };
    struct Entry
    {
        QDateTime time;
        EntryKind kind = EntryKind::Batch;
        quint64 versions = 0, bytes = 0, flushedLsn = 0;
        int segmentsDeleted = 0;
        QString detail; // "batch 3 of 10", the run summary, or the failure's cause
    };
    enum Column
    {
        TimeColumn,
        EventColumn,
        VersionsColumn,
        BytesColumn,
        FlushedLsnColumn,
        SegmentsDeletedColumn,
        DetailColumn,
        ColumnCount
    };

    explicit MigrationLogModel(QObject* parent = nullptr);

    // Batches in the order they committed, in one insertion (a run of small batches commits
    // hundreds a second; the page hands them over a few times a second).
    void addBatches(const std::vector<std::pair<BatchCommitResult, MigrationProgress>>& batches);
    void addRunFinished(const MigrationRunResult& result);
    void addFailure(const QString& cause);
    void clear();
    const Entry& entryAt(int row) const { return m_entries.at(std::size_t(row)); }
    int count(EntryKind kind) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    // Bounded like every history the GUI keeps: the oldest rows go first.
    static constexpr std::size_t kMaxEntries = 5000;
    std::vector<Entry> m_entries;
    void append(std::vector<Entry> entries);
};

} // namespace frostline
