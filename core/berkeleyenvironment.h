#pragma once

#include "frostlineerror.h"

#include <QByteArray>
#include <QString>

#include <memory>

class DbEnv;

namespace frostline {

// RAII owner of one transactional Berkeley DB environment (DbEnv in DB_CXX_NO_EXCEPTIONS mode,
// so no DbException can escape). Captures Berkeley DB's own error text per thread so that
// failures can name what Berkeley DB said, not only an error number.
class BerkeleyEnvironment
{
public:
    struct Options
    {
        quint32 cacheBytes = 64u << 20;
        quint32 logBufferBytes = 8u << 20; // large batches log megabytes per transaction
        quint32 logFileBytes = 64u << 20;
        quint32 maxLocks = 0;   // 0 = Berkeley DB default
        quint32 maxObjects = 0; // 0 = Berkeley DB default
        quint32 maxLockers = 0; // 0 = Berkeley DB default
        // Non-empty: Berkeley DB's own encryption (DB_ENCRYPT_AES) with this password, and the
        // regions in process memory (DB_PRIVATE): the cache region holds plaintext pages, which
        // must not sit in mmapped __db.* files. No other process can then attach (db_stat -e).
        QByteArray encryptionPassword;
    };

    explicit BerkeleyEnvironment(QString home);
    ~BerkeleyEnvironment();
    BerkeleyEnvironment(const BerkeleyEnvironment&) = delete;
    BerkeleyEnvironment& operator=(const BerkeleyEnvironment&) = delete;

    // Creates the home (0700) if missing and opens the environment with
    // CREATE|INIT_TXN|INIT_LOG|INIT_LOCK|INIT_MPOOL|RECOVER|THREAD, mode 0600.
    void open(const Options& options);
    void close(); // idempotent
    bool isOpen() const { return m_env != nullptr; }
    // Whether it was opened with encryption: every database must then be opened DB_ENCRYPT.
    bool isEncrypted() const { return m_encrypted; }

    DbEnv* handle() const { return m_env.get(); }
    const QString& home() const { return m_home; }

    // "what in HOME: <Berkeley DB text>" for an error code `ret`, consuming the text captured by
    // the error callback on this thread.
    QString describe(const QString& what, int ret) const;
    FrostlineError error(const QString& what, int ret) const;

    // Forgets the error text captured on this thread (call before a group of operations).
    static void clearCapturedText();
    static QString takeCapturedText();

private:
    QString m_home;
    std::unique_ptr<DbEnv> m_env;
    bool m_encrypted = false;
};

} // namespace frostline
