#pragma once

#include "storecontroller.h"

#include <QMainWindow>

#include <vector>

class QLabel;
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

    // Hidden --screenshot-dir mode: once a store is open, visits every page, waits for its
    // data, saves one PNG per page into `dir`, then quits the application.
    void takeScreenshots(const QString& dir);

public slots:
    void openStorePath(const QString& path);
    void openStoreDialog();
    void newDemoStore();
    void importJsonl();
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

    StoreController* m_controller;
    ErrorBanner* m_banner;
    QListWidget* m_pageList;
    QStackedWidget* m_stack;
    DashboardPage* m_dashboard;
    MigrationPage* m_migration;
    WalInspectorPage* m_wal;
    ActivityPage* m_activity;
    QMenu* m_recentMenu = nullptr;
    QLabel* m_statusPath;
    QLabel* m_statusHot;
    QLabel* m_statusCold;
    QLabel* m_statusLsn;
    QLabel* m_statusService;
    QTimer* m_statusTimer;
    QString m_screenshotDir;
    std::vector<int> m_screenshotOrder;
};

} // namespace frostline
