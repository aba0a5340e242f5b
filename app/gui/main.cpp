#include "mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Frostline"));
    QApplication::setOrganizationName(QStringLiteral("Frostline"));
    QApplication::setApplicationVersion(QStringLiteral(FROSTLINE_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Operator console for a tiered bi-temporal graph store"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("store"),
                                 QStringLiteral("Store directory to open"));
    parser.process(app);

    frostline::MainWindow window;
    window.show();
    return app.exec();
}
