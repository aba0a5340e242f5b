#include "propertyvalue.h"
#include "version.h"

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
