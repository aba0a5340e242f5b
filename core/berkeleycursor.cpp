#include "berkeleycursor.h"

#include <db_cxx.h>

namespace frostline {

BerkeleyCursor::~BerkeleyCursor()
{
    close();
}

int BerkeleyCursor::open(Db* db, DbTxn* txn, quint32 flags)
{
    close();
    return db->cursor(txn, &m_cursor, flags);
}

int BerkeleyCursor::close()
{
    if (!m_cursor)
        return 0;
    Dbc* cursor = m_cursor;
    m_cursor = nullptr;
    return cursor->close();
}

} // namespace frostline
