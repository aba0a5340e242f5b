#include "frostlineerror.h"
#include "migrationpolicy.h"
#include "migrationpolicybuilder.h"
#include "testsupport.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <functional>
#include <limits>
#include <sys/stat.h>

using namespace frostline;

Q_DECLARE_METATYPE(frostline::MigrationPolicy)

namespace frostline {
// Lets QCOMPARE print both policies when they differ.
char* toString(const MigrationPolicy& p)
{
    return qstrdup(p.toJsonBytes().constData());
}
} // namespace frostline

namespace {

// The message of the bad-input error `f` throws; a marker when it throws nothing or the wrong kind.
QString badInputOf(const std::function<void()>& f)
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

QString jsonError(const QByteArray& json)
{
    return badInputOf([&] { MigrationPolicy::fromJson(json, QStringLiteral("policy.json")); });
}

QString tomlError(const QByteArray& toml)
{
    return badInputOf([&] { MigrationPolicy::fromToml(toml, QStringLiteral("policy.toml")); });
}

constexpr qint64 kDay = 86400LL * 1'000'000;

} // namespace

class TestMigrationPolicy : public QObject
{
    Q_OBJECT
private slots:
    void defaultsMatchTheDesign()
    {
        const MigrationPolicy p;
        QCOMPARE(p.ageThresholdMicros, 604800LL * 1'000'000);
        QCOMPARE(p.memoryThresholdBytes, quint64(1073741824));
        QCOMPARE(p.minHotVersions, quint64(1));
        QCOMPARE(p.batchSize, quint64(1000));
        QCOMPARE(p.runIntervalMicros, 60LL * 1'000'000);
        QCOMPARE(p.enabled, true);
        QCOMPARE(p.enableLru, false);
        QVERIFY(p.validate().isEmpty());
        QCOMPARE(MigrationPolicy::preset(QStringLiteral("default")), p);
        // An empty object is the default policy.
        QCOMPARE(MigrationPolicy::fromJson("{}", QStringLiteral("p.json")), p);
        QCOMPARE(MigrationPolicy::fromToml("", QStringLiteral("p.toml")), p);
    }

    void presets()
    {
        QCOMPARE(MigrationPolicy::presetNames(),
                 QStringList({"default", "aggressive", "conservative", "disabled"}));

        const auto a = MigrationPolicy::preset(QStringLiteral("aggressive"));
        QCOMPARE(a.ageThresholdMicros, kDay);
        QCOMPARE(a.memoryThresholdBytes, quint64(512) * 1024 * 1024);
        QCOMPARE(a.minHotVersions, quint64(1));
        QCOMPARE(a.batchSize, quint64(2000));
        QCOMPARE(a.runIntervalMicros, 30LL * 1'000'000);
        QCOMPARE(a.enabled, true);
        QCOMPARE(a.enableLru, true);

        const auto c = MigrationPolicy::preset(QStringLiteral("conservative"));
        QCOMPARE(c.ageThresholdMicros, 30 * kDay);
        QCOMPARE(c.memoryThresholdBytes, quint64(4) * 1024 * 1024 * 1024);
        QCOMPARE(c.minHotVersions, quint64(5));
        QCOMPARE(c.batchSize, quint64(500));
        QCOMPARE(c.runIntervalMicros, 300LL * 1'000'000);
        QCOMPARE(c.enabled, true);
        QCOMPARE(c.enableLru, false);

        const auto d = MigrationPolicy::preset(QStringLiteral("disabled"));
        MigrationPolicy expected;
        expected.enabled = false;
        QCOMPARE(d, expected);

        for (const QString& name : MigrationPolicy::presetNames())
            QVERIFY2(MigrationPolicy::preset(name).validate().isEmpty(), qPrintable(name));

        QCOMPARE(badInputOf([] { MigrationPolicy::preset(QStringLiteral("fast")); }),
                 QStringLiteral("unknown policy preset \"fast\" (known: default, aggressive, "
                                "conservative, disabled)"));
    }

    void parsesEveryKey()
    {
        const auto p = MigrationPolicy::fromJson(R"({"age_threshold_secs": 3600.5,
            "memory_threshold_bytes": 9223372036854775807, "min_hot_versions": 0,
            "batch_size": 7, "run_interval_secs": 0.25, "enabled": false, "enable_lru": true})",
                                                 QStringLiteral("p.json"));
        QCOMPARE(p.ageThresholdMicros, 3600'500'000LL);
        QCOMPARE(p.memoryThresholdBytes, quint64(9223372036854775807ULL));
        QCOMPARE(p.minHotVersions, quint64(0));
        QCOMPARE(p.batchSize, quint64(7));
        QCOMPARE(p.runIntervalMicros, 250'000LL);
        QCOMPARE(p.enabled, false);
        QCOMPARE(p.enableLru, true);

        // Missing keys keep their defaults, independently of each other.
        const auto q = MigrationPolicy::fromJson(R"({"batch_size": 3})", QStringLiteral("p"));
        MigrationPolicy expected;
        expected.batchSize = 3;
        QCOMPARE(q, expected);
    }

    void durationsAreKeptToTheMicrosecond_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<qint64>("micros");
        QTest::newRow("one microsecond") << QByteArray("0.000001") << qint64(1);
        QTest::newRow("exponent") << QByteArray("1e-06") << qint64(1);
        QTest::newRow("one and a half") << QByteArray("1.5") << qint64(1'500'000);
        QTest::newRow("six decimals") << QByteArray("123.456789") << qint64(123'456'789);
        QTest::newRow("rounds half up") << QByteArray("0.0000015") << qint64(2);
        QTest::newRow("rounds down") << QByteArray("1.0000004") << qint64(1'000'000);
        QTest::newRow("whole float") << QByteArray("60.0") << qint64(60'000'000);
        QTest::newRow("scientific") << QByteArray("6.048e5") << qint64(604'800'000'000);
        QTest::newRow("zero") << QByteArray("0") << qint64(0);
        QTest::newRow("largest") << QByteArray("9223372036854")
                                 << qint64(9223372036854LL * 1'000'000);
    }
    void durationsAreKeptToTheMicrosecond()
    {
        QFETCH(QByteArray, text);
        QFETCH(qint64, micros);
        const auto j = MigrationPolicy::fromJson("{\"age_threshold_secs\": " + text + "}",
                                                 QStringLiteral("p.json"));
        QCOMPARE(j.ageThresholdMicros, micros);
        const auto t = MigrationPolicy::fromToml("age_threshold_secs = " + text + "\n",
                                                 QStringLiteral("p.toml"));
        QCOMPARE(t.ageThresholdMicros, micros);
    }

    void wholeFloatsAreIntegers()
    {
        // 1e9 bytes is a whole number: accepted; the exact value is kept.
        const auto p = MigrationPolicy::fromJson(
            R"({"memory_threshold_bytes": 1e9, "batch_size": 2.0})", QStringLiteral("p.json"));
        QCOMPARE(p.memoryThresholdBytes, quint64(1'000'000'000));
        QCOMPARE(p.batchSize, quint64(2));
    }

    void jsonValidationMessages_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("message");
        auto row = [](const char* name, const char* json, const char* message) {
            QTest::newRow(name) << QByteArray(json)
                                << QStringLiteral("policy.json: ") + QString::fromUtf8(message);
        };
        // age_threshold_secs
        row("age negative", R"({"age_threshold_secs": -1})",
            R"("age_threshold_secs" must be a number of seconds >= 0 (got -1))");
        row("age negative fraction", R"({"age_threshold_secs": -0.5})",
            R"("age_threshold_secs" must be a number of seconds >= 0 (got -0.5))");
        row("age string", R"({"age_threshold_secs": "3600"})",
            R"("age_threshold_secs" must be a number of seconds >= 0 (got "3600"))");
        row("age bool", R"({"age_threshold_secs": true})",
            R"("age_threshold_secs" must be a number of seconds >= 0 (got true))");
        row("age null", R"({"age_threshold_secs": null})",
            R"("age_threshold_secs" must be a number of seconds >= 0 (got null))");
        row("age too large", R"({"age_threshold_secs": 9223372036855})",
            R"("age_threshold_secs" must be a number of seconds <= 9223372036854 (got 9223372036855))");
        row("age huge float", R"({"age_threshold_secs": 1e300})",
            R"("age_threshold_secs" must be a number of seconds <= 9223372036854 (got 1e+300))");
        // memory_threshold_bytes
        row("memory zero", R"({"memory_threshold_bytes": 0})",
            R"("memory_threshold_bytes" must be an integer >= 1 (got 0))");
        row("memory negative", R"({"memory_threshold_bytes": -1})",
            R"("memory_threshold_bytes" must be an integer >= 1 (got -1))");
        row("memory fraction", R"({"memory_threshold_bytes": 1.5})",
            R"("memory_threshold_bytes" must be an integer >= 1 (got 1.5))");
        row("memory string", R"({"memory_threshold_bytes": "1GiB"})",
            R"("memory_threshold_bytes" must be an integer >= 1 (got "1GiB"))");
        row("memory u64 max", R"({"memory_threshold_bytes": 18446744073709551615})",
            R"("memory_threshold_bytes" must be an integer <= 9223372036854775807 (got 18446744073709551615))");
        row("memory int64 max + 1", R"({"memory_threshold_bytes": 9223372036854775808})",
            R"("memory_threshold_bytes" must be an integer <= 9223372036854775807 (got 9223372036854775808))");
        row("memory beyond u64", R"({"memory_threshold_bytes": 18446744073709551616})",
            R"("memory_threshold_bytes" must be an integer <= 9223372036854775807 (got 1.8446744073709552e+19))");
        row("memory 1e17", R"({"memory_threshold_bytes": 1e17})",
            R"("memory_threshold_bytes" must be an integer written in digits, without a fraction or exponent, from 9007199254740992 (2^53) up (got 1e+17))");
        row("memory 2^53 + 1 as a float", R"({"memory_threshold_bytes": 9007199254740993.0})",
            R"("memory_threshold_bytes" must be an integer written in digits, without a fraction or exponent, from 9007199254740992 (2^53) up (got 9.007199254740992e+15))");
        row("memory 2^63 as a float", R"({"memory_threshold_bytes": 9223372036854775808.0})",
            R"("memory_threshold_bytes" must be an integer <= 9223372036854775807 (got 9.223372036854776e+18))");
        row("unknown key with a newline", "{\"a\\nb\": 1}", R"(unknown key "a\u000ab")");
        row("unknown key of 60 bytes",
            "{\"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\": 1}",
            R"(unknown key "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...")");
        row("memory array", R"({"memory_threshold_bytes": [1]})",
            R"("memory_threshold_bytes" must be an integer >= 1 (got [1]))");
        // min_hot_versions
        row("min negative", R"({"min_hot_versions": -1})",
            R"("min_hot_versions" must be an integer >= 0 (got -1))");
        row("min fraction", R"({"min_hot_versions": 0.5})",
            R"("min_hot_versions" must be an integer >= 0 (got 0.5))");
        row("min bool", R"({"min_hot_versions": false})",
            R"("min_hot_versions" must be an integer >= 0 (got false))");
        // batch_size
        row("batch zero", R"({"batch_size": 0})",
            R"("batch_size" must be an integer >= 1 (got 0))");
        row("batch fraction", R"({"batch_size": 2.5})",
            R"("batch_size" must be an integer >= 1 (got 2.5))");
        row("batch string", R"({"batch_size": "10"})",
            R"("batch_size" must be an integer >= 1 (got "10"))");
        row("batch object", R"({"batch_size": {"n": 1}})",
            R"("batch_size" must be an integer >= 1 (got {"n":1}))");
        // run_interval_secs
        row("interval zero", R"({"run_interval_secs": 0})",
            R"("run_interval_secs" must be a number of seconds >= 0.000001 (got 0))");
        row("interval negative", R"({"run_interval_secs": -5})",
            R"("run_interval_secs" must be a number of seconds >= 0.000001 (got -5))");
        row("interval below a microsecond", R"({"run_interval_secs": 1e-07})",
            R"("run_interval_secs" must be a number of seconds >= 0.000001 (got 1e-07))");
        row("interval string", R"({"run_interval_secs": "60s"})",
            R"("run_interval_secs" must be a number of seconds >= 0.000001 (got "60s"))");
        row("interval too large", R"({"run_interval_secs": 1e13})",
            R"("run_interval_secs" must be a number of seconds <= 9223372036854 (got 10000000000000.0))");
        // booleans
        row("enabled as 1", R"({"enabled": 1})", R"("enabled" must be true or false (got 1))");
        row("enabled as string", R"({"enabled": "true"})",
            R"("enabled" must be true or false (got "true"))");
        row("lru as 0", R"({"enable_lru": 0})", R"("enable_lru" must be true or false (got 0))");
        row("lru null", R"({"enable_lru": null})",
            R"("enable_lru" must be true or false (got null))");
        // keys and shape
        row("unknown key", R"({"batchsize": 10})", R"(unknown key "batchsize")");
        row("unknown key beside good ones", R"({"batch_size": 10, "Enabled": true})",
            R"(unknown key "Enabled")");
        row("several problems", R"({"batch_size": 0, "zzz": 1})",
            R"(unknown key "zzz"; "batch_size" must be an integer >= 1 (got 0))");
        row("duplicate key", R"({"batch_size": 10, "batch_size": 20})",
            R"(duplicate key "batch_size")");
        row("array", R"([{"batch_size": 10}])", "the policy must be a JSON object (got array)");
        row("number", "42", "the policy must be a JSON object (got number)");
        row("string", R"("default")", "the policy must be a JSON object (got string)");
        row("null", "null", "the policy must be a JSON object (got null)");
        // malformed JSON names the position
        row("missing value", "{\n  \"batch_size\": \n}",
            "malformed JSON at line 3, column 1: syntax error while parsing value - unexpected "
            "'}'; expected '[', '{', or a literal");
        row("bad literal", "{\"enabled\": yes}",
            "malformed JSON at line 1, column 13: syntax error while parsing value - invalid "
            "literal; last read: '\"enabled\": y'");
        row("trailing comma", "{\"batch_size\": 1,}",
            "malformed JSON at line 1, column 18: syntax error while parsing object key - "
            "unexpected '}'; expected string literal");
        row("empty", "",
            "malformed JSON at line 1, column 1: syntax error while parsing value - unexpected "
            "end of input; expected '[', '{', or a literal");
        row("trailing garbage", "{} {}",
            "malformed JSON at line 1, column 4: syntax error while parsing value - unexpected "
            "'{'; expected end of input");
        // The JSON parser would stop at the NUL and take the object before it as the policy.
        QTest::newRow("NUL byte") << QByteArray("{\"batch_size\": 5}\n\0{\"enabled\": false}", 37)
                                  << QStringLiteral("policy.json: line 2: a NUL byte (at byte "
                                                    "offset 18) has no place in a policy file; is "
                                                    "it a text file?");
    }
    void jsonValidationMessages()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, message);
        QCOMPARE(jsonError(json), message);
    }

    void tomlValidationMessages_data()
    {
        QTest::addColumn<QByteArray>("toml");
        QTest::addColumn<QString>("message");
        auto row = [](const char* name, const char* toml, const char* message) {
            QTest::newRow(name) << QByteArray(toml)
                                << QStringLiteral("policy.toml: ") + QString::fromUtf8(message);
        };
        row("batch zero", "batch_size = 0\n", R"("batch_size" must be an integer >= 1 (got 0))");
        row("batch fraction", "batch_size = 1.5\n",
            R"("batch_size" must be an integer >= 1 (got 1.5))");
        row("age string", "age_threshold_secs = \"1d\"\n",
            R"("age_threshold_secs" must be a number of seconds >= 0 (got "1d"))");
        row("age negative", "age_threshold_secs = -1.5\n",
            R"("age_threshold_secs" must be a number of seconds >= 0 (got -1.5))");
        row("age inf", "age_threshold_secs = inf\n",
            R"("age_threshold_secs" must be a number of seconds <= 9223372036854 (got inf))");
        row("age nan", "age_threshold_secs = nan\n",
            R"("age_threshold_secs" must be a number of seconds >= 0 (got nan))");
        row("memory beyond 64 bits", "memory_threshold_bytes = 99999999999999999999\n",
            R"("memory_threshold_bytes" must be an integer <= 9223372036854775807 (got 99999999999999999999))");
        row("memory int64 max + 1", "memory_threshold_bytes = 9223372036854775808\n",
            R"("memory_threshold_bytes" must be an integer <= 9223372036854775807 (got 9223372036854775808))");
        row("min negative", "min_hot_versions = -2\n",
            R"("min_hot_versions" must be an integer >= 0 (got -2))");
        row("interval zero", "run_interval_secs = 0\n",
            R"("run_interval_secs" must be a number of seconds >= 0.000001 (got 0))");
        row("enabled as 1", "enabled = 1\n", R"("enabled" must be true or false (got 1))");
        row("lru as string", "enable_lru = \"yes\"\n",
            R"("enable_lru" must be true or false (got "yes"))");
        row("unknown key", "batchsize = 10\n", R"(unknown key "batchsize")");
        row("table", "[policy]\nbatch_size = 10\n", R"(unknown key "policy")");
        row("missing value", "batch_size = 10\nenabled =\n",
            "malformed TOML at line 2: missing value after key-value separator '='");
        row("duplicate key", "batch_size = 10\nbatch_size = 20\n",
            "malformed TOML at line 2: value (\"batch_size\") already exists.");
        QTest::newRow("NUL byte") << QByteArray("batch_size = 5\0", 15)
                                  << QStringLiteral("policy.toml: line 1: a NUL byte (at byte "
                                                    "offset 14) has no place in a policy file; is "
                                                    "it a text file?");
    }
    void tomlValidationMessages()
    {
        QFETCH(QByteArray, toml);
        QFETCH(QString, message);
        QCOMPARE(tomlError(toml), message);
    }

    void tomlIntegerLimitIsExact()
    {
        // toml11 saturates out-of-range literals to INT64_MAX; the real INT64_MAX must still pass.
        const auto p = MigrationPolicy::fromToml("memory_threshold_bytes = 9223372036854775807\n",
                                                 QStringLiteral("p.toml"));
        QCOMPARE(p.memoryThresholdBytes, quint64(9223372036854775807ULL));
        const auto h = MigrationPolicy::fromToml("memory_threshold_bytes = 0x7fff_ffff_ffff_ffff\n",
                                                 QStringLiteral("p.toml"));
        QCOMPARE(h.memoryThresholdBytes, quint64(9223372036854775807ULL));
        const auto u = MigrationPolicy::fromToml("batch_size = 1_000\n", QStringLiteral("p.toml"));
        QCOMPARE(u.batchSize, quint64(1000));
    }

    void validateNamesEachField()
    {
        MigrationPolicy p;
        p.ageThresholdMicros = -1'500'000;
        p.memoryThresholdBytes = 0;
        p.batchSize = 0;
        p.runIntervalMicros = 0;
        p.minHotVersions = std::numeric_limits<quint64>::max();
        QCOMPARE(
            p.validate(),
            QStringList({
                R"("age_threshold_secs" must be a number of seconds >= 0 (got -1.5))",
                R"("memory_threshold_bytes" must be an integer >= 1 (got 0))",
                R"("min_hot_versions" must be an integer <= 9223372036854775807 (got 18446744073709551615))",
                R"("batch_size" must be an integer >= 1 (got 0))",
                R"("run_interval_secs" must be a number of seconds >= 0.000001 (got 0))",
            }));
        MigrationPolicy q;
        q.memoryThresholdBytes = std::numeric_limits<quint64>::max();
        q.runIntervalMicros = std::numeric_limits<qint64>::max();
        QCOMPARE(
            q.validate(),
            QStringList({
                R"("memory_threshold_bytes" must be an integer <= 9223372036854775807 (got 18446744073709551615))",
                R"("run_interval_secs" must be a number of seconds <= 9223372036854 (got 9223372036854.775807))",
            }));
    }

    void jsonAndTomlRoundTrip_data()
    {
        QTest::addColumn<MigrationPolicy>("policy");
        for (const QString& name : MigrationPolicy::presetNames())
            QTest::newRow(qPrintable(name)) << MigrationPolicy::preset(name);
        MigrationPolicy tiny;
        tiny.ageThresholdMicros = 1;        // 0.000001 s
        tiny.runIntervalMicros = 1'500'000; // 1.5 s
        tiny.minHotVersions = 0;
        tiny.memoryThresholdBytes = 9223372036854775807ULL;
        QTest::newRow("fractions and limits") << tiny;
        MigrationPolicy odd;
        odd.ageThresholdMicros = 123'456'789;
        odd.runIntervalMicros = 9223372036854LL * 1'000'000;
        odd.batchSize = 1;
        odd.enabled = false;
        odd.enableLru = true;
        QTest::newRow("six decimals") << odd;
        MigrationPolicy zero;
        zero.ageThresholdMicros = 0;
        zero.runIntervalMicros = 999'999;
        QTest::newRow("zero age") << zero;
    }
    void jsonAndTomlRoundTrip()
    {
        QFETCH(MigrationPolicy, policy);
        QCOMPARE(MigrationPolicy::fromJson(policy.toJsonBytes(), QStringLiteral("p.json")), policy);
        QCOMPARE(MigrationPolicy::fromToml(policy.toToml(), QStringLiteral("p.toml")), policy);
        // The QJsonObject form, as written by Qt, reads back the same too.
        const QByteArray viaQt = QJsonDocument(policy.toJson()).toJson();
        QCOMPARE(MigrationPolicy::fromJson(viaQt, QStringLiteral("qt.json")), policy);
        QCOMPARE(MigrationPolicy::fromJson(policy.toCompactJson(), QStringLiteral("c.json")),
                 policy);
        QCOMPARE(policy.toJson().keys().size(), 7);
    }

    void writesSecondsAsOperatorsExpect()
    {
        MigrationPolicy p;
        p.ageThresholdMicros = 1;
        p.runIntervalMicros = 1'500'000;
        QCOMPARE(p.toJsonBytes(), QByteArray("{\n"
                                             "    \"age_threshold_secs\": 0.000001,\n"
                                             "    \"memory_threshold_bytes\": 1073741824,\n"
                                             "    \"min_hot_versions\": 1,\n"
                                             "    \"batch_size\": 1000,\n"
                                             "    \"run_interval_secs\": 1.5,\n"
                                             "    \"enabled\": true,\n"
                                             "    \"enable_lru\": false\n"
                                             "}\n"));
        // The same keys, order and figures on one line (what preview --json embeds).
        QCOMPARE(
            p.toCompactJson(),
            QByteArray("{\"age_threshold_secs\":0.000001,\"memory_threshold_bytes\":1073741824,"
                       "\"min_hot_versions\":1,\"batch_size\":1000,\"run_interval_secs\":1.5,"
                       "\"enabled\":true,\"enable_lru\":false}"));
        const QByteArray toml = p.toToml();
        QVERIFY(toml.contains("\nage_threshold_secs = 0.000001\n"));
        QVERIFY(toml.contains("\nrun_interval_secs = 1.5\n"));
        QVERIFY(toml.contains("\nenable_lru = false\n"));
        const QByteArray defaults = MigrationPolicy().toJsonBytes();
        QVERIFY(defaults.contains("\"age_threshold_secs\": 604800,"));
        QVERIFY(defaults.contains("\"run_interval_secs\": 60,"));

        const QJsonObject o = p.toJson();
        QCOMPARE(o.value("age_threshold_secs").toDouble(), 0.000001);
        QCOMPARE(o.value("run_interval_secs").toDouble(), 1.5);
        QCOMPARE(MigrationPolicy().toJson().value("age_threshold_secs").toInteger(), 604800);
        QCOMPARE(o.value("memory_threshold_bytes").toInteger(), 1073741824);
        QCOMPARE(o.value("enabled").toBool(), true);

        QCOMPARE(MigrationPolicy::secondsText(1), QStringLiteral("0.000001"));
        QCOMPARE(MigrationPolicy::secondsText(60'000'000), QStringLiteral("60"));
        QCOMPARE(MigrationPolicy::secondsText(-1'250'000), QStringLiteral("-1.25"));
    }

    void saveAndLoadByExtension()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        MigrationPolicy p = MigrationPolicy::preset(QStringLiteral("aggressive"));
        p.ageThresholdMicros = 1'500'001;

        const QString jsonPath = dir.filePath("policy.json");
        p.save(jsonPath);
        QCOMPARE(test::readFile(jsonPath), p.toJsonBytes());
        QCOMPARE(MigrationPolicy::load(jsonPath), p);

        const QString tomlPath = dir.filePath("policy.toml");
        p.save(tomlPath);
        QCOMPARE(test::readFile(tomlPath), p.toToml());
        QCOMPARE(MigrationPolicy::load(tomlPath), p);

        // Extension decides the format: TOML text under a .json name is malformed JSON.
        const QString misnamed = dir.filePath("policy.conf");
        test::writeFile(misnamed, p.toToml());
        QVERIFY(badInputOf([&] {
                    MigrationPolicy::load(misnamed);
                }).startsWith(misnamed + QStringLiteral(": malformed JSON at line ")));
        test::writeFile(misnamed, p.toJsonBytes());
        QCOMPARE(MigrationPolicy::load(misnamed), p);

        // Load errors name the file.
        const QString bad = dir.filePath("bad.toml");
        test::writeFile(bad, "batch_size = 0\n");
        QCOMPARE(badInputOf([&] { MigrationPolicy::load(bad); }),
                 bad + QStringLiteral(": \"batch_size\" must be an integer >= 1 (got 0)"));
        const QString missing = dir.filePath("missing.json");
        QVERIFY(badInputOf([&] {
                    MigrationPolicy::load(missing);
                }).startsWith(missing + QStringLiteral(": cannot read the policy: ")));
    }

    void saveIsAtomicAndOwnerOnly()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath("policy.json");
        test::writeFile(path, "old contents");
        QVERIFY(QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner |
                                                QFile::ReadGroup | QFile::ReadOther));
        const MigrationPolicy p = MigrationPolicy::preset(QStringLiteral("conservative"));
        p.save(path);
        struct stat st
        {
        };
        QCOMPARE(::stat(QFile::encodeName(path).constData(), &st), 0);
        QCOMPARE(st.st_mode & 0777, mode_t(0600));
        QCOMPARE(MigrationPolicy::load(path), p);
        // No temp file is left behind.
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList({"policy.json"}));

        // A directory that does not exist is a runtime failure naming the path.
        const QString nowhere = dir.filePath("no/such/dir/policy.json");
        try {
            p.save(nowhere);
            QFAIL("save into a missing directory succeeded");
        } catch (const FrostlineError& e) {
            QCOMPARE(e.kind(), FrostlineError::Kind::Runtime);
            QVERIFY2(e.message().startsWith(nowhere + QStringLiteral(": cannot save the policy")),
                     qPrintable(e.message()));
        }
    }

    void builder()
    {
        const MigrationPolicy p = MigrationPolicyBuilder()
                                      .ageThresholdSecs(3600.25)
                                      .memoryThresholdBytes(4096)
                                      .minHotVersions(3)
                                      .batchSize(10)
                                      .runIntervalSecs(0.000001)
                                      .enabled(false)
                                      .enableLru(true)
                                      .build();
        QCOMPARE(p.ageThresholdMicros, 3'600'250'000LL);
        QCOMPARE(p.memoryThresholdBytes, quint64(4096));
        QCOMPARE(p.minHotVersions, quint64(3));
        QCOMPARE(p.batchSize, quint64(10));
        QCOMPARE(p.runIntervalMicros, 1LL);
        QCOMPARE(p.enabled, false);
        QCOMPARE(p.enableLru, true);

        // Starts from a base policy.
        const auto base = MigrationPolicy::preset(QStringLiteral("aggressive"));
        auto expected = base;
        expected.batchSize = 5;
        QCOMPARE(MigrationPolicyBuilder(base).batchSize(5).build(), expected);

        QCOMPARE(badInputOf([] { MigrationPolicyBuilder().batchSize(0).build(); }),
                 QStringLiteral("policy: \"batch_size\" must be an integer >= 1 (got 0)"));
        QCOMPARE(badInputOf([] { MigrationPolicyBuilder().ageThresholdSecs(-2).build(); }),
                 QStringLiteral(
                     "policy: \"age_threshold_secs\" must be a number of seconds >= 0 (got -2)"));
        QCOMPARE(badInputOf([] { MigrationPolicyBuilder().runIntervalSecs(NAN).build(); }),
                 QStringLiteral("policy: \"run_interval_secs\" must be a finite number of seconds "
                                "<= 9223372036854 (got nan)"));
        // A later call for the same field replaces an earlier bad one.
        QCOMPARE(MigrationPolicyBuilder()
                     .runIntervalSecs(INFINITY)
                     .runIntervalSecs(2)
                     .build()
                     .runIntervalMicros,
                 2'000'000LL);
    }
};

QTEST_GUILESS_MAIN(TestMigrationPolicy)
#include "tst_migrationpolicy.moc"
