#include "walsegmentreader.h"

#include "frostlineerror.h"
#include "walformat.h"

#include <QFile>

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace frostline {

using namespace walformat;

namespace {
constexpr qint64 kReadChunk = 4 * 1024 * 1024;
}

WalSegmentReader::WalSegmentReader(const QString& path, const QString& fileName)
    : m_fileName(fileName)
{
    m_fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    if (m_fd < 0)
        throw FrostlineError::runtime(QStringLiteral("WAL segment %1: cannot open: %2")
                                          .arg(fileName, FrostlineError::errnoText(errno)));
    struct stat st
    {
    };
    if (::fstat(m_fd, &st) != 0) {
        const int err = errno;
        ::close(m_fd);
        throw FrostlineError::runtime(QStringLiteral("WAL segment %1: cannot stat: %2")
                                          .arg(fileName, FrostlineError::errnoText(err)));
    }
    m_fileSize = st.st_size;
    ::posix_fadvise(m_fd, 0, 0, POSIX_FADV_SEQUENTIAL);
}

WalSegmentReader::~WalSegmentReader()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

void WalSegmentReader::fail(qint64 offset, const QString& what, const QString& consequence) const
{
    throw FrostlineError::runtime(
        QStringLiteral("WAL segment %1: %2 at byte offset %3").arg(m_fileName, what).arg(offset) +
        (consequence.isEmpty() ? QString() : QStringLiteral("; ") + consequence));
}

const char* WalSegmentReader::bytesAt(qint64 offset, qint64 n, qint64 limit)
{
    if (offset < 0 || n < 0 || offset + n > limit || offset + n > m_fileSize)
        return nullptr;
    if (offset >= m_bufferStart && offset + n <= m_bufferStart + m_bufferLength)
        return m_buffer.data() + (offset - m_bufferStart);
    // Refill from `offset`: one large read, or the whole record when it is larger.
    const qint64 want = std::min(std::max(n, kReadChunk), limit - offset);
    if (qint64(m_buffer.size()) < want)
        m_buffer.resize(size_t(want));
    qint64 got = 0;
    while (got < want) {
        const ssize_t r = ::pread(m_fd, m_buffer.data() + got, size_t(want - got), offset + got);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            fail(offset + got,
                 QStringLiteral("read error (%1)").arg(FrostlineError::errnoText(errno)));
        }
        if (r == 0)
            break; // shrank under us: treated as the end of the data
        got += r;
    }
    m_bufferStart = offset;
    m_bufferLength = got;
    return got >= n ? m_buffer.data() : nullptr;
}

quint64 WalSegmentReader::readHeader()
{
    const char* h = bytesAt(0, kHeaderSize, m_fileSize);
    if (!h)
        fail(0, QStringLiteral("file too short for a segment header (%1 bytes)").arg(m_fileSize));
    const QString bad = checkHeader(h);
    if (!bad.isEmpty())
        fail(0, bad);
    m_offset = kHeaderSize;
    return getU64(h + 16);
}

WalSegmentReader::Step WalSegmentReader::next(qint64 limit)
{
    m_problem.clear();
    if (m_offset >= limit)
        return Step::End;
    const char* p = bytesAt(m_offset, 4, limit);
    if (!p) {
        m_problem = QStringLiteral("incomplete record header");
        return Step::Incomplete;
    }
    if (getU32(p) == kSealMarker)
        return Step::Seal;
    const char* h = bytesAt(m_offset, kRecordHeaderSize, limit);
    if (!h) {
        m_problem = QStringLiteral("incomplete record header");
        return Step::Incomplete;
    }
    const quint32 length = getU32(h);
    const quint8 type = quint8(h[4]);
    if (getU32(h + 16) != quint32(hash(h, 16))) {
        m_problem = QStringLiteral("record header checksum mismatch");
        return Step::BadHeader;
    }
    if (h[5] || h[6] || h[7] || length > kMaxPayload || type != 1) {
        m_problem =
            QStringLiteral("malformed record header (type %1, length %2)").arg(type).arg(length);
        return Step::BadHeader;
    }
    m_recordEnd = m_offset + kRecordOverhead + length;
    const char* r = bytesAt(m_offset, kRecordOverhead + length, limit);
    if (!r) {
        m_problem = QStringLiteral("incomplete record (%1 payload bytes declared)").arg(length);
        return Step::Incomplete;
    }
    if (getU64(r + kRecordHeaderSize + length) != hash(r, kRecordHeaderSize + length)) {
        m_problem = QStringLiteral("record checksum mismatch");
        m_lsn = getU64(h + 8); // the header's own checksum held
        return Step::BadChecksum;
    }
    m_lsn = getU64(r + 8);
    m_type = type;
    m_length = length;
    m_record = r;
    m_payload = r + kRecordHeaderSize;
    m_offset = m_recordEnd;
    return Step::Record;
}

bool WalSegmentReader::zerosOnly(qint64 from, qint64 end)
{
    for (qint64 at = from; at < end;) {
        const qint64 n = std::min(kReadChunk, end - at);
        const char* p = bytesAt(at, n, end);
        if (!p)
            return false;
        for (qint64 i = 0; i < n; ++i)
            if (p[i])
                return false;
        at += n;
    }
    return true;
}

bool WalSegmentReader::readSeal(qint64 at, qint64 end, quint64* lastLsn, quint64* records)
{
    const char* s = bytesAt(at, kSealSize, end);
    if (!s || !sealIsSound(s))
        return false;
    *lastLsn = getU64(s + 8);
    *records = getU64(s + 16);
    return true;
}

} // namespace frostline
