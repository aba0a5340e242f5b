#include "clicommands.h"

#include "displayformat.h"
#include "frostlineerror.h"
#include "jsonlcodec.h"
#include "migrationpolicy.h"
#include "migrationrun.h"
#include "passphrasesource.h"
#include "previewexplanation.h"
#include "regionfaulthandler.h"
#include "store.h"
#include "storebackup.h"
#include "storecipher.h"
#include "timestamps.h"
#include "versioncodec.h"
#include "workloadgenerator.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QTextStream>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <functional>
#include <unistd.h>

namespace frostline::cli {

namespace {

QTextStream& out()
{
    static QTextStream s(stdout);
    return s;
}

QTextStream& err()
{
    static QTextStream s(stderr);
    return s;
}

// Why the first write through out() failed, as its device said it (QTextStream keeps only a
// status, and errno is gone by then): a migration goes on, batch after batch, once its pipe
// has closed, and the message at the end names the first failure.
QString& outWriteFailure()
{
    static QString failure;
    return failure;
}

// What a command has done for good even if its report cannot be written (a migrate into a
// closed pipe still runs to the end): said with the write failure, so exit 1 does not read as a
// failed run.
QString& doneDespiteOutput()
{
    static QString done;
    return done;
}

void flushOut()
{
    out().flush();
    if (out().status() == QTextStream::WriteFailed && outWriteFailure().isEmpty())
        outWriteFailure() = out().device()->errorString();
}

// Large outputs (export, preview) go to stdout in 1 MiB writes. A failed write (a full disk, a
// closed pipe) ends the command with exit 1 instead of leaving a script a cut-off file and exit 0.
class StdoutWriter
{
public:
    QByteArray& buffer() { return m_buffer; }
    void flushIfBig()
    {
        if (m_buffer.size() > (1 << 20))
            flush();
    }
    // Straight to the descriptor, so a short write (a disk filling up) reports its errno; what
    // stdio holds goes first, to keep the order.
    void flush()
    {
        if (std::fflush(stdout) != 0)
            fail(errno);
        const char* next = m_buffer.constData();
        qsizetype left = m_buffer.size();
        while (left > 0) {
            const ssize_t n = ::write(STDOUT_FILENO, next, std::size_t(left));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                fail(n < 0 ? errno : EIO);
            next += n;
            left -= n;
        }
        m_buffer.clear();
    }

private:
    [[noreturn]] static void fail(int err)
    {
        throw FrostlineError::runtime(QStringLiteral("cannot write to standard output: %1")
                                          .arg(FrostlineError::errnoText(err)));
    }
    QByteArray m_buffer;
};

const char* const kUsage = R"(Usage: frostline-cli COMMAND [ARGS]

Operate a Frostline tiered bi-temporal graph store.

Commands:
  init STORE [--encrypt]              create an empty store (--encrypt: encrypted at rest)
  import STORE FILE.jsonl             append versions (the whole file is validated first)
  generate STORE --entities N --versions M --span-days D --seed S
                                      append a synthetic, reproducible workload
  export STORE [--tier hot|cold|all]  print versions as JSONL sorted by version_id
  preview STORE [--policy FILE] [--now MICROS] [--json] [--explain VERSION_ID]
                                      show which versions the policy (without --policy: the
                                      store's policy.json) would migrate, in order; with
                                      --explain, why that one version would move or stays hot
  migrate STORE [--policy FILE] [--now MICROS] [--json]
                                      migrate the versions the policy selects (as preview
                                      shows them) to the cold tier in batches
  checkpoint STORE [--json]           write the hot checkpoint and advance the flushed LSN
  backup STORE DEST                   consistent copy of the store into a new directory
  restore BACKUP DEST                 bring a backup back into a new directory
  wal STORE [--json]                  WAL segments, LSNs, and what may be deleted
  wal STORE --from-lsn A [--to-lsn B] [--json]
                                      the WAL records from LSN A (to B), decoded
  verify STORE [--json]               check WAL, tiers and Berkeley DB; exit 1 on any problem
  stats STORE [--json]                counts, bytes and LSNs
  history STORE --kind node|edge --entity ID [--as-of-tx MICROS] [--as-of-valid MICROS]
                                      an entity's versions across both tiers
  policy validate FILE                check a policy file (JSON or TOML)
  policy show [--preset NAME]         print a preset policy as JSON (default, aggressive,
                                      conservative, disabled; without --preset: default)

Options:
  --help       show this help
  --version    show the version
  --passphrase-file FILE
               passphrase of an encrypted store (its first line, at most 1 MiB); else the
               FROSTLINE_PASSPHRASE environment variable, else a prompt when standard input is
               a terminal

Times are microseconds since the Unix epoch. Exit status: 0 success, 1 runtime failure,
2 bad usage or bad input. Errors go to stderr as one line.
)";

// `COMMAND --help`: that command's entries of kUsage (with their continuation lines), the options
// and the closing lines, so the one usage text stays the only place each command is described.
QString commandUsage(const QString& command)
{
    const QStringList lines = QString::fromUtf8(kUsage).split(QLatin1Char('\n'));
    const qsizetype options = lines.indexOf(QStringLiteral("Options:"));
    const QString entry = QStringLiteral("  ") + command;
    QStringList entries;
    bool inEntry = false;
    for (const QString& line : lines.first(options)) {
        if (line.startsWith(QLatin1String("   ")) && inEntry) // a continuation line
            entries << line;
        else if ((inEntry = line == entry || line.startsWith(entry + QLatin1Char(' '))))
            entries << line;
    }
    return QStringLiteral("Usage: frostline-cli %1 ARGS (frostline-cli --help lists every "
                          "command)\n\n%2\n\n%3")
        .arg(command, entries.join(QLatin1Char('\n')), lines.mid(options).join(QLatin1Char('\n')));
}

// Ctrl-C (SIGINT) or SIGTERM while generate, migrate or import writes: the command stops at its
// next durable step (a generated slice, a migration batch, the end of an import's append) and
// says what is durable. A backup or restore stops at its next MiB or step and removes its copy.
// Without this the process died silently and the operator had to find out how far it got. A second
// signal ends the process at once: safe as well (each slice, batch and append chunk is atomic),
// only silent.
class InterruptAtDurableSteps
{
public:
    InterruptAtDurableSteps()
    {
        s_requested = false;
        s_signal = 0;
        struct sigaction on = {};
        on.sa_handler = &InterruptAtDurableSteps::onSignal;
        on.sa_flags = SA_RESTART; // a write to a pipe that the signal interrupts goes on
        sigemptyset(&on.sa_mask);
        ::sigaction(SIGINT, nullptr, &m_previousInt);
        ::sigaction(SIGTERM, nullptr, &m_previousTerm);
        // A signal the process was started to ignore (nohup, a background job) stays ignored.
        if (m_previousInt.sa_handler != SIG_IGN)
            ::sigaction(SIGINT, &on, nullptr);
        if (m_previousTerm.sa_handler != SIG_IGN)
            ::sigaction(SIGTERM, &on, nullptr);
    }
    ~InterruptAtDurableSteps()
    {
        ::sigaction(SIGINT, &m_previousInt, nullptr);
        ::sigaction(SIGTERM, &m_previousTerm, nullptr);
    }
    InterruptAtDurableSteps(const InterruptAtDurableSteps&) = delete;
    InterruptAtDurableSteps& operator=(const InterruptAtDurableSteps&) = delete;

    const std::atomic<bool>* flag() const { return &s_requested; }
    bool requested() const { return s_requested.load(); }
    QString signalName() const
    {
        return s_signal.load() == SIGTERM ? QStringLiteral("SIGTERM") : QStringLiteral("SIGINT");
    }

private:
    static void onSignal(int signal)
    {
        if (s_requested.load()) {
            std::signal(signal, SIG_DFL);
            std::raise(signal);
            return;
        }
        s_signal = signal; // first, so that whoever sees the request sees which signal
        s_requested = true;
    }
    static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free,
                  "a signal handler may only touch lock-free atomics");
    static inline std::atomic<bool> s_requested{false};
    static inline std::atomic<int> s_signal{0};
    struct sigaction m_previousInt = {}, m_previousTerm = {};
};

// Bad usage: exit 2 with one line on stderr.
struct UsageError
{
    QString message;
};

PassphraseSource& passphrases();

// Parsed "POSITIONAL... --flag value --switch" arguments of one command. Every command also takes
// --passphrase-file FILE, which goes to passphrases() for the stores the command opens.
class Arguments
{
public:
    Arguments(const QStringList& args, QStringList valueOptions, const QStringList& switches)
    {
        const QString passphraseFile = QStringLiteral("passphrase-file");
        valueOptions << passphraseFile;
        for (int i = 0; i < args.size(); ++i) {
            const QString& a = args[i];
            if (a.startsWith(QLatin1String("--"))) {
                const QString name = a.mid(2);
                if (switches.contains(name)) {
                    if (m_switches.contains(name))
                        throw UsageError{QStringLiteral("option %1 is given twice").arg(a)};
                    m_switches << name;
                } else if (valueOptions.contains(name)) {
                    if (i + 1 >= args.size())
                        throw UsageError{QStringLiteral("option %1 needs a value").arg(a)};
                    // "--kind --entity 1": the operator left the value out; taking "--entity" as
                    // the kind would blame the wrong argument. So is any "--word" (an option of
                    // another command, "export --tier --json"): no value of ours looks like one,
                    // and a file of such a name can be given as ./--word.
                    if (const QString next = args[i + 1]; next.size() > 2 &&
                                                          next.startsWith(QLatin1String("--")) &&
                                                          next.at(2).isLetter())
                        throw UsageError{
                            QStringLiteral("option %1 needs a value (%2 follows it)").arg(a, next)};
                    if (args[i + 1].isEmpty())
                        throw UsageError{QStringLiteral("option %1 needs a value, not an empty "
                                                        "string")
                                             .arg(a)};
                    // A script that says --now twice means one of them; which is not ours to guess.
                    if (m_values.contains(name))
                        throw UsageError{QStringLiteral("option %1 is given twice").arg(a)};
                    m_values[name] = args[++i];
                } else {
                    throw UsageError{QStringLiteral("unknown option %1").arg(a)};
                }
            } else {
                m_positional << a;
            }
        }
        if (has(passphraseFile))
            passphrases().setFile(value(passphraseFile));
    }

    QString positional(int i, const char* what) const
    {
        if (i >= m_positional.size())
            throw UsageError{QStringLiteral("missing %1").arg(QLatin1String(what))};
        if (m_positional[i].isEmpty())
            throw UsageError{
                QStringLiteral("%1 is an empty string; name a path").arg(QLatin1String(what))};
        return m_positional[i];
    }
    void expectPositional(int n) const
    {
        if (m_positional.size() > n)
            throw UsageError{QStringLiteral("unexpected argument '%1'").arg(m_positional[n])};
    }
    bool has(const QString& name) const { return m_values.contains(name); }
    bool isSet(const QString& name) const { return m_switches.contains(name); }
    QString value(const QString& name, const QString& fallback = {}) const
    {
        return m_values.value(name, fallback);
    }
    QString required(const QString& name) const
    {
        if (!has(name))
            throw UsageError{QStringLiteral("missing --%1").arg(name)};
        return value(name);
    }
    // Digits only (and a leading '-' where negatives exist): toLongLong would also take " 5"
    // and "+5", which no other option or file of ours accepts.
    static bool isDecimal(const QString& text, bool minusAllowed)
    {
        const qsizetype digitsFrom = minusAllowed && text.startsWith(QLatin1Char('-')) ? 1 : 0;
        return text.size() > digitsFrom &&
               std::all_of(text.begin() + digitsFrom, text.end(),
                           [](QChar c) { return c >= QLatin1Char('0') && c <= QLatin1Char('9'); });
    }
    qint64 integer(const QString& name, qint64 min, qint64 fallback,
                   qint64 max = std::numeric_limits<qint64>::max()) const
    {
        if (!has(name))
            return fallback;
        bool ok = isDecimal(value(name), true);
        const qint64 v = ok ? value(name).toLongLong(&ok) : 0;
        if (!ok || v < min || v > max)
            throw UsageError{QStringLiteral("--%1 must be an integer from %2 to %3 (got '%4')%5")
                                 .arg(name)
                                 .arg(min)
                                 .arg(max)
                                 .arg(value(name))
                                 .arg(ok && v == kOpenEnd && max < kOpenEnd
                                          ? QStringLiteral(": %1 stands for the open end of a "
                                                           "range, not an instant")
                                                .arg(kOpenEnd)
                                          : QString())};
        return v;
    }
    // An instant to look up, never the open-end sentinel (no range contains that instant).
    qint64 instant(const QString& name) const
    {
        return integer(name, std::numeric_limits<qint64>::min(), 0, kOpenEnd - 1);
    }
    qint64 requiredInteger(const QString& name, qint64 min) const
    {
        required(name);
        return integer(name, min, 0);
    }
    double requiredNumber(const QString& name) const
    {
        required(name);
        return number(name, 0);
    }
    // LEAST is the smallest value that means something (an LSN starts at 1); the message gives
    // the range that is accepted, whichever way the value missed it.
    quint64 unsignedInteger(const QString& name, quint64 least = 0) const
    {
        bool ok = isDecimal(required(name), false);
        const quint64 v = ok ? value(name).toULongLong(&ok) : 0;
        if (!ok || v < least)
            throw UsageError{QStringLiteral("--%1 must be an integer from %2 to %3 (got '%4')")
                                 .arg(name)
                                 .arg(least)
                                 .arg(std::numeric_limits<quint64>::max())
                                 .arg(value(name))};
        return v;
    }
    double number(const QString& name, double fallback) const
    {
        if (!has(name))
            return fallback;
        bool ok = false;
        const double v = value(name).toDouble(&ok);
        if (!ok || !(v > 0) || !std::isfinite(v))
            throw UsageError{QStringLiteral("--%1 must be a finite number > 0 (got '%2')")
                                 .arg(name, value(name))};
        return v;
    }

private:
    QStringList m_positional;
    QMap<QString, QString> m_values;
    QStringList m_switches;
};

// How every --json answer is written, also the one composed in advance for a SIGBUS.
QByteArray jsonText(const QJsonObject& object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Indented);
}

void printJson(const QJsonObject& object)
{
    out() << jsonText(object);
}

QJsonValue lsnJson(quint64 v)
{
    return QJsonValue(qint64(v));
}

// Set from --passphrase-file before the command runs.
PassphraseSource& passphrases()
{
    static PassphraseSource source;
    return source;
}

// The passphrase when `path` is an encrypted store (WHAT "store") or backup ("backup"); empty
// for an unencrypted one.
QByteArray passphraseFor(const QString& path, const QString& what = QStringLiteral("store"))
{
    if (StoreCipher::isEncrypted(path))
        return passphrases().forExisting(path, what);
    if (passphrases().hasFile())
        throw UsageError{
            QStringLiteral("%1 is not an encrypted %2; --passphrase-file does not apply")
                .arg(path, what)};
    return {};
}

// The command being run, for the lines that openStore writes on its own.
QString& currentCommand()
{
    static QString command;
    return command;
}

// stderr, after the prefix every diagnostic line carries: "frostline-cli COMMAND: ".
QTextStream& diagnostic()
{
    if (currentCommand().isEmpty())
        return err() << "frostline-cli: ";
    return err() << "frostline-cli " << currentCommand() << ": ";
}

std::unique_ptr<Store> openStore(const QString& path)
{
    Store::Options options;
    options.passphrase = passphraseFor(path);
    auto store = std::make_unique<Store>(path, options);
    const Store::OpenReport report = store->open();
    // Told once, on stderr; the command itself goes on and its output is unchanged.
    if (const QString note = report.tornTailNote(); !note.isEmpty())
        diagnostic() << "note: " << note << "\n";
    return store;
}

int cmdInit(const QStringList& args)
{
    Arguments a(args, {}, {QStringLiteral("encrypt")});
    const QString path = a.positional(0, "STORE");
    a.expectPositional(1);
    if (a.isSet(QStringLiteral("encrypt"))) {
        Store::create(path, passphrases().forNew(path));
        out() << "initialized encrypted store " << path << "\n";
        return kExitOk;
    }
    if (passphrases().hasFile())
        throw UsageError{QStringLiteral("--passphrase-file needs --encrypt with init")};
    Store::create(path);
    out() << "initialized store " << path << "\n";
    return kExitOk;
}

int cmdImport(const QStringList& args)
{
    Arguments a(args, {}, {});
    const QString path = a.positional(0, "STORE");
    const QString file = a.positional(1, "FILE.jsonl");
    a.expectPositional(2);
    auto store = openStore(path);
    // The whole file is parsed and validated before anything is appended: a bad file imports
    // nothing.
    std::vector<qint64> lines;
    std::vector<Version> versions = JsonlCodec::readFile(file, &lines);
    const std::size_t n = versions.size();
    // Ctrl-C while the file is read ends the command at once: nothing is written yet. While its
    // versions are checked against the store it stops before writing; during the append it is
    // held until the append ends, since a stop between chunks would leave the file imported in
    // part and a second import of it refused for the ids already there.
    const InterruptAtDurableSteps interrupt;
    quint64 lastLsn = 0;
    try {
        lastLsn = store->append(
            std::move(versions),
            [&](std::size_t i) { return JsonlCodec::location(file, lines[i]); }, {},
            interrupt.flag());
    } catch (const FrostlineError& e) {
        if (e.cause() != FrostlineError::Cause::Cancelled)
            throw;
        throw FrostlineError::runtime(
            QStringLiteral("interrupted by %1 while the versions of %2 were checked against the "
                           "store: nothing was imported")
                .arg(interrupt.signalName(), file));
    }
    store.reset(); // closed while a signal is still held: a kill now would only look like a crash
    out() << "imported " << n << (n == 1 ? " version" : " versions") << " from " << file
          << " (last LSN " << lastLsn << ")\n";
    if (interrupt.requested())
        diagnostic() << "note: " << interrupt.signalName()
                     << " came during the append, which was finished first: the whole file is "
                        "imported\n";
    return kExitOk;
}

int cmdGenerate(const QStringList& args)
{
    Arguments a(args,
                {QStringLiteral("entities"), QStringLiteral("versions"),
                 QStringLiteral("span-days"), QStringLiteral("seed")},
                {});
    const QString path = a.positional(0, "STORE");
    a.expectPositional(1);
    WorkloadGenerator::Options o;
    o.entities = quint64(a.requiredInteger(QStringLiteral("entities"), 1));
    o.versions = quint64(a.requiredInteger(QStringLiteral("versions"), 1));
    o.spanDays = a.requiredNumber(QStringLiteral("span-days"));
    o.seed = quint64(a.requiredInteger(QStringLiteral("seed"), 0));
    if (o.versions < o.entities)
        throw UsageError{
            QStringLiteral("--versions must be >= --entities (each entity has at least "
                           "one version)")};
    auto store = openStore(path);
    if (store->maxVersionId() == std::numeric_limits<quint64>::max())
        throw FrostlineError::badInput(
            QStringLiteral("store %1 already holds version id %2, the greatest there is: no id is "
                           "left for generated versions")
                .arg(path)
                .arg(store->maxVersionId()));
    o.firstVersionId = store->maxVersionId() + 1;
    WorkloadGenerator generator(o);
    const InterruptAtDurableSteps interrupt;
    struct Interrupted
    {
    };
    // Appended in slices so memory stays bounded for large workloads; a slice is one WAL append,
    // all or nothing, so a failure (a full disk) can say exactly how much of the run is durable.
    std::vector<Version> slice;
    quint64 total = 0, lastLsn = 0;
    auto flush = [&] {
        const std::size_t n = slice.size();
        try {
            lastLsn = store->append(std::move(slice));
        } catch (const FrostlineError& e) {
            if (total == 0)
                throw;
            throw FrostlineError(
                e.kind(),
                e.message() + QStringLiteral("; the first %1 generated versions (ids %2..%3) "
                                             "were appended before the failure and are "
                                             "durable")
                                  .arg(total)
                                  .arg(o.firstVersionId)
                                  .arg(o.firstVersionId + total - 1),
                e.cause());
        }
        total += n;
        slice.clear();
        if (interrupt.requested() && total < o.versions) // with the last slice, the run is whole
            throw Interrupted{};
    };
    try {
        generator.generate([&](Version&& v) {
            slice.push_back(std::move(v));
            if (slice.size() >= Store::kAppendChunk)
                flush();
        });
        if (!slice.empty())
            flush();
    } catch (const Interrupted&) {
        throw FrostlineError::runtime(
            QStringLiteral("interrupted by %1: the first %2 of the %3 versions (ids %4..%5, last "
                           "LSN %6) were generated and are durable; the rest were not generated")
                .arg(interrupt.signalName())
                .arg(total)
                .arg(o.versions)
                .arg(o.firstVersionId)
                .arg(o.firstVersionId + total - 1)
                .arg(lastLsn));
    }
    out() << "generated " << total << " versions of " << o.entities << " entities (seed " << o.seed
          << ", last LSN " << lastLsn << ")\n";
    return kExitOk;
}

int cmdExport(const QStringList& args)
{
    Arguments a(args, {QStringLiteral("tier")}, {});
    const QString path = a.positional(0, "STORE");
    a.expectPositional(1);
    const QString tier = a.value(QStringLiteral("tier"), QStringLiteral("all"));
    if (tier != QLatin1String("hot") && tier != QLatin1String("cold") &&
        tier != QLatin1String("all"))
        throw UsageError{QStringLiteral("--tier must be hot, cold or all (got '%1')").arg(tier)};
    auto store = openStore(path);
    // Sorted by version_id across both tiers: hot ids sorted, cold scanned in key order, merged.
    std::vector<HotTier::Entry> hotEntries;
    if (tier != QLatin1String("cold")) {
        store->hot().forEach([&](const HotTier::Entry& e) {
            hotEntries.push_back(e);
            return true;
        });
        std::sort(hotEntries.begin(), hotEntries.end(), [](const auto& x, const auto& y) {
            return x.version.versionId < y.version.versionId;
        });
    }
    std::vector<Version> cold;
    if (tier != QLatin1String("hot")) {
        for (EntityKind kind : {EntityKind::Node, EntityKind::Edge})
            store->cold().scan(kind, [&](Version&& v) {
                cold.push_back(std::move(v));
                return true;
            });
        std::sort(cold.begin(), cold.end(),
                  [](const auto& x, const auto& y) { return x.versionId < y.versionId; });
    }
    StdoutWriter writer;
    QByteArray& buffer = writer.buffer();
    std::size_t h = 0, c = 0;
    while (h < hotEntries.size() || c < cold.size()) {
        const bool takeHot =
            c >= cold.size() ||
            (h < hotEntries.size() && hotEntries[h].version.versionId < cold[c].versionId);
        if (takeHot)
            buffer += JsonlCodec::encode(hotEntries[h++].version, JsonlCodec::Tier::Hot);
        else
            buffer += JsonlCodec::encode(cold[c++], JsonlCodec::Tier::Cold);
        buffer += '\n';
        writer.flushIfBig();
    }
    writer.flush();
    return kExitOk;
}

int cmdCheckpoint(const QStringList& args)
{
    Arguments a(args, {}, {QStringLiteral("json")});
    const QString path = a.positional(0, "STORE");
    a.expectPositional(1);
    auto store = openStore(path);
    const CheckpointResult r = store->checkpoint();
    if (a.isSet(QStringLiteral("json"))) {
        QJsonObject result{
            {QStringLiteral("checkpointed_versions"), qint64(r.checkpointedVersions)},
            {QStringLiteral("flushed_lsn"), lsnJson(r.flushedLsn)},
            {QStringLiteral("segments_deleted"), r.segmentsDeleted}};
        if (!r.walProblem.isEmpty()) // only then, like migrate's
            result.insert(QStringLiteral("wal_problem"), r.walProblem);
        printJson(result);
    } else {
        out() << "checkpointed " << r.checkpointedVersions << " hot versions; flushed LSN "
              << r.flushedLsn << "; " << r.segmentsDeleted << " WAL segment(s) deleted\n";
    }
    if (!r.walProblem.isEmpty())
        diagnostic() << "note: " << r.walProblem << "\n";
    return kExitOk;
}

void printBackupReport(const char* verb, const QString& dest, const StoreBackup::Report& r)
{
    out() << verb << " " << dest << ": " << r.bytes << " bytes in "
          << QString::number(double(r.elapsedMs) / 1000.0, 'f', 3) << " s; flushed LSN "
          << r.flushedLsn << ", last LSN " << r.lastLsn << ", " << r.walSegments
          << " WAL segment(s)\n";
    if (!r.tornTailNote.isEmpty())
        diagnostic() << "note: " << r.tornTailNote << "\n";
    if (!r.policyNote.isEmpty())
        diagnostic() << "note: " << r.policyNote << "\n";
}

// Runs a backup or restore (COPY, given its OperationControl) that Ctrl-C or SIGTERM stop at the
// next MiB or step: it removes its unfinished copy, and the command says so (exit 1). Without
// this the process died with the copy half made and marked INCOMPLETE, for the operator to
// delete. The caller keeps INTERRUPT installed until it has closed what it opened, and then
// tells of a signal that came too late to stop the copy.
StoreBackup::Report
interruptibleCopy(const InterruptAtDurableSteps& interrupt,
                  const std::function<StoreBackup::Report(const OperationControl&)>& copy)
{
    OperationControl control;
    control.cancel = interrupt.flag();
    try {
        return copy(control);
    } catch (const FrostlineError& e) {
        if (e.cause() != FrostlineError::Cause::Cancelled)
            throw;
        throw FrostlineError::runtime(
            QStringLiteral("interrupted by %1: %2").arg(interrupt.signalName(), e.message()));
    }
}

void noteSignalAfterTheCopy(const InterruptAtDurableSteps& interrupt)
{
    if (interrupt.requested())
        diagnostic() << "note: " << interrupt.signalName()
                     << " came after the copy was whole: it is kept\n";
}

int cmdBackup(const QStringList& args)
{
    Arguments a(args, {}, {});
    const QString path = a.positional(0, "STORE");
    const QString dest = a.positional(1, "DEST");
    a.expectPositional(2);
    // A signal while the store opens ends the command at once: nothing is made yet.
    auto store = openStore(path);
    const InterruptAtDurableSteps interrupt;
    const StoreBackup::Report report = interruptibleCopy(
        interrupt, [&](const OperationControl& c) { return StoreBackup::backup(*store, dest, c); });
    store.reset(); // closed while a signal is still held: the copy is whole, exit 0
    noteSignalAfterTheCopy(interrupt);
    printBackupReport("backed up to", dest, report);
    return kExitOk;
}

int cmdRestore(const QStringList& args)
{
    Arguments a(args, {}, {});
    const QString backup = a.positional(0, "BACKUP");
    const QString dest = a.positional(1, "DEST");
    a.expectPositional(2);
    // A backup of an encrypted store that lost encryption.json: restore says so, whatever
    // passphrase was given (it would otherwise look like a plain backup given a passphrase).
    const bool keyFileLost =
        !StoreCipher::isEncrypted(backup) && StoreBackup::madeFromEncryptedStore(backup);
    // Asked before the copy starts: Ctrl-C at the prompt ends the command at once.
    const QByteArray passphrase =
        keyFileLost ? QByteArray() : passphraseFor(backup, QStringLiteral("backup"));
    const InterruptAtDurableSteps interrupt;
    const StoreBackup::Report report = interruptibleCopy(interrupt, [&](const OperationControl& c) {
        return StoreBackup::restore(backup, dest, passphrase, c);
    });
    noteSignalAfterTheCopy(interrupt);
    printBackupReport("restored into", dest, report);
    return kExitOk;
}

// `wal --from-lsn A [--to-lsn B]`: the records themselves, decoded, as the GUI's WAL inspector
// shows them and db_printlog shows Berkeley DB's: LSN, segment, offset, size, the version.
void printWalRecords(Store& store, quint64 from, quint64 to, bool json)
{
    const quint64 last = store.wal().lastLsn();
    const quint64 first = store.wal().firstLsn();
    if (from < first)
        throw FrostlineError::badInput(
            QStringLiteral("LSN %1 is no longer in the WAL, which starts at LSN %2: a segment "
                           "is deleted once all its records are at or below the flushed LSN %3, "
                           "Berkeley DB then holding their effect (their versions: export)")
                .arg(from)
                .arg(first)
                .arg(store.flushedLsn()));
    if (from > last)
        throw FrostlineError::badInput(
            QStringLiteral("LSN %1 is past the end of the WAL (last LSN %2)").arg(from).arg(last));
    StdoutWriter writer;
    QByteArray& buf = writer.buffer();
    if (!json)
        buf += "lsn  segment  offset  bytes  record\n";
    try {
        store.wal().scan(
            from,
            [&](const WalRecord& r) {
                if (r.lsn > to)
                    return false;
                Version version;
                QString error;
                const bool decoded = VersionCodec::decode(r.payload, &version, &error);
                if (json) {
                    buf += "{\"lsn\":" + QByteArray::number(r.lsn) + ",\"segment\":\"" +
                           r.segmentFile.toUtf8() +
                           "\",\"offset\":" + QByteArray::number(r.offset) +
                           ",\"bytes\":" + QByteArray::number(r.payload.size()) + ",";
                    if (decoded)
                        buf += "\"version\":" + JsonlCodec::encode(version);
                    else
                        buf += "\"error\":" + JsonlCodec::quoted(error);
                    buf += "}\n";
                } else {
                    buf += QByteArray::number(r.lsn) + "  " + r.segmentFile.toUtf8() + "  " +
                           QByteArray::number(r.offset) + "  " +
                           QByteArray::number(r.payload.size()) + "  ";
                    if (decoded)
                        buf += kindName(version.kind).toLatin1() + " " +
                               QByteArray::number(version.entityId) + " version " +
                               QByteArray::number(version.versionId) + " tx_from " +
                               QByteArray::number(version.txFrom) + " label " +
                               JsonlCodec::quoted(version.label);
                    else
                        buf += "undecodable: " + error.toUtf8();
                    buf += '\n';
                }
                writer.flushIfBig();
                return true;
            },
            store.flushedLsn());
    } catch (const FrostlineError&) {
        writer.flush(); // the records before a damaged one are what the operator needs to see
        throw;
    }
    writer.flush();
}

int cmdWal(const QStringList& args)
{
    Arguments a(args, {QStringLiteral("from-lsn"), QStringLiteral("to-lsn")},
                {QStringLiteral("json")});
    const QString path = a.positional(0, "STORE");
    a.expectPositional(1);
    const bool records = a.has(QStringLiteral("from-lsn"));
    if (!records && a.has(QStringLiteral("to-lsn")))
        throw UsageError{QStringLiteral("--to-lsn needs --from-lsn")};
    // LSNs start at 1.
    const quint64 from = records ? a.unsignedInteger(QStringLiteral("from-lsn"), 1) : 0;
    const quint64 to = a.has(QStringLiteral("to-lsn"))
                           ? a.unsignedInteger(QStringLiteral("to-lsn"), 1)
                           : std::numeric_limits<quint64>::max();
    if (records && to < from)
        throw UsageError{QStringLiteral("--to-lsn %1 is below --from-lsn %2").arg(to).arg(from)};
    auto store = openStore(path);
    if (records) {
        printWalRecords(*store, from, to, a.isSet(QStringLiteral("json")));
        return kExitOk;
    }
    const auto segments = store->walStatus();
    const quint64 flushed = store->flushedLsn();
    const quint64 last = store->wal().lastLsn();
    if (a.isSet(QStringLiteral("json"))) {
        QJsonArray list;
        for (const auto& s : segments)
            list.append(QJsonObject{{QStringLiteral("file"), s.segment.fileName},
                                    {QStringLiteral("first_lsn"), lsnJson(s.segment.firstLsn)},
                                    {QStringLiteral("last_lsn"), lsnJson(s.segment.lastLsn)},
                                    {QStringLiteral("records"), qint64(s.segment.records)},
                                    {QStringLiteral("size_bytes"), s.segment.sizeBytes},
                                    {QStringLiteral("active"), s.segment.active},
                                    {QStringLiteral("deletable"), s.deletable},
                                    {QStringLiteral("reason"), s.reason}});
        printJson({{QStringLiteral("last_lsn"), lsnJson(last)},
                   {QStringLiteral("flushed_lsn"), lsnJson(flushed)},
                   {QStringLiteral("segments"), list}});
        return kExitOk;
    }
    out() << "last LSN " << last << ", flushed LSN " << flushed << " ("
          << (last - std::min(last, flushed))
          << " record(s) after it: durable in the WAL, not yet in Berkeley DB)\n";
    out() << QStringLiteral("%1  %2  %3  %4  %5  %6\n")
                 .arg(QStringLiteral("segment"), -26)
                 .arg(QStringLiteral("first LSN"), 10)
                 .arg(QStringLiteral("last LSN"), 10)
                 .arg(QStringLiteral("records"), 8)
                 .arg(QStringLiteral("bytes"), 11)
                 .arg(QStringLiteral("deletable"));
    for (const auto& s : segments)
        out() << QStringLiteral("%1  %2  %3  %4  %5  %6: %7\n")
                     .arg(s.segment.fileName, -26)
                     .arg(s.segment.firstLsn, 10)
                     .arg(s.segment.lastLsn, 10)
                     .arg(s.segment.records, 8)
                     .arg(s.segment.sizeBytes, 11)
                     .arg(s.deletable ? QStringLiteral("yes") : QStringLiteral("no"), s.reason);
    return kExitOk;
}

int cmdVerify(const QStringList& args)
{
    Arguments a(args, {}, {QStringLiteral("json")});
    const QString path = a.positional(0, "STORE");
    a.expectPositional(1);
    const bool json = a.isSet(QStringLiteral("json"));
    // A script reading --json gets an answer from a store that does not open, too, and from a
    // full disk that ends the process inside Berkeley DB (SIGBUS).
    const auto failureJson = [](const QString& problem) {
        return jsonText(QJsonObject{{QStringLiteral("ok"), false},
                                    {QStringLiteral("problems"), QJsonArray{problem}}});
    };
    if (json)
        RegionFaultHandler::alsoReportOnStdout([failureJson](const QByteArray& problem) {
            return failureJson(QString::fromLocal8Bit(problem));
        });
    // Once the answer is out, a fault later on (the store's close) must not add a second one.
    const auto answered = [] {
        out().flush();
        std::fflush(stdout);
        RegionFaultHandler::alsoReportOnStdout({});
    };
    std::unique_ptr<Store> store;
    try {
        store = openStore(path);
    } catch (const FrostlineError& e) {
        if (json) {
            out() << failureJson(e.message());
            answered();
        }
        throw;
    }
    const QStringList problems = store->verify();
    const StoreStatistics s = store->statistics();
    if (json) {
        printJson(
            {{QStringLiteral("ok"), problems.isEmpty()},
             {QStringLiteral("problems"), QJsonArray::fromStringList(problems)},
             {QStringLiteral("hot_versions"), qint64(s.hotVersions)},
             {QStringLiteral("cold_versions"), qint64(s.coldNodeVersions + s.coldEdgeVersions)},
             {QStringLiteral("flushed_lsn"), lsnJson(s.flushedLsn)},
             {QStringLiteral("last_lsn"), lsnJson(s.lastLsn)}});
        answered();
    } else if (problems.isEmpty()) {
        out() << "store " << path << " is sound: " << DisplayFormat::soundStore(s, false) << "\n";
    } else {
        for (const QString& p : problems)
            diagnostic() << p << "\n";
    }
    // Exit 1 comes with its line on stderr, with --json too (the problems are in the answer).
    if (!problems.isEmpty())
        diagnostic() << problems.size() << " problem(s) in store " << path << "\n";
    return problems.isEmpty() ? kExitOk : kExitFailure;
}

int cmdStats(const QStringList& args)
{
    Arguments a(args, {}, {QStringLiteral("json")});
    const QString path = a.positional(0, "STORE");
    a.expectPositional(1);
    auto store = openStore(path);
    const StoreStatistics s = store->statistics();
    if (a.isSet(QStringLiteral("json"))) {
        printJson({{QStringLiteral("hot_versions"), qint64(s.hotVersions)},
                   {QStringLiteral("hot_node_versions"), qint64(s.hotNodeVersions)},
                   {QStringLiteral("hot_edge_versions"), qint64(s.hotEdgeVersions)},
                   {QStringLiteral("hot_bytes"), qint64(s.hotBytes)},
                   {QStringLiteral("hot_entities"), qint64(s.hotEntities)},
                   {QStringLiteral("cold_node_versions"), qint64(s.coldNodeVersions)},
                   {QStringLiteral("cold_edge_versions"), qint64(s.coldEdgeVersions)},
                   {QStringLiteral("cold_bytes"), qint64(s.coldBytes)},
                   {QStringLiteral("checkpoint_versions"), qint64(s.checkpointVersions)},
                   {QStringLiteral("flushed_lsn"), lsnJson(s.flushedLsn)},
                   {QStringLiteral("last_lsn"), lsnJson(s.lastLsn)},
                   {QStringLiteral("first_wal_lsn"), lsnJson(s.firstWalLsn)},
                   {QStringLiteral("wal_segments"), qint64(s.walSegments)},
                   {QStringLiteral("wal_bytes"), s.walBytes},
                   {QStringLiteral("encrypted"), s.encrypted},
                   {QStringLiteral("cipher"), s.encrypted ? QJsonValue(s.cipher) : QJsonValue()}});
        return kExitOk;
    }
    out() << "store            " << path << "\n"
          << "hot versions     " << s.hotVersions << " (" << s.hotNodeVersions << " node, "
          << s.hotEdgeVersions << " edge) in " << s.hotEntities << " entities, " << s.hotBytes
          << " bytes\n"
          << "cold versions    " << (s.coldNodeVersions + s.coldEdgeVersions) << " ("
          << s.coldNodeVersions << " node, " << s.coldEdgeVersions << " edge), " << s.coldBytes
          << " encoded bytes\n"
          << "hot checkpoint   " << s.checkpointVersions << " versions\n"
          << "LSNs             last " << s.lastLsn << ", flushed " << s.flushedLsn
          << ", first in WAL " << s.firstWalLsn << "\n"
          << "WAL              " << s.walSegments << " segment(s), " << s.walBytes << " bytes\n"
          << "encryption       "
          << (s.encrypted ? s.cipher + QStringLiteral(" (WAL, hot checkpoint) and Berkeley DB "
                                                      "AES; encrypted at rest")
                          : QStringLiteral("none (not encrypted at rest)"))
          << "\n";
    return kExitOk;
}

int cmdHistory(const QStringList& args)
{
    Arguments a(args,
                {QStringLiteral("kind"), QStringLiteral("entity"), QStringLiteral("as-of-tx"),
                 QStringLiteral("as-of-valid")},
                {});
    const QString path = a.positional(0, "STORE");
    a.expectPositional(1);
    EntityKey key;
    if (!parseKindName(a.required(QStringLiteral("kind")), &key.kind))
        throw UsageError{QStringLiteral("--kind must be node or edge")};
    key.entityId = a.unsignedInteger(QStringLiteral("entity"));
    std::optional<qint64> tx, valid;
    if (a.has(QStringLiteral("as-of-tx")))
        tx = a.instant(QStringLiteral("as-of-tx"));
    if (a.has(QStringLiteral("as-of-valid")))
        valid = a.instant(QStringLiteral("as-of-valid"));
    auto store = openStore(path);
    auto print = [](const TieredVersion& v) {
        out() << JsonlCodec::encode(v.version, v.tier == Tier::Cold ? JsonlCodec::Tier::Cold
                                                                    : JsonlCodec::Tier::Hot)
              << "\n";
    };
    if (tx || valid) {
        const auto v = store->asOf(key, tx, valid);
        if (!v) {
            diagnostic() << "no version of " << kindName(key.kind) << " " << key.entityId
                         << " matches the as-of times\n";
            return kExitFailure;
        }
        print(*v);
        return kExitOk;
    }
    const auto all = store->history(key);
    if (all.empty()) {
        diagnostic() << "no versions of " << kindName(key.kind) << " " << key.entityId << "\n";
        return kExitFailure;
    }
    for (const auto& v : all)
        print(v);
    return kExitOk;
}

int cmdPolicy(const QStringList& args)
{
    if (args.isEmpty())
        throw UsageError{
            QStringLiteral("policy needs a subcommand: validate FILE | show --preset NAME")};
    // The policy commands open no store: a passphrase for one is a mistake, not a no-op.
    if (args.contains(QStringLiteral("--passphrase-file")))
        throw UsageError{QStringLiteral("--passphrase-file does not apply to policy (it opens no "
                                        "store)")};
    const QString sub = args.first();
    if (sub == QLatin1String("validate")) {
        Arguments a(args.mid(1), {}, {});
        const QString file = a.positional(0, "FILE");
        a.expectPositional(1);
        const MigrationPolicy p = MigrationPolicy::load(file);
        out() << file << ": valid policy\n" << p.toJsonBytes();
        return kExitOk;
    }
    if (sub == QLatin1String("show")) {
        Arguments a(args.mid(1), {QStringLiteral("preset")}, {});
        a.expectPositional(0);
        out() << MigrationPolicy::preset(
                     a.value(QStringLiteral("preset"), QStringLiteral("default")))
                     .toJsonBytes();
        return kExitOk;
    }
    throw UsageError{QStringLiteral("unknown policy subcommand '%1'").arg(sub)};
}

// Ages as exact decimal seconds, the same text the policy files use ("90.000001").
QByteArray secondsText(qint64 micros)
{
    return MigrationPolicy::secondsText(micros).toLatin1();
}

struct PolicyAndNow
{
    MigrationPolicy policy;
    qint64 now = 0;
    bool storePolicy = false; // no --policy: the store's active one, read once it is open
    bool nowGiven = false;    // no --now: the instant of the selection, after a long recovery too

    // What only the open store (or the time it took to open) decides.
    void complete(const Store& store)
    {
        if (storePolicy) {
            // Quietly taking the default policy instead would migrate by rules the operator
            // never chose.
            const std::optional<MigrationPolicy> active = store.activePolicy();
            if (!active)
                throw UsageError{
                    QStringLiteral("%1 does not exist, so the store has no active policy: pass "
                                   "--policy FILE, or write one there (policy show --preset NAME "
                                   "prints a preset)")
                        .arg(QDir::toNativeSeparators(store.policyPath()))};
            policy = *active;
        }
        if (!nowGiven)
            now = currentMicros();
    }
};

// Read before the store is opened: a bad --policy file or --now is a usage error (exit 2) that
// should not wait for, or hide behind, opening and recovering the store.
PolicyAndNow policyAndNow(const Arguments& a)
{
    PolicyAndNow p;
    p.storePolicy = !a.has(QStringLiteral("policy"));
    if (!p.storePolicy)
        p.policy = MigrationPolicy::load(a.value(QStringLiteral("policy")));
    p.nowGiven = a.has(QStringLiteral("now"));
    if (p.nowGiven)
        p.now = a.integer(QStringLiteral("now"), std::numeric_limits<qint64>::min(), 0);
    return p;
}

// `preview --explain ID`: the preview's verdict on one version, in the words of the GUI's
// "stay hot or move?" (PreviewExplanation), so a script or an operator on a console can ask it.
void explainOne(Store& store, const Selection& sel, const PolicyAndNow& p, quint64 versionId,
                bool json)
{
    // Keys in the order cli.md lists them; "now" and "version_id" are written by hand below (ids
    // reach 2^64-1, past what a QJsonValue holds exactly).
    std::vector<std::pair<QString, QJsonValue>> answer;
    auto set = [&answer](const char* key, const QJsonValue& value) {
        answer.emplace_back(QLatin1String(key), value);
    };
    if (const std::optional<QString> text = PreviewExplanation::explain(sel, p.policy, versionId)) {
        set("tier", QStringLiteral("hot"));
        const auto candidate =
            std::find_if(sel.candidates.begin(), sel.candidates.end(),
                         [&](const Candidate& c) { return c.versionId == versionId; });
        if (candidate != sel.candidates.end()) {
            set("verdict", QStringLiteral("moves"));
            set("reason", reasonName(candidate->reason));
            set("position", qint64(candidate - sel.candidates.begin()) + 1);
        } else {
            const auto stay =
                std::find_if(sel.staying.begin(), sel.staying.end(),
                             [&](const StayExplanation& e) { return e.versionId == versionId; });
            set("verdict", QStringLiteral("stays"));
            set("reason", reasonName(stay->reason));
        }
        set("explanation", *text);
    } else if (const std::optional<TieredVersion> found = store.locate(versionId)) {
        // Not in the hot tier the selection saw, yet found: it was migrated before.
        set("tier", tierName(found->tier));
        set("verdict", QStringLiteral("cold"));
        set("explanation", PreviewExplanation::alreadyCold(found->version));
    } else {
        throw FrostlineError::badInput(
            QStringLiteral("%1 holds no version %2 (--explain)").arg(store.path()).arg(versionId));
    }
    if (json) {
        out() << "{\"now\":" << p.now << ",\"version_id\":" << versionId;
        for (const auto& [key, value] : answer) // each value as Qt writes it, inside [ ]
            out() << ",\"" << key << "\":"
                  << QJsonDocument(QJsonArray{value})
                         .toJson(QJsonDocument::Compact)
                         .chopped(1)
                         .mid(1);
        out() << "}\n";
    } else {
        out() << answer.back().second.toString() << "\n"; // the explanation comes last
    }
}

int cmdPreview(const QStringList& args)
{
    Arguments a(args, {QStringLiteral("policy"), QStringLiteral("now"), QStringLiteral("explain")},
                {QStringLiteral("json")});
    const QString path = a.positional(0, "STORE");
    a.expectPositional(1);
    PolicyAndNow p = policyAndNow(a);
    const bool explain = a.has(QStringLiteral("explain"));
    const quint64 explained = explain ? a.unsignedInteger(QStringLiteral("explain")) : 0;
    auto store = openStore(path);
    p.complete(*store);
    const Selection sel = MigrationRun(*store, p.policy, p.now).select();
    if (explain) {
        explainOne(*store, sel, p, explained, a.isSet(QStringLiteral("json")));
        return kExitOk;
    }

    StdoutWriter writer;
    QByteArray& buf = writer.buffer();
    if (a.isSet(QStringLiteral("json"))) {
        // Streamed by hand: a million candidates must not become a million QJsonObjects.
        buf += "{\"now\":" + QByteArray::number(p.now) + ",\"policy\":" + p.policy.toCompactJson() +
               ",\"hot_versions\":" + QByteArray::number(sel.hotVersions) +
               ",\"hot_bytes\":" + QByteArray::number(sel.hotBytes) + ",\"candidates\":[";
        bool first = true;
        for (const Candidate& c : sel.candidates) {
            buf += first ? "\n" : ",\n";
            first = false;
            buf += "{\"version_id\":" + QByteArray::number(c.versionId) + ",\"kind\":\"" +
                   kindName(c.kind).toLatin1() +
                   "\",\"entity_id\":" + QByteArray::number(c.entityId) +
                   ",\"age_secs\":" + secondsText(c.ageMicros) +
                   ",\"estimated_size\":" + QByteArray::number(c.estimatedSize) + ",\"reason\":\"" +
                   reasonName(c.reason).toLatin1() + "\"}";
            writer.flushIfBig();
        }
        buf += "]}\n";
    } else {
        buf += QStringLiteral("%1 of %2 hot versions would migrate (%3 of %4 bytes); hot bytes "
                              "after: %5 (threshold %6)%7\n")
                   .arg(sel.candidates.size())
                   .arg(sel.hotVersions)
                   .arg(sel.candidateBytes)
                   .arg(sel.hotBytes)
                   .arg(sel.projectedHotBytes)
                   .arg(p.policy.memoryThresholdBytes)
                   .arg(p.policy.enabled ? QString() : QStringLiteral(" — policy disabled"))
                   .toUtf8();
        // Why the rest stays, in the selector's words; --explain ID says it for one version.
        std::array<quint64, 4> staying{};
        for (const StayExplanation& e : sel.staying)
            ++staying[std::size_t(e.reason)];
        QStringList reasons;
        for (StayReason r : {StayReason::Head, StayReason::MinHotVersions, StayReason::TooYoung,
                             StayReason::Disabled})
            if (staying[std::size_t(r)] > 0 || r != StayReason::Disabled)
                reasons << QStringLiteral("%1 %2").arg(staying[std::size_t(r)]).arg(reasonName(r));
        buf += QStringLiteral("%1 stay hot: %2 (preview --explain VERSION_ID says why for one)\n")
                   .arg(sel.staying.size())
                   .arg(reasons.join(QStringLiteral(", ")))
                   .toUtf8();
        buf += "version_id  kind  entity_id  age_secs  estimated_size  reason\n";
        for (const Candidate& c : sel.candidates) {
            buf += QByteArray::number(c.versionId) + "  " + kindName(c.kind).toLatin1() + "  " +
                   QByteArray::number(c.entityId) + "  " + secondsText(c.ageMicros) + "  " +
                   QByteArray::number(c.estimatedSize) + "  " + reasonName(c.reason).toLatin1() +
                   "\n";
            writer.flushIfBig();
        }
    }
    writer.flush();
    return kExitOk;
}

int cmdMigrate(const QStringList& args)
{
    Arguments a(args, {QStringLiteral("policy"), QStringLiteral("now")}, {QStringLiteral("json")});
    const QString path = a.positional(0, "STORE");
    a.expectPositional(1);
    PolicyAndNow p = policyAndNow(a);
    auto store = openStore(path);
    p.complete(*store);
    const bool json = a.isSet(QStringLiteral("json"));
    MigrationRun run(*store, p.policy, p.now);
    const InterruptAtDurableSteps interrupt;
    const MigrationRunResult r = run.run(
        [&](const MigrationProgress& progress, const BatchCommitResult& batch) {
            if (json)
                return;
            // The progress of design section 4: versions and bytes done of the total, elapsed,
            // rate and ETA, each time a batch has committed.
            out() << "batch " << progress.batch << "/" << progress.batches << ": " << batch.versions
                  << " versions, " << batch.bytes << " bytes committed; flushed LSN "
                  << batch.flushedLsn << "; " << batch.segmentsDeleted << " segment(s) deleted; "
                  << progress.versionsDone << "/" << progress.versionsTotal << " versions, "
                  << progress.bytesDone << "/" << progress.bytesTotal << " bytes done in "
                  << QString::number(double(progress.elapsedMs) / 1000.0, 'f', 3) << " s, "
                  << qint64(progress.versionsPerSecond) << " versions/s, ETA "
                  << (progress.etaMs < 0
                          ? QStringLiteral("unknown")
                          : QString::number(double(progress.etaMs) / 1000.0, 'f', 1) +
                                QStringLiteral(" s"))
                  << "\n";
            flushOut();
        },
        interrupt.flag());
    if (json) {
        out() << "{\"migrated\":" << r.migrated << ",\"node_versions\":" << r.nodeVersions
              << ",\"edge_versions\":" << r.edgeVersions << ",\"bytes\":" << r.bytes
              << ",\"batches\":" << r.batches << ",\"flushed_lsn\":" << r.flushedLsn
              << ",\"segments_deleted\":" << r.segmentsDeleted
              << ",\"duration_secs\":" << QString::number(r.durationSecs, 'f', 6);
        // Design section 6 fixes the shape above; a script is also told, in a key of its own
        // that only a covered segment left undeleted adds, what the stderr note says.
        if (!r.walProblem.isEmpty())
            out() << ",\"wal_problem\":" << JsonlCodec::quoted(r.walProblem);
        out() << "}\n";
    } else {
        out() << "migrated " << r.migrated << " versions (" << r.nodeVersions << " node, "
              << r.edgeVersions << " edge, " << r.bytes << " bytes) in " << r.batches
              << " batch(es), " << QString::number(r.durationSecs, 'f', 3) << " s; flushed LSN "
              << r.flushedLsn << "; " << r.segmentsDeleted << " WAL segment(s) deleted\n";
    }
    if (!r.walProblem.isEmpty())
        diagnostic() << "note: " << r.walProblem << "\n";
    doneDespiteOutput() = QStringLiteral("the migration itself finished: %1 versions in %2 "
                                         "batch(es) are durable in the cold tier (flushed LSN %3)")
                              .arg(r.migrated)
                              .arg(r.batches)
                              .arg(r.flushedLsn);
    if (r.cancelled)
        throw FrostlineError::runtime(
            QStringLiteral("interrupted by %1 after %2 batch(es): their %3 versions are durable "
                           "in the cold tier (flushed LSN %4); run migrate again for the rest")
                .arg(interrupt.signalName())
                .arg(r.batches)
                .arg(r.migrated)
                .arg(r.flushedLsn));
    return kExitOk;
}

// Every command but the large outputs writes through out(): a write that failed there (a full
// disk, a closed pipe) must not end in exit 0 either.
int finish(int code)
{
    flushOut();
    const bool stdoutFailed = out().status() == QTextStream::WriteFailed ||
                              std::fflush(stdout) != 0 || std::ferror(stdout);
    if (stdoutFailed && code == kExitOk) {
        const QString failure = !outWriteFailure().isEmpty()
                                    ? outWriteFailure()
                                    : FrostlineError::errnoText(errno ? errno : EIO);
        diagnostic() << "cannot write to standard output: " << failure
                     << (doneDespiteOutput().isEmpty() ? QString()
                                                       : QStringLiteral("; ") + doneDespiteOutput())
                     << "\n";
        code = kExitFailure;
    }
    err().flush();
    return code;
}

} // namespace

int run(const QStringList& arguments)
{
    const QStringList args = arguments.mid(1);
    const QString command = args.value(0);
    static const QMap<QString, std::function<int(const QStringList&)>> commands = {
        {QStringLiteral("init"), cmdInit},
        {QStringLiteral("import"), cmdImport},
        {QStringLiteral("generate"), cmdGenerate},
        {QStringLiteral("export"), cmdExport},
        {QStringLiteral("checkpoint"), cmdCheckpoint},
        {QStringLiteral("backup"), cmdBackup},
        {QStringLiteral("restore"), cmdRestore},
        {QStringLiteral("wal"), cmdWal},
        {QStringLiteral("verify"), cmdVerify},
        {QStringLiteral("stats"), cmdStats},
        {QStringLiteral("history"), cmdHistory},
        {QStringLiteral("policy"), cmdPolicy},
        {QStringLiteral("preview"), cmdPreview},
        {QStringLiteral("migrate"), cmdMigrate},
    };
    const auto it = commands.find(command);
    int code = kExitUsage;
    try {
        if (args.isEmpty())
            throw UsageError{QStringLiteral("no command given (see --help)")};
        if (command == QLatin1String("--help") || command == QLatin1String("-h") ||
            command == QLatin1String("help")) {
            out() << kUsage;
            return finish(kExitOk);
        }
        if (command == QLatin1String("--version")) {
            out() << "frostline-cli " << FROSTLINE_VERSION << "\n";
            return finish(kExitOk);
        }
        if (command.startsWith(QLatin1Char('-')))
            throw UsageError{QStringLiteral("unknown option %1 (options follow the command; see "
                                            "--help)")
                                 .arg(command)};
        if (it == commands.end())
            throw UsageError{QStringLiteral("unknown command '%1' (see --help)").arg(command)};
        currentCommand() = command;
        // A full disk inside Berkeley DB is then said like every other error of the command.
        RegionFaultHandler::install(QStringLiteral("frostline-cli ") + command);
        const QStringList rest = args.mid(1);
        if (args.contains(QStringLiteral("--help"))) {
            out() << commandUsage(command);
            return finish(kExitOk);
        }
        code = it.value()(rest);
    } catch (const UsageError& e) {
        diagnostic() << e.message << "\n";
        code = kExitUsage;
    } catch (const FrostlineError& e) {
        diagnostic() << e.message() << "\n";
        code = e.kind() == FrostlineError::Kind::BadInput ? kExitUsage : kExitFailure;
    } catch (const std::exception& e) {
        diagnostic() << e.what() << "\n";
        code = kExitFailure;
    }
    return finish(code);
}

} // namespace frostline::cli
