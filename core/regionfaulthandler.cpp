#include "regionfaulthandler.h"

#include <QFile>

#include <array>
#include <atomic>
#include <csignal>
#include <cstring>
#include <mutex>

#include <unistd.h>

namespace frostline {

namespace {

// The handler may only use async-signal-safe calls, so the message is composed in advance
// whenever the program or the environment changes, and published through an atomic index.
std::mutex g_composeMutex;
QByteArray g_program = "frostline";
QByteArray g_home = "the cold tier";
std::array<std::array<char, 1024>, 2> g_lines{};
std::array<std::size_t, 2> g_lengths{};
std::atomic<int> g_current{-1};

void compose()
{
    const QByteArray line = RegionFaultHandler::message(g_program, g_home) + '\n';
    const int next = g_current.load() == 0 ? 1 : 0;
    const std::size_t length = std::min<std::size_t>(std::size_t(line.size()), 1023);
    std::memcpy(g_lines[std::size_t(next)].data(), line.constData(), length);
    if (length == 1023)
        g_lines[std::size_t(next)][1022] = '\n';
    g_lengths[std::size_t(next)] = length;
    g_current = next; // publishes the line and its length together
}

void onBusError(int signal, siginfo_t* info, void*)
{
    // BUS_ADRERR: a mapped file page that has no backing store. Any other bus error is not
    // ours to explain: die of it as usual.
    const int current = g_current.load();
    if (info && info->si_code == BUS_ADRERR && current >= 0) {
        const auto index = std::size_t(current);
        [[maybe_unused]] const ssize_t written =
            ::write(STDERR_FILENO, g_lines[index].data(), g_lengths[index]);
        ::_exit(1);
    }
    ::signal(signal, SIG_DFL);
    ::raise(signal);
}

} // namespace

QByteArray RegionFaultHandler::message(const QByteArray& program, const QByteArray& home)
{
    return program + ": cannot grow Berkeley DB's memory-mapped region files in " + home +
           ": No space left on device (the file system is full; SIGBUS). Nothing committed is "
           "lost: free space and run again.";
}

void RegionFaultHandler::install(const QString& program)
{
    {
        std::lock_guard lock(g_composeMutex);
        g_program = program.toLocal8Bit();
        compose();
    }
    struct sigaction action = {};
    action.sa_sigaction = onBusError;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGBUS, &action, nullptr);
}

QString RegionFaultHandler::notedEnvironment()
{
    std::lock_guard lock(g_composeMutex);
    return QFile::decodeName(g_home);
}

QString RegionFaultHandler::noteEnvironment(const QString& home)
{
    std::lock_guard lock(g_composeMutex);
    const QString before = QFile::decodeName(g_home);
    g_home = QFile::encodeName(home);
    compose();
    return before;
}

} // namespace frostline
