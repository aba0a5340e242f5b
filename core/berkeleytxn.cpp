#include "berkeleytxn.h"

#include <db_cxx.h>

namespace frostline {

BerkeleyTxn::~BerkeleyTxn()
{
    abort();
}

int BerkeleyTxn::begin(DbEnv* env, quint32 flags)
{
    abort();
    return env->txn_begin(nullptr, &m_txn, flags);
}

int BerkeleyTxn::commit(quint32 flags)
{
    if (!m_txn)
        return EINVAL;
    // The handle is gone after commit whatever it returns (a failed commit aborts).
    DbTxn* txn = m_txn;
    m_txn = nullptr;
    return txn->commit(flags);
}

int BerkeleyTxn::abort()
{
    if (!m_txn)
        return 0;
    DbTxn* txn = m_txn;
    m_txn = nullptr;
    return txn->abort();
}

} // namespace frostline
