// frostline-cli end to end: the real binary on real stores (design section 6).
#include "jsonlcodec.h"
#include "store.h"
#include "testsupport.h"
#include "workloadgenerator.h"

#include <QDir>
#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

using namespace frostline;
using test::runCli;

namespace {

QString s(const char* t)
{
    return QString::fromUtf8(t);
}

std::vector<Version> parseJsonl(const QByteArray& text)
{
    std::vector<Version> out;
    for (const QByteArray& line : text.split('\n')) {
        if (line.trimmed().isEmpty())
            continue;
        Version v;
        QString error;
        if (!JsonlCodec::decodeLine(line, &v, &error))
            qFatal("bad export line: %s", qPrintable(error));
        out.push_back(std::move(v));
    }
    return out;
}

// `frostline-cli generate STORE` with all four workload options.
test::CliResult generate(const QString& store, int entities, int versions, int spanDays, int seed)
{
    return runCli({s("generate"), store, s("--entities"), QString::number(entities),
                   s("--versions"), QString::number(versions), s("--span-days"),
                   QString::number(spanDays), s("--seed"), QString::number(seed)});
}

// Every file under `root` (relative path -> contents): what a refused command must leave as it was.
QMap<QString, QByteArray> filesUnder(const QString& root)
{
    QMap<QString, QByteArray> files;
    QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        files.insert(QDir(root).relativeFilePath(path), test::readFile(path));
    }
    return files;
}

constexpr const char* kPassphraseVariable = "FROSTLINE_PASSPHRASE";
// The longest passphrase frostline-cli takes, from a file's first line or the variable.
constexpr qsizetype kPassphraseLimit = 1024 * 1024;

// A passphrase of `size` bytes that is not one byte repeated (every 64 KiB of it differs).
QByteArray longPassphrase(qsizetype size)
{
    QByteArray p;
    p.reserve(size);
    for (qsizetype i = 0; p.size() < size; ++i)
        p.append(QByteArray::number(i)).append(' ');
    p.truncate(size);
    return p;
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT
private slots:
    void versionAndHelp()
    {
        auto r = runCli({s("--version")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.startsWith("frostline-cli "));
        r = runCli({s("--help")});
        QCOMPARE(r.exitCode, 0);
        for (const char* cmd : {"init", "import", "generate", "export", "preview", "migrate",
                                "checkpoint", "wal", "verify", "stats", "history", "policy"})
            QVERIFY2(r.out.contains(cmd), cmd);
        // A command's --help shows that command's entries, with their continuation lines, and
        // the options; not every other command.
        r = runCli({s("migrate"), s("--help")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(
            r.out.contains(
                "  migrate STORE [--policy FILE] [--now MICROS] [--json]\n"
                "                                      migrate the versions the policy selects"),
            r.out.constData());
        QVERIFY2(r.out.contains("--passphrase-file FILE"), r.out.constData());
        QVERIFY2(!r.out.contains("import STORE") && !r.out.contains("preview STORE"),
                 r.out.constData());
        r = runCli({s("wal"), s("--help")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("  wal STORE [--json]") && r.out.contains("  wal STORE --from-lsn"));
        QVERIFY(r.out.contains("the WAL records from LSN A (to B), decoded"));
        QVERIFY(!r.out.contains("verify STORE"));
        r = runCli({s("frobnicate")});
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err.count('\n'), 1);
        r = runCli({});
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err, QByteArray("frostline-cli: no command given (see --help)\n"));
        r = runCli({s("--passphrase-file"), s("f"), s("stats"), s("S")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.startsWith("frostline-cli: unknown option --passphrase-file (options "
                                  "follow the command"),
                 r.err.constData());
        QCOMPARE(r.err.count('\n'), 1);
    }

    void policyPresets()
    {
        for (const char* name : {"default", "aggressive", "conservative", "disabled"}) {
            const auto r = runCli({s("policy"), s("show"), s("--preset"), s(name)});
            QCOMPARE(r.exitCode, 0);
            const QJsonObject o = QJsonDocument::fromJson(r.out).object();
            QCOMPARE(o.size(), 7);
            QCOMPARE(o.value(s("enabled")).toBool(), QByteArray(name) != "disabled");
        }
        const auto aggressive =
            QJsonDocument::fromJson(
                runCli({s("policy"), s("show"), s("--preset"), s("aggressive")}).out)
                .object();
        QCOMPARE(aggressive.value(s("age_threshold_secs")).toDouble(), 86400.0);
        QCOMPARE(aggressive.value(s("batch_size")).toInteger(), 2000);
        QCOMPARE(aggressive.value(s("enable_lru")).toBool(), true);
        const auto r = runCli({s("policy"), s("show"), s("--preset"), s("reckless")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("reckless"));
    }

    void importExportRoundTrip()
    {
        QTemporaryDir dir;
        const QString store = dir.filePath(s("store"));
        QCOMPARE(runCli({s("init"), store}).exitCode, 0);
        WorkloadGenerator::Options o;
        o.entities = 1500;
        o.versions = 12000;
        o.seed = 99;
        const auto versions = WorkloadGenerator(o).generateAll();
        QByteArray jsonl;
        for (const auto& v : versions)
            jsonl += JsonlCodec::encode(v) + '\n';
        const QString file = dir.filePath(s("in.jsonl"));
        test::writeFile(file, jsonl);
        auto r = runCli({s("import"), store, file});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        r = runCli({s("export"), store, s("--tier"), s("all")});
        QCOMPARE(r.exitCode, 0);
        const auto exported = parseJsonl(r.out);
        QCOMPARE(exported.size(), versions.size());
        auto sorted = versions;
        std::sort(sorted.begin(), sorted.end(),
                  [](const auto& a, const auto& b) { return a.versionId < b.versionId; });
        for (std::size_t i = 0; i < sorted.size(); ++i)
            QVERIFY2(exported[i] == sorted[i], qPrintable(QString::number(sorted[i].versionId)));
        QVERIFY(r.out.contains("\"tier\":\"hot\""));
        QVERIFY(r.out.contains("\"estimated_size\":"));

        // Migrate part of it, export again: the same versions, now from both tiers.
        const QString policy = dir.filePath(s("p.json"));
        test::writeFile(policy, R"({"age_threshold_secs": 86400, "batch_size": 500})");
        r = runCli({s("migrate"), store, s("--policy"), policy, s("--json")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject m = QJsonDocument::fromJson(r.out).object();
        QVERIFY(m.value(s("migrated")).toInteger() > 0);
        r = runCli({s("export"), store, s("--tier"), s("all")});
        const auto again = parseJsonl(r.out);
        QCOMPARE(again.size(), sorted.size());
        for (std::size_t i = 0; i < sorted.size(); ++i)
            QVERIFY(again[i] == sorted[i]);
        QVERIFY(r.out.contains("\"tier\":\"cold\""));
        const auto cold = parseJsonl(runCli({s("export"), store, s("--tier"), s("cold")}).out);
        const auto hot = parseJsonl(runCli({s("export"), store, s("--tier"), s("hot")}).out);
        QCOMPARE(qint64(cold.size()), m.value(s("migrated")).toInteger());
        QCOMPARE(cold.size() + hot.size(), sorted.size());
        QCOMPARE(runCli({s("verify"), store}).exitCode, 0);
    }

    void badImportImportsNothing()
    {
        QTemporaryDir dir;
        const QString store = dir.filePath(s("store"));
        QCOMPARE(runCli({s("init"), store}).exitCode, 0);
        WorkloadGenerator::Options o;
        o.entities = 10;
        o.versions = 50;
        QByteArray jsonl;
        for (const auto& v : WorkloadGenerator(o).generateAll())
            jsonl += JsonlCodec::encode(v) + '\n';
        jsonl +=
            R"({"kind":"node","version_id":999,"entity_id":1,"label":"X","valid_from":1,"tx_from":"soon"})";
        jsonl += '\n';
        const QString file = dir.filePath(s("bad.jsonl"));
        test::writeFile(file, jsonl);
        const auto r = runCli({s("import"), store, file});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("line 51") && r.err.contains("\"tx_from\""), r.err.constData());
        QCOMPARE(r.err.count('\n'), 1);
        const auto stats =
            QJsonDocument::fromJson(runCli({s("stats"), store, s("--json")}).out).object();
        QCOMPARE(stats.value(s("hot_versions")).toInteger(), 0);
        QCOMPARE(stats.value(s("last_lsn")).toInteger(), 0);
        // A missing file is a clear error too.
        const auto missing = runCli({s("import"), store, dir.filePath(s("nope.jsonl"))});
        QCOMPARE(missing.exitCode, 2);
        QVERIFY(missing.err.contains("nope.jsonl"));

        // Refusals found after parsing (an id twice, an id the store holds) name the file and
        // the line too, blank lines counted: both lines for a duplicate.
        const auto versions = WorkloadGenerator(o).generateAll();
        QByteArray twice = JsonlCodec::encode(versions[0]) + "\n\n" +
                           JsonlCodec::encode(versions[1]) + '\n' +
                           JsonlCodec::encode(versions[0]) + '\n';
        const QString twiceFile = dir.filePath(s("twice.jsonl"));
        test::writeFile(twiceFile, twice);
        const auto dup = runCli({s("import"), store, twiceFile});
        QCOMPARE(dup.exitCode, 2);
        const QByteArray expected =
            (twiceFile + s(": line 4: version %1 appears twice in the input (first at %2: line 1)")
                             .arg(versions[0].versionId)
                             .arg(twiceFile))
                .toUtf8();
        QVERIFY2(dup.err.contains(expected), dup.err.constData());
        const QString good = dir.filePath(s("good.jsonl"));
        test::writeFile(good, JsonlCodec::encode(versions[1]) + '\n');
        QCOMPARE(runCli({s("import"), store, good}).exitCode, 0);
        const QString again = dir.filePath(s("again.jsonl"));
        test::writeFile(again, JsonlCodec::encode(versions[2]) + '\n' +
                                   JsonlCodec::encode(versions[1]) + '\n');
        const auto exists = runCli({s("import"), store, again});
        QCOMPARE(exists.exitCode, 2);
        QVERIFY2(exists.err.contains((again + s(": line 2: version %1 already exists (hot tier)")
                                                  .arg(versions[1].versionId))
                                         .toUtf8()),
                 exists.err.constData());
        const auto after =
            QJsonDocument::fromJson(runCli({s("stats"), store, s("--json")}).out).object();
        QCOMPARE(after.value(s("hot_versions")).toInteger(), 1);
    }

    void generateIsReproducible()
    {
        QTemporaryDir dir;
        QByteArray exports[2];
        for (int i = 0; i < 2; ++i) {
            const QString store = dir.filePath(QStringLiteral("g%1").arg(i));
            QCOMPARE(runCli({s("init"), store}).exitCode, 0);
            const auto r = generate(store, 200, 3000, 10, 5);
            QVERIFY2(r.exitCode == 0, r.err.constData());
            exports[i] = runCli({s("export"), store}).out;
        }
        // Timestamps are relative to now, so compare everything but the times' absolute values:
        // same count and same ids, labels and properties.
        const auto a = parseJsonl(exports[0]), b = parseJsonl(exports[1]);
        QCOMPARE(a.size(), std::size_t(3000));
        QCOMPARE(b.size(), a.size());
        for (std::size_t i = 0; i < a.size(); ++i) {
            QCOMPARE(a[i].versionId, b[i].versionId);
            QCOMPARE(a[i].entityId, b[i].entityId);
            QCOMPARE(a[i].label, b[i].label);
            QVERIFY(a[i].properties == b[i].properties);
        }
        const auto bad = runCli({s("generate"), dir.filePath(s("g0")), s("--entities"), s("-3")});
        QCOMPARE(bad.exitCode, 2);
    }

    void walCheckpointStatsHistory()
    {
        QTemporaryDir dir;
        const QString store = dir.filePath(s("store"));
        QCOMPARE(runCli({s("init"), store}).exitCode, 0);
        QCOMPARE(generate(store, 50, 800, 20, 3).exitCode, 0);
        auto wal = QJsonDocument::fromJson(runCli({s("wal"), store, s("--json")}).out).object();
        QCOMPARE(wal.value(s("last_lsn")).toInteger(), 800);
        QCOMPARE(wal.value(s("flushed_lsn")).toInteger(), 0);
        const QJsonArray segs = wal.value(s("segments")).toArray();
        QVERIFY(!segs.isEmpty());
        QCOMPARE(segs.last().toObject().value(s("deletable")).toBool(), false);
        QVERIFY(!segs.last().toObject().value(s("reason")).toString().isEmpty());
        // Records past the flushed LSN are durable, in the WAL: the text must not say otherwise.
        QCOMPARE(runCli({s("wal"), store}).out.split('\n').first(),
                 QByteArray("last LSN 800, flushed LSN 0 (800 record(s) after it: durable in the "
                            "WAL, not yet in Berkeley DB)"));

        auto r = runCli({s("checkpoint"), store});
        QCOMPARE(r.exitCode, 0);
        wal = QJsonDocument::fromJson(runCli({s("wal"), store, s("--json")}).out).object();
        QCOMPARE(wal.value(s("flushed_lsn")).toInteger(), 800);

        const auto stats =
            QJsonDocument::fromJson(runCli({s("stats"), store, s("--json")}).out).object();
        QCOMPARE(stats.value(s("hot_versions")).toInteger(), 800);
        QCOMPARE(stats.value(s("checkpoint_versions")).toInteger(), 800);

        r = runCli({s("history"), store, s("--kind"), s("node"), s("--entity"), s("1")});
        if (r.exitCode == 0) {
            const auto h = parseJsonl(r.out);
            for (std::size_t i = 1; i < h.size(); ++i)
                QVERIFY(h[i - 1].txFrom <= h[i].txFrom);
        }
        r = runCli({s("history"), store, s("--kind"), s("vertex"), s("--entity"), s("1")});
        QCOMPARE(r.exitCode, 2);
        // INT64_MAX is an open range's end, not an instant: no range contains it, so an as-of
        // there would answer "no version" for every entity. It is refused with the reason.
        for (const QString& option : {s("--as-of-tx"), s("--as-of-valid")}) {
            r = runCli({s("history"), store, s("--kind"), s("node"), s("--entity"), s("1"), option,
                        s("9223372036854775807")});
            QCOMPARE(r.exitCode, 2);
            QVERIFY2(r.err.contains("stands for the open end of a range"), r.err.constData());
        }
        QCOMPARE(runCli({s("verify"), store, s("--json")}).exitCode, 0);
    }

    void berkeleyUtilitiesAcceptTheColdEnvironment()
    {
        QTemporaryDir dir;
        const QString store = dir.filePath(s("store"));
        QCOMPARE(runCli({s("init"), store}).exitCode, 0);
        QCOMPARE(generate(store, 100, 2000, 30, 8).exitCode, 0);
        const QString policy = dir.filePath(s("p.json"));
        test::writeFile(policy, R"({"age_threshold_secs": 864000})");
        const auto m = runCli({s("migrate"), store, s("--policy"), policy, s("--json")});
        QCOMPARE(m.exitCode, 0);
        const qint64 migrated =
            QJsonDocument::fromJson(m.out).object().value(s("migrated")).toInteger();
        QVERIFY(migrated > 0);
        const QString home = store + s("/cold");
        QProcess verify;
        verify.setWorkingDirectory(home);
        verify.start(s("db5.3_verify"), {s("-h"), home, s("nodes.db"), s("edges.db"),
                                         s("history.db"), s("checkpoint.db"), s("meta.db")});
        QVERIFY(verify.waitForFinished(60000));
        QVERIFY2(verify.exitCode() == 0, verify.readAllStandardError().constData());
        QProcess stat;
        stat.start(s("db5.3_stat"), {s("-h"), home, s("-e")});
        QVERIFY(stat.waitForFinished(60000));
        QVERIFY2(stat.exitCode() == 0, stat.readAllStandardError().constData());
        qint64 keys = 0;
        for (const char* db : {"nodes.db", "edges.db"}) {
            QProcess d;
            d.start(s("db5.3_stat"), {s("-h"), home, s("-d"), s(db)});
            QVERIFY(d.waitForFinished(60000));
            QCOMPARE(d.exitCode(), 0);
            for (const QByteArray& line : d.readAllStandardOutput().split('\n'))
                if (line.contains("Number of unique keys in the tree"))
                    keys += line.trimmed().split('\t').first().toLongLong();
        }
        QCOMPARE(keys, migrated);
    }

    // A bad --policy or --now is a usage error (exit 2) found before the store is opened: it
    // does not wait for a long recovery, nor hide behind "locked" while another process holds
    // the store.
    void previewAndMigrateCheckOptionsBeforeOpening()
    {
        QTemporaryDir dir;
        const QString store = dir.filePath(s("store"));
        QCOMPARE(runCli({s("init"), store}).exitCode, 0);
        Store holder(store); // another opener holds the lock
        holder.open();
        const QString badPolicy = dir.filePath(s("bad.json"));
        test::writeFile(badPolicy, R"({"batch_size": 0})");
        for (const QString& command : {s("preview"), s("migrate")}) {
            auto r = runCli({command, store, s("--now"), s("yesterday")});
            QCOMPARE(r.exitCode, 2);
            QVERIFY2(r.err.contains("--now") && !r.err.contains("locked"), r.err.constData());
            r = runCli({command, store, s("--policy"), badPolicy});
            QCOMPARE(r.exitCode, 2);
            QVERIFY2(r.err.contains("batch_size") && !r.err.contains("locked"), r.err.constData());
            r = runCli({command, store});
            QCOMPARE(r.exitCode, 1);
            QVERIFY2(r.err.contains("locked"), r.err.constData());
        }
    }

    void previewJsonShapeAndOrder()
    {
        QTemporaryDir dir;
        const QString store = dir.filePath(s("store"));
        QCOMPARE(runCli({s("init"), store}).exitCode, 0);
        QCOMPARE(generate(store, 80, 1500, 30, 4).exitCode, 0);
        const QString policy = dir.filePath(s("p.json"));
        test::writeFile(policy, R"({"age_threshold_secs": 604800, "batch_size": 100})");
        const qint64 now = QDateTime::currentMSecsSinceEpoch() * 1000 + 3600LL * 1000000;
        auto r = runCli({s("preview"), store, s("--policy"), policy, s("--now"),
                         QString::number(now), s("--json")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QJsonParseError pe;
        const QJsonObject o = QJsonDocument::fromJson(r.out, &pe).object();
        QVERIFY2(pe.error == QJsonParseError::NoError, qPrintable(pe.errorString()));
        QCOMPARE(o.value(s("now")).toInteger(), now);
        QCOMPARE(o.value(s("hot_versions")).toInteger(), 1500);
        QVERIFY(o.value(s("hot_bytes")).toInteger() > 0);
        QCOMPARE(o.value(s("policy")).toObject().value(s("batch_size")).toInteger(), 100);
        // The keys in the order the design lists them, the policy's in section 4's order.
        QVERIFY2(r.out.startsWith("{\"now\":" + QByteArray::number(now) +
                                  ",\"policy\":{\"age_threshold_secs\":604800,"
                                  "\"memory_threshold_bytes\":1073741824,\"min_hot_versions\":1,"
                                  "\"batch_size\":100,\"run_interval_secs\":60,\"enabled\":true,"
                                  "\"enable_lru\":false},\"hot_versions\":1500,\"hot_bytes\":"),
                 r.out.left(300).constData());
        const QJsonArray c = o.value(s("candidates")).toArray();
        QVERIFY(!c.isEmpty());
        for (const auto& item : c) {
            const QJsonObject x = item.toObject();
            QCOMPARE(x.keys().size(), 6);
            QVERIFY(x.value(s("age_secs")).toDouble() >= 604800.0);
            QCOMPARE(x.value(s("reason")).toString(), s("age"));
        }
        // Migrating with the same policy and --now moves exactly the previewed versions.
        r = runCli({s("migrate"), store, s("--policy"), policy, s("--now"), QString::number(now),
                    s("--json")});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject m = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(m.value(s("migrated")).toInteger(), qint64(c.size()));
        QCOMPARE(m.value(s("batches")).toInteger(), (c.size() + 99) / 100);
        for (const char* key : {"migrated", "node_versions", "edge_versions", "bytes", "batches",
                                "flushed_lsn", "segments_deleted", "duration_secs"})
            QVERIFY2(m.contains(s(key)), key);
        const auto cold = parseJsonl(runCli({s("export"), store, s("--tier"), s("cold")}).out);
        QSet<quint64> previewed;
        for (const auto& item : c)
            previewed.insert(quint64(item.toObject().value(s("version_id")).toInteger()));
        QSet<quint64> moved;
        for (const auto& v : cold)
            moved.insert(v.versionId);
        QCOMPARE(moved, previewed);
        QCOMPARE(runCli({s("verify"), store}).exitCode, 0);
    }
    // preview --explain: the same verdict as the candidate list, and the reason a version stays.
    void previewExplainsOneVersion()
    {
        QTemporaryDir dir;
        const QString store = dir.filePath(s("store"));
        QCOMPARE(runCli({s("init"), store}).exitCode, 0);
        QCOMPARE(generate(store, 40, 600, 30, 9).exitCode, 0);
        const QString policy = dir.filePath(s("p.json"));
        test::writeFile(policy, R"({"age_threshold_secs": 1209600, "min_hot_versions": 3})");
        const QString now = QString::number(QDateTime::currentMSecsSinceEpoch() * 1000);
        auto ask = [&](quint64 id) {
            const auto r = runCli({s("preview"), store, s("--policy"), policy, s("--now"), now,
                                   s("--explain"), QString::number(id), s("--json")});
            [&] { QVERIFY2(r.exitCode == 0, r.err.constData()); }();
            // The keys in the order cli.md lists them (Qt's own writer sorted them).
            QList<qsizetype> at;
            for (const char* key : {"{\"now\":", ",\"version_id\":", ",\"tier\":", ",\"verdict\":",
                                    ",\"reason\":", ",\"position\":", ",\"explanation\":"})
                if (const qsizetype i = r.out.indexOf(key); i >= 0)
                    at << i;
            [&] {
                QVERIFY2(at.size() >= 5 && at.first() == 0 && std::is_sorted(at.begin(), at.end()),
                         r.out.constData());
            }();
            return QJsonDocument::fromJson(r.out).object();
        };
        const QJsonArray candidates =
            QJsonDocument::fromJson(
                runCli({s("preview"), store, s("--policy"), policy, s("--now"), now, s("--json")})
                    .out)
                .object()
                .value(s("candidates"))
                .toArray();
        QVERIFY(!candidates.isEmpty() && candidates.size() < 600);
        QHash<quint64, qint64> position;
        for (qsizetype i = 0; i < candidates.size(); ++i)
            position[quint64(candidates[i].toObject().value(s("version_id")).toInteger())] = i + 1;

        // Why a version stays, by the design's rules from the exported versions: the head
        // (greatest tx_from, ties: greatest version_id); else old enough yet kept by
        // min_hot_versions; else too young.
        const std::vector<Version> all = parseJsonl(runCli({s("export"), store}).out);
        QHash<QPair<int, quint64>, const Version*> heads;
        for (const Version& v : all) {
            const Version*& head = heads[qMakePair(int(v.kind), v.entityId)];
            if (!head ||
                std::pair(v.txFrom, v.versionId) > std::pair(head->txFrom, head->versionId))
                head = &v;
        }
        QHash<quint64, QString> stayReason;
        for (const Version& v : all)
            stayReason[v.versionId] =
                heads.value(qMakePair(int(v.kind), v.entityId)) == &v ? s("head")
                : now.toLongLong() - v.txFrom >= 1209600LL * 1000000  ? s("min_hot_versions")
                                                                      : s("too_young");
        int moves = 0, stays = 0;
        QSet<QString> reasonsSeen;
        // A few of each verdict and reason (a CLI run each, so not all 600).
        QList<quint64> asked;
        for (qsizetype i = 0; i < candidates.size();
             i += std::max<qsizetype>(1, candidates.size() / 6))
            asked << quint64(candidates[i].toObject().value(s("version_id")).toInteger());
        QHash<QString, int> perReason;
        for (quint64 id = 1; id <= 600; ++id)
            if (!position.contains(id) && perReason[stayReason.value(id)]++ < 4)
                asked << id;
        for (const quint64 id : asked) {
            const QJsonObject o = ask(id);
            QCOMPARE(quint64(o.value(s("version_id")).toInteger()), id);
            QCOMPARE(o.value(s("tier")).toString(), s("hot"));
            const QString text = o.value(s("explanation")).toString();
            if (position.contains(id)) {
                ++moves;
                QCOMPARE(o.value(s("verdict")).toString(), s("moves"));
                QCOMPARE(o.value(s("position")).toInteger(), position.value(id));
                QCOMPARE(o.value(s("reason")).toString(), s("age"));
                QVERIFY2(text.startsWith(s("version %1 of ").arg(id)), qPrintable(text));
            } else {
                ++stays;
                QCOMPARE(o.value(s("verdict")).toString(), s("stays"));
                QCOMPARE(o.value(s("reason")).toString(), stayReason.value(id));
                reasonsSeen.insert(stayReason.value(id));
                QVERIFY2(text.startsWith(s("version %1 stays hot: ").arg(id)), qPrintable(text));
            }
        }
        QVERIFY(moves > 0 && stays > 0);

        // The text preview counts the reasons of all that stay: every entity keeps its head.
        const QList<QByteArray> preview =
            runCli({s("preview"), store, s("--policy"), policy, s("--now"), now}).out.split('\n');
        const QRegularExpressionMatch summary =
            QRegularExpression(s("^(\\d+) stay hot: (\\d+) head, (\\d+) min_hot_versions, (\\d+) "
                                 "too_young \\(preview --explain VERSION_ID says why for one\\)$"))
                .match(QString::fromUtf8(preview.value(1)));
        QVERIFY2(summary.hasMatch(), preview.value(1).constData());
        QCOMPARE(summary.captured(1).toLongLong(), 600 - candidates.size());
        QCOMPARE(summary.captured(2).toLongLong(), qint64(heads.size()));
        QCOMPARE(summary.captured(2).toLongLong() + summary.captured(3).toLongLong() +
                     summary.captured(4).toLongLong(),
                 600 - candidates.size());
        QCOMPARE(reasonsSeen, (QSet<QString>{s("head"), s("min_hot_versions"), s("too_young")}));

        // Text: the explanation alone. After the migration: cold. An unknown id: bad input.
        const quint64 first = quint64(candidates[0].toObject().value(s("version_id")).toInteger());
        auto r = runCli({s("preview"), store, s("--policy"), policy, s("--now"), now,
                         s("--explain"), QString::number(first)});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out, (ask(first).value(s("explanation")).toString() + u'\n').toUtf8());
        QCOMPARE(runCli({s("migrate"), store, s("--policy"), policy, s("--now"), now}).exitCode, 0);
        const QJsonObject cold = ask(first);
        QCOMPARE(cold.value(s("tier")).toString(), s("cold"));
        QCOMPARE(cold.value(s("verdict")).toString(), s("cold"));
        QVERIFY(cold.value(s("explanation"))
                    .toString()
                    .startsWith(s("version %1 of ").arg(first) +
                                candidates[0].toObject().value(s("kind")).toString()));
        QVERIFY(cold.value(s("explanation"))
                    .toString()
                    .endsWith(s(" is in the cold tier already: no policy moves it again")));
        r = runCli({s("preview"), store, s("--policy"), policy, s("--explain"), s("601")});
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(
            r.err,
            ("frostline-cli preview: " + store + " holds no version 601 (--explain)\n").toUtf8());
        QVERIFY(r.out.isEmpty());

        // The greatest id there is, written as it is (not wrapped to a negative JSON number).
        const QString big = dir.filePath(s("big"));
        QCOMPARE(runCli({s("init"), big}).exitCode, 0);
        const QString one = dir.filePath(s("one.jsonl"));
        test::writeFile(one, R"({"kind":"node","version_id":18446744073709551615,"entity_id":1,)"
                             R"("label":"L","valid_from":1,"tx_from":1})"
                             "\n");
        QCOMPARE(runCli({s("import"), big, one}).exitCode, 0);
        r = runCli({s("preview"), big, s("--explain"), s("18446744073709551615"), s("--json")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.contains(",\"version_id\":18446744073709551615,"), r.out.constData());
    }
    // wal --from-lsn: the records themselves, each the version its LSN wrote, in its segment.
    void walRecordsAreListedFromAnLsn()
    {
        QTemporaryDir dir;
        const QString store = dir.filePath(s("store"));
        QCOMPARE(runCli({s("init"), store}).exitCode, 0);
        QCOMPARE(generate(store, 20, 300, 30, 5).exitCode, 0);
        const std::vector<Version> exported = parseJsonl(runCli({s("export"), store}).out);
        QCOMPARE(exported.size(), std::size_t(300));
        const QJsonArray segments =
            QJsonDocument::fromJson(runCli({s("wal"), store, s("--json")}).out)
                .object()
                .value(s("segments"))
                .toArray();
        QCOMPARE(segments.size(), 1);
        const QString segment = segments[0].toObject().value(s("file")).toString();

        auto r = runCli({s("wal"), store, s("--from-lsn"), s("1"), s("--json")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QList<QByteArray> lines = r.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 300);
        qint64 offset = -1;
        for (qsizetype i = 0; i < lines.size(); ++i) {
            const QJsonObject o = QJsonDocument::fromJson(lines[i]).object();
            QCOMPARE(o.value(s("lsn")).toInteger(), i + 1); // a fresh store: LSN i wrote id i
            QCOMPARE(o.value(s("segment")).toString(), segment);
            QVERIFY(o.value(s("offset")).toInteger() > offset);
            offset = o.value(s("offset")).toInteger();
            QVERIFY(o.value(s("bytes")).toInteger() > 0);
            // Byte for byte the JSONL of that version (a QJsonDocument would round numbers).
            const qsizetype at = lines[i].indexOf("\"version\":");
            QVERIFY(at > 0);
            QCOMPARE(lines[i].mid(at + 10).chopped(1),
                     JsonlCodec::encode(exported[std::size_t(i)]));
        }

        r = runCli({s("wal"), store, s("--from-lsn"), s("290"), s("--to-lsn"), s("295")});
        QCOMPARE(r.exitCode, 0);
        const QList<QByteArray> rows = r.out.trimmed().split('\n');
        QCOMPARE(rows.size(), 7); // the header and LSNs 290..295
        QCOMPARE(rows[0], "lsn  segment  offset  bytes  record");
        const Version& v290 = exported[289];
        QVERIFY2(rows[1].startsWith("290  " + segment.toUtf8() + "  ") &&
                     rows[1].endsWith(kindName(v290.kind).toUtf8() + " " +
                                      QByteArray::number(v290.entityId) + " version 290 tx_from " +
                                      QByteArray::number(v290.txFrom) + " label \"" +
                                      v290.label.toUtf8() + "\""),
                 rows[1].constData());
        QVERIFY(rows[6].startsWith("295  "));

        r = runCli({s("wal"), store, s("--from-lsn"), s("301")});
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err, "frostline-cli wal: LSN 301 is past the end of the WAL (last LSN 300)\n");
        r = runCli({s("wal"), store, s("--to-lsn"), s("3")});
        QCOMPARE(r.exitCode, 2);
        // LSNs start at 1: 0 and a negative number are refused with the same range.
        r = runCli({s("wal"), store, s("--from-lsn"), s("0")});
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err, "frostline-cli wal: --from-lsn must be an integer from 1 to "
                        "18446744073709551615 (got '0')\n");
        r = runCli({s("wal"), store, s("--from-lsn"), s("-3")});
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err, "frostline-cli wal: --from-lsn must be an integer from 1 to "
                        "18446744073709551615 (got '-3')\n");
        // After a checkpoint the segment holding LSN 1 is gone: said, not an empty answer.
        QCOMPARE(runCli({s("checkpoint"), store}).exitCode, 0);
        r = runCli({s("wal"), store, s("--from-lsn"), s("1")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.startsWith("frostline-cli wal: LSN 1 is no longer in the WAL, which starts "
                                  "at LSN 301"),
                 r.err.constData());
        QVERIFY(r.out.isEmpty());
        r = runCli({s("verify"), store});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("; the WAL is empty: the tiers hold every record through LSN 300; "
                                "flushed LSN 300\n"),
                 r.out.constData());
    }
    void exportAndPreviewAgreeOnEstimatedSizes()
    {
        // Properties whose maps and lists are not a power of two long: export copies the hot
        // versions, and a copy used to be charged fewer bytes than the hot tier charges (the
        // figure preview, stats and the memory rule use).
        QTemporaryDir dir;
        const QString store = dir.filePath(s("store"));
        QCOMPARE(runCli({s("init"), store}).exitCode, 0);
        const QString input = dir.filePath(s("in.jsonl"));
        test::writeFile(
            input,
            R"({"kind":"node","version_id":1,"entity_id":1,"label":"X","valid_from":0,"valid_to":null,"tx_from":10,"tx_to":null,"properties":{"a":1,"b":2,"c":3}}
{"kind":"node","version_id":2,"entity_id":1,"label":"X","valid_from":0,"valid_to":null,"tx_from":20,"tx_to":null,"properties":{"l":[1,2,3,4,5],"m":{"x":1,"y":2,"z":3}}}
{"kind":"edge","version_id":3,"entity_id":1,"label":"E","source":1,"target":1,"valid_from":0,"valid_to":null,"tx_from":30,"tx_to":null,"properties":{"a":[true,false,null],"b":"s","c":1.5,"d":[],"e":{}}}
{"kind":"edge","version_id":4,"entity_id":1,"label":"E","source":1,"target":1,"valid_from":0,"valid_to":null,"tx_from":40,"tx_to":null,"properties":{}}
{"kind":"node","version_id":5,"entity_id":1,"label":"X","valid_from":0,"valid_to":null,"tx_from":50,"tx_to":null,"properties":{}}
)");
        auto r = runCli({s("import"), store, input});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QMap<qint64, qint64> exported;
        qint64 exportedTotal = 0;
        r = runCli({s("export"), store, s("--tier"), s("hot")});
        QCOMPARE(r.exitCode, 0);
        for (const QByteArray& line : r.out.split('\n')) {
            if (line.isEmpty())
                continue;
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            exported.insert(o.value(s("version_id")).toInteger(),
                            o.value(s("estimated_size")).toInteger());
            exportedTotal += o.value(s("estimated_size")).toInteger();
        }
        QCOMPARE(exported.size(), 5);

        const QString policy = dir.filePath(s("p.json"));
        test::writeFile(policy, R"({"age_threshold_secs": 0, "min_hot_versions": 0})");
        r = runCli({s("preview"), store, s("--policy"), policy, s("--now"), s("100"), s("--json")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(o.value(s("hot_bytes")).toInteger(), exportedTotal);
        const QJsonArray c = o.value(s("candidates")).toArray();
        QCOMPARE(c.size(), 3); // every version but the two heads (node 1 and edge 1)
        for (const auto& item : c) {
            const QJsonObject x = item.toObject();
            QCOMPARE(x.value(s("estimated_size")).toInteger(),
                     exported.value(x.value(s("version_id")).toInteger()));
        }

        // Once cold, the same versions are exported with the same figures.
        r = runCli({s("migrate"), store, s("--policy"), policy, s("--now"), s("100"), s("--json")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        r = runCli({s("export"), store, s("--tier"), s("cold")});
        int coldLines = 0;
        for (const QByteArray& line : r.out.split('\n')) {
            if (line.isEmpty())
                continue;
            const QJsonObject x = QJsonDocument::fromJson(line).object();
            QCOMPARE(x.value(s("estimated_size")).toInteger(),
                     exported.value(x.value(s("version_id")).toInteger()));
            ++coldLines;
        }
        QCOMPARE(coldLines, 3);
    }
    void outputThatCannotBeWrittenFails()
    {
        // A script that sends an export to a full disk must see a failure, not exit 0 and a
        // cut-off file. /dev/full fails every write with ENOSPC.
        QTemporaryDir dir;
        const QString store = dir.filePath(s("store"));
        QCOMPARE(runCli({s("init"), store}).exitCode, 0);
        QCOMPARE(generate(store, 300, 3000, 30, 2).exitCode, 0);
        const QString policy = dir.filePath(s("p.json"));
        test::writeFile(policy, R"({"age_threshold_secs": 0})");
        const QList<QStringList> commands = {
            {s("export"), store},
            {s("preview"), store, s("--policy"), policy, s("--json")},
            {s("preview"), store, s("--policy"), policy},
            {s("preview"), store, s("--policy"), policy, s("--explain"), s("1")},
            {s("stats"), store},
            {s("wal"), store, s("--json")},
            {s("wal"), store, s("--from-lsn"), s("1")},
            {s("verify"), store},
            {s("policy"), s("show"), s("--preset"), s("aggressive")},
            {s("--help")},
        };
        for (const QStringList& args : commands) {
            QProcess p;
            p.setStandardOutputFile(s("/dev/full"));
            p.start(test::cliPath(), args);
            QVERIFY(p.waitForFinished(60000));
            const QByteArray err = p.readAllStandardError();
            QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 1,
                     qPrintable(args.join(u' ') + s(": exit ") + QString::number(p.exitCode()) +
                                s(", ") + QString::fromUtf8(err)));
            QVERIFY2(err.contains("cannot write to standard output"), err.constData());
            QCOMPARE(err.count('\n'), 1);
        }
        // A closed pipe (`export | head -c 1`) is such a failed write too: exit 1 and the
        // reason, not a silent death by SIGPIPE. The export is far larger than a pipe's buffer.
        {
            QProcess cli, head;
            cli.setStandardOutputProcess(&head);
            head.start(s("head"), {s("-c"), s("1")});
            cli.start(test::cliPath(), {s("export"), store});
            QVERIFY(cli.waitForFinished(60000));
            QVERIFY(head.waitForFinished(60000));
            const QByteArray err = cli.readAllStandardError();
            QVERIFY2(cli.exitStatus() == QProcess::NormalExit && cli.exitCode() == 1,
                     qPrintable(s("export | head: exit ") + QString::number(cli.exitCode()) +
                                s(", ") + QString::fromUtf8(err)));
            QCOMPARE(err, QByteArray("frostline-cli export: cannot write to standard output: "
                                     "Broken pipe\n"));
        }
        // A migrate whose report cannot be written still runs to the end; the one line says
        // so, so that exit 1 does not read as a failed migration.
        {
            QProcess p;
            p.setStandardOutputFile(s("/dev/full"));
            p.start(test::cliPath(), {s("migrate"), store, s("--policy"), policy});
            QVERIFY(p.waitForFinished(60000));
            const QByteArray err = p.readAllStandardError();
            QCOMPARE(p.exitCode(), 1);
            QCOMPARE(err.count('\n'), 1);
            QVERIFY2(err.startsWith("frostline-cli migrate: cannot write to standard output: ") &&
                         err.contains("; the migration itself finished: ") &&
                         err.contains(" batch(es) are durable in the cold tier (flushed LSN "),
                     err.constData());
        }
        // Nothing was harmed: the store still holds everything.
        QCOMPARE(runCli({s("verify"), store}).exitCode, 0);
        QCOMPARE(parseJsonl(runCli({s("export"), store}).out).size(), std::size_t(3000));
    }
    // Ctrl-C during generate or migrate stops at the next slice or batch and says what is
    // durable (exit 1, one line), and that is exactly what the store then holds.
    void anInterruptedGenerateOrMigrateSaysWhatIsDurable()
    {
        QTemporaryDir dir;
        const QString store = dir.filePath(s("store"));
        QCOMPARE(runCli({s("init"), store}).exitCode, 0);
        auto statsOf = [&] {
            return QJsonDocument::fromJson(runCli({s("stats"), store, s("--json")}).out).object();
        };

        // Far more versions than it generates before the signal: it is sent as soon as the
        // first slice is durable (the WAL has grown).
        QProcess generate;
        generate.start(test::cliPath(),
                       {s("generate"), store, s("--entities"), s("1000"), s("--versions"),
                        s("5000000"), s("--span-days"), s("30"), s("--seed"), s("3")});
        QVERIFY(generate.waitForStarted());
        QVERIFY(test::waitUntil([&] {
            qint64 bytes = 0;
            for (const QFileInfo& f : QDir(store + s("/wal")).entryInfoList(QDir::Files))
                bytes += f.size();
            return bytes > 4 * 1024 * 1024; // about 25,000 versions: thousands of batches below
        }));
        QCOMPARE(::kill(pid_t(generate.processId()), SIGINT), 0);
        QVERIFY(generate.waitForFinished(120000));
        QByteArray err = generate.readAllStandardError();
        QCOMPARE(generate.exitStatus(), QProcess::NormalExit);
        QCOMPARE(generate.exitCode(), 1);
        const QRegularExpression generated(
            s("^frostline-cli generate: interrupted by SIGINT: the first (\\d+) of the 5000000 "
              "versions \\(ids 1\\.\\.(\\d+), last LSN (\\d+)\\) were generated and are durable; "
              "the rest were not generated\n$"));
        QRegularExpressionMatch m = generated.match(QString::fromUtf8(err));
        QVERIFY2(m.hasMatch(), err.constData());
        const quint64 durable = m.captured(1).toULongLong();
        QVERIFY(durable > 0 && durable % 4096 == 0 && durable < 5000000);
        QCOMPARE(m.captured(2).toULongLong(), durable);
        QCOMPARE(m.captured(3).toULongLong(), durable);
        QCOMPARE(quint64(statsOf().value(s("hot_versions")).toDouble()), durable);

        // One version per batch: thousands of synchronous commits, interrupted after the first.
        const QString policy = dir.filePath(s("p.json"));
        test::writeFile(policy, R"({"age_threshold_secs": 0, "batch_size": 1})");
        QProcess migrate;
        migrate.start(test::cliPath(), {s("migrate"), store, s("--policy"), policy});
        QVERIFY(migrate.waitForStarted());
        QByteArray out;
        QVERIFY(test::waitUntil([&] {
            migrate.waitForReadyRead(100);
            out += migrate.readAllStandardOutput();
            return out.contains("batch 1/");
        }));
        QCOMPARE(::kill(pid_t(migrate.processId()), SIGINT), 0);
        QVERIFY(migrate.waitForFinished(120000));
        err = migrate.readAllStandardError();
        QCOMPARE(migrate.exitCode(), 1);
        const QRegularExpression migrated(
            s("^frostline-cli migrate: interrupted by SIGINT after (\\d+) batch\\(es\\): their "
              "(\\d+) versions are durable in the cold tier \\(flushed LSN \\d+\\); run migrate "
              "again for the rest\n$"));
        m = migrated.match(QString::fromUtf8(err));
        QVERIFY2(m.hasMatch(), err.constData());
        const quint64 batches = m.captured(1).toULongLong();
        QVERIFY(batches >= 1 && batches < durable / 2);
        QCOMPARE(m.captured(2).toULongLong(), batches);
        const QJsonObject after = statsOf();
        QCOMPARE(quint64(after.value(s("cold_node_versions")).toDouble() +
                         after.value(s("cold_edge_versions")).toDouble()),
                 batches);
        QCOMPARE(quint64(after.value(s("hot_versions")).toDouble()), durable - batches);
        QCOMPARE(runCli({s("verify"), store}).exitCode, 0);
    }

    // Ctrl-C during a restore stops it and removes its unfinished copy, saying so (exit 1); the
    // backup restores afterwards. The signal is sent once the copy has begun (its WAL is growing),
    // well before the copy, the proof's open and its verify of 100,000 versions are done.
    void anInterruptedRestoreRemovesItsCopy()
    {
        QTemporaryDir dir;
        const QString store = dir.filePath(s("store"));
        const QString backup = dir.filePath(s("backup"));
        const QString dest = dir.filePath(s("restored"));
        QCOMPARE(runCli({s("init"), store}).exitCode, 0);
        QCOMPARE(generate(store, 1000, 100000, 30, 5).exitCode, 0);
        QCOMPARE(runCli({s("backup"), store, backup}).exitCode, 0);

        QProcess restore;
        restore.start(test::cliPath(), {s("restore"), backup, dest});
        QVERIFY(restore.waitForStarted());
        QVERIFY(test::waitUntil([&] {
            qint64 bytes = 0;
            for (const QFileInfo& f : QDir(dest + s("/wal")).entryInfoList(QDir::Files))
                bytes += f.size();
            return bytes > 1024 * 1024;
        }));
        QCOMPARE(::kill(pid_t(restore.processId()), SIGINT), 0);
        QVERIFY(restore.waitForFinished(120000));
        const QByteArray err = restore.readAllStandardError();
        QCOMPARE(restore.exitStatus(), QProcess::NormalExit);
        QCOMPARE(restore.exitCode(), 1);
        QCOMPARE(QString::fromUtf8(err),
                 s("frostline-cli restore: interrupted by SIGINT: restore of %1 cancelled; the "
                   "unfinished copy in %2 is removed\n")
                     .arg(backup, dest));
        QVERIFY(!QFileInfo::exists(dest));
        const auto again = runCli({s("restore"), backup, dest});
        QVERIFY2(again.exitCode == 0, again.err.constData());
        QCOMPARE(runCli({s("verify"), dest}).exitCode, 0);
    }

    // A covered WAL segment that cannot be deleted (immutable here, which stops root too) is a
    // note, not a failure: the batches are durable, and --json carries the note as wal_problem.
    void aSegmentThatCannotBeDeletedIsANote()
    {
        QTemporaryDir dir;
        const QString store = dir.filePath(s("store"));
        QCOMPARE(runCli({s("init"), store}).exitCode, 0);
        QCOMPARE(generate(store, 1000, 130000, 10, 1).exitCode, 0);
        const QStringList segments =
            QDir(store + s("/wal")).entryList({s("*.wal")}, QDir::Files, QDir::Name);
        QVERIFY(segments.size() >= 2);
        const QString first = store + s("/wal/") + segments.front();
        if (QProcess::execute(s("chattr"), {s("+i"), first}) != 0)
            QSKIP("chattr +i is not available on this file system");
        auto mutableAgain = qScopeGuard([&] { QProcess::execute(s("chattr"), {s("-i"), first}); });
        const QString policy = dir.filePath(s("p.json"));
        test::writeFile(policy, R"({"age_threshold_secs": 0, "batch_size": 20000})");
        const QString why = segments.front() + s(": cannot delete: Operation not permitted");

        auto r = runCli({s("migrate"), store, s("--policy"), policy, s("--json")});
        QCOMPARE(r.exitCode, 0);
        QJsonObject json = QJsonDocument::fromJson(r.out).object();
        QVERIFY(json.value(s("migrated")).toInt() > 100000);
        QCOMPARE(json.value(s("segments_deleted")).toInt(), 0);
        QVERIFY2(json.value(s("wal_problem")).toString().contains(why), r.out.constData());
        QVERIFY2(QString::fromUtf8(r.err).contains(s("note: WAL segment ") + why),
                 r.err.constData());
        r = runCli({s("checkpoint"), store, s("--json")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(QJsonDocument::fromJson(r.out)
                     .object()
                     .value(s("wal_problem"))
                     .toString()
                     .contains(why),
                 r.out.constData());

        // Once the segment can go, the next checkpoint deletes it, and the key is absent again.
        mutableAgain.dismiss();
        QCOMPARE(QProcess::execute(s("chattr"), {s("-i"), first}), 0);
        r = runCli({s("checkpoint"), store, s("--json")});
        QCOMPARE(r.exitCode, 0);
        json = QJsonDocument::fromJson(r.out).object();
        QVERIFY2(!json.contains(s("wal_problem")) && json.value(s("segments_deleted")).toInt() >= 1,
                 r.out.constData());
        QVERIFY(!QFile::exists(first));
        QCOMPARE(runCli({s("verify"), store}).exitCode, 0);
    }

    // Ctrl-C during an import's append does not cut it part-way (a second import of the file
    // would then be refused for the ids already there): the append ends, the whole file is in.
    void anImportInterruptedDuringItsAppendIsWhole()
    {
        QTemporaryDir dir;
        const QString store = dir.filePath(s("store"));
        QCOMPARE(runCli({s("init"), store}).exitCode, 0);
        const std::size_t total = 250000; // 62 chunks of 4,096: the signal comes after the first
        QByteArray jsonl;
        jsonl.reserve(int(total) * 140);
        for (std::size_t id = 1; id <= total; ++id)
            jsonl += QByteArray(R"({"kind":"node","version_id":)") + QByteArray::number(id) +
                     R"(,"entity_id":)" + QByteArray::number(id % 1000 + 1) +
                     R"(,"label":"Person","valid_from":1,"tx_from":)" +
                     QByteArray::number(1700000000000000 + qint64(id)) + "}\n";
        const QString file = dir.filePath(s("in.jsonl"));
        test::writeFile(file, jsonl);
        jsonl.clear();

        QProcess import;
        import.start(test::cliPath(), {s("import"), store, file});
        QVERIFY(import.waitForStarted());
        QVERIFY(test::waitUntil([&] {
            qint64 bytes = 0;
            for (const QFileInfo& f : QDir(store + s("/wal")).entryInfoList(QDir::Files))
                bytes += f.size();
            return bytes > 1024 * 1024 || import.state() == QProcess::NotRunning;
        }));
        // (processId() is 0 once the import ended: kill(0) would signal this test too.)
        if (const qint64 pid = import.processId(); pid > 0)
            ::kill(pid_t(pid), SIGINT);
        QVERIFY(import.waitForFinished(120000));
        const QByteArray err = import.readAllStandardError();
        QCOMPARE(import.exitStatus(), QProcess::NormalExit); // not killed by the signal
        QVERIFY2(import.exitCode() == 0, err.constData());
        QVERIFY2(import.readAllStandardOutput().startsWith("imported 250000 versions from "),
                 err.constData());
        // The note, unless the append had ended before the signal came.
        QVERIFY2(err.isEmpty() || err == "frostline-cli import: note: SIGINT came during the "
                                         "append, which was finished first: the whole file is "
                                         "imported\n",
                 err.constData());
        const QJsonObject stats =
            QJsonDocument::fromJson(runCli({s("stats"), store, s("--json")}).out).object();
        QCOMPARE(quint64(stats.value(s("hot_versions")).toDouble()), quint64(total));
        QCOMPARE(runCli({s("verify"), store}).exitCode, 0);
    }
    void generateNeedsEveryOption()
    {
        // The four options have no silent defaults: a reproducible workload is one whose every
        // figure the operator chose. A missing one is a usage error and nothing is appended.
        QTemporaryDir dir;
        const QString store = dir.filePath(s("store"));
        QCOMPARE(runCli({s("init"), store}).exitCode, 0);
        const QStringList full = {s("--entities"),  s("10"), s("--versions"), s("100"),
                                  s("--span-days"), s("5"),  s("--seed"),     s("3")};
        for (int skip = 0; skip < full.size(); skip += 2) {
            QStringList args = {s("generate"), store};
            for (int i = 0; i < full.size(); i += 2)
                if (i != skip)
                    args << full[i] << full[i + 1];
            const auto r = runCli(args);
            QVERIFY2(r.exitCode == 2, r.err.constData());
            QCOMPARE(r.err.count('\n'), 1);
            QVERIFY2(r.err.contains(("missing " + full[skip]).toUtf8()), r.err.constData());
        }
        QVERIFY(runCli({s("export"), store}).out.isEmpty());
        QCOMPARE(generate(store, 10, 100, 5, 3).exitCode, 0);
        QCOMPARE(parseJsonl(runCli({s("export"), store}).out).size(), std::size_t(100));
    }
    void aRepeatedOptionIsAUsageError()
    {
        // Which of two --now values a script meant cannot be guessed: refused, nothing runs.
        QTemporaryDir dir;
        const QString store = dir.filePath(s("store"));
        QCOMPARE(runCli({s("init"), store}).exitCode, 0);
        QCOMPARE(generate(store, 10, 100, 5, 3).exitCode, 0);
        const QString policy = dir.filePath(s("p.json"));
        test::writeFile(policy, R"({"age_threshold_secs": 0})");
        const auto r = runCli({s("migrate"), store, s("--policy"), policy, s("--now"), s("1"),
                               s("--now"), s("99999999999999999")});
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err.count('\n'), 1);
        QVERIFY2(r.err.contains("--now is given twice"), r.err.constData());
        const auto hot = parseJsonl(runCli({s("export"), store, s("--tier"), s("hot")}).out);
        QCOMPARE(hot.size(), std::size_t(100));
        // A switch as much as an option with a value.
        const auto twice = runCli({s("stats"), store, s("--json"), s("--json")});
        QCOMPARE(twice.exitCode, 2);
        QCOMPARE(twice.err, QByteArray("frostline-cli stats: option --json is given twice\n"));
        QVERIFY(twice.out.isEmpty());
    }

    // init writes policy.json; a store that lost it has no active policy. preview and migrate
    // without --policy refuse instead of quietly taking the default one.
    void aStoreWithoutItsPolicyFileIsNotMigratedByDefault()
    {
        QTemporaryDir dir;
        const QString store = dir.filePath(s("store"));
        QCOMPARE(runCli({s("init"), store}).exitCode, 0);
        QCOMPARE(generate(store, 10, 100, 30, 3).exitCode, 0);
        QVERIFY(QFile::remove(QDir(store).filePath(s("policy.json"))));
        const QByteArray late = "4102444800000000"; // 2100-01-01: every non-head is old enough
        for (const char* command : {"preview", "migrate"}) {
            const auto r = runCli({s(command), store, s("--now"), s(late)});
            QCOMPARE(r.exitCode, 2);
            QCOMPARE(r.err.count('\n'), 1);
            QVERIFY2(r.err.contains("policy.json does not exist, so the store has no active "
                                    "policy: pass --policy FILE"),
                     r.err.constData());
        }
        QCOMPARE(parseJsonl(runCli({s("export"), store, s("--tier"), s("hot")}).out).size(),
                 std::size_t(100));
        QVERIFY(!QFile::exists(QDir(store).filePath(s("policy.json"))));
        // verify reports it; and a policy.json that does not parse, naming where.
        auto v = runCli({s("verify"), store});
        QCOMPARE(v.exitCode, 1);
        QVERIFY2(v.err.startsWith(
                     "frostline-cli verify: " + QDir(store).filePath(s("policy.json")).toUtf8() +
                     " is missing: the store has no active policy"),
                 v.err.constData());
        test::writeFile(QDir(store).filePath(s("policy.json")), "{\"batch_size\": 0}\n");
        v = runCli({s("verify"), store});
        QCOMPARE(v.exitCode, 1);
        QVERIFY2(v.err.contains("batch_size") && v.err.contains("1 problem(s) in store"),
                 v.err.constData());
        // With --json the problem is in the answer, and exit 1 still has its line on stderr.
        v = runCli({s("verify"), store, s("--json")});
        QCOMPARE(v.exitCode, 1);
        QCOMPARE(QJsonDocument::fromJson(v.out).object().value(s("problems")).toArray().size(), 1);
        QCOMPARE(v.err, "frostline-cli verify: 1 problem(s) in store " + store.toUtf8() + "\n");
        QVERIFY(QFile::remove(QDir(store).filePath(s("policy.json"))));

        // With a policy named, migrate runs, and says per batch how far it is.
        const QString policy = dir.filePath(s("p.json"));
        test::writeFile(policy, R"({"age_threshold_secs": 0, "batch_size": 30})");
        const auto r = runCli({s("migrate"), store, s("--policy"), policy, s("--now"), s(late)});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QList<QByteArray> lines = r.out.split('\n');
        QVERIFY2(lines.size() > 2, r.out.constData());
        QVERIFY2(lines[0].startsWith("batch 1/") && lines[0].contains(" versions, ") &&
                     lines[0].contains(" bytes done in ") && lines[0].contains(" versions/s, ETA "),
                 lines[0].constData());
    }
    void lesserRefusalsAreClear()
    {
        // Each is one line that names the command and what is wrong, with the right exit code.
        QTemporaryDir dir;
        const QString store = dir.filePath(s("store"));
        QCOMPARE(runCli({s("init"), store}).exitCode, 0);

        // A STORE that names no store is bad input (exit 2), told apart from a broken store
        // (exit 1). A path that is a regular file is not "missing".
        const QString file = dir.filePath(s("afile"));
        test::writeFile(file, "x");
        auto r = runCli({s("stats"), file});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err == "frostline-cli stats: store " + file.toUtf8() + " is not a directory\n",
                 r.err.constData());
        const QString missing = dir.filePath(s("no-such-store"));
        r = runCli({s("stats"), missing});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err == "frostline-cli stats: store " + missing.toUtf8() + " does not exist\n",
                 r.err.constData());
        r = runCli({s("verify"), dir.path()});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(" is not a Frostline store") && r.err.count('\n') == 1,
                 r.err.constData());

        // An option whose value was left out is named, not the option that follows it.
        r = runCli({s("history"), store, s("--kind"), s("--entity"), s("1")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err == "frostline-cli history: option --kind needs a value (--entity follows "
                          "it)\n",
                 r.err.constData());
        // Also when what follows is an option of another command only.
        r = runCli({s("export"), store, s("--tier"), s("--json")});
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err, "frostline-cli export: option --tier needs a value (--json follows it)\n");
        QVERIFY(r.out.isEmpty());
        r = runCli({s("generate"), store, s("--entities"), s("1"), s("--versions"), s("1"),
                    s("--span-days"), s("inf"), s("--seed"), s("1")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err == "frostline-cli generate: --span-days must be a finite number > 0 (got "
                          "'inf')\n",
                 r.err.constData());

        // A directory that cannot be made says why.
        r = runCli({s("init"), file + s("/sub")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err == "frostline-cli init: cannot create directory " + file.toUtf8() +
                              "/sub: Not a directory\n",
                 r.err.constData());

        // A path that is not UTF-8 would be read as another path (each bad byte a U+FFFD) and
        // init would make that one: refused, and nothing is made anywhere.
        {
            QProcess p;
            p.setWorkingDirectory(dir.path());
            p.start(s("/bin/sh"),
                    {s("-c"), s("exec \"$0\" init \"$(printf 'raw\\377dir')\""), test::cliPath()});
            QVERIFY(p.waitForFinished(60000));
            const QByteArray err = p.readAllStandardError();
            QCOMPARE(p.exitCode(), 2);
            QVERIFY2(err == "frostline-cli init: argument 'raw\\xffdir' is not valid UTF-8 (or "
                            "starts with a byte order mark): Frostline would read it as a "
                            "different path; rename the file or directory\n",
                     err.constData());
            QCOMPARE(QDir(dir.path()).entryList({s("raw*")}, QDir::AllEntries), QStringList());
            // A command word that is not UTF-8 is not repeated as if it were a command.
            p.start(s("/bin/sh"),
                    {s("-c"), s("exec \"$0\" \"$(printf 'in\\377it')\" x"), test::cliPath()});
            QVERIFY(p.waitForFinished(60000));
            QCOMPARE(p.exitCode(), 2);
            QVERIFY2(p.readAllStandardError().startsWith(
                         "frostline-cli: argument 'in\\xffit' is not valid UTF-8"),
                     "the bad command word");
        }

        // A number out of range says so, with the range.
        r = runCli({s("preview"), store, s("--now"), s("99999999999999999999")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err == "frostline-cli preview: --now must be an integer from "
                          "-9223372036854775808 to 9223372036854775807 (got "
                          "'99999999999999999999')\n",
                 r.err.constData());
        // Digits only: a space or a plus sign is no part of a number here.
        for (const QString& loose : {s(" 5"), s("+5"), s("5 ")}) {
            r = runCli({s("history"), store, s("--kind"), s("node"), s("--entity"), s("1"),
                        s("--as-of-tx"), loose});
            QCOMPARE(r.exitCode, 2);
            QVERIFY2(r.err.contains("--as-of-tx must be an integer from"), r.err.constData());
            r = runCli({s("wal"), store, s("--from-lsn"), loose});
            QCOMPARE(r.exitCode, 2);
            QVERIFY2(r.err.contains("--from-lsn must be an integer from"), r.err.constData());
        }

        // verify --json answers in JSON even when the store does not open (here: held open).
        {
            Store held(store);
            held.open();
            r = runCli({s("verify"), store, s("--json")});
            QCOMPARE(r.exitCode, 1);
            const QJsonObject o = QJsonDocument::fromJson(r.out).object();
            QCOMPARE(o.value(s("ok")), QJsonValue(false));
            QCOMPARE(o.value(s("problems")).toArray().size(), 1);
            QVERIFY2(o.value(s("problems")).toArray().at(0).toString().contains(s("is locked")),
                     r.out.constData());
            QCOMPARE(r.err.count('\n'), 1);
        }

        // An entity with no versions: the history line carries the usual prefix.
        r = runCli({s("history"), store, s("--kind"), s("node"), s("--entity"), s("999999")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err == "frostline-cli history: no versions of node 999999\n", r.err.constData());

        // The greatest version id taken: generate has no id left (it wrapped around to 0 before).
        const QString maxLine = dir.filePath(s("max.jsonl"));
        test::writeFile(maxLine,
                        R"({"kind":"node","version_id":18446744073709551615,"entity_id":9001,)"
                        R"("label":"X","valid_from":1,"valid_to":null,"tx_from":1,"tx_to":null,)"
                        R"("properties":{}})"
                        "\n");
        QCOMPARE(runCli({s("import"), store, maxLine}).exitCode, 0);
        r = generate(store, 1, 1, 1, 1);
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err.count('\n'), 1);
        QVERIFY2(r.err.startsWith("frostline-cli generate: ") && r.err.contains("no id is left"),
                 r.err.constData());
        QCOMPARE(parseJsonl(runCli({s("export"), store}).out).size(), std::size_t(1));
    }
    void emptyArgumentsAreUsageErrors()
    {
        QTemporaryDir dir;
        const QString store = dir.filePath(s("store"));
        QCOMPARE(runCli({s("init"), store}).exitCode, 0);
        const QList<QStringList> commands = {
            {s("init"), QString()},
            {s("backup"), store, QString()},
            {s("restore"), store, QString()},
            {s("import"), store, QString()},
            {s("stats"), QString()},
            {s("policy"), s("validate"), QString()},
            {s("preview"), store, s("--policy"), QString()},
            {s("history"), store, s("--kind"), s("node"), s("--entity"), QString()},
        };
        for (const QStringList& args : commands) {
            const auto r = runCli(args);
            QVERIFY2(r.exitCode == 2,
                     qPrintable(args.join(u'|') + s(": exit ") + QString::number(r.exitCode) +
                                s(", ") + QString::fromUtf8(r.err)));
            QCOMPARE(r.err.count('\n'), 1);
            QVERIFY2(r.err.contains("empty"), r.err.constData());
        }
        QCOMPARE(runCli({s("verify"), store}).exitCode, 0);
    }
    void aCutTornTailIsReported()
    {
        // Recovery cuts an incomplete last record: the command still succeeds, and says once, on
        // stderr, what it cut from which segment.
        QTemporaryDir dir;
        const QString store = dir.filePath(s("store"));
        QCOMPARE(runCli({s("init"), store}).exitCode, 0);
        QCOMPARE(generate(store, 20, 200, 5, 3).exitCode, 0);
        const QDir wal(QDir(store).filePath(s("wal")));
        const QStringList segments = wal.entryList({s("*.wal")}, QDir::Files, QDir::Name);
        QVERIFY(!segments.isEmpty());
        QFile last(wal.filePath(segments.last()));
        QVERIFY(last.open(QIODevice::Append));
        QCOMPARE(last.write("\x01\x02\x03\x04\x05", 5), qint64(5));
        last.close();

        auto r = runCli({s("stats"), store});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(r.err.count('\n'), 1);
        QVERIFY2(r.err.startsWith("frostline-cli stats: note: recovery cut 5 bytes"),
                 r.err.constData());
        QVERIFY2(r.err.contains(segments.last().toUtf8()), r.err.constData());
        r = runCli({s("stats"), store});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.err.isEmpty(), r.err.constData()); // cut once, reported once
        QCOMPARE(parseJsonl(runCli({s("export"), store}).out).size(), std::size_t(200));
        QCOMPARE(runCli({s("verify"), store}).exitCode, 0);
    }

    // docs/cli.md: the passphrase is the file's first line, all of it (it was cut at 64 KiB, so a
    // wrong passphrase sharing the first 64 KiB opened the store, and the real one given through
    // FROSTLINE_PASSPHRASE was refused).
    void aPassphraseFileGivesItsWholeFirstLine()
    {
        QTemporaryDir dir;
        const QString store = dir.filePath(s("store"));
        const QByteArray passphrase = longPassphrase(100 * 1000); // more than 64 KiB
        const QString passFile = dir.filePath(s("pass.txt"));
        test::writeFile(passFile, passphrase + "\nnot the passphrase\n");
        qunsetenv(kPassphraseVariable);
        const auto unset = qScopeGuard([] { qunsetenv(kPassphraseVariable); });

        auto r = runCli({s("init"), store, s("--encrypt"), s("--passphrase-file"), passFile});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        r = runCli({s("stats"), store, s("--passphrase-file"), passFile});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        // The same passphrase through the variable: init took all of the first line.
        qputenv(kPassphraseVariable, passphrase);
        r = runCli({s("stats"), store});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        qunsetenv(kPassphraseVariable);
        // A CRLF ending is not part of it either.
        const QString crlfFile = dir.filePath(s("crlf.txt"));
        test::writeFile(crlfFile, passphrase + "\r\n");
        r = runCli({s("stats"), store, s("--passphrase-file"), crlfFile});
        QVERIFY2(r.exitCode == 0, r.err.constData());

        // Sharing the first 64 KiB is not enough, through the file or the variable.
        const QMap<QString, QByteArray> before = filesUnder(store);
        const QByteArray wrongLine =
            "frostline-cli stats: wrong passphrase for encrypted store " + store.toUtf8() + "\n";
        const QString wrongFile = dir.filePath(s("wrong.txt"));
        test::writeFile(wrongFile, passphrase.left(64 * 1024) + "and then something else\n");
        r = runCli({s("stats"), store, s("--passphrase-file"), wrongFile});
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err, wrongLine);
        QVERIFY(r.out.isEmpty());
        qputenv(kPassphraseVariable, passphrase.left(64 * 1024));
        r = runCli({s("stats"), store});
        qunsetenv(kPassphraseVariable);
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err, wrongLine);
        QVERIFY(r.out.isEmpty());
        QVERIFY(filesUnder(store) == before);
    }

    // A first line up to the limit is the passphrase; a longer one is refused, naming the file
    // and the limit, before anything is created or opened. (The same limit holds for
    // FROSTLINE_PASSPHRASE, but Linux refuses to pass a variable over 128 KiB to a process.)
    void aPassphraseOverTheLimitIsRefused()
    {
        QTemporaryDir dir;
        const QString store = dir.filePath(s("store"));
        const QByteArray atLimit = longPassphrase(kPassphraseLimit);
        const QString passFile = dir.filePath(s("pass.txt"));
        test::writeFile(passFile, atLimit + "\n");
        qunsetenv(kPassphraseVariable);
        const auto unset = qScopeGuard([] { qunsetenv(kPassphraseVariable); });

        auto r = runCli({s("init"), store, s("--encrypt"), s("--passphrase-file"), passFile});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QString crlfFile = dir.filePath(s("crlf.txt"));
        test::writeFile(crlfFile, atLimit + "\r\n");
        for (const QString& file : {passFile, crlfFile}) {
            r = runCli({s("stats"), store, s("--passphrase-file"), file});
            QVERIFY2(r.exitCode == 0, r.err.constData());
        }
        const QMap<QString, QByteArray> before = filesUnder(store);
        const QString wrongFile = dir.filePath(s("wrong.txt"));
        test::writeFile(wrongFile, atLimit.left(kPassphraseLimit - 1) + "#");
        r = runCli({s("stats"), store, s("--passphrase-file"), wrongFile});
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err, "frostline-cli stats: wrong passphrase for encrypted store " +
                            store.toUtf8() + "\n");

        // One byte more, with or without a line end after it.
        const QString overFile = dir.filePath(s("over.txt"));
        const QString overNoEndFile = dir.filePath(s("over-no-end.txt"));
        test::writeFile(overFile, atLimit + "#\n");
        test::writeFile(overNoEndFile, atLimit + "#");
        for (const QString& file : {overFile, overNoEndFile}) {
            const QByteArray refusal =
                "the first line of passphrase file " + file.toUtf8() +
                " is longer than the limit for a passphrase, 1048576 bytes\n";
            r = runCli({s("stats"), store, s("--passphrase-file"), file});
            QCOMPARE(r.exitCode, 2);
            QCOMPARE(r.err, "frostline-cli stats: " + refusal);
            QVERIFY(r.out.isEmpty());
            const QString fresh = dir.filePath(s("fresh"));
            r = runCli({s("init"), fresh, s("--encrypt"), s("--passphrase-file"), file});
            QCOMPARE(r.exitCode, 2);
            QCOMPARE(r.err, "frostline-cli init: " + refusal);
            QVERIFY(r.out.isEmpty());
            QVERIFY(!QFileInfo::exists(fresh));
        }
        QVERIFY(filesUnder(store) == before);
    }

    // docs/cli.md's usage rules hold for --passphrase-file as for every option: an empty value is
    // bad usage (it was taken as "not given", falling back to FROSTLINE_PASSPHRASE), and so is the
    // option given twice (it was "unknown option --passphrase-file").
    void thePassphraseFileOptionFollowsTheUsageRules()
    {
        QTemporaryDir dir;
        const QString store = dir.filePath(s("store"));
        const QString passFile = dir.filePath(s("pass.txt"));
        test::writeFile(passFile, "correct horse battery staple\n");
        qunsetenv(kPassphraseVariable);
        const auto unset = qScopeGuard([] { qunsetenv(kPassphraseVariable); });
        auto r = runCli({s("init"), store, s("--encrypt"), s("--passphrase-file"), passFile});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        r = runCli({s("stats"), store, s("--passphrase-file"), passFile});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QMap<QString, QByteArray> before = filesUnder(store);
        const QString fresh = dir.filePath(s("fresh"));

        const QByteArray empty = "option --passphrase-file needs a value, not an empty string\n";
        for (const char* variable : {"correct horse battery staple", ""}) {
            if (*variable)
                qputenv(kPassphraseVariable, variable);
            else
                qunsetenv(kPassphraseVariable);
            r = runCli({s("stats"), store, s("--passphrase-file"), QString()});
            QCOMPARE(r.exitCode, 2);
            QCOMPARE(r.err, "frostline-cli stats: " + empty);
            QVERIFY(r.out.isEmpty());
            r = runCli({s("init"), fresh, s("--encrypt"), s("--passphrase-file"), QString()});
            QCOMPARE(r.exitCode, 2);
            QCOMPARE(r.err, "frostline-cli init: " + empty);
            QVERIFY(!QFileInfo::exists(fresh));
        }
        qunsetenv(kPassphraseVariable);

        const QByteArray twice = "option --passphrase-file is given twice\n";
        r = runCli({s("stats"), store, s("--passphrase-file"), passFile, s("--passphrase-file"),
                    passFile});
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err, "frostline-cli stats: " + twice);
        QVERIFY(r.out.isEmpty());
        r = runCli({s("export"), store, s("--passphrase-file"), passFile, s("--tier"), s("hot"),
                    s("--passphrase-file"), dir.filePath(s("other.txt"))});
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err, "frostline-cli export: " + twice);
        QVERIFY(r.out.isEmpty());
        r = runCli({s("init"), fresh, s("--encrypt"), s("--passphrase-file"), passFile,
                    s("--passphrase-file"), passFile});
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err, "frostline-cli init: " + twice);
        QVERIFY(!QFileInfo::exists(fresh));

        // The policy commands open no store: refused, not silently ignored.
        r = runCli({s("policy"), s("--passphrase-file"), passFile, s("show")});
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err, "frostline-cli policy: --passphrase-file does not apply to policy (it "
                        "opens no store)\n");

        // Its value left out: the option after it is named, not read as the file.
        r = runCli({s("stats"), store, s("--passphrase-file"), s("--json")});
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err, "frostline-cli stats: option --passphrase-file needs a value (--json "
                        "follows it)\n");
        QVERIFY(r.out.isEmpty());
        QVERIFY(filesUnder(store) == before);
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
