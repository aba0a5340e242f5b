#pragma once

#include "storecontroller.h"

#include <QMainWindow>

#include <functional>
#include <vector>

class QAction;
class QLabel;
class QProgressBar;
class QPushButton;
class QListWidget;
class QMenu;
class QStackedWidget;
class QTimer;

namespace frostline {

class ActivityPage;
class DashboardPage;
class ErrorBanner;
class MigrationPage;
class WalInspectorPage;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    enum Page
    {
        DashboardPageIndex,
        PolicyPageIndex,
        PreviewPageIndex,
        MigrationPageIndex,
        WalPageIndex,
        ColdPageIndex,
        ActivityPageIndex,
        PageCount
    };

    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    StoreController* controller() const { return m_controller; }
    ErrorBanner* errorBanner() const { return m_banner; }
    QWidget* page(int index) const;
    int currentPage() const;
    DashboardPage* dashboardPage() const { return m_dashboard; }
    MigrationPage* migrationPage() const { return m_migration; }
    WalInspectorPage* walInspectorPage() const { return m_wal; }
    QStringList recentStores() const;
    QString statusText() const; // the status bar's figures, for tests and screen readers

    // File ▸ Back up store… / Restore store from backup…, and the step and Cancel they show.
    QAction* backupAction() const { return m_backupAction; }
    QAction* importAction() const { return m_importAction; }
    QAction* closeAction() const { return m_closeAction; }
    QAction* restoreAction() const { return m_restoreAction; }
    QProgressBar* copyProgress() const { return m_copyProgress; }
    QPushButton* copyCancelButton() const { return m_copyCancel; }
    // File ▸ Import JSONL…: the bytes read while an import runs, and the button that cancels it
    // (both hidden otherwise).
    QProgressBar* importProgress() const { return m_importProgress; }
    QPushButton* importCancelButton() const { return m_importCancel; }
    // While a store opens: its step (recovery, hot checkpoint, WAL replay with records replayed
    // of those to replay) and the button that cancels the open (both hidden otherwise).
    QProgressBar* openProgress() const { return m_openProgress; }
    QPushButton* openCancelButton() const { return m_openCancel; }
    // Asks for a directory (caption says which); returns "" when the operator cancels. The
    // default is a QFileDialog; tests put their own in to drive the actions without a modal.
    using DirectoryChooser = std::function<QString(const QString& caption)>;
    void setDirectoryChooser(DirectoryChooser chooser);
    // Asks the passphrase of an encrypted store or backup (default: a PassphraseDialog); tests
    // answer it themselves. Forwarded to the controller, which asks on the GUI thread.
    void setPassphraseProvider(StoreController::PassphraseProvider provider);
    // Asked when the window is closed while work runs that quitting must not cut short (a backup
    // or restore, an import's append, or both); RUNNING says what, as a sentence ("A backup or
    // restore is running"). STOPPABLE: a copy runs, which can be cancelled and then removes its
    // unfinished copy (an append cannot be cancelled, and is waited for either way). The default
    // is a QMessageBox; tests answer it themselves.
    enum class QuitChoice
    {
        KeepWorking,
        QuitWhenFinished,
        CancelItAndQuit // offered only when STOPPABLE
    };
    using QuitConfirmer = std::function<QuitChoice(const QString& running, bool stoppable)>;
    void setQuitConfirmer(QuitConfirmer confirmer);
    // Whether the window closes by itself once that work has finished.
    bool isQuittingWhenIdle() const { return m_quitWhenIdle; }

    // Hidden --screenshot-dir mode: once a store is open, visits every page, waits for its
    // data, saves one PNG per page into `dir`, then quits the application.
    void takeScreenshots(const QString& dir);

public slots:
    void openStorePath(const QString& path);
    void openStoreDialog();
    void newDemoStore();
    void importJsonl();
    void backupStoreDialog();
    void restoreStoreDialog();
    void showPage(int index);
    void refresh();
    void showAbout();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void addRecent(const QString& path);
    void rebuildRecentMenu();
    void updateStatus();
    void updateTitle();
    void screenshotStep(int step);
    void screenshotGrab(int step);
    void updateActions();
    void offerToOpenRestored(const QString& path);
    void setImportRunning(bool running);
    void showImportProgress(StoreController::Phase phase, qint64 done, qint64 total);
    void setOpenRunning(bool running);
    // The step of an open or a copy on its status-bar BAR: DONE of TOTAL, after the step's name
    // when STEPINBAR (OPERATION and STEP are in the tooltip either way).
    void showStep(QProgressBar* bar, const QString& operation, const QString& step, quint64 done,
                  quint64 total, frostline::OperationControl::Unit unit, bool stepInBar);

    StoreController* m_controller;
    ErrorBanner* m_banner;
    QListWidget* m_pageList;
    QStackedWidget* m_stack;
    DashboardPage* m_dashboard;
    MigrationPage* m_migration;
    WalInspectorPage* m_wal;
    ActivityPage* m_activity;
    QMenu* m_recentMenu = nullptr;
    QAction* m_backupAction = nullptr;
    QAction* m_restoreAction = nullptr;
    QAction* m_importAction = nullptr;
    QAction* m_closeAction = nullptr;
    QLabel* m_statusPath;
    QLabel* m_statusHot;
    QLabel* m_statusCold;
    QLabel* m_statusLsn;
    QLabel* m_statusService;
    QTimer* m_statusTimer;
    QProgressBar* m_copyProgress;
    QProgressBar* m_importProgress;
    QPushButton* m_importCancel;
    bool m_importRunning = false;
    StoreController::Phase m_importPhase = StoreController::Phase::Reading;
    QProgressBar* m_openProgress;
    QPushButton* m_openCancel;
    QPushButton* m_copyCancel;
    DirectoryChooser m_chooseDirectory;
    QuitConfirmer m_confirmQuit;
    bool m_quitWhenIdle = false;
    // What runs that a quit must not cut short, as a sentence in the operator's words ("A backup
    // or restore is running"; "" when nothing).
    QString workToFinish() const;
    bool isAppendRunning() const; // an import past reading its file: it cannot be cancelled
    void quitIfIdle();
    QString m_screenshotDir;
    std::vector<int> m_screenshotOrder;
};

} // namespace frostline
