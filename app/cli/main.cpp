#include "clicommands.h"
#include "regionfaulthandler.h"

#include <QCoreApplication>

#include <csignal>

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("frostline-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(FROSTLINE_VERSION));
    frostline::RegionFaultHandler::install(QStringLiteral("frostline-cli"));
    // A closed pipe (`export S | head`) is then a failed write that the command reports, exit 1,
    // instead of a silent death by SIGPIPE (exit 141) that a script cannot tell from a success
    // cut short.
    std::signal(SIGPIPE, SIG_IGN);
    return frostline::cli::run(QCoreApplication::arguments());
}
