#include "storelock.h"

#include "frostlineerror.h"

#include <QDir>
#include <QFile>

#include <cerrno>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>

namespace frostline {

namespace {

QByteArray lockFilePath(const QString& storePath)
{
    return QFile::encodeName(QDir(storePath).filePath(StoreLock::fileName()));
}

// The pid the holder wrote into store.lock, or empty (no file, or nothing readable in it).
QString holderPid(const QString& storePath)
{
    const int fd = ::open(lockFilePath(storePath).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return {};
    char buf[32] = {};
    const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    ::close(fd);
    return n > 0 ? QString::fromLatin1(buf, int(n)).trimmed() : QString();
}

FrostlineError lockedBy(const QString& storePath)
{
    const QString holder = holderPid(storePath);
    // flock locks belong to open files, so a second Store on the same directory in this very
    // process is refused too; naming our own pid as "another process" would mislead.
    if (holder == QString::number(qint64(::getpid())))
        return FrostlineError::runtime(
            QStringLiteral("store %1 is locked: it is still open in this process (pid %2); wait "
                           "until the work on it (a backup, verify or migration) has finished and "
                           "it has closed")
                .arg(storePath, holder));
    if (holder.isEmpty() && !QFile::exists(QFile::decodeName(lockFilePath(storePath))))
        return FrostlineError::runtime(
            QStringLiteral("store %1 is locked by a process that cannot be named: its store.lock, "
                           "which holds the pid, was removed while the store was open")
                .arg(storePath));
    return FrostlineError::runtime(
        QStringLiteral("store %1 is locked by another process%2")
            .arg(storePath,
                 holder.isEmpty() ? QString() : QStringLiteral(" (pid %1)").arg(holder)));
}

// LOCK_EX or LOCK_SH on FD without waiting: 0, EWOULDBLOCK when another open file holds it, or
// another errno.
int tryLock(int fd, int operation)
{
    return ::flock(fd, operation | LOCK_NB) == 0 ? 0 : errno;
}

} // namespace

StoreLock::~StoreLock()
{
    release();
}

void StoreLock::acquire(const QString& storePath)
{
    release();
    // The lock is held on the store directory itself: store.lock is a file an operator may
    // delete as stale (it keeps the last pid after every exit), and a lock on a deleted file
    // would let a second process in beside the first, both writing one WAL segment. A directory
    // that holds the store cannot be deleted. store.lock is locked too and carries the pid, for
    // the message a second opener gets and for older versions that look only at it.
    int dirFd =
        ::open(QFile::encodeName(storePath).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirFd < 0)
        throw FrostlineError::runtime(QStringLiteral("store %1: cannot open the directory: %2")
                                          .arg(storePath, FrostlineError::errnoText(errno)));
    if (const int e = tryLock(dirFd, LOCK_EX); e != 0) {
        // A file system that cannot lock a directory (NFS emulates flock with fcntl locks,
        // which need a file open for writing): store.lock alone, as before. The directory stays
        // open all the same: isStillAt() tells by it whether the path still names the store.
        if (e != EBADF && e != EINVAL && e != ENOLCK && e != EOPNOTSUPP) {
            ::close(dirFd);
            if (e == EWOULDBLOCK)
                throw lockedBy(storePath);
            throw FrostlineError::runtime(QStringLiteral("store %1: cannot lock the directory: %2")
                                              .arg(storePath, FrostlineError::errnoText(e)));
        }
        qWarning("store %s: the directory cannot be locked here (%s); only store.lock is",
                 qPrintable(storePath), qPrintable(FrostlineError::errnoText(e)));
    }
    // O_NOFOLLOW: a store.lock that is a symbolic link would have its target truncated and
    // overwritten with the pid.
    const int fd = ::open(lockFilePath(storePath).constData(),
                          O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        const int e = errno;
        if (dirFd >= 0)
            ::close(dirFd);
        if (e == ELOOP)
            throw FrostlineError::runtime(
                QStringLiteral("store %1: %2 is a symbolic link, which Frostline does not follow "
                               "(it would overwrite the file it points to): remove it; the open "
                               "makes its own")
                    .arg(storePath, StoreLock::fileName()));
        // Every open writes (the lock, Berkeley DB's recovery and regions, a torn WAL tail's
        // cut): a store on read-only media (a snapshot, a read-only mount) cannot be opened in
        // place, and the operator needs to know what to do instead.
        if (e == EROFS)
            throw FrostlineError::runtime(
                QStringLiteral("store %1 is on a read-only file system: opening a store writes to "
                               "it (its lock, Berkeley DB's recovery); copy the directory to a "
                               "writable place and open the copy")
                    .arg(storePath));
        throw FrostlineError::runtime(
            QStringLiteral("store %1: cannot open %2: %3")
                .arg(storePath, StoreLock::fileName(), FrostlineError::errnoText(e)));
    }
    if (const int e = tryLock(fd, LOCK_EX); e != 0) {
        ::close(fd);
        if (dirFd >= 0)
            ::close(dirFd);
        if (e == EWOULDBLOCK)
            throw lockedBy(storePath);
        throw FrostlineError::runtime(QStringLiteral("store %1: cannot lock store.lock: %2")
                                          .arg(storePath, FrostlineError::errnoText(e)));
    }
    const QByteArray pid = QByteArray::number(qint64(::getpid())) + '\n';
    if (::ftruncate(fd, 0) == 0)
        (void)!::pwrite(fd, pid.constData(), std::size_t(pid.size()), 0);
    m_fd = fd;
    m_dirFd = dirFd;
}

void StoreLock::release()
{
    for (int* fd : {&m_fd, &m_dirFd}) {
        if (*fd >= 0) {
            ::flock(*fd, LOCK_UN);
            ::close(*fd);
            *fd = -1;
        }
    }
}

bool StoreLock::isStillAt(const QString& storePath) const
{
    if (m_dirFd < 0)
        return true;
    struct stat held
    {
    }, named{};
    if (::fstat(m_dirFd, &held) != 0)
        return true;
    if (::stat(QFile::encodeName(storePath).constData(), &named) != 0)
        return errno != ENOENT && errno != ENOTDIR;
    return held.st_dev == named.st_dev && held.st_ino == named.st_ino;
}

bool StoreLock::isHeld(const QString& storePath)
{
    // Shared probes, dropped at once: they fail only where some process holds the exclusive lock.
    for (const auto& [path, flags] : {std::pair(QFile::encodeName(storePath), 0),
                                      std::pair(lockFilePath(storePath), O_NOFOLLOW)}) {
        const int fd = ::open(path.constData(), O_RDONLY | O_CLOEXEC | flags);
        if (fd < 0)
            continue;
        const bool held = tryLock(fd, LOCK_SH) == EWOULDBLOCK;
        ::close(fd);
        if (held)
            return true;
    }
    return false;
}

} // namespace frostline
