#include "privatefile.h"

#include "frostlineerror.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace frostline {

void PrivateFile::makeDirectory(const QString& path)
{
    errno = 0;
    if (!QDir().mkpath(path)) // without errno, a file is in the way
        throw FrostlineError::runtime(
            QStringLiteral("cannot create directory %1: %2")
                .arg(path, FrostlineError::errnoText(errno ? errno : EEXIST)));
    ::chmod(QFile::encodeName(path).constData(), 0700);
}

void PrivateFile::syncDirectory(const QString& dir)
{
    const int fd = ::open(QFile::encodeName(dir).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) {
        const int err = errno;
        if (fd >= 0)
            ::close(fd);
        throw FrostlineError::runtime(
            QStringLiteral("cannot sync %1: %2").arg(dir, FrostlineError::errnoText(err)));
    }
    ::close(fd);
}

void PrivateFile::write(const QString& path, const QByteArray& bytes, const QString& purpose)
{
    auto fail = [&](const char* what, int err) {
        return FrostlineError::runtime(
            QStringLiteral("%1: cannot %2: %3: %4")
                .arg(path, purpose, QLatin1String(what), FrostlineError::errnoText(err)));
    };
    // mkstemp creates the temp file 0600 beside the target, so the rename stays on one file
    // system and readers see either the old content or the whole new one.
    QByteArray tmpl = QFile::encodeName(path) + ".tmp-XXXXXX";
    const int fd = ::mkstemp(tmpl.data());
    if (fd < 0)
        throw fail("create temp file", errno);
    auto cleanup = [&](const char* what) {
        const int err = errno;
        ::close(fd);
        ::unlink(tmpl.constData());
        return fail(what, err);
    };
    if (::fchmod(fd, 0600) != 0)
        throw cleanup("chmod");
    qsizetype written = 0;
    while (written < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.constData() + written,
                                  static_cast<std::size_t>(bytes.size() - written));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw cleanup("write");
        }
        written += n;
    }
    if (::fsync(fd) != 0)
        throw cleanup("fsync");
    if (::close(fd) != 0) {
        const int err = errno;
        ::unlink(tmpl.constData());
        throw fail("close", err);
    }
    if (::rename(tmpl.constData(), QFile::encodeName(path).constData()) != 0) {
        const int err = errno;
        ::unlink(tmpl.constData());
        throw fail("rename", err);
    }
    // Make the rename itself durable.
    const QByteArray dir = QFile::encodeName(QFileInfo(path).absolutePath());
    if (const int dfd = ::open(dir.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

} // namespace frostline
