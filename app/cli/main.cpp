#include "clicommands.h"
#include "regionfaulthandler.h"

#include <QCoreApplication>
#include <QFile>

#include <csignal>
#include <cstdio>
#include <utility>

namespace {

// Qt names files in UTF-8: an argument that is not valid UTF-8 would reach the command as a
// different path (each bad byte a U+FFFD), and init or import would work on that other path.
// Returns the index of the first such argument (0: none) and its bytes escaped.
std::pair<int, QByteArray> firstArgumentNotInUtf8(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i) {
        const QByteArray raw(argv[i]);
        if (QFile::encodeName(QFile::decodeName(raw)) == raw)
            continue;
        QByteArray shown;
        for (const char c : raw) {
            const auto u = static_cast<unsigned char>(c);
            shown += (u >= 0x20 && u < 0x7f)
                         ? QByteArray(1, c)
                         : "\\x" + QByteArray::number(u, 16).rightJustified(2, '0');
        }
        return {i, shown};
    }
    return {0, {}};
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("frostline-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(FROSTLINE_VERSION));
    if (const auto [index, bad] = firstArgumentNotInUtf8(argc, argv); index > 0) {
        // Named after the command like every other error, when the command itself is readable.
        const QByteArray who =
            index > 1 ? QByteArray("frostline-cli ") + argv[1] : QByteArray("frostline-cli");
        std::fprintf(stderr,
                     "%s: argument '%s' is not valid UTF-8 (or starts with a byte order mark): "
                     "Frostline would read it as a different path; rename the file or "
                     "directory\n",
                     who.constData(), bad.constData());
        return 2;
    }
    frostline::RegionFaultHandler::install(QStringLiteral("frostline-cli"));
    // A closed pipe (`export S | head`) is then a failed write that the command reports, exit 1,
    // instead of a silent death by SIGPIPE (exit 141) that a script cannot tell from a success
    // cut short.
    std::signal(SIGPIPE, SIG_IGN);
    return frostline::cli::run(QCoreApplication::arguments());
}
