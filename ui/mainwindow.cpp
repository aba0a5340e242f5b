#include "mainwindow.h"

#include <QApplication>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>

#include <db_cxx.h>

namespace frostline {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle(QStringLiteral("Frostline"));
    auto* fileMenu = menuBar()->addMenu(tr("&File"));
    auto* quit = fileMenu->addAction(tr("&Quit"), qApp, &QApplication::quit);
    quit->setShortcut(QKeySequence::Quit);
    auto* helpMenu = menuBar()->addMenu(tr("&Help"));
    helpMenu->addAction(tr("&About Frostline"), this, &MainWindow::showAbout);
    setCentralWidget(new QLabel(tr("No store open"), this));
    statusBar()->showMessage(tr("No store open"));
    resize(1100, 700);
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About Frostline"),
                       tr("<h3>Frostline %1</h3><p>Operator console for a tiered bi-temporal "
                          "graph store.</p><p>Qt %2<br>%3</p>")
                           .arg(QStringLiteral(FROSTLINE_VERSION), QString::fromLatin1(qVersion()),
                                QString::fromLatin1(DbEnv::version(nullptr, nullptr, nullptr))));
}

} // namespace frostline
