#pragma once

#include <QString>

#include <vector>

namespace frostline {

// Sequential, buffered reader of one WAL segment file (layout in walformat.h). It decodes and
// checks records one at a time; what a bad record means (torn tail or corruption) is for the
// caller to decide. Large preads keep a full scan near disk/page-cache speed.
class WalSegmentReader
{
public:
    enum class Step
    {
        Record,      // a whole record with sound header and checksum; see the accessors
        End,         // exactly at the limit
        Incomplete,  // the file (limit) ends inside the record header or the declared record
        BadHeader,   // header check, type or length wrong: the length cannot be trusted
        BadChecksum, // header sound, record checksum wrong; recordEnd() is the declared end
                     // and lsn() the header's LSN; skipRecord() steps over it
        Seal,        // the seal marker starts here (not consumed)
    };

    // Opens the file read-only; throws FrostlineError (Runtime) naming the file on failure.
    WalSegmentReader(const QString& path, const QString& fileName);
    ~WalSegmentReader();
    WalSegmentReader(const WalSegmentReader&) = delete;
    WalSegmentReader& operator=(const WalSegmentReader&) = delete;

    qint64 fileSize() const { return m_fileSize; }
    const QString& fileName() const { return m_fileName; }

    // Reads and validates the segment header, positions at the first record, returns the
    // header's first LSN. Throws naming the file and offset 0 when the header is bad.
    quint64 readHeader();

    // Decodes the record at offset() within [offset(), limit); advances only on Record.
    Step next(qint64 limit);

    // After BadChecksum: goes on at the next record (the header, and so the length, is sound).
    void skipRecord() { m_offset = m_recordEnd; }

    qint64 offset() const { return m_offset; }
    qint64 recordEnd() const { return m_recordEnd; }
    quint64 lsn() const { return m_lsn; }
    quint8 type() const { return m_type; }
    const char* payload() const { return m_payload; } // valid until the next call
    // The record's first header bytes (the associated data of a sealed payload); same lifetime.
    const char* recordHeader() const { return m_record; }
    quint32 payloadLength() const { return m_length; }
    QString problem() const { return m_problem; } // why the last step was not a Record

    // Whether every byte in [from, end) is zero (true for an empty range).
    bool zerosOnly(qint64 from, qint64 end);
    // Reads the seal at `at` (kSealSize bytes, must end by `end`); false when absent or unsound.
    bool readSeal(qint64 at, qint64 end, quint64* lastLsn, quint64* records);

    // Throws FrostlineError (Runtime): "WAL segment <file>: <what> at byte offset <offset>",
    // then "; <consequence>" when one is given.
    [[noreturn]] void fail(qint64 offset, const QString& what,
                           const QString& consequence = {}) const;

private:
    const char* bytesAt(qint64 offset, qint64 n, qint64 limit);

    int m_fd = -1;
    QString m_fileName;
    qint64 m_fileSize = 0;
    qint64 m_offset = 0;
    std::vector<char> m_buffer;
    qint64 m_bufferStart = 0; // file offset of m_buffer[0]
    qint64 m_bufferLength = 0;

    qint64 m_recordEnd = 0;
    quint64 m_lsn = 0;
    quint8 m_type = 0;
    const char* m_record = nullptr;
    const char* m_payload = nullptr;
    quint32 m_length = 0;
    QString m_problem;
};

} // namespace frostline
