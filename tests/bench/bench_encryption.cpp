// Cost of encryption at rest: key derivation (scrypt 2^15 + HKDF, paid once per open), and WAL
// append (durable batches of 1000) and full scan of N records of ~160 bytes, plain vs sealed
// (AES-256-GCM, 28 bytes more per record).
// Usage: bench_encryption [records]   (200,000 by default)

#include "storecipher.h"
#include "wal.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QTemporaryDir>

#include <cstdio>

using namespace frostline;

namespace {

void report(const char* what, qint64 records, qint64 nanos)
{
    const double secs = double(nanos) / 1e9;
    std::printf("%-22s %8.3f s  %12.0f records/s\n", what, secs, double(records) / secs);
}

void run(const char* name, std::shared_ptr<const StoreCipher> cipher, qint64 records)
{
    QTemporaryDir tmp;
    QRandomGenerator rng(42);
    QElapsedTimer timer;
    Wal::Options options;
    options.cipher = cipher;
    {
        Wal wal(tmp.filePath(QStringLiteral("wal")), options);
        wal.open();
        timer.start();
        std::vector<QByteArray> batch;
        for (qint64 i = 0; i < records;) {
            batch.clear();
            for (int j = 0; j < 1000 && i < records; ++j, ++i) {
                QByteArray p(160, Qt::Uninitialized);
                rng.fillRange(reinterpret_cast<quint32*>(p.data()), 40);
                batch.push_back(p);
            }
            wal.append(batch);
        }
        report((QByteArray(name) + " append").constData(), records, timer.nsecsElapsed());
    }
    Wal wal(tmp.filePath(QStringLiteral("wal")), options);
    wal.open();
    timer.start();
    qint64 seen = 0;
    wal.scan(1, [&](const WalRecord& r) {
        seen += r.payload.size() == 160;
        return true;
    });
    report((QByteArray(name) + " scan").constData(), seen, timer.nsecsElapsed());
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const qint64 records = argc > 1 ? QByteArray(argv[1]).toLongLong() : 200000;
    QElapsedTimer timer;
    timer.start();
    auto cipher = StoreCipher::fromPassphrase("bench passphrase", "0123456789abcdef", 15);
    std::printf("key derivation (scrypt N=2^15, r=8, p=1 + HKDF): %.3f s\n",
                double(timer.nsecsElapsed()) / 1e9);
    run("plain", nullptr, records);
    run("encrypted", cipher, records);
    return 0;
}
