#pragma once

#include <QString>

class Db;
class DbTxn;

namespace frostline {

class BerkeleyEnvironment;

// RAII owner of one Berkeley DB btree database file inside an environment.
class BerkeleyDatabase
{
public:
    BerkeleyDatabase() = default;
    ~BerkeleyDatabase();
    BerkeleyDatabase(const BerkeleyDatabase&) = delete;
    BerkeleyDatabase& operator=(const BerkeleyDatabase&) = delete;

    // Opens (creating, owner-only) `fileName` as a free-threaded transactional btree.
    // `pageSize` applies only when the file is created. Throws FrostlineError.
    void open(BerkeleyEnvironment& env, const QString& fileName, quint32 pageSize);
    void close(); // idempotent

    Db* handle() const { return m_db; }
    const QString& fileName() const { return m_fileName; }

private:
    Db* m_db = nullptr;
    QString m_fileName;
};

} // namespace frostline
