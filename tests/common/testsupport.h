#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <chrono>
#include <functional>

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

// Reads a whole file (empty on failure) / writes one, failing the test on error.
QByteArray readFile(const QString& path);
void writeFile(const QString& path, const QByteArray& bytes);

} // namespace frostline::test
