#pragma once

#include <QString>

namespace frostline {

// STORE/store.lock, held (flock, exclusive) while a process has the store open, so a second
// opener gets a clear error instead of two writers. The kernel drops the lock when the holder
// dies, even by kill -9, so a crash never leaves a store locked.
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

private:
    int m_fd = -1;
};

} // namespace frostline
