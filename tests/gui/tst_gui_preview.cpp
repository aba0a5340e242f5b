#include "candidatemodel.h"
#include "candidateselector.h"
#include "crashversions.h"
#include "displayformat.h"
#include "historymodel.h"
#include "hottier.h"
#include "migrationpolicybuilder.h"
#include "migrationrun.h"
#include "previewexplanation.h"
#include "previewpage.h"
#include "store.h"
#include "storecontroller.h"
#include "testsupport.h"
#include "workloadgenerator.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

using namespace frostline;

namespace {

constexpr qint64 kNow = 1'700'000'000'000'000; // a fixed instant keeps every age exact
constexpr qint64 kDay = 86400 * kMicrosPerSecond;

// The explanation of a version the preview holds (a marker text when it holds none).
QString explained(const Selection& selection, const MigrationPolicy& policy, quint64 versionId)
{
    return PreviewExplanation::explain(selection, policy, versionId)
        .value_or(QStringLiteral("<not in the preview>"));
}

Candidate candidate(quint64 id, EntityKind kind, quint64 entity, qint64 age, quint64 size,
                    CandidateReason reason)
{
    Candidate c;
    c.versionId = id;
    c.kind = kind;
    c.entityId = entity;
    c.ageMicros = age;
    c.estimatedSize = size;
    c.reason = reason;
    return c;
}

// Six candidates in migration order, with ties in age and entity to test tie-breaking.
std::shared_ptr<const Selection> smallSelection()
{
    auto s = std::make_shared<Selection>();
    s->candidates = {
        candidate(40, EntityKind::Node, 7, 9 * kDay, 300, CandidateReason::Age),
        candidate(12, EntityKind::Edge, 7, 9 * kDay, 100, CandidateReason::Age),
        candidate(33, EntityKind::Node, 2, 8 * kDay, 500, CandidateReason::Age),
        candidate(5, EntityKind::Edge, 3, 2 * kDay, 200, CandidateReason::Memory),
        candidate(71, EntityKind::Node, 2, 1 * kDay, 100, CandidateReason::Memory),
        candidate(18, EntityKind::Node, 9, 1 * kDay, 400, CandidateReason::Memory),
    };
    for (const Candidate& c : s->candidates)
        s->candidateBytes += c.estimatedSize;
    return s;
}

std::vector<quint64> shownIds(const CandidateModel& model)
{
    std::vector<quint64> ids;
    for (int row = 0; row < model.rowCount(); ++row)
        ids.push_back(model.candidateAt(row)->versionId);
    return ids;
}

// A real hot tier filled with a generated workload, and the real selector's verdict on it.
struct RealPreview
{
    std::unique_ptr<HotTier> hot = std::make_unique<HotTier>();
    std::vector<Version> versions;
    std::shared_ptr<const Selection> selection;
    MigrationPolicy policy;
};

RealPreview realPreview(const MigrationPolicy& policy, quint64 versions = 3000)
{
    RealPreview p;
    WorkloadGenerator::Options o;
    o.entities = 300;
    o.versions = versions;
    o.spanDays = 30;
    o.seed = 7;
    o.now = kNow;
    p.versions = WorkloadGenerator(o).generateAll();
    quint64 lsn = 0;
    for (const Version& v : p.versions)
        p.hot->insert(v, ++lsn);
    p.policy = policy;
    p.selection = std::make_shared<const Selection>(
        CandidateSelector::select(p.hot->snapshot(), policy, kNow));
    return p;
}

} // namespace

class TestGuiPreview : public QObject
{
    Q_OBJECT
private slots:
    void candidateModelPassesTheModelTester();
    void historyModelPassesTheModelTester();
    void sortingGivesTheRightRows();
    void filteringGivesTheRightRowsAndTotals();
    void aMillionRowsBuildSortAndFilter();
    void explanationTextForEachReason();
    void explanationsAgreeWithTheRealSelector();
    void asOfPicksGreatestTxFromThenVersionId();
    void humanReadableFigures();
    void pageShowsTotalsFiltersAndExplainsTheSelectedRow();
    void previewOfAGeneratedStoreThroughThePage();
    void aLookupThatFailsSaysWhy();
};

void TestGuiPreview::candidateModelPassesTheModelTester()
{
    CandidateModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    RealPreview p = realPreview(MigrationPolicyBuilder().ageThresholdSecs(7 * 86400).build());
    QVERIFY(p.selection->candidates.size() > 100);
    model.setSelection(p.selection);
    QCOMPARE(model.rowCount(), int(p.selection->candidates.size()));
    for (int column = 0; column < CandidateModel::ColumnCount; ++column) {
        model.sort(column, Qt::AscendingOrder);
        model.sort(column, Qt::DescendingOrder);
    }
    model.setFilter(EntityKind::Edge, std::nullopt);
    model.setFilter(std::nullopt, CandidateReason::Memory);
    model.setFilter(std::nullopt, std::nullopt);
    model.setSelection(nullptr);
    QCOMPARE(model.rowCount(), 0);
}

void TestGuiPreview::historyModelPassesTheModelTester()
{
    HistoryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    RealPreview p = realPreview(MigrationPolicy(), 500);
    const EntityKey entity = p.versions.front().entity();
    std::vector<TieredVersion> history;
    for (const Version& v : p.hot->chain(entity))
        history.push_back({v, Tier::Hot});
    QVERIFY(!history.empty());
    std::reverse(history.begin(), history.end()); // the model orders rows itself
    model.setHistory(entity, history);
    QCOMPARE(model.rowCount(), int(history.size()));
    for (int row = 1; row < model.rowCount(); ++row)
        QVERIFY(!headOrderLess(
            model.versionAt(row)->version.txFrom, model.versionAt(row)->version.versionId,
            model.versionAt(row - 1)->version.txFrom, model.versionAt(row - 1)->version.versionId));
    model.setHighlightedRow(0);
    QVERIFY(model.index(0, 0).data(HistoryModel::HighlightRole).toBool());
    QCOMPARE(model.index(0, HistoryModel::TierColumn).data().toString(), QStringLiteral("hot"));
    model.setHighlightedRow(-1);
    QVERIFY(!model.index(0, 0).data(HistoryModel::HighlightRole).toBool());
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestGuiPreview::sortingGivesTheRightRows()
{
    CandidateModel model;
    model.setSelection(smallSelection());
    using V = std::vector<quint64>;
    QCOMPARE(shownIds(model), (V{40, 12, 33, 5, 71, 18})); // migration order
    QCOMPARE(model.index(0, CandidateModel::OrderColumn).data().toString(), QStringLiteral("1"));

    model.sort(CandidateModel::VersionColumn, Qt::AscendingOrder);
    QCOMPARE(shownIds(model), (V{5, 12, 18, 33, 40, 71}));
    model.sort(CandidateModel::VersionColumn, Qt::DescendingOrder);
    QCOMPARE(shownIds(model), (V{71, 40, 33, 18, 12, 5}));
    // Equal ages keep migration order in both directions.
    model.sort(CandidateModel::AgeColumn, Qt::AscendingOrder);
    QCOMPARE(shownIds(model), (V{71, 18, 5, 33, 40, 12}));
    model.sort(CandidateModel::AgeColumn, Qt::DescendingOrder);
    QCOMPARE(shownIds(model), (V{40, 12, 33, 5, 71, 18}));
    // Entity: by id, node before edge for the same id.
    model.sort(CandidateModel::EntityColumn, Qt::AscendingOrder);
    QCOMPARE(shownIds(model), (V{33, 71, 5, 40, 12, 18}));
    model.sort(CandidateModel::SizeColumn, Qt::DescendingOrder);
    QCOMPARE(shownIds(model), (V{33, 18, 40, 5, 12, 71}));
    model.sort(CandidateModel::ReasonColumn, Qt::DescendingOrder);
    QCOMPARE(shownIds(model), (V{5, 71, 18, 40, 12, 33}));
    model.sort(CandidateModel::KindColumn, Qt::AscendingOrder);
    QCOMPARE(shownIds(model), (V{40, 33, 71, 18, 12, 5}));
    model.sort(CandidateModel::OrderColumn, Qt::DescendingOrder);
    QCOMPARE(shownIds(model), (V{18, 71, 5, 33, 12, 40}));

    // The sort key role carries raw values, the display role human-readable ones.
    model.sort(CandidateModel::OrderColumn, Qt::AscendingOrder);
    QCOMPARE(
        model.index(0, CandidateModel::AgeColumn).data(CandidateModel::SortKeyRole).toLongLong(),
        9 * kDay);
    QCOMPARE(model.index(0, CandidateModel::AgeColumn).data().toString(), QStringLiteral("9 d"));
    QCOMPARE(model.index(2, CandidateModel::SizeColumn).data().toString(), QStringLiteral("500 B"));
    QCOMPARE(model.index(3, CandidateModel::ReasonColumn).data().toString(),
             QStringLiteral("memory"));
    QCOMPARE(model.index(1, CandidateModel::KindColumn).data().toString(), QStringLiteral("edge"));
    QCOMPARE(model.rowOfVersion(33), 2);
    QCOMPARE(model.rowOfVersion(999), -1);
}

void TestGuiPreview::filteringGivesTheRightRowsAndTotals()
{
    CandidateModel model;
    model.setSelection(smallSelection());
    using V = std::vector<quint64>;
    const CandidateModel::Totals& t = model.totals();
    QCOMPARE(t.versions, quint64(6));
    QCOMPARE(t.bytes, quint64(1600));
    QCOMPARE(t.nodeVersions, quint64(4));
    QCOMPARE(t.nodeBytes, quint64(1300));
    QCOMPARE(t.edgeVersions, quint64(2));
    QCOMPARE(t.edgeBytes, quint64(300));
    QCOMPARE(t.ageVersions, quint64(3));
    QCOMPARE(t.ageBytes, quint64(900));
    QCOMPARE(t.memoryVersions, quint64(3));
    QCOMPARE(t.memoryBytes, quint64(700));

    model.setFilter(EntityKind::Edge, std::nullopt);
    QCOMPARE(shownIds(model), (V{12, 5}));
    model.setFilter(std::nullopt, CandidateReason::Memory);
    QCOMPARE(shownIds(model), (V{5, 71, 18}));
    model.setFilter(EntityKind::Node, CandidateReason::Memory);
    QCOMPARE(shownIds(model), (V{71, 18}));
    QCOMPARE(model.shownTotals().versions, quint64(2));
    QCOMPARE(model.shownTotals().bytes, quint64(500));
    QCOMPARE(model.totals().versions, quint64(6)); // whole-preview totals stay
    // Sorting keeps the filter, and the filter keeps the sort.
    model.sort(CandidateModel::SizeColumn, Qt::DescendingOrder);
    QCOMPARE(shownIds(model), (V{18, 71}));
    model.setFilter(EntityKind::Node, std::nullopt);
    QCOMPARE(shownIds(model), (V{33, 18, 40, 71}));
    model.setFilter(EntityKind::Edge, CandidateReason::Age);
    QCOMPARE(shownIds(model), (V{12}));
    QVERIFY(model.candidateAt(1) == nullptr);
}

void TestGuiPreview::aMillionRowsBuildSortAndFilter()
{
    constexpr quint32 n = 1'000'000;
    auto s = std::make_shared<Selection>();
    s->candidates.reserve(n);
    quint64 edges = 0;
    for (quint32 i = 0; i < n; ++i) {
        // Scrambled but deterministic fields, so every sort really reorders.
        const quint64 mix = (quint64(i) * 2654435761ULL) % 1000003ULL;
        const EntityKind kind = mix % 3 == 0 ? EntityKind::Edge : EntityKind::Node;
        edges += kind == EntityKind::Edge ? 1 : 0;
        s->candidates.push_back(
            candidate(mix * 7 + 1, kind, mix % 50000, qint64(mix % 86400) * 1000, 100 + mix % 4000,
                      i < n / 2 ? CandidateReason::Age : CandidateReason::Memory));
    }
    CandidateModel model;
    model.setSelection(s);
    QCOMPARE(model.rowCount(), int(n));
    QCOMPARE(model.totals().edgeVersions, edges);

    model.sort(CandidateModel::AgeColumn, Qt::AscendingOrder);
    QCOMPARE(model.rowCount(), int(n));
    for (int row = 1; row < int(n); ++row) {
        const Candidate* a = model.candidateAt(row - 1);
        const Candidate* b = model.candidateAt(row);
        QVERIFY(a->ageMicros < b->ageMicros ||
                (a->ageMicros == b->ageMicros && a < b)); // ties in migration order
    }
    model.sort(CandidateModel::VersionColumn, Qt::DescendingOrder);
    for (int row = 1; row < int(n); row += 997)
        QVERIFY(model.candidateAt(row - 1)->versionId >= model.candidateAt(row)->versionId);

    model.setFilter(EntityKind::Edge, CandidateReason::Memory);
    quint64 expected = 0;
    for (quint32 i = n / 2; i < n; ++i)
        expected += s->candidates[i].kind == EntityKind::Edge ? 1 : 0;
    QCOMPARE(quint64(model.rowCount()), expected);
    for (int row = 0; row < model.rowCount(); row += 101) {
        QCOMPARE(model.candidateAt(row)->kind, EntityKind::Edge);
        QCOMPARE(model.candidateAt(row)->reason, CandidateReason::Memory);
    }
    QVERIFY(
        !model.index(model.rowCount() - 1, CandidateModel::AgeColumn).data().toString().isEmpty());
}

void TestGuiPreview::explanationTextForEachReason()
{
    Selection s;
    s.hotBytes = 2048;
    s.candidates = {candidate(900, EntityKind::Edge, 4, 10 * kDay, 64, CandidateReason::Age),
                    candidate(901, EntityKind::Node, 4, 3 * kDay, 64, CandidateReason::Memory)};
    auto stay = [](quint64 id, quint64 entity, qint64 age, StayReason reason) {
        StayExplanation e;
        e.versionId = id;
        e.kind = EntityKind::Node;
        e.entityId = entity;
        e.ageMicros = age;
        e.reason = reason;
        return e;
    };
    s.staying = {stay(812, 17, 40 * kDay, StayReason::Head),
                 stay(813, 17, 20 * kDay, StayReason::MinHotVersions),
                 stay(814, 18, 2 * kDay + 3 * 3600 * kMicrosPerSecond, StayReason::TooYoung),
                 stay(815, 19, 50 * kDay, StayReason::Disabled),
                 stay(816, 20, 0, StayReason::TooYoung)}; // recorded after the instant asked
    MigrationPolicy policy;
    policy.minHotVersions = 3;
    policy.memoryThresholdBytes = 1024;

    QCOMPARE(explained(s, policy, 812),
             QStringLiteral("version 812 stays hot: it is the head of node 17"));
    QCOMPARE(explained(s, policy, 813),
             QStringLiteral("version 813 stays hot: node 17 must keep at least 3 versions hot "
                            "(min_hot_versions = 3)"));
    QCOMPARE(explained(s, policy, 814),
             QStringLiteral("version 814 stays hot: it is 2 d 3 h old, younger than the age "
                            "threshold of 7 d, and the hot tier (2.0 KiB) is within the memory "
                            "threshold of 1.0 KiB"));
    // A clock moved before the version was recorded: not "0 s old" as if it were there.
    QVERIFY2(explained(s, policy, 816)
                 .startsWith(QLatin1String("version 816 stays hot: it is 0 s old (recorded at or "
                                           "after the instant asked about), younger than the age "
                                           "threshold of 7 d")),
             qPrintable(explained(s, policy, 816)));
    QCOMPARE(explained(s, policy, 815),
             QStringLiteral("version 815 stays hot: the policy is disabled, so nothing moves"));
    QCOMPARE(explained(s, policy, 900),
             QStringLiteral("version 900 of edge 4 would move (number 1 in migration order): it "
                            "is 10 d old, at or past the age threshold of 7 d"));
    QVERIFY(explained(s, policy, 901)
                .startsWith(QLatin1String("version 901 of node 4 would move (number 2")));
    QVERIFY(
        explained(s, policy, 901).contains(QLatin1String("above the memory threshold of 1.0 KiB")));
    QVERIFY(!PreviewExplanation::explain(s, policy, 5)); // not in this preview's hot tier
}

void TestGuiPreview::explanationsAgreeWithTheRealSelector()
{
    const MigrationPolicy policy =
        MigrationPolicyBuilder().ageThresholdSecs(7 * 86400).minHotVersions(3).build();
    RealPreview p = realPreview(policy);
    const Selection& s = *p.selection;
    QVERIFY(!s.candidates.empty());
    int seen[4] = {0, 0, 0, 0};
    for (const StayExplanation& e : s.staying) {
        const QString text = explained(s, policy, e.versionId);
        QVERIFY(text.startsWith(QStringLiteral("version %1 stays hot: ").arg(e.versionId)));
        ++seen[int(e.reason)];
        switch (e.reason) {
        case StayReason::Head: {
            QCOMPARE(text, QStringLiteral("version %1 stays hot: it is the head of %2 %3")
                               .arg(e.versionId)
                               .arg(kindName(e.kind))
                               .arg(e.entityId));
            const auto head = p.hot->head({e.kind, e.entityId});
            QVERIFY(head && head->versionId == e.versionId);
            break;
        }
        case StayReason::MinHotVersions:
            QVERIFY(text.contains(QLatin1String("min_hot_versions = 3")));
            break;
        case StayReason::TooYoung:
            QVERIFY(text.contains(QLatin1String("younger than the age threshold of 7 d")));
            QVERIFY(e.ageMicros < policy.ageThresholdMicros);
            break;
        case StayReason::Disabled:
            QFAIL("an enabled policy gave a 'disabled' reason");
        }
    }
    QVERIFY(seen[int(StayReason::Head)] > 0);
    QVERIFY(seen[int(StayReason::MinHotVersions)] > 0);
    QVERIFY(seen[int(StayReason::TooYoung)] > 0);
    for (size_t i = 0; i < s.candidates.size(); i += 17)
        QVERIFY(
            explained(s, policy, s.candidates[i].versionId).contains(QLatin1String("would move")));

    RealPreview off = realPreview(MigrationPolicy::preset(QStringLiteral("disabled")), 300);
    QVERIFY(off.selection->candidates.empty());
    QVERIFY(!off.selection->staying.empty());
    QCOMPARE(explained(*off.selection, off.policy, off.selection->staying.front().versionId),
             QStringLiteral("version %1 stays hot: the policy is disabled, so nothing moves")
                 .arg(off.selection->staying.front().versionId));
}

void TestGuiPreview::asOfPicksGreatestTxFromThenVersionId()
{
    auto version = [](quint64 id, qint64 txFrom, qint64 txTo, qint64 validFrom, qint64 validTo,
                      Tier tier) {
        TieredVersion t;
        t.version.versionId = id;
        t.version.entityId = 1;
        t.version.txFrom = txFrom;
        t.version.txTo = txTo;
        t.version.validFrom = validFrom;
        t.version.validTo = validTo;
        t.tier = tier;
        return t;
    };
    std::vector<TieredVersion> h = {
        version(10, 100, 200, 0, kOpenEnd, Tier::Cold),
        version(11, 200, kOpenEnd, 0, 500, Tier::Cold),
        version(13, 200, kOpenEnd, 500, kOpenEnd, Tier::Hot), // same tx_from as 11
        version(12, 200, kOpenEnd, 500, kOpenEnd, Tier::Hot), // same tx_from, smaller id than 13
        version(20, 300, kOpenEnd, 0, kOpenEnd, Tier::Hot),
    };
    HistoryModel model;
    model.setHistory({EntityKind::Node, 1}, h);
    const auto& rows = model.versions();
    auto idAt = [&](int row) { return row < 0 ? quint64(0) : rows[size_t(row)].version.versionId; };
    // Row order is (tx_from, version_id).
    QCOMPARE(idAt(2), quint64(12));
    QCOMPARE(idAt(3), quint64(13));

    QCOMPARE(idAt(HistoryModel::asOfRow(rows, 150, 50)), quint64(10));
    QCOMPARE(idAt(HistoryModel::asOfRow(rows, 200, 50)), quint64(11));
    QCOMPARE(idAt(HistoryModel::asOfRow(rows, 250, 600)), quint64(13)); // 12 and 13 tie on tx
    QCOMPARE(idAt(HistoryModel::asOfRow(rows, 300, 600)), quint64(20));
    QCOMPARE(idAt(HistoryModel::asOfRow(rows, std::nullopt, 600)), quint64(20));
    QCOMPARE(idAt(HistoryModel::asOfRow(rows, 250, std::nullopt)), quint64(13));
    QCOMPARE(idAt(HistoryModel::asOfRow(rows, std::nullopt, std::nullopt)), quint64(20));
    QCOMPARE(HistoryModel::asOfRow(rows, 99, std::nullopt), -1); // before anything was known
    QCOMPARE(HistoryModel::asOfRow(rows, 200, -5), -1);          // valid before every version
    QCOMPARE(HistoryModel::asOfRow(rows, 199, 600), 0);          // tx_to is exclusive: 200 ends 10
    QCOMPARE(HistoryModel::asOfRow(rows, 200, 500), 3);          // valid_to 500 excludes 11
}

void TestGuiPreview::humanReadableFigures()
{
    QCOMPARE(DisplayFormat::count(12408), QStringLiteral("12,408"));
    QCOMPARE(DisplayFormat::count(1000000), QStringLiteral("1,000,000"));
    QCOMPARE(DisplayFormat::signedCount(-3), QStringLiteral("-3"));
    QCOMPARE(DisplayFormat::bytes(512), QStringLiteral("512 B"));
    QCOMPARE(DisplayFormat::bytes(1ULL << 30), QStringLiteral("1.0 GiB"));
    QCOMPARE(DisplayFormat::bytes(3250585), QStringLiteral("3.1 MiB"));
    QCOMPARE(DisplayFormat::bytes(1048575), QStringLiteral("1.0 MiB"));
    QCOMPARE(DisplayFormat::duration(7 * kDay), QStringLiteral("7 d"));
    QCOMPARE(DisplayFormat::duration(kDay + 12 * 3600 * kMicrosPerSecond),
             QStringLiteral("1 d 12 h"));
    QCOMPARE(DisplayFormat::duration(90 * kMicrosPerSecond), QStringLiteral("1 min 30 s"));
    QCOMPARE(DisplayFormat::duration(1'500'000), QStringLiteral("1.5 s"));
    QCOMPARE(DisplayFormat::duration(0), QStringLiteral("0 s"));
    QCOMPARE(DisplayFormat::timestamp(kOpenEnd), QStringLiteral("open"));
    QCOMPARE(DisplayFormat::timestamp(1'700'000'000'123'456),
             QStringLiteral("2023-11-14 22:13:20.123456 UTC"));
    QCOMPARE(DisplayFormat::timestamp(-1), QStringLiteral("1969-12-31 23:59:59.999999 UTC"));
    QCOMPARE(DisplayFormat::elapsed(850), QStringLiteral("850 ms"));
    QCOMPARE(DisplayFormat::elapsed(12'400), QStringLiteral("12.4 s"));
    QCOMPARE(DisplayFormat::elapsed(185'000), QStringLiteral("3 min 05 s"));
    QCOMPARE(DisplayFormat::elapsed(3'720'000), QStringLiteral("1 h 02 min"));
    QCOMPARE(DisplayFormat::elapsed(-1), QStringLiteral("–"));
}

void TestGuiPreview::pageShowsTotalsFiltersAndExplainsTheSelectedRow()
{
    PreviewPage page(nullptr);
    QSignalSpy shown(&page, &PreviewPage::previewShown);
    page.showSelection(MigrationPolicy(), kNow, smallSelection());
    QCOMPARE(shown.count(), 1);
    QCOMPARE(page.model()->rowCount(), 6);
    QVERIFY2(page.totalsText().contains(QLatin1String("6 versions, 1.6 KiB")),
             qPrintable(page.totalsText()));
    QVERIFY(page.totalsText().contains(QLatin1String("nodes 4")));
    QVERIFY(page.totalsText().contains(QLatin1String("by memory pressure 3")));

    auto* kind = page.findChild<QComboBox*>(QStringLiteral("kindFilter"));
    kind->setCurrentIndex(kind->findData(int(EntityKind::Edge)));
    QCOMPARE(page.model()->rowCount(), 2);
    QVERIFY(page.totalsText().contains(QLatin1String("Shown: 2 versions")));
    kind->setCurrentIndex(0);
    QCOMPARE(page.model()->rowCount(), 6);

    page.view()->setCurrentIndex(page.model()->index(2, 0));
    QVERIFY2(page.explanationText().startsWith(QLatin1String("version 33 of node 2 would move")),
             qPrintable(page.explanationText()));
    QVERIFY(page.explainVersion(4242).startsWith(QLatin1String("version 4242 is not in")));
}

void TestGuiPreview::previewOfAGeneratedStoreThroughThePage()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("store"));
    const qint64 now = currentMicros();
    {
        Store::create(path);
        Store store(path);
        store.open();
        WorkloadGenerator::Options o;
        o.entities = 300;
        o.versions = 5000;
        o.spanDays = 30;
        o.seed = 3;
        o.now = now;
        store.append(WorkloadGenerator(o).generateAll());
        store.close();
    }
    StoreController controller;
    PreviewPage page(&controller);
    QSignalSpy opened(&controller, &StoreController::storeOpened);
    QSignalSpy shown(&page, &PreviewPage::previewShown);
    page.setInstant(kNow); // an instant long past: the open moves it to the present
    const qint64 openedAfter = currentMicros() / 1000 * 1000;
    controller.openStore(path);
    QVERIFY(opened.wait(120000));
    // Opening runs the active policy's preview, at the present.
    QVERIFY(shown.count() > 0 || shown.wait(120000));
    QVERIFY(page.instant() >= openedAfter);
    QCOMPARE(page.shownInstant(), page.instant());
    QCOMPARE(page.shownPolicy(), controller.activePolicy());
    QVERIFY(!page.isComputing());
    QVERIFY2(page.statusText().endsWith(QStringLiteral(" — by the store's active policy")),
             qPrintable(page.statusText()));

    // An edited policy at a chosen instant: the page shows exactly what the engine selects.
    const MigrationPolicy policy = MigrationPolicyBuilder().ageThresholdSecs(86400).build();
    page.setPolicy(policy);
    const qint64 tuesday = now + 3 * kDay;
    page.setInstant(tuesday);
    QVERIFY(page.isComputing());
    QCOMPARE(page.statusText(), QStringLiteral("computing…"));
    QVERIFY(test::waitUntil([&] { return !page.isComputing(); }, std::chrono::seconds(120)));
    QCOMPARE(page.shownPolicy(), policy);
    QCOMPARE(page.shownInstant(), tuesday);
    const Selection expected = MigrationRun(*controller.store(), policy, tuesday).select();
    QVERIFY(!expected.candidates.empty());
    QCOMPARE(page.model()->rowCount(), int(expected.candidates.size()));
    QCOMPARE(page.model()->totals().bytes, expected.candidateBytes);
    for (int row = 0; row < page.model()->rowCount(); row += 37)
        QCOMPARE(page.model()->candidateAt(row)->versionId,
                 expected.candidates[size_t(row)].versionId);
    QVERIFY(page.statusText().startsWith(DisplayFormat::count(expected.candidates.size()) +
                                         QStringLiteral(" of ")));
    // Which policy the figures are of: Run once would migrate by the active one, not this.
    QVERIFY2(page.statusText().endsWith(QStringLiteral(" — by the edited policy, not applied yet "
                                                       "(Run once and the service migrate by the "
                                                       "active one)")),
             qPrintable(page.statusText()));
    // Applied, it is the active one, and the note follows without a new preview.
    QSignalSpy applied(&controller, &StoreController::policyApplied);
    controller.applyPolicy(policy);
    QVERIFY(applied.count() > 0 || applied.wait(60000));
    QVERIFY2(page.statusText().endsWith(QStringLiteral(" — by the store's active policy")),
             qPrintable(page.statusText()));

    // A burst of requests: only the newest is ever shown.
    QList<qint64> shownInstants;
    connect(&page, &PreviewPage::previewShown, this,
            [&] { shownInstants.append(page.shownInstant()); });
    page.setInstant(now + 1 * kDay);
    page.setInstant(now + 2 * kDay);
    page.setInstant(now + 5 * kDay);
    QVERIFY(test::waitUntil([&] { return !page.isComputing(); }, std::chrono::seconds(120)));
    QCOMPARE(shownInstants, QList<qint64>{now + 5 * kDay});

    // A stale result (an older generation, another policy) arriving late changes nothing.
    const quint64 generationShown = [&] {
        quint64 g = 0;
        const auto c = connect(&controller, &StoreController::previewReady, this,
                               [&](quint64 generation) { g = generation; });
        page.rerun();
        test::waitUntil([&] { return !page.isComputing(); }, std::chrono::seconds(120));
        disconnect(c);
        return g;
    }();
    QVERIFY(generationShown > 0);
    const int rows = page.model()->rowCount();
    auto stale = std::make_shared<Selection>();
    stale->candidates = {candidate(1, EntityKind::Node, 1, kDay, 10, CandidateReason::Age)};
    emit controller.previewReady(generationShown - 1, MigrationPolicy(), now, stale);
    QCOMPARE(page.model()->rowCount(), rows);
    QCOMPARE(page.shownPolicy(), policy);
    // Nor does a newer result for a question the page did not ask.
    emit controller.previewReady(generationShown + 1000, MigrationPolicy(), now, stale);
    QCOMPARE(page.model()->rowCount(), rows);
    QCOMPARE(page.shownInstant(), now + 5 * kDay);

    // A migration run moves versions: the shown preview says it is out of date once batches
    // commit, and is computed again (same policy, same instant) when the run ends. Before, it
    // went on listing versions that were cold already.
    const int before = page.model()->rowCount();
    QSignalSpy batch(&controller, &StoreController::migrationBatchCommitted);
    QSignalSpy finished(&controller, &StoreController::migrationFinished);
    QSignalSpy recomputed(&page, &PreviewPage::previewShown);
    MigrationPolicy smallBatches = policy;
    smallBatches.batchSize = 100;
    controller.runMigrationOnce(smallBatches);
    QVERIFY(batch.wait(120000));
    // The page heard of the batch before this spy did (it connected first).
    QVERIFY2(page.statusText().contains(QStringLiteral("out of date")),
             qPrintable(page.statusText()));
    QVERIFY(finished.count() > 0 || finished.wait(120000));
    const quint64 migrated = finished.first().at(0).value<MigrationRunResult>().migrated;
    QVERIFY(migrated > 0);
    QVERIFY(test::waitUntil([&] { return !recomputed.isEmpty() && !page.isComputing(); },
                            std::chrono::seconds(120)));
    QCOMPARE(page.shownPolicy(), policy);
    QCOMPARE(page.shownInstant(), now + 5 * kDay); // the same instant, to the microsecond
    const Selection after = MigrationRun(*controller.store(), policy, page.shownInstant()).select();
    QCOMPARE(page.model()->rowCount(), int(after.candidates.size()));
    QCOMPARE(quint64(page.model()->rowCount()), quint64(before) - migrated);
    QVERIFY(!page.statusText().contains(QStringLiteral("out of date")));

    // "Why?" for a version this preview does not hold says where it is: the first version the
    // run moved is cold; an id no version has is nowhere. It used to say "cold or does not exist".
    const Candidate& moved = expected.candidates.front();
    QCOMPARE(controller.store()->locate(moved.versionId)->tier, Tier::Cold);
    QVERIFY(page.explainVersion(moved.versionId).endsWith(QStringLiteral("looking it up…")));
    QVERIFY2(test::waitUntil([&] {
                 return page.explanationText() ==
                        QStringLiteral("version %1 of %2 %3 is in the cold tier already: no "
                                       "policy moves it again")
                            .arg(moved.versionId)
                            .arg(kindName(moved.kind))
                            .arg(moved.entityId);
             }),
             qPrintable(page.explanationText()));
    page.explainVersion(987654321);
    QVERIFY2(test::waitUntil([&] {
                 return page.explanationText() ==
                        QStringLiteral("There is no version 987654321 in this store.");
             }),
             qPrintable(page.explanationText()));

    // Closing the store clears the preview.
    QSignalSpy closed(&controller, &StoreController::storeClosed);
    controller.closeStore();
    QVERIFY(closed.count() > 0 || closed.wait(60000));
    QCOMPARE(page.model()->rowCount(), 0);
}

// "Why?" for a cold version whose record no longer decodes: the lookup fails on the worker, and
// the page says which version could not be looked up and why, instead of "looking it up…" for
// ever. The record is damaged on disk, as a bad sector would, and read by the real engine.
void TestGuiPreview::aLookupThatFailsSaysWhy()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("store"));
    test::makeCrashStore(path, 40, 20);
    QVERIFY(test::damageColdRecord(path, 7)); // a node: in nodes.db

    StoreController controller;
    PreviewPage page(&controller);
    QSignalSpy shown(&page, &PreviewPage::previewShown);
    controller.openStore(path);
    QVERIFY(test::waitUntil([&] { return !shown.isEmpty() && !page.isComputing(); },
                            std::chrono::seconds(60)));
    QVERIFY(page.explainVersion(7).endsWith(QStringLiteral("looking it up…")));
    QVERIFY2(test::waitUntil([&] {
                 return page.explanationText().startsWith(
                     QStringLiteral("version 7 could not be looked up: "));
             }),
             qPrintable(page.explanationText()));
    QVERIFY2(page.explanationText().contains(QStringLiteral("corrupt record of version 7 in "
                                                            "nodes.db")),
             qPrintable(page.explanationText()));
    // Its intact neighbour is still found, and said to be cold.
    page.explainVersion(8);
    QVERIFY2(test::waitUntil([&] {
                 return page.explanationText().contains(QStringLiteral("is in the cold tier "
                                                                       "already"));
             }),
             qPrintable(page.explanationText()));
    controller.closeStore();
    controller.waitForWorkers();
}

QTEST_MAIN(TestGuiPreview)
#include "tst_gui_preview.moc"
