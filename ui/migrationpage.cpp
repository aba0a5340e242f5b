#include "migrationpage.h"

#include "displayformat.h"
#include "migrationlogmodel.h"
#include "tablecolumns.h"

#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace frostline {

MigrationPage::MigrationPage(StoreController* controller, QWidget* parent)
    : QWidget(parent), m_controller(controller), m_log(new MigrationLogModel(this)),
      m_policy(new QLabel(this)), m_runOnce(new QPushButton(tr("Run once"), this)),
      m_start(new QPushButton(tr("Start service"), this)),
      m_stop(new QPushButton(tr("Stop service"), this)),
      m_cancel(new QPushButton(tr("Cancel run"), this)), m_state(new QLabel(this)),
      m_progress(new QProgressBar(this)), m_progressText(new QLabel(tr("No run yet."), this)),
      m_statistics(new QLabel(this)), m_logView(new QTableView(this)), m_timer(new QTimer(this)),
      m_repaint(new QTimer(this))
{
    m_repaint->setSingleShot(true);
    m_repaint->setInterval(100);
    connect(m_repaint, &QTimer::timeout, this, &MigrationPage::showPending);
    m_runOnce->setToolTip(tr("Migrate every candidate of the active policy now, in batches"));
    m_start->setToolTip(tr("Run migration every run interval while a trigger holds"));
    m_stop->setToolTip(tr("Stop the service; the batch in flight commits first"));
    m_cancel->setToolTip(tr("Stop the run in flight after its current batch"));
    m_policy->setWordWrap(true);
    m_progressText->setWordWrap(true); // a long run's line must not widen the window
    m_statistics->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progress->setRange(0, 100);
    m_progress->setValue(0);

    auto* buttons = new QHBoxLayout;
    for (QPushButton* b : {m_runOnce, m_start, m_stop, m_cancel})
        buttons->addWidget(b);
    buttons->addSpacing(16);
    buttons->addWidget(m_state, 1);

    auto* policyBox = new QGroupBox(tr("Active policy"), this);
    (new QVBoxLayout(policyBox))->addWidget(m_policy);
    auto* progressBox = new QGroupBox(tr("Progress of the current run"), this);
    auto* progressLayout = new QVBoxLayout(progressBox);
    progressLayout->addWidget(m_progress);
    progressLayout->addWidget(m_progressText);
    auto* statsBox = new QGroupBox(tr("Service statistics"), this);
    (new QVBoxLayout(statsBox))->addWidget(m_statistics);
    auto* top = new QHBoxLayout;
    top->addWidget(policyBox, 1);
    top->addWidget(statsBox, 1);

    m_logView->setModel(m_log);
    m_logView->verticalHeader()->hide();
    m_logView->verticalHeader()->setDefaultSectionSize(m_logView->fontMetrics().height() + 6);
    m_logView->horizontalHeader()->setSectionResizeMode(MigrationLogModel::DetailColumn,
                                                        QHeaderView::Stretch);
    TableColumns::fitAllButLast(m_logView); // the headers fit before the first row, too
    m_logView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_logView->setAlternatingRowColors(true);
    m_logView->setWordWrap(false);
    auto* logBox = new QGroupBox(tr("Log: committed batches and failures"), this);
    (new QVBoxLayout(logBox))->addWidget(m_logView);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addLayout(top);
    layout->addWidget(progressBox);
    layout->addWidget(logBox, 1);

    connect(m_runOnce, &QPushButton::clicked, this, &MigrationPage::runOnce);
    connect(m_start, &QPushButton::clicked, m_controller, &StoreController::startService);
    connect(m_stop, &QPushButton::clicked, m_controller, &StoreController::stopService);
    connect(m_cancel, &QPushButton::clicked, m_controller, &StoreController::cancelMigration);
    connect(m_controller, &StoreController::migrationProgress, this, &MigrationPage::onProgress);
    connect(m_controller, &StoreController::migrationBatchCommitted, this, &MigrationPage::onBatch);
    connect(m_controller, &StoreController::migrationFinished, this, &MigrationPage::onFinished);
    connect(m_controller, &StoreController::migrationFailed, this, [this](const QString& cause) {
        showPending();
        m_log->addFailure(cause);
        m_logView->scrollToBottom();
        // The failure may be a batch's (which changed nothing) or the closing checkpoint's (whose
        // committed chunks stay); the cause says which, and what the batches made durable.
        m_progressText->setText(tr("The run failed: %1. What committed before the failure stays "
                                   "committed.")
                                    .arg(cause));
        updateStatistics();
    });
    connect(m_controller, &StoreController::serviceStateChanged, this, &MigrationPage::updateState);
    connect(m_controller, &StoreController::storeOpened, this, [this] {
        dropPending();
        m_log->clear();
        m_progress->setValue(0);
        m_progressText->setText(tr("No run yet."));
        updatePolicy();
        updateState();
        updateStatistics();
    });
    connect(m_controller, &StoreController::storeClosed, this, [this] {
        // The last run's line was about the store just closed.
        dropPending();
        m_progress->setValue(0);
        m_progressText->setText(tr("No store open."));
        updateState();
        updatePolicy();
    });
    connect(m_controller, &StoreController::policyApplied, this, &MigrationPage::updatePolicy);
    m_timer->setInterval(1000);
    connect(m_timer, &QTimer::timeout, this, &MigrationPage::updateStatistics);
    m_timer->start();
    updatePolicy();
    updateState();
    updateStatistics();
}

QString MigrationPage::progressText() const
{
    return m_progressText->text();
}

QString MigrationPage::statisticsText() const
{
    return m_statistics->text();
}

void MigrationPage::runOnce()
{
    m_progress->setValue(0);
    m_progressText->setText(tr("Selecting candidates…"));
    m_controller->runMigrationOnce(m_controller->activePolicy());
    updateState();
}

void MigrationPage::onProgress(const MigrationProgress& p)
{
    m_pendingProgress = p;
    if (!m_repaint->isActive())
        m_repaint->start();
}

void MigrationPage::onBatch(const BatchCommitResult& batch, const MigrationProgress& progress)
{
    m_pendingBatches.emplace_back(batch, progress);
    if (!m_repaint->isActive())
        m_repaint->start();
}

void MigrationPage::dropPending()
{
    m_repaint->stop();
    m_pendingBatches.clear();
    m_pendingProgress.reset();
}

void MigrationPage::showPending()
{
    m_repaint->stop();
    if (m_pendingProgress) {
        showProgress(*std::exchange(m_pendingProgress, std::nullopt));
        // The service's figures move with the progress line, not a second behind it.
        updateStatistics();
    }
    if (m_pendingBatches.empty())
        return;
    const bool first = m_log->rowCount() == 0;
    m_log->addBatches(std::exchange(m_pendingBatches, {}));
    if (first) {
        TableColumns::fitAllButLast(m_logView); // the headers and values fit unclipped
    } else {
        // Columns widen as the figures grow (one fitted to the first batch cut "11.0 MiB").
        TableColumns::widenAllButLastFor(m_logView, m_log->rowCount() - 1);
    }
    m_logView->scrollToBottom();
}

void MigrationPage::showProgress(const MigrationProgress& p)
{
    const int percent =
        p.versionsTotal == 0 ? 100 : int(100.0 * double(p.versionsDone) / double(p.versionsTotal));
    m_progress->setValue(percent);
    m_progressText->setText(
        tr("Batch %1 of %2 · %3 of %4 versions · %5 of %6 · %7 versions/s (%8/s) · elapsed %9 · "
           "ETA %10")
            .arg(p.batch)
            .arg(p.batches)
            .arg(DisplayFormat::count(p.versionsDone), DisplayFormat::count(p.versionsTotal),
                 DisplayFormat::bytes(quint64(p.bytesDone)),
                 DisplayFormat::bytes(quint64(p.bytesTotal)))
            .arg(p.versionsPerSecond, 0, 'f', 0)
            .arg(DisplayFormat::bytes(quint64(p.bytesPerSecond)),
                 DisplayFormat::elapsed(p.elapsedMs),
                 p.etaMs < 0 ? tr("unknown") : DisplayFormat::elapsed(p.etaMs)));
}

void MigrationPage::onFinished(const MigrationRunResult& r)
{
    showPending();
    m_log->addRunFinished(r);
    TableColumns::fitAllButLast(m_logView);
    m_logView->scrollToBottom();
    if (r.migrated == 0 && !r.cancelled) {
        m_progress->setValue(100);
        m_progressText->setText(tr("Nothing to migrate: the active policy selects no version."));
    } else {
        if (!r.cancelled)
            m_progress->setValue(100);
        m_progressText->setText(
            tr("%1: %2 versions (%3 nodes, %4 edges), %5 in %6 batch(es), %7 · flushed LSN %8 · "
               "%9 WAL segment(s) deleted")
                .arg(r.cancelled ? tr("Cancelled") : tr("Done"), DisplayFormat::count(r.migrated),
                     DisplayFormat::count(r.nodeVersions), DisplayFormat::count(r.edgeVersions),
                     DisplayFormat::bytes(quint64(r.bytes)))
                .arg(r.batches)
                .arg(DisplayFormat::elapsed(qint64(r.durationSecs * 1000)))
                .arg(r.flushedLsn)
                .arg(r.segmentsDeleted));
    }
    updateStatistics();
}

void MigrationPage::updateState()
{
    const bool open = m_controller->isOpen();
    const MigrationService::State s = m_controller->serviceState();
    const bool started = m_controller->service() && m_controller->service()->isStarted();
    const bool running = s == MigrationService::State::Running;
    m_runOnce->setEnabled(open && !running);
    m_start->setEnabled(open && !started);
    m_stop->setEnabled(open && started);
    m_cancel->setEnabled(open && running);
    QString text;
    if (!open)
        text = tr("No store open.");
    else if (s == MigrationService::State::Running)
        text = tr("A migration run is in progress.");
    else if (started)
        text = tr("Service started: it runs every %1 when a trigger holds.")
                   .arg(DisplayFormat::duration(m_controller->activePolicy().runIntervalMicros));
    else
        text = tr("Service stopped.");
    m_state->setText(text);
}

void MigrationPage::updatePolicy()
{
    // Without a store there is no active policy (it lives in STORE/policy.json).
    m_policy->setText(m_controller->isOpen()
                          ? DisplayFormat::policy(m_controller->activePolicy()).toHtmlEscaped()
                          : tr("No store open."));
}

void MigrationPage::updateStatistics()
{
    MigrationService* service = m_controller->service();
    if (!service) {
        m_statistics->setText(tr("No store open."));
        return;
    }
    // A copy under the service's mutex, which its worker holds only to add a batch's figures.
    const MigrationStatistics s = service->statistics();
    m_statistics->setText(
        tr("Runs completed: %1 · cancelled: %9 · batches: %2 · errors: %3<br>Migrated: %4 node "
           "and %5 edge versions, %6<br>Last run: %7%8")
            .arg(DisplayFormat::count(s.runsCompleted), DisplayFormat::count(s.batches),
                 DisplayFormat::count(s.errors), DisplayFormat::count(s.nodeVersions),
                 DisplayFormat::count(s.edgeVersions), DisplayFormat::bytes(quint64(s.bytes)))
            .arg(s.lastRunAtMicros == 0
                     ? tr("never")
                     : tr("%1, took %2")
                           .arg(DisplayFormat::timestamp(s.lastRunAtMicros),
                                DisplayFormat::elapsed(qint64(s.lastRunDurationSecs * 1000))))
            .arg(s.lastError.isEmpty() ? QString()
                                       : tr("<br>Last error: %1").arg(s.lastError.toHtmlEscaped()))
            .arg(DisplayFormat::count(s.runsCancelled)));
    if (isVisible())
        updateState();
}

} // namespace frostline
