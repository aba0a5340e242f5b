#pragma once

#include <QByteArray>
#include <QString>

#include <functional>

namespace frostline {

// Turns the one crash Berkeley DB can cause on a full disk into a clear message.
//
// Berkeley DB keeps its shared regions (cache, locks, log buffer) in files under the cold home
// (__db.*) mapped into memory. They are created sparse and grow while the store works; when the
// file system is full, the first touch of a fresh page cannot be backed and the kernel sends
// SIGBUS, in the middle of Berkeley DB, where no error code can be returned. Nothing committed
// is at risk (the transaction in flight never committed and recovery undoes it at the next
// open), but the operator must learn why the process stopped and where. The handler writes one
// line naming the environment and exits with status 1, like any other runtime failure.
class RegionFaultHandler
{
public:
    // Installs the SIGBUS handler for this process (the CLI and the GUI call it from main()).
    // `program` prefixes the message, like the CLI's other errors ("frostline-cli migrate").
    static void install(const QString& program);
    // Called by BerkeleyEnvironment::open: the home named if a region fault happens later.
    // Returns the home noted before (a backup or restore notes its copy, then the store's again).
    static QString noteEnvironment(const QString& home);
    // What is noted now.
    static QString notedEnvironment();
    // The line the handler writes (without the newline), for the given program and home.
    static QByteArray message(const QByteArray& program, const QByteArray& home);
    // Has the handler also write FORMAT(problem) to stdout, before the line on stderr: a command
    // whose caller reads its standard output (verify --json) still gets an answer there. PROBLEM
    // is the line without the program's prefix. FORMAT runs whenever the line changes, never in
    // the handler; its result is cut at 4 KiB. {} stops it.
    static void alsoReportOnStdout(std::function<QByteArray(const QByteArray& problem)> format);
};

} // namespace frostline
