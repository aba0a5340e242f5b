// Crash safety of migration, checkpoints and WAL truncation (design section 3): a child process
// (the real frostline-cli, or the crash worker with 16 KiB WAL segments) is killed with SIGKILL at
// random moments: between and inside migration batches, inside checkpoints and right at WAL
// segment deletion. After every kill the store must reopen, verify clean, hold every version
// exactly once and unchanged, and Berkeley DB's own db5.3_verify must pass on the cold tier.
//
// FROSTLINE_CRASH_KILLS=N sets the total number of kills (default 54) for a longer run.
#include "crashversions.h"
#include "store.h"
#include "testsupport.h"

#include <QDir>
#include <QMap>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <csignal>
#include <map>

using namespace frostline;

namespace {

int totalKills()
{
    const int n = qEnvironmentVariableIntValue("FROSTLINE_CRASH_KILLS");
    return n > 0 ? n : 54;
}

// A child whose stdout lines are read as they come, and which is killed with SIGKILL.
class Child
{
public:
    void start(const QString& program, const QStringList& args)
    {
        m_process.setProcessChannelMode(QProcess::SeparateChannels);
        m_process.start(program, args);
        QVERIFY2(m_process.waitForStarted(), qPrintable(program));
    }

    // Reads lines until `stop(line)` holds (true) or the child exits (false).
    bool readUntil(const std::function<bool(const QByteArray&)>& stop)
    {
        for (;;) {
            int nl;
            while ((nl = m_pending.indexOf('\n')) >= 0) {
                const QByteArray line = m_pending.left(nl);
                m_pending.remove(0, nl + 1);
                noteLine(line);
                if (stop(line))
                    return true;
            }
            if (m_process.state() == QProcess::NotRunning) {
                m_pending += m_process.readAllStandardOutput();
                if (m_pending.indexOf('\n') >= 0)
                    continue;
                return false;
            }
            m_process.waitForReadyRead(50);
            m_pending += m_process.readAllStandardOutput();
            if (m_timer.isValid() && m_timer.elapsed() > 60000) {
                qWarning("child stalled: %s", m_process.readAllStandardError().constData());
                return false;
            }
        }
    }

    // SIGKILL now; true when the child was still running (a real kill, not a clean exit).
    bool kill()
    {
        const bool running = m_process.state() == QProcess::Running;
        if (running)
            ::kill(pid_t(m_process.processId()), SIGKILL);
        m_process.waitForFinished(30000);
        // Lines written before the kill are acknowledgements too.
        m_pending += m_process.readAllStandardOutput();
        for (const QByteArray& line : m_pending.split('\n'))
            noteLine(line);
        m_pending.clear();
        return running && m_process.exitStatus() == QProcess::CrashExit;
    }

    QByteArray errorOutput() { return m_process.readAllStandardError(); }
    quint64 acknowledged = 0; // greatest id of an "ack ID" line
    QElapsedTimer m_timer;

private:
    void noteLine(const QByteArray& line)
    {
        if (line.startsWith("ack "))
            acknowledged = std::max(acknowledged, line.mid(4).toULongLong());
    }
    QProcess m_process;
    QByteArray m_pending;
};

// Berkeley DB's own structural check of every database of the (closed) cold environment.
QString berkeleyVerify(const QString& coldDir)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral("db5.3_verify"),
            {QStringLiteral("-h"), coldDir, QStringLiteral("nodes.db"), QStringLiteral("edges.db"),
             QStringLiteral("history.db"), QStringLiteral("checkpoint.db"),
             QStringLiteral("meta.db")});
    if (!p.waitForFinished(60000))
        return QStringLiteral("db5.3_verify did not finish");
    const QString output = QString::fromLocal8Bit(p.readAll());
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        return QStringLiteral("db5.3_verify failed: %1").arg(output);
    return {};
}

std::map<quint64, Version> allVersions(Store& store)
{
    std::map<quint64, Version> out;
    store.hot().forEach([&](const HotTier::Entry& e) {
        out.emplace(e.version.versionId, e.version);
        return true;
    });
    for (EntityKind kind : {EntityKind::Node, EntityKind::Edge})
        store.cold().scan(kind, [&](Version&& v) {
            out.emplace(v.versionId, std::move(v));
            return true;
        });
    return out;
}

quint64 versionsPresent(Store& store)
{
    const StoreStatistics s = store.statistics();
    return s.hotVersions + s.coldNodeVersions + s.coldEdgeVersions;
}

} // namespace

class TestCrashMigrate : public QObject
{
    Q_OBJECT

    QRandomGenerator m_rng{20261127};
    int m_kills = 0;
    int m_suitesDone = 0; // the total is checked only when every kill test ran

    // After a kill of a crash-worker child: acknowledged ids all there, unchanged; unacknowledged
    // ones whole or absent with no gap; every one exactly once; verify and db5.3_verify clean.
    // Returns the problem found (empty when sound) and sets *next to the next id to write.
    QString checkCrashVersions(const QString& path, quint64 acknowledged, quint64* next)
    {
        {
            Store store(path);
            store.open();
            const QStringList problems = store.verify();
            if (!problems.isEmpty())
                return QStringLiteral("verify: ") + problems.join('\n');
            const quint64 maxId = store.maxVersionId();
            if (maxId < acknowledged)
                return QStringLiteral("acknowledged version %1 lost (max id %2)")
                    .arg(acknowledged)
                    .arg(maxId);
            for (quint64 id = 1; id <= maxId; ++id) {
                const auto v = store.find(id);
                if (!v || !(v->version == test::crashVersion(id)))
                    return QStringLiteral("version %1 %2 (acknowledged up to %3)")
                        .arg(id)
                        .arg(v ? QStringLiteral("changed") : QStringLiteral("lost"))
                        .arg(acknowledged);
            }
            if (versionsPresent(store) != maxId)
                return QStringLiteral("%1 versions counted for ids 1..%2: duplicates")
                    .arg(versionsPresent(store))
                    .arg(maxId);
            *next = maxId + 1;
        }
        return berkeleyVerify(QDir(path).filePath(QStringLiteral("cold")));
    }

private slots:
    // The real `frostline-cli migrate` (age, memory pressure and LRU policies, batch sizes 5..50)
    // on a generated store, killed after a random number of committed batches plus a random delay.
    void killCliMigrate()
    {
        QTemporaryDir dir;
        const int kills = std::max(10, totalKills() * 5 / 9);
        const QStringList policies = {QStringLiteral("age"), QStringLiteral("memory"),
                                      QStringLiteral("lru")};
        int scenario = -1, completedRuns = 0, killsInBatches = 0;
        QString path, policyFile;
        qint64 now = 0;
        std::map<quint64, Version> generated;
        bool needScenario = true;
        for (int round = 0; round < kills;) {
            if (needScenario) {
                ++scenario;
                path = dir.filePath(QStringLiteral("s%1").arg(scenario));
                auto r = test::runCli({QStringLiteral("init"), path});
                QCOMPARE(r.exitCode, 0);
                r = test::runCli({QStringLiteral("generate"), path, QStringLiteral("--entities"),
                                  QStringLiteral("60"), QStringLiteral("--versions"),
                                  QStringLiteral("1500"), QStringLiteral("--span-days"),
                                  QStringLiteral("30"), QStringLiteral("--seed"),
                                  QString::number(scenario + 1)});
                QVERIFY2(r.exitCode == 0, r.err.constData());
                quint64 hotBytes = 0;
                {
                    Store store(path);
                    store.open();
                    generated = allVersions(store);
                    hotBytes = store.statistics().hotBytes;
                }
                QCOMPARE(generated.size(), std::size_t(1500));
                qint64 newest = 0;
                for (const auto& [id, v] : generated)
                    newest = std::max(newest, v.txFrom);
                now = newest + 1;
                const QString policy = policies[scenario % policies.size()];
                const int batchSize = 5 + int(m_rng.bounded(46));
                QByteArray json = "{\"batch_size\":" + QByteArray::number(batchSize);
                if (policy == QLatin1String("memory"))
                    json += ",\"age_threshold_secs\":315360000,\"memory_threshold_bytes\":" +
                            QByteArray::number(hotBytes / 4);
                else
                    json += ",\"age_threshold_secs\":864000";
                if (policy == QLatin1String("lru"))
                    json += ",\"enable_lru\":true";
                json += "}";
                policyFile = dir.filePath(QStringLiteral("policy%1.json").arg(scenario));
                test::writeFile(policyFile, json);
                needScenario = false;
            }

            Child child;
            child.m_timer.start();
            child.start(test::cliPath(),
                        {QStringLiteral("migrate"), path, QStringLiteral("--policy"), policyFile,
                         QStringLiteral("--now"), QString::number(now)});
            // Sometimes during open/recovery or the first batch, mostly after a few batches.
            const int batchesWanted = int(m_rng.bounded(8));
            int batches = 0;
            if (batchesWanted > 0)
                child.readUntil([&](const QByteArray& line) {
                    return line.startsWith("batch ") && ++batches >= batchesWanted;
                });
            QThread::usleep(m_rng.bounded(batchesWanted > 0 ? 3000 : 40000));
            const bool killed = child.kill();
            if (killed) {
                ++round;
                ++m_kills;
                if (batches > 0)
                    ++killsInBatches;
            } else {
                ++completedRuns; // finished first: the next run starts a new scenario
                needScenario = true;
            }

            const QString where =
                QStringLiteral("cli scenario %1 round %2").arg(scenario).arg(round);
            {
                Store store(path);
                store.open();
                const QStringList problems = store.verify();
                QVERIFY2(problems.isEmpty(), qPrintable(where + ": " + problems.join('\n')));
                QCOMPARE(versionsPresent(store), quint64(generated.size())); // exactly once
                for (const auto& [id, v] : generated) {
                    const auto found = store.find(id);
                    QVERIFY2(found,
                             qPrintable(where + QStringLiteral(": version %1 lost").arg(id)));
                    QVERIFY2(found->version == v,
                             qPrintable(where + QStringLiteral(": version %1 changed").arg(id)));
                }
            }
            const QString bdb = berkeleyVerify(QDir(path).filePath(QStringLiteral("cold")));
            QVERIFY2(bdb.isEmpty(), qPrintable(where + ": " + bdb));
        }
        QVERIFY(killsInBatches > 0);
        ++m_suitesDone;
        qInfo("frostline-cli migrate: survived %d kills (%d after >= 1 committed batch) over %d "
              "scenarios; %d runs completed before their kill",
              kills, killsInBatches, scenario + 1, completedRuns);
    }

    // Appends and migration runs alternate in the crash worker (16 KiB WAL segments, so batches
    // delete segments); half the kills land right at a WAL truncation.
    void killWorkerMigrateDuringTruncation()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        const int kills = std::max(6, totalKills() * 2 / 9);
        const QStringList policies = {QStringLiteral("age"), QStringLiteral("memory"),
                                      QStringLiteral("lru")};
        quint64 acknowledged = 0, next = 1;
        int atDeletion = 0;
        for (int round = 0; round < kills; ++round) {
            Child child;
            child.m_timer.start();
            child.start(QStringLiteral(FROSTLINE_CRASHWORKER_PATH),
                        {QStringLiteral("migrate"), path, QString::number(next),
                         QStringLiteral("100000"), QString::number(20 + m_rng.bounded(60)),
                         QString::number(5 + m_rng.bounded(46)), policies[round % 3]});
            const bool wantDeletion = round % 2 == 0;
            const int wanted = 1 + int(m_rng.bounded(wantDeletion ? 3 : 12));
            int seen = 0;
            const bool reached = child.readUntil([&](const QByteArray& line) {
                const bool hit =
                    wantDeletion ? line == "deleting-segments" : line.startsWith("batch ");
                return hit && ++seen >= wanted;
            });
            QVERIFY2(reached, child.errorOutput().constData());
            QThread::usleep(m_rng.bounded(wantDeletion ? 200 : 2000));
            QVERIFY(child.kill());
            ++m_kills;
            atDeletion += wantDeletion;
            acknowledged = std::max(acknowledged, child.acknowledged);
            const QString problem = checkCrashVersions(path, acknowledged, &next);
            QVERIFY2(problem.isEmpty(),
                     qPrintable(QStringLiteral("worker migrate round %1: ").arg(round) + problem));
        }
        QVERIFY(atDeletion > 0);
        ++m_suitesDone;
        qInfo("crash worker migrate: survived %d kills (%d right at WAL segment deletion); %llu "
              "versions acknowledged",
              kills, atDeletion, static_cast<unsigned long long>(acknowledged));
    }

    // Appends and checkpoints alternate; kills land inside the checkpoint or at its truncation.
    void killWorkerCheckpoint()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        const int kills = std::max(6, totalKills() - totalKills() * 5 / 9 - totalKills() * 2 / 9);
        quint64 acknowledged = 0, next = 1;
        int atDeletion = 0;
        for (int round = 0; round < kills; ++round) {
            Child child;
            child.m_timer.start();
            child.start(QStringLiteral(FROSTLINE_CRASHWORKER_PATH),
                        {QStringLiteral("checkpoint"), path, QString::number(next),
                         QStringLiteral("100000"), QString::number(20 + m_rng.bounded(200))});
            const bool wantDeletion = round % 2 == 1;
            const int wanted = 1 + int(m_rng.bounded(4));
            int seen = 0;
            const bool reached = child.readUntil([&](const QByteArray& line) {
                const bool hit = line == (wantDeletion ? "deleting-segments" : "checkpoint-start");
                return hit && ++seen >= wanted;
            });
            QVERIFY2(reached, child.errorOutput().constData());
            QThread::usleep(m_rng.bounded(wantDeletion ? 200 : 1500));
            QVERIFY(child.kill());
            ++m_kills;
            atDeletion += wantDeletion;
            acknowledged = std::max(acknowledged, child.acknowledged);
            const QString problem = checkCrashVersions(path, acknowledged, &next);
            QVERIFY2(
                problem.isEmpty(),
                qPrintable(QStringLiteral("worker checkpoint round %1: ").arg(round) + problem));
        }
        ++m_suitesDone;
        qInfo("crash worker checkpoint: survived %d kills (%d right at WAL segment deletion)",
              kills, atDeletion);
    }

    void cleanupTestCase()
    {
        if (m_suitesDone == 3)
            QVERIFY(m_kills >= std::min(50, totalKills()));
        qInfo("total kills survived: %d", m_kills);
    }
};

QTEST_GUILESS_MAIN(TestCrashMigrate)
#include "tst_crashmigrate.moc"
