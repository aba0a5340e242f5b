#include "frostlineerror.h"
#include "jsonlcodec.h"
#include "versioncodec.h"
#include "workloadgenerator.h"

#include "testsupport.h"

#include <QBuffer>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <limits>

using namespace frostline;

namespace {

// A valid node line with `insert` spliced in before the closing brace.
QByteArray nodeLine(const char* insert = "")
{
    return QByteArray(R"({"kind":"node","version_id":1,"entity_id":2,"label":"P","valid_from":10,)"
                      R"("tx_from":10)") +
           insert + '}';
}

QString decodeError(const QByteArray& line)
{
    Version v;
    QString error;
    if (JsonlCodec::decodeLine(line, &v, &error))
        return QStringLiteral("<decoded>");
    return error;
}

Version decodeOrFail(const QByteArray& line)
{
    Version v;
    QString error;
    if (!JsonlCodec::decodeLine(line, &v, &error))
        qFatal("decodeLine failed: %s on %s", qPrintable(error), line.constData());
    return v;
}

QString badInputMessage(const std::function<void()>& f)
{
    try {
        f();
    } catch (const FrostlineError& e) {
        if (e.kind() != FrostlineError::Kind::BadInput)
            return QStringLiteral("<not bad input> ") + e.message();
        return e.message();
    }
    return QStringLiteral("<no exception>");
}

std::vector<Version> readBytes(const QByteArray& bytes, const QString& name = "in.jsonl")
{
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    return JsonlCodec::readAll(buffer, name);
}

PropertyValue nested(int depth)
{
    PropertyValue v(qint64(7));
    for (int i = 0; i < depth; ++i)
        v = (i % 2) ? PropertyValue(PropertyValue::List{v})
                    : PropertyValue(PropertyValue::Map{{"k", v}});
    return v;
}

quint64 bitsOf(double d)
{
    quint64 b;
    std::memcpy(&b, &d, sizeof b);
    return b;
}

} // namespace

class TestJsonlCodec : public QObject
{
    Q_OBJECT
private slots:
    void designExampleIsEncodedExactly()
    {
        Version v;
        v.kind = EntityKind::Edge;
        v.versionId = 18;
        v.entityId = 9;
        v.label = "KNOWS";
        v.source = 5;
        v.target = 6;
        v.validFrom = v.txFrom = 1700000000000000;
        v.properties = PropertyValue::canonicalMap(
            {{"weight", PropertyValue(0.5)}, {"since", PropertyValue(2019)}});
        const QByteArray expected =
            R"({"kind":"edge","version_id":18,"entity_id":9,"label":"KNOWS","source":5,"target":6,)"
            R"("valid_from":1700000000000000,"valid_to":null,"tx_from":1700000000000000,)"
            R"("tx_to":null,"properties":{"since":2019,"weight":0.5}})";
        QCOMPARE(JsonlCodec::encode(v), expected);
        QCOMPARE(decodeOrFail(expected), v);

        v.kind = EntityKind::Node;
        v.source = v.target = 0;
        v.validTo = 1700000000000001;
        const QByteArray node = JsonlCodec::encode(v);
        QVERIFY(!node.contains("source"));
        QVERIFY(node.contains(R"("valid_to":1700000000000001,)"));
    }

    void randomVersionsRoundTrip()
    {
        const int count = 20000;
        for (int i = 0; i < count; ++i) {
            const Version v = WorkloadGenerator::randomVersion(42, quint64(i));
            const QByteArray line = JsonlCodec::encode(v);
            if (line.contains('\n') || !nlohmann::json::accept(line.begin(), line.end()))
                QFAIL(qPrintable(QStringLiteral("version %1: not one line of valid JSON: %2")
                                     .arg(i)
                                     .arg(QString::fromUtf8(line))));
            Version back;
            QString error;
            if (!JsonlCodec::decodeLine(line, &back, &error))
                QFAIL(qPrintable(QStringLiteral("version %1: %2 in %3")
                                     .arg(i)
                                     .arg(error, QString::fromUtf8(line))));
            if (!(back == v))
                QFAIL(qPrintable(QStringLiteral("version %1 changed: %2 became %3")
                                     .arg(i)
                                     .arg(QString::fromUtf8(line),
                                          QString::fromUtf8(JsonlCodec::encode(back)))));
            // Canonical: encoding again gives the very same bytes.
            QCOMPARE(JsonlCodec::encode(back), line);
        }
    }

    void integersBeyondDoublePrecisionAreExact()
    {
        Version v;
        v.kind = EntityKind::Edge;
        v.versionId = (quint64(1) << 53) + 1;
        v.entityId = std::numeric_limits<quint64>::max();
        v.source = quint64(std::numeric_limits<qint64>::max()) + 1;
        v.target = 18446744073709551614ULL;
        v.validFrom = std::numeric_limits<qint64>::min();
        v.validTo = std::numeric_limits<qint64>::max() - 1;
        v.txFrom = -((qint64(1) << 53) + 1);
        v.properties = PropertyValue::canonicalMap(
            {{"big", PropertyValue(qint64(9007199254740993))},
             {"max", PropertyValue(std::numeric_limits<qint64>::max())},
             {"min", PropertyValue(std::numeric_limits<qint64>::min())}});
        const QByteArray line = JsonlCodec::encode(v);
        QVERIFY(line.contains(R"("version_id":9007199254740993,)"));
        QVERIFY(line.contains(R"("entity_id":18446744073709551615,)"));
        QVERIFY(line.contains(R"("source":9223372036854775808,)"));
        QVERIFY(line.contains(R"("valid_from":-9223372036854775808,)"));
        QVERIFY(line.contains(R"("valid_to":9223372036854775806,)"));
        QVERIFY(line.contains(R"("big":9007199254740993,)"));
        QVERIFY(line.contains(R"("min":-9223372036854775808})"));
        QCOMPARE(decodeOrFail(line), v);
    }

    void doublesKeepTheirBits_data()
    {
        QTest::addColumn<double>("value");
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("whole") << 2.0 << QByteArray("2.0");
        QTest::newRow("negative zero") << -0.0 << QByteArray("-0.0");
        QTest::newRow("zero") << 0.0 << QByteArray("0.0");
        QTest::newRow("half") << 0.5 << QByteArray("0.5");
        QTest::newRow("tenth") << 0.1 << QByteArray("0.1");
        QTest::newRow("1e308") << 1e308 << QByteArray("1e+308");
        QTest::newRow("denormal min") << 5e-324 << QByteArray("5e-324");
        QTest::newRow("max") << std::numeric_limits<double>::max()
                             << QByteArray("1.7976931348623157e+308");
        QTest::newRow("1e21") << 1e21 << QByteArray("1e+21");
        QTest::newRow("big whole") << 123456789012.0 << QByteArray("123456789012.0");
        QTest::newRow("sum") << 0.1 + 0.2 << QByteArray("0.30000000000000004");
    }
    void doublesKeepTheirBits()
    {
        QFETCH(double, value);
        QFETCH(QByteArray, text);
        Version v;
        v.properties = {{"d", PropertyValue(value)}};
        const QByteArray line = JsonlCodec::encode(v);
        QVERIFY2(line.contains(R"({"d":)" + text + "}"), line.constData());
        const Version back = decodeOrFail(line);
        const PropertyValue* d = PropertyValue::find(back.properties, "d");
        QVERIFY(d);
        QCOMPARE(d->type(), PropertyValue::Type::Double);
        QCOMPARE(bitsOf(d->toDouble()), bitsOf(value));
    }

    void integerAndDoubleStayDistinct()
    {
        const Version v = decodeOrFail(nodeLine(R"(,"properties":{"i":1,"d":1.0,"e":1e2})"));
        QCOMPARE(PropertyValue::find(v.properties, "i")->type(), PropertyValue::Type::Int);
        QCOMPARE(PropertyValue::find(v.properties, "d")->type(), PropertyValue::Type::Double);
        QCOMPARE(PropertyValue::find(v.properties, "e")->toDouble(), 100.0);
    }

    void nonFiniteDoublesNeverMakeInvalidJson()
    {
        Version v;
        v.properties = PropertyValue::canonicalMap(
            {{"nan", PropertyValue(std::nan(""))},
             {"inf", PropertyValue(std::numeric_limits<double>::infinity())}});
        const QByteArray line = JsonlCodec::encode(v);
        QVERIFY(nlohmann::json::accept(line.begin(), line.end()));
        QVERIFY(line.contains(R"("properties":{"inf":null,"nan":null})"));
    }

    void unicodeIsExact()
    {
        Version v;
        v.label = QString::fromUtf8("Zoë 中文 \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF");
        const QString tricky = QStringLiteral("q\"b\\s/\n\r\t\b\f") + QChar(0) + QChar(0x1f) +
                               QChar(0x7f) + QChar(0x2028) + QChar(0xfeff) + QChar(0x2029) +
                               QChar(0x85) + QChar(0x2027) + QChar(0x2030) + QChar(0xa0);
        v.properties =
            PropertyValue::canonicalMap({{tricky, PropertyValue(tricky)}, {"", PropertyValue("")}});
        const QByteArray line = JsonlCodec::encode(v);
        // Non-ASCII is written as UTF-8 and control characters as escapes; so are the three
        // characters that line splitters other than '\n' take for line breaks (U+2028, U+2029,
        // U+0085), and no neighbour of theirs.
        QVERIFY(line.contains("\"label\":\"Zo\xC3\xAB \xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x98\x80 "
                              "\xF4\x8F\xBF\xBF\""));
        QVERIFY(line.contains(
            R"("q\"b\\s/\n\r\t\b\f\u0000\u001f)"
            "\x7f\\u2028\xEF\xBB\xBF\\u2029\\u0085\xE2\x80\xA7\xE2\x80\xB0\xC2\xA0\""));
        QVERIFY(!QString::fromUtf8(line).contains(QChar(0x2028)));
        QCOMPARE(decodeOrFail(line), v);

        // Escaped input decodes to the same characters, surrogate pairs included.
        const Version escaped =
            decodeOrFail(nodeLine(R"(,"properties":{"s":"\u00e9\ud83d\ude00\u4e2d\u0000"})"));
        QCOMPARE(PropertyValue::find(escaped.properties, "s")->toString(),
                 QString::fromUtf8("é\xF0\x9F\x98\x80中") + QChar(0));

        // A U+FEFF that starts a string is text, escaped or not, not a byte order mark to drop:
        // in the label, a key, a value, a list element, twice, alone. Dropped, "\ufeffk" was
        // the same key as "k".
        const QString bom(QChar(0xfeff));
        Version marked;
        marked.label = bom + QStringLiteral("L");
        marked.properties = PropertyValue::canonicalMap(
            {{bom + QStringLiteral("k"), PropertyValue(bom + QStringLiteral("v"))},
             {QStringLiteral("k"), PropertyValue(bom)},
             {QStringLiteral("l"),
              PropertyValue(PropertyValue::List{PropertyValue(bom + bom + QStringLiteral("z"))})}});
        QCOMPARE(decodeOrFail(JsonlCodec::encode(marked)), marked);
        const Version fromEscapes = decodeOrFail(
            R"({"kind":"node","version_id":1,"entity_id":2,"label":"\ufeffL","valid_from":10,)"
            R"("tx_from":10,"properties":{"\ufeffk":"\ufeffv","k":"\ufeff","l":["\ufeff\ufeffz"]}})");
        QCOMPARE(fromEscapes.label, marked.label);
        QCOMPARE(fromEscapes.properties, marked.properties);
    }

    void propertyKeysAreSorted()
    {
        // (A key given twice is refused: see the "duplicate property key" rows.)
        const Version v = decodeOrFail(nodeLine(R"(,"properties":{"b":3,"a":{"z":1,"y":2}})"));
        QCOMPARE(v.properties.size(), std::size_t(2));
        QCOMPARE(v.properties[0].first, QStringLiteral("a"));
        QCOMPARE(v.properties[1].second.toInt(), qint64(3));
        QVERIFY(JsonlCodec::encode(v).contains(R"("properties":{"a":{"y":2,"z":1},"b":3})"));
    }

    void absentAndNullEndsAreOpen()
    {
        const Version v = decodeOrFail(nodeLine(R"(,"tx_to":null)"));
        QCOMPARE(v.validTo, kOpenEnd);
        QCOMPARE(v.txTo, kOpenEnd);
        QVERIFY(v.properties.empty());
        QCOMPARE(v.validFrom, qint64(10));
        QCOMPARE(v.label, QStringLiteral("P"));
    }

    void exportKeysAreAcceptedAndIgnored()
    {
        Version v = WorkloadGenerator::randomVersion(7, 3);
        const QByteArray hot = JsonlCodec::encode(v, JsonlCodec::Tier::Hot);
        const QByteArray cold = JsonlCodec::encode(v, JsonlCodec::Tier::Cold);
        QVERIFY(hot.endsWith(R"(,"tier":"hot","estimated_size":)" +
                             QByteArray::number(quint64(v.estimatedSize())) + "}"));
        QVERIFY(cold.contains(R"(,"tier":"cold","estimated_size":)"));
        QVERIFY(!JsonlCodec::encode(v).contains("tier"));
        QCOMPARE(decodeOrFail(hot), v);
        QCOMPARE(decodeOrFail(cold), v);
        QCOMPARE(decodeError(nodeLine(R"(,"estimated_size":0,"tier":"cold")")),
                 QStringLiteral("<decoded>"));
    }

    void malformedLines_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<QString>("message");
        const auto row = [](const char* name, const QByteArray& line, const char* message) {
            QTest::newRow(name) << line << QString::fromUtf8(message);
        };
        row("missing kind",
            R"({"version_id":1,"entity_id":2,"label":"P","valid_from":10,"tx_from":10})",
            R"(missing "kind")");
        row("missing label",
            R"({"kind":"node","version_id":1,"entity_id":2,"valid_from":1,"tx_from":1})",
            R"(missing "label")");
        row("missing tx_from",
            R"({"kind":"node","version_id":1,"entity_id":2,"label":"","valid_from":1})",
            R"(missing "tx_from")");
        row("kind unknown", nodeLine(R"(,"kind":"blob")").replace(R"("kind":"node",)", ""),
            R"("kind" must be "node" or "edge")");
        row("kind number", R"({"kind":1})", R"("kind" must be "node" or "edge")");
        row("version_id string", R"({"version_id":"1"})", R"("version_id" must be an integer)");
        row("version_id negative", R"({"version_id":-1})", R"("version_id" must not be negative)");
        row("version_id too big", R"({"version_id":18446744073709551616})",
            R"("version_id" is beyond the range of an unsigned 64-bit integer)");
        row("entity_id fraction", R"({"entity_id":2.5})", R"("entity_id" must be an integer)");
        row("tx_from fraction", R"({"tx_from":1.5})", R"("tx_from" must be an integer)");
        row("tx_from string", R"({"tx_from":"2024-01-01"})", R"("tx_from" must be an integer)");
        row("tx_from null", R"({"tx_from":null})", R"("tx_from" must be an integer)");
        row("valid_from too big", R"({"valid_from":9223372036854775808})",
            R"("valid_from" is beyond the int64 range)");
        row("valid_from too small", R"({"valid_from":-9223372036854775809})",
            R"("valid_from" is beyond the int64 range)");
        row("valid_to string", R"({"valid_to":"never"})",
            R"("valid_to" must be an integer or null)");
        row("tx_to object", R"({"tx_to":{}})", R"("tx_to" must be an integer or null)");
        row("valid range empty", nodeLine(R"(,"valid_to":10)"),
            R"("valid_to" must be greater than "valid_from")");
        row("tx range backwards", nodeLine(R"(,"tx_to":-5)"),
            R"("tx_to" must be greater than "tx_from")");
        row("valid_from at open end",
            nodeLine(R"(,"valid_to":null)")
                .replace(R"("valid_from":10)", R"("valid_from":9223372036854775807)"),
            R"("valid_from" must be less than 9223372036854775807 (the open end))");
        // The number that stands for the open end inside would be exported as null: refused, so
        // every accepted version round-trips unchanged.
        row("valid_to at open end", nodeLine(R"(,"valid_to":9223372036854775807)"),
            R"("valid_to" must be less than 9223372036854775807 (that value is the open end: )"
            R"(write null))");
        row("tx_to at open end", nodeLine(R"(,"tx_to":9223372036854775807)"),
            R"("tx_to" must be less than 9223372036854775807 (that value is the open end: )"
            R"(write null))");
        row("unknown key", nodeLine(R"(,"colour":"red")"), R"(unknown key "colour")");
        row("duplicate key", nodeLine(R"(,"label":"Q")"), R"(duplicate key "label")");
        // One of two values would be dropped, so the line could not round-trip.
        row("duplicate property key", nodeLine(R"(,"properties":{"a":1,"b":2,"a":3})"),
            R"(duplicate property key "a")");
        row("duplicate nested property key",
            nodeLine(R"(,"properties":{"m":[{"x":1},{"y":1,"y":1}]})"),
            R"(property "m[1]": duplicate property key "y")");
        row("source on node", nodeLine(R"(,"source":5,"target":6)"),
            R"("source" is only allowed on edges)");
        row("target on node", nodeLine(R"(,"target":6)"), R"("target" is only allowed on edges)");
        row("edge without target",
            nodeLine(R"(,"source":5)").replace(R"("kind":"node")", R"("kind":"edge")"),
            R"(missing "target" (edges need "source" and "target"))");
        row("source negative", R"({"kind":"edge","source":-5})",
            R"("source" must not be negative)");
        row("label number", R"({"label":5})", R"("label" must be a string)");
        row("properties list", nodeLine(R"(,"properties":[1])"),
            R"("properties" must be an object)");
        row("properties string", nodeLine(R"(,"properties":"x")"),
            R"("properties" must be an object)");
        row("property uint64", nodeLine(R"(,"properties":{"a":[1,{"x":9223372036854775808}]})"),
            R"(property "a[1].x": integer 9223372036854775808 is beyond the int64 range)");
        row("property huge integer", nodeLine(R"(,"properties":{"n":-99999999999999999999})"),
            R"(property "n": integer -99999999999999999999 is beyond the int64 range)");
        row("tier unknown", nodeLine(R"(,"tier":"warm")"), R"("tier" must be "hot" or "cold")");
        row("estimated_size negative", nodeLine(R"(,"estimated_size":-1)"),
            R"("estimated_size" must be a non-negative integer)");
        row("array line", "[1,2]", "expected a JSON object");
        row("string line", R"("node")", "expected a JSON object");
        row("missing comma", R"({"kind":"node" "version_id":1})",
            "malformed JSON at column 27: syntax error while parsing object - unexpected string "
            "literal; expected '}'");
        row("truncated", R"({"kind":"node",)",
            "malformed JSON at column 15: syntax error while parsing object key - unexpected end "
            "of input; expected string literal");
        row("trailing garbage", nodeLine() + " x",
            "malformed JSON at column 87: syntax error while parsing value - invalid literal; "
            "last read: '10} x'; expected end of input");
        row("bad literal", R"({"kind":"node","tx_to":nul})",
            "malformed JSON at column 27: syntax error while parsing value - invalid literal; "
            "last read: '\"tx_to\":nul}'");
        row("lone surrogate", R"({"label":"\ud83d"})",
            "malformed JSON at column 17: syntax error while parsing value - invalid string: "
            "surrogate U+D800..U+DBFF must be followed by U+DC00..U+DFFF; last read: "
            "'\"\\ud83d\"'");
        row("invalid utf-8", "{\"label\":\"a\xFF\"}",
            "malformed JSON at column 12: syntax error while parsing value - invalid string: "
            "ill-formed UTF-8 byte; last read: '\"a\xEF\xBF\xBD'");
        row("number overflow", nodeLine(R"(,"properties":{"x":1e400})"),
            "malformed JSON at column 108: number overflow parsing '1e400'");
    }
    void malformedLines()
    {
        QFETCH(QByteArray, line);
        QFETCH(QString, message);
        QCOMPARE(decodeError(line), message);
    }

    void readAllNamesFileAndLine()
    {
        QByteArray input;
        input += JsonlCodec::encode(WorkloadGenerator::randomVersion(1, 1)) + "\n";
        input += "\n   \r\n"; // blank lines 2 and 3 still count
        input += JsonlCodec::encode(WorkloadGenerator::randomVersion(1, 2)) + "\r\n";
        input += nodeLine(R"(,"tx_from":"soon")").replace(R"("tx_from":10,)", "") + "\n";
        input += JsonlCodec::encode(WorkloadGenerator::randomVersion(1, 3)) + "\n";
        QCOMPARE(badInputMessage([&] { readBytes(input, "data/import.jsonl"); }),
                 QStringLiteral(R"(data/import.jsonl: line 5: "tx_from" must be an integer)"));

        QCOMPARE(badInputMessage([&] { readBytes("\n\n{\"kind\":\"node\",", "x.jsonl"); }),
                 QStringLiteral("x.jsonl: line 3: malformed JSON at column 15: syntax error while "
                                "parsing object key - unexpected end of input; expected string "
                                "literal"));
    }

    void readAllSkipsBlankLinesAndAcceptsCrlf()
    {
        std::vector<Version> expected;
        QByteArray input("\xEF\xBB\xBF"); // a byte order mark
        for (int i = 0; i < 50; ++i) {
            expected.push_back(WorkloadGenerator::randomVersion(9, quint64(i)));
            input += JsonlCodec::encode(expected.back()) + (i % 2 ? "\r\n" : "\n");
            if (i % 7 == 0)
                input += "\n \t\n";
        }
        input.chop(1); // no newline after the last line
        QCOMPARE(readBytes(input), expected);
        QVERIFY(readBytes(QByteArray()).empty());
        QVERIFY(readBytes("\n\n  \n").empty());
    }

    void readFileReadsAndNamesMissingFiles()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath("versions.jsonl");
        std::vector<Version> expected;
        QByteArray bytes;
        for (int i = 0; i < 100; ++i) {
            expected.push_back(WorkloadGenerator::randomVersion(3, quint64(i)));
            bytes += JsonlCodec::encode(expected.back(), JsonlCodec::Tier::Cold) + '\n';
        }
        test::writeFile(path, bytes);
        QCOMPARE(JsonlCodec::readFile(path), expected);

        const QString missing = dir.filePath("nope.jsonl");
        const QString message = badInputMessage([&] { JsonlCodec::readFile(missing); });
        QVERIFY2(message.startsWith(QStringLiteral("cannot open \"%1\": ").arg(missing)),
                 qPrintable(message));

        test::writeFile(dir.filePath("empty.jsonl"), QByteArray());
        QVERIFY(JsonlCodec::readFile(dir.filePath("empty.jsonl")).empty());
    }

    void generatedWorkloadRoundTrips()
    {
        WorkloadGenerator::Options options;
        options.entities = 300;
        options.versions = 5000;
        options.seed = 11;
        options.now = 1'700'000'000'000'000;
        const std::vector<Version> versions = WorkloadGenerator(options).generateAll();
        QByteArray bytes;
        for (const Version& v : versions)
            bytes += JsonlCodec::encode(v, JsonlCodec::Tier::Hot) + '\n';
        QCOMPARE(readBytes(bytes), versions);
    }

    void propertyNestingIsLimited()
    {
        const int limit = VersionCodec::kMaxPropertyDepth;
        Version v;
        v.properties = {{"deep", nested(limit)}};
        QCOMPARE(decodeOrFail(JsonlCodec::encode(v)), v);

        v.properties = {{"deep", nested(limit + 1)}};
        QCOMPARE(badInputMessage([&] { JsonlCodec::encode(v); }),
                 QStringLiteral("cannot export version: properties nested deeper than 64 levels"));

        // The same nesting written by hand is refused on import.
        QByteArray line = nodeLine(R"(,"properties":{"deep":)");
        line.chop(1);
        line += QByteArray(limit + 1, '[') + QByteArray(limit + 1, ']') + "}}";
        const QString message = decodeError(line);
        QVERIFY2(message.startsWith(R"(property "deep)") &&
                     message.endsWith(R"(" is nested deeper than 64 levels)"),
                 qPrintable(message));
        // ... and exactly the limit is fine.
        line = nodeLine(R"(,"properties":{"deep":)");
        line.chop(1);
        line += QByteArray(limit, '[') + QByteArray(limit, ']') + "}}";
        QCOMPARE(decodeError(line), QStringLiteral("<decoded>"));

        // Hostile depth does not exhaust the stack: a million brackets get a clear message.
        const QByteArray hostile = R"({"properties":{"x":)" + QByteArray(1'000'000, '[');
        QVERIFY(decodeError(hostile).endsWith(QStringLiteral("is nested deeper than 64 levels")));
        const QByteArray hostileObjects =
            R"({"properties":)" + QByteArray(500'000, '{').replace("{", R"({"a":)");
        QVERIFY(decodeError(hostileObjects).endsWith("is nested deeper than 64 levels"));
    }

    void lineLengthIsLimited()
    {
        const qsizetype limit = 16 * 1024 * 1024;
        // A line of exactly the limit with big strings (each within the 1 MiB string limit) is
        // accepted.
        QByteArray big = nodeLine(R"(,"properties":{"blob":[)");
        big.chop(1);
        for (int i = 0; i < 15; ++i)
            big += '"' + QByteArray(1024 * 1024, 'x') + "\",";
        big += "\"\"]}}";
        const qsizetype fill = limit - big.size();
        big.insert(big.size() - 4, QByteArray(fill, 'x'));
        QCOMPARE(big.size(), limit);
        const std::vector<Version> ok = readBytes(nodeLine() + "\n" + big + "\n" + nodeLine());
        QCOMPARE(ok.size(), std::size_t(3));
        QCOMPARE(PropertyValue::find(ok[1].properties, "blob")->toList().back().toString().size(),
                 fill);

        // One byte more is refused, before the parser sees it.
        big.insert(big.size() - 4, "y");
        QCOMPARE(badInputMessage([&] { readBytes(nodeLine() + "\n" + big + "\n"); }),
                 QStringLiteral("in.jsonl: line 2: line is longer than 16 MiB (16777216 bytes)"));
        QCOMPARE(decodeError(big), QStringLiteral("line is longer than 16 MiB (16777216 bytes)"));
    }
};

QTEST_GUILESS_MAIN(TestJsonlCodec)
#include "tst_jsonlcodec.moc"
