#include "frostlineerror.h"
#include "testsupport.h"
#include "wal.h"
#include "walformat.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QtTest>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <set>
#include <thread>

#include <sys/fsuid.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace frostline;

namespace {

// Deterministic payloads of varying size, so record boundaries fall everywhere.
QByteArray payloadFor(quint64 i)
{
    QByteArray p = "payload-" + QByteArray::number(i) + ":";
    p.append(QByteArray(int(i % 97), char('a' + i % 26)));
    return p;
}

std::vector<WalRecord> collect(const Wal& wal, quint64 from)
{
    std::vector<WalRecord> out;
    wal.scan(from, [&](const WalRecord& r) {
        out.push_back(r);
        return true;
    });
    return out;
}

// Appends records first..last (payloadFor), `batch` per append().
void appendRange(Wal& wal, quint64 first, quint64 last, int batch)
{
    for (quint64 i = first; i <= last;) {
        std::vector<QByteArray> payloads;
        const quint64 start = i;
        for (int k = 0; k < batch && i <= last; ++k, ++i)
            payloads.push_back(payloadFor(i));
        QCOMPARE(wal.append(payloads), start);
    }
}

// The LSN of every record and its payload, in order, must be exactly first..last.
void expectRecords(const std::vector<WalRecord>& records, quint64 first, quint64 last)
{
    QCOMPARE(records.size(), size_t(last - first + 1));
    for (size_t k = 0; k < records.size(); ++k) {
        QCOMPARE(records[k].lsn, first + k);
        QCOMPARE(records[k].payload, payloadFor(first + k));
    }
}

QString errorOf(const std::function<void()>& f)
{
    try {
        f();
    } catch (const FrostlineError& e) {
        return e.message();
    }
    return {};
}

void flipByte(const QString& path, qint64 offset)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadWrite));
    QVERIFY(f.seek(offset));
    char c = 0;
    QVERIFY(f.getChar(&c));
    QVERIFY(f.seek(offset));
    QVERIFY(f.putChar(char(c ^ 0x5a)));
}

// Root ignores permission bits; switching the filesystem uid of this thread (and so dropping
// CAP_DAC_OVERRIDE for it) makes a read-only directory read-only for the code under test.
class Unprivileged
{
public:
    Unprivileged()
    {
        if (::geteuid() == 0)
            ::setfsuid(65534);
    }
    ~Unprivileged()
    {
        if (::geteuid() == 0)
            ::setfsuid(0);
    }
};

} // namespace

class TestWal : public QObject
{
    Q_OBJECT

private:
    static Wal::Options smallSegments(qint64 bytes = 4096)
    {
        Wal::Options o;
        o.segmentSizeBytes = bytes;
        return o;
    }

private slots:
    void roundTripAcrossRotationsAndReopen()
    {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath("wal");
        {
            Wal wal(dir, smallSegments());
            const auto report = wal.open();
            QCOMPARE(report.tornBytesCut, qint64(0));
            QCOMPARE(wal.lastLsn(), quint64(0));
            QCOMPARE(wal.firstLsn(), quint64(1));
            appendRange(wal, 1, 600, 7);
            QCOMPARE(wal.lastLsn(), quint64(600));
            const auto segs = wal.segments();
            QVERIFY2(segs.size() > 5, "4 KiB segments must have rotated");
            for (size_t i = 1; i < segs.size(); ++i)
                QCOMPARE(segs[i].firstLsn, segs[i - 1].lastLsn + 1);
            QVERIFY(segs.back().active);
            QVERIFY(!segs.front().active);
            QCOMPARE(segs.front().fileName, QStringLiteral("00000000000000000001.wal"));
            const auto records = collect(wal, 1);
            expectRecords(records, 1, 600);
            // segmentFile/offset point at the record: its LSN sits 8 bytes into it.
            for (const WalRecord& r : {records[0], records[299], records[599]}) {
                const QByteArray bytes = test::readFile(QDir(dir).filePath(r.segmentFile));
                QCOMPARE(qFromLittleEndian<quint64>(bytes.constData() + r.offset + 8), r.lsn);
            }
            QVERIFY(wal.verify().isEmpty());

            const size_t before = wal.segments().size();
            wal.rotate();
            QCOMPARE(wal.segments().size(), before + 1);
            QCOMPARE(wal.segments().back().firstLsn, quint64(601));
            wal.rotate(); // empty active segment: nothing to close
            QCOMPARE(wal.segments().size(), before + 1);
        }
        Wal wal(dir, smallSegments());
        const auto report = wal.open();
        QCOMPARE(report.tornBytesCut, qint64(0));
        QCOMPARE(wal.lastLsn(), quint64(600));
        appendRange(wal, 601, 700, 3);
        expectRecords(collect(wal, 1), 1, 700);
        QVERIFY(wal.verify().isEmpty());
    }

    void lsnsStartAtNextLsnIfEmpty()
    {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath("wal");
        {
            Wal wal(dir, {});
            wal.open(1001);
            QCOMPARE(wal.firstLsn(), quint64(1001));
            QCOMPARE(wal.lastLsn(), quint64(1000));
            QCOMPARE(wal.append({payloadFor(1001), payloadFor(1002)}), quint64(1001));
            QCOMPARE(wal.segments().front().fileName, QStringLiteral("00000000000000001001.wal"));
            QVERIFY(!errorOf([&] { collect(wal, 1000); }).isEmpty());
        }
        Wal wal(dir, {});
        wal.open(5); // only for an empty log
        QCOMPARE(wal.append({payloadFor(1003)}), quint64(1003));
        expectRecords(collect(wal, 1001), 1001, 1003);
    }

    void scanFromTheMiddle()
    {
        QTemporaryDir tmp;
        Wal wal(tmp.filePath("wal"), smallSegments());
        wal.open();
        appendRange(wal, 1, 300, 11);
        expectRecords(collect(wal, 137), 137, 300);
        expectRecords(collect(wal, 300), 300, 300);
        QVERIFY(collect(wal, 301).empty());
        int seen = 0;
        wal.scan(50, [&](const WalRecord& r) {
            [&] { QCOMPARE(r.lsn, quint64(50 + seen)); }();
            return ++seen < 5;
        });
        QCOMPARE(seen, 5);
    }

    void concurrentAppendersShareSyncs()
    {
        QTemporaryDir tmp;
        Wal wal(tmp.filePath("wal"), smallSegments(256 * 1024));
        wal.open();
        constexpr int kThreads = 8;
        constexpr int kPerThread = 2000;
        std::vector<std::vector<quint64>> lsns(kThreads);
        std::atomic<bool> failed{false};
        std::atomic<int> finished{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t)
            threads.emplace_back([&, t] {
                try {
                    for (int i = 0; i < kPerThread; ++i)
                        lsns[t].push_back(wal.append(
                            {"t" + QByteArray::number(t) + "-" + QByteArray::number(i)}));
                } catch (...) {
                    failed = true;
                }
                ++finished;
            });
        // Readers run alongside: every scan sees a contiguous prefix of the log.
        int scans = 0;
        bool scanOk = true;
        while (finished.load() < kThreads) {
            quint64 expect = 1;
            wal.scan(1, [&](const WalRecord& r) {
                scanOk = scanOk && r.lsn == expect++;
                return true;
            });
            scanOk = scanOk && wal.lastLsn() >= expect - 1 && !wal.segments().empty();
            ++scans;
        }
        for (auto& th : threads)
            th.join();
        QVERIFY(!failed);
        QVERIFY(scanOk);
        QVERIFY(scans > 0);

        constexpr quint64 total = quint64(kThreads) * kPerThread;
        QCOMPARE(wal.lastLsn(), total);
        std::map<quint64, QByteArray> expected;
        for (int t = 0; t < kThreads; ++t) {
            QVERIFY(std::is_sorted(lsns[t].begin(), lsns[t].end()));
            for (int i = 0; i < kPerThread; ++i)
                expected[lsns[t][i]] = "t" + QByteArray::number(t) + "-" + QByteArray::number(i);
        }
        QCOMPARE(expected.size(), size_t(total)); // unique LSNs
        QCOMPARE(expected.begin()->first, quint64(1));
        QCOMPARE(expected.rbegin()->first, total); // so: exactly 1..total
        const auto records = collect(wal, 1);
        QCOMPARE(records.size(), size_t(total));
        for (const WalRecord& r : records)
            QCOMPARE(r.payload, expected[r.lsn]); // every payload once, at its returned LSN
        const quint64 syncs = wal.syncCount();
        qInfo("%llu appends, %llu fdatasync calls", total, syncs);
        QVERIFY(syncs > 0);
        QVERIFY2(syncs < total, "group commit must let one fdatasync cover several appends");
        QVERIFY(wal.verify().isEmpty());
    }

    void tornTailIsCut_data()
    {
        QTest::addColumn<int>("cutInto");   // bytes of the last record kept; < 0: from its end
        QTest::addColumn<bool>("keepLast"); // keep the last record whole
        QTest::addColumn<int>("zeros");     // zero bytes appended after the cut
        QTest::newRow("inside header") << 7 << false << 0;
        QTest::newRow("inside payload") << 30 << false << 0;
        QTest::newRow("inside checksum") << -3 << false << 0;
        QTest::newRow("inside header + zeros") << 7 << false << 4096;
        QTest::newRow("inside payload + zeros") << 30 << false << 4096;
        QTest::newRow("three zero bytes") << 0 << false << 3;
        QTest::newRow("whole record + zeros") << 0 << true << 100;
    }
    void tornTailIsCut()
    {
        QFETCH(int, cutInto);
        QFETCH(bool, keepLast);
        QFETCH(int, zeros);
        QTemporaryDir tmp;
        const QString dir = tmp.filePath("wal");
        std::vector<WalRecord> records;
        qint64 fileSize = 0;
        {
            Wal wal(dir, {});
            wal.open();
            appendRange(wal, 1, 10, 1);
            records = collect(wal, 1);
            fileSize = wal.segments().back().sizeBytes;
        }
        const QString path = QDir(dir).filePath(records.back().segmentFile);
        const qint64 lastStart = records.back().offset;
        const qint64 wholeEnd = keepLast ? fileSize : lastStart; // where the repair must cut
        const qint64 keep = keepLast      ? fileSize
                            : cutInto < 0 ? fileSize + cutInto
                                          : lastStart + cutInto;
        QVERIFY(::truncate(QFile::encodeName(path).constData(), keep) == 0);
        if (zeros) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::Append));
            f.write(QByteArray(zeros, '\0'));
        }
        const qint64 damagedSize = QFileInfo(path).size();

        Wal wal(dir, {});
        const auto report = wal.open();
        QCOMPARE(report.tornBytesCut, damagedSize - wholeEnd);
        QCOMPARE(report.tornSegment,
                 damagedSize > wholeEnd ? records.back().segmentFile : QString());
        QCOMPARE(QFileInfo(path).size(), wholeEnd);
        const quint64 kept = wholeEnd == fileSize ? 10 : 9;
        QCOMPARE(wal.lastLsn(), kept);
        QCOMPARE(wal.append({payloadFor(kept + 1)}), kept + 1);
        wal.close();
        Wal again(dir, {});
        QCOMPARE(again.open().tornBytesCut, qint64(0));
        expectRecords(collect(again, 1), 1, kept + 1);
    }

    void flippedByteIsCorruption_data()
    {
        QTest::addColumn<bool>("lastSegment");
        QTest::addColumn<int>("where"); // offset into the damaged record
        QTest::newRow("closed segment, payload") << false << 25;
        QTest::newRow("closed segment, length") << false << 1;
        QTest::newRow("last segment, payload") << true << 25;
        QTest::newRow("last segment, length") << true << 2;
        QTest::newRow("last segment, LSN") << true << 9;
    }
    void flippedByteIsCorruption()
    {
        QFETCH(bool, lastSegment);
        QFETCH(int, where);
        QTemporaryDir tmp;
        const QString dir = tmp.filePath("wal");
        std::vector<WalRecord> records;
        QString target;
        {
            Wal wal(dir, smallSegments(16 * 1024));
            wal.open();
            appendRange(wal, 1, 400, 10);
            records = collect(wal, 1);
            const auto segs = wal.segments();
            QVERIFY(segs.size() >= 3);
            target = lastSegment ? segs.back().fileName : segs[1].fileName;
        }
        std::vector<WalRecord> inTarget;
        for (const WalRecord& r : records)
            if (r.segmentFile == target)
                inTarget.push_back(r);
        QVERIFY(inTarget.size() > 4);
        const WalRecord& victim = inTarget[inTarget.size() / 2];
        flipByte(QDir(dir).filePath(target), victim.offset + where);
        const QString named = QStringLiteral("%1: ").arg(target);
        const QString at = QStringLiteral("byte offset %1").arg(victim.offset);

        Wal wal(dir, smallSegments(16 * 1024));
        if (lastSegment) {
            const QString err = errorOf([&] { wal.open(); });
            QVERIFY2(err.contains(named) && err.contains(at), qPrintable(err));
            QCOMPARE(QFileInfo(QDir(dir).filePath(target)).size(),
                     inTarget.back().offset + 28 + inTarget.back().payload.size()); // not cut
            return;
        }
        wal.open(); // only the last segment is scanned at open
        const QString err = errorOf([&] { collect(wal, 1); });
        QVERIFY2(err.contains(named) && err.contains(at), qPrintable(err));
        // A scan starting after the damaged segment does not touch it.
        QVERIFY(errorOf([&] { collect(wal, inTarget.back().lsn + 1); }).isEmpty());
        const QStringList problems = wal.verify();
        QCOMPARE(problems.size(), 1);
        QVERIFY2(problems[0].contains(named) && problems[0].contains(at), qPrintable(problems[0]));
    }

    void missingMiddleSegmentIsAnError()
    {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath("wal");
        std::vector<WalSegmentInfo> segs;
        {
            Wal wal(dir, smallSegments());
            wal.open();
            appendRange(wal, 1, 200, 5);
            segs = wal.segments();
        }
        QVERIFY(segs.size() >= 4);
        QVERIFY(QFile::remove(segs[2].path));
        Wal wal(dir, smallSegments());
        const QString err = errorOf([&] { wal.open(); });
        QVERIFY2(err.contains(segs[1].fileName) && err.contains(segs[3].fileName) &&
                     err.contains(QStringLiteral("missing segment")),
                 qPrintable(err));
    }

    void deleteSegmentsKeepsUnflushedAndActive()
    {
        QTemporaryDir tmp;
        Wal wal(tmp.filePath("wal"), smallSegments());
        wal.open();
        appendRange(wal, 1, 200, 5);
        const auto segs = wal.segments();
        QVERIFY(segs.size() >= 4);
        QCOMPARE(wal.deleteSegmentsUpTo(0), 0);
        QCOMPARE(wal.deleteSegmentsUpTo(segs[0].lastLsn - 1), 0);
        QVERIFY(QFile::exists(segs[0].path));
        QCOMPARE(wal.deleteSegmentsUpTo(segs[1].lastLsn + 1), 2); // [2] ends later: kept
        QVERIFY(!QFile::exists(segs[0].path) && !QFile::exists(segs[1].path));
        QVERIFY(QFile::exists(segs[2].path));
        QCOMPARE(wal.firstLsn(), segs[2].firstLsn);
        QVERIFY(!errorOf([&] { collect(wal, 1); }).isEmpty()); // truncated range: error
        expectRecords(collect(wal, segs[2].firstLsn), segs[2].firstLsn, 200);

        // Even "everything is flushed" keeps the active segment, records and all.
        const QString active = wal.segments().back().path;
        QCOMPARE(wal.deleteSegmentsUpTo(std::numeric_limits<quint64>::max()), int(segs.size()) - 3);
        QCOMPARE(wal.segments().size(), size_t(1));
        QVERIFY(QFile::exists(active));
        QCOMPARE(wal.lastLsn(), quint64(200));
        expectRecords(collect(wal, wal.firstLsn()), wal.firstLsn(), 200);
        QCOMPARE(wal.append({payloadFor(201)}), quint64(201));
    }

    void readOnlyDirectory()
    {
        QTemporaryDir tmp;
        QVERIFY(QFile::setPermissions(tmp.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                      QFileDevice::ExeOwner |
                                                      QFileDevice::ExeOther));
        // A new log in a read-only directory.
        const QString fresh = tmp.filePath("fresh");
        QVERIFY(QDir().mkdir(fresh));
        QVERIFY(::chmod(QFile::encodeName(fresh).constData(), 0555) == 0);
        {
            Wal wal(fresh, {});
            QString err;
            {
                Unprivileged guard;
                err = errorOf([&] { wal.open(); });
            }
            QVERIFY2(err.contains(QStringLiteral("cannot create")) &&
                         err.contains(QString::fromLocal8Bit(strerror(EACCES))),
                     qPrintable(err));
        }
        // An open log whose directory turns read-only: the rotation inside append fails.
        const QString dir = tmp.filePath("wal");
        Wal wal(dir, smallSegments(1024));
        wal.open();
        appendRange(wal, 1, 20, 1);
        const size_t segs = wal.segments().size();
        QVERIFY(::chmod(QFile::encodeName(dir).constData(), 0555) == 0);
        QString err;
        {
            Unprivileged guard;
            err = errorOf([&] { appendRange(wal, 21, 40, 1); });
        }
        QVERIFY2(err.contains(QStringLiteral("cannot create")) &&
                     err.contains(QString::fromLocal8Bit(strerror(EACCES))),
                 qPrintable(err));
        QCOMPARE(wal.segments().size(), segs);
        QVERIFY(::chmod(QFile::encodeName(dir).constData(), 0700) == 0);
        const quint64 next = wal.lastLsn() + 1;
        appendRange(wal, next, next + 30, 1);
        expectRecords(collect(wal, 1), 1, next + 30);
        QVERIFY(wal.verify().isEmpty());
    }

    void diskFullLeavesNoPartialRecord()
    {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath("wal");
        Wal wal(dir, {});
        wal.open();
        appendRange(wal, 1, 20, 4);
        const QString path = wal.segments().back().path;
        const qint64 sizeBefore = QFileInfo(path).size();

        const auto oldHandler = std::signal(SIGXFSZ, SIG_IGN);
        rlimit saved{};
        QVERIFY(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
        rlimit small = saved;
        small.rlim_cur = rlim_t(sizeBefore + 300); // room for a part of the batch only
        QVERIFY(::setrlimit(RLIMIT_FSIZE, &small) == 0);
        QString err;
        std::vector<QByteArray> batch;
        for (int i = 0; i < 5; ++i)
            batch.push_back(QByteArray(200, char('x' + i)));
        err = errorOf([&] { wal.append(batch); });
        const qint64 sizeAfterFailure = QFileInfo(path).size();
        ::setrlimit(RLIMIT_FSIZE, &saved);
        std::signal(SIGXFSZ, oldHandler);

        QVERIFY2(err.contains(
                     QStringLiteral("%1: cannot append: %2")
                         .arg(QFileInfo(path).fileName(), QString::fromLocal8Bit(strerror(EFBIG)))),
                 qPrintable(err));
        QCOMPARE(sizeAfterFailure, sizeBefore); // no partial record
        QCOMPARE(wal.lastLsn(), quint64(20));
        QCOMPARE(wal.append({payloadFor(21)}), quint64(21)); // usable again
        wal.close();

        Wal again(dir, {});
        QCOMPARE(again.open().tornBytesCut, qint64(0));
        expectRecords(collect(again, 1), 1, 21);
    }

    void filesAreOwnerOnly()
    {
        QTemporaryDir tmp;
        const mode_t oldMask = ::umask(0); // not relying on the caller's umask
        const QString dir = tmp.filePath("store/wal");
        Wal wal(dir, smallSegments(1024));
        wal.open();
        appendRange(wal, 1, 30, 1);
        ::umask(oldMask);
        struct stat st
        {
        };
        QVERIFY(::stat(QFile::encodeName(dir).constData(), &st) == 0);
        QCOMPARE(st.st_mode & 07777, mode_t(0700));
        QVERIFY(wal.segments().size() > 1);
        for (const auto& s : wal.segments()) {
            QVERIFY(::stat(QFile::encodeName(s.path).constData(), &st) == 0);
            QCOMPARE(st.st_mode & 07777, mode_t(0600));
        }
    }

    void theNewestSegmentIsRecordedBeforeItTakesRecords()
    {
        // Every segment is handed to recordNewestSegment once it is on disk and before its first
        // record (an empty one never is); a callback that throws fails the append with nothing
        // written, and the next append records the segment first. Truncation records 0 once
        // the flushed LSN covers every record.
        QTemporaryDir tmp;
        const QString dir = tmp.filePath("wal");
        std::vector<quint64> recorded;
        bool refuse = false;
        Wal::Options options = smallSegments();
        options.recordNewestSegment = [&](quint64 firstLsn) {
            if (refuse)
                throw FrostlineError::runtime(QStringLiteral("meta.db is failing"));
            if (firstLsn != 0) {
                // On disk already, and (the first time) empty: the record comes before any
                // record goes in.
                const QString path = QDir(dir).filePath(walformat::segmentFileName(firstLsn));
                QVERIFY(QFileInfo::exists(path));
                if (std::find(recorded.begin(), recorded.end(), firstLsn) == recorded.end())
                    QCOMPARE(QFileInfo(path).size(), qint64(walformat::kHeaderSize));
            }
            recorded.push_back(firstLsn);
        };
        Wal wal(dir, options);
        wal.open();
        QVERIFY(recorded.empty()); // an empty segment is no loss if it goes
        appendRange(wal, 1, 200, 5);
        std::vector<quint64> firsts;
        for (const auto& seg : wal.segments())
            firsts.push_back(seg.firstLsn);
        QVERIFY(firsts.size() >= 4);
        QCOMPARE(recorded, firsts);

        // A rotation opens an empty segment: nothing recorded until a record goes in, and that
        // record fails with the recording.
        wal.rotate();
        QCOMPARE(recorded.back(), firsts.back());
        refuse = true;
        const QString err = errorOf([&] { wal.append({payloadFor(201)}); });
        QVERIFY2(err.contains(QStringLiteral("meta.db is failing")), qPrintable(err));
        QCOMPARE(wal.lastLsn(), quint64(200));
        QCOMPARE(wal.segments().back().records, quint64(0));
        refuse = false;
        QCOMPARE(wal.append({payloadFor(201)}), quint64(201));
        QCOMPARE(recorded.back(), quint64(201));
        expectRecords(collect(wal, 1), 1, 201);

        // Truncation up to a flushed LSN below the last record records nothing; once the
        // flushed LSN covers every record it records 0, whether or not the segment could go.
        const std::size_t calls = recorded.size();
        QVERIFY(wal.deleteSegmentsUpTo(100) > 0);
        QCOMPARE(recorded.size(), calls);
        QVERIFY(wal.deleteSegmentsUpTo(201) > 0); // the sealed ones; 201's segment is active
        QCOMPARE(wal.segments().size(), std::size_t(1));
        QCOMPARE(recorded.size(), calls + 1);
        QCOMPARE(recorded.back(), quint64(0));
        QVERIFY(wal.deleteSegmentsUpTo(201) >= 0);
        QCOMPARE(recorded.size(), calls + 1); // once
        // The next record goes into the same segment, which is recorded again first.
        QCOMPARE(wal.append({payloadFor(202)}), quint64(202));
        QCOMPARE(recorded.back(), quint64(201));
        QCOMPARE(wal.deleteSegmentsUpTo(201), 0);
        QCOMPARE(recorded.back(), quint64(201)); // 202 is not covered
        QCOMPARE(wal.deleteSegmentsUpTo(202), 0);
        QCOMPARE(recorded.back(), quint64(0));
    }

    void anUnrecordedSegmentIsRecordedAfterOpen()
    {
        // A log whose newest segment was never recorded (written before the record existed, or
        // the process died between publishing a segment and recording it): after open, the
        // store passes its flushed LSN and the segment holding the last record is recorded, not
        // the fresh empty one a sealed segment is followed by, and nothing when it is covered.
        QTemporaryDir tmp;
        const QString dir = tmp.filePath("wal");
        {
            Wal wal(dir, smallSegments());
            wal.open();
            appendRange(wal, 1, 120, 5);
            wal.rotate(); // the last records' segment is sealed; the next open starts a fresh one
        }
        std::vector<quint64> recorded;
        Wal::Options options = smallSegments();
        options.recordNewestSegment = [&](quint64 firstLsn) { recorded.push_back(firstLsn); };
        Wal wal(dir, options);
        wal.open(1, 0);
        QVERIFY(recorded.empty());
        const auto& segments = wal.segments();
        QVERIFY(segments.size() >= 3);
        QCOMPARE(segments.back().records, quint64(0));
        const quint64 holdingLast = segments[segments.size() - 2].firstLsn;
        wal.recordUncoveredSegment(120); // every record covered
        QVERIFY(recorded.empty());
        wal.recordUncoveredSegment(119);
        QCOMPARE(recorded, std::vector<quint64>{holdingLast});
        wal.recordUncoveredSegment(0); // recorded already
        QCOMPARE(recorded.size(), std::size_t(1));
        // The next record goes into the fresh segment, which is recorded first.
        QCOMPARE(wal.append({payloadFor(121)}), quint64(121));
        QCOMPARE(recorded.back(), segments.back().firstLsn);
        QCOMPARE(recorded.size(), std::size_t(2));
    }

    void aMissingNewestSegmentIsRefused_data()
    {
        QTest::addColumn<bool>("removeAll");
        QTest::newRow("the active segment") << false;
        QTest::newRow("every segment") << true;
    }
    void aMissingNewestSegmentIsRefused()
    {
        // The newest segment recorded is gone (deleted by hand): the open names it and leaves
        // the directory as it was: no empty segment stands in for it, nothing is cut.
        QFETCH(bool, removeAll);
        QTemporaryDir tmp;
        const QString dir = tmp.filePath("wal");
        quint64 newest = 0;
        std::vector<WalSegmentInfo> segs;
        {
            Wal::Options options = smallSegments();
            options.recordNewestSegment = [&](quint64 firstLsn) { newest = firstLsn; };
            Wal wal(dir, options);
            wal.open();
            appendRange(wal, 1, 200, 5);
            segs = wal.segments();
        }
        QVERIFY(segs.size() >= 4);
        QCOMPARE(newest, segs.back().firstLsn);
        QVERIFY(segs.back().records > 0);
        const QString aside = tmp.filePath("aside");
        QVERIFY(QDir().mkpath(aside));
        for (std::size_t i = removeAll ? 0 : segs.size() - 1; i < segs.size(); ++i)
            QVERIFY(QFile::rename(segs[i].path, QDir(aside).filePath(segs[i].fileName)));
        const QStringList left = QDir(dir).entryList(QDir::Files, QDir::Name);
        {
            Wal wal(dir, smallSegments());
            const QString err = errorOf([&] { wal.open(1, newest); });
            QVERIFY2(err.contains(segs.back().fileName) &&
                         err.contains(QStringLiteral("missing")) &&
                         err.contains(QStringLiteral("put it back")),
                     qPrintable(err));
            QCOMPARE(QDir(dir).entryList(QDir::Files, QDir::Name), left);
        }
        // Without the record (a log from before it existed) the same directory opens: the check
        // is what tells a deletion from a log that simply ends there.
        {
            Wal wal(dir, smallSegments());
            wal.open(removeAll ? 201 : 1, 0);
            QVERIFY(collect(wal, wal.firstLsn()).size() < 200); // opens, records gone
        }
        // Put back (in place of the segment that open made), everything is there.
        for (const QString& f : QDir(dir).entryList(QDir::Files))
            if (!left.contains(f))
                QVERIFY(QFile::remove(QDir(dir).filePath(f)));
        for (const QString& f : QDir(aside).entryList(QDir::Files))
            QVERIFY(QFile::rename(QDir(aside).filePath(f), QDir(dir).filePath(f)));
        Wal wal(dir, smallSegments());
        wal.open(1, newest);
        expectRecords(collect(wal, 1), 1, 200);
    }

    // An empty file named like a later segment (a stray copy) makes the real active segment
    // look closed without a seal: the message must not send the operator to delete that one,
    // nor blame the stray alone (a closed segment whose end was damaged reads the same).
    void aStraySegmentIsNamedAsTheSuspect()
    {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath("wal");
        {
            Wal wal(dir, {});
            wal.open();
            appendRange(wal, 1, 10, 2);
        }
        const QString stray = QDir(dir).filePath("00000000000000000100.wal");
        test::writeFile(stray, QByteArray());
        try {
            Wal wal(dir, {});
            wal.open();
            QFAIL("a stray segment file was accepted");
        } catch (const FrostlineError& e) {
            // Both suspects named: this segment (damaged), or the file after it (a stray).
            QVERIFY2(e.message().startsWith(QLatin1String(
                         "WAL segment 00000000000000000001.wal: closed segment, followed by "
                         "00000000000000000100.wal, has no sound seal: either it is damaged (its "
                         "end was cut or overwritten: restore the store from a backup), or "
                         "00000000000000000100.wal is a stray or copied file that makes it look "
                         "closed (if this store did not write 00000000000000000100.wal, move it "
                         "out of the WAL directory and open again); the seal was expected at byte "
                         "offset ")),
                     qPrintable(e.message()));
        }
        QVERIFY(QFile::remove(stray));
        Wal wal(dir, {});
        wal.open();
        expectRecords(collect(wal, 1), 1, 10);
    }

    void crashBetweenSealAndNextSegment()
    {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath("wal");
        {
            Wal wal(dir, {});
            wal.open();
            appendRange(wal, 1, 10, 2);
            wal.rotate();
            // As if the crash came before the new segment was renamed into place.
            const QString fresh = wal.segments().back().path;
            wal.close();
            QVERIFY(QFile::rename(fresh, fresh + ".tmp"));
            test::writeFile(QDir(dir).filePath("notes.wal.tmp"), "mine");
        }
        Wal wal(dir, {});
        QCOMPARE(wal.open().tornBytesCut, qint64(0));
        QVERIFY(!QFile::exists(QDir(dir).filePath("00000000000000000011.wal.tmp")));
        // A file of the operator's that merely ends the same way is not a leftover of ours.
        QCOMPARE(test::readFile(QDir(dir).filePath("notes.wal.tmp")), QByteArray("mine"));
        QCOMPARE(wal.segments().size(), size_t(2));
        QCOMPARE(wal.append({payloadFor(11)}), quint64(11));
        expectRecords(collect(wal, 1), 1, 11);
        QVERIFY(wal.verify().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestWal)
#include "tst_wal.moc"
