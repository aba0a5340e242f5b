#pragma once

#include <QtGlobal>

class DbEnv;
class DbTxn;

namespace frostline {

// One Berkeley DB transaction: aborted in the destructor unless committed, so every early
// return or exception leaves nothing of it behind.
class BerkeleyTxn
{
public:
    BerkeleyTxn() = default;
    ~BerkeleyTxn();
    BerkeleyTxn(const BerkeleyTxn&) = delete;
    BerkeleyTxn& operator=(const BerkeleyTxn&) = delete;

    // Returns Berkeley DB's error code (0 on success).
    int begin(DbEnv* env, quint32 flags);
    int commit(quint32 flags);
    int abort(); // no-op when not active

    DbTxn* handle() const { return m_txn; }
    bool isActive() const { return m_txn != nullptr; }

private:
    DbTxn* m_txn = nullptr;
};

} // namespace frostline
