#pragma once

#include <QString>

namespace frostline {

// The store's lock, held (flock, exclusive) on the STORE directory and on STORE/store.lock while a
// process has the store open, so a second opener gets a clear error instead of two writers. The
// kernel drops the lock when the holder dies, even by kill -9, so a crash never leaves a store
// locked; and deleting store.lock (it stays behind after every exit) does not unlock it.
class StoreLock
{
public:
    StoreLock() = default;
    ~StoreLock();
    StoreLock(const StoreLock&) = delete;
    StoreLock& operator=(const StoreLock&) = delete;

    // Throws FrostlineError::runtime naming the store (and the holder's pid when known).
    void acquire(const QString& storePath);
    void release();
    bool held() const { return m_fd >= 0; }
    // Whether STORE_PATH still names the directory that was locked (same device and inode).
    // False once it was renamed away or replaced (mv STORE elsewhere; init STORE anew): new
    // files made by path would then land in another store. True when it cannot be told.
    bool isStillAt(const QString& storePath) const;
    // Whether some process (this one included) holds the lock of the store at STORE_PATH.
    static bool isHeld(const QString& storePath);
    // The lock file's name inside STORE. It stays behind after every open (with the last holder's
    // pid), so copies leave it out and "has this directory ever been opened" asks for it.
    static QString fileName() { return QStringLiteral("store.lock"); }

private:
    int m_fd = -1;    // STORE/store.lock
    int m_dirFd = -1; // STORE (locked where the file system can lock a directory)
};

} // namespace frostline
