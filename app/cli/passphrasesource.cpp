#include "passphrasesource.h"

#include "frostlineerror.h"

#include <QFile>

#include <cstdio>
#include <termios.h>
#include <unistd.h>

namespace frostline::cli {

namespace {

QString tooLong(const QString& what)
{
    return QStringLiteral("%1 is longer than the limit for a passphrase, %2 bytes")
        .arg(what)
        .arg(PassphraseSource::kMaxBytes);
}

// The first line of `file` (named `path`) without its line end, "\n" or "\r\n": all of it, read
// only as far as needed to see it end or to see it is longer than a passphrase may be.
QByteArray readFirstLine(QFile& file, const QString& path)
{
    QByteArray text;
    QByteArray chunk(64 * 1024, Qt::Uninitialized);
    // Up to the limit and a '\r' before the '\n'; beyond that the line is too long anyway.
    while (text.size() <= PassphraseSource::kMaxBytes + 1) {
        const qint64 n = file.read(chunk.data(), chunk.size());
        if (n < 0)
            throw FrostlineError::badInput(
                QStringLiteral("cannot read passphrase file %1: %2").arg(path, file.errorString()));
        if (n == 0)
            break;
        const qsizetype from = text.size();
        text.append(chunk.constData(), qsizetype(n));
        if (const qsizetype end = text.indexOf('\n', from); end >= 0) {
            text.truncate(end);
            break;
        }
    }
    if (text.endsWith('\r'))
        text.chop(1);
    if (text.size() > PassphraseSource::kMaxBytes)
        throw FrostlineError::badInput(
            tooLong(QStringLiteral("the first line of passphrase file %1").arg(path)));
    return text;
}

QString howToGive()
{
    return QStringLiteral("give it with --passphrase-file FILE or the %1 environment variable, "
                          "or run on a terminal to be prompted")
        .arg(QLatin1String(PassphraseSource::kEnvironmentVariable));
}

} // namespace

QByteArray PassphraseSource::fromFileOrEnvironment() const
{
    if (hasFile()) {
        QFile file(m_file);
        if (!file.open(QIODevice::ReadOnly))
            throw FrostlineError::badInput(QStringLiteral("cannot read passphrase file %1: %2")
                                               .arg(m_file, file.errorString()));
        const QByteArray passphrase = readFirstLine(file, m_file);
        if (passphrase.isEmpty())
            throw FrostlineError::badInput(
                QStringLiteral("passphrase file %1 holds an empty first line").arg(m_file));
        return passphrase;
    }
    const QByteArray fromEnvironment = qgetenv(kEnvironmentVariable);
    if (fromEnvironment.size() > kMaxBytes)
        throw FrostlineError::badInput(tooLong(QStringLiteral("the %1 environment variable")
                                                   .arg(QLatin1String(kEnvironmentVariable))));
    if (!fromEnvironment.isEmpty())
        return fromEnvironment;
    return {};
}

QByteArray PassphraseSource::prompt(const QString& text)
{
    std::fputs(text.toLocal8Bit().constData(), stderr);
    std::fflush(stderr);
    termios saved{};
    const bool terminal = ::tcgetattr(STDIN_FILENO, &saved) == 0;
    if (terminal) {
        termios quiet = saved;
        quiet.c_lflag &= ~tcflag_t(ECHO);
        quiet.c_lflag |= ECHONL;
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    QByteArray line;
    for (int c; (c = std::fgetc(stdin)) != EOF && c != '\n';)
        line.append(char(c));
    if (terminal)
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    if (line.endsWith('\r'))
        line.chop(1);
    if (line.size() > kMaxBytes)
        throw FrostlineError::badInput(tooLong(QStringLiteral("the passphrase typed")));
    return line;
}

QByteArray PassphraseSource::forExisting(const QString& path, const QString& what) const
{
    QByteArray passphrase = fromFileOrEnvironment();
    if (passphrase.isEmpty() && ::isatty(STDIN_FILENO))
        passphrase = prompt(QStringLiteral("passphrase for encrypted %1 %2: ").arg(what, path));
    if (passphrase.isEmpty())
        throw FrostlineError::badInput(
            QStringLiteral("%1 %2 is encrypted and no passphrase was given: %3")
                .arg(what, path, howToGive()));
    return passphrase;
}

QByteArray PassphraseSource::forNew(const QString& storePath) const
{
    QByteArray passphrase = fromFileOrEnvironment();
    if (passphrase.isEmpty() && ::isatty(STDIN_FILENO)) {
        passphrase = prompt(QStringLiteral("new passphrase for store %1: ").arg(storePath));
        if (!passphrase.isEmpty() &&
            prompt(QStringLiteral("repeat the passphrase: ")) != passphrase)
            throw FrostlineError::badInput(QStringLiteral("the passphrases do not match"));
    }
    if (passphrase.isEmpty())
        throw FrostlineError::badInput(
            QStringLiteral("init --encrypt needs a passphrase: %1").arg(howToGive()));
    return passphrase;
}

} // namespace frostline::cli
