#include "clicommands.h"

#include <QCoreApplication>

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("frostline-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(FROSTLINE_VERSION));
    return frostline::cli::run(QCoreApplication::arguments());
}
