#pragma once

// The raw Berkeley DB write baseline that cold-tier and migration benchmarks compare against:
// a fresh environment with the cold tier's flags and sizes, one btree, fixed-size records with
// 8-byte big-endian keys, each batch one transaction with one DB_MULTIPLE_KEY bulk put,
// committed DB_TXN_SYNC. Header-only so any bench_*.cpp can use it without build changes.
//
// With `entityIndexKeys` set it is no longer the baseline but a floor for any cold tier
// that can answer "the history of entity E": each record also puts one 25-byte key (kind, a
// random entity among records/10, tx_from, id; empty value) into a second B-tree in the same
// transaction, as the cold tier's history.db does. With `entityOrderedKeys` set instead, the
// records themselves are keyed by those 25 bytes (one B-tree, history by range scan, no index):
// the other layout that answers it, whose puts land all over the tree instead of at its end.

#include <QByteArray>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QString>

#include <db_cxx.h>

#include <algorithm>
#include <array>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace frostline::bench {

struct RawBaselineOptions
{
    quint64 records = 1'000'000;
    quint32 valueBytes = 150;
    quint32 batchSize = 1000;
    quint32 pageSize = 8192; // the cold tier's page size, for a like-for-like comparison
    bool entityIndexKeys = false;
    bool entityOrderedKeys = false;
};

struct RawBaselineResult
{
    quint64 records = 0;
    double seconds = 0;
    double syncSeconds = 0; // of which in DbTxn::commit(DB_TXN_SYNC)
    double recordsPerSecond() const { return seconds > 0 ? double(records) / seconds : 0; }
};

// Runs the baseline in `home` (created; must be empty or absent). Throws std::runtime_error.
inline RawBaselineResult runRawBerkeleyBaseline(const QString& home,
                                                const RawBaselineOptions& options = {})
{
    auto check = [](int ret, const char* what) {
        if (ret != 0)
            throw std::runtime_error(std::string("raw baseline: ") + what + ": " +
                                     DbEnv::strerror(ret));
    };
    QDir().mkpath(home);
    DbEnv env(DB_CXX_NO_EXCEPTIONS);
    check(env.set_cachesize(0, 64u << 20, 1), "cache size");
    check(env.set_lg_bsize(8u << 20), "log buffer");
    check(env.set_lg_max(64u << 20), "log file size");
    check(env.set_lk_detect(DB_LOCK_DEFAULT), "deadlock detector");
    const QByteArray homePath = QFile::encodeName(home);
    check(env.open(homePath.constData(),
                   DB_CREATE | DB_INIT_TXN | DB_INIT_LOG | DB_INIT_LOCK | DB_INIT_MPOOL |
                       DB_RECOVER | DB_THREAD,
                   0600),
          "open environment");
    RawBaselineResult result;
    {
        Db db(&env, DB_CXX_NO_EXCEPTIONS);
        check(db.set_pagesize(options.pageSize), "page size");
        check(db.open(nullptr, "raw.db", nullptr, DB_BTREE, DB_CREATE | DB_AUTO_COMMIT | DB_THREAD,
                      0600),
              "open database");
        Db index(&env, DB_CXX_NO_EXCEPTIONS);
        check(index.set_pagesize(options.pageSize), "index page size");
        check(index.open(nullptr, "index.db", nullptr, DB_BTREE,
                         DB_CREATE | DB_AUTO_COMMIT | DB_THREAD, 0600),
              "open index database");
        std::mt19937_64 entities(7);
        const quint64 entityCount = std::max<quint64>(1, options.records / 10);
        std::vector<std::array<unsigned char, 25>> indexKeys;
        std::vector<char> indexBuffer(((std::size_t(options.batchSize) * (25 + 16) + 64) + 1023) &
                                      ~std::size_t(1023));
        const QByteArray value(int(options.valueBytes), 'v');
        std::vector<char> buffer(
            ((std::size_t(options.batchSize) * (25 + options.valueBytes + 16) + 64) + 1023) &
            ~std::size_t(1023));
        QElapsedTimer timer;
        timer.start();
        for (quint64 next = 1; next <= options.records;) {
            Dbt bulk(buffer.data(), u_int32_t(buffer.size()));
            bulk.set_ulen(u_int32_t(buffer.size()));
            bulk.set_flags(DB_DBT_USERMEM);
            DbMultipleKeyDataBuilder builder(bulk);
            const quint64 first = next;
            const quint64 end = std::min(options.records + 1, first + options.batchSize);
            if (!options.entityOrderedKeys) {
                for (; next < end; ++next) {
                    unsigned char key[8];
                    for (int b = 0; b < 8; ++b)
                        key[b] = static_cast<unsigned char>(next >> (8 * (7 - b)));
                    if (!builder.append(key, 8, const_cast<char*>(value.constData()), value.size()))
                        throw std::runtime_error("raw baseline: bulk buffer too small");
                }
            }
            next = end;
            Dbt indexBulk(indexBuffer.data(), u_int32_t(indexBuffer.size()));
            indexBulk.set_ulen(u_int32_t(indexBuffer.size()));
            indexBulk.set_flags(DB_DBT_USERMEM);
            if (options.entityIndexKeys || options.entityOrderedKeys) {
                indexKeys.clear();
                for (quint64 id = first; id < next; ++id) {
                    std::array<unsigned char, 25> k{};
                    const quint64 entity = entities() % entityCount;
                    for (int b = 0; b < 8; ++b) {
                        k[std::size_t(1 + b)] = static_cast<unsigned char>(entity >> (8 * (7 - b)));
                        k[std::size_t(9 + b)] = static_cast<unsigned char>(id >> (8 * (7 - b)));
                        k[std::size_t(17 + b)] = static_cast<unsigned char>(id >> (8 * (7 - b)));
                    }
                    indexKeys.push_back(k);
                }
                std::sort(indexKeys.begin(), indexKeys.end());
            }
            if (options.entityOrderedKeys) {
                for (auto& k : indexKeys)
                    if (!builder.append(k.data(), k.size(), const_cast<char*>(value.constData()),
                                        value.size()))
                        throw std::runtime_error("raw baseline: bulk buffer too small");
            } else if (options.entityIndexKeys) {
                DbMultipleKeyDataBuilder indexBuilder(indexBulk);
                for (auto& k : indexKeys)
                    if (!indexBuilder.append(k.data(), k.size(), k.data(), 0))
                        throw std::runtime_error("raw baseline: index bulk buffer too small");
            }
            DbTxn* txn = nullptr;
            check(env.txn_begin(nullptr, &txn, 0), "begin");
            Dbt unused;
            int ret = db.put(txn, &bulk, &unused, DB_MULTIPLE_KEY);
            if (ret == 0 && options.entityIndexKeys && !options.entityOrderedKeys)
                ret = index.put(txn, &indexBulk, &unused, DB_MULTIPLE_KEY);
            if (ret != 0) {
                txn->abort();
                check(ret, "bulk put");
            }
            const qint64 syncStart = timer.nsecsElapsed();
            check(txn->commit(DB_TXN_SYNC), "commit");
            result.syncSeconds += double(timer.nsecsElapsed() - syncStart) / 1e9;
        }
        result.seconds = double(timer.nsecsElapsed()) / 1e9;
        result.records = options.records;
        check(db.close(0), "close database");
        check(index.close(0), "close index database");
    }
    check(env.close(0), "close environment");
    return result;
}

} // namespace frostline::bench
