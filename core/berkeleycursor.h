#pragma once

#include <QtGlobal>

class Db;
class Dbc;
class DbTxn;

namespace frostline {

// One Berkeley DB cursor, closed in the destructor. Must not outlive its transaction: declare
// it after the BerkeleyTxn so it is destroyed first.
class BerkeleyCursor
{
public:
    BerkeleyCursor() = default;
    ~BerkeleyCursor();
    BerkeleyCursor(const BerkeleyCursor&) = delete;
    BerkeleyCursor& operator=(const BerkeleyCursor&) = delete;

    int open(Db* db, DbTxn* txn, quint32 flags); // Berkeley DB's error code
    int close();                                 // no-op when not open

    Dbc* handle() const { return m_cursor; }

private:
    Dbc* m_cursor = nullptr;
};

} // namespace frostline
