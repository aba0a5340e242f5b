#include "berkeleyenvironment.h"

#include "regionfaulthandler.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <db_cxx.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <sys/stat.h>

namespace frostline {

namespace {

// Berkeley DB calls the error callback on the thread whose operation failed, so a thread-local
// buffer pairs each failure with its own text even when several threads use the environment.
thread_local std::string t_capturedText;
// A failing write can repeat its messages for every page it could not write (a full disk
// during a checkpoint: 3 messages a page, 148 KB in one error line): the first few are kept, and
// the first of each kind a caller looks for (a full disk; a wrong magic number, which Store::open
// explains for an encrypted store). The rest is counted, but the newest is kept too: a thread
// whose earlier text was never taken must still say what failed last.
constexpr int kKeptMessages = 3;
thread_local int t_keptMessages = 0;
thread_local int t_droppedMessages = 0;
thread_local std::string t_newestDropped;

bool saysNoSpace(const std::string& text)
{
    return text.find(std::strerror(ENOSPC)) != std::string::npos;
}

bool soughtByCallers(const std::string& text)
{
    auto first = [&text](bool (*says)(const std::string&)) {
        return says(text) && !says(t_capturedText);
    };
    return first(saysNoSpace) ||
           first([](const std::string& t) { return t.find("magic number") != std::string::npos; });
}

void captureError(const DbEnv*, const char* prefix, const char* message)
{
    std::string text;
    if (prefix && *prefix)
        text = std::string(prefix) + ": ";
    text += message ? message : "";
    if (t_keptMessages >= kKeptMessages && !soughtByCallers(text)) {
        ++t_droppedMessages;
        t_newestDropped = std::move(text);
        return;
    }
    if (!t_capturedText.empty())
        t_capturedText += "; ";
    t_capturedText += text;
    ++t_keptMessages;
}

void forgetCapturedText()
{
    t_capturedText.clear();
    t_keptMessages = 0;
    t_droppedMessages = 0;
    t_newestDropped.clear();
}

} // namespace

BerkeleyEnvironment::BerkeleyEnvironment(QString home) : m_home(std::move(home)) {}

BerkeleyEnvironment::~BerkeleyEnvironment()
{
    close();
}

void BerkeleyEnvironment::clearCapturedText()
{
    forgetCapturedText();
}

QString BerkeleyEnvironment::takeCapturedText()
{
    QString text = QString::fromStdString(t_capturedText);
    if (t_droppedMessages > 1)
        text += QStringLiteral("; %1 more message(s), the last: ").arg(t_droppedMessages - 1);
    else if (t_droppedMessages == 1)
        text += QStringLiteral("; ");
    if (t_droppedMessages > 0)
        text += QString::fromStdString(t_newestDropped);
    forgetCapturedText();
    return text;
}

QString BerkeleyEnvironment::describe(const QString& what, int ret) const
{
    const QString captured = takeCapturedText();
    QString reason = QString::fromLocal8Bit(DbEnv::strerror(ret));
    // A full disk sometimes comes back as another code (EPERM from a failed copy) that only
    // Berkeley DB's own text explains: lead with the cause the operator can act on.
    if (const QString full = FrostlineError::errnoText(ENOSPC);
        ret != ENOSPC && captured.contains(full))
        reason = full;
    QString text = QStringLiteral("%1 in cold tier %2: %3").arg(what, m_home, reason);
    if (!captured.isEmpty())
        text += QStringLiteral(" (Berkeley DB: %1)").arg(captured);
    return text;
}

FrostlineError BerkeleyEnvironment::error(const QString& what, int ret) const
{
    return FrostlineError::runtime(describe(what, ret));
}

void BerkeleyEnvironment::open(const Options& options)
{
    if (m_env)
        return;
    clearCapturedText();

    const QFileInfo info(m_home);
    if (info.exists() && !info.isDir())
        throw FrostlineError::runtime(
            QStringLiteral("cannot open cold tier %1: the path exists and is not a directory")
                .arg(m_home));
    if (!info.exists()) {
        const QByteArray path = QFile::encodeName(m_home);
        if (!QDir().mkpath(QFileInfo(m_home).absolutePath()) ||
            (::mkdir(path.constData(), 0700) != 0 && errno != EEXIST))
            throw FrostlineError::runtime(QStringLiteral("cannot create cold tier home %1: %2")
                                              .arg(m_home, FrostlineError::errnoText(errno)));
    }

    auto env = std::make_unique<DbEnv>(DB_CXX_NO_EXCEPTIONS);
    env->set_errcall(captureError);
    auto check = [&](int ret, const char* what) {
        if (ret != 0)
            throw error(QString::fromLatin1(what), ret);
    };
    check(env->set_cachesize(0, options.cacheBytes, 1), "setting the cache size");
    check(env->set_lg_bsize(options.logBufferBytes), "setting the log buffer size");
    check(env->set_lg_max(options.logFileBytes), "setting the log file size");
    check(env->set_lg_filemode(0600), "setting the log file mode");
    if (options.maxLocks)
        check(env->set_lk_max_locks(options.maxLocks), "setting the lock table size");
    if (options.maxObjects)
        check(env->set_lk_max_objects(options.maxObjects), "setting the lock object table size");
    if (options.maxLockers)
        check(env->set_lk_max_lockers(options.maxLockers), "setting the locker table size");
    // A blocked lock request that closes a cycle is refused at once instead of waiting for an
    // external db_deadlock run. The victim is the locker with the fewest write locks: a scan
    // resumes cheaply where it stopped, a commit would have to redo its whole batch.
    check(env->set_lk_detect(DB_LOCK_MINWRITE), "setting the deadlock detector");

    u_int32_t flags = DB_CREATE | DB_INIT_TXN | DB_INIT_LOG | DB_INIT_LOCK | DB_INIT_MPOOL |
                      DB_RECOVER | DB_THREAD;
    const bool encrypted = !options.encryptionPassword.isEmpty();
    if (encrypted) {
        check(env->set_encrypt(options.encryptionPassword.constData(), DB_ENCRYPT_AES),
              "setting the encryption key");
        flags |= DB_PRIVATE;
    }
    const QByteArray home = QFile::encodeName(m_home);
    const int ret = env->open(home.constData(), flags, 0600);
    if (ret != 0) {
        // On a full file system Berkeley DB panics while it lays down its region files and log,
        // and says "run database recovery", which sends the operator the wrong way: recovery is
        // what failed for want of room, and runs again at the next open.
        const std::string noSpace = std::strerror(ENOSPC); // copied: strerror's buffer is reused
        const bool fileSystemFull = ret == ENOSPC || saysNoSpace(t_capturedText);
        const QString message =
            fileSystemFull
                ? QStringLiteral("cannot open cold tier %1: %2: opening needs room for Berkeley "
                                 "DB's region files and log; no data was changed (the files laid "
                                 "down so far stay, for the next open): free some space and open "
                                 "the store again")
                      .arg(m_home, QString::fromLocal8Bit(noSpace.c_str()))
                : describe(QStringLiteral("cannot open environment"), ret);
        clearCapturedText(); // what Berkeley DB said is in the message, or superseded by it
        env->close(0);
        throw FrostlineError::runtime(message);
    }
    m_env = std::move(env);
    m_encrypted = encrypted;
    // A restore's copy is noted with its own advice (StoreBackup): keep that for this home.
    if (!RegionFaultHandler::notedEnvironment().startsWith(m_home + QLatin1Char(' ')))
        RegionFaultHandler::noteEnvironment(m_home);
}

void BerkeleyEnvironment::close()
{
    if (!m_env)
        return;
    // DbEnv::close frees the handle's resources whatever it returns; nothing to retry.
    m_env->close(0);
    m_env.reset();
}

} // namespace frostline
