#include "coldtier.h"

#include "parallelslices.h"

#include "berkeleycursor.h"
#include "berkeleydatabase.h"
#include "berkeleyenvironment.h"
#include "berkeleytxn.h"
#include "frostlineerror.h"
#include "storecipher.h"
#include "versioncodec.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>

#include <db_cxx.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <shared_mutex>
#include <thread>

namespace frostline {

namespace {

// Keys are big-endian so Berkeley DB's bytewise btree order is numeric order.
constexpr std::size_t kIdKeySize = 8;
constexpr std::size_t kHistoryKeySize = 1 + 8 + 8 + 8;
constexpr quint64 kFormatVersion = 1;

// 8 KiB pages: measured against 4/16/64 KiB with bench_coldcommit (see the report); small
// records (~150 bytes) pack well and splits stay cheap to log.
constexpr quint32 kPageSize = 8192;
// Bulk read buffer for scans; grown when a single record does not fit.
constexpr quint32 kBulkReadBytes = 4u << 20;
// A deadlock victim starts its operation again (a scan resumes after its last key). The detector
// picks the locker holding the fewest write locks (DB_LOCK_MINWRITE), so a reader yields to a
// commit; it backs off a little more each time so the commit it collided with can finish. Fifty
// attempts span about a second: enough for a commit under load, still a clear error if a lock
// never comes free.
constexpr int kDeadlockRetries = 50;

const char* const kMetaFormat = "format_version";
const char* const kMetaFlushedLsn = "flushed_lsn";
const char* const kMetaNodes = "node_versions";
const char* const kMetaEdges = "edge_versions";
const char* const kMetaColdBytes = "cold_bytes";
const char* const kMetaCheckpoint = "checkpoint_versions";
const char* const kMetaNewestWalSegment = "wal_newest_segment";

inline void putBigEndian(quint64 v, unsigned char* out)
{
    for (int i = 7; i >= 0; --i) {
        out[i] = static_cast<unsigned char>(v & 0xff);
        v >>= 8;
    }
}

inline quint64 getBigEndian(const void* p)
{
    const auto* in = static_cast<const unsigned char*>(p);
    quint64 v = 0;
    for (int i = 0; i < 8; ++i)
        v = (v << 8) | in[i];
    return v;
}

struct IdKey
{
    unsigned char bytes[kIdKeySize];
    explicit IdKey(quint64 id) { putBigEndian(id, bytes); }
};

// (kind, entity id, tx_from with its sign bit flipped so negative times sort first, version id).
struct HistoryKey
{
    unsigned char bytes[kHistoryKeySize];
    HistoryKey() = default;
    HistoryKey(EntityKind kind, quint64 entityId, qint64 txFrom, quint64 versionId)
    {
        bytes[0] = static_cast<unsigned char>(kind);
        putBigEndian(entityId, bytes + 1);
        putBigEndian(quint64(txFrom) ^ (quint64(1) << 63), bytes + 9);
        putBigEndian(versionId, bytes + 17);
    }
    explicit HistoryKey(const Version& v) : HistoryKey(v.kind, v.entityId, v.txFrom, v.versionId) {}
    friend bool operator<(const HistoryKey& a, const HistoryKey& b)
    {
        return std::memcmp(a.bytes, b.bytes, kHistoryKeySize) < 0;
    }
    friend bool operator==(const HistoryKey& a, const HistoryKey& b)
    {
        return std::memcmp(a.bytes, b.bytes, kHistoryKeySize) == 0;
    }
};

bool isRetryable(int ret)
{
    return ret == DB_LOCK_DEADLOCK || ret == DB_LOCK_NOTGRANTED;
}

// True (after a short pause) when an operation that failed with `ret` on attempt `attempt`
// should run again.
bool retryAfterDeadlock(int ret, int attempt)
{
    if (!isRetryable(ret) || attempt + 1 >= kDeadlockRetries)
        return false;
    if (attempt == 0)
        std::this_thread::yield();
    else
        std::this_thread::sleep_for(
            std::chrono::microseconds(std::min(50 << std::min(attempt, 8), 25'000)));
    return true;
}

Dbt keyDbt(const void* data, std::size_t size)
{
    Dbt key(const_cast<void*>(data), u_int32_t(size));
    return key;
}

// A bulk (DB_MULTIPLE / DB_MULTIPLE_KEY) write buffer, sized up front so builders never run out.
class BulkBuffer
{
public:
    void reset(std::size_t payloadBytes, std::size_t items, std::size_t slotsPerItem)
    {
        // Each item costs `slotsPerItem` u32 pairs (offset, length) at the end, plus a terminator.
        std::size_t bytes = payloadBytes + items * slotsPerItem * 8 + 64;
        bytes = (bytes + 1023) & ~std::size_t(1023);
        if (m_storage.size() < bytes)
            m_storage.resize(bytes);
        m_dbt = Dbt(m_storage.data(), u_int32_t(bytes));
        m_dbt.set_ulen(u_int32_t(bytes));
        m_dbt.set_flags(DB_DBT_USERMEM);
        m_count = 0;
    }
    Dbt& dbt() { return m_dbt; }
    std::size_t count() const { return m_count; }
    void added() { ++m_count; }

private:
    std::vector<char> m_storage;
    Dbt m_dbt;
    std::size_t m_count = 0;
};

// One record of a bulk read, pointing into the read buffer.
struct Record
{
    const char* key;
    u_int32_t keySize;
    const char* data;
    u_int32_t dataSize;
    QByteArrayView value() const { return {data, qsizetype(dataSize)}; }
    // The version id under which a record of nodes.db, edges.db or checkpoint.db is stored; 0
    // (never a version id) when the key is not the 8 bytes of one.
    quint64 versionId() const { return keySize == kIdKeySize ? getBigEndian(key) : 0; }
};

struct Meta
{
    quint64 format = 0;
    quint64 flushedLsn = 0;
    quint64 nodes = 0;
    quint64 edges = 0;
    quint64 coldBytes = 0;
    quint64 checkpoint = 0;
    quint64 newestWalSegment = 0; // first LSN; 0 in a store from before the key existed
};

// Reads a record into `buffer` (free-threaded handles need caller-owned memory).
int getRecord(Db* db, DbTxn* txn, Dbt& key, std::vector<char>& buffer, u_int32_t* size,
              u_int32_t flags)
{
    if (buffer.size() < 4096)
        buffer.resize(4096);
    for (;;) {
        Dbt data(buffer.data(), 0);
        data.set_ulen(u_int32_t(buffer.size()));
        data.set_flags(DB_DBT_USERMEM);
        const int ret = db->get(txn, &key, &data, flags);
        if (ret == DB_BUFFER_SMALL) {
            buffer.resize(data.get_size());
            continue;
        }
        *size = data.get_size();
        return ret;
    }
}

// Appends to *found the ids of `sortedIds` that `db` holds. A merge join: one DB_SET_RANGE
// jumps over every batch id below the next stored key, so a batch landing in an empty key range
// costs one lookup, and never more than one per id.
int findExisting(Db* db, DbTxn* txn, const std::vector<quint64>& sortedIds,
                 std::vector<quint64>* found)
{
    if (sortedIds.empty())
        return 0;
    BerkeleyCursor cursor;
    if (int ret = cursor.open(db, txn, 0))
        return ret;
    unsigned char keyBytes[kIdKeySize];
    Dbt data;
    data.set_flags(DB_DBT_PARTIAL | DB_DBT_USERMEM); // keys only: read no value bytes
    data.set_dlen(0);
    data.set_ulen(0);
    std::size_t i = 0;
    while (i < sortedIds.size()) {
        putBigEndian(sortedIds[i], keyBytes);
        Dbt key(keyBytes, kIdKeySize);
        key.set_ulen(kIdKeySize);
        key.set_flags(DB_DBT_USERMEM);
        const int ret = cursor.handle()->get(&key, &data, DB_SET_RANGE);
        if (ret == DB_NOTFOUND)
            return 0;
        if (ret != 0)
            return ret;
        if (key.get_size() != kIdKeySize)
            return DB_VERIFY_BAD;
        const quint64 next = getBigEndian(keyBytes);
        while (i < sortedIds.size() && sortedIds[i] < next)
            ++i;
        if (i < sortedIds.size() && sortedIds[i] == next) {
            found->push_back(next);
            ++i;
        }
    }
    return 0;
}

QString hookMessage(std::exception_ptr e)
{
    try {
        std::rethrow_exception(e);
    } catch (const FrostlineError& error) {
        return error.message();
    } catch (const std::exception& error) {
        return QString::fromLocal8Bit(error.what());
    } catch (...) {
        return QStringLiteral("unknown exception");
    }
}

} // namespace

class ColdTier::Private
{
public:
    Private(QString homePath, std::shared_ptr<const StoreCipher> storeCipher)
        : home(std::move(homePath)), cipher(std::move(storeCipher))
    {}

    QString home;
    std::shared_ptr<const StoreCipher> cipher; // null: an unencrypted store
    std::unique_ptr<BerkeleyEnvironment> env;
    BerkeleyDatabase nodes, edges, history, checkpoint, meta;

    // open/close take it exclusively, every other method shared: no use after close.
    mutable std::shared_mutex lifecycle;
    // Writers (commit, environment checkpoint, verify) one at a time: verify must not see a
    // file being modified, and serial commits never deadlock each other.
    mutable std::mutex writer;
    mutable std::mutex hookMutex;
    std::function<void(const char*)> hook;

    // A copy of the failure hook as it is now, taken once per operation (tests may replace it
    // from another thread).
    std::function<void(const char*)> currentHook() const
    {
        std::lock_guard lock(hookMutex);
        return hook;
    }
    int backupsRunning = 0; // guarded by `writer`: log files stay while a backup copies them

    void requireOpen(const char* what) const
    {
        if (!env || !env->isOpen())
            throw FrostlineError::runtime(
                QStringLiteral("cold tier %1 is not open (%2)").arg(home, QLatin1String(what)));
    }

    Db* kindDb(EntityKind kind) const
    {
        return kind == EntityKind::Edge ? edges.handle() : nodes.handle();
    }

    [[noreturn]] void fail(const QString& what, int ret) const { throw env->error(what, ret); }

    // Runs `op` (returning a Berkeley DB code) again when Berkeley DB picks it as a deadlock
    // victim; any other failure throws naming `what`.
    template <typename Op> void retrying(const QString& what, Op&& op) const
    {
        for (int attempt = 0;; ++attempt) {
            BerkeleyEnvironment::clearCapturedText();
            const int ret = op();
            if (ret == 0)
                return;
            if (!retryAfterDeadlock(ret, attempt))
                fail(what, ret);
        }
    }

    int readMeta(DbTxn* txn, Meta& m, u_int32_t flags) const
    {
        std::vector<char> buffer;
        auto read = [&](const char* name, quint64& value) {
            Dbt key = keyDbt(name, std::strlen(name));
            u_int32_t size = 0;
            const int ret = getRecord(meta.handle(), txn, key, buffer, &size, flags);
            if (ret == DB_NOTFOUND) {
                value = 0;
                return 0;
            }
            if (ret != 0)
                return ret;
            if (size != 8)
                return DB_VERIFY_BAD;
            value = getBigEndian(buffer.data());
            return 0;
        };
        int ret;
        if ((ret = read(kMetaFormat, m.format)) || (ret = read(kMetaFlushedLsn, m.flushedLsn)) ||
            (ret = read(kMetaNodes, m.nodes)) || (ret = read(kMetaEdges, m.edges)) ||
            (ret = read(kMetaColdBytes, m.coldBytes)) ||
            (ret = read(kMetaCheckpoint, m.checkpoint)) ||
            (ret = read(kMetaNewestWalSegment, m.newestWalSegment)))
            return ret;
        return 0;
    }

    // The metadata as last committed, read in its own transaction.
    Meta committedMeta(const QString& what) const
    {
        Meta m;
        retrying(what, [&] {
            BerkeleyTxn txn;
            if (int ret = txn.begin(env->handle(), DB_READ_COMMITTED))
                return ret;
            if (int ret = readMeta(txn.handle(), m, 0))
                return ret;
            return txn.commit(0);
        });
        return m;
    }

    int writeMeta(DbTxn* txn, const Meta& m) const
    {
        const std::pair<const char*, quint64> values[] = {
            {kMetaFormat, m.format},
            {kMetaFlushedLsn, m.flushedLsn},
            {kMetaNodes, m.nodes},
            {kMetaEdges, m.edges},
            {kMetaColdBytes, m.coldBytes},
            {kMetaCheckpoint, m.checkpoint},
            {kMetaNewestWalSegment, m.newestWalSegment},
        };
        for (const auto& [name, value] : values) {
            unsigned char bytes[8];
            putBigEndian(value, bytes);
            Dbt key = keyDbt(name, std::strlen(name));
            Dbt data(bytes, 8);
            if (const int ret = meta.handle()->put(txn, &key, &data, 0))
                return ret;
        }
        return 0;
    }

    // Visits every record of `db` in key order, a bulk buffer at a time.
    // The cursor is closed before `visit` runs, so no lock is held while the caller works (it
    // may even call back into the cold tier) and a deadlock victim resumes where it stopped.
    void forEachChunk(Db* db, const QString& what,
                      const std::function<bool(const std::vector<Record>&)>& visit) const
    {
        std::vector<Record> records;
        std::vector<char> buffer(kBulkReadBytes);
        std::vector<char> keyBuffer(256);
        QByteArray resume;
        bool first = true;
        for (;;) {
            u_int32_t got = 0;
            retrying(what, [&] {
                BerkeleyCursor cursor;
                if (const int ret = cursor.open(db, nullptr, DB_READ_COMMITTED))
                    return ret;
                for (;;) {
                    if (keyBuffer.size() < std::size_t(resume.size()))
                        keyBuffer.resize(resume.size());
                    std::memcpy(keyBuffer.data(), resume.constData(), resume.size());
                    Dbt key(keyBuffer.data(), u_int32_t(resume.size()));
                    key.set_ulen(u_int32_t(keyBuffer.size()));
                    key.set_flags(DB_DBT_USERMEM);
                    Dbt data(buffer.data(), 0);
                    data.set_ulen(u_int32_t(buffer.size()));
                    data.set_flags(DB_DBT_USERMEM);
                    const u_int32_t position =
                        (first && resume.isEmpty()) ? DB_FIRST : DB_SET_RANGE;
                    const int ret = cursor.handle()->get(&key, &data, position | DB_MULTIPLE_KEY);
                    if (ret == DB_BUFFER_SMALL) {
                        const std::size_t need =
                            std::max<std::size_t>(data.get_size(), buffer.size()) * 2;
                        buffer.resize((need + 1023) & ~std::size_t(1023));
                        continue;
                    }
                    if (ret == DB_NOTFOUND) {
                        got = 0;
                        return 0;
                    }
                    if (ret == 0)
                        got = 1;
                    return ret;
                }
            });
            if (!got)
                return;
            first = false;
            Dbt whole(buffer.data(), u_int32_t(buffer.size()));
            whole.set_ulen(u_int32_t(buffer.size()));
            DbMultipleKeyDataIterator it(whole);
            Dbt key, data;
            records.clear();
            while (it.next(key, data))
                records.push_back({static_cast<const char*>(key.get_data()), key.get_size(),
                                   static_cast<const char*>(data.get_data()), data.get_size()});
            if (records.empty() || !visit(records))
                return;
            // The smallest key after the last one in bytewise order: it followed by a zero byte.
            resume = QByteArray(records.back().key, qsizetype(records.back().keySize));
            resume.append('\0');
        }
    }

    void forEachRecord(Db* db, const QString& what,
                       const std::function<bool(const Record&)>& visit) const
    {
        forEachChunk(db, what, [&](const std::vector<Record>& records) {
            for (const Record& r : records)
                if (!visit(r))
                    return false;
            return true;
        });
    }

    // Puts the prepared bulk buffer pairs; returns the failing item's index in *failedAt.
    static int bulkPut(Db* db, DbTxn* txn, BulkBuffer& buffer, u_int32_t flags,
                       std::size_t* failedAt)
    {
        if (buffer.count() == 0)
            return 0;
        Dbt& key = buffer.dbt();
        key.set_doff(0);
        Dbt data; // ignored with DB_MULTIPLE_KEY
        const int ret = db->put(txn, &key, &data, flags | DB_MULTIPLE_KEY);
        if (failedAt)
            *failedAt = key.get_doff();
        return ret;
    }

    // A hot-checkpoint value is the LSN (8 bytes, big-endian) then the VersionCodec bytes; in an
    // encrypted store that whole value is sealed, bound to its key (AAD), so a value moved under
    // another version id does not authenticate.
    static QByteArray checkpointAad(const char* key)
    {
        return QByteArrayLiteral("frostline checkpoint.db|") +
               QByteArray::fromRawData(key, qsizetype(kIdKeySize));
    }
    void appendCheckpointValue(const CheckpointEntry& entry, const unsigned char* key,
                               QByteArray& out) const
    {
        unsigned char lsn[8];
        putBigEndian(entry.lsn, lsn);
        if (!cipher) {
            out.append(reinterpret_cast<const char*>(lsn), 8);
            VersionCodec::encodeAppend(*entry.version, out);
            return;
        }
        QByteArray plain(reinterpret_cast<const char*>(lsn), 8);
        VersionCodec::encodeAppend(*entry.version, plain);
        const qsizetype at = out.size();
        out.resize(at + plain.size() + StoreCipher::kOverhead);
        cipher->sealInto(out.data() + at, plain, checkpointAad(reinterpret_cast<const char*>(key)));
    }
    // Splits (opening it first when sealed) a checkpoint record into its LSN and codec bytes;
    // returns what is wrong with it, empty when sound. `scratch` holds the opened bytes.
    QString openCheckpointValue(const Record& r, QByteArray* scratch, quint64* lsn,
                                QByteArrayView* codec) const
    {
        QByteArrayView value = r.value();
        if (cipher) {
            if (r.keySize != kIdKeySize || !cipher->open(value, checkpointAad(r.key), scratch))
                return QStringLiteral("does not authenticate (tampered, or another key)");
            value = *scratch;
        }
        if (value.size() < 8)
            return QStringLiteral("%1 bytes, shorter than its LSN").arg(value.size());
        *lsn = getBigEndian(value.data());
        *codec = value.sliced(8);
        return {};
    }

    // `versionId` is the record's key, named in the error so the operator knows what is lost.
    Version decodeRecord(QByteArrayView bytes, quint64 versionId, const char* where) const
    {
        Version v;
        QString error;
        if (!VersionCodec::decode(bytes, &v, &error))
            throw FrostlineError::runtime(
                QStringLiteral("corrupt record of version %1 in %2 of cold tier %3: %4")
                    .arg(versionId)
                    .arg(QLatin1String(where), home, error));
        return v;
    }
};

ColdTier::ColdTier(QString home, std::shared_ptr<const StoreCipher> cipher)
    : d(std::make_unique<Private>(std::move(home), std::move(cipher)))
{}

ColdTier::~ColdTier()
{
    close();
}

QString ColdTier::home() const
{
    return d->home;
}

namespace {
const char* const kDatabaseFiles[] = {"nodes.db", "edges.db", "history.db", "checkpoint.db",
                                      "meta.db"};

// The cold databases that are not in `home`.
QStringList missingDatabases(const QString& home)
{
    const QDir dir(home);
    QStringList missing;
    for (const char* f : kDatabaseFiles)
        if (!QFileInfo::exists(dir.filePath(QLatin1String(f))))
            missing << QLatin1String(f);
    return missing;
}
} // namespace

bool ColdTier::hasDatabases(const QString& home)
{
    return missingDatabases(home).size() < qsizetype(std::size(kDatabaseFiles));
}

void ColdTier::open()
{
    std::unique_lock lock(d->lifecycle);
    if (d->env && d->env->isOpen())
        return;
    // All the databases or none (a new tier): DB_CREATE would otherwise replace a deleted one
    // with an empty one, and every command, read-only ones included, would go on without it.
    const QStringList missing = missingDatabases(d->home);
    if (!missing.isEmpty() && missing.size() < qsizetype(std::size(kDatabaseFiles)))
        throw FrostlineError::runtime(
            QStringLiteral("cold tier %1 is damaged: %2 %3 missing (deleted or moved?); nothing "
                           "was changed: put the file back, or restore the store from a backup")
                .arg(d->home, missing.join(QStringLiteral(", ")),
                     missing.size() == 1 ? QStringLiteral("is") : QStringLiteral("are")));
    // Databases without any log file: someone deleted the log (to free space, say). Berkeley DB
    // would start a new one whose LSNs lie below the pages' own, and recovery after the next
    // crash would be unsound; refused before anything is created.
    if (missing.isEmpty() &&
        QDir(d->home).entryList({QStringLiteral("log.*")}, QDir::Files).isEmpty())
        throw FrostlineError::runtime(
            QStringLiteral("cold tier %1 is damaged: its Berkeley DB log files (log.*) are "
                           "missing (deleted or moved?), and the databases cannot be recovered "
                           "without them; nothing was changed: put them back, or restore the "
                           "store from a backup")
                .arg(d->home));
    auto env = std::make_unique<BerkeleyEnvironment>(d->home);
    BerkeleyEnvironment::Options options;
    // Locks are per page, not per record: a transaction writing 1,000,000 versions of ~150 bytes
    // took 21,339 locks (measured with db5.3_stat -c), and the store checkpoints in chunks of
    // 50,000 versions anyway. 64k entries keep a wide margin while the lock region stays small,
    // so that every open (each CLI command) stays quick.
    options.maxLocks = 65'536;
    options.maxObjects = 65'536;
    options.maxLockers = 1024;
    if (d->cipher)
        options.encryptionPassword = d->cipher->berkeleyPassword();
    env->open(options);
    d->env = std::move(env);
    try {
        d->nodes.open(*d->env, QStringLiteral("nodes.db"), kPageSize);
        d->edges.open(*d->env, QStringLiteral("edges.db"), kPageSize);
        d->history.open(*d->env, QStringLiteral("history.db"), kPageSize);
        d->checkpoint.open(*d->env, QStringLiteral("checkpoint.db"), kPageSize);
        d->meta.open(*d->env, QStringLiteral("meta.db"), 4096);

        Meta m;
        d->retrying(QStringLiteral("cannot initialise meta.db"), [&] {
            BerkeleyTxn txn;
            if (int ret = txn.begin(d->env->handle(), 0))
                return ret;
            if (int ret = d->readMeta(txn.handle(), m, DB_RMW))
                return ret;
            if (m.format == 0) {
                m.format = kFormatVersion;
                if (int ret = d->writeMeta(txn.handle(), m))
                    return ret;
            }
            return txn.commit(DB_TXN_SYNC);
        });
        if (m.format != kFormatVersion)
            throw FrostlineError::runtime(
                QStringLiteral("cold tier %1 has format version %2; this build reads version %3")
                    .arg(d->home)
                    .arg(m.format)
                    .arg(kFormatVersion));
    } catch (...) {
        d->meta.close();
        d->checkpoint.close();
        d->history.close();
        d->edges.close();
        d->nodes.close();
        d->env.reset();
        throw;
    }
}

void ColdTier::close()
{
    std::unique_lock lock(d->lifecycle);
    if (!d->env)
        return;
    // A checkpoint now keeps the next open's recovery (DB_RECOVER) short: it replays only the
    // log written after it. Failure here loses nothing (recovery then replays more).
    d->env->handle()->txn_checkpoint(0, 0, DB_FORCE);
    d->meta.close();
    d->checkpoint.close();
    d->history.close();
    d->edges.close();
    d->nodes.close();
    d->env->close();
    d->env.reset();
}

quint64 ColdTier::flushedLsn() const
{
    std::shared_lock lock(d->lifecycle);
    d->requireOpen("flushedLsn");
    return d->committedMeta(QStringLiteral("cannot read the flushed LSN from meta.db")).flushedLsn;
}

quint64 ColdTier::newestWalSegment() const
{
    std::shared_lock lock(d->lifecycle);
    d->requireOpen("newestWalSegment");
    return d->committedMeta(QStringLiteral("cannot read the newest WAL segment from meta.db"))
        .newestWalSegment;
}

void ColdTier::recordNewestWalSegment(quint64 firstLsn)
{
    std::shared_lock lock(d->lifecycle);
    d->requireOpen("recordNewestWalSegment");
    std::lock_guard writeLock(d->writer);
    d->retrying(QStringLiteral("cannot record the newest WAL segment in meta.db"), [&] {
        BerkeleyTxn txn;
        if (int ret = txn.begin(d->env->handle(), 0))
            return ret;
        Meta m;
        if (int ret = d->readMeta(txn.handle(), m, DB_RMW))
            return ret;
        m.newestWalSegment = firstLsn;
        if (int ret = d->writeMeta(txn.handle(), m))
            return ret;
        return txn.commit(DB_TXN_SYNC);
    });
}

void ColdTier::setFailureHook(std::function<void(const char*)> hook)
{
    std::lock_guard lock(d->hookMutex);
    d->hook = std::move(hook);
}

ColdCommitTimings ColdTier::commit(const ColdCommit& commit)
{
    ColdCommitTimings timings;
    QElapsedTimer phase;
    phase.start();
    std::shared_lock lock(d->lifecycle);
    d->requireOpen("commit");
    std::lock_guard writeLock(d->writer);

    // Everything that does not need the database is prepared once, outside the transaction
    // (and outside the deadlock retries): sorted keys and encoded values in bulk buffers.
    std::vector<const Version*> nodeVersions, edgeVersions;
    nodeVersions.reserve(commit.migrated.size());
    for (const Version* v : commit.migrated) {
        if (!v)
            throw FrostlineError::runtime(
                QStringLiteral("cold commit to %1: null migrated version").arg(d->home));
        (v->isEdge() ? edgeVersions : nodeVersions).push_back(v);
    }
    auto byId = [](const Version* a, const Version* b) { return a->versionId < b->versionId; };
    std::sort(nodeVersions.begin(), nodeVersions.end(), byId);
    std::sort(edgeVersions.begin(), edgeVersions.end(), byId);
    std::vector<quint64> nodeIds, edgeIds, allIds;
    for (const Version* v : nodeVersions)
        nodeIds.push_back(v->versionId);
    for (const Version* v : edgeVersions)
        edgeIds.push_back(v->versionId);
    allIds.reserve(nodeIds.size() + edgeIds.size());
    std::merge(nodeIds.begin(), nodeIds.end(), edgeIds.begin(), edgeIds.end(),
               std::back_inserter(allIds));
    if (const auto dup = std::adjacent_find(allIds.begin(), allIds.end()); dup != allIds.end())
        throw FrostlineError::runtime(
            QStringLiteral("cold commit to %1 refused: version %2 appears twice in the batch")
                .arg(d->home)
                .arg(*dup));

    QByteArray encoded; // every value once, back to back (no per-record allocation)
    encoded.reserve(qsizetype(commit.migrated.size() * 192 + commit.checkpointPuts.size() * 200));
    std::vector<std::pair<qsizetype, qsizetype>> spans; // offset, size per migrated (sorted)
    spans.reserve(commit.migrated.size());
    auto encodeAll = [&](const std::vector<const Version*>& list) {
        for (const Version* v : list) {
            const qsizetype at = encoded.size();
            VersionCodec::encodeAppend(*v, encoded);
            spans.emplace_back(at, encoded.size() - at);
        }
    };
    encodeAll(nodeVersions);
    encodeAll(edgeVersions);
    quint64 addedBytes = 0;
    for (const auto& span : spans)
        addedBytes += quint64(span.second);

    std::vector<std::pair<quint64, const CheckpointEntry*>> puts;
    puts.reserve(commit.checkpointPuts.size());
    for (const auto& entry : commit.checkpointPuts) {
        if (!entry.version)
            throw FrostlineError::runtime(
                QStringLiteral("cold commit to %1: null checkpoint version").arg(d->home));
        puts.emplace_back(entry.version->versionId, &entry);
    }
    std::stable_sort(puts.begin(), puts.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::pair<qsizetype, qsizetype>> putSpans;
    putSpans.reserve(puts.size());
    for (const auto& [id, entry] : puts) {
        const qsizetype at = encoded.size();
        d->appendCheckpointValue(*entry, IdKey(id).bytes, encoded);
        putSpans.emplace_back(at, encoded.size() - at);
    }

    std::vector<quint64> removals(commit.checkpointRemovals);
    std::sort(removals.begin(), removals.end());
    removals.erase(std::unique(removals.begin(), removals.end()), removals.end());

    std::vector<HistoryKey> historyKeys;
    historyKeys.reserve(commit.migrated.size());
    for (const Version* v : commit.migrated)
        historyKeys.emplace_back(*v);
    std::sort(historyKeys.begin(), historyKeys.end());

    BulkBuffer nodeBulk, edgeBulk, historyBulk, removalBulk, putBulk;
    std::size_t spanIndex = 0;
    auto fillVersions = [&](BulkBuffer& bulk, const std::vector<const Version*>& list) {
        qsizetype bytes = 0;
        for (std::size_t i = 0; i < list.size(); ++i)
            bytes += spans[spanIndex + i].second + qsizetype(kIdKeySize);
        bulk.reset(std::size_t(bytes), list.size(), 2);
        DbMultipleKeyDataBuilder builder(bulk.dbt());
        for (const Version* v : list) {
            IdKey key(v->versionId);
            const auto& span = spans[spanIndex++];
            builder.append(key.bytes, kIdKeySize, encoded.data() + span.first,
                           std::size_t(span.second));
            bulk.added();
        }
    };
    fillVersions(nodeBulk, nodeVersions);
    fillVersions(edgeBulk, edgeVersions);
    {
        historyBulk.reset(historyKeys.size() * kHistoryKeySize, historyKeys.size(), 2);
        DbMultipleKeyDataBuilder builder(historyBulk.dbt());
        for (auto& key : historyKeys) {
            builder.append(key.bytes, kHistoryKeySize, key.bytes, 0); // empty value
            historyBulk.added();
        }
    }
    std::vector<IdKey> removalKeys;
    removalKeys.reserve(removals.size());
    {
        removalBulk.reset(removals.size() * kIdKeySize, removals.size(), 1);
        DbMultipleDataBuilder builder(removalBulk.dbt());
        for (quint64 id : removals) {
            removalKeys.emplace_back(id);
            builder.append(removalKeys.back().bytes, kIdKeySize);
            removalBulk.added();
        }
    }
    std::vector<IdKey> putKeys;
    putKeys.reserve(puts.size());
    for (const auto& [id, entry] : puts)
        putKeys.emplace_back(id);
    std::vector<quint64> putIds;
    putIds.reserve(puts.size());
    {
        qsizetype bytes = 0;
        for (const auto& span : putSpans)
            bytes += span.second + qsizetype(kIdKeySize);
        putBulk.reset(std::size_t(bytes), puts.size(), 2);
        DbMultipleKeyDataBuilder builder(putBulk.dbt());
        for (std::size_t i = 0; i < puts.size(); ++i) {
            // A version put twice in one commit: the later entry wins, as sequential puts would.
            if (i + 1 < puts.size() && puts[i + 1].first == puts[i].first)
                continue;
            builder.append(putKeys[i].bytes, kIdKeySize, encoded.data() + putSpans[i].first,
                           std::size_t(putSpans[i].second));
            putBulk.added();
            putIds.push_back(puts[i].first);
        }
    }

    const std::function<void(const char*)> hook = d->currentHook();

    DbEnv* env = d->env->handle();
    timings.prepareSecs = double(phase.nsecsElapsed()) / 1e9;
    for (int attempt = 0;; ++attempt) {
        phase.restart();
        BerkeleyEnvironment::clearCapturedText();
        QString what;
        int ret = 0;
        {
            BerkeleyTxn txn;
            // Runs the transaction's body; returns a Berkeley DB code and names the step in
            // `what`. Semantic refusals throw (the RAII transaction aborts).
            ret = [&]() -> int {
                what = QStringLiteral("cannot begin the commit transaction");
                if (int r = txn.begin(env, 0))
                    return r;
                DbTxn* t = txn.handle();
                Meta m;
                what = QStringLiteral("cannot read meta.db");
                // Write-locks meta first: the one record every commit touches, taken first.
                if (int r = d->readMeta(t, m, DB_RMW))
                    return r;
                if (commit.flushedLsn < m.flushedLsn)
                    throw FrostlineError::runtime(
                        QStringLiteral(
                            "cold commit to %1 refused: flushed LSN %2 is lower than the "
                            "stored flushed LSN %3")
                            .arg(d->home)
                            .arg(commit.flushedLsn)
                            .arg(m.flushedLsn));

                auto putVersions = [&](Db* db, Db* otherDb, BulkBuffer& bulk,
                                       const std::vector<quint64>& ids, const char* file) -> int {
                    // Bulk puts cannot be combined with DB_NOOVERWRITE, so look first. Cold
                    // holds each version once; version ids are unique across nodes and edges,
                    // so neither database may have it yet.
                    what = QStringLiteral("cannot look up existing versions");
                    std::vector<quint64> existing;
                    for (Db* target : {db, otherDb})
                        if (int r = findExisting(target, t, ids, &existing))
                            return r;
                    if (!existing.empty())
                        throw FrostlineError::runtime(
                            QStringLiteral("cold commit to %1 refused: version %2 is already in "
                                           "the cold tier")
                                .arg(d->home)
                                .arg(existing.front()));
                    what = QStringLiteral("cannot write %1").arg(QLatin1String(file));
                    return Private::bulkPut(db, t, bulk, 0, nullptr);
                };
                if (int r = putVersions(d->nodes.handle(), d->edges.handle(), nodeBulk, nodeIds,
                                        "nodes.db"))
                    return r;
                if (int r = putVersions(d->edges.handle(), d->nodes.handle(), edgeBulk, edgeIds,
                                        "edges.db"))
                    return r;
                what = QStringLiteral("cannot write history.db");
                if (int r = Private::bulkPut(d->history.handle(), t, historyBulk, 0, nullptr))
                    return r;

                // Checkpoint removals: one bulk delete; an id that is not in the checkpoint
                // stops it (DB_NOTFOUND, doff = index), so the rest go one by one. The count
                // in meta stays exact either way.
                what = QStringLiteral("cannot remove from checkpoint.db");
                quint64 removed = 0;
                if (removalBulk.count()) {
                    Dbt& keys = removalBulk.dbt();
                    keys.set_doff(0);
                    int r = d->checkpoint.handle()->del(t, &keys, DB_MULTIPLE);
                    removed = keys.get_doff();
                    if (r == DB_NOTFOUND) {
                        for (std::size_t i = std::size_t(keys.get_doff()) + 1;
                             i < removalKeys.size(); ++i) {
                            Dbt k(removalKeys[i].bytes, kIdKeySize);
                            r = d->checkpoint.handle()->del(t, &k, 0);
                            if (r == 0)
                                ++removed;
                            else if (r != DB_NOTFOUND)
                                return r;
                        }
                        r = 0;
                    }
                    if (r != 0)
                        return r;
                }

                // Checkpoint puts: a version already checkpointed is replaced (same count).
                what = QStringLiteral("cannot write checkpoint.db");
                std::vector<quint64> alreadyCheckpointed;
                if (int r = findExisting(d->checkpoint.handle(), t, putIds, &alreadyCheckpointed))
                    return r;
                const quint64 added = putIds.size() - alreadyCheckpointed.size();
                if (int r = Private::bulkPut(d->checkpoint.handle(), t, putBulk, 0, nullptr))
                    return r;

                m.flushedLsn = commit.flushedLsn;
                m.nodes += nodeVersions.size();
                m.edges += edgeVersions.size();
                m.coldBytes += addedBytes;
                m.checkpoint = m.checkpoint + added - std::min(removed, m.checkpoint + added);
                what = QStringLiteral("cannot write meta.db");
                if (int r = d->writeMeta(t, m))
                    return r;

                if (hook) {
                    try {
                        hook("before-commit");
                    } catch (...) {
                        const QString message = hookMessage(std::current_exception());
                        txn.abort();
                        throw FrostlineError::runtime(
                            QStringLiteral("cold commit to %1 aborted before commit: %2")
                                .arg(d->home, message));
                    }
                }
                what = QStringLiteral("cannot commit the transaction");
                timings.writeSecs += double(phase.nsecsElapsed()) / 1e9;
                phase.restart();
                const int committed = txn.commit(DB_TXN_SYNC);
                timings.syncSecs += double(phase.nsecsElapsed()) / 1e9;
                return committed;
            }();
        }
        if (ret == 0)
            return timings;
        if (!retryAfterDeadlock(ret, attempt))
            d->fail(what, ret);
    }
}

void ColdTier::loadCheckpoint(const std::function<void(Version&&, quint64)>& visit) const
{
    std::shared_lock lock(d->lifecycle);
    d->requireOpen("loadCheckpoint");
    // Decoding dominates loading (Berkeley DB hands over megabytes per bulk read), so each bulk
    // buffer is decoded in parallel slices; `visit` still runs on this thread only.
    constexpr std::size_t kSlice = 2048;
    std::vector<Version> versions;
    std::vector<quint64> lsns;
    std::vector<QString> errors;
    d->forEachChunk(
        d->checkpoint.handle(), QStringLiteral("cannot read checkpoint.db"),
        [&](const std::vector<Record>& records) {
            versions.assign(records.size(), Version());
            lsns.assign(records.size(), 0);
            errors.assign((records.size() + kSlice - 1) / kSlice, QString());
            // Slices of kSlice records, dealt round-robin to one thread per core.
            const std::size_t threads = std::min(parallelSliceCount(), errors.size());
            runParallelSlices(threads, [&](std::size_t thread) {
                for (std::size_t slice = thread; slice < errors.size(); slice += threads) {
                    const std::size_t end = std::min(records.size(), (slice + 1) * kSlice);
                    StringPool pool; // labels and keys shared within the slice
                    QByteArray scratch;
                    bool failed = false;
                    for (std::size_t i = slice * kSlice; i < end && !failed; ++i) {
                        const Record& r = records[i];
                        QByteArrayView codec;
                        QString error = d->openCheckpointValue(r, &scratch, &lsns[i], &codec);
                        if (error.isEmpty() &&
                            VersionCodec::decode(codec, &versions[i], &error, &pool))
                            continue;
                        errors[slice] = QStringLiteral("corrupt record for version %1: %2")
                                            .arg(r.versionId())
                                            .arg(error);
                        failed = true;
                    }
                }
            });
            for (const QString& error : errors)
                if (!error.isEmpty())
                    throw FrostlineError::runtime(
                        QStringLiteral("cannot load the hot checkpoint from checkpoint.db of "
                                       "cold tier %1: %2")
                            .arg(d->home, error));
            for (std::size_t i = 0; i < versions.size(); ++i)
                visit(std::move(versions[i]), lsns[i]);
            return true;
        });
}

std::optional<Version> ColdTier::get(quint64 versionId) const
{
    std::shared_lock lock(d->lifecycle);
    d->requireOpen("get");
    IdKey key(versionId);
    std::vector<char> buffer;
    for (Db* db : {d->nodes.handle(), d->edges.handle()}) {
        u_int32_t size = 0;
        int found = DB_NOTFOUND;
        d->retrying(QStringLiteral("cannot read version %1").arg(versionId), [&] {
            Dbt k(key.bytes, kIdKeySize);
            found = getRecord(db, nullptr, k, buffer, &size, 0);
            return found == DB_NOTFOUND ? 0 : found;
        });
        if (found == 0) {
            return d->decodeRecord(QByteArrayView(buffer.data(), qsizetype(size)), versionId,
                                   db == d->nodes.handle() ? "nodes.db" : "edges.db");
        }
    }
    return std::nullopt;
}

bool ColdTier::contains(quint64 versionId) const
{
    std::shared_lock lock(d->lifecycle);
    d->requireOpen("contains");
    IdKey key(versionId);
    for (Db* db : {d->nodes.handle(), d->edges.handle()}) {
        int found = DB_NOTFOUND;
        d->retrying(QStringLiteral("cannot look up version %1").arg(versionId), [&] {
            Dbt k(key.bytes, kIdKeySize);
            found = db->exists(nullptr, &k, 0);
            return found == DB_NOTFOUND ? 0 : found;
        });
        if (found == 0)
            return true;
    }
    return false;
}

std::vector<Version> ColdTier::history(const EntityKey& entity) const
{
    std::shared_lock lock(d->lifecycle);
    d->requireOpen("history");
    std::vector<Version> out;
    const HistoryKey start(entity.kind, entity.entityId, std::numeric_limits<qint64>::min(), 0);
    constexpr std::size_t kPrefix = 9; // kind + entity id
    d->retrying(QStringLiteral("cannot read the history of %1 %2")
                    .arg(kindName(entity.kind))
                    .arg(entity.entityId),
                [&] {
                    out.clear();
                    // One transaction: the index and the records it points at agree.
                    BerkeleyTxn txn;
                    if (int ret = txn.begin(d->env->handle(), 0))
                        return ret;
                    std::vector<quint64> ids;
                    {
                        BerkeleyCursor cursor;
                        if (int ret = cursor.open(d->history.handle(), txn.handle(), 0))
                            return ret;
                        unsigned char keyBytes[64];
                        std::memcpy(keyBytes, start.bytes, kHistoryKeySize);
                        char dataBytes[64];
                        u_int32_t position = DB_SET_RANGE;
                        for (;;) {
                            Dbt key(keyBytes, kHistoryKeySize);
                            key.set_ulen(sizeof keyBytes);
                            key.set_flags(DB_DBT_USERMEM);
                            Dbt data(dataBytes, 0);
                            data.set_ulen(sizeof dataBytes);
                            data.set_flags(DB_DBT_USERMEM);
                            const int ret = cursor.handle()->get(&key, &data, position);
                            position = DB_NEXT;
                            if (ret == DB_NOTFOUND)
                                break;
                            if (ret != 0)
                                return ret;
                            if (key.get_size() != kHistoryKeySize ||
                                std::memcmp(keyBytes, start.bytes, kPrefix) != 0)
                                break;
                            ids.push_back(getBigEndian(keyBytes + 17));
                        }
                    }
                    std::vector<char> buffer;
                    Db* db = d->kindDb(entity.kind);
                    for (quint64 id : ids) {
                        IdKey key(id);
                        Dbt k(key.bytes, kIdKeySize);
                        u_int32_t size = 0;
                        if (int ret = getRecord(db, txn.handle(), k, buffer, &size, 0))
                            return ret;
                        out.push_back(d->decodeRecord(
                            QByteArrayView(buffer.data(), qsizetype(size)), id,
                            entity.kind == EntityKind::Edge ? "edges.db" : "nodes.db"));
                    }
                    return txn.commit(0);
                });
    return out;
}

void ColdTier::scan(EntityKind kind, const std::function<bool(Version&&)>& visit) const
{
    std::shared_lock lock(d->lifecycle);
    d->requireOpen("scan");
    const char* file = kind == EntityKind::Edge ? "edges.db" : "nodes.db";
    d->forEachRecord(
        d->kindDb(kind), QStringLiteral("cannot scan %1").arg(QLatin1String(file)),
        [&](const Record& r) { return visit(d->decodeRecord(r.value(), r.versionId(), file)); });
}

ColdStatistics ColdTier::statistics() const
{
    std::shared_lock lock(d->lifecycle);
    d->requireOpen("statistics");
    ColdStatistics s;
    const Meta m = d->committedMeta(QStringLiteral("cannot read meta.db"));
    s.nodeVersions = m.nodes;
    s.edgeVersions = m.edges;
    s.coldBytes = m.coldBytes;
    s.checkpointVersions = m.checkpoint;
    s.flushedLsn = m.flushedLsn;

    for (const BerkeleyDatabase* db :
         {&d->nodes, &d->edges, &d->history, &d->checkpoint, &d->meta}) {
        DB_BTREE_STAT* stat = nullptr;
        // DB_FAST_STAT reads the metadata page only: page count and size without a tree walk.
        if (int ret = db->handle()->stat(nullptr, &stat, DB_FAST_STAT))
            d->fail(QStringLiteral("cannot read statistics of %1").arg(db->fileName()), ret);
        s.pages += stat->bt_pagecnt;
        if (db == &d->nodes)
            s.pageSize = stat->bt_pagesize;
        std::free(stat);
    }

    DB_MPOOL_STAT* mpool = nullptr;
    if (int ret = d->env->handle()->memp_stat(&mpool, nullptr, 0))
        d->fail(QStringLiteral("cannot read cache statistics"), ret);
    s.cacheHits = mpool->st_cache_hit;
    s.cacheMisses = mpool->st_cache_miss;
    s.cacheBytes = quint64(mpool->st_gbytes) * (quint64(1) << 30) + mpool->st_bytes;
    std::free(mpool);
    const quint64 accesses = s.cacheHits + s.cacheMisses;
    s.cacheHitRate = accesses ? double(s.cacheHits) / double(accesses) : 0.0;

    char** list = nullptr;
    if (int ret = d->env->handle()->log_archive(&list, DB_ARCH_LOG))
        d->fail(QStringLiteral("cannot list log files"), ret);
    if (list) {
        for (char** name = list; *name; ++name)
            s.logFiles << QString::fromLocal8Bit(*name);
        std::free(list);
    }
    s.durability = QStringLiteral("synchronous commit (DB_TXN_SYNC), one transaction per batch, "
                                  "recovery on open (DB_RECOVER)");
    s.berkeleyVersion = QString::fromLatin1(DbEnv::version(nullptr, nullptr, nullptr));
    return s;
}

void ColdTier::checkpointEnvironment()
{
    std::shared_lock lock(d->lifecycle);
    d->requireOpen("checkpointEnvironment");
    std::lock_guard writeLock(d->writer);
    const std::function<void(const char*)> hook = d->currentHook();
    if (hook) {
        try {
            hook("checkpoint-environment");
        } catch (...) {
            throw FrostlineError::runtime(
                QStringLiteral("cannot checkpoint the environment in cold tier %1: %2")
                    .arg(d->home, hookMessage(std::current_exception())));
        }
    }
    BerkeleyEnvironment::clearCapturedText();
    if (int ret = d->env->handle()->txn_checkpoint(0, 0, DB_FORCE))
        d->fail(QStringLiteral("cannot checkpoint the environment"), ret);
    if (d->backupsRunning > 0)
        return; // a hot backup still has to copy them
    if (int ret = d->env->handle()->log_archive(nullptr, DB_ARCH_REMOVE))
        d->fail(QStringLiteral("cannot remove unneeded log files"), ret);
}

void ColdTier::backup(const QString& targetHome)
{
    std::shared_lock lock(d->lifecycle);
    d->requireOpen("backup");
    {
        std::lock_guard writeLock(d->writer); // no log removal is half done when we start
        ++d->backupsRunning;
    }
    struct Done
    {
        Private* d;
        ~Done()
        {
            std::lock_guard writeLock(d->writer);
            --d->backupsRunning;
        }
    } done{d.get()};
    BerkeleyEnvironment::clearCapturedText();
    const QByteArray target = QFile::encodeName(targetHome);
    if (int ret = d->env->handle()->backup(target.constData(), DB_CREATE | DB_EXCL))
        d->fail(QStringLiteral("cannot back up to %1").arg(targetHome), ret);
}

QStringList ColdTier::verify(const OperationControl& control) const
{
    std::shared_lock lock(d->lifecycle);
    d->requireOpen("verify");
    // No commit may modify a file while Berkeley DB verifies it (verify takes no locks), and
    // the files on disk must hold every committed page: checkpoint + cache flush first.
    std::lock_guard writeLock(d->writer);
    QStringList problems;
    constexpr int kMaxProblems = 100;
    auto problem = [&](const QString& text) {
        if (problems.size() < kMaxProblems)
            problems << text;
    };
    BerkeleyEnvironment::clearCapturedText();
    if (int ret = d->env->handle()->txn_checkpoint(0, 0, DB_FORCE))
        d->fail(QStringLiteral("cannot checkpoint before verify"), ret);
    if (int ret = d->env->handle()->memp_sync(nullptr))
        d->fail(QStringLiteral("cannot flush the cache before verify"), ret);

    const QString verifyWhat = QStringLiteral("verify");
    for (const BerkeleyDatabase* db :
         {&d->nodes, &d->edges, &d->history, &d->checkpoint, &d->meta}) {
        control.check(verifyWhat);
        control.report(QStringLiteral("Berkeley DB verify of %1").arg(db->fileName()), 0, 0);
        BerkeleyEnvironment::clearCapturedText();
        // A fresh handle in the same environment (Db::verify may not be called on an open
        // handle, and the handle is unusable afterwards whatever verify returns).
        Db verifier(d->env->handle(), DB_CXX_NO_EXCEPTIONS);
        const QByteArray name = QFile::encodeName(db->fileName());
        const int ret = verifier.verify(name.constData(), nullptr, nullptr, 0);
        if (ret != 0)
            problem(d->env->describe(
                QStringLiteral("Berkeley DB verify of %1 failed").arg(db->fileName()), ret));
    }

    // Every record decodes, is stored under its own id and kind, and the history index holds
    // exactly one entry per cold version.
    std::vector<HistoryKey> expected;
    std::vector<quint64> nodeIds, edgeIds;
    std::vector<quint64> undecodable; // reported once, not again as history entries without one
    quint64 bytes = 0;
    auto checkVersions = [&](const BerkeleyDatabase& db, EntityKind kind,
                             std::vector<quint64>& ids) {
        control.check(verifyWhat);
        control.report(QStringLiteral("decoding every record of %1").arg(db.fileName()), 0, 0);
        quint64 seen = 0;
        d->forEachRecord(db.handle(), QStringLiteral("cannot read %1").arg(db.fileName()),
                         [&](const Record& r) {
                             if (++seen % 4096 == 0)
                                 control.check(verifyWhat);
                             const quint64 id = r.versionId();
                             if (r.keySize != kIdKeySize) {
                                 problem(QStringLiteral("%1: key of %2 bytes, expected 8")
                                             .arg(db.fileName())
                                             .arg(r.keySize));
                                 return true;
                             }
                             ids.push_back(id);
                             bytes += r.dataSize;
                             Version v;
                             QString error;
                             if (!VersionCodec::decode(r.value(), &v, &error)) {
                                 problem(QStringLiteral("%1: version %2 does not decode: %3")
                                             .arg(db.fileName())
                                             .arg(id)
                                             .arg(error));
                                 undecodable.push_back(id);
                                 return true;
                             }
                             if (v.versionId != id || v.kind != kind)
                                 problem(QStringLiteral("%1: record under key %2 holds %3 "
                                                        "version %4")
                                             .arg(db.fileName())
                                             .arg(id)
                                             .arg(kindName(v.kind))
                                             .arg(v.versionId));
                             expected.emplace_back(v);
                             return true;
                         });
    };
    checkVersions(d->nodes, EntityKind::Node, nodeIds);
    checkVersions(d->edges, EntityKind::Edge, edgeIds);
    std::vector<quint64> both;
    std::set_intersection(nodeIds.begin(), nodeIds.end(), edgeIds.begin(), edgeIds.end(),
                          std::back_inserter(both));
    for (quint64 id : both)
        problem(QStringLiteral("version %1 is in both nodes.db and edges.db").arg(id));

    std::sort(expected.begin(), expected.end());
    std::sort(undecodable.begin(), undecodable.end());
    std::size_t next = 0;
    d->forEachRecord(
        d->history.handle(), QStringLiteral("cannot read history.db"), [&](const Record& r) {
            HistoryKey found;
            if (r.keySize != kHistoryKeySize) {
                problem(QStringLiteral("history.db: key of %1 bytes, expected %2")
                            .arg(r.keySize)
                            .arg(kHistoryKeySize));
                return true;
            }
            std::memcpy(found.bytes, r.key, kHistoryKeySize);
            while (next < expected.size() && expected[next] < found) {
                problem(QStringLiteral("history.db: no entry for version %1")
                            .arg(getBigEndian(expected[next].bytes + 17)));
                ++next;
            }
            const quint64 foundId = getBigEndian(found.bytes + 17);
            if (next < expected.size() && expected[next] == found)
                ++next;
            else if (!std::binary_search(undecodable.begin(), undecodable.end(), foundId))
                problem(QStringLiteral("history.db: entry for version %1 that is "
                                       "not in the cold tier")
                            .arg(foundId));
            return true;
        });
    for (; next < expected.size(); ++next)
        problem(QStringLiteral("history.db: no entry for version %1")
                    .arg(getBigEndian(expected[next].bytes + 17)));

    quint64 checkpointCount = 0;
    d->forEachRecord(d->checkpoint.handle(), QStringLiteral("cannot read checkpoint.db"),
                     [&](const Record& r) {
                         ++checkpointCount;
                         const quint64 id = r.versionId();
                         Version v;
                         QByteArray scratch;
                         QByteArrayView codec;
                         quint64 lsn = 0;
                         QString error = d->openCheckpointValue(r, &scratch, &lsn, &codec);
                         if (!error.isEmpty() || !VersionCodec::decode(codec, &v, &error))
                             problem(QStringLiteral("checkpoint.db: version %1 does not decode: %2")
                                         .arg(id)
                                         .arg(error));
                         else if (v.versionId != id)
                             problem(QStringLiteral("checkpoint.db: record under key %1 holds "
                                                    "version %2")
                                         .arg(id)
                                         .arg(v.versionId));
                         return true;
                     });

    Meta m;
    d->retrying(QStringLiteral("cannot read meta.db"), [&] {
        BerkeleyTxn txn;
        if (int ret = txn.begin(d->env->handle(), 0))
            return ret;
        if (int ret = d->readMeta(txn.handle(), m, 0))
            return ret;
        return txn.commit(0);
    });
    auto count = [&](const char* what, quint64 stored, quint64 actual) {
        if (stored != actual)
            problem(QStringLiteral("meta.db: %1 is %2 but the databases hold %3")
                        .arg(QLatin1String(what))
                        .arg(stored)
                        .arg(actual));
    };
    count(kMetaNodes, m.nodes, nodeIds.size());
    count(kMetaEdges, m.edges, edgeIds.size());
    count(kMetaColdBytes, m.coldBytes, bytes);
    count(kMetaCheckpoint, m.checkpoint, checkpointCount);
    return problems;
}

} // namespace frostline

namespace frostline {

bool ColdTier::versionIdRange(quint64* minId, quint64* maxId) const
{
    std::shared_lock lock(d->lifecycle);
    d->requireOpen("versionIdRange");
    bool any = false;
    quint64 lo = 0, hi = 0;
    for (Db* db : {d->nodes.handle(), d->edges.handle()}) {
        // Keys are big-endian ids, so the first and last keys are the smallest and greatest.
        for (const u_int32_t where : {u_int32_t(DB_FIRST), u_int32_t(DB_LAST)}) {
            char keyBytes[kIdKeySize];
            d->retrying(QStringLiteral("cannot read the cold version id range"), [&] {
                BerkeleyCursor cursor;
                if (const int ret = cursor.open(db, nullptr, 0))
                    return ret;
                Dbt key, data;
                key.set_data(keyBytes);
                key.set_ulen(kIdKeySize);
                key.set_flags(DB_DBT_USERMEM);
                data.set_flags(DB_DBT_PARTIAL | DB_DBT_USERMEM); // the value is not needed
                data.set_dlen(0);
                const int ret = cursor.handle()->get(&key, &data, where);
                if (ret == DB_NOTFOUND)
                    return 0;
                if (ret != 0)
                    return ret;
                const quint64 id = getBigEndian(keyBytes);
                lo = any ? std::min(lo, id) : id;
                hi = any ? std::max(hi, id) : id;
                any = true;
                return 0;
            });
        }
    }
    *minId = lo;
    *maxId = hi;
    return any;
}

} // namespace frostline
