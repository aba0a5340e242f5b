// Crash safety of the durable store (design section 3): a child process appends and checkpoints
// while this test kills it with SIGKILL at random moments. After each kill the store must reopen,
// verify clean, and hold every acknowledged version exactly once, unchanged.
#include "crashversions.h"
#include "store.h"
#include "testsupport.h"

#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <csignal>

using namespace frostline;

class TestCrash : public QObject
{
    Q_OBJECT
private slots:
    void killDuringAppendAndCheckpoint()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path);
        QRandomGenerator rng(20261126);
        const int kills = qEnvironmentVariableIntValue("FROSTLINE_CRASH_KILLS") > 0
                              ? qEnvironmentVariableIntValue("FROSTLINE_CRASH_KILLS")
                              : 36;
        quint64 acknowledged = 0; // every id <= this was acknowledged by some child
        quint64 nextId = 1;
        int killedDuringCheckpoint = 0;
        for (int round = 0; round < kills; ++round) {
            QProcess child;
            child.setProcessChannelMode(QProcess::SeparateChannels);
            const quint64 batch = 1 + rng.bounded(40);
            child.start(QStringLiteral(FROSTLINE_CRASHWORKER_PATH),
                        {QStringLiteral("append"), path, QString::number(nextId),
                         QStringLiteral("100000"), QString::number(batch),
                         QString::number(1 + rng.bounded(6))});
            QVERIFY(child.waitForStarted());
            // Kill after a random number of acknowledgements, sometimes right inside a
            // checkpoint, then after a random few hundred microseconds more.
            const bool duringCheckpoint = round % 3 == 2;
            const int acksWanted = 1 + int(rng.bounded(25));
            int acks = 0;
            QByteArray pending;
            bool done = false;
            while (!done) {
                if (!child.waitForReadyRead(30000)) {
                    QFAIL(
                        qPrintable(QStringLiteral("child stalled: %1")
                                       .arg(QString::fromLocal8Bit(child.readAllStandardError()))));
                }
                pending += child.readAllStandardOutput();
                int nl;
                while ((nl = pending.indexOf('\n')) >= 0) {
                    const QByteArray line = pending.left(nl);
                    pending.remove(0, nl + 1);
                    if (line.startsWith("ack ")) {
                        acknowledged = std::max(acknowledged, line.mid(4).toULongLong());
                        ++acks;
                    }
                    if (duringCheckpoint ? line == "checkpoint-start" : acks >= acksWanted) {
                        done = true;
                        break;
                    }
                }
            }
            QThread::usleep(rng.bounded(800));
            ::kill(pid_t(child.processId()), SIGKILL);
            QVERIFY(child.waitForFinished(30000));
            // Lines written before the kill may still be unread: they were acknowledged too.
            pending += child.readAllStandardOutput();
            for (const QByteArray& line : pending.split('\n')) {
                if (line.startsWith("ack "))
                    acknowledged = std::max(acknowledged, line.mid(4).toULongLong());
            }
            if (duringCheckpoint)
                ++killedDuringCheckpoint;

            Store store(path);
            store.open();
            const QStringList problems = store.verify();
            QVERIFY2(problems.isEmpty(), qPrintable(problems.join('\n')));
            for (quint64 id = 1; id <= acknowledged; ++id) {
                const auto v = store.find(id);
                QVERIFY2(v, qPrintable(QStringLiteral("acknowledged version %1 lost (round %2)")
                                           .arg(id)
                                           .arg(round)));
                QVERIFY2(v->version == test::crashVersion(id),
                         qPrintable(QStringLiteral("version %1 changed").arg(id)));
            }
            // Unacknowledged writes may or may not have survived, but only whole and unchanged.
            const quint64 present = store.hot().versionCount() +
                                    store.statistics().coldNodeVersions +
                                    store.statistics().coldEdgeVersions;
            QVERIFY(present >= acknowledged);
            for (quint64 id = acknowledged + 1; id <= store.maxVersionId(); ++id) {
                const auto v = store.find(id);
                QVERIFY2(v, qPrintable(QStringLiteral("gap at version %1").arg(id)));
                QVERIFY(v->version == test::crashVersion(id));
            }
            QCOMPARE(present, store.maxVersionId()); // exactly once: no duplicates, no gaps
            nextId = store.maxVersionId() + 1;
        }
        QVERIFY(killedDuringCheckpoint > 0);
        qInfo("survived %d kills (%d during a checkpoint); %llu versions acknowledged", kills,
              killedDuringCheckpoint, static_cast<unsigned long long>(acknowledged));
    }
};

QTEST_GUILESS_MAIN(TestCrash)
#include "tst_crash.moc"
