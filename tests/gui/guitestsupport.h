#pragma once

// Helpers shared by the GUI suites (header-only: they need frostline_ui, which the core-only
// tests/common library does not link).

#include "mainwindow.h"
#include "store.h"
#include "storecontroller.h"

#include <QSignalSpy>
#include <QStringList>

#include <memory>

namespace frostline::test {

// The window's directory dialogs answer from this list, in order; an extra question is reported
// and answered with an empty path (the test then fails on what follows).
inline void answerDirectories(MainWindow& window, QStringList answers)
{
    auto queue = std::make_shared<QStringList>(std::move(answers));
    window.setDirectoryChooser([queue](const QString& caption) {
        if (queue->isEmpty()) {
            qWarning("unexpected directory question: %s", qPrintable(caption));
            return QString();
        }
        return queue->takeFirst();
    });
}

// Opens the store at PATH and waits (up to 2 minutes) until it is open.
inline bool openAndWait(StoreController& controller, const QString& path)
{
    QSignalSpy opened(&controller, &StoreController::storeOpened);
    controller.openStore(path);
    return opened.count() > 0 || opened.wait(120000);
}

// Versions in both tiers.
inline quint64 totalVersions(const StoreStatistics& s)
{
    return s.hotVersions + s.coldNodeVersions + s.coldEdgeVersions;
}

} // namespace frostline::test
