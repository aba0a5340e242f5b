#include "berkeleyenvironment.h"
#include "coldtier.h"
#include "frostlineerror.h"
#include "versioncodec.h"

#include <QDirIterator>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <db_cxx.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace frostline;

namespace {

// A varied version: labels, nested properties, negative and open-ended times.
Version makeVersion(quint64 id, EntityKind kind, quint64 entity, qint64 txFrom)
{
    Version v;
    v.versionId = id;
    v.kind = kind;
    v.entityId = entity;
    v.label = kind == EntityKind::Edge ? QStringLiteral("KNOWS") : QStringLiteral("Person");
    v.validFrom = txFrom - 10;
    v.validTo = (id % 3 == 0) ? kOpenEnd : txFrom + 1000;
    v.txFrom = txFrom;
    v.txTo = (id % 2 == 0) ? kOpenEnd : txFrom + 500;
    if (kind == EntityKind::Edge) {
        v.source = entity * 7 + 1;
        v.target = entity * 7 + 2;
    }
    v.properties = PropertyValue::canonicalMap({
        {"name", PropertyValue(QStringLiteral("entity-%1 \u00e9\U0001F600").arg(entity))},
        {"n", PropertyValue(qint64(id) * -3)},
        {"w", PropertyValue(double(id) / 7.0)},
        {"tags", PropertyValue(PropertyValue::List{PropertyValue("a"), PropertyValue(true),
                                                   PropertyValue(nullptr)})},
        {"nested", PropertyValue(PropertyValue::Map{{"depth", PropertyValue(qint64(2))}})},
    });
    return v;
}

std::vector<const Version*> pointers(const std::vector<Version>& versions)
{
    std::vector<const Version*> out;
    for (const auto& v : versions)
        out.push_back(&v);
    return out;
}

quint64 encodedBytes(const std::vector<Version>& versions)
{
    quint64 n = 0;
    for (const auto& v : versions)
        n += quint64(VersionCodec::encode(v).size());
    return n;
}

std::map<quint64, std::pair<Version, quint64>> loadCheckpointMap(const ColdTier& cold)
{
    std::map<quint64, std::pair<Version, quint64>> out;
    cold.loadCheckpoint([&](Version&& v, quint64 lsn) {
        const quint64 id = v.versionId;
        QVERIFY2(out.emplace(id, std::make_pair(std::move(v), lsn)).second, "visited twice");
    });
    return out;
}

std::vector<Version> scanAll(const ColdTier& cold, EntityKind kind)
{
    std::vector<Version> out;
    cold.scan(kind, [&](Version&& v) {
        out.push_back(std::move(v));
        return true;
    });
    return out;
}

QString coldHome(const QTemporaryDir& dir)
{
    return dir.filePath(QStringLiteral("cold"));
}

// What a refused or aborted commit must not have changed.
struct Snapshot
{
    ColdStatistics stats;
    std::vector<Version> nodes, edges;
    std::map<quint64, std::pair<Version, quint64>> checkpoint;

    static Snapshot of(const ColdTier& cold)
    {
        return {cold.statistics(), scanAll(cold, EntityKind::Node), scanAll(cold, EntityKind::Edge),
                loadCheckpointMap(cold)};
    }
    bool operator==(const Snapshot& o) const
    {
        return stats.nodeVersions == o.stats.nodeVersions &&
               stats.edgeVersions == o.stats.edgeVersions && stats.coldBytes == o.stats.coldBytes &&
               stats.checkpointVersions == o.stats.checkpointVersions &&
               stats.flushedLsn == o.stats.flushedLsn && nodes == o.nodes && edges == o.edges &&
               checkpoint == o.checkpoint;
    }
};

QString findTool(const char* name)
{
    return QStandardPaths::findExecutable(QString::fromLatin1(name));
}

} // namespace

class TestColdTier : public QObject
{
    Q_OBJECT
private slots:
    // A write that fails page after page (a full disk during a checkpoint) makes Berkeley DB
    // say three things per page: an error line of 148 KB. The first few are kept, the first
    // that names the full disk too, and the rest counted.
    void aFailureRepeatedPerPageStaysOneShortLine()
    {
        QTemporaryDir dir;
        BerkeleyEnvironment env(dir.filePath(QStringLiteral("env")));
        env.open({});
        BerkeleyEnvironment::clearCapturedText();
        for (int page = 1; page <= 1000; ++page) {
            env.handle()->errx("BDB0137 write: 0x55d0, 8192: %s",
                               page == 500 ? std::strerror(ENOSPC) : "Input/output error");
            env.handle()->errx("BDB3015 nodes.db: write failed for page %d", page);
        }
        env.handle()->errx("BDB0000 log: bad magic number"); // what Store::open looks for
        const QString message = env.describe(QStringLiteral("cannot checkpoint"), ENOSPC);
        QVERIFY2(message.size() < 600, qPrintable(message));
        QVERIFY2(message.contains(QLatin1String("write failed for page 1;")) &&
                     message.contains(QLatin1String("BDB0137 write: 0x55d0, 8192: No space left "
                                                    "on device")) &&
                     message.contains(QLatin1String("; BDB0000 log: bad magic number;")) &&
                     message.endsWith(
                         QLatin1String("; 1995 more message(s), the last: BDB3015 nodes.db: "
                                       "write failed for page 1000)")),
                 qPrintable(message));
        QVERIFY(!message.contains(QLatin1String("page 2;")));
        // Taken: the next failure starts afresh.
        env.handle()->errx("one more");
        QCOMPARE(env.describe(QStringLiteral("x"), EIO).count(QLatin1String("one more")), 1);
        QVERIFY(!BerkeleyEnvironment::takeCapturedText().contains(QLatin1String("more message")));
    }

    void commitThenReadBack()
    {
        QTemporaryDir dir;
        ColdTier cold(coldHome(dir));
        cold.open();
        std::vector<Version> versions;
        // Entity 4 (node) has versions with equal and negative tx_from; edge 4 is another entity.
        versions.push_back(makeVersion(30, EntityKind::Node, 4, 500));
        versions.push_back(makeVersion(12, EntityKind::Node, 4, 500));
        versions.push_back(makeVersion(40, EntityKind::Node, 4, -20));
        versions.push_back(makeVersion(41, EntityKind::Node, 4, 100));
        versions.push_back(makeVersion(11, EntityKind::Edge, 4, 50));
        versions.push_back(makeVersion(13, EntityKind::Edge, 4, -70));
        for (quint64 i = 0; i < 200; ++i)
            versions.push_back(makeVersion(1000 + i, i % 4 ? EntityKind::Node : EntityKind::Edge,
                                           100 + i % 17, qint64(i) * 1000));
        ColdCommit c;
        c.migrated = pointers(versions);
        c.flushedLsn = 7;
        cold.commit(c);

        for (const auto& v : versions) {
            QVERIFY(cold.contains(v.versionId));
            const auto got = cold.get(v.versionId);
            QVERIFY(got.has_value());
            QVERIFY(*got == v);
        }
        QVERIFY(!cold.contains(999));
        QVERIFY(!cold.get(999).has_value());
        QCOMPARE(cold.flushedLsn(), quint64(7));

        const auto nodeHistory = cold.history({EntityKind::Node, 4});
        QCOMPARE(nodeHistory.size(), std::size_t(4));
        const quint64 expectedOrder[] = {40, 41, 12, 30}; // (tx_from, version_id)
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(nodeHistory[i].versionId, expectedOrder[i]);
            QVERIFY(nodeHistory[i] == *cold.get(expectedOrder[i]));
        }
        const auto edgeHistory = cold.history({EntityKind::Edge, 4});
        QCOMPARE(edgeHistory.size(), std::size_t(2));
        QCOMPARE(edgeHistory[0].versionId, quint64(13));
        QCOMPARE(edgeHistory[1].versionId, quint64(11));
        QVERIFY(cold.history({EntityKind::Node, 5}).empty());

        // scan: exactly the versions of one kind, in version-id order.
        for (EntityKind kind : {EntityKind::Node, EntityKind::Edge}) {
            std::vector<Version> expected;
            for (const auto& v : versions)
                if (v.kind == kind)
                    expected.push_back(v);
            std::sort(expected.begin(), expected.end(),
                      [](const Version& a, const Version& b) { return a.versionId < b.versionId; });
            QVERIFY(scanAll(cold, kind) == expected);
        }
        int visited = 0;
        cold.scan(EntityKind::Node, [&](Version&&) { return ++visited < 3; });
        QCOMPARE(visited, 3);
    }

    void statisticsAreExactAcrossCommits()
    {
        QTemporaryDir dir;
        ColdTier cold(coldHome(dir));
        cold.open();
        std::vector<Version> first, hot, second, hot2;
        for (quint64 i = 1; i <= 15; ++i)
            first.push_back(makeVersion(i, i <= 10 ? EntityKind::Node : EntityKind::Edge, i, 10));
        for (quint64 i = 100; i < 120; ++i)
            hot.push_back(makeVersion(i, EntityKind::Node, i, 20));
        ColdCommit a;
        a.migrated = pointers(first);
        for (const auto& v : hot)
            a.checkpointPuts.push_back({&v, v.versionId + 5});
        a.flushedLsn = 30;
        cold.commit(a);

        for (quint64 i = 100; i < 107; ++i) // migrating 7 previously checkpointed versions
            second.push_back(makeVersion(i, i % 2 ? EntityKind::Edge : EntityKind::Node, i, 20));
        ColdCommit b;
        b.migrated = pointers(second);
        b.checkpointRemovals = {50, 100, 101, 102, 103, 104, 105, 106, 5555, 6666}; // 3 not there
        for (quint64 i = 200; i < 203; ++i)
            hot2.push_back(makeVersion(i, EntityKind::Edge, i, 30));
        hot2.push_back(makeVersion(110, EntityKind::Node, 110, 99)); // re-checkpointed: replaced
        for (const auto& v : hot2)
            b.checkpointPuts.push_back({&v, 77});
        b.flushedLsn = 40;
        cold.commit(b);

        const auto s = cold.statistics();
        QCOMPARE(s.nodeVersions, quint64(10 + 4));
        QCOMPARE(s.edgeVersions, quint64(5 + 3));
        QCOMPARE(s.coldBytes, encodedBytes(first) + encodedBytes(second));
        QCOMPARE(s.checkpointVersions, quint64(20 - 7 + 3));
        QCOMPARE(s.flushedLsn, quint64(40));
        QCOMPARE(s.pageSize, quint32(8192));
        QVERIFY(s.pages >= 5);
        QVERIFY(!s.logFiles.isEmpty());
        QVERIFY(s.logFiles.first().startsWith(QStringLiteral("log.")));
        QVERIFY(s.berkeleyVersion.contains(QStringLiteral("5.3")));
        QVERIFY(s.durability.contains(QStringLiteral("DB_TXN_SYNC")));
        QVERIFY(s.cacheHits > 0);
        QVERIFY(s.cacheHitRate > 0 && s.cacheHitRate <= 1);
        QVERIFY(s.cacheBytes >= (64u << 20));
        QCOMPARE(quint64(loadCheckpointMap(cold).size()), s.checkpointVersions);
        QVERIFY(cold.verify().isEmpty());
    }

    void loadCheckpointReturnsExactlyTheCheckpoint()
    {
        QTemporaryDir dir;
        ColdTier cold(coldHome(dir));
        cold.open();
        std::vector<Version> hot;
        for (quint64 i = 1; i <= 50; ++i)
            hot.push_back(makeVersion(i * 3, i % 3 ? EntityKind::Node : EntityKind::Edge, i, 5));
        ColdCommit a;
        for (const auto& v : hot)
            a.checkpointPuts.push_back({&v, v.versionId * 10});
        a.flushedLsn = 500;
        cold.commit(a);

        Version replaced = makeVersion(6, EntityKind::Node, 2, 5);
        replaced.txTo = 777; // closed by a newer version: the checkpoint must carry the change
        ColdCommit b;
        b.checkpointRemovals = {3, 9, 150};
        b.checkpointPuts = {{&replaced, 501}};
        b.flushedLsn = 501;
        cold.commit(b);

        std::map<quint64, std::pair<Version, quint64>> expected;
        for (const auto& v : hot)
            expected.emplace(v.versionId, std::make_pair(v, v.versionId * 10));
        expected.erase(3);
        expected.erase(9);
        expected.erase(150);
        expected[6] = {replaced, 501};
        const auto got = loadCheckpointMap(cold);
        QCOMPARE(got.size(), expected.size());
        QVERIFY(got == expected);
        QCOMPARE(cold.statistics().checkpointVersions, quint64(expected.size()));
    }

    void lowerFlushedLsnIsRefused()
    {
        QTemporaryDir dir;
        ColdTier cold(coldHome(dir));
        cold.open();
        ColdCommit a;
        a.flushedLsn = 10;
        cold.commit(a);
        const auto before = Snapshot::of(cold);

        const Version v = makeVersion(1, EntityKind::Node, 1, 1);
        ColdCommit lower;
        lower.migrated = {&v};
        lower.checkpointPuts = {{&v, 3}};
        lower.flushedLsn = 9;
        bool refused = false;
        try {
            cold.commit(lower);
        } catch (const FrostlineError& e) {
            refused = true;
            QVERIFY2(e.message().contains(QStringLiteral("flushed LSN 9")),
                     qPrintable(e.message()));
        }
        QVERIFY(refused);
        QVERIFY(Snapshot::of(cold) == before);
        QCOMPARE(cold.flushedLsn(), quint64(10));
        QVERIFY(!cold.contains(1));

        ColdCommit same; // equal is fine (a batch that only migrates checkpointed versions)
        same.migrated = {&v};
        same.flushedLsn = 10;
        cold.commit(same);
        QVERIFY(cold.contains(1));
    }

    void duplicateColdIdIsRefused()
    {
        QTemporaryDir dir;
        ColdTier cold(coldHome(dir));
        cold.open();
        std::vector<Version> first;
        for (quint64 i = 1; i <= 5; ++i)
            first.push_back(makeVersion(i, EntityKind::Node, i, 1));
        ColdCommit a;
        a.migrated = pointers(first);
        a.flushedLsn = 5;
        cold.commit(a);
        const auto before = Snapshot::of(cold);

        const Version fresh = makeVersion(6, EntityKind::Node, 6, 1);
        const Version again = makeVersion(3, EntityKind::Node, 3, 1);
        const Version otherKind = makeVersion(4, EntityKind::Edge, 9, 1); // id 4 is a node
        const Version hot = makeVersion(50, EntityKind::Node, 50, 1);
        const std::vector<std::vector<const Version*>> attempts = {
            {&fresh, &again}, {&otherKind, &fresh}, {&fresh, &fresh}};
        for (const auto& migrated : attempts) {
            ColdCommit dup;
            dup.migrated = migrated;
            dup.checkpointPuts = {{&hot, 9}};
            dup.checkpointRemovals = {};
            dup.flushedLsn = 9;
            bool refused = false;
            try {
                cold.commit(dup);
            } catch (const FrostlineError& e) {
                refused = true;
                QVERIFY2(e.message().contains(QStringLiteral("refused: version ")),
                         qPrintable(e.message()));
            }
            QVERIFY(refused);
            QVERIFY(!cold.contains(6));
            QVERIFY(Snapshot::of(cold) == before);
        }
        QVERIFY(cold.verify().isEmpty());
    }

    void failureHookAbortsTheWholeCommit()
    {
        QTemporaryDir dir;
        ColdTier cold(coldHome(dir));
        cold.open();
        std::vector<Version> base, hot, batch;
        for (quint64 i = 1; i <= 10; ++i)
            base.push_back(makeVersion(i, EntityKind::Node, 1, qint64(i)));
        for (quint64 i = 20; i < 30; ++i)
            hot.push_back(makeVersion(i, EntityKind::Edge, 2, qint64(i)));
        ColdCommit a;
        a.migrated = pointers(base);
        for (const auto& v : hot)
            a.checkpointPuts.push_back({&v, v.versionId});
        a.flushedLsn = 30;
        cold.commit(a);
        const auto before = Snapshot::of(cold);
        const auto historyBefore = cold.history({EntityKind::Edge, 2});

        for (quint64 i = 20; i < 25; ++i) // migrate half of the checkpointed edges
            batch.push_back(makeVersion(i, EntityKind::Edge, 2, qint64(i)));
        const Version newHot = makeVersion(99, EntityKind::Node, 7, 99);
        ColdCommit b;
        b.migrated = pointers(batch);
        b.checkpointRemovals = {20, 21, 22, 23, 24};
        b.checkpointPuts = {{&newHot, 31}};
        b.flushedLsn = 31;

        QStringList stages;
        cold.setFailureHook([&](const char* stage) {
            stages << QString::fromLatin1(stage);
            throw FrostlineError::runtime(QStringLiteral("injected failure"));
        });
        bool failed = false;
        try {
            cold.commit(b);
        } catch (const FrostlineError& e) {
            failed = true;
            QVERIFY2(e.message().contains(QStringLiteral("injected failure")),
                     qPrintable(e.message()));
        }
        QVERIFY(failed);
        QCOMPARE(stages, QStringList{QStringLiteral("before-commit")});
        QVERIFY(Snapshot::of(cold) == before);
        QCOMPARE(cold.flushedLsn(), quint64(30));
        QVERIFY(cold.history({EntityKind::Edge, 2}) == historyBefore);
        QVERIFY(historyBefore.empty());
        QVERIFY(!cold.contains(20));

        cold.setFailureHook({});
        cold.commit(b);
        QCOMPARE(cold.flushedLsn(), quint64(31));
        QCOMPARE(cold.history({EntityKind::Edge, 2}).size(), std::size_t(5));
        const auto s = cold.statistics();
        QCOMPARE(s.edgeVersions, quint64(5));
        QCOMPARE(s.checkpointVersions, quint64(10 - 5 + 1));
        QVERIFY(cold.verify().isEmpty());
    }

    void reopenKeepsEverything()
    {
        QTemporaryDir dir;
        std::vector<Version> versions, hot;
        for (quint64 i = 1; i <= 300; ++i)
            versions.push_back(
                makeVersion(i, i % 5 ? EntityKind::Node : EntityKind::Edge, i % 13, qint64(i)));
        for (quint64 i = 400; i < 420; ++i)
            hot.push_back(makeVersion(i, EntityKind::Node, i, qint64(i)));
        Snapshot before;
        {
            ColdTier cold(coldHome(dir));
            cold.open();
            for (std::size_t from = 0; from < versions.size(); from += 100) {
                ColdCommit c;
                for (std::size_t i = from; i < from + 100; ++i)
                    c.migrated.push_back(&versions[i]);
                if (from == 0)
                    for (const auto& v : hot)
                        c.checkpointPuts.push_back({&v, v.versionId});
                c.flushedLsn = 1000 + from;
                cold.commit(c);
            }
            before = Snapshot::of(cold);
            cold.close();
            cold.close(); // idempotent
            QVERIFY_THROWS_EXCEPTION(FrostlineError, cold.flushedLsn());
        }
        ColdTier reopened(coldHome(dir));
        reopened.open();
        QVERIFY(Snapshot::of(reopened) == before);
        QCOMPARE(reopened.flushedLsn(), quint64(1200));
        QCOMPARE(before.nodes.size() + before.edges.size(), versions.size());
        QCOMPARE(before.checkpoint.size(), hot.size());
        QCOMPARE(reopened.history({EntityKind::Node, 3}).size(),
                 std::size_t(std::count_if(versions.begin(), versions.end(), [](const Version& v) {
                     return v.kind == EntityKind::Node && v.entityId == 3;
                 })));
        reopened.checkpointEnvironment();
        QVERIFY(Snapshot::of(reopened) == before);
        QVERIFY(!reopened.statistics().logFiles.isEmpty());
    }

    void filesAreOwnerOnly()
    {
        QTemporaryDir dir;
        {
            ColdTier cold(coldHome(dir));
            cold.open();
            const Version v = makeVersion(1, EntityKind::Node, 1, 1);
            ColdCommit c;
            c.migrated = {&v};
            c.checkpointPuts = {{&v, 1}};
            c.flushedLsn = 1;
            cold.commit(c);
            cold.checkpointEnvironment();
            // Checked while open too: region files (__db.00N) exist only while it is open.
            QDirIterator it(coldHome(dir), QDir::Files | QDir::Hidden);
            int files = 0;
            while (it.hasNext()) {
                const QString path = it.next();
                struct stat st;
                QCOMPARE(::stat(QFile::encodeName(path).constData(), &st), 0);
                QVERIFY2(
                    (st.st_mode & 077) == 0,
                    qPrintable(
                        QStringLiteral("%1 has mode %2").arg(path).arg(st.st_mode & 0777, 0, 8)));
                ++files;
            }
            QVERIFY(files >= 6); // five databases and at least one log file
        }
        struct stat st;
        QCOMPARE(::stat(QFile::encodeName(coldHome(dir)).constData(), &st), 0);
        QCOMPARE(int(st.st_mode & 0777), 0700);
    }

    void homeThatIsAFileGivesClearError()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("not-a-dir"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        for (const QString& home : {path, path + QStringLiteral("/cold")}) {
            ColdTier cold(home);
            try {
                cold.open();
                QFAIL("open succeeded on a home that cannot be a directory");
            } catch (const FrostlineError& e) {
                QVERIFY2(e.message().contains(home), qPrintable(e.message()));
                QVERIFY(!e.message().contains(QLatin1Char('\n')));
            }
            QVERIFY_THROWS_EXCEPTION(FrostlineError, cold.statistics());
        }
    }

    void readOnlyHomeGivesClearError()
    {
        if (::geteuid() == 0)
            QSKIP("running as root, which ignores permission bits; the read-only case is covered "
                  "by homeThatIsAFileGivesClearError");
        QTemporaryDir dir;
        {
            ColdTier cold(coldHome(dir));
            cold.open();
        }
        QFile::setPermissions(coldHome(dir), QFile::ReadOwner | QFile::ExeOwner);
        ColdTier cold(coldHome(dir));
        try {
            cold.open();
            QFAIL("open succeeded on a read-only home");
        } catch (const FrostlineError& e) {
            QVERIFY2(e.message().contains(coldHome(dir)), qPrintable(e.message()));
        }
        QFile::setPermissions(coldHome(dir),
                              QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    }

    void berkeleyUtilitiesAcceptTheEnvironment()
    {
        const QString verifyTool = findTool("db5.3_verify");
        const QString statTool = findTool("db5.3_stat");
        QVERIFY2(!verifyTool.isEmpty() && !statTool.isEmpty(), "db5.3 utilities not installed");
        QTemporaryDir dir;
        std::vector<Version> versions;
        for (quint64 i = 1; i <= 1234; ++i)
            versions.push_back(
                makeVersion(i * 2, i % 3 ? EntityKind::Node : EntityKind::Edge, i % 50, qint64(i)));
        const auto nodeCount = std::count_if(versions.begin(), versions.end(),
                                             [](const Version& v) { return !v.isEdge(); });
        {
            ColdTier cold(coldHome(dir));
            cold.open();
            ColdCommit c;
            c.migrated = pointers(versions);
            c.flushedLsn = 1;
            cold.commit(c);
        }
        auto run = [&](const QString& tool, const QStringList& args) {
            QProcess p;
            p.start(tool, args);
            if (!p.waitForFinished(60000))
                return std::make_pair(-1, QByteArray("timeout"));
            return std::make_pair(p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
                                  p.readAllStandardOutput() + p.readAllStandardError());
        };
        const QString home = coldHome(dir);
        auto [verifyCode, verifyOut] =
            run(verifyTool, {QStringLiteral("-h"), home, QStringLiteral("nodes.db"),
                             QStringLiteral("edges.db"), QStringLiteral("history.db"),
                             QStringLiteral("checkpoint.db"), QStringLiteral("meta.db")});
        QVERIFY2(verifyCode == 0, verifyOut.constData());
        auto [envCode, envOut] = run(statTool, {QStringLiteral("-h"), home, QStringLiteral("-e")});
        QVERIFY2(envCode == 0, envOut.constData());
        auto [dbCode, dbOut] = run(statTool, {QStringLiteral("-h"), home, QStringLiteral("-d"),
                                              QStringLiteral("nodes.db")});
        QVERIFY2(dbCode == 0, dbOut.constData());
        const auto match =
            QRegularExpression(QStringLiteral("(\\d+)\\s+Number of unique keys in the tree"))
                .match(QString::fromLocal8Bit(dbOut));
        QVERIFY2(match.hasMatch(), dbOut.constData());
        QCOMPARE(match.captured(1).toLongLong(), qlonglong(nodeCount));
    }

    void verifyFindsCorruption()
    {
        QTemporaryDir dir;
        std::vector<Version> versions;
        for (quint64 i = 1; i <= 100; ++i)
            versions.push_back(makeVersion(i, EntityKind::Node, i % 7, qint64(i)));
        {
            ColdTier cold(coldHome(dir));
            cold.open();
            ColdCommit c;
            c.migrated = pointers(versions);
            c.checkpointPuts = {{&versions[0], 1}};
            c.flushedLsn = 1;
            cold.commit(c);
            QCOMPARE(cold.verify(), QStringList());
        }
        // Write a bad value for version 42 straight into nodes.db with raw Berkeley DB handles.
        {
            DbEnv env(DB_CXX_NO_EXCEPTIONS);
            const QByteArray home = QFile::encodeName(coldHome(dir));
            QCOMPARE(env.open(home.constData(),
                              DB_CREATE | DB_INIT_TXN | DB_INIT_LOG | DB_INIT_LOCK | DB_INIT_MPOOL,
                              0600),
                     0);
            Db db(&env, DB_CXX_NO_EXCEPTIONS);
            QCOMPARE(db.open(nullptr, "nodes.db", nullptr, DB_BTREE, DB_AUTO_COMMIT, 0), 0);
            unsigned char key[8] = {0, 0, 0, 0, 0, 0, 0, 42};
            QByteArray bad = VersionCodec::encode(versions[41]);
            bad[bad.size() / 2] = char(bad[bad.size() / 2] ^ 0x5a); // breaks the checksum
            Dbt k(key, 8);
            Dbt v(bad.data(), u_int32_t(bad.size()));
            QCOMPARE(db.put(nullptr, &k, &v, DB_AUTO_COMMIT), 0);
            QCOMPARE(db.close(0), 0);
            QCOMPARE(env.close(0), 0);
        }
        ColdTier cold(coldHome(dir));
        cold.open();
        const QStringList problems = cold.verify();
        QVERIFY(!problems.isEmpty());
        QVERIFY2(problems.join(QLatin1Char('\n')).contains(QStringLiteral("version 42")),
                 qPrintable(problems.join(QLatin1Char('\n'))));
        QVERIFY_THROWS_EXCEPTION(FrostlineError, cold.get(42));
    }

    void readersRunBesideCommits()
    {
        QTemporaryDir dir;
        ColdTier cold(coldHome(dir));
        cold.open();
        constexpr int kBatches = 20, kPerBatch = 200;
        std::vector<Version> versions;
        for (int i = 0; i < kBatches * kPerBatch; ++i)
            versions.push_back(makeVersion(quint64(i + 1), EntityKind::Node, quint64(i % 31), i));
        std::atomic<bool> done{false};
        std::atomic<int> readerErrors{0};
        std::thread reader([&] {
            while (!done.load()) {
                try {
                    quint64 last = 0;
                    bool ordered = true;
                    cold.scan(EntityKind::Node, [&](Version&& v) {
                        ordered = ordered && v.versionId > last;
                        last = v.versionId;
                        return true;
                    });
                    (void)cold.history({EntityKind::Node, 3});
                    (void)cold.statistics();
                    if (!ordered)
                        ++readerErrors;
                } catch (const FrostlineError&) {
                    ++readerErrors;
                }
            }
        });
        // A commit that throws must still stop the reader, so the failure is reported rather
        // than ending the process in std::terminate from a joinable thread.
        QString commitError;
        try {
            for (int b = 0; b < kBatches; ++b) {
                ColdCommit c;
                for (int i = b * kPerBatch; i < (b + 1) * kPerBatch; ++i)
                    c.migrated.push_back(&versions[std::size_t(i)]);
                c.flushedLsn = quint64(b + 1);
                cold.commit(c);
            }
        } catch (const FrostlineError& e) {
            commitError = e.message();
        }
        done = true;
        reader.join();
        QCOMPARE(commitError, QString());
        QCOMPARE(readerErrors.load(), 0);
        QCOMPARE(cold.statistics().nodeVersions, quint64(kBatches * kPerBatch));
        QVERIFY(scanAll(cold, EntityKind::Node) == versions);
    }
};

QTEST_GUILESS_MAIN(TestColdTier)
#include "tst_coldtier.moc"
