#include "walinspectorpage.h"

#include "displayformat.h"
#include "lsnruler.h"
#include "tablecolumns.h"
#include "walrecordmodel.h"
#include "walsegmentmodel.h"

#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

namespace frostline {

namespace {
QTableView* makeTable(QAbstractItemModel* model, QWidget* parent)
{
    auto* view = new QTableView(parent);
    view->setModel(model);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setAlternatingRowColors(true);
    view->verticalHeader()->hide();
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 6);
    view->horizontalHeader()->setStretchLastSection(true);
    view->setWordWrap(false);
    return view;
}
} // namespace

WalInspectorPage::WalInspectorPage(StoreController* controller, QWidget* parent)
    : QWidget(parent), m_controller(controller), m_ruler(new LsnRuler(this)),
      m_summary(new QLabel(this)), m_truncation(new QLabel(this)),
      m_segments(new WalSegmentModel(this)), m_segmentView(nullptr),
      m_records(new WalRecordModel(this)), m_recordView(nullptr),
      m_recordTitle(new QLabel(tr("Select a segment to browse its records."), this)),
      m_goToLsn(new QLineEdit(this)), m_nextRecords(new QPushButton(tr("Next records"), this)),
      m_timer(new QTimer(this))
{
    m_goToLsn->setObjectName(QStringLiteral("goToLsn"));
    m_goToLsn->setPlaceholderText(tr("Go to LSN…"));
    m_goToLsn->setValidator(new QRegularExpressionValidator(
        QRegularExpression(QStringLiteral("[1-9][0-9]{0,19}")), m_goToLsn));
    m_goToLsn->setMaximumWidth(160);
    m_nextRecords->setEnabled(false);
    m_nextRecords->setToolTip(tr("The records after the last one shown, in this segment"));
    m_segmentView = makeTable(m_segments, this);
    m_recordView = makeTable(m_records, this);
    // The last columns take the free width; resizing the others to their contents keeps it so.
    m_segmentView->horizontalHeader()->setSectionResizeMode(WalSegmentModel::ReasonColumn,
                                                            QHeaderView::Stretch);
    m_recordView->horizontalHeader()->setSectionResizeMode(WalRecordModel::StatusColumn,
                                                           QHeaderView::Stretch);
    m_truncation->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* refreshButton = new QPushButton(tr("Refresh"), this);
    auto* checkpoint = new QPushButton(tr("Checkpoint now"), this);
    checkpoint->setToolTip(tr("Write the hot versions not yet checkpointed into Berkeley DB, "
                              "advance the flushed LSN and delete the WAL segments below it"));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_summary, 1);
    buttons->addWidget(refreshButton);
    buttons->addWidget(checkpoint);

    auto* rulerBox = new QGroupBox(tr("LSN ruler"), this);
    auto* rulerLayout = new QVBoxLayout(rulerBox);
    rulerLayout->addWidget(m_ruler);
    rulerLayout->addWidget(m_truncation);

    auto* segBox = new QGroupBox(tr("WAL segments"), this);
    auto* segLayout = new QVBoxLayout(segBox);
    segLayout->addWidget(m_segmentView);
    auto* recBox = new QGroupBox(tr("Records of the selected segment"), this);
    auto* recLayout = new QVBoxLayout(recBox);
    auto* recordBar = new QHBoxLayout;
    recordBar->addWidget(m_recordTitle, 1);
    recordBar->addWidget(m_goToLsn);
    recordBar->addWidget(m_nextRecords);
    recLayout->addLayout(recordBar);
    recLayout->addWidget(m_recordView);
    connect(m_goToLsn, &QLineEdit::returnPressed, this, [this] {
        bool ok = false;
        const quint64 lsn = m_goToLsn->text().toULongLong(&ok);
        if (ok)
            showRecordsFrom(lsn);
    });
    connect(m_nextRecords, &QPushButton::clicked, this,
            [this] { showRecordsFrom(m_lastShownLsn + 1); });
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(segBox);
    split->addWidget(recBox);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 2);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addWidget(rulerBox);
    layout->addWidget(split, 1);

    m_timer->setInterval(2000);
    connect(m_timer, &QTimer::timeout, this, &WalInspectorPage::refresh);
    connect(refreshButton, &QPushButton::clicked, this, &WalInspectorPage::refresh);
    connect(checkpoint, &QPushButton::clicked, m_controller, &StoreController::requestCheckpoint);
    connect(m_controller, &StoreController::walUpdated, this, &WalInspectorPage::onWalUpdated);
    connect(m_controller, &StoreController::walRecordsReady, this, &WalInspectorPage::onRecords);
    connect(m_controller, &StoreController::checkpointFinished, this,
            [this](const CheckpointResult& r) {
                m_checkpointLsn = r.flushedLsn;
                refresh();
            });
    connect(m_controller, &StoreController::storeClosed, this, [this] {
        m_segments->setSegments({});
        m_records->clear();
        m_checkpointLsn = 0;
        m_selectedFile.clear();
        m_ruler->setMarks({});
        m_summary->clear();
        m_truncation->clear();
    });
    connect(m_segmentView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                if (current.isValid())
                    selectSegment(current.row());
            });
}

QString WalInspectorPage::truncationText() const
{
    return m_truncation->text();
}

void WalInspectorPage::refresh()
{
    m_controller->refreshWal();
}

void WalInspectorPage::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    refresh();
    m_timer->start();
}

void WalInspectorPage::hideEvent(QHideEvent* event)
{
    QWidget::hideEvent(event);
    m_timer->stop();
}

void WalInspectorPage::onWalUpdated(const std::vector<WalSegmentStatus>& segments, quint64 lastLsn,
                                    quint64 flushedLsn)
{
    LsnRuler::Marks marks;
    marks.lastWritten = lastLsn;
    marks.flushed = flushedLsn;
    marks.checkpoint = m_checkpointLsn;
    marks.firstHeld = segments.empty() ? lastLsn + 1 : segments.front().segment.firstLsn;
    qint64 bytes = 0;
    const WalSegmentStatus* blocking = nullptr;
    for (const WalSegmentStatus& s : segments) {
        bytes += s.segment.sizeBytes;
        if (s.deletable)
            marks.truncatableUpTo = std::max(marks.truncatableUpTo, s.segment.lastLsn);
        else if (!blocking && !s.segment.active)
            blocking = &s;
    }
    m_ruler->setMarks(marks);
    m_summary->setText(
        tr("Last written LSN <b>%1</b> · flushed LSN <b>%2</b> · %3 not yet "
           "durable in Berkeley DB · %4 segment(s), %5")
            .arg(lastLsn)
            .arg(flushedLsn)
            .arg(DisplayFormat::count(lastLsn > flushedLsn ? lastLsn - flushedLsn : 0))
            .arg(segments.size())
            .arg(DisplayFormat::bytes(quint64(bytes))));

    QString why;
    if (blocking) {
        why = tr("<b>Truncation is blocked</b> at segment %1: it holds LSNs up to %2, above the "
                 "flushed LSN %3, so recovery still needs it. Migrate or checkpoint to advance "
                 "the flushed LSN.")
                  .arg(blocking->segment.fileName)
                  .arg(blocking->segment.lastLsn)
                  .arg(flushedLsn);
    } else if (marks.truncatableUpTo > 0) {
        why = tr("Segments up to LSN %1 are closed and at or below the flushed LSN: they are "
                 "deleted after the next commit.")
                  .arg(marks.truncatableUpTo);
    } else if (!segments.empty() && segments.back().segment.lastLsn > flushedLsn &&
               segments.back().segment.records > 0) {
        why = tr("<b>Truncation is blocked</b>: the active segment %1 holds LSNs up to %2, above "
                 "the flushed LSN %3, which recovery replays; and the active segment is never "
                 "deleted. Migrate or checkpoint to advance the flushed LSN.")
                  .arg(segments.back().segment.fileName)
                  .arg(segments.back().segment.lastLsn)
                  .arg(flushedLsn);
    } else if (!segments.empty()) {
        why = tr("Nothing to truncate: every LSN up to %1 is durable in Berkeley DB and only the "
                 "active segment remains (it is never deleted).")
                  .arg(flushedLsn);
    }
    m_truncation->setText(why);

    m_segments->setSegments(segments);
    TableColumns::fitAllButLast(m_segmentView);
    // Keep the operator's selection across refreshes; drop it when the segment was deleted.
    int row = -1;
    for (int i = 0; i < m_segments->rowCount(); ++i)
        if (m_segments->segmentAt(i).segment.fileName == m_selectedFile)
            row = i;
    if (row < 0 && !m_selectedFile.isEmpty()) {
        m_selectedFile.clear();
        m_records->clear();
        m_recordTitle->setText(tr("The selected segment was deleted (truncated)."));
    }
}

void WalInspectorPage::selectSegment(int row, quint64 fromLsn)
{
    if (row < 0 || row >= m_segments->rowCount())
        return;
    const WalSegmentInfo seg = m_segments->segmentAt(row).segment;
    if (m_segmentView->currentIndex().row() != row)
        m_segmentView->selectRow(row); // reads from its first LSN; the read below supersedes it
    m_selectedFile = seg.fileName;
    m_nextRecords->setEnabled(false);
    m_recordTitle->setText(tr("Reading %1 (LSN %2 to %3)…")
                               .arg(seg.fileName)
                               .arg(std::max(seg.firstLsn, fromLsn))
                               .arg(seg.lastLsn));
    m_controller->requestWalRecords(seg, fromLsn, m_recordsPerPage);
}

void WalInspectorPage::showRecordsFrom(quint64 lsn)
{
    for (int row = 0; row < m_segments->rowCount(); ++row) {
        const WalSegmentInfo& seg = m_segments->segmentAt(row).segment;
        if (seg.records > 0 && seg.firstLsn <= lsn && lsn <= seg.lastLsn) {
            selectSegment(row, lsn);
            return;
        }
    }
    // Not found: the records of the last segment read no longer answer the question.
    m_selectedFile.clear();
    m_records->clear();
    m_nextRecords->setEnabled(false);
    const int n = m_segments->rowCount();
    const quint64 first = n > 0 ? m_segments->segmentAt(0).segment.firstLsn : 0;
    const quint64 last = n > 0 ? m_segments->segmentAt(n - 1).segment.lastLsn : 0;
    if (n == 0)
        m_recordTitle->setText(tr("LSN %1 is not in the log: it holds no segment.").arg(lsn));
    else if (lsn > last) // not written yet
        m_recordTitle->setText(
            last == 0      ? tr("LSN %1 is not in the log yet: it holds no record.").arg(lsn)
            : first > last ? tr("LSN %1 is not in the log yet: the newest written is LSN %2, "
                                "truncated like every record once durable in Berkeley DB.")
                                 .arg(lsn)
                                 .arg(last)
                           : tr("LSN %1 is not in the log yet: its newest record is LSN %2.")
                                 .arg(lsn)
                                 .arg(last));
    else if (first > last) // every record truncated: the active segment is empty
        m_recordTitle->setText(tr("LSN %1 is not in the log any more: it holds no record now "
                                  "(those up to LSN %2 were truncated once durable in Berkeley "
                                  "DB).")
                                   .arg(lsn)
                                   .arg(last));
    else
        m_recordTitle->setText(tr("LSN %1 is not in the log any more, which holds LSN %2 to %3: "
                                  "the records below LSN %2 were truncated once durable in "
                                  "Berkeley DB.")
                                   .arg(lsn)
                                   .arg(first)
                                   .arg(last));
}

QString WalInspectorPage::recordTitle() const
{
    return m_recordTitle->text();
}

void WalInspectorPage::onRecords(const WalSegmentInfo& segment,
                                 std::shared_ptr<const std::vector<DecodedWalRecord>> records,
                                 bool more)
{
    if (segment.fileName != m_selectedFile)
        return;
    const int n = records ? int(records->size()) : 0;
    const quint64 from = n > 0 ? records->front().lsn : 0;
    m_lastShownLsn = n > 0 ? records->back().lsn : 0;
    m_records->setRecords(std::move(records));
    TableColumns::fitAllButLast(m_recordView);
    m_nextRecords->setEnabled(more);
    if (n == 0)
        m_recordTitle->setText(tr("%1: no records").arg(segment.fileName));
    else if (!more && from == segment.firstLsn)
        m_recordTitle->setText(tr("%1: %2 record(s), LSN %3 to %4")
                                   .arg(segment.fileName)
                                   .arg(n)
                                   .arg(segment.firstLsn)
                                   .arg(segment.lastLsn));
    else
        m_recordTitle->setText(
            tr("%1: LSN %2 to %3, %4 of its %5 records (LSN %6 to %7)%8")
                .arg(segment.fileName)
                .arg(from)
                .arg(m_lastShownLsn)
                .arg(DisplayFormat::count(quint64(n)), DisplayFormat::count(segment.records))
                .arg(segment.firstLsn)
                .arg(segment.lastLsn)
                .arg(more ? tr("; Next records reads on") : QString()));
}

} // namespace frostline
