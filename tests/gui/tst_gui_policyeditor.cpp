#include "activitypage.h"
#include "candidateselector.h"
#include "displayformat.h"
#include "guitestsupport.h"
#include "migrationpolicy.h"
#include "policyeditorpage.h"
#include "store.h"
#include "storecontroller.h"
#include "testsupport.h"
#include "workloadgenerator.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QLabel>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTimer>
#include <QUndoStack>
#include <QtTest>

using namespace frostline;

namespace {

QDoubleSpinBox* spin(PolicyEditorPage& page, const char* key)
{
    auto* box = page.findChild<QDoubleSpinBox*>(QLatin1String(key));
    if (!box)
        qFatal("no spin box %s", key);
    return box;
}

QTimer* debounce(PolicyEditorPage& page)
{
    auto* timer = page.findChild<QTimer*>(QStringLiteral("debounce"));
    if (!timer)
        qFatal("no debounce timer");
    return timer;
}

// Waits until the debounce interval has run out, so "nothing was emitted" is a settled fact.
bool debounceSettled(PolicyEditorPage& page)
{
    return test::waitUntil([&] { return !debounce(page)->isActive(); }, std::chrono::seconds(10));
}

void selectPreset(PolicyEditorPage& page, const QString& name)
{
    auto* combo = page.findChild<QComboBox*>(QStringLiteral("preset"));
    QVERIFY(combo);
    const int index = combo->findData(name);
    QVERIFY(index > 0);
    combo->setCurrentIndex(index);
    emit combo->activated(index); // what a user's pick emits
}

} // namespace

class TestGuiPolicyEditor : public QObject
{
    Q_OBJECT
private slots:
    void startsFromDefaultsWithHints();
    void editingAFieldEmitsDebounced();
    void invalidValueShowsMessageAndDoesNotEmit();
    void undoRestoresAndRedoReapplies();
    void typingIntoOneFieldIsOneUndoStep();
    void keyboardShortcutsUndoAndRedo();
    void presetSwitchIsOneUndoableStep();
    void jsonAndTomlRoundTripThroughThePage();
    void loadErrorsAreShownInlineAndChangeNothing();
    void saveRefusesAnInvalidPolicy();
    void diffMarksChangedFields();
    void durationFieldsShowOnlyTheDecimalsTheyNeed();
    void impactTextCountsVersionsBytesAndEntities();
    void impactFromTwoPreviewsAndApplyThroughTheController();
    void aPolicyThatFailsToSaveIsNotUsed();
    void theEditorFollowsTheStoreItIsAbout();
};

void TestGuiPolicyEditor::startsFromDefaultsWithHints()
{
    PolicyEditorPage page(nullptr);
    QCOMPARE(page.policy(), MigrationPolicy());
    QCOMPARE(spin(page, "age_threshold_secs")->value(), 604800.0);
    QCOMPARE(spin(page, "memory_threshold_bytes")->value(), double(1ULL << 30));
    auto* ageHint = page.findChild<QLabel*>(QStringLiteral("age_threshold_secs_hint"));
    auto* memHint = page.findChild<QLabel*>(QStringLiteral("memory_threshold_bytes_hint"));
    QVERIFY(ageHint && memHint);
    QCOMPARE(ageHint->text(), QStringLiteral("= 7 d"));
    QCOMPARE(memHint->text(), QStringLiteral("= 1.0 GiB"));
    auto* combo = page.findChild<QComboBox*>(QStringLiteral("preset"));
    QCOMPARE(combo->currentData().toString(), QStringLiteral("default"));
    for (int f = 0; f < PolicyEditorPage::FieldCount; ++f)
        QVERIFY(page.fieldMessage(PolicyEditorPage::Field(f)).isEmpty());
}

void TestGuiPolicyEditor::editingAFieldEmitsDebounced()
{
    PolicyEditorPage page(nullptr);
    QSignalSpy spy(&page, &PolicyEditorPage::policyEdited);
    spin(page, "batch_size")->setValue(250);
    spin(page, "age_threshold_secs")->setValue(90);
    QCOMPARE(page.policy().batchSize, quint64(250));
    QCOMPARE(page.policy().ageThresholdMicros, 90 * kMicrosPerSecond);
    // The two edits arrive as one debounced emission of the whole policy.
    QVERIFY(spy.wait(5000));
    QVERIFY(debounceSettled(page));
    QCOMPARE(spy.count(), 1);
    const auto emitted = spy.at(0).at(0).value<MigrationPolicy>();
    QCOMPARE(emitted.batchSize, quint64(250));
    QCOMPARE(emitted.ageThresholdMicros, 90 * kMicrosPerSecond);
    auto* hint = page.findChild<QLabel*>(QStringLiteral("age_threshold_secs_hint"));
    QCOMPARE(hint->text(), QStringLiteral("= 1 min 30 s"));

    page.findChild<QCheckBox*>(QStringLiteral("enable_lru"))->setChecked(true);
    QVERIFY(spy.wait(5000));
    QCOMPARE(spy.count(), 2);
    QVERIFY(spy.at(1).at(0).value<MigrationPolicy>().enableLru);
}

void TestGuiPolicyEditor::invalidValueShowsMessageAndDoesNotEmit()
{
    PolicyEditorPage page(nullptr);
    page.show();
    QSignalSpy spy(&page, &PolicyEditorPage::policyEdited);
    spin(page, "batch_size")->setValue(0);
    const QString message = page.fieldMessage(PolicyEditorPage::BatchSize);
    QVERIFY2(message.contains(QLatin1String("\"batch_size\"")), qPrintable(message));
    QVERIFY2(message.contains(QLatin1String(">= 1")), qPrintable(message));
    // Only that field carries the message.
    QVERIFY(page.fieldMessage(PolicyEditorPage::AgeThreshold).isEmpty());
    QVERIFY(page.fieldMessage(PolicyEditorPage::RunInterval).isEmpty());
    QVERIFY(debounceSettled(page));
    QCOMPARE(spy.count(), 0);
    // A value beyond the field's exact range (2^53) is kept, and the hint says what it is.
    {
        PolicyEditorPage wide(nullptr);
        MigrationPolicy big;
        big.memoryThresholdBytes = quint64(1) << 60;
        wide.setPolicy(big);
        QCOMPARE(wide.policy().memoryThresholdBytes, quint64(1) << 60);
        QVERIFY2(wide.fieldHint(PolicyEditorPage::MemoryThreshold)
                     .contains(QStringLiteral("the policy holds 1,152,921,504,606,846,976")),
                 qPrintable(wide.fieldHint(PolicyEditorPage::MemoryThreshold)));
        QVERIFY(wide.fieldHint(PolicyEditorPage::BatchSize).startsWith(QLatin1String("version")));
    }
    // The impact line does not speak for a policy that cannot be used (it said "nothing changes"
    // beside a table showing batch_size 1,000 -> 0).
    QVERIFY2(page.impactText().contains(QLatin1String("Fix the fields marked in red")),
             qPrintable(page.impactText()));

    spin(page, "run_interval_secs")->setValue(0);
    QVERIFY(page.fieldMessage(PolicyEditorPage::RunInterval)
                .contains(QLatin1String("\"run_interval_secs\"")));
    spin(page, "memory_threshold_bytes")->setValue(0);
    QVERIFY(page.fieldMessage(PolicyEditorPage::MemoryThreshold)
                .contains(QLatin1String("\"memory_threshold_bytes\"")));
    QVERIFY(debounceSettled(page));
    QCOMPARE(spy.count(), 0);

    // Fixing every field clears the messages and emits the valid policy, once.
    spin(page, "batch_size")->setValue(7);
    spin(page, "run_interval_secs")->setValue(5);
    spin(page, "memory_threshold_bytes")->setValue(4096);
    QVERIFY(page.fieldMessage(PolicyEditorPage::BatchSize).isEmpty());
    QVERIFY(page.fieldMessage(PolicyEditorPage::RunInterval).isEmpty());
    QVERIFY(page.fieldMessage(PolicyEditorPage::MemoryThreshold).isEmpty());
    QVERIFY(spy.wait(5000));
    QCOMPARE(spy.count(), 1);
    const auto emitted = spy.at(0).at(0).value<MigrationPolicy>();
    QCOMPARE(emitted.batchSize, quint64(7));
    QCOMPARE(emitted.memoryThresholdBytes, quint64(4096));
    QVERIFY(emitted.validate().isEmpty());
}

void TestGuiPolicyEditor::undoRestoresAndRedoReapplies()
{
    PolicyEditorPage page(nullptr);
    QDoubleSpinBox* age = spin(page, "age_threshold_secs");
    QDoubleSpinBox* batch = spin(page, "batch_size");
    age->setValue(3600);
    emit age->editingFinished();
    batch->setValue(10);
    QCOMPARE(page.undoStack()->count(), 2);

    page.undoStack()->undo();
    QCOMPARE(page.policy().batchSize, quint64(1000));
    QCOMPARE(batch->value(), 1000.0);
    QCOMPARE(page.policy().ageThresholdMicros, 3600 * kMicrosPerSecond);

    page.undoStack()->undo();
    QCOMPARE(page.policy(), MigrationPolicy());
    QCOMPARE(age->value(), 604800.0);
    auto* hint = page.findChild<QLabel*>(QStringLiteral("age_threshold_secs_hint"));
    QCOMPARE(hint->text(), QStringLiteral("= 7 d"));

    page.undoStack()->redo();
    QCOMPARE(page.policy().ageThresholdMicros, 3600 * kMicrosPerSecond);
    QCOMPARE(age->value(), 3600.0);
    page.undoStack()->redo();
    QCOMPARE(page.policy().batchSize, quint64(10));
    QCOMPARE(batch->value(), 10.0);

    // Undoing an invalid edit clears its message again.
    batch->setValue(0);
    QVERIFY(!page.fieldMessage(PolicyEditorPage::BatchSize).isEmpty());
    page.undoStack()->undo();
    QCOMPARE(page.policy().batchSize, quint64(10));
    QVERIFY(page.fieldMessage(PolicyEditorPage::BatchSize).isEmpty());
}

void TestGuiPolicyEditor::typingIntoOneFieldIsOneUndoStep()
{
    PolicyEditorPage page(nullptr);
    QDoubleSpinBox* batch = spin(page, "batch_size");
    // Keystroke by keystroke: "5", "50", "500".
    batch->setValue(5);
    batch->setValue(50);
    batch->setValue(500);
    QCOMPARE(page.undoStack()->count(), 1);
    emit batch->editingFinished();
    batch->setValue(600); // a new session: its own step
    QCOMPARE(page.undoStack()->count(), 2);
    page.undoStack()->undo();
    QCOMPARE(page.policy().batchSize, quint64(500));
    page.undoStack()->undo();
    QCOMPARE(page.policy().batchSize, quint64(1000));
}

void TestGuiPolicyEditor::keyboardShortcutsUndoAndRedo()
{
    PolicyEditorPage page(nullptr);
    page.show();
    page.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&page));
    QDoubleSpinBox* minHot = spin(page, "min_hot_versions");
    minHot->setValue(4);
    QCOMPARE(page.policy().minHotVersions, quint64(4));
    QTest::keyClick(&page, Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(page.policy().minHotVersions, quint64(1));
    QCOMPARE(minHot->value(), 1.0);
    QTest::keyClick(&page, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(page.policy().minHotVersions, quint64(4));
    QCOMPARE(minHot->value(), 4.0);
}

void TestGuiPolicyEditor::presetSwitchIsOneUndoableStep()
{
    PolicyEditorPage page(nullptr);
    QSignalSpy spy(&page, &PolicyEditorPage::policyEdited);
    selectPreset(page, QStringLiteral("aggressive"));
    const MigrationPolicy aggressive = MigrationPolicy::preset(QStringLiteral("aggressive"));
    QCOMPARE(page.policy(), aggressive);
    QCOMPARE(spin(page, "age_threshold_secs")->value(), 86400.0);
    QCOMPARE(spin(page, "batch_size")->value(), 2000.0);
    QVERIFY(page.findChild<QCheckBox*>(QStringLiteral("enable_lru"))->isChecked());
    QCOMPARE(page.undoStack()->count(), 1);
    QVERIFY(spy.wait(5000));
    QCOMPARE(spy.at(0).at(0).value<MigrationPolicy>(), aggressive);

    selectPreset(page, QStringLiteral("disabled"));
    QVERIFY(!page.policy().enabled);
    QVERIFY(!page.findChild<QCheckBox*>(QStringLiteral("enabled"))->isChecked());

    // An edit that matches no preset shows "custom"; undo back to a preset shows its name.
    auto* combo = page.findChild<QComboBox*>(QStringLiteral("preset"));
    spin(page, "batch_size")->setValue(3);
    QVERIFY(combo->currentData().toString().isEmpty());
    page.undoStack()->undo();
    QCOMPARE(combo->currentData().toString(), QStringLiteral("disabled"));
    page.undoStack()->undo();
    QCOMPARE(page.policy(), aggressive);
    QCOMPARE(combo->currentData().toString(), QStringLiteral("aggressive"));
    page.undoStack()->undo();
    QCOMPARE(page.policy(), MigrationPolicy());
}

void TestGuiPolicyEditor::jsonAndTomlRoundTripThroughThePage()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    PolicyEditorPage page(nullptr);
    spin(page, "age_threshold_secs")->setValue(1.5);
    spin(page, "memory_threshold_bytes")->setValue(123456789);
    spin(page, "min_hot_versions")->setValue(3);
    spin(page, "batch_size")->setValue(77);
    spin(page, "run_interval_secs")->setValue(0.25);
    page.findChild<QCheckBox*>(QStringLiteral("enabled"))->setChecked(false);
    page.findChild<QCheckBox*>(QStringLiteral("enable_lru"))->setChecked(true);
    const MigrationPolicy edited = page.policy();
    QCOMPARE(edited.ageThresholdMicros, qint64(1'500'000));
    QCOMPARE(edited.runIntervalMicros, qint64(250'000));

    for (const QString& name : {QStringLiteral("p.json"), QStringLiteral("p.toml")}) {
        const QString path = dir.filePath(name);
        QVERIFY2(page.saveTo(path), qPrintable(page.fileMessage()));
        QVERIFY(page.fileMessage().contains(QLatin1String("Saved")));
        // The file is what the engine reads back, in its own format.
        QCOMPARE(MigrationPolicy::load(path), edited);
        const QByteArray bytes = test::readFile(path);
        QVERIFY(name.endsWith(QLatin1String(".json")) ? bytes.trimmed().startsWith('{')
                                                      : bytes.contains("batch_size = 77"));

        PolicyEditorPage other(nullptr);
        QVERIFY2(other.loadFrom(path), qPrintable(other.fileMessage()));
        QCOMPARE(other.policy(), edited);
        QCOMPARE(spin(other, "batch_size")->value(), 77.0);
        QCOMPARE(spin(other, "run_interval_secs")->value(), 0.25);
        QVERIFY(!other.findChild<QCheckBox*>(QStringLiteral("enabled"))->isChecked());
        // A load is one undoable step.
        QCOMPARE(other.undoStack()->count(), 1);
        other.undoStack()->undo();
        QCOMPARE(other.policy(), MigrationPolicy());
    }
}

void TestGuiPolicyEditor::loadErrorsAreShownInlineAndChangeNothing()
{
    QTemporaryDir dir;
    PolicyEditorPage page(nullptr);
    spin(page, "batch_size")->setValue(42);
    const MigrationPolicy before = page.policy();

    const QString bad = dir.filePath(QStringLiteral("bad.json"));
    test::writeFile(bad, "{\"batch_size\": 0}\n");
    QVERIFY(!page.loadFrom(bad));
    QVERIFY2(page.fileMessage().contains(QLatin1String("bad.json")),
             qPrintable(page.fileMessage()));
    QVERIFY2(page.fileMessage().contains(QLatin1String("batch_size")),
             qPrintable(page.fileMessage()));
    QCOMPARE(page.policy(), before);

    const QString unknown = dir.filePath(QStringLiteral("unknown.toml"));
    test::writeFile(unknown, "batch_sise = 5\n");
    QVERIFY(!page.loadFrom(unknown));
    QVERIFY2(page.fileMessage().contains(QLatin1String("batch_sise")),
             qPrintable(page.fileMessage()));

    QVERIFY(!page.loadFrom(dir.filePath(QStringLiteral("missing.json"))));
    QVERIFY(page.fileMessage().contains(QLatin1String("missing.json")));
    QCOMPARE(page.policy(), before);
    QCOMPARE(page.undoStack()->count(), 1);
}

void TestGuiPolicyEditor::saveRefusesAnInvalidPolicy()
{
    QTemporaryDir dir;
    PolicyEditorPage page(nullptr);
    spin(page, "batch_size")->setValue(0);
    const QString path = dir.filePath(QStringLiteral("p.json"));
    QVERIFY(!page.saveTo(path));
    QVERIFY(!QFile::exists(path));
    QVERIFY(page.fileMessage().contains(QLatin1String("batch_size")));
}

void TestGuiPolicyEditor::diffMarksChangedFields()
{
    PolicyEditorPage page(nullptr);
    auto* diff = page.findChild<QTableWidget*>(QStringLiteral("diff"));
    QVERIFY(diff);
    QVERIFY(!diff->item(PolicyEditorPage::BatchSize, 2)->font().bold());
    spin(page, "batch_size")->setValue(5);
    QCOMPARE(diff->item(PolicyEditorPage::BatchSize, 1)->text(), QStringLiteral("1,000"));
    QCOMPARE(diff->item(PolicyEditorPage::BatchSize, 2)->text(), QStringLiteral("5"));
    QVERIFY(diff->item(PolicyEditorPage::BatchSize, 2)->font().bold());
    QVERIFY(!diff->item(PolicyEditorPage::AgeThreshold, 2)->font().bold());
    // Durations in the shortest exact form, and no key name cut off.
    QCOMPARE(diff->item(PolicyEditorPage::AgeThreshold, 1)->text(),
             QStringLiteral("604800 s (7 d)"));
    page.resize(900, 700);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    for (int f = 0; f < PolicyEditorPage::FieldCount; ++f) {
        const QString key = diff->item(f, 0)->text();
        QVERIFY2(diff->columnWidth(0) >= diff->fontMetrics().horizontalAdvance(key),
                 qPrintable(key));
    }
    page.undoStack()->undo();
    QVERIFY(!diff->item(PolicyEditorPage::BatchSize, 2)->font().bold());
    QVERIFY(page.impactText().contains(QLatin1String("nothing changes")));
}

void TestGuiPolicyEditor::durationFieldsShowOnlyTheDecimalsTheyNeed()
{
    PolicyEditorPage page(nullptr);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    QDoubleSpinBox* age = spin(page, "age_threshold_secs");
    QCOMPARE(age->text(), QStringLiteral("604800 s"));
    age->setValue(0.25);
    QCOMPARE(age->text(), QStringLiteral("0.25 s"));
    age->setValue(1.000001); // microseconds are still kept
    QCOMPARE(age->text(), QStringLiteral("1.000001 s"));
    QCOMPARE(page.policy().ageThresholdMicros, qint64(1'000'001));
    // Typing a fraction works digit by digit (the point is not swallowed on the way).
    age->setFocus();
    age->selectAll();
    QTest::keyClicks(age, QStringLiteral("90.5"));
    QCOMPARE(age->value(), 90.5);
    QTest::keyClick(age, Qt::Key_Return);
    QCOMPARE(age->text(), QStringLiteral("90.5 s"));
    QCOMPARE(page.policy().ageThresholdMicros, qint64(90'500'000));
    QCOMPARE(spin(page, "memory_threshold_bytes")->text(), QStringLiteral("1073741824 B"));
}

void TestGuiPolicyEditor::impactTextCountsVersionsBytesAndEntities()
{
    auto candidate = [](quint64 id, EntityKind kind, quint64 entity, quint64 size) {
        Candidate c;
        c.versionId = id;
        c.kind = kind;
        c.entityId = entity;
        c.estimatedSize = size;
        return c;
    };
    Selection active;
    active.candidates = {candidate(1, EntityKind::Node, 1, 100),
                         candidate(2, EntityKind::Node, 1, 100),
                         candidate(9, EntityKind::Node, 8, 50)};
    active.candidateBytes = 250;
    Selection edited;
    // Version 2 no longer moves (node 1); 3 (edge 1: not node 1) and 4 (node 2) now move; 1 and 9
    // move under both policies.
    edited.candidates = {
        candidate(4, EntityKind::Node, 2, 3 * 1024 * 1024), candidate(1, EntityKind::Node, 1, 100),
        candidate(3, EntityKind::Edge, 1, 200), candidate(9, EntityKind::Node, 8, 50)};
    edited.candidateBytes = 3 * 1024 * 1024 + 350;
    QCOMPARE(PolicyEditorPage::impactText(active, edited),
             QStringLiteral("+1 versions / +3.0 MiB would move, 3 entities affected"));
    QCOMPARE(PolicyEditorPage::impactText(edited, active),
             QStringLiteral("-1 versions / -3.0 MiB would move, 3 entities affected"));
    QCOMPARE(PolicyEditorPage::impactText(active, active),
             QStringLiteral("0 versions / 0 B would move, 0 entities affected"));
}

void TestGuiPolicyEditor::impactFromTwoPreviewsAndApplyThroughTheController()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("store"));
    {
        Store::create(path);
        Store store(path);
        store.open();
        WorkloadGenerator::Options o;
        o.entities = 300;
        o.versions = 5000;
        o.spanDays = 30;
        o.seed = 5;
        store.append(WorkloadGenerator(o).generateAll());
        store.close();
    }
    StoreController controller;
    PolicyEditorPage page(&controller);
    QSignalSpy opened(&controller, &StoreController::storeOpened);
    controller.openStore(path);
    QVERIFY(opened.wait(120000));
    QCOMPARE(page.activePolicy(), MigrationPolicy());
    QVERIFY(page.impactText().contains(QLatin1String("nothing changes")));

    // One day instead of seven: more versions move.
    spin(page, "age_threshold_secs")->setValue(86400);
    const QRegularExpression impact(QStringLiteral(
        R"(^\+[0-9,]+ versions / \+[0-9.]+ (B|KiB|MiB|GiB) would move, [0-9,]+ entit(y|ies) affected$)"));
    QVERIFY2(test::waitUntil([&] { return impact.match(page.impactText()).hasMatch(); },
                             std::chrono::seconds(120)),
             qPrintable(page.impactText()));

    ActivityPage activity(&controller);
    QSignalSpy applied(&controller, &StoreController::policyApplied);
    page.findChild<QPushButton*>(QStringLiteral("apply"))->click();
    QVERIFY(applied.count() > 0 || applied.wait(60000));
    // The Activity log records the change of policy with what it now is.
    auto* log = activity.findChild<QTableWidget*>();
    QVERIFY(log && log->rowCount() > 0);
    QCOMPARE(log->item(log->rowCount() - 1, 1)->text(), QStringLiteral("Apply policy"));
    QCOMPARE(log->item(log->rowCount() - 1, 2)->text(), DisplayFormat::policy(page.policy()));
    QCOMPARE(applied.last().at(0).value<MigrationPolicy>(), page.policy());
    QCOMPARE(controller.activePolicy(), page.policy());
    QCOMPARE(MigrationPolicy::load(path + QStringLiteral("/policy.json")), page.policy());
    QCOMPARE(page.activePolicy(), page.policy());
    QVERIFY(page.applyMessage().startsWith(QLatin1String("Applied")));
    QVERIFY(page.impactText().contains(QLatin1String("nothing changes")));
    controller.closeStore();
}

// A GUI review opened a second store and found the first one's applied policy in the editor,
// under "Applied: this is now the store's active policy.": one Apply from putting it on the
// second store.
void TestGuiPolicyEditor::theEditorFollowsTheStoreItIsAbout()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString first = dir.filePath(QStringLiteral("first"));
    const QString second = dir.filePath(QStringLiteral("second"));
    test::makeGeneratedStore(first, 600, 60, 30, 7);
    test::makeGeneratedStore(second, 600, 60, 30, 8);
    StoreController controller;
    PolicyEditorPage page(&controller);
    QSignalSpy applied(&controller, &StoreController::policyApplied);
    QVERIFY(test::openAndWait(controller, first));

    spin(page, "batch_size")->setValue(777);
    page.findChild<QPushButton*>(QStringLiteral("apply"))->click();
    QVERIFY(applied.count() > 0 || applied.wait(60000));
    QVERIFY(page.applyMessage().startsWith(QLatin1String("Applied")));
    // An edit after it makes "Applied" stale: it goes.
    spin(page, "age_threshold_secs")->setValue(86400);
    QCOMPARE(page.applyMessage(), QString());
    page.undoStack()->undo();
    QCOMPARE(page.policy().batchSize, quint64(777));

    // Applied there, so nothing of it is pending: the second store's own policy shows.
    QVERIFY(test::openAndWait(controller, second));
    QCOMPARE(page.policy(), MigrationPolicy());
    QCOMPARE(page.activePolicy(), MigrationPolicy());
    QCOMPARE(page.undoStack()->count(), 0);
    QCOMPARE(page.applyMessage(), QString());

    // Edits never applied stay across the switch, and the page says whose they were.
    spin(page, "batch_size")->setValue(555);
    QVERIFY(test::openAndWait(controller, first));
    QCOMPARE(page.policy().batchSize, quint64(555));
    QCOMPARE(page.activePolicy().batchSize, quint64(777));
    QCOMPARE(page.applyMessage(),
             QStringLiteral("These edits were made while %1 was open and are not applied to this "
                            "store; Apply would make them its active policy.")
                 .arg(QDir::cleanPath(second)));
    controller.closeStore();
    controller.waitForWorkers();
}

void TestGuiPolicyEditor::aPolicyThatFailsToSaveIsNotUsed()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("store"));
    test::makeGeneratedStore(path, 2000, 100, 30, 7);
    StoreController controller;
    PolicyEditorPage page(&controller);
    QSignalSpy opened(&controller, &StoreController::storeOpened);
    controller.openStore(path);
    QVERIFY(opened.wait(120000));
    const MigrationPolicy before = controller.activePolicy();
    QCOMPARE(controller.service()->policy(), before);

    // A real failed save: policy.json replaced by a non-empty directory, so the rename of the
    // written temp file over it fails (chmod would not stop the tests, which may run as root).
    const QString policyFile = path + QStringLiteral("/policy.json");
    QVERIFY(QFile::remove(policyFile));
    QVERIFY(QDir().mkpath(policyFile + QStringLiteral("/occupied")));

    spin(page, "batch_size")->setValue(double(before.batchSize + 7));
    QVERIFY(page.policy() != before);
    QSignalSpy failed(&controller, &StoreController::operationFailed);
    QSignalSpy applied(&controller, &StoreController::policyApplied);
    page.findChild<QPushButton*>(QStringLiteral("apply"))->click();
    QVERIFY(failed.wait(60000));
    QCOMPARE(failed.first().at(0).toString(), QStringLiteral("Apply policy"));
    QVERIFY2(failed.first().at(1).toString().contains(QLatin1String("cannot save the policy")),
             qPrintable(failed.first().at(1).toString()));
    QVERIFY2(page.applyMessage().startsWith(QLatin1String("Not applied")),
             qPrintable(page.applyMessage()));
    // What the store would reopen with is what the controller, the service and "Run once" use.
    QCOMPARE(applied.count(), 0);
    QCOMPARE(controller.activePolicy(), before);
    QCOMPARE(controller.service()->policy(), before);
    QCOMPARE(page.activePolicy(), before);

    // Once the file can be written again, the same Apply takes effect.
    QVERIFY(QDir(policyFile).removeRecursively());
    page.findChild<QPushButton*>(QStringLiteral("apply"))->click();
    QVERIFY(applied.wait(60000));
    QCOMPARE(controller.activePolicy(), page.policy());
    QCOMPARE(controller.service()->policy(), page.policy());
    QCOMPARE(MigrationPolicy::load(policyFile), page.policy());
    controller.closeStore();
}

QTEST_MAIN(TestGuiPolicyEditor)
#include "tst_gui_policyeditor.moc"
