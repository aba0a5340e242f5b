#include "activitypage.h"

#include "countprogress.h"
#include "displayformat.h"

#include <QDateTime>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace frostline {

ActivityPage::ActivityPage(StoreController* controller, QWidget* parent)
    : QWidget(parent), m_controller(controller), m_log(new QTableWidget(0, 3, this)),
      m_problems(new QListWidget(this)), m_progress(new QProgressBar(this)),
      m_step(new QLabel(this)), m_cancel(new QPushButton(tr("Cancel"), this))
{
    m_log->setHorizontalHeaderLabels({tr("Time"), tr("Operation"), tr("Outcome")});
    m_log->horizontalHeader()->setStretchLastSection(true);
    m_log->verticalHeader()->hide();
    m_log->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_log->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_log->setWordWrap(false);

    auto* verify = new QPushButton(tr("Verify store"), this);
    verify->setToolTip(tr("WAL checksums and LSN continuity, Berkeley DB verify, every version "
                          "in exactly one tier, the hot checkpoint matching the hot tier"));
    auto* checkpoint = new QPushButton(tr("Checkpoint"), this);
    verify->setObjectName(QStringLiteral("verifyStore"));
    checkpoint->setObjectName(QStringLiteral("checkpointStore"));
    // Both need an open store; offered without one they only logged "failed: Open a store".
    auto enableForStore = [this, verify, checkpoint] {
        verify->setEnabled(m_controller->isOpen());
        checkpoint->setEnabled(m_controller->isOpen());
    };
    connect(m_controller, &StoreController::storeOpened, this, enableForStore);
    // The last check was of the store open before: it says nothing about this one.
    connect(m_controller, &StoreController::storeOpened, this, [this](const QString& path) {
        m_problems->clear();
        m_problems->addItem(tr("Not run yet on %1.").arg(path));
    });
    connect(m_controller, &StoreController::storeClosed, this, enableForStore);
    enableForStore();
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(verify);
    buttons->addWidget(checkpoint);
    // While a verify or checkpoint runs: its step and progress, and a Cancel that stops it (a
    // verify changes nothing; a checkpoint keeps the chunks it committed).
    m_progress->setObjectName(QStringLiteral("operationProgress"));
    m_progress->setMaximumWidth(220);
    m_progress->setTextVisible(true);
    m_step->setObjectName(QStringLiteral("operationStep"));
    m_cancel->setObjectName(QStringLiteral("operationCancel"));
    m_cancel->setToolTip(tr("Stop the verify (it changes nothing) or the checkpoint (what it has "
                            "written stays; the next checkpoint writes the rest)"));
    for (QWidget* w : {static_cast<QWidget*>(m_progress), static_cast<QWidget*>(m_step),
                       static_cast<QWidget*>(m_cancel)}) {
        w->hide();
        buttons->addWidget(w);
    }
    buttons->addStretch(1);

    auto* logBox = new QGroupBox(tr("Operations of this session"), this);
    (new QVBoxLayout(logBox))->addWidget(m_log);
    auto* verifyBox = new QGroupBox(tr("Last consistency check"), this);
    (new QVBoxLayout(verifyBox))->addWidget(m_problems);
    m_problems->addItem(tr("Not run yet."));

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addWidget(logBox, 2);
    layout->addWidget(verifyBox, 1);

    connect(verify, &QPushButton::clicked, m_controller, &StoreController::requestVerify);
    connect(checkpoint, &QPushButton::clicked, m_controller, &StoreController::requestCheckpoint);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (m_running.contains(tr("Verify")))
            m_controller->cancelVerify();
        if (m_running.contains(tr("Checkpoint")))
            m_controller->cancelCheckpoint();
        m_cancel->setEnabled(false); // one request is enough
        m_step->setText(tr("Cancelling…"));
    });
    connect(m_controller, &StoreController::operationStarted, this,
            [this](const QString& what) { setRunning(what, true); });
    connect(m_controller, &StoreController::stepProgress, this, &ActivityPage::showStep);
    connect(m_controller, &StoreController::operationFinished, this,
            [this](const QString& what, const QString& summary) {
                add(what, summary, false);
                setRunning(what, false);
            });
    connect(m_controller, &StoreController::operationFailed, this,
            [this](const QString& what, const QString& message) {
                add(what, message, true);
                setRunning(what, false);
            });
    connect(
        m_controller, &StoreController::migrationFinished, this,
        [this](const MigrationRunResult& r) {
            add(tr("Migrate"),
                tr("%1 versions, %2 in %3 batch(es)%4")
                    .arg(DisplayFormat::count(r.migrated), DisplayFormat::bytes(quint64(r.bytes)))
                    .arg(r.batches)
                    .arg(r.cancelled ? tr(" (cancelled)") : QString()),
                false);
        });
    connect(m_controller, &StoreController::migrationFailed, this,
            [this](const QString& cause) { add(tr("Migrate"), cause, true); });
    connect(m_controller, &StoreController::policyApplied, this, [this](const MigrationPolicy& p) {
        add(tr("Apply policy"), DisplayFormat::policy(p), false);
    });
    connect(
        m_controller, &StoreController::verifyFinished, this, [this](const QStringList& problems) {
            m_problems->clear();
            const QString when =
                QDateTime::currentDateTime().toString(QStringLiteral("yyyy-MM-dd hh:mm:ss"));
            if (problems.isEmpty()) {
                m_problems->addItem(tr("%1: %2 is sound.").arg(when, m_controller->storePath()));
            } else {
                m_problems->addItem(tr("%1: %n problem(s) in %2:", nullptr, int(problems.size()))
                                        .arg(when, m_controller->storePath()));
                m_problems->addItems(problems);
            }
        });
}

int ActivityPage::entryCount() const
{
    return m_log->rowCount();
}

bool ActivityPage::isShowingProgress() const
{
    return !m_progress->isHidden();
}

QString ActivityPage::progressText() const
{
    return m_step->text();
}

void ActivityPage::setRunning(const QString& what, bool running)
{
    if (what != tr("Verify") && what != tr("Checkpoint"))
        return;
    if (running) {
        if (!m_running.contains(what))
            m_running << what;
        m_progress->setRange(0, 0); // busy until a step has something to count
        m_step->setText(tr("%1…").arg(what));
        m_cancel->setEnabled(true);
    } else {
        m_running.removeAll(what);
    }
    const bool visible = !m_running.isEmpty();
    m_progress->setVisible(visible);
    m_step->setVisible(visible);
    m_cancel->setVisible(visible);
}

void ActivityPage::showStep(const QString& what, const QString& step, quint64 done, quint64 total)
{
    if (!m_running.contains(what) || !m_cancel->isEnabled())
        return; // finished, or being cancelled: keep saying so
    CountProgress::show(m_progress, done, total);
    m_step->setText(
        total == 0 ? tr("%1: %2").arg(what, step)
                   : tr("%1: %2, %3 of %4")
                         .arg(what, step, DisplayFormat::count(done), DisplayFormat::count(total)));
}

void ActivityPage::add(const QString& what, const QString& outcome, bool failure)
{
    const int row = m_log->rowCount();
    m_log->insertRow(row);
    m_log->setItem(
        row, 0,
        new QTableWidgetItem(QDateTime::currentDateTime().toString(QStringLiteral("hh:mm:ss"))));
    m_log->setItem(row, 1, new QTableWidgetItem(what));
    auto* item = new QTableWidgetItem(failure ? tr("failed: %1").arg(outcome) : outcome);
    item->setToolTip(outcome);
    if (failure)
        item->setForeground(QColor(0xc62828));
    m_log->setItem(row, 2, item);
    m_log->resizeColumnToContents(0);
    m_log->resizeColumnToContents(1);
    m_log->scrollToBottom();
}

} // namespace frostline
