#include "clicommands.h"
#include "regionfaulthandler.h"

#include <QCoreApplication>

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("frostline-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(FROSTLINE_VERSION));
    frostline::RegionFaultHandler::install(QStringLiteral("frostline-cli"));
    return frostline::cli::run(QCoreApplication::arguments());
}
