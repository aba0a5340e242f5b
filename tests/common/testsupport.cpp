#include "testsupport.h"

#include "store.h"
#include "workloadgenerator.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QSettings>
#include <QTest>
#include <QThread>

namespace frostline::test {

QString cliPath()
{
    const QByteArray env = qgetenv("FROSTLINE_CLI");
    return env.isEmpty() ? QStringLiteral(FROSTLINE_CLI_PATH) : QString::fromLocal8Bit(env);
}

CliResult runCli(const QStringList& args, int timeoutMs, const QByteArray& input)
{
    QProcess p;
    p.start(cliPath(), args);
    CliResult r;
    if (!p.waitForStarted(10000))
        return r;
    if (!input.isEmpty())
        p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = "timed out";
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

bool waitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout)
{
    QDeadlineTimer deadline(timeout);
    while (!condition()) {
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
        QThread::yieldCurrentThread();
    }
    return true;
}

QByteArray readFile(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

void writeFile(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        qFatal("cannot write %s", qPrintable(path));
    f.write(bytes);
}

quint64 makeGeneratedStore(const QString& path, quint64 versions, quint64 entities, int spanDays,
                           quint64 seed, const QByteArray& passphrase)
{
    Store::Options options;
    if (passphrase.isEmpty()) {
        Store::create(path);
    } else {
        Store::create(path, passphrase);
        options.passphrase = passphrase;
    }
    Store store(path, options);
    store.open();
    WorkloadGenerator::Options o;
    o.entities = entities;
    o.versions = versions;
    o.spanDays = spanDays;
    o.seed = seed;
    store.append(WorkloadGenerator(o).generateAll());
    store.close();
    return versions;
}

void useThrowAwaySettings(const QTemporaryDir& dir, const QString& application)
{
    QVERIFY(dir.isValid());
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, dir.path());
    QCoreApplication::setOrganizationName(QStringLiteral("FrostlineTest"));
    QCoreApplication::setApplicationName(application);
    QSettings().clear();
}

QMap<QString, QByteArray> treeDigest(const QString& dir)
{
    QMap<QString, QByteArray> digest;
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString file = it.next();
        QFile f(file);
        if (!f.open(QIODevice::ReadOnly))
            qFatal("cannot read %s", qPrintable(file));
        digest[QDir(dir).relativeFilePath(file)] =
            QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
    }
    return digest;
}

} // namespace frostline::test
