#pragma once

#include "storecontroller.h"

#include <QWidget>

class QListWidget;
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

private:
    void add(const QString& what, const QString& outcome, bool failure);

    StoreController* m_controller;
    QTableWidget* m_log;
    QListWidget* m_problems;
};

} // namespace frostline
