#include "mainwindow.h"
#include "regionfaulthandler.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QTimer>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Frostline"));
    QApplication::setOrganizationName(QStringLiteral("Frostline"));
    QApplication::setApplicationVersion(QStringLiteral(FROSTLINE_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/frostline/app-icon.png")));
    frostline::RegionFaultHandler::install(QStringLiteral("frostline"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Operator console for a tiered bi-temporal graph store"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("STORE"), QStringLiteral("Store directory to open"),
                                 QStringLiteral("[STORE]"));
    // For scripts/screenshots.sh: visit every page, save one PNG each into DIR, quit.
    QCommandLineOption screenshots(QStringLiteral("screenshot-dir"),
                                   QStringLiteral("Save a screenshot of every page into DIR"),
                                   QStringLiteral("DIR"));
    screenshots.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(screenshots);
    parser.process(app);

    const QStringList args = parser.positionalArguments();
    if (args.size() > 1) {
        fprintf(stderr, "frostline: give at most one store directory\n");
        return 2;
    }

    frostline::MainWindow window;
    if (parser.isSet(screenshots)) {
        window.resize(1400, 900);
        window.showPage(0);
        window.takeScreenshots(parser.value(screenshots));
    }
    window.show();
    if (!args.isEmpty())
        window.openStorePath(args.first()); // opens on a worker; adds it to the recent stores
    return app.exec();
}
