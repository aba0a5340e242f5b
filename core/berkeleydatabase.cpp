#include "berkeleydatabase.h"

#include "berkeleyenvironment.h"

#include <QFile>

#include <db_cxx.h>

namespace frostline {

BerkeleyDatabase::~BerkeleyDatabase()
{
    close();
}

void BerkeleyDatabase::open(BerkeleyEnvironment& env, const QString& fileName, quint32 pageSize)
{
    close();
    auto* db = new Db(env.handle(), DB_CXX_NO_EXCEPTIONS);
    if (pageSize)
        db->set_pagesize(pageSize);
    if (env.isEncrypted())
        db->set_flags(DB_ENCRYPT);
    const QByteArray name = QFile::encodeName(fileName);
    const int ret = db->open(nullptr, name.constData(), nullptr, DB_BTREE,
                             DB_CREATE | DB_AUTO_COMMIT | DB_THREAD, 0600);
    if (ret != 0) {
        const QString message = env.describe(QStringLiteral("cannot open %1").arg(fileName), ret);
        db->close(0);
        delete db;
        throw FrostlineError::runtime(message);
    }
    m_db = db;
    m_fileName = fileName;
}

void BerkeleyDatabase::close()
{
    if (!m_db)
        return;
    m_db->close(0);
    delete m_db;
    m_db = nullptr;
}

} // namespace frostline
