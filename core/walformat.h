#pragma once

// On-disk layout of WAL segment files (format version 1). All integers little-endian.
//
//   segment header (32 bytes)
//     0  magic "FLWALSEG"            8
//     8  u32 format version (1)
//    12  u32 header size (32)
//    16  u64 first LSN
//    24  u64 XXH3_64bits of bytes 0..23
//   records, back to back
//     0  u32 payload length           (0xFFFFFFFF is never a length: it marks the seal)
//     4  u8  record type, u8[3] zero
//     8  u64 LSN
//    16  u32 low 32 bits of XXH3_64bits of bytes 0..15 (header check: a damaged length is
//        recognised as damage, never trusted as "the record runs past the end of the file")
//    20  payload
//  20+n  u64 XXH3_64bits of bytes 0..20+n-1 (record header and payload)
//   seal (32 bytes), written once when the segment is closed by rotation
//     0  u32 0xFFFFFFFF
//     4  "SEAL"
//     8  u64 last LSN of the segment
//    16  u64 record count
//    24  u64 XXH3_64bits of bytes 0..23
// In an encrypted store the payload is the sealed VersionCodec bytes (StoreCipher: nonce,
// ciphertext, tag) with bytes 0..15 of the record header as associated data, so a payload moved
// to another LSN does not authenticate; the checksum covers the sealed bytes, so torn-tail
// detection works the same. Lengths, types and LSNs stay readable.
// The seal lets open() learn a closed segment's last LSN (and so spot a missing segment)
// without scanning its records.

#include <QString>
#include <QtEndian>
#include <QtGlobal>

#include <cstring>
#include <xxhash.h>

namespace frostline::walformat {

inline constexpr char kSegmentMagic[8] = {'F', 'L', 'W', 'A', 'L', 'S', 'E', 'G'};
inline constexpr char kSealMagic[4] = {'S', 'E', 'A', 'L'};
inline constexpr quint32 kFormatVersion = 1;
inline constexpr qint64 kHeaderSize = 32;
inline constexpr qint64 kRecordHeaderSize = 20;
inline constexpr qint64 kRecordChecksumSize = 8;
inline constexpr qint64 kRecordOverhead = kRecordHeaderSize + kRecordChecksumSize;
inline constexpr qint64 kSealSize = 32;
inline constexpr quint32 kSealMarker = 0xFFFFFFFFu;
inline constexpr quint32 kMaxPayload = 256u * 1024 * 1024;
inline constexpr int kSegmentNameDigits = 20;

inline quint32 getU32(const char* p)
{
    return qFromLittleEndian<quint32>(p);
}
inline quint64 getU64(const char* p)
{
    return qFromLittleEndian<quint64>(p);
}
inline void putU32(char* p, quint32 v)
{
    qToLittleEndian<quint32>(v, p);
}
inline void putU64(char* p, quint64 v)
{
    qToLittleEndian<quint64>(v, p);
}
inline quint64 hash(const char* p, qint64 n)
{
    return XXH3_64bits(p, size_t(n));
}

inline QString segmentFileName(quint64 firstLsn)
{
    return QStringLiteral("%1.wal").arg(firstLsn, kSegmentNameDigits, 10, QLatin1Char('0'));
}

inline void encodeHeader(char* out, quint64 firstLsn)
{
    std::memcpy(out, kSegmentMagic, 8);
    putU32(out + 8, kFormatVersion);
    putU32(out + 12, quint32(kHeaderSize));
    putU64(out + 16, firstLsn);
    putU64(out + 24, hash(out, 24));
}

// Returns an empty string when the header is sound, else what is wrong with it.
inline QString checkHeader(const char* in)
{
    if (std::memcmp(in, kSegmentMagic, 8) != 0)
        return QStringLiteral("not a WAL segment (bad magic)");
    if (getU64(in + 24) != hash(in, 24))
        return QStringLiteral("header checksum mismatch");
    if (getU32(in + 8) != kFormatVersion)
        return QStringLiteral("unsupported format version %1").arg(getU32(in + 8));
    if (getU32(in + 12) != quint32(kHeaderSize))
        return QStringLiteral("bad header size %1").arg(getU32(in + 12));
    return {};
}

// Bytes 0..15 of a record header: the associated data of a sealed payload.
inline constexpr qint64 kRecordAadSize = 16;

// A record in two steps, for a payload written in place (sealed) between them: the header, then
// (payload at out + kRecordHeaderSize) the checksum.
inline void encodeRecordHeader(char* out, quint64 lsn, quint8 type, quint32 length)
{
    putU32(out, length);
    out[4] = char(type);
    out[5] = out[6] = out[7] = 0;
    putU64(out + 8, lsn);
    putU32(out + 16, quint32(hash(out, 16)));
}
inline void encodeRecordChecksum(char* out, quint32 length)
{
    putU64(out + kRecordHeaderSize + length, hash(out, kRecordHeaderSize + length));
}

// Writes one record (kRecordOverhead + payload bytes) at `out`.
inline void encodeRecord(char* out, quint64 lsn, quint8 type, const char* payload, quint32 length)
{
    encodeRecordHeader(out, lsn, type, length);
    if (length)
        std::memcpy(out + kRecordHeaderSize, payload, length);
    encodeRecordChecksum(out, length);
}

inline void encodeSeal(char* out, quint64 lastLsn, quint64 records)
{
    putU32(out, kSealMarker);
    std::memcpy(out + 4, kSealMagic, 4);
    putU64(out + 8, lastLsn);
    putU64(out + 16, records);
    putU64(out + 24, hash(out, 24));
}

inline bool sealIsSound(const char* in)
{
    return getU32(in) == kSealMarker && std::memcmp(in + 4, kSealMagic, 4) == 0 &&
           getU64(in + 24) == hash(in, 24);
}

} // namespace frostline::walformat
