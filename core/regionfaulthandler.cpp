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
std::function<QByteArray(const QByteArray&)> g_stdoutFormat;
std::array<std::array<char, 1024>, 2> g_lines{};
std::array<std::size_t, 2> g_lengths{};
std::array<std::array<char, 4096>, 2> g_stdoutReports{};
std::array<std::size_t, 2> g_stdoutLengths{};
std::atomic<int> g_current{-1};

// What went wrong, without the program that says it: the stderr line's text, and what a
// command's stdout report is about.
QByteArray problem(const QByteArray& home)
{
    return "cannot grow Berkeley DB's memory-mapped region files in " + home +
           ": No space left on device (the file system is full; SIGBUS). Nothing committed is "
           "lost: free space and run again.";
}

void compose()
{
    const QByteArray line = RegionFaultHandler::message(g_program, g_home) + '\n';
    const int next = g_current.load() == 0 ? 1 : 0;
    const auto slot = std::size_t(next);
    const std::size_t length = std::min<std::size_t>(std::size_t(line.size()), 1023);
    std::memcpy(g_lines[slot].data(), line.constData(), length);
    if (length == 1023)
        g_lines[slot][1022] = '\n';
    g_lengths[slot] = length;
    // The problem alone, as the command's other problems are told there: no program prefix.
    const QByteArray report = g_stdoutFormat ? g_stdoutFormat(problem(g_home)) : QByteArray();
    g_stdoutLengths[slot] = std::min<std::size_t>(std::size_t(report.size()), 4096);
    std::memcpy(g_stdoutReports[slot].data(), report.constData(), g_stdoutLengths[slot]);
    g_current = next; // publishes the lines and their lengths together
}

void onBusError(int signal, siginfo_t* info, void*)
{
    // BUS_ADRERR: a mapped file page that has no backing store. Any other bus error is not
    // ours to explain: die of it as usual.
    const int current = g_current.load();
    if (info && info->si_code == BUS_ADRERR && current >= 0) {
        const auto index = std::size_t(current);
        if (g_stdoutLengths[index] > 0) {
            [[maybe_unused]] const ssize_t reported =
                ::write(STDOUT_FILENO, g_stdoutReports[index].data(), g_stdoutLengths[index]);
        }
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
    return program + ": " + problem(home);
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

void RegionFaultHandler::alsoReportOnStdout(
    std::function<QByteArray(const QByteArray& problem)> format)
{
    std::lock_guard lock(g_composeMutex);
    g_stdoutFormat = std::move(format);
    compose();
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
