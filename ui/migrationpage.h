#pragma once

#include "storecontroller.h"

#include <QWidget>

#include <optional>
#include <utility>
#include <vector>

class QLabel;
class QProgressBar;
class QPushButton;
class QTableView;
class QTimer;

namespace frostline {

class MigrationLogModel;

// Migration: run once with the active policy, start/stop the background service, cancel the run
// in flight; per-batch progress (versions, bytes, rate, ETA); a log of committed batches and of
// failures with their cause; the service's statistics.
class MigrationPage : public QWidget
{
    Q_OBJECT
public:
    explicit MigrationPage(StoreController* controller, QWidget* parent = nullptr);

    MigrationLogModel* logModel() const { return m_log; }
    QProgressBar* progressBar() const { return m_progress; }
    QPushButton* runOnceButton() const { return m_runOnce; }
    QPushButton* startButton() const { return m_start; }
    QPushButton* stopButton() const { return m_stop; }
    QPushButton* cancelButton() const { return m_cancel; }
    QString progressText() const;
    QString statisticsText() const;

public slots:
    void runOnce();

private:
    void onProgress(const MigrationProgress& progress);
    void onBatch(const BatchCommitResult& batch, const MigrationProgress& progress);
    void showPending();
    void dropPending(); // of a store that closed or another that opened
    void showProgress(const MigrationProgress& progress);
    void onFinished(const MigrationRunResult& result);
    void updateState();
    void updateStatistics();
    void updatePolicy();

    StoreController* m_controller;
    MigrationLogModel* m_log;
    QLabel* m_policy;
    QPushButton* m_runOnce;
    QPushButton* m_start;
    QPushButton* m_stop;
    QPushButton* m_cancel;
    QLabel* m_state;
    QProgressBar* m_progress;
    QLabel* m_progressText;
    QLabel* m_statistics;
    QTableView* m_logView;
    QTimer* m_timer;
    // What arrived since the last repaint. A run of small batches commits hundreds a second,
    // more than a repaint each allows: the window fell seconds behind the run, and a click on
    // Cancel waited behind the backlog. So the page shows them at most ten times a second.
    std::vector<std::pair<BatchCommitResult, MigrationProgress>> m_pendingBatches;
    std::optional<MigrationProgress> m_pendingProgress;
    QTimer* m_repaint;
};

} // namespace frostline
