#include "storelock.h"

#include "frostlineerror.h"

#include <QDir>

#include <cerrno>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace frostline {

StoreLock::~StoreLock()
{
    release();
}

void StoreLock::acquire(const QString& storePath)
{
    release();
    const QByteArray path = QDir(storePath).filePath(QStringLiteral("store.lock")).toLocal8Bit();
    const int fd = ::open(path.constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        throw FrostlineError::runtime(QStringLiteral("store %1: cannot open store.lock: %2")
                                          .arg(storePath, FrostlineError::errnoText(errno)));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int e = errno;
        char buf[32] = {};
        const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
        ::close(fd);
        if (e == EWOULDBLOCK) {
            const QString holder = n > 0 ? QString::fromLatin1(buf, int(n)).trimmed() : QString();
            // flock locks belong to open files, so a second Store on the same directory in this
            // very process is refused too; naming our own pid as "another process" would mislead.
            if (holder == QString::number(qint64(::getpid())))
                throw FrostlineError::runtime(
                    QStringLiteral(
                        "store %1 is locked: it is still open in this process (pid %2); wait until "
                        "the work on it (a backup, verify or migration) has finished "
                        "and it has closed")
                        .arg(storePath, holder));
            throw FrostlineError::runtime(
                QStringLiteral("store %1 is locked by another process%2")
                    .arg(storePath,
                         holder.isEmpty() ? QString() : QStringLiteral(" (pid %1)").arg(holder)));
        }
        throw FrostlineError::runtime(QStringLiteral("store %1: cannot lock store.lock: %2")
                                          .arg(storePath, FrostlineError::errnoText(e)));
    }
    const QByteArray pid = QByteArray::number(qint64(::getpid())) + '\n';
    if (::ftruncate(fd, 0) == 0)
        (void)!::pwrite(fd, pid.constData(), std::size_t(pid.size()), 0);
    m_fd = fd;
}

void StoreLock::release()
{
    if (m_fd >= 0) {
        ::flock(m_fd, LOCK_UN);
        ::close(m_fd);
        m_fd = -1;
    }
}

} // namespace frostline
