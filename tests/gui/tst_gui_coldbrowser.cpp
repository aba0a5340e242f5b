#include "coldbrowserpage.h"
#include "displayformat.h"
#include "historymodel.h"
#include "migrationpolicybuilder.h"
#include "migrationrun.h"
#include "store.h"
#include "storecontroller.h"
#include "testsupport.h"
#include "workloadgenerator.h"

#include <QComboBox>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace frostline;

class TestGuiColdBrowser : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void statisticsShowBerkeleyDbFigures();
    void versionLookupShowsAllFieldsAndTier();
    void historySpansBothTiersAndAsOfMatchesTheStore();
    void lookupAndHistoryThroughTheController();

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Store> m_store;
    qint64 m_now = 0;
    // An entity whose history has both hot and cold versions.
    EntityKey m_mixed;
};

void TestGuiColdBrowser::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const QString path = m_dir.filePath(QStringLiteral("store"));
    Store::create(path);
    m_store = std::make_unique<Store>(path);
    m_store->open();
    m_now = currentMicros();
    WorkloadGenerator::Options o;
    o.entities = 200;
    o.versions = 4000;
    o.spanDays = 30;
    o.seed = 11;
    o.now = m_now;
    m_store->append(WorkloadGenerator(o).generateAll());
    const auto policy = MigrationPolicyBuilder().ageThresholdSecs(7 * 86400).batchSize(500).build();
    const MigrationRunResult result = MigrationRun(*m_store, policy, m_now).run();
    QVERIFY(result.migrated > 0);

    bool found = false;
    for (quint64 id = 1; id <= 4000 && !found; ++id) {
        const auto v = m_store->find(id);
        QVERIFY(v);
        const auto history = m_store->history(v->version.entity());
        bool hot = false, cold = false;
        for (const TieredVersion& t : history)
            (t.tier == Tier::Hot ? hot : cold) = true;
        if (hot && cold && history.size() >= 4) {
            m_mixed = v->version.entity();
            found = true;
        }
    }
    QVERIFY2(found, "the generated store has no entity with versions in both tiers");
}

void TestGuiColdBrowser::cleanupTestCase()
{
    if (m_store)
        m_store->close();
    m_store.reset();
}

void TestGuiColdBrowser::statisticsShowBerkeleyDbFigures()
{
    ColdBrowserPage page(nullptr);
    QSignalSpy shown(&page, &ColdBrowserPage::statisticsShown);
    const ColdStatistics s = m_store->cold().statistics();
    QVERIFY(s.nodeVersions + s.edgeVersions > 0);
    page.showStatistics(s);
    QCOMPARE(shown.count(), 1);
    QVERIFY(page.statisticText(QStringLiteral("records"))
                .startsWith(
                    DisplayFormat::count(s.nodeVersions + s.edgeVersions + s.checkpointVersions)));
    QCOMPARE(page.statisticText(QStringLiteral("node versions")),
             DisplayFormat::count(s.nodeVersions));
    QCOMPARE(page.statisticText(QStringLiteral("page size")), DisplayFormat::bytes(s.pageSize));
    QCOMPARE(page.statisticText(QStringLiteral("pages")), DisplayFormat::count(s.pages));
    QCOMPARE(page.statisticText(QStringLiteral("flushed LSN")), QString::number(s.flushedLsn));
    QCOMPARE(page.statisticText(QStringLiteral("durability")), s.durability);
    QCOMPARE(page.statisticText(QStringLiteral("Berkeley DB version")), s.berkeleyVersion);
    QVERIFY(!s.berkeleyVersion.isEmpty());
    if (!s.logFiles.isEmpty())
        QVERIFY(page.statisticText(QStringLiteral("log files")).contains(s.logFiles.front()));
    const QString hitRate = page.statisticText(QStringLiteral("cache hit rate"));
    if (s.cacheHits + s.cacheMisses > 0)
        QVERIFY2(hitRate.contains(QLatin1String("%")), qPrintable(hitRate));
}

void TestGuiColdBrowser::versionLookupShowsAllFieldsAndTier()
{
    ColdBrowserPage page(nullptr);
    const auto history = m_store->history(m_mixed);
    const TieredVersion* cold = nullptr;
    const TieredVersion* hot = nullptr;
    for (const TieredVersion& t : history)
        (t.tier == Tier::Cold ? cold : hot) = &t;
    QVERIFY(cold && hot);

    for (const TieredVersion* t : {cold, hot}) {
        const quint64 id = t->version.versionId;
        const auto found = m_store->find(id);
        QVERIFY(found);
        page.showVersion(id, found);
        const QString text = page.versionText();
        QVERIFY(text.contains(QStringLiteral("version_id: %1\n").arg(id)));
        QVERIFY(text.contains(QStringLiteral("tier: %1\n").arg(tierName(t->tier))));
        QVERIFY(text.contains(QStringLiteral("entity_id: %1\n").arg(m_mixed.entityId)));
        QVERIFY(text.contains(QStringLiteral("tx_from: %1 (").arg(t->version.txFrom)));
        QVERIFY(text.contains(QStringLiteral("label: %1\n").arg(t->version.label)));
        QVERIFY(text.contains(QLatin1String("properties: {")));
        if (t->version.isEdge())
            QVERIFY(text.contains(QStringLiteral("source: %1").arg(t->version.source)));
    }
    page.showVersion(999999, std::nullopt);
    QVERIFY(page.versionText().contains(QLatin1String("Version 999999 is in neither tier")));

    // Only the answer to the last lookup is shown; a late answer to an earlier one is dropped.
    page.lookupVersion(cold->version.versionId); // no controller: remembered as the question
    const QString before = page.versionText();
    page.showVersion(hot->version.versionId, m_store->find(hot->version.versionId));
    QCOMPARE(page.versionText(), before);
    page.showVersion(cold->version.versionId, m_store->find(cold->version.versionId));
    QVERIFY(page.versionText().contains(QLatin1String("tier: cold")));
}

void TestGuiColdBrowser::historySpansBothTiersAndAsOfMatchesTheStore()
{
    ColdBrowserPage page(nullptr);
    QSignalSpy shown(&page, &ColdBrowserPage::historyShown);
    const auto history = m_store->history(m_mixed);
    page.showHistory(m_mixed, history);
    QCOMPARE(shown.count(), 1);
    HistoryModel* model = page.historyModel();
    QCOMPARE(model->rowCount(), int(history.size()));
    int hot = 0, cold = 0;
    for (int row = 0; row < model->rowCount(); ++row) {
        QCOMPARE(model->versionAt(row)->version.versionId, history[size_t(row)].version.versionId);
        const QString tier = model->index(row, HistoryModel::TierColumn).data().toString();
        QCOMPARE(tier, tierName(history[size_t(row)].tier));
        (tier == QLatin1String("hot") ? hot : cold) += 1;
    }
    QVERIFY(hot > 0 && cold > 0);
    QVERIFY2(page.historyStatus().contains(QStringLiteral("%1 hot, %2 cold").arg(hot).arg(cold)),
             qPrintable(page.historyStatus()));

    // As-of at every version's own instants and just before them, against the store's answer.
    int matched = 0;
    for (const TieredVersion& t : history) {
        for (qint64 dt : {qint64(0), qint64(-1)}) {
            const qint64 tx = t.version.txFrom + dt;
            const qint64 valid = t.version.validFrom + dt;
            for (const auto& [txTime, validTime] :
                 {std::pair<std::optional<qint64>, std::optional<qint64>>{tx, valid},
                  {tx, std::nullopt},
                  {std::nullopt, valid}}) {
                const int row = page.findAsOf(txTime, validTime);
                const auto expected = m_store->asOf(m_mixed, txTime, validTime);
                QCOMPARE(model->highlightedRow(), row);
                if (!expected) {
                    QCOMPARE(row, -1);
                    QVERIFY(page.asOfText().startsWith(QLatin1String("No version")));
                    continue;
                }
                ++matched;
                QVERIFY(row >= 0);
                QCOMPARE(model->versionAt(row)->version.versionId, expected->version.versionId);
                QCOMPARE(model->versionAt(row)->tier, expected->tier);
                QVERIFY(model->index(row, 0).data(HistoryModel::HighlightRole).toBool());
                QVERIFY(page.asOfText().contains(QStringLiteral("version %1 (%2)")
                                                     .arg(expected->version.versionId)
                                                     .arg(tierName(expected->tier))));
            }
        }
    }
    QVERIFY(matched > int(history.size()));
}

void TestGuiColdBrowser::lookupAndHistoryThroughTheController()
{
    // The store the other cases read directly is closed and reopened by the controller.
    const QString path = m_store->path();
    const auto expectedHistory = m_store->history(m_mixed);
    quint64 coldId = 0, hotId = 0;
    for (const TieredVersion& t : expectedHistory)
        (t.tier == Tier::Cold ? coldId : hotId) = t.version.versionId;
    m_store->close();
    m_store.reset();

    StoreController controller;
    ColdBrowserPage page(&controller);
    QSignalSpy opened(&controller, &StoreController::storeOpened);
    QSignalSpy statistics(&page, &ColdBrowserPage::statisticsShown);
    controller.openStore(path);
    QVERIFY(opened.wait(120000));
    QVERIFY(statistics.count() > 0 || statistics.wait(60000)); // refreshed on open
    QVERIFY(!page.statisticText(QStringLiteral("Berkeley DB version")).isEmpty());
    QVERIFY(page.statisticText(QStringLiteral("page size")) != QStringLiteral("–"));

    QSignalSpy version(&page, &ColdBrowserPage::versionShown);
    page.lookupVersion(coldId);
    QVERIFY(version.wait(60000));
    QVERIFY(page.versionText().contains(QStringLiteral("version_id: %1\n").arg(coldId)));
    QVERIFY(page.versionText().contains(QLatin1String("tier: cold")));
    page.lookupVersion(hotId);
    QVERIFY(version.wait(60000));
    QVERIFY(page.versionText().contains(QLatin1String("tier: hot")));

    QSignalSpy history(&page, &ColdBrowserPage::historyShown);
    page.lookupHistory(m_mixed);
    QVERIFY(history.wait(60000));
    // The entity inputs name the entity shown, though it was asked for by code, not typed.
    QCOMPARE(page.findChild<QComboBox*>(QStringLiteral("kind"))->currentData().toInt(),
             int(m_mixed.kind));
    QCOMPARE(page.findChild<QLineEdit*>(QStringLiteral("entityInput"))->text(),
             QString::number(m_mixed.entityId));
    QCOMPARE(page.historyModel()->rowCount(), int(expectedHistory.size()));
    for (int row = 0; row < page.historyModel()->rowCount(); ++row) {
        QCOMPARE(page.historyModel()->versionAt(row)->version,
                 expectedHistory[size_t(row)].version);
        QCOMPARE(page.historyModel()->versionAt(row)->tier, expectedHistory[size_t(row)].tier);
    }
    const Version& last = expectedHistory.back().version;
    const int row = page.findAsOf(last.txFrom, last.validFrom);
    QVERIFY(row >= 0);
    controller.closeStore();
}

QTEST_MAIN(TestGuiColdBrowser)
#include "tst_gui_coldbrowser.moc"
