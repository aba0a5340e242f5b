#pragma once

#include <QByteArray>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <chrono>
#include <functional>

#if defined(__SANITIZE_ADDRESS__)
#define FROSTLINE_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FROSTLINE_LSAN 1
#endif
#endif
#ifdef FROSTLINE_LSAN
#include <sanitizer/lsan_interface.h>
#endif

namespace frostline::test {

// Result of running the real frostline-cli binary.
struct CliResult
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

// Path of the frostline-cli built alongside the tests.
QString cliPath();

// Runs frostline-cli with `args`, optional stdin, waiting at most `timeoutMs`.
CliResult runCli(const QStringList& args, int timeoutMs = 120000, const QByteArray& input = {});

// Waits until `condition` holds, processing events, up to `timeout`. Returns whether it held.
bool waitUntil(const std::function<bool()>& condition,
               std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Creates a store at `path` (encrypted when `passphrase` is not empty), appends a generated
// workload of `versions` versions over `entities` entities and closes it. Returns `versions`.
quint64 makeGeneratedStore(const QString& path, quint64 versions, quint64 entities, int spanDays,
                           quint64 seed, const QByteArray& passphrase = {});

// Points QSettings (recent stores, window geometry) at `dir` under organization "FrostlineTest"
// and `application`, and empties it, so GUI suites never read or touch the operator's settings.
void useThrowAwaySettings(const QTemporaryDir& dir, const QString& application);

// LeakSanitizer ignores what is allocated while one of these is alive: for the few places where
// a test drives Berkeley DB into a state in which it keeps its own memory (a panicked
// environment, a database opened with the wrong key). Not for our own code.
struct IgnoreBerkeleyLeaks
{
#ifdef FROSTLINE_LSAN
    IgnoreBerkeleyLeaks()
    {
        __lsan_disable();
    }
    ~IgnoreBerkeleyLeaks()
    {
        __lsan_enable();
    }
#else
    IgnoreBerkeleyLeaks() = default;
#endif
    IgnoreBerkeleyLeaks(const IgnoreBerkeleyLeaks&) = delete;
    IgnoreBerkeleyLeaks& operator=(const IgnoreBerkeleyLeaks&) = delete;
};

// Reads a whole file (empty on failure) / writes one, failing the test on error.
QByteArray readFile(const QString& path);
void writeFile(const QString& path, const QByteArray& bytes);

// Every file under DIR (relative path -> its content's SHA-256): "unchanged" means this.
QMap<QString, QByteArray> treeDigest(const QString& dir);

} // namespace frostline::test
