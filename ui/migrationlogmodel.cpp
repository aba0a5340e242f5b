#include "migrationlogmodel.h"

#include "displayformat.h"

#include <QBrush>
#include <QColor>

namespace frostline {

MigrationLogModel::MigrationLogModel(QObject* parent) : QAbstractTableModel(parent) {}

void MigrationLogModel::append(std::vector<Entry> entries)
{
    if (entries.empty())
        return;
    if (entries.size() > kMaxEntries)
        entries.erase(entries.begin(), entries.end() - std::ptrdiff_t(kMaxEntries));
    const std::size_t over = m_entries.size() + entries.size();
    if (over > kMaxEntries) {
        const int gone = int(over - kMaxEntries);
        beginRemoveRows({}, 0, gone - 1);
        m_entries.erase(m_entries.begin(), m_entries.begin() + gone);
        endRemoveRows();
    }
    const int first = int(m_entries.size());
    beginInsertRows({}, first, first + int(entries.size()) - 1);
    std::move(entries.begin(), entries.end(), std::back_inserter(m_entries));
    endInsertRows();
}

void MigrationLogModel::addBatches(
    const std::vector<std::pair<BatchCommitResult, MigrationProgress>>& batches)
{
    std::vector<Entry> entries;
    entries.reserve(batches.size());
    for (const auto& [batch, progress] : batches) {
        Entry e;
        // When it committed, not when the GUI heard of it.
        e.time = QDateTime::fromMSecsSinceEpoch(batch.committedAtMicros / 1000);
        e.kind = EntryKind::Batch;
        e.versions = batch.versions;
        e.bytes = batch.bytes;
        e.flushedLsn = batch.flushedLsn;
        e.segmentsDeleted = batch.segmentsDeleted;
        e.detail = tr("batch %1 of %2 (%3 nodes, %4 edges)")
                       .arg(progress.batch)
                       .arg(progress.batches)
                       .arg(batch.nodeVersions)
                       .arg(batch.edgeVersions);
        entries.push_back(std::move(e));
    }
    append(std::move(entries));
}

void MigrationLogModel::addRunFinished(const MigrationRunResult& result)
{
    Entry e;
    e.time = result.finishedAtMicros > 0
                 ? QDateTime::fromMSecsSinceEpoch(result.finishedAtMicros / 1000)
                 : QDateTime::currentDateTime();
    e.kind = EntryKind::RunFinished;
    e.versions = result.migrated;
    e.bytes = result.bytes;
    e.flushedLsn = result.flushedLsn;
    e.segmentsDeleted = result.segmentsDeleted;
    // Where the time went, so "why is migration slow?" has an answer: waiting for the disk to
    // confirm each batch, writing into Berkeley DB, or the hot tier.
    auto ms = [](double secs) { return DisplayFormat::elapsed(qint64(secs * 1000)); };
    e.detail = result.migrated == 0
                   ? tr("run finished: nothing to migrate")
                   : tr("run %1: %2 of %3 batches in %4 (commit sync %5 · cold writes %6 · hot "
                        "tier %7)")
                         .arg(result.cancelled ? tr("cancelled") : tr("finished"))
                         .arg(result.batches)
                         .arg(result.plannedBatches)
                         .arg(ms(result.durationSecs), ms(result.cold.syncSecs),
                              ms(result.cold.prepareSecs + result.cold.writeSecs),
                              ms(result.hotReadSecs + result.hotUpdateSecs));
    if (!result.walProblem.isEmpty())
        e.detail += QStringLiteral(" · ") + result.walProblem;
    append({std::move(e)});
}

void MigrationLogModel::addFailure(const QString& cause)
{
    Entry e;
    e.time = QDateTime::currentDateTime();
    e.kind = EntryKind::Failure;
    e.detail = cause;
    append({std::move(e)});
}

void MigrationLogModel::clear()
{
    beginResetModel();
    m_entries.clear();
    endResetModel();
}

int MigrationLogModel::count(EntryKind kind) const
{
    return int(std::count_if(m_entries.begin(), m_entries.end(),
                             [kind](const Entry& e) { return e.kind == kind; }));
}

int MigrationLogModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int MigrationLogModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant MigrationLogModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Entry& e = m_entries[std::size_t(index.row())];
    const bool failure = e.kind == EntryKind::Failure;
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case TimeColumn:
            return e.time.toString(QStringLiteral("hh:mm:ss.zzz"));
        case EventColumn:
            return e.kind == EntryKind::Batch         ? tr("batch committed")
                   : e.kind == EntryKind::RunFinished ? tr("run finished")
                                                      : tr("failed");
        case VersionsColumn:
            return failure ? QString() : DisplayFormat::count(e.versions);
        case BytesColumn:
            return failure ? QString() : DisplayFormat::bytes(quint64(e.bytes));
        case FlushedLsnColumn:
            return failure ? QString() : QString::number(e.flushedLsn);
        case SegmentsDeletedColumn:
            return failure ? QString() : QString::number(e.segmentsDeleted);
        case DetailColumn:
            return e.detail;
        }
        return {};
    }
    if (role == Qt::ToolTipRole && index.column() == DetailColumn)
        return e.detail;
    if (role == Qt::ForegroundRole && failure)
        return QBrush(QColor(0xc62828));
    if (role == Qt::TextAlignmentRole && index.column() >= VersionsColumn &&
        index.column() <= SegmentsDeletedColumn)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant MigrationLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case EventColumn:
        return tr("Event");
    case VersionsColumn:
        return tr("Versions");
    case BytesColumn:
        return tr("Bytes");
    case FlushedLsnColumn:
        return tr("Flushed LSN");
    case SegmentsDeletedColumn:
        return tr("Segments deleted");
    case DetailColumn:
        return tr("Detail");
    }
    return {};
}

} // namespace frostline
