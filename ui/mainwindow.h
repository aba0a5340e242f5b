#pragma once

#include <QMainWindow>

namespace frostline {

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);

public slots:
    void showAbout();
};

} // namespace frostline
