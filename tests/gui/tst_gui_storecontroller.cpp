#include "guitestsupport.h"
#include "store.h"
#include "storecontroller.h"
#include "testsupport.h"

#include <QDir>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace frostline;

class TestGuiStoreController : public QObject
{
    Q_OBJECT
private slots:
    void openingAFolderThatIsNoStoreKeepsTheOpenStore()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("store"));
        test::makeGeneratedStore(path, 1000, 100, 10, 14);
        const QString plain = dir.filePath(QStringLiteral("plain"));
        QVERIFY(QDir().mkpath(plain + QStringLiteral("/something")));
        StoreController c;
        QSignalSpy opened(&c, &StoreController::storeOpened);
        c.openStore(path);
        QVERIFY(opened.wait(120000));

        QSignalSpy failed(&c, &StoreController::operationFailed);
        QSignalSpy closed(&c, &StoreController::storeClosed);
        for (const QString& wrong : {plain, dir.filePath(QStringLiteral("missing"))}) {
            failed.clear();
            c.openStore(wrong);
            QVERIFY(failed.count() > 0 || failed.wait(60000));
            QCOMPARE(failed.first().at(0).toString(), QStringLiteral("Open store"));
            QVERIFY2(failed.first().at(1).toString().contains(wrong),
                     qPrintable(failed.first().at(1).toString()));
            QCOMPARE(closed.count(), 0);
            QVERIFY(c.isOpen());
            QCOMPARE(c.storePath(), QDir::cleanPath(path));
        }
        // Still working: a statistics refresh answers with the store's versions.
        QSignalSpy stats(&c, &StoreController::statisticsUpdated);
        c.refreshStatistics();
        QVERIFY(stats.wait(60000));
        QCOMPARE(test::totalVersions(stats.last().at(0).value<StoreStatistics>()), quint64(1000));
        QCOMPARE(opened.count(), 1);
        c.closeStore();
        c.waitForWorkers();
    }
};

QTEST_MAIN(TestGuiStoreController)
#include "tst_gui_storecontroller.moc"
