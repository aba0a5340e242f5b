#include "mainwindow.h"

#include "activitypage.h"
#include "countprogress.h"
#include "dashboardpage.h"
#include "displayformat.h"
#include "errorbanner.h"
#include "migrationpage.h"
#include "newstoredialog.h"
#include "passphrasedialog.h"
#include "walinspectorpage.h"
#include "walsegmentmodel.h"

#include "coldbrowserpage.h"
#include "policyeditorpage.h"
#include "previewpage.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <db_cxx.h>

#include <algorithm>
#include <limits>

namespace frostline {

namespace {

constexpr int kMaxRecent = 8;
const char* const kRecentKey = "recentStores";
const char* const kGeometryKey = "window/geometry";
const char* const kStateKey = "window/state";
const char* const kPageKey = "window/lastPage";

QString serviceStateName(MigrationService::State s, bool open)
{
    if (!open)
        return QObject::tr("service: –");
    switch (s) {
    case MigrationService::State::Stopped:
        return QObject::tr("service: stopped");
    case MigrationService::State::Idle:
        return QObject::tr("service: idle");
    case MigrationService::State::Running:
        return QObject::tr("service: migrating");
    }
    return {};
}

} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), m_controller(new StoreController(this)), m_banner(new ErrorBanner(this)),
      m_pageList(new QListWidget(this)), m_stack(new QStackedWidget(this)),
      m_dashboard(new DashboardPage(m_controller, this)),
      m_migration(new MigrationPage(m_controller, this)),
      m_wal(new WalInspectorPage(m_controller, this)),
      m_activity(new ActivityPage(m_controller, this)), m_statusPath(new QLabel(this)),
      m_statusHot(new QLabel(this)), m_statusCold(new QLabel(this)), m_statusLsn(new QLabel(this)),
      m_statusService(new QLabel(this)), m_statusTimer(new QTimer(this)),
      m_copyProgress(new QProgressBar(this)), m_importProgress(new QProgressBar(this)),
      m_importCancel(new QPushButton(tr("Cancel"), this)), m_openProgress(new QProgressBar(this)),
      m_openCancel(new QPushButton(tr("Cancel"), this)),
      m_copyCancel(new QPushButton(tr("Cancel"), this))
{
    setWindowTitle(QStringLiteral("Frostline"));

    auto* policyPage = new PolicyEditorPage(m_controller, this);
    auto* previewPage = new PreviewPage(m_controller, this);
    auto* coldPage = new ColdBrowserPage(m_controller, this);
    // The preview follows the policy being edited, before it is rolled out.
    connect(policyPage, &PolicyEditorPage::policyEdited, previewPage, &PreviewPage::setPolicy);

    const std::pair<QString, QWidget*> pages[PageCount] = {
        {tr("Dashboard"), m_dashboard}, {tr("Policy"), policyPage}, {tr("Preview"), previewPage},
        {tr("Migration"), m_migration}, {tr("WAL && LSN"), m_wal},  {tr("Cold tier"), coldPage},
        {tr("Activity"), m_activity},
    };
    for (int i = 0; i < PageCount; ++i) {
        QString label = pages[i].first;
        label.replace(QStringLiteral("&&"), QStringLiteral("&"));
        auto* item = new QListWidgetItem(label, m_pageList);
        item->setToolTip(tr("%1 (Ctrl+%2)").arg(label).arg(i + 1));
        m_stack->addWidget(pages[i].second);
    }
    m_pageList->setFixedWidth(
        m_pageList->fontMetrics().horizontalAdvance(QStringLiteral("Cold tier browser")) + 24);
    m_pageList->setSpacing(2);
    connect(m_pageList, &QListWidget::currentRowChanged, m_stack, &QStackedWidget::setCurrentIndex);

    auto* central = new QWidget(this);
    auto* body = new QHBoxLayout;
    body->addWidget(m_pageList);
    body->addWidget(m_stack, 1);
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(6, 6, 6, 0);
    layout->addWidget(m_banner);
    layout->addLayout(body, 1);
    setCentralWidget(central);

    // The path is a normal widget: a message (an operation's step or summary) takes its place
    // while it shows. As a permanent widget with all the stretch it left messages no room, and
    // none was ever seen.
    m_statusPath->setObjectName(QStringLiteral("statusPath"));
    // A long path gives way (its tooltip has it whole): it squeezed the figures beside it to
    // "cold: 28,700 ver".
    m_statusPath->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_statusPath->setMinimumWidth(120);
    statusBar()->addWidget(m_statusPath, 1);
    for (QLabel* l : {m_statusHot, m_statusCold, m_statusLsn, m_statusService}) {
        l->setSizePolicy(QSizePolicy::Minimum, QSizePolicy::Preferred);
        statusBar()->addPermanentWidget(l);
    }
    // A progress bar and its Cancel in the status bar, both hidden until the operation runs.
    // One click is enough: the button disables itself and the status bar says it is stopping.
    auto addCancellable = [this](QProgressBar* bar, QPushButton* cancel, const QString& name,
                                 const QString& cancelling, std::function<void()> stop) {
        bar->setObjectName(name + QStringLiteral("Progress"));
        // Wide enough for its text ("replaying the WAL: 98,304 of 1,500,000") on one line.
        bar->setFixedWidth(bar->fontMetrics().horizontalAdvance(
                               QStringLiteral("replaying the WAL: 00,000,000 of 00,000,000")) +
                           24);
        bar->setTextVisible(true);
        bar->hide();
        statusBar()->addPermanentWidget(bar);
        cancel->setObjectName(name + QStringLiteral("Cancel"));
        cancel->hide();
        statusBar()->addPermanentWidget(cancel);
        connect(cancel, &QPushButton::clicked, this, [this, cancel, cancelling, stop] {
            stop();
            cancel->setEnabled(false);
            statusBar()->showMessage(cancelling);
        });
    };
    // An import reports the bytes read of the file's size, and can be cancelled while it reads
    // (the read stops at its next slice); then the versions appended, which cannot be cancelled.
    // The Cancel's tooltip is set when an import starts.
    addCancellable(m_importProgress, m_importCancel, QStringLiteral("import"),
                   tr("Cancelling the import…"), [this] { m_controller->cancelOperation(); });
    // An open of a large store recovers Berkeley DB, loads the hot checkpoint and replays the
    // WAL; the operator sees which, and can give up on it (nothing is lost: see cancelOpen).
    addCancellable(m_openProgress, m_openCancel, QStringLiteral("open"), tr("Cancelling the open…"),
                   [this] { m_controller->cancelOpen(); });
    m_openCancel->setToolTip(tr("Stop opening this store. No store is open afterwards; nothing "
                                "in the store is lost or changed beyond what any open does."));
    // A backup or restore: its step (the copies in bytes, then a restore's proof: open and
    // verify of the copy), and a Cancel that removes the unfinished copy.
    addCancellable(m_copyProgress, m_copyCancel, QStringLiteral("copy"), tr("Cancelling the copy…"),
                   [this] { m_controller->cancelCopy(); });
    m_copyCancel->setToolTip(tr("Stop the backup or restore and remove its unfinished copy. The "
                                "store or backup being copied is not changed."));
    m_statusPath->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_statusTimer->setInterval(500);
    connect(m_statusTimer, &QTimer::timeout, this, &MainWindow::updateStatus);
    m_statusTimer->start();

    m_chooseDirectory = [this](const QString& caption) {
        const QString recent = recentStores().value(0);
        return QFileDialog::getExistingDirectory(
            this, caption, recent.isEmpty() ? QDir::homePath() : QFileInfo(recent).path());
    };
    m_confirmQuit = [this](const QString& running, bool stoppable) {
        QMessageBox ask(QMessageBox::Question, tr("Quit Frostline"),
                        stoppable ? tr("%1.").arg(running)
                                  : tr("%1 and cannot be stopped part-way.").arg(running),
                        QMessageBox::Yes | QMessageBox::No, this);
        QString consequence;
        if (!stoppable)
            consequence = tr("Frostline can quit as soon as it has finished. Until then the store "
                             "stays locked by this window.");
        else if (isAppendRunning())
            consequence = tr("Cancelling the copy removes its unfinished copy; the store or backup "
                             "it copies is not changed. The import's append cannot be stopped "
                             "part-way: Frostline waits for it either way, and until then the "
                             "store stays locked by this window.");
        else
            consequence = tr("Cancelling it removes its unfinished copy; the store or backup it "
                             "copies is not changed. Or Frostline can quit as soon as it has "
                             "finished; until then the store stays locked by this window.");
        ask.setInformativeText(consequence);
        ask.button(QMessageBox::Yes)->setText(tr("Quit when finished"));
        ask.button(QMessageBox::No)->setText(tr("Keep working"));
        QPushButton* cancelIt =
            stoppable ? ask.addButton(tr("Cancel it and quit"), QMessageBox::DestructiveRole)
                      : nullptr;
        ask.setDefaultButton(QMessageBox::No);
        ask.exec();
        if (cancelIt && ask.clickedButton() == cancelIt)
            return QuitChoice::CancelItAndQuit;
        return ask.clickedButton() == ask.button(QMessageBox::Yes) ? QuitChoice::QuitWhenFinished
                                                                   : QuitChoice::KeepWorking;
    };
    m_controller->setPassphraseProvider([this](const QString& storePath, const QString& problem) {
        return PassphraseDialog::ask(this, storePath, problem);
    });
    buildMenus();

    connect(m_controller, &StoreController::operationFailed, m_banner, &ErrorBanner::showError);
    connect(m_controller, &StoreController::operationFinished, m_banner,
            [this](const QString& what, const QString&, StoreController::Ending ending) {
                if (ending == StoreController::Ending::Completed)
                    m_banner->clearIfAbout(what);
            });
    connect(m_controller, &StoreController::migrationFinished, m_banner,
            [this](const MigrationRunResult& r) {
                if (!r.cancelled)
                    m_banner->clearIfAbout(tr("Migration"));
            });
    connect(m_controller, &StoreController::migrationFailed, this,
            [this](const QString& cause) { m_banner->showError(tr("Migration"), cause); });
    const QString importWhat = tr("Import");   // the controller's name for importFile
    const QString openWhat = tr("Open store"); // and for openStore
    connect(m_controller, &StoreController::operationStarted, this,
            [this, importWhat](const QString& what) {
                statusBar()->showMessage(tr("%1…").arg(what));
                if (what == importWhat)
                    setImportRunning(true);
            });
    connect(m_controller, &StoreController::openRunningChanged, this, &MainWindow::setOpenRunning);
    connect(m_controller, &StoreController::operationProgress, this,
            [this, importWhat](const QString& what, StoreController::Phase phase, qint64 done,
                               qint64 total) {
                if (what == importWhat && m_importRunning)
                    showImportProgress(phase, done, total);
            });
    connect(m_controller, &StoreController::stepProgress, this,
            [this, openWhat](const QString& what, const QString& step, quint64 done, quint64 total,
                             OperationControl::Unit unit) {
                // The open's bar says its step ("Open store…" stays). A copy's steps (a restore's
                // verify: "WAL records against the tiers") need more room than a bar in the status
                // bar has, and many have nothing to count, which a busy bar cannot say: the message
                // names the step, the bar counts. Once cancelled, the message says so until the
                // end.
                if (what == openWhat) {
                    showStep(m_openProgress, tr("Opening the store"), step, done, total, unit,
                             true);
                    return;
                }
                if (what == StoreController::tr("Back up store") ||
                    what == StoreController::tr("Restore store")) {
                    if (m_copyCancel->isEnabled())
                        statusBar()->showMessage(tr("%1… %2").arg(what, step));
                    showStep(m_copyProgress, what, step, done, total, unit, false);
                    return;
                }
                statusBar()->showMessage(total ? tr("%1… %2, %3 of %4")
                                                     .arg(what, step,
                                                          DisplayFormat::quantity(done, unit),
                                                          DisplayFormat::quantity(total, unit))
                                               : tr("%1… %2").arg(what, step));
            });
    connect(m_controller, &StoreController::operationFinished, this,
            [this, importWhat](const QString& what, const QString& summary) {
                statusBar()->showMessage(summary, 8000);
                if (what == importWhat)
                    setImportRunning(false);
            });
    connect(m_controller, &StoreController::operationFailed, this,
            [this, importWhat](const QString& what) {
                if (what == importWhat)
                    setImportRunning(false);
            });
    connect(m_controller, &StoreController::storeOpened, this, [this](const QString& path) {
        m_banner->clear();
        addRecent(path);
        updateTitle();
        updateStatus();
        updateActions();
    });
    connect(m_controller, &StoreController::storeClosed, this, [this] {
        updateTitle();
        updateStatus();
        updateActions();
    });
    connect(m_controller, &StoreController::statisticsUpdated, this, &MainWindow::updateStatus);
    connect(m_controller, &StoreController::copyRunningChanged, this, [this](bool running) {
        m_copyProgress->setRange(0, 0); // busy until a step has something to count
        m_copyProgress->resetFormat();
        m_copyProgress->setVisible(running);
        m_copyCancel->setEnabled(true);
        m_copyCancel->setVisible(running);
        updateActions();
        quitIfIdle();
    });
    connect(m_controller, &StoreController::restoreFinished, this,
            &MainWindow::offerToOpenRestored);
    connect(m_controller, &StoreController::serviceStateChanged, this, &MainWindow::updateStatus);

    QSettings settings;
    if (!restoreGeometry(settings.value(kGeometryKey).toByteArray())) {
        // At most the screen's free area: on a 1280x800 screen a 1280x820 window hid its status
        // bar (an open's progress and Cancel) below the edge.
        const QSize wanted(1280, 820);
        const QScreen* screen = QGuiApplication::primaryScreen();
        const QSize room = screen ? screen->availableSize() : wanted;
        resize(wanted.boundedTo(room));
        if (size() != wanted) // too big: maximized, the window manager fits it with its frame
            setWindowState(windowState() | Qt::WindowMaximized);
    }
    restoreState(settings.value(kStateKey).toByteArray());
    showPage(std::clamp(settings.value(kPageKey, 0).toInt(), 0, PageCount - 1));
    updateTitle();
    updateStatus();
    updateActions();
}

MainWindow::~MainWindow()
{
    // Workers post to the controller; stop them before the pages that listen go away.
    delete m_controller;
    m_controller = nullptr;
}

void MainWindow::buildMenus()
{
    auto* file = menuBar()->addMenu(tr("&File"));
    auto* create = file->addAction(tr("&New demo store…"), this, &MainWindow::newDemoStore);
    create->setShortcut(QKeySequence::New);
    auto* open = file->addAction(tr("&Open store…"), this, &MainWindow::openStoreDialog);
    open->setShortcut(QKeySequence::Open);
    m_recentMenu = file->addMenu(tr("Open &recent"));
    rebuildRecentMenu();
    file->addSeparator();
    m_importAction = file->addAction(tr("&Import JSONL…"), this, &MainWindow::importJsonl);
    m_closeAction = file->addAction(tr("&Close store"), m_controller, &StoreController::closeStore);
    file->addSeparator();
    m_backupAction = file->addAction(tr("&Back up store…"), this, &MainWindow::backupStoreDialog);
    m_backupAction->setToolTip(tr("Consistent copy of the open store into a new or empty "
                                  "directory, while it stays open and migrations go on. The "
                                  "status bar shows its step; Cancel removes the unfinished "
                                  "copy."));
    m_restoreAction =
        file->addAction(tr("Re&store store from backup…"), this, &MainWindow::restoreStoreDialog);
    m_restoreAction->setToolTip(tr("Copies a backup into a new or empty directory and proves it "
                                   "opens; the open store is never overwritten."));
    file->setToolTipsVisible(true);
    file->addSeparator();
    auto* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));

    auto* view = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < PageCount; ++i) {
        // A menu takes "&" for a shortcut marker: "WAL & LSN" showed as "WAL _LSN".
        QString label = m_pageList->item(i)->text();
        label.replace(QLatin1Char('&'), QStringLiteral("&&"));
        auto* a = view->addAction(label, this, [this, i] { showPage(i); });
        a->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
    }
    view->addSeparator();
    auto* refreshAction = view->addAction(tr("&Refresh"), this, &MainWindow::refresh);
    refreshAction->setShortcut(QKeySequence(Qt::Key_F5));

    auto* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Frostline"), this, &MainWindow::showAbout);
}

QWidget* MainWindow::page(int index) const
{
    return m_stack->widget(index);
}

int MainWindow::currentPage() const
{
    return m_stack->currentIndex();
}

void MainWindow::showPage(int index)
{
    if (index < 0 || index >= PageCount)
        return;
    m_pageList->setCurrentRow(index);
    m_stack->setCurrentIndex(index);
}

QStringList MainWindow::recentStores() const
{
    return QSettings().value(kRecentKey).toStringList();
}

void MainWindow::addRecent(const QString& path)
{
    QStringList recent = recentStores();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    QSettings().setValue(kRecentKey, recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    if (!m_recentMenu)
        return;
    m_recentMenu->clear();
    const QStringList recent = recentStores();
    for (const QString& path : recent)
        m_recentMenu->addAction(path, this, [this, path] { openStorePath(path); });
    if (recent.isEmpty())
        m_recentMenu->addAction(tr("No recent stores"))->setEnabled(false);
    else {
        m_recentMenu->addSeparator();
        m_recentMenu->addAction(tr("Clear list"), this, [this] {
            QSettings().remove(kRecentKey);
            rebuildRecentMenu();
        });
    }
}

void MainWindow::openStorePath(const QString& path)
{
    m_banner->clear();
    m_controller->openStore(path);
}

void MainWindow::openStoreDialog()
{
    const QString dir = QFileDialog::getExistingDirectory(
        this, tr("Open a Frostline store"), recentStores().value(0, QDir::homePath()));
    if (!dir.isEmpty())
        openStorePath(dir);
}

void MainWindow::newDemoStore()
{
    NewStoreDialog dialog(m_controller, this);
    dialog.exec();
}

void MainWindow::importJsonl()
{
    if (!m_controller->isOpen()) {
        m_banner->showError(tr("Import"), tr("Open a store before importing."));
        return;
    }
    const QString file = QFileDialog::getOpenFileName(
        this, tr("Import versions into %1").arg(m_controller->storePath()), QString(),
        tr("JSON lines (*.jsonl *.json);;All files (*)"));
    if (!file.isEmpty())
        m_controller->importFile(file);
}

void MainWindow::setImportRunning(bool running)
{
    m_importRunning = running;
    if (!running)
        QTimer::singleShot(0, this, &MainWindow::quitIfIdle); // after this handler returns
    if (running) {
        // Busy until the first report says how big the file is.
        m_importPhase = StoreController::Phase::Reading;
        m_importProgress->setRange(0, 0);
        m_importProgress->setValue(0);
        m_importProgress->setToolTip(tr("Reading the file to import…"));
        m_importCancel->setEnabled(true);
        m_importCancel->setToolTip(
            tr("Stop the import while it reads the file: nothing is imported."));
    }
    m_importProgress->setVisible(running);
    m_importCancel->setVisible(running);
    updateActions();
}

void MainWindow::setOpenRunning(bool running)
{
    if (running) {
        m_openProgress->setRange(0, 0); // busy until the first step says what it counts
        m_openProgress->setToolTip(tr("Opening the store…"));
        m_openCancel->setEnabled(true);
    }
    m_openProgress->setVisible(running);
    m_openCancel->setVisible(running);
}

void MainWindow::showStep(QProgressBar* bar, const QString& operation, const QString& step,
                          quint64 done, quint64 total, OperationControl::Unit unit, bool stepInBar)
{
    if (bar->isHidden())
        return; // a late report of an operation that has ended
    bar->setToolTip(tr("%1: %2").arg(operation, step));
    CountProgress::show(bar, done, total);
    if (total == 0)
        return;
    const QString amount =
        tr("%1 of %2")
            .arg(DisplayFormat::quantity(done, unit), DisplayFormat::quantity(total, unit));
    bar->setFormat(stepInBar ? tr("%1: %2").arg(step, amount) : amount);
}

void MainWindow::showImportProgress(StoreController::Phase phase, qint64 done, qint64 total)
{
    if (phase == StoreController::Phase::Appending) {
        if (m_importPhase != phase) {
            m_importPhase = phase;
            // Past cancelling: the controller reports this phase only once it has decided to
            // append, and an append is not stopped part-way (its first chunks would be durable).
            m_importCancel->setEnabled(false);
            m_importCancel->setToolTip(
                tr("The file has been read and its versions are being appended. An append "
                   "cannot be cancelled part-way: what it has written is already durable."));
            // From bytes to versions; reset first so that the new range does not clamp the old
            // value into a full bar for a moment.
            m_importProgress->reset();
        }
        // Versions per import are capped far below INT_MAX (InputLimits::kMaxVersionsPerImport).
        const int maximum = int(std::min<qint64>(total, std::numeric_limits<int>::max()));
        m_importProgress->setRange(0, std::max(maximum, 1));
        m_importProgress->setValue(int(std::clamp<qint64>(done, 0, maximum)));
        const QString text = tr("%1 of %2 versions appended")
                                 .arg(DisplayFormat::count(quint64(std::max<qint64>(done, 0))),
                                      DisplayFormat::count(quint64(std::max<qint64>(total, 0))));
        m_importProgress->setFormat(text);
        m_importProgress->setToolTip(tr("Import: %1 (durable)").arg(text));
        return;
    }
    const QString read = DisplayFormat::bytes(quint64(std::max<qint64>(done, 0)));
    if (total <= 0) {
        // A pipe has no size: stay busy and say how much has come through.
        m_importProgress->setRange(0, 0);
        m_importProgress->setToolTip(tr("%1 read").arg(read));
        statusBar()->showMessage(tr("Import… %1 read").arg(read));
    } else {
        // QProgressBar counts in int: files beyond 2 GiB are shown in coarser units.
        int shift = 0;
        while ((total >> shift) > std::numeric_limits<int>::max())
            ++shift;
        m_importProgress->setRange(0, int(total >> shift));
        m_importProgress->setValue(int(std::min(done, total) >> shift));
        const QString text = tr("%1 of %2").arg(read, DisplayFormat::bytes(quint64(total)));
        m_importProgress->setFormat(text);
        m_importProgress->setToolTip(tr("Import: %1 read").arg(text));
    }
}

void MainWindow::setDirectoryChooser(DirectoryChooser chooser)
{
    m_chooseDirectory = std::move(chooser);
}

void MainWindow::setPassphraseProvider(StoreController::PassphraseProvider provider)
{
    m_controller->setPassphraseProvider(std::move(provider));
}

void MainWindow::backupStoreDialog()
{
    if (!m_controller->isOpen()) {
        m_banner->showError(tr("Back up store"), tr("Open a store to back it up."));
        return;
    }
    const QString dest = m_chooseDirectory(
        tr("Back up store: choose an empty directory for the backup (Create New Folder "
           "makes one)"));
    if (dest.isEmpty())
        return;
    m_banner->clear();
    m_controller->backupStore(dest);
}

void MainWindow::restoreStoreDialog()
{
    const QString backup = m_chooseDirectory(tr("Restore store: choose the backup to restore"));
    if (backup.isEmpty())
        return;
    const QString dest = m_chooseDirectory(
        tr("Restore store: choose an empty directory for the restored store (Create New "
           "Folder makes one)"));
    if (dest.isEmpty())
        return;
    m_banner->clear();
    m_controller->restoreBackup(backup, dest);
}

void MainWindow::offerToOpenRestored(const QString& path)
{
    if (m_quitWhenIdle)
        return; // the operator is leaving: the restore's summary is in the status bar and log
    // Nothing open: the restored store is what the operator wants to look at. A store open:
    // switching closes it (and stops its service), so ask instead of doing it behind their back.
    if (!m_controller->isOpen()) {
        openStorePath(path);
        return;
    }
    auto* ask = new QMessageBox(QMessageBox::Question, tr("Store restored"),
                                tr("The backup was restored into %1. Open it now? This closes "
                                   "%2 (a migration run in progress stops after its batch).")
                                    .arg(path, m_controller->storePath()),
                                QMessageBox::Open | QMessageBox::Cancel, this);
    ask->setObjectName(QStringLiteral("openRestoredPrompt"));
    ask->button(QMessageBox::Cancel)->setText(tr("Keep the current store"));
    ask->setAttribute(Qt::WA_DeleteOnClose);
    connect(ask, &QMessageBox::finished, this, [this, ask, path] {
        if (ask->clickedButton() == ask->button(QMessageBox::Open))
            openStorePath(path);
        else
            m_controller->forgetPendingPassphrase(); // kept only for that one open
    });
    ask->open();
}

void MainWindow::updateActions()
{
    if (!m_controller || !m_backupAction)
        return;
    const bool busy = m_controller->isCopyRunning();
    m_backupAction->setEnabled(m_controller->isOpen() && !busy);
    m_restoreAction->setEnabled(!busy);
    // One import at a time: the progress bar and Cancel stand for a single one.
    m_importAction->setEnabled(m_controller->isOpen() && !m_importRunning);
    m_closeAction->setEnabled(m_controller->isOpen());
}

void MainWindow::refresh()
{
    m_controller->refreshStatistics();
    m_controller->refreshWal();
    m_controller->requestColdStatistics();
}

void MainWindow::updateTitle()
{
    setWindowTitle(m_controller->isOpen()
                       ? tr("%1 — Frostline").arg(QFileInfo(m_controller->storePath()).fileName())
                       : QStringLiteral("Frostline"));
}

void MainWindow::updateStatus()
{
    if (!m_controller)
        return;
    const bool open = m_controller->isOpen();
    m_statusPath->setText(open ? m_controller->storePath() : tr("No store open"));
    m_statusPath->setToolTip(m_statusPath->text());
    // Hot and cold from one statistics snapshot (a worker's last read, asked again after every
    // batch), so that they add up to the store's total while versions move; read live, the hot
    // figure ran ahead of the cold one during a migration.
    const StoreStatistics figures = m_controller->lastStatistics();
    m_statusHot->setText(open ? tr("hot: %1 versions, %2")
                                    .arg(DisplayFormat::count(figures.hotVersions),
                                         DisplayFormat::bytes(quint64(figures.hotBytes)))
                              : QString());
    m_statusCold->setText(
        open ? tr("cold: %1 versions")
                   .arg(DisplayFormat::count(figures.coldNodeVersions + figures.coldEdgeVersions))
             : QString());
    m_statusLsn->setText(open ? tr("flushed LSN %1").arg(m_controller->flushedLsn()) : QString());
    m_statusService->setText(serviceStateName(m_controller->serviceState(), open));
}

QString MainWindow::statusText() const
{
    QStringList parts;
    for (QLabel* l : {m_statusPath, m_statusHot, m_statusCold, m_statusLsn, m_statusService})
        if (!l->text().isEmpty())
            parts << l->text();
    return parts.join(QStringLiteral(" · "));
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About Frostline"),
                       tr("<h3>Frostline %1</h3><p>Operator console for a tiered bi-temporal "
                          "graph store.</p><p>Qt %2 (built with %3)<br>%4</p>")
                           .arg(QStringLiteral(FROSTLINE_VERSION), QString::fromLatin1(qVersion()),
                                QStringLiteral(QT_VERSION_STR),
                                QString::fromLatin1(DbEnv::version(nullptr, nullptr, nullptr))));
}

void MainWindow::setQuitConfirmer(QuitConfirmer confirmer)
{
    m_confirmQuit = std::move(confirmer);
}

bool MainWindow::isAppendRunning() const
{
    // An import that still reads its file is simply cancelled by quitting (nothing imported).
    return m_importRunning && m_importPhase == StoreController::Phase::Appending;
}

QString MainWindow::workToFinish() const
{
    const bool copy = m_controller->isCopyRunning();
    const bool append = isAppendRunning();
    if (copy && append)
        return tr("A backup or restore and an import appending its versions are running");
    if (copy)
        return tr("A backup or restore is running");
    if (append)
        return tr("An import appending its versions is running");
    return {};
}

void MainWindow::quitIfIdle()
{
    if (m_quitWhenIdle && workToFinish().isEmpty())
        close();
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    // Quitting in the middle of a copy or an append would only hide the window: the process
    // stays until that work ends, holding the store's lock, and a new window could not open the
    // store meanwhile. Say so, and let the operator choose.
    if (const QString running = workToFinish(); !running.isEmpty()) {
        event->ignore();
        if (m_quitWhenIdle || !m_confirmQuit)
            return;
        const bool stoppable = m_controller->isCopyRunning();
        const QuitChoice choice = m_confirmQuit(running, stoppable);
        if (choice == QuitChoice::KeepWorking)
            return;
        m_quitWhenIdle = true;
        if (choice == QuitChoice::CancelItAndQuit && stoppable) {
            m_controller->cancelCopy();
            m_copyCancel->setEnabled(false);
            statusBar()->showMessage(
                isAppendRunning() ? tr("Cancelling the copy: Frostline quits once its unfinished "
                                       "copy is removed and the import has appended its versions.")
                                  : tr("Cancelling the copy: Frostline quits once its unfinished "
                                       "copy is removed."));
        } else {
            statusBar()->showMessage(
                tr("%1: Frostline quits as soon as that has finished.").arg(running));
        }
        // It may have finished while the question was on screen (its end was then no reason to
        // quit yet): look again once this close has returned.
        QTimer::singleShot(0, this, &MainWindow::quitIfIdle);
        return;
    }
    QSettings settings;
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState());
    settings.setValue(kPageKey, currentPage());
    QMainWindow::closeEvent(event);
}

void MainWindow::takeScreenshots(const QString& dir)
{
    m_screenshotDir = dir;
    QDir().mkpath(dir);
    // The WAL before any migration (records not yet flushed), then the migration, then the pages
    // that show its effects.
    m_screenshotOrder = {WalPageIndex,       PolicyPageIndex, PreviewPageIndex, MigrationPageIndex,
                         DashboardPageIndex, ColdPageIndex,   ActivityPageIndex};
    auto start = [this] { QTimer::singleShot(1500, this, [this] { screenshotStep(0); }); };
    if (m_controller->isOpen())
        start();
    else
        connect(m_controller, &StoreController::storeOpened, this, start, Qt::SingleShotConnection);
    connect(m_controller, &StoreController::operationFailed, this,
            [](const QString& what, const QString& message) {
                qCritical("screenshots: %s failed: %s", qPrintable(what), qPrintable(message));
                QCoreApplication::exit(1);
            });
}

void MainWindow::screenshotStep(int step)
{
    if (step >= int(m_screenshotOrder.size())) {
        QCoreApplication::quit();
        return;
    }
    const int index = m_screenshotOrder[std::size_t(step)];
    showPage(index);
    int waitMs = 2000; // screenshots only: time for the workers to answer before grabbing
    if (index == WalPageIndex && m_wal->segmentModel()->rowCount() > 0)
        m_wal->selectSegment(0);
    if (index == ActivityPageIndex)
        m_controller->requestVerify();
    if (index == ColdPageIndex && m_controller->isOpen()) {
        // Show a real lookup and a history that spans both tiers, not empty tables; the lookup
        // runs on a worker like any other, and its answer names the entity whose history to show.
        if (auto* cold = findChild<ColdBrowserPage*>()) {
            connect(
                m_controller, &StoreController::versionFound, this,
                [cold](quint64 versionId, const std::optional<TieredVersion>& found) {
                    if (versionId == 1 && found)
                        cold->lookupHistory(found->version.entity());
                },
                Qt::SingleShotConnection);
            cold->lookupVersion(1);
        }
    }
    if (index == MigrationPageIndex) {
        // Run the active policy and grab once the run is over (the log and progress are full).
        connect(
            m_controller, &StoreController::migrationFinished, this,
            [this, step] {
                QTimer::singleShot(2500, this, [this, step] { screenshotGrab(step); });
            },
            Qt::SingleShotConnection);
        m_migration->runOnce();
        refresh();
        return;
    }
    refresh();
    QTimer::singleShot(waitMs, this, [this, step] { screenshotGrab(step); });
}

void MainWindow::screenshotGrab(int step)
{
    static const char* const names[PageCount] = {"dashboard", "policy", "preview", "migration",
                                                 "wal",       "cold",   "activity"};
    const int index = m_screenshotOrder[std::size_t(step)];
    const QString file =
        QDir(m_screenshotDir)
            .filePath(QStringLiteral("%1-%2.png").arg(index + 1).arg(QLatin1String(names[index])));
    if (!grab().save(file))
        qWarning("screenshots: cannot write %s", qPrintable(file));
    screenshotStep(step + 1);
}

} // namespace frostline
