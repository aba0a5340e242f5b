#include "passphrasesource.h"

#include "frostlineerror.h"

#include <QFile>

#include <cstdio>
#include <termios.h>
#include <unistd.h>

namespace frostline::cli {

namespace {

QByteArray firstLine(QByteArray text)
{
    const qsizetype end = text.indexOf('\n');
    if (end >= 0)
        text.truncate(end);
    if (text.endsWith('\r'))
        text.chop(1);
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
        const QByteArray passphrase = firstLine(file.read(64 * 1024));
        if (passphrase.isEmpty())
            throw FrostlineError::badInput(
                QStringLiteral("passphrase file %1 holds an empty first line").arg(m_file));
        return passphrase;
    }
    const QByteArray fromEnvironment = qgetenv(kEnvironmentVariable);
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
    return line;
}

QByteArray PassphraseSource::forExisting(const QString& storePath) const
{
    QByteArray passphrase = fromFileOrEnvironment();
    if (passphrase.isEmpty() && ::isatty(STDIN_FILENO))
        passphrase = prompt(QStringLiteral("passphrase for encrypted store %1: ").arg(storePath));
    if (passphrase.isEmpty())
        throw FrostlineError::badInput(
            QStringLiteral("store %1 is encrypted and no passphrase was given: %2")
                .arg(storePath, howToGive()));
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
