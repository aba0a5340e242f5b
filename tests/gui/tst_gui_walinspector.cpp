#include "dashboardpage.h"
#include "displayformat.h"
#include "lsnruler.h"
#include "mainwindow.h"
#include "migrationpage.h"
#include "store.h"
#include "testsupport.h"
#include "walinspectorpage.h"
#include "walrecordmodel.h"
#include "walsegmentmodel.h"
#include "workloadgenerator.h"

#include <QAbstractItemModelTester>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace frostline;

namespace {

// A closed store whose WAL spans many small segments, none of them flushed yet.
quint64 makeStore(const QString& path, quint64 versions)
{
    Store::create(path);
    Store::Options options;
    options.walSegmentBytes = 64 * 1024;
    Store store(path, options);
    store.open();
    WorkloadGenerator::Options o;
    o.entities = 300;
    o.versions = versions;
    o.spanDays = 30;
    o.seed = 11;
    // Appends in slices: the WAL rotates between appends once a segment is full.
    std::vector<Version> all = WorkloadGenerator(o).generateAll();
    for (std::size_t i = 0; i < all.size(); i += 100)
        store.append(std::vector<Version>(all.begin() + qsizetype(i),
                                          all.begin() + qsizetype(std::min(all.size(), i + 100))));
    store.close();
    return versions;
}

struct WalState
{
    std::vector<WalSegmentStatus> segments;
    quint64 last = 0, flushed = 0;
};

WalState walState(const QSignalSpy& spy)
{
    const QList<QVariant> args = spy.last();
    return {args.at(0).value<std::vector<WalSegmentStatus>>(), args.at(1).value<quint64>(),
            args.at(2).value<quint64>()};
}

} // namespace

class TestGuiWalInspector : public QObject
{
    Q_OBJECT
    QTemporaryDir m_settingsDir;

private slots:
    void initTestCase()
    {
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
        QCoreApplication::setOrganizationName(QStringLiteral("FrostlineTest"));
    }

    void showsSegmentsRulerAndRecordsAndFollowsTheFlushedLsn()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("store"));
        const quint64 versions = makeStore(path, 4000);

        MainWindow window;
        window.resize(1200, 800);
        window.show();
        WalInspectorPage* page = window.walInspectorPage();
        QAbstractItemModelTester segTester(page->segmentModel(),
                                           QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester recTester(page->recordModel(),
                                           QAbstractItemModelTester::FailureReportingMode::QtTest);
        StoreController* c = window.controller();
        QSignalSpy opened(c, &StoreController::storeOpened);
        QSignalSpy wal(c, &StoreController::walUpdated);
        window.openStorePath(path);
        QVERIFY(opened.wait(30000));
        window.showPage(MainWindow::WalPageIndex);
        QVERIFY(test::waitUntil([&] { return wal.count() > 0; }));

        // Nothing flushed yet: every LSN lives only in the WAL; truncation is blocked.
        WalState before = walState(wal);
        QCOMPARE(before.last, versions);
        QCOMPARE(before.flushed, quint64(0));
        QVERIFY(before.segments.size() > 3);
        QCOMPARE(page->segmentModel()->rowCount(), int(before.segments.size()));
        for (int row = 0; row < page->segmentModel()->rowCount(); ++row) {
            const QModelIndex del =
                page->segmentModel()->index(row, WalSegmentModel::DeletableColumn);
            QCOMPARE(del.data(WalSegmentModel::RawRole).toBool(), false);
        }
        QCOMPARE(page->ruler()->marks().lastWritten, versions);
        QCOMPARE(page->ruler()->marks().flushed, quint64(0));
        QVERIFY2(page->truncationText().contains(QStringLiteral("blocked")),
                 qPrintable(page->truncationText()));

        // The record browser decodes the first segment, LSN by LSN.
        QSignalSpy records(c, &StoreController::walRecordsReady);
        page->selectSegment(0);
        QVERIFY(records.wait(30000));
        const WalSegmentInfo first = page->segmentModel()->segmentAt(0).segment;
        QCOMPARE(quint64(page->recordModel()->rowCount()), first.records);
        QCOMPARE(page->recordModel()->recordAt(0)->lsn, first.firstLsn);
        for (int row = 0; row < page->recordModel()->rowCount(); ++row) {
            const DecodedWalRecord* r = page->recordModel()->recordAt(row);
            QVERIFY2(r->decoded, qPrintable(r->error));
            QCOMPARE(r->lsn, first.firstLsn + quint64(row));
            // The generator numbers versions 1.. in append order: LSN n wrote version n.
            QCOMPARE(r->version.versionId, r->lsn);
        }
        // tx_from as every page writes an instant: UTC to the microsecond, so it can be set
        // beside the cold browser's and the CLI's numbers (it was local time to the second).
        const DecodedWalRecord* r0 = page->recordModel()->recordAt(0);
        QCOMPARE(page->recordModel()
                     ->index(0, WalRecordModel::TxFromColumn)
                     .data(Qt::DisplayRole)
                     .toString(),
                 DisplayFormat::timestamp(r0->version.txFrom));
        QVERIFY(DisplayFormat::timestamp(r0->version.txFrom).endsWith(QLatin1String(" UTC")));

        // Paged: a read shows at most a page of records; Next reads on, and Go to LSN starts
        // anywhere (it stopped at the first 20,000 with no way further).
        QVERIFY(first.records >= 6);
        const int perPage = int(first.records / 3);
        page->setRecordsPerPage(perPage);
        records.clear();
        page->selectSegment(0);
        QVERIFY(records.wait(30000));
        QCOMPARE(page->recordModel()->rowCount(), perPage);
        QVERIFY(page->nextRecordsButton()->isEnabled());
        records.clear();
        page->nextRecordsButton()->click();
        QVERIFY(records.wait(30000));
        QCOMPARE(page->recordModel()->rowCount(), perPage);
        QCOMPARE(page->recordModel()->recordAt(0)->lsn, first.firstLsn + quint64(perPage));
        QVERIFY2(page->recordTitle().contains(QStringLiteral("LSN %1 to %2, %3 of its %4 records")
                                                  .arg(first.firstLsn + quint64(perPage))
                                                  .arg(first.firstLsn + quint64(2 * perPage) - 1)
                                                  .arg(DisplayFormat::count(quint64(perPage)),
                                                       DisplayFormat::count(first.records))),
                 qPrintable(page->recordTitle()));
        const quint64 target = first.lastLsn - 2;
        records.clear();
        page->showRecordsFrom(target);
        QVERIFY(records.wait(30000));
        QCOMPARE(page->recordModel()->rowCount(), 3);
        QCOMPARE(page->recordModel()->recordAt(0)->lsn, target);
        QCOMPARE(page->recordModel()->recordAt(0)->version.versionId, target);
        QVERIFY(!page->nextRecordsButton()->isEnabled());
        // Past the end: not "truncated", and the records of the last read go.
        page->showRecordsFrom(versions + 1000);
        QCOMPARE(page->recordTitle(),
                 QStringLiteral("LSN %1 is not in the log yet: its newest record is LSN %2.")
                     .arg(versions + 1000)
                     .arg(versions));
        QCOMPARE(page->recordModel()->rowCount(), 0);
        page->setRecordsPerPage(20000);

        // A migration advances the flushed LSN; the page shows it without being asked.
        QSignalSpy finished(c, &StoreController::migrationFinished);
        window.migrationPage()->runOnce();
        QVERIFY(finished.wait(60000));
        QVERIFY(test::waitUntil([&] { return wal.count() > 0 && walState(wal).flushed > 0; }));
        const WalState afterMigration = walState(wal);
        QVERIFY(afterMigration.flushed > before.flushed);
        QVERIFY(test::waitUntil(
            [&] { return page->ruler()->marks().flushed == afterMigration.flushed; }));

        // A checkpoint flushes everything and truncates every closed segment.
        wal.clear();
        QSignalSpy checkpointed(c, &StoreController::checkpointFinished);
        c->requestCheckpoint();
        QVERIFY(checkpointed.wait(30000));
        QVERIFY(test::waitUntil(
            [&] { return wal.count() > 0 && walState(wal).flushed == walState(wal).last; }));
        const WalState afterCheckpoint = walState(wal);
        QCOMPARE(afterCheckpoint.last, versions);
        QVERIFY(afterCheckpoint.segments.size() < before.segments.size());
        for (const WalSegmentStatus& s : afterCheckpoint.segments)
            QVERIFY2(s.segment.active || s.segment.lastLsn > afterCheckpoint.flushed,
                     qPrintable(s.segment.fileName)); // closed flushed segments are gone
        // The page re-reads the WAL when the checkpoint finishes; an earlier timer refresh can land
        // first.
        QVERIFY(test::waitUntil(
            [&] { return page->ruler()->marks().checkpoint == afterCheckpoint.flushed; }));
        QVERIFY(!page->truncationText().contains(QStringLiteral("blocked")));
        // The browsed segment was truncated: the browser says so instead of showing stale rows.
        QCOMPARE(page->recordModel()->rowCount(), 0);
        // Every record is durable in Berkeley DB and truncated: the log holds none.
        page->showRecordsFrom(1);
        QCOMPARE(page->recordTitle(),
                 QStringLiteral("LSN 1 is not in the log any more: it holds no record now (those "
                                "up to LSN %1 were truncated once durable in Berkeley DB).")
                     .arg(versions));
        // The dashboard says so too (it read "LSN 40001 to 40000").
        c->refreshStatistics();
        const QString noRecord =
            QStringLiteral("· no record (the next is LSN %1)").arg(versions + 1);
        QVERIFY2(test::waitUntil(
                     [&] { return window.dashboardPage()->figuresText().contains(noRecord); }),
                 qPrintable(window.dashboardPage()->figuresText()));
    }

    void segmentModelReportsVerdictsPerColumn()
    {
        WalSegmentModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        WalSegmentStatus a;
        a.segment.fileName = QStringLiteral("00000000000000000001.wal");
        a.segment.firstLsn = 1;
        a.segment.lastLsn = 10;
        a.segment.records = 10;
        a.deletable = true;
        a.reason = QStringLiteral("closed and flushed");
        WalSegmentStatus b;
        b.segment.fileName = QStringLiteral("00000000000000000011.wal");
        b.segment.firstLsn = 11;
        b.segment.lastLsn = 10; // empty
        b.segment.active = true;
        model.setSegments({a, b});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(0, WalSegmentModel::DeletableColumn).data().toString(),
                 QStringLiteral("yes"));
        QCOMPARE(model.index(1, WalSegmentModel::LastLsnColumn).data().toString(),
                 QStringLiteral("–"));
        QVERIFY(model.index(1, WalSegmentModel::FileColumn)
                    .data()
                    .toString()
                    .contains(QStringLiteral("active")));
        model.setSegments({b}); // a was truncated
        QCOMPARE(model.rowCount(), 1);
        model.setSegments({});
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_MAIN(TestGuiWalInspector)
#include "tst_gui_walinspector.moc"
