// Hostile-input limits (core/inputlimits.h): each limit is accepted exactly at the limit and
// refused one over with a message naming it, in the JSONL importer, the binary version codec
// (decoder and encoder), the store's append and the policy loaders; and huge hostile files are
// refused with bounded memory and no stack overflow.
#include "frostlineerror.h"
#include "inputlimits.h"
#include "jsonlcodec.h"
#include "migrationpolicy.h"
#include "store.h"
#include "versioncodec.h"

#include "testsupport.h"

#include <QBuffer>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/resource.h>
#include <xxhash.h>

using namespace frostline;

namespace {

constexpr qsizetype kMiB = 1024 * 1024;

// Peak resident memory so far, in MiB.
qint64 maxRssMb()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024;
}

// How much the peak resident memory grew while `f` ran, in MiB.
qint64 peakGrowthMb(const std::function<void()>& f)
{
    const qint64 before = maxRssMb();
    f();
    return maxRssMb() - before;
}

QString badInputMessage(const std::function<void()>& f)
{
    try {
        f();
    } catch (const FrostlineError& e) {
        if (e.kind() != FrostlineError::Kind::BadInput)
            return QStringLiteral("<runtime error> ") + e.message();
        return e.message();
    }
    return QStringLiteral("<no error>");
}

// --- JSONL ---------------------------------------------------------------------------------

QByteArray nodeLine(const QByteArray& label, const QByteArray& propertiesJson)
{
    return "{\"kind\":\"node\",\"version_id\":1,\"entity_id\":2,\"label\":\"" + label +
           "\",\"valid_from\":10,\"tx_from\":10,\"properties\":" + propertiesJson + "}";
}

QByteArray nodeLine(const QByteArray& propertiesJson)
{
    return nodeLine("P", propertiesJson);
}

QString decodeError(const QByteArray& line, Version* out = nullptr)
{
    Version v;
    QString error;
    if (JsonlCodec::decodeLine(line, &v, &error)) {
        if (out)
            *out = std::move(v);
        return QStringLiteral("<decoded>");
    }
    return error;
}

// A JSON list of n zeros.
QByteArray zeros(qsizetype n)
{
    QByteArray list = "[";
    list.reserve(2 * n + 2);
    for (qsizetype i = 0; i < n; ++i)
        list += i ? ",0" : "0";
    return list + "]";
}

// A JSON object {"k0":0,"k1":0,...} of n entries.
QByteArray objectOf(qsizetype n)
{
    QByteArray object = "{";
    for (qsizetype i = 0; i < n; ++i)
        object += (i ? ",\"k" : "\"k") + QByteArray::number(i) + "\":0";
    return object + "}";
}

// --- binary records --------------------------------------------------------------------------

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

// A node record with the given label and property bytes (count + entries), checksum added.
QByteArray craft(const QByteArray& label, const QByteArray& props)
{
    Version v;
    v.versionId = 1;
    v.entityId = 2;
    QByteArray body = VersionCodec::encode(v);
    body.chop(8 + 2); // checksum, empty label length, empty property count
    body += varint(quint64(label.size())) + label + props;
    const quint64 sum = XXH3_64bits(body.constData(), std::size_t(body.size()));
    for (int i = 0; i < 8; ++i)
        body.append(char((sum >> (8 * i)) & 0xff));
    return body;
}

QByteArray oneProperty(const QByteArray& valueBytes)
{
    return varint(1) + varint(1) + "p" + valueBytes;
}

QByteArray binaryList(qsizetype zerosCount)
{
    QByteArray bytes = char(PropertyValue::Type::List) + varint(quint64(zerosCount));
    bytes.reserve(bytes.size() + 2 * zerosCount);
    for (qsizetype i = 0; i < zerosCount; ++i)
        bytes += QByteArray("\x02\x00", 2); // Int 0
    return bytes;
}

QString binaryError(const QByteArray& record)
{
    Version v;
    QString error;
    return VersionCodec::decode(record, &v, &error) ? QStringLiteral("<decoded>") : error;
}

Version nodeVersion(quint64 id)
{
    Version v;
    v.versionId = id;
    v.entityId = id;
    v.label = QStringLiteral("P");
    v.validFrom = v.txFrom = 10;
    return v;
}

// Decodes the encoding of `v`: whatever the encoder writes, the decoder must read back.
bool roundTrips(const Version& v)
{
    Version back;
    QString error;
    return VersionCodec::decode(VersionCodec::encode(v), &back, &error) && back == v;
}

PropertyValue nested(int depth)
{
    PropertyValue v = 1;
    for (int i = 0; i < depth; ++i)
        v = PropertyValue(PropertyValue::List{std::move(v)});
    return v;
}

} // namespace

class TestInputLimits : public QObject
{
    Q_OBJECT

private slots:
    // Hostile files first, while the process's peak memory is still low, so that a growth of
    // the peak is visible.

    void hugeBracketLineIsRefusedWithBoundedMemory()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("brackets.jsonl"));
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            const QByteArray chunk(kMiB, '[');
            for (int i = 0; i < 100; ++i)
                QCOMPARE(f.write(chunk), chunk.size());
        }
        QString message;
        const qint64 growth =
            peakGrowthMb([&] { message = badInputMessage([&] { JsonlCodec::readFile(path); }); });
        QCOMPARE(message, path + QStringLiteral(": line 1: line is longer than 16 MiB (16777216 "
                                                "bytes)"));
        QVERIFY2(growth < 512, qPrintable(QString::number(growth)));

        // A line of brackets just under the line limit reaches the parser: refused by depth,
        // without recursion.
        const QByteArray line =
            "{\"properties\":{\"x\":" + QByteArray(InputLimits::kMaxLineBytes - 30, '[');
        const qint64 parseGrowth = peakGrowthMb([&] { message = decodeError(line); });
        QVERIFY2(message.endsWith(QStringLiteral("is nested deeper than 64 levels")),
                 qPrintable(message));
        QVERIFY2(parseGrowth < 512, qPrintable(QString::number(parseGrowth)));
    }

    void hugeStringIsRefusedWithBoundedMemory()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("string.jsonl"));
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("{\"kind\":\"node\",\"version_id\":1,\"entity_id\":2,\"label\":\"P\",\"valid_"
                    "from\":1,"
                    "\"tx_from\":1,\"properties\":{\"s\":\"");
            const QByteArray chunk(kMiB, 'x');
            for (int i = 0; i < 64; ++i)
                f.write(chunk);
            f.write("\"}}\n");
        }
        QString message;
        qint64 growth =
            peakGrowthMb([&] { message = badInputMessage([&] { JsonlCodec::readFile(path); }); });
        QCOMPARE(message, path + QStringLiteral(": line 1: line is longer than 16 MiB (16777216 "
                                                "bytes)"));
        QVERIFY2(growth < 512, qPrintable(QString::number(growth)));

        // The binary codec: a 64 MiB string is refused from its length, before decoding.
        const QByteArray record =
            craft("L", oneProperty(char(PropertyValue::Type::String) + varint(64 * kMiB) +
                                   QByteArray(64 * kMiB, 'x')));
        growth = peakGrowthMb([&] { message = binaryError(record); });
        QVERIFY2(message.startsWith(
                     QStringLiteral("string of 67108864 bytes exceeds the limit of 1048576 bytes")),
                 qPrintable(message));
        QVERIFY2(growth < 512, qPrintable(QString::number(growth)));
    }

    void tenMillionZerosAreRefusedWithBoundedMemory()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("zeros.jsonl"));
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("{\"kind\":\"node\",\"version_id\":1,\"entity_id\":2,\"label\":\"P\",\"valid_"
                    "from\":1,"
                    "\"tx_from\":1,\"properties\":{\"z\":[0");
            QByteArray chunk;
            for (int i = 0; i < 1'000'000; ++i)
                chunk += ",0";
            for (int i = 0; i < 10; ++i)
                f.write(chunk);
            f.write("]}}\n");
        }
        QString message;
        qint64 growth =
            peakGrowthMb([&] { message = badInputMessage([&] { JsonlCodec::readFile(path); }); });
        QCOMPARE(message, path + QStringLiteral(": line 1: line is longer than 16 MiB (16777216 "
                                                "bytes)"));
        QVERIFY2(growth < 512, qPrintable(QString::number(growth)));

        // The binary codec refuses the count itself, before any element is decoded.
        const QByteArray record = craft("L", oneProperty(binaryList(10'000'000)));
        growth = peakGrowthMb([&] { message = binaryError(record); });
        QVERIFY2(message.startsWith(
                     QStringLiteral("list of 10000000 elements exceeds the limit of 100000")),
                 qPrintable(message));
        QVERIFY2(growth < 512, qPrintable(QString::number(growth)));
    }

    void hugePolicyFileIsRefusedWithBoundedMemory()
    {
        QTemporaryDir dir;
        for (const QString& name : {QStringLiteral("huge.json"), QStringLiteral("huge.toml")}) {
            const QString path = dir.filePath(name);
            {
                QFile f(path);
                QVERIFY(f.open(QIODevice::WriteOnly));
                f.write(name.endsWith(QLatin1String(".toml")) ? "a = " : "");
                const QByteArray chunk(kMiB, '[');
                for (int i = 0; i < 100; ++i)
                    f.write(chunk);
            }
            QString message;
            const qint64 growth = peakGrowthMb(
                [&] { message = badInputMessage([&] { MigrationPolicy::load(path); }); });
            QCOMPARE(message, path + QStringLiteral(": policy file of %1 bytes exceeds the limit "
                                                    "of 1048576 bytes")
                                         .arg(QFileInfo(path).size()));
            QVERIFY2(growth < 512, qPrintable(QString::number(growth)));
        }
    }

    // --- each limit: at the limit accepted, one over refused -----------------------------------

    void lineLength()
    {
        // Exactly the limit: 16 strings of up to 1 MiB each (the string limit) fill the line.
        QByteArray props = "{";
        for (int i = 0; i < 16; ++i)
            props += (i ? ",\"s" : "\"s") + QByteArray::number(i, 16) + "\":\"" +
                     QByteArray(kMiB - 16, 'x') + "\"";
        QByteArray line = nodeLine(props + "}");
        const qsizetype pad = InputLimits::kMaxLineBytes - line.size();
        QVERIFY(pad > 0);
        line.insert(line.indexOf("\",\"valid_from\""), QByteArray(pad, 'y')); // into the label
        QCOMPARE(line.size(), InputLimits::kMaxLineBytes);
        Version v;
        QCOMPARE(decodeError(line, &v), QStringLiteral("<decoded>"));
        QCOMPARE(v.properties.size(), std::size_t(16));

        line.insert(1, ' ');
        QCOMPARE(decodeError(line), QStringLiteral("line is longer than 16 MiB (16777216 bytes)"));
    }

    void stringSize()
    {
        const QByteArray atLimit(InputLimits::kMaxStringBytes, 'x');
        const QByteArray over(InputLimits::kMaxStringBytes + 1, 'x');
        // A property value.
        Version v;
        QCOMPARE(decodeError(nodeLine("{\"s\":\"" + atLimit + "\"}"), &v),
                 QStringLiteral("<decoded>"));
        QCOMPARE(PropertyValue::find(v.properties, "s")->toString().size(), atLimit.size());
        QVERIFY(roundTrips(v));
        QCOMPARE(decodeError(nodeLine("{\"s\":\"" + over + "\"}")),
                 QStringLiteral(
                     "property \"s\": string of 1048577 bytes exceeds the limit of 1048576 bytes"));
        // Counted in UTF-8 bytes, not characters: 2-byte characters reach it at half the count.
        QByteArray twoByte;
        for (int i = 0; i < InputLimits::kMaxStringBytes / 2; ++i)
            twoByte += "\xc3\xa9";
        QCOMPARE(decodeError(nodeLine("{\"s\":[\"" + twoByte + "\"]}")),
                 QStringLiteral("<decoded>"));
        QCOMPARE(
            decodeError(nodeLine("{\"s\":[\"" + twoByte + "x\"]}")),
            QStringLiteral(
                "property \"s[0]\": string of 1048577 bytes exceeds the limit of 1048576 bytes"));
        // The label.
        QCOMPARE(decodeError(nodeLine(atLimit, "{}")), QStringLiteral("<decoded>"));
        QCOMPARE(decodeError(nodeLine(over, "{}")),
                 QStringLiteral(
                     "\"label\": string of 1048577 bytes exceeds the limit of 1048576 bytes"));
        // A key of a nested map.
        QCOMPARE(decodeError(nodeLine("{\"m\":{\"" + atLimit + "\":1}}")),
                 QStringLiteral("<decoded>"));
        QVERIFY(decodeError(nodeLine("{\"m\":{\"" + over + "\":1}}"))
                    .endsWith("string of 1048577 bytes exceeds the limit of 1048576 bytes"));

        // Binary codec: the encoder writes exactly the limit and refuses one more; the decoder
        // refuses a crafted record one over.
        Version b = nodeVersion(7);
        b.label = QString::fromLatin1(atLimit);
        QVERIFY(roundTrips(b));
        b.label += QLatin1Char('x');
        QCOMPARE(badInputMessage([&] { VersionCodec::encode(b); }),
                 QStringLiteral("version 7: label: string of 1048577 bytes exceeds the limit of "
                                "1048576 bytes"));
        QVERIFY(binaryError(craft(over, varint(0)))
                    .startsWith("string of 1048577 bytes exceeds the limit of 1048576 bytes at "
                                "byte "));
        QCOMPARE(binaryError(craft(atLimit, varint(0))), QStringLiteral("<decoded>"));
    }

    void listSize()
    {
        const qsizetype limit = qsizetype(InputLimits::kMaxListElements);
        Version v;
        QCOMPARE(decodeError(nodeLine("{\"z\":" + zeros(limit) + "}"), &v),
                 QStringLiteral("<decoded>"));
        QCOMPARE(PropertyValue::find(v.properties, "z")->toList().size(), std::size_t(limit));
        QVERIFY(roundTrips(v));
        QCOMPARE(
            decodeError(nodeLine("{\"z\":" + zeros(limit + 1) + "}")),
            QStringLiteral("property \"z[100000]\": list exceeds the limit of 100000 elements"));
        // Entries of a nested map count the same way.
        QCOMPARE(decodeError(nodeLine("{\"m\":" + objectOf(limit) + "}")),
                 QStringLiteral("<decoded>"));
        QCOMPARE(
            decodeError(nodeLine("{\"m\":" + objectOf(limit + 1) + "}")),
            QStringLiteral("property \"m.k100000\": map exceeds the limit of 100000 elements"));

        // Binary codec.
        QCOMPARE(binaryError(craft("L", oneProperty(binaryList(limit)))),
                 QStringLiteral("<decoded>"));
        QVERIFY(binaryError(craft("L", oneProperty(binaryList(limit + 1))))
                    .startsWith("list of 100001 elements exceeds the limit of 100000 at byte "));
        Version b = nodeVersion(8);
        b.properties = {{"z", PropertyValue(PropertyValue::List(limit + 1, PropertyValue(0)))}};
        QCOMPARE(
            badInputMessage([&] { VersionCodec::encode(b); }),
            QStringLiteral(
                "version 8: property \"z\": list of 100001 elements exceeds the limit of 100000"));
    }

    void propertiesPerVersion()
    {
        const qsizetype limit = qsizetype(InputLimits::kMaxPropertiesPerVersion);
        Version v;
        QCOMPARE(decodeError(nodeLine(objectOf(limit)), &v), QStringLiteral("<decoded>"));
        QCOMPARE(v.properties.size(), std::size_t(limit));
        QVERIFY(roundTrips(v));
        QCOMPARE(decodeError(nodeLine(objectOf(limit + 1))),
                 QStringLiteral("more than 10000 properties in one version (the limit)"));

        // Binary codec: the encoder refuses, and so does the decoder from the count.
        v.versionId = 9;
        v.properties.emplace_back(QStringLiteral("zzzz"), PropertyValue(1));
        QCOMPARE(badInputMessage([&] { VersionCodec::encode(v); }),
                 QStringLiteral("version 9: 10001 properties exceed the limit of 10000 per "
                                "version"));
        QByteArray props = varint(quint64(limit + 1));
        for (qsizetype i = 0; i < limit + 1; ++i)
            props += varint(6) + QByteArray::number(100000 + i) + char(0);
        QVERIFY(binaryError(craft("L", props))
                    .startsWith("properties map of 10001 elements exceeds the limit of 10000 at "
                                "byte "));
    }

    void valuesPerVersion()
    {
        // 10 lists of 99,999 zeros are 10 + 999,990 values: the limit of 1,000,000 exactly.
        const auto line = [](int scalars) {
            QByteArray props = "{";
            const QByteArray list = zeros(99'999);
            for (int i = 0; i < 10; ++i)
                props += (i ? ",\"l" : "\"l") + QByteArray::number(i) + "\":" + list;
            for (int i = 0; i < scalars; ++i)
                props += ",\"s" + QByteArray::number(i) + "\":0";
            return nodeLine(props + "}");
        };
        Version v;
        QCOMPARE(decodeError(line(0), &v), QStringLiteral("<decoded>"));
        QVERIFY(roundTrips(v));
        QCOMPARE(decodeError(line(1)),
                 QStringLiteral("more than 1000000 property values in one version (the limit)"));
        v.versionId = 10;
        v.properties.emplace_back(QStringLiteral("zz"), PropertyValue(0));
        QCOMPARE(badInputMessage([&] { VersionCodec::encode(v); }),
                 QStringLiteral("version 10: more than 1000000 property values in one version "
                                "(the limit)"));
    }

    void nestingDepth()
    {
        const int limit = InputLimits::kMaxNestingDepth;
        QCOMPARE(limit, VersionCodec::kMaxPropertyDepth);
        QCOMPARE(decodeError(
                     nodeLine("{\"d\":" + QByteArray(limit, '[') + QByteArray(limit, ']') + "}")),
                 QStringLiteral("<decoded>"));
        QVERIFY(decodeError(nodeLine("{\"d\":" + QByteArray(limit + 1, '[') +
                                     QByteArray(limit + 1, ']') + "}"))
                    .endsWith("is nested deeper than 64 levels"));
        Version v = nodeVersion(11);
        v.properties = {{"d", nested(limit)}};
        QVERIFY(roundTrips(v));
        v.properties = {{"d", nested(limit + 1)}};
        QCOMPARE(badInputMessage([&] { VersionCodec::encode(v); }),
                 QStringLiteral("version 11: property \"d\" is nested deeper than 64 levels"));

        // Policy files: the bracket nesting is checked before either parser sees it.
        const QByteArray json =
            "{\"x\":" + QByteArray(limit - 1, '[') + QByteArray(limit - 1, ']') + "}";
        QCOMPARE(badInputMessage([&] { MigrationPolicy::fromJson(json, "p.json"); }),
                 QStringLiteral("p.json: unknown key \"x\""));
        const QByteArray deepJson =
            "{\"x\":\n" + QByteArray(limit, '[') + QByteArray(limit, ']') + "}";
        QCOMPARE(badInputMessage([&] { MigrationPolicy::fromJson(deepJson, "p.json"); }),
                 QStringLiteral("p.json: line 2: nested deeper than 64 levels (the limit)"));
        const QByteArray toml = "x = " + QByteArray(limit, '[') + QByteArray(limit, ']') + "\n";
        QCOMPARE(badInputMessage([&] { MigrationPolicy::fromToml(toml, "p.toml"); }),
                 QStringLiteral("p.toml: unknown key \"x\""));
        const QByteArray deepToml =
            "batch_size = 5\nx = " + QByteArray(limit + 1, '[') + QByteArray(limit + 1, ']');
        QCOMPARE(badInputMessage([&] { MigrationPolicy::fromToml(deepToml, "p.toml"); }),
                 QStringLiteral("p.toml: line 2: nested deeper than 64 levels (the limit)"));
        // Dotted keys nest tables too; a million of them neither overflow the stack nor pass.
        QByteArray dotted = "a";
        for (int i = 0; i < 500'000; ++i)
            dotted += ".a";
        QCOMPARE(badInputMessage([&] { MigrationPolicy::fromToml(dotted + " = 1\n", "d.toml"); }),
                 QStringLiteral("d.toml: line 1: nested deeper than 64 levels (the limit)"));
        QCOMPARE(badInputMessage(
                     [&] { MigrationPolicy::fromToml("\n[[" + dotted + "]]\nk = 1\n", "h.toml"); }),
                 QStringLiteral("h.toml: line 2: nested deeper than 64 levels (the limit)"));
        // Brackets inside strings and comments are not nesting.
        const QByteArray quoted = "# [[[[" + QByteArray(200, '[') + "\nbatch_size = 7\n";
        QCOMPARE(MigrationPolicy::fromToml(quoted, "q.toml").batchSize, quint64(7));
        QCOMPARE(badInputMessage([&] {
                     MigrationPolicy::fromJson("{\"k\":\"" + QByteArray(200, '[') + "\"}", "q");
                 }),
                 QStringLiteral("q: unknown key \"k\""));
    }

    void policySize()
    {
        // Exactly the limit: a valid policy padded with spaces (JSON) / a comment (TOML).
        QByteArray json = "{\"batch_size\": 3}";
        json += QByteArray(InputLimits::kMaxPolicyBytes - json.size(), ' ');
        QCOMPARE(MigrationPolicy::fromJson(json, "p.json").batchSize, quint64(3));
        json += ' ';
        QCOMPARE(badInputMessage([&] { MigrationPolicy::fromJson(json, "p.json"); }),
                 QStringLiteral("p.json: policy file of 1048577 bytes exceeds the limit of 1048576 "
                                "bytes"));
        QByteArray toml = "batch_size = 4\n#";
        toml += QByteArray(InputLimits::kMaxPolicyBytes - toml.size(), 'c');
        QCOMPARE(MigrationPolicy::fromToml(toml, "p.toml").batchSize, quint64(4));
        toml += 'c';
        QCOMPARE(badInputMessage([&] { MigrationPolicy::fromToml(toml, "p.toml"); }),
                 QStringLiteral("p.toml: policy file of 1048577 bytes exceeds the limit of 1048576 "
                                "bytes"));
    }

    void tomlMustBeUtf8()
    {
        // Found by fuzz_policy: toml11 read out of bounds reporting invalid UTF-8 in a literal
        // string, so the loader refuses invalid UTF-8 before toml11 sees it.
        const QByteArray bad[] = {"k = 'li\x8e\x9a'\n", "k = \"\xc0\xaf\"\n",
                                  "k = '''\xed\xa0\x80'''", "# \xf4\x90\x80\x80",
                                  "k = \"\xe2\x82\""};
        for (const QByteArray& text : bad)
            QCOMPARE(badInputMessage([&] { MigrationPolicy::fromToml("\n" + text, "u.toml"); }),
                     QStringLiteral("u.toml: line 2: invalid UTF-8 (a TOML file must be UTF-8)"));
        const QByteArray good = "# caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x82\xac\nbatch_size = 9";
        QCOMPARE(MigrationPolicy::fromToml(good, "ok.toml").batchSize, quint64(9));
    }

    void jsonNumberOverflowIsBadInput()
    {
        // Found by fuzz_policy: nlohmann throws out_of_range (not parse_error) for 1e400, which
        // escaped the policy loader uncaught. The message names the key, as TOML's does.
        QCOMPARE(
            badInputMessage([] { MigrationPolicy::fromJson("{\"batch_size\": 1e400}", "n.json"); }),
            QStringLiteral(
                "n.json: \"batch_size\" is out of range: number overflow parsing '1e400'"));
        QCOMPARE(badInputMessage([] {
                     MigrationPolicy::fromJson(
                         "{\"enabled\": true, \"age_threshold_secs\": -1e400, \"batch_size\": 1}",
                         "n.json");
                 }),
                 QStringLiteral("n.json: \"age_threshold_secs\" is out of range: number overflow "
                                "parsing '-1e400'"));
        // Outside any key there is no key to name.
        QCOMPARE(badInputMessage([] { MigrationPolicy::fromJson("[1e400]", "n.json"); }),
                 QStringLiteral("n.json: invalid JSON: number overflow parsing '1e400'"));
    }

    void versionsPerImport()
    {
        QCOMPARE(InputLimits::kMaxVersionsPerImport, std::size_t(50'000'000));
        QByteArray file;
        for (int i = 1; i <= 4; ++i)
            file +=
                "{\"kind\":\"node\",\"version_id\":" + QByteArray::number(i) +
                ",\"entity_id\":1,\"label\":\"P\",\"valid_from\":1,\"tx_from\":1,\"properties\":{}}"
                "\n\n";
        const auto read = [&](std::size_t maxVersions) {
            QBuffer buffer(&file);
            buffer.open(QIODevice::ReadOnly);
            return JsonlCodec::readAll(buffer, QStringLiteral("in.jsonl"), maxVersions);
        };
        QCOMPARE(read(4).size(), std::size_t(4));
        QCOMPARE(read(InputLimits::kMaxVersionsPerImport).size(), std::size_t(4));
        // Blank lines do not count; the message names the line of the first version too many.
        QCOMPARE(badInputMessage([&] { read(3); }),
                 QStringLiteral("in.jsonl: line 7: more than 3 versions in one import (the "
                                "limit)"));
    }

    void storeRefusesOverLimitVersionsBeforeWriting()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("store"));
        Store::create(path);
        Store store(path);
        store.open();
        Version good = nodeVersion(1);
        Version bad = nodeVersion(2);
        bad.properties = {{"z", PropertyValue(PropertyValue::List(InputLimits::kMaxListElements + 1,
                                                                  PropertyValue(0)))}};
        // The whole append is refused up front: not even the good version before it is written.
        QCOMPARE(
            badInputMessage([&] {
                store.append({good, bad});
            }),
            QStringLiteral(
                "version 2: property \"z\": list of 100001 elements exceeds the limit of 100000"));
        QCOMPARE(store.statistics().hotVersions, quint64(0));
        store.append({good});
        QCOMPARE(store.statistics().hotVersions, quint64(1));
    }
};

QTEST_GUILESS_MAIN(TestInputLimits)
#include "tst_inputlimits.moc"
