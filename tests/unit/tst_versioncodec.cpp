#include "jsonlcodec.h"
#include "versioncodec.h"
#include "workloadgenerator.h"

#include <QtTest>

#include <xxhash.h>

#include <random>

using namespace frostline;

namespace {

// Hostile records are built by hand from the layout documented in versioncodec.cpp:
// fixed fields | varint label length | label | properties (varint count, entries) | XXH3-64.
QByteArray varint(quint64 v)
{
    QByteArray out;
    while (v >= 0x80) {
        out.append(char((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.append(char(v));
    return out;
}

QByteArray withChecksum(QByteArray body)
{
    const quint64 sum = XXH3_64bits(body.constData(), std::size_t(body.size()));
    for (int i = 0; i < 8; ++i)
        body.append(char((sum >> (8 * i)) & 0xff));
    return body;
}

// The fixed fields of a plain node version, up to (not including) the label.
QByteArray nodeHeader()
{
    Version v;
    v.versionId = 1;
    v.entityId = 2;
    v.validTo = v.txTo = 10;
    QByteArray bytes = VersionCodec::encode(v);
    bytes.chop(8 + 2); // checksum, empty label length, empty property count
    return bytes;
}

// A whole record whose label is `label` and whose properties are `props` (count + entries).
QByteArray craft(const QByteArray& props, const QByteArray& label = QByteArray())
{
    return withChecksum(nodeHeader() + varint(quint64(label.size())) + label + props);
}

QString decodeError(QByteArrayView bytes)
{
    Version v;
    QString error;
    if (VersionCodec::decode(bytes, &v, &error))
        return QStringLiteral("<decoded>");
    return error.isEmpty() ? QStringLiteral("<empty error>") : error;
}

PropertyValue nested(int depth)
{
    PropertyValue v(qint64(7));
    for (int i = 0; i < depth; ++i)
        v = (i % 2) ? PropertyValue(PropertyValue::List{v})
                    : PropertyValue(PropertyValue::Map{{"k", v}});
    return v;
}

QString describe(const Version& v)
{
    return QString::fromUtf8(JsonlCodec::encode(v));
}

} // namespace

class TestVersionCodec : public QObject
{
    Q_OBJECT
private slots:
    void randomVersionsRoundTrip()
    {
        QByteArray stream("prefix");
        for (int i = 0; i < 20000; ++i) {
            const Version v = WorkloadGenerator::randomVersion(1234, quint64(i));
            const QByteArray bytes = VersionCodec::encode(v);
            Version back;
            QString error;
            if (!VersionCodec::decode(bytes, &back, &error))
                QFAIL(qPrintable(
                    QStringLiteral("version %1: %2: %3").arg(i).arg(error, describe(v))));
            if (!(back == v))
                QFAIL(qPrintable(QStringLiteral("version %1 changed: %2 became %3")
                                     .arg(i)
                                     .arg(describe(v), describe(back))));
            // encodeAppend appends exactly the same record.
            const qsizetype before = stream.size();
            VersionCodec::encodeAppend(v, stream);
            QCOMPARE(stream.sliced(before), bytes);
        }
        QVERIFY(stream.startsWith("prefix"));
    }

    void generatedWorkloadRoundTrips()
    {
        WorkloadGenerator::Options options;
        options.entities = 100;
        options.versions = 2000;
        options.now = 1'700'000'000'000'000;
        for (const Version& v : WorkloadGenerator(options).generateAll()) {
            Version back;
            QString error;
            QVERIFY2(VersionCodec::decode(VersionCodec::encode(v), &back, &error),
                     qPrintable(error));
            QCOMPARE(back, v);
        }
    }

    void everyTruncationIsAnError()
    {
        for (int i = 0; i < 200; ++i) {
            const QByteArray bytes =
                VersionCodec::encode(WorkloadGenerator::randomVersion(77, quint64(i)));
            for (qsizetype len = 0; len < bytes.size(); ++len) {
                const QString error = decodeError(QByteArrayView(bytes.constData(), len));
                if (error == QStringLiteral("<decoded>") ||
                    error == QStringLiteral("<empty error>"))
                    QFAIL(qPrintable(QStringLiteral("record %1 cut to %2 of %3 bytes: %4")
                                         .arg(i)
                                         .arg(len)
                                         .arg(bytes.size())
                                         .arg(error)));
            }
            // One byte too many is an error as well.
            QVERIFY(decodeError(bytes + '\0') != QStringLiteral("<decoded>"));
        }
    }

    void everyTruncatedBodyWithFreshChecksumIsAnError()
    {
        // Past the checksum: the parser itself must notice the missing bytes.
        for (int i = 0; i < 100; ++i) {
            QByteArray body =
                VersionCodec::encode(WorkloadGenerator::randomVersion(78, quint64(i)));
            body.chop(8);
            for (qsizetype len = 0; len < body.size(); ++len) {
                const QString error = decodeError(withChecksum(body.first(len)));
                if (error == QStringLiteral("<decoded>") ||
                    error == QStringLiteral("<empty error>"))
                    QFAIL(qPrintable(QStringLiteral("record %1 body cut to %2 of %3: %4")
                                         .arg(i)
                                         .arg(len)
                                         .arg(body.size())
                                         .arg(error)));
            }
        }
    }

    void everyBitFlipIsAnError()
    {
        for (int i = 0; i < 60; ++i) {
            QByteArray bytes =
                VersionCodec::encode(WorkloadGenerator::randomVersion(99, quint64(i)));
            for (qsizetype pos = 0; pos < bytes.size(); ++pos) {
                for (int bit = 0; bit < 8; ++bit) {
                    bytes[pos] = char(bytes[pos] ^ (1 << bit));
                    const QString error = decodeError(bytes);
                    bytes[pos] = char(bytes[pos] ^ (1 << bit));
                    if (error == QStringLiteral("<decoded>") ||
                        error == QStringLiteral("<empty error>"))
                        QFAIL(qPrintable(QStringLiteral("record %1: flipping bit %2 of byte %3: %4")
                                             .arg(i)
                                             .arg(bit)
                                             .arg(pos)
                                             .arg(error)));
                }
            }
        }
    }

    void randomGarbageIsAnError()
    {
        std::mt19937_64 rng(5);
        for (int i = 0; i < 200000; ++i) {
            QByteArray bytes(qsizetype(rng() % 300), Qt::Uninitialized);
            for (char& c : bytes)
                c = char(rng());
            if (!bytes.isEmpty() && i % 2)
                bytes[0] = char(VersionCodec::kFormatVersion);
            const QString error = decodeError(bytes);
            if (error == QStringLiteral("<decoded>") || error == QStringLiteral("<empty error>"))
                QFAIL(qPrintable(QStringLiteral("garbage %1 (%2 bytes): %3")
                                     .arg(i)
                                     .arg(bytes.size())
                                     .arg(error)));
        }
    }

    void mutatedRecordsWithFreshChecksumNeverCrash()
    {
        // The checksum hides the parser from random garbage; recomputing it lets the mutations
        // reach the parser, which must fail cleanly or decode something that encodes again.
        std::mt19937_64 rng(6);
        int decoded = 0, failed = 0;
        for (int i = 0; i < 30000; ++i) {
            QByteArray body =
                VersionCodec::encode(WorkloadGenerator::randomVersion(55, quint64(i % 3000)));
            body.chop(8);
            for (int m = 0, n = 1 + int(rng() % 4); m < n; ++m) {
                const qsizetype pos = qsizetype(rng() % quint64(body.size()));
                body[pos] = (rng() % 2) ? char(rng()) : char(0xff);
            }
            Version v;
            QString error;
            if (VersionCodec::decode(withChecksum(body), &v, &error)) {
                ++decoded;
                Version again;
                QVERIFY(VersionCodec::decode(VersionCodec::encode(v), &again, &error));
                QCOMPARE(again, v);
            } else {
                ++failed;
                QVERIFY(!error.isEmpty());
            }
        }
        QVERIFY(failed > 0);
        qInfo("mutated records: %d decoded, %d refused", decoded, failed);
    }

    void hostileStructuresAreRefusedWithReasons_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("message");
        const auto row = [](const char* name, const QByteArray& bytes, const QString& message) {
            QTest::newRow(name) << bytes << message;
        };
        const qsizetype header = nodeHeader().size();
        row("plain record decodes", craft(varint(0)), "<decoded>");
        row("empty", QByteArray(), "version record too short (0 bytes)");
        QByteArray otherFormat = craft(varint(0));
        otherFormat[0] = 2;
        row("unknown format", otherFormat, "unknown version record format 2");
        QByteArray badChecksum = craft(varint(0));
        badChecksum[badChecksum.size() - 1] = char(badChecksum[badChecksum.size() - 1] ^ 1);
        row("checksum", badChecksum, "version record checksum mismatch");
        QByteArray badKind = nodeHeader() + varint(0) + varint(0);
        badKind[1] = 2;
        row("bad kind", withChecksum(badKind), "bad kind byte 2");
        row("huge property count", craft(varint(1'000'000'000)),
            QStringLiteral("element count 1000000000 exceeds the remaining bytes at byte %1")
                .arg(header + 1 + 5));
        row("huge list count",
            craft(varint(1) + varint(1) + "a" + char(PropertyValue::Type::List) +
                  varint(quint64(1) << 40)),
            QStringLiteral("element count 1099511627776 exceeds the remaining bytes at byte %1")
                .arg(header + 1 + 1 + 2 + 1 + 6));
        row("string past end",
            craft(varint(1) + varint(1) + "a" + char(PropertyValue::Type::String) + varint(500) +
                  "xyz"),
            QStringLiteral("string length 500 runs past the end at byte %1").arg(header + 7));
        row("invalid utf-8 label", craft(varint(0), "a\xff"),
            QStringLiteral("invalid UTF-8 in string at byte %1").arg(header + 1));
        row("unknown tag", craft(varint(1) + varint(1) + "a" + char(9)),
            QStringLiteral("unknown value tag 9 at byte %1").arg(header + 5));
        row("bad bool",
            craft(varint(1) + varint(1) + "a" + char(PropertyValue::Type::Bool) + char(2)),
            QStringLiteral("bad bool byte 2 at byte %1").arg(header + 6));
        row("keys out of order",
            craft(varint(2) + varint(1) + "b" + char(0) + varint(1) + "a" + char(0)),
            QStringLiteral("map keys out of order at byte %1").arg(header + 8));
        row("duplicate keys",
            craft(varint(2) + varint(1) + "a" + char(0) + varint(1) + "a" + char(0)),
            QStringLiteral("map keys out of order at byte %1").arg(header + 8));
        row("varint overflow",
            craft(varint(1) + varint(1) + "a" + char(PropertyValue::Type::Int) +
                  QByteArray(9, char(0xff)) + char(0x02)),
            QStringLiteral("varint overflows 64 bits at byte %1").arg(header + 15));
        // Found by fuzz_versioncodec: an overlong varint decoded to the same value as the short
        // one, so two different records meant the same version.
        row("overlong varint", withChecksum(nodeHeader() + QByteArray("\x80\x00", 2) + varint(0)),
            QStringLiteral("non-canonical varint at byte %1").arg(header + 2));
        row("trailing bytes", craft(varint(0) + "zz"),
            QStringLiteral("2 trailing bytes at byte %1").arg(header + 2));
        row("truncated double",
            craft(varint(1) + varint(1) + "a" + char(PropertyValue::Type::Double) + "1234"),
            QStringLiteral("truncated record at byte %1").arg(header + 5));
        QByteArray deep = varint(1) + varint(1) + "a";
        for (int i = 0; i < 100000; ++i)
            deep += char(PropertyValue::Type::List) + varint(1);
        row("deep lists", craft(deep),
            QStringLiteral("properties nested deeper than 64 at byte %1")
                .arg(header + 4 + 64 * 2 + 1));
    }
    void hostileStructuresAreRefusedWithReasons()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, message);
        QCOMPARE(decodeError(bytes), message);
    }

    void leadingByteOrderMarkIsKept()
    {
        // Found by fuzz_versioncodec: U+FEFF at the start of a string is text, not a BOM to drop.
        Version v;
        v.versionId = 1;
        v.label = QStringLiteral("\uFEFFlabel");
        v.properties = {{QStringLiteral("\uFEFFkey"), PropertyValue(QStringLiteral("\uFEFF"))}};
        Version back;
        QString error;
        QVERIFY2(VersionCodec::decode(VersionCodec::encode(v), &back, &error), qPrintable(error));
        QCOMPARE(back, v);
    }

    void nestingLimitIsShared()
    {
        Version v;
        v.properties = {{"deep", nested(VersionCodec::kMaxPropertyDepth)}};
        Version back;
        QString error;
        QVERIFY2(VersionCodec::decode(VersionCodec::encode(v), &back, &error), qPrintable(error));
        QCOMPARE(back, v);

        // One level deeper cannot be read back, so the encoder must refuse it too ("decoder and
        // encoder alike"); otherwise a WAL record would be written that recovery cannot read.
        v.properties = {{"deep", nested(VersionCodec::kMaxPropertyDepth + 1)}};
        bool refused = false;
        QByteArray bytes;
        try {
            bytes = VersionCodec::encode(v);
        } catch (const std::exception&) {
            refused = true;
        }
        if (!refused)
            QVERIFY(decodeError(bytes).startsWith("properties nested deeper than 64"));
        QVERIFY(refused);
    }
};

QTEST_GUILESS_MAIN(TestVersionCodec)
#include "tst_versioncodec.moc"
