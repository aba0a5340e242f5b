#include "jsonlcodec.h"
#include "propertyvalue.h"
#include "version.h"
#include "versioncodec.h"
#include "workloadgenerator.h"

#include <QtTest>

using namespace frostline;

class TestModel : public QObject
{
    Q_OBJECT
private slots:
    void mapIsCanonical()
    {
        PropertyValue::Map m{{"b", PropertyValue(qint64(1))},
                             {"a", PropertyValue(2.5)},
                             {"b", PropertyValue("last")}};
        PropertyValue v(m);
        QCOMPARE(v.toMap().size(), std::size_t(2));
        QCOMPARE(v.toMap()[0].first, QStringLiteral("a"));
        QCOMPARE(v.toMap()[1].second.toString(), QStringLiteral("last"));
    }
    void doubleEqualityIsBitwise()
    {
        QVERIFY(!(PropertyValue(0.0) == PropertyValue(-0.0)));
        QVERIFY(PropertyValue(1.5) == PropertyValue(1.5));
        QVERIFY(!(PropertyValue(qint64(1)) == PropertyValue(1.0)));
    }
    void estimatedSizeCountsHeap()
    {
        Version v;
        v.versionId = 1;
        const auto bare = v.estimatedSize();
        QCOMPARE(bare, sizeof(Version));
        v.label = QStringLiteral("Person").repeated(100);
        const auto withLabel = v.estimatedSize();
        QVERIFY(withLabel >= bare + 600 * sizeof(char16_t));
        v.properties =
            PropertyValue::canonicalMap({{"name", PropertyValue(QString(1000, QLatin1Char('x')))}});
        QVERIFY(v.estimatedSize() >= withLabel + 2000);
    }
    void estimatedSizeIsOneFigureInEveryPath()
    {
        // A map of 3 and lists of 5 and 6: sizes that are not powers of two, so a copy (exactly
        // sized), a JSONL import and a binary decode (grown element by element) all allocate
        // differently. The figure must not depend on which of them holds the version.
        Version v;
        v.versionId = 7;
        v.entityId = 3;
        v.label = QStringLiteral("Person");
        PropertyValue::List five, six;
        for (int i = 0; i < 5; ++i)
            five.push_back(PropertyValue(qint64(i)));
        for (int i = 0; i < 6; ++i)
            six.push_back(PropertyValue(QStringLiteral("x%1").arg(i)));
        v.properties = PropertyValue::canonicalMap({{"a", PropertyValue(five)},
                                                    {"b", PropertyValue(six)},
                                                    {"c", PropertyValue(qint64(3))}});
        const std::size_t original = v.estimatedSize();

        const Version copy = v;
        QCOMPARE(copy.estimatedSize(), original);

        Version decoded;
        QString error;
        QVERIFY2(VersionCodec::decode(VersionCodec::encode(v), &decoded, &error),
                 qPrintable(error));
        QCOMPARE(decoded, v);
        QCOMPARE(decoded.estimatedSize(), original);

        Version imported;
        QVERIFY2(JsonlCodec::decodeLine(JsonlCodec::encode(v), &imported, &error),
                 qPrintable(error));
        QCOMPARE(imported, v);
        QCOMPARE(imported.estimatedSize(), original);
        QCOMPARE(Version(imported).estimatedSize(), original);

        // The same content given with a duplicate key (the last wins) costs the same.
        Version withDuplicate = v;
        withDuplicate.properties = PropertyValue::canonicalMap({{"c", PropertyValue(qint64(9))},
                                                                {"a", PropertyValue(five)},
                                                                {"b", PropertyValue(six)},
                                                                {"c", PropertyValue(qint64(3))}});
        QCOMPARE(withDuplicate, v);
        QCOMPARE(withDuplicate.estimatedSize(), original);

        // Random versions (non-ASCII text, nested maps and lists of every length), and the
        // generator's own versions as `generate` appends them: one figure in every path.
        std::vector<Version> samples;
        for (int i = 0; i < 2000; ++i)
            samples.push_back(WorkloadGenerator::randomVersion(91, quint64(i)));
        WorkloadGenerator::Options o;
        o.entities = 50;
        o.versions = 500;
        for (Version& g : WorkloadGenerator(o).generateAll())
            samples.push_back(std::move(g));
        for (const Version& sample : samples) {
            Version viaCodec, viaJsonl;
            QVERIFY(VersionCodec::decode(VersionCodec::encode(sample), &viaCodec, &error));
            QVERIFY2(JsonlCodec::decodeLine(JsonlCodec::encode(sample), &viaJsonl, &error),
                     qPrintable(error));
            QCOMPARE(viaCodec.estimatedSize(), sample.estimatedSize());
            QCOMPARE(viaJsonl.estimatedSize(), sample.estimatedSize());
            QCOMPARE(Version(viaCodec).estimatedSize(), sample.estimatedSize());
        }
    }
    void ageIsClampedAtZero()
    {
        Version v;
        v.txFrom = 1000;
        QCOMPARE(v.ageMicros(400), qint64(0));
        QCOMPARE(v.ageMicros(1400), qint64(400));
    }
    void entitiesOfDifferentKindsDiffer()
    {
        EntityKey n{EntityKind::Node, 5}, e{EntityKind::Edge, 5};
        QVERIFY(!(n == e));
        QHash<EntityKey, int> h;
        h.insert(n, 1);
        h.insert(e, 2);
        QCOMPARE(h.size(), 2);
    }
    void headOrder()
    {
        QVERIFY(headOrderLess(1, 9, 2, 1));
        QVERIFY(headOrderLess(2, 1, 2, 3));
        QVERIFY(!headOrderLess(2, 3, 2, 1));
    }
};

QTEST_GUILESS_MAIN(TestModel)
#include "tst_model.moc"
