#pragma once

#include <QByteArray>
#include <QString>

namespace frostline::cli {

// Where frostline-cli takes the passphrase of an encrypted store from, in this order:
// --passphrase-file FILE (all of its first line), the FROSTLINE_PASSPHRASE environment variable,
// or, only when standard input is a terminal, a prompt without echo. Otherwise a clear error.
// The passphrase is held in memory only; it is never written anywhere.
class PassphraseSource
{
public:
    static constexpr const char* kEnvironmentVariable = "FROSTLINE_PASSPHRASE";
    // The longest passphrase taken, whatever its source. A longer one is refused, never cut: a
    // cut passphrase would let in a wrong one that shares its beginning.
    static constexpr qsizetype kMaxBytes = 1024 * 1024;

    void setFile(const QString& path) { m_file = path; }
    bool hasFile() const { return !m_file.isEmpty(); }

    // The passphrase to open the encrypted store (WHAT "store") or backup ("backup") at PATH.
    // Throws FrostlineError::badInput saying it is encrypted and how to give the passphrase.
    QByteArray forExisting(const QString& path, const QString& what) const;
    // The passphrase for a new encrypted store; a prompt asks twice and compares.
    QByteArray forNew(const QString& storePath) const;

private:
    QString m_file;

    QByteArray fromFileOrEnvironment() const;
    static QByteArray prompt(const QString& text);
};

} // namespace frostline::cli
