#pragma once

#include "storecontroller.h"

#include <QWidget>

class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace frostline {

// Activity: every operation the window started (open, generate, import, verify, checkpoint,
// migrations) with its outcome, and the full consistency check with the problems it found.
class ActivityPage : public QWidget
{
    Q_OBJECT
public:
    explicit ActivityPage(StoreController* controller, QWidget* parent = nullptr);

    int entryCount() const;
    // The verify/checkpoint progress row: shown while one runs, with its step, and its Cancel.
    bool isShowingProgress() const;
    QString progressText() const;
    QPushButton* cancelButton() const { return m_cancel; }

private:
    void add(const QString& what, const QString& outcome, bool failure);
    void setRunning(const QString& what, bool running);
    void showStep(const QString& what, const QString& step, quint64 done, quint64 total);

    StoreController* m_controller;
    QTableWidget* m_log;
    QListWidget* m_problems;
    QProgressBar* m_progress;
    QLabel* m_step;
    QPushButton* m_cancel;
    QStringList m_running; // "Verify", "Checkpoint" while they run
};

} // namespace frostline
