// libFuzzer target: WAL segment files. The input (after one mode byte) is written as a segment
// file into a scratch directory, then read the three ways the engine reads segments: the
// WalSegmentReader record walk, Wal::open (which also cuts a torn tail) + scan, and
// Wal::verify; every payload goes through VersionCodec::decode.
//
// Checksums would stop almost every mutation at the door, so the mode byte asks the harness to
// recompute them where the bytes say a header, record or seal is: bit 0 the segment header,
// bit 1 each record's header and record checksums, bit 2 the seal. Bit 3 names the file after
// the header's first LSN (else 1), so the "does not match the file name" check is reached too.
#include "frostlineerror.h"
#include "versioncodec.h"
#include "wal.h"
#include "walformat.h"
#include "walsegmentreader.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QString>
#include <QTemporaryDir>

#include <cstdint>
#include <cstdlib>
#include <memory>

using namespace frostline;
using namespace frostline::walformat;

namespace {

void fixChecksums(QByteArray& b, quint8 mode)
{
    char* p = b.data();
    const qint64 size = b.size();
    if ((mode & 1) && size >= kHeaderSize)
        putU64(p + 24, hash(p, 24));
    qint64 at = kHeaderSize;
    while (at + 4 <= size) {
        if (getU32(p + at) == kSealMarker) {
            if ((mode & 4) && at + kSealSize <= size)
                putU64(p + at + 24, hash(p + at, 24));
            at += kSealSize;
            continue;
        }
        if (at + kRecordHeaderSize > size)
            break;
        if (mode & 2)
            putU32(p + at + 16, quint32(hash(p + at, 16)));
        const qint64 length = getU32(p + at);
        const qint64 end = at + kRecordOverhead + length;
        if (end > size)
            break;
        if (mode & 2)
            putU64(p + at + kRecordHeaderSize + length, hash(p + at, kRecordHeaderSize + length));
        at = end;
    }
}

void decodePayload(const char* payload, quint32 length)
{
    Version v;
    QString error;
    if (!VersionCodec::decode(QByteArrayView(payload, length), &v, &error) && error.isEmpty())
        std::abort();
}

void expectBadInputOrRuntime(const FrostlineError& e)
{
    if (e.message().isEmpty())
        std::abort(); // every refusal names what and where
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0)
        return 0;
    // tmpfs when there is one: the WAL fsyncs, and the fuzzer runs thousands of inputs a second.
    static const QString base =
        QDir(QStringLiteral("/dev/shm")).exists() ? QStringLiteral("/dev/shm") : QDir::tempPath();
    static QTemporaryDir scratch(base + QStringLiteral("/frostline-fuzz-wal-XXXXXX"));
    if (!scratch.isValid())
        std::abort();
    const quint8 mode = data[0];
    QByteArray bytes(reinterpret_cast<const char*>(data + 1), qsizetype(size - 1));
    fixChecksums(bytes, mode);

    quint64 firstLsn = 1;
    if ((mode & 8) && bytes.size() >= kHeaderSize)
        firstLsn = getU64(bytes.constData() + 16);
    const QString dirPath = scratch.filePath(QStringLiteral("wal"));
    QDir(dirPath).removeRecursively();
    QDir().mkpath(dirPath);
    const QString fileName = segmentFileName(firstLsn);
    const QString path = QDir(dirPath).filePath(fileName);
    {
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
            std::abort();
    }

    // 1. The raw record walk, as open/scan/verify do it.
    try {
        WalSegmentReader reader(path, fileName);
        reader.readHeader();
        for (;;) {
            const auto step = reader.next(reader.fileSize());
            if (step == WalSegmentReader::Step::Record) {
                decodePayload(reader.payload(), reader.payloadLength());
                continue;
            }
            if (step == WalSegmentReader::Step::Seal) {
                quint64 last = 0, records = 0;
                reader.readSeal(reader.offset(), reader.fileSize(), &last, &records);
            } else if (step != WalSegmentReader::Step::End && reader.problem().isEmpty()) {
                std::abort();
            }
            break;
        }
    } catch (const FrostlineError& e) {
        expectBadInputOrRuntime(e);
    }

    // 2. The log as the store opens it: validate, repair a torn tail, scan every record.
    Wal::Options options;
    options.sync = false;
    options.segmentSizeBytes = 1 << 20;
    try {
        Wal wal(dirPath, options);
        wal.open();
        wal.scan(wal.firstLsn(), [](const WalRecord& r) {
            decodePayload(r.payload.constData(), quint32(r.payload.size()));
            return true;
        });
        (void)wal.verify();
        (void)wal.segments();
    } catch (const FrostlineError& e) {
        expectBadInputOrRuntime(e);
    }
    return 0;
}
