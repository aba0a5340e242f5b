#include "policyeditorpage.h"

#include "displayformat.h"
#include "frostlineerror.h"
#include "policyeditcommand.h"
#include "shortestspinbox.h"
#include "storecontroller.h"
#include "timestamps.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSet>
#include <QTableWidget>
#include <QTimer>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>

namespace frostline {

namespace {

// JSON numbers are exact up to 2^53; the spin boxes stop there (8 PiB is beyond any hot tier).
constexpr double kMaxExactInteger = 9007199254740992.0;
// Durations up to ~317 years keep microsecond precision in a double.
constexpr double kMaxDurationSecs = 1e10;

const char* const kKeys[] = {"age_threshold_secs", "memory_threshold_bytes", "min_hot_versions",
                             "batch_size",         "run_interval_secs",      "enabled",
                             "enable_lru"};

QString fieldValueText(const MigrationPolicy& p, PolicyEditorPage::Field field)
{
    switch (field) {
    case PolicyEditorPage::AgeThreshold:
        return QStringLiteral("%1 s (%2)")
            .arg(microsToSeconds(p.ageThresholdMicros), 0, 'f', QLocale::FloatingPointShortest)
            .arg(DisplayFormat::duration(p.ageThresholdMicros));
    case PolicyEditorPage::MemoryThreshold:
        return QStringLiteral("%1 B (%2)")
            .arg(DisplayFormat::count(p.memoryThresholdBytes),
                 DisplayFormat::bytes(p.memoryThresholdBytes));
    case PolicyEditorPage::MinHotVersions:
        return DisplayFormat::count(p.minHotVersions);
    case PolicyEditorPage::BatchSize:
        return DisplayFormat::count(p.batchSize);
    case PolicyEditorPage::RunInterval:
        return QStringLiteral("%1 s (%2)")
            .arg(microsToSeconds(p.runIntervalMicros), 0, 'f', QLocale::FloatingPointShortest)
            .arg(DisplayFormat::duration(p.runIntervalMicros));
    case PolicyEditorPage::Enabled:
        return p.enabled ? QStringLiteral("yes") : QStringLiteral("no");
    case PolicyEditorPage::EnableLru:
        return p.enableLru ? QStringLiteral("yes") : QStringLiteral("no");
    case PolicyEditorPage::FieldCount:
        break;
    }
    return {};
}

bool fieldDiffers(const MigrationPolicy& a, const MigrationPolicy& b, PolicyEditorPage::Field f)
{
    switch (f) {
    case PolicyEditorPage::AgeThreshold:
        return a.ageThresholdMicros != b.ageThresholdMicros;
    case PolicyEditorPage::MemoryThreshold:
        return a.memoryThresholdBytes != b.memoryThresholdBytes;
    case PolicyEditorPage::MinHotVersions:
        return a.minHotVersions != b.minHotVersions;
    case PolicyEditorPage::BatchSize:
        return a.batchSize != b.batchSize;
    case PolicyEditorPage::RunInterval:
        return a.runIntervalMicros != b.runIntervalMicros;
    case PolicyEditorPage::Enabled:
        return a.enabled != b.enabled;
    case PolicyEditorPage::EnableLru:
        return a.enableLru != b.enableLru;
    case PolicyEditorPage::FieldCount:
        break;
    }
    return false;
}

QDoubleSpinBox* makeSpin(QWidget* parent, const char* name, int decimals, double min, double max,
                         const QString& suffix)
{
    auto* spin = new ShortestSpinBox(parent);
    spin->setObjectName(QLatin1String(name));
    spin->setDecimals(decimals);
    spin->setRange(min, max);
    spin->setSuffix(suffix);
    spin->setKeyboardTracking(true);
    spin->setGroupSeparatorShown(false);
    spin->setMinimumWidth(200);
    return spin;
}

QString errorStyle()
{
    return QStringLiteral("color: #b00020;");
}

} // namespace

PolicyEditorPage::PolicyEditorPage(StoreController* controller, QWidget* parent)
    : QWidget(parent), m_controller(controller), m_undo(new QUndoStack(this)),
      m_debounce(new QTimer(this))
{
    if (m_controller && m_controller->isOpen()) {
        m_active = m_controller->activePolicy();
        m_storePath = m_controller->storePath();
    }
    m_policy = m_active;
    m_lastEmitted = m_active;

    m_debounce->setObjectName(QStringLiteral("debounce"));
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(250);
    connect(m_debounce, &QTimer::timeout, this, &PolicyEditorPage::emitIfChanged);

    buildUi();
    showPolicy(m_policy);
    m_debounce->stop(); // nothing to emit for the starting policy

    if (m_controller) {
        connect(m_controller, &StoreController::previewReady, this,
                &PolicyEditorPage::onPreviewReady);
        connect(m_controller, &StoreController::storeOpened, this,
                &PolicyEditorPage::onStoreOpened);
        connect(m_controller, &StoreController::storeClosed, this,
                &PolicyEditorPage::onStoreClosed);
        connect(m_controller, &StoreController::policyApplied, this,
                &PolicyEditorPage::onPolicyApplied);
        connect(m_controller, &StoreController::operationFailed, this,
                &PolicyEditorPage::onOperationFailed);
    }
}

PolicyEditorPage::~PolicyEditorPage()
{
    // A field that has the focus while the window closes emits editingFinished (and may emit
    // valueChanged) from ~QWidget, after this page is gone: cut those connections first.
    for (QDoubleSpinBox* spin : {m_age, m_memory, m_minHot, m_batch, m_interval})
        spin->disconnect(this);
    // Commands call back into the page; clear them while the page is still whole.
    m_undo->clear();
}

QString PolicyEditorPage::fieldKey(Field field)
{
    return field >= 0 && field < FieldCount ? QLatin1String(kKeys[field]) : QString();
}

void PolicyEditorPage::buildUi()
{
    auto* layout = new QVBoxLayout(this);

    // Presets, files, undo/redo.
    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Preset:"), this));
    m_preset = new QComboBox(this);
    m_preset->setObjectName(QStringLiteral("preset"));
    m_preset->addItem(tr("custom"), QString());
    for (const QString& name : MigrationPolicy::presetNames())
        m_preset->addItem(name, name);
    connect(m_preset, &QComboBox::activated, this, [this](int index) {
        const QString name = m_preset->itemData(index).toString();
        if (name.isEmpty())
            return;
        pushEdit(MigrationPolicy::preset(name), tr("preset %1").arg(name), -1);
    });
    top->addWidget(m_preset);
    top->addSpacing(16);

    auto* undo = new QPushButton(tr("Undo"), this);
    undo->setObjectName(QStringLiteral("undo"));
    auto* redo = new QPushButton(tr("Redo"), this);
    redo->setObjectName(QStringLiteral("redo"));
    connect(undo, &QPushButton::clicked, m_undo, &QUndoStack::undo);
    connect(redo, &QPushButton::clicked, m_undo, &QUndoStack::redo);
    connect(m_undo, &QUndoStack::canUndoChanged, undo, &QWidget::setEnabled);
    connect(m_undo, &QUndoStack::canRedoChanged, redo, &QWidget::setEnabled);
    undo->setEnabled(false);
    redo->setEnabled(false);
    top->addWidget(undo);
    top->addWidget(redo);

    // Ctrl+Z / Ctrl+Shift+Z (and Ctrl+Y) anywhere on the page.
    QAction* undoAction = m_undo->createUndoAction(this, tr("Undo"));
    undoAction->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Z)});
    undoAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    QAction* redoAction = m_undo->createRedoAction(this, tr("Redo"));
    redoAction->setShortcuts(
        {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)});
    redoAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(undoAction);
    addAction(redoAction);

    top->addStretch(1);
    auto* load = new QPushButton(tr("Load…"), this);
    load->setObjectName(QStringLiteral("load"));
    auto* save = new QPushButton(tr("Save…"), this);
    save->setObjectName(QStringLiteral("save"));
    connect(load, &QPushButton::clicked, this, &PolicyEditorPage::loadWithDialog);
    connect(save, &QPushButton::clicked, this, &PolicyEditorPage::saveWithDialog);
    top->addWidget(load);
    top->addWidget(save);
    layout->addLayout(top);

    m_fileMessage = new QLabel(this);
    m_fileMessage->setObjectName(QStringLiteral("fileMessage"));
    m_fileMessage->setWordWrap(true);
    m_fileMessage->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_fileMessage->hide();
    layout->addWidget(m_fileMessage);

    // The seven fields: editor, unit hint, range, and the inline message.
    auto* fieldsBox = new QGroupBox(tr("Policy"), this);
    auto* grid = new QGridLayout(fieldsBox);
    m_age = makeSpin(this, "age_threshold_secs", 6, 0, kMaxDurationSecs, tr(" s"));
    m_memory = makeSpin(this, "memory_threshold_bytes", 0, 0, kMaxExactInteger, tr(" B"));
    m_minHot = makeSpin(this, "min_hot_versions", 0, 0, kMaxExactInteger, QString());
    m_batch = makeSpin(this, "batch_size", 0, 0, kMaxExactInteger, QString());
    m_interval = makeSpin(this, "run_interval_secs", 6, 0, kMaxDurationSecs, tr(" s"));
    m_enabled = new QCheckBox(tr("migrate at all"), this);
    m_enabled->setObjectName(QStringLiteral("enabled"));
    m_lru = new QCheckBox(tr("least recently used first"), this);
    m_lru->setObjectName(QStringLiteral("enable_lru"));

    struct Row
    {
        Field field;
        QString label;
        QWidget* editor;
        QString range;
    };
    const Row rows[] = {
        {AgeThreshold, tr("Age threshold"), m_age, tr("seconds, ≥ 0")},
        {MemoryThreshold, tr("Memory threshold"), m_memory, tr("bytes, ≥ 1")},
        {MinHotVersions, tr("Min hot versions"), m_minHot, tr("per entity, ≥ 0")},
        {BatchSize, tr("Batch size"), m_batch, tr("versions per transaction, ≥ 1")},
        {RunInterval, tr("Run interval"), m_interval, tr("seconds, > 0")},
        {Enabled, tr("Enabled"), m_enabled, QString()},
        {EnableLru, tr("LRU order"), m_lru, QString()},
    };
    int r = 0;
    for (const Row& row : rows) {
        auto* label = new QLabel(row.label, this);
        label->setToolTip(fieldKey(row.field));
        label->setBuddy(row.editor);
        row.editor->setToolTip(QStringLiteral("%1 (%2)").arg(fieldKey(row.field), row.range));
        grid->addWidget(label, r, 0);
        grid->addWidget(row.editor, r, 1);
        m_hints[row.field] = new QLabel(this);
        m_hints[row.field]->setObjectName(fieldKey(row.field) + QStringLiteral("_hint"));
        m_hints[row.field]->setMinimumWidth(90);
        grid->addWidget(m_hints[row.field], r, 2);
        auto* range = new QLabel(row.range, this);
        range->setEnabled(false); // greyed: a reminder, not a message
        grid->addWidget(range, r, 3);
        m_messages[row.field] = new QLabel(this);
        m_messages[row.field]->setObjectName(fieldKey(row.field) + QStringLiteral("_message"));
        m_messages[row.field]->setStyleSheet(errorStyle());
        m_messages[row.field]->setWordWrap(true);
        m_messages[row.field]->hide();
        grid->addWidget(m_messages[row.field], r, 4);
        ++r;
    }
    grid->setColumnStretch(4, 1);
    layout->addWidget(fieldsBox);

    auto spinEdited = [this](QDoubleSpinBox* spin, Field field) {
        connect(spin, &QDoubleSpinBox::valueChanged, this, [this, field] { editField(field); });
        // Leaving the box (or Enter) ends an editing session: the next edit is its own undo step.
        connect(spin, &QDoubleSpinBox::editingFinished, this, [this] { ++m_editSession; });
    };
    spinEdited(m_age, AgeThreshold);
    spinEdited(m_memory, MemoryThreshold);
    spinEdited(m_minHot, MinHotVersions);
    spinEdited(m_batch, BatchSize);
    spinEdited(m_interval, RunInterval);
    connect(m_enabled, &QCheckBox::toggled, this, [this] { editField(Enabled); });
    connect(m_lru, &QCheckBox::toggled, this, [this] { editField(EnableLru); });

    // Diff against the active policy, its impact, and Apply.
    auto* diffBox = new QGroupBox(tr("Compared with the store's active policy"), this);
    auto* diffLayout = new QVBoxLayout(diffBox);
    m_diff = new QTableWidget(FieldCount, 3, this);
    m_diff->setObjectName(QStringLiteral("diff"));
    m_diff->setHorizontalHeaderLabels({tr("Field"), tr("Active"), tr("Edited")});
    m_diff->verticalHeader()->hide();
    m_diff->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_diff->setSelectionMode(QAbstractItemView::NoSelection);
    // Key names at full width; the two values share the rest equally.
    m_diff->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_diff->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_diff->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
    for (int f = 0; f < FieldCount; ++f) {
        for (int c = 0; c < 3; ++c)
            m_diff->setItem(f, c, new QTableWidgetItem);
        m_diff->item(f, 0)->setText(fieldKey(Field(f)));
    }
    diffLayout->addWidget(m_diff);
    m_impact = new QLabel(this);
    m_impact->setObjectName(QStringLiteral("impact"));
    m_impact->setWordWrap(true);
    diffLayout->addWidget(m_impact);
    auto* applyRow = new QHBoxLayout;
    auto* recompute = new QPushButton(tr("Recompute impact"), this);
    connect(recompute, &QPushButton::clicked, this, &PolicyEditorPage::refreshImpact);
    m_apply = new QPushButton(tr("Apply"), this);
    m_apply->setObjectName(QStringLiteral("apply"));
    m_apply->setToolTip(tr("Make the edited policy the store's active policy (policy.json)"));
    connect(m_apply, &QPushButton::clicked, this, &PolicyEditorPage::applyToStore);
    applyRow->addWidget(recompute);
    applyRow->addStretch(1);
    applyRow->addWidget(m_apply);
    diffLayout->addLayout(applyRow);
    m_applyMessage = new QLabel(this);
    m_applyMessage->setObjectName(QStringLiteral("applyMessage"));
    m_applyMessage->setWordWrap(true);
    m_applyMessage->hide();
    diffLayout->addWidget(m_applyMessage);
    layout->addWidget(diffBox, 1);
}

QString PolicyEditorPage::fieldHint(Field field) const
{
    return field >= 0 && field < FieldCount ? m_hints[field]->text() : QString();
}

QString PolicyEditorPage::fieldMessage(Field field) const
{
    return field >= 0 && field < FieldCount && m_messages[field]->isVisibleTo(this)
               ? m_messages[field]->text()
               : QString();
}

QString PolicyEditorPage::fileMessage() const
{
    return m_fileMessage->isVisibleTo(this) ? m_fileMessage->text() : QString();
}

QString PolicyEditorPage::applyMessage() const
{
    return m_applyMessage->isVisibleTo(this) ? m_applyMessage->text() : QString();
}

QString PolicyEditorPage::impactText() const
{
    return m_impact->text();
}

void PolicyEditorPage::setPolicy(const MigrationPolicy& policy)
{
    pushEdit(policy, tr("set policy"), -1);
}

void PolicyEditorPage::pushEdit(const MigrationPolicy& after, const QString& text, int mergeKey)
{
    if (after == m_policy)
        return;
    m_pushing = true;
    m_undo->push(new PolicyEditCommand(this, m_policy, after, text, mergeKey, m_editSession));
    m_pushing = false;
    if (mergeKey < 0)
        ++m_editSession; // a whole-policy step never absorbs the next field edit
}

void PolicyEditorPage::editField(Field field)
{
    MigrationPolicy after = m_policy;
    switch (field) {
    case AgeThreshold:
        after.ageThresholdMicros = secondsToMicros(m_age->value());
        break;
    case MemoryThreshold:
        after.memoryThresholdBytes = quint64(m_memory->value());
        break;
    case MinHotVersions:
        after.minHotVersions = quint64(m_minHot->value());
        break;
    case BatchSize:
        after.batchSize = quint64(m_batch->value());
        break;
    case RunInterval:
        after.runIntervalMicros = secondsToMicros(m_interval->value());
        break;
    case Enabled:
        after.enabled = m_enabled->isChecked();
        break;
    case EnableLru:
        after.enableLru = m_lru->isChecked();
        break;
    case FieldCount:
        return;
    }
    pushEdit(after, tr("edit %1").arg(fieldKey(field)), field);
}

void PolicyEditorPage::showPolicy(const MigrationPolicy& policy)
{
    if (!m_pushing)
        ++m_editSession; // undo/redo ends the editing session
    // "Applied: …" is about the policy shown when it came; an edit makes it stale. (A refusal
    // or the note on another store's edits, both marked as errors, stay until dealt with.)
    if (policy != m_policy && !m_applyMessageIsError)
        setApplyMessage(QString(), false);
    m_policy = policy;
    {
        const QSignalBlocker b1(m_age), b2(m_memory), b3(m_minHot), b4(m_batch), b5(m_interval),
            b6(m_enabled), b7(m_lru);
        // Leave the box the operator is typing into alone when it already shows this value:
        // rewriting it would move the cursor under their fingers.
        auto setSpin = [](QDoubleSpinBox* spin, double value) {
            if (spin->value() != value)
                spin->setValue(value);
        };
        setSpin(m_age, microsToSeconds(policy.ageThresholdMicros));
        setSpin(m_memory, double(policy.memoryThresholdBytes));
        setSpin(m_minHot, double(policy.minHotVersions));
        setSpin(m_batch, double(policy.batchSize));
        setSpin(m_interval, microsToSeconds(policy.runIntervalMicros));
        m_enabled->setChecked(policy.enabled);
        m_lru->setChecked(policy.enableLru);
    }
    updateHints();
    updateValidation();
    updatePresetBox();
    updateDiff();
    m_debounce->start();
}

void PolicyEditorPage::updateHints()
{
    m_hints[AgeThreshold]->setText(
        QStringLiteral("= %1").arg(DisplayFormat::duration(m_policy.ageThresholdMicros)));
    m_hints[MemoryThreshold]->setText(
        QStringLiteral("= %1").arg(DisplayFormat::bytes(m_policy.memoryThresholdBytes)));
    m_hints[MinHotVersions]->setText(m_policy.minHotVersions == 1 ? tr("version") : tr("versions"));
    m_hints[BatchSize]->setText(m_policy.batchSize == 1 ? tr("version") : tr("versions"));
    // A loaded value beyond 2^53 (the field's exact range) is kept as it is, but the field can
    // only show its maximum: the hint says what the policy holds.
    const std::pair<Field, quint64> wide[] = {{MemoryThreshold, m_policy.memoryThresholdBytes},
                                              {MinHotVersions, m_policy.minHotVersions},
                                              {BatchSize, m_policy.batchSize}};
    for (const auto& [field, value] : wide)
        if (value > (quint64(1) << 53))
            m_hints[field]->setText(tr("the policy holds %1, more than the field shows; typing "
                                       "here replaces it")
                                        .arg(DisplayFormat::count(value)));
    m_hints[RunInterval]->setText(
        QStringLiteral("= every %1").arg(DisplayFormat::duration(m_policy.runIntervalMicros)));
}

void PolicyEditorPage::updateValidation()
{
    const QStringList problems = m_policy.validate();
    bool anyProblem = false;
    for (int f = 0; f < FieldCount; ++f) {
        // validate() names the JSON key, quoted, in each problem: route it to that field.
        const QString quotedKey = QLatin1Char('"') + fieldKey(Field(f)) + QLatin1Char('"');
        QStringList mine;
        for (const QString& p : problems) {
            if (p.contains(quotedKey))
                mine.append(p);
        }
        m_messages[f]->setText(mine.join(QLatin1Char('\n')));
        m_messages[f]->setVisible(!mine.isEmpty());
        anyProblem = anyProblem || !mine.isEmpty();
    }
    // A problem naming no field still has to be seen: show it under the first field.
    if (!problems.isEmpty() && !anyProblem) {
        m_messages[AgeThreshold]->setText(problems.join(QLatin1Char('\n')));
        m_messages[AgeThreshold]->show();
    }
    m_apply->setEnabled(problems.isEmpty() && m_controller != nullptr);
}

void PolicyEditorPage::updatePresetBox()
{
    const QSignalBlocker block(m_preset);
    int index = 0;
    for (int i = 1; i < m_preset->count(); ++i) {
        if (MigrationPolicy::preset(m_preset->itemData(i).toString()) == m_policy) {
            index = i;
            break;
        }
    }
    m_preset->setCurrentIndex(index);
}

void PolicyEditorPage::updateDiff()
{
    int changed = 0;
    for (int f = 0; f < FieldCount; ++f) {
        const bool differs = fieldDiffers(m_active, m_policy, Field(f));
        changed += differs ? 1 : 0;
        m_diff->item(f, 1)->setText(fieldValueText(m_active, Field(f)));
        m_diff->item(f, 2)->setText(fieldValueText(m_policy, Field(f)));
        for (int c = 0; c < 3; ++c) {
            QFont font = m_diff->item(f, c)->font();
            font.setBold(differs);
            m_diff->item(f, c)->setFont(font);
        }
    }
    if (changed == 0) {
        m_impactStage = ImpactStage::Idle;
        setImpact(tr("Same as the active policy: nothing changes."));
    }
}

void PolicyEditorPage::emitIfChanged()
{
    if (!m_policy.validate().isEmpty()) {
        refreshImpact(); // says to fix the fields, not what the last valid edit would do
        return;
    }
    if (m_policy == m_lastEmitted)
        return;
    m_lastEmitted = m_policy;
    emit policyEdited(m_policy);
    refreshImpact();
}

void PolicyEditorPage::setFileMessage(const QString& text, bool error)
{
    m_fileMessage->setText(text);
    m_fileMessage->setStyleSheet(error ? errorStyle() : QString());
    m_fileMessage->setVisible(!text.isEmpty());
}

void PolicyEditorPage::setApplyMessage(const QString& text, bool error)
{
    m_applyMessageIsError = error;
    m_applyMessage->setText(text);
    m_applyMessage->setStyleSheet(error ? errorStyle() : QString());
    m_applyMessage->setVisible(!text.isEmpty());
}

void PolicyEditorPage::setImpact(const QString& text)
{
    m_impact->setText(text);
}

bool PolicyEditorPage::loadFrom(const QString& path)
{
    const QString name = QFileInfo(path).fileName();
    try {
        const MigrationPolicy loaded = MigrationPolicy::load(path);
        pushEdit(loaded, tr("load %1").arg(name), -1);
        setFileMessage(tr("Loaded %1.").arg(path), false);
        return true;
    } catch (const FrostlineError& e) {
        setFileMessage(tr("Could not load %1: %2").arg(name, e.message()), true);
    } catch (const std::exception& e) {
        setFileMessage(tr("Could not load %1: %2").arg(name, QString::fromLocal8Bit(e.what())),
                       true);
    }
    return false;
}

bool PolicyEditorPage::saveTo(const QString& path)
{
    const QString name = QFileInfo(path).fileName();
    const QStringList problems = m_policy.validate();
    if (!problems.isEmpty()) {
        setFileMessage(tr("Not saved to %1: fix the fields marked in red first (%2).")
                           .arg(name, problems.join(QStringLiteral("; "))),
                       true);
        return false;
    }
    try {
        m_policy.save(path);
        setFileMessage(tr("Saved to %1.").arg(path), false);
        return true;
    } catch (const FrostlineError& e) {
        setFileMessage(tr("Could not save %1: %2").arg(name, e.message()), true);
    } catch (const std::exception& e) {
        setFileMessage(tr("Could not save %1: %2").arg(name, QString::fromLocal8Bit(e.what())),
                       true);
    }
    return false;
}

void PolicyEditorPage::loadWithDialog()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Load policy"), QString(), tr("Policies (*.json *.toml);;All files (*)"));
    if (!path.isEmpty())
        loadFrom(path);
}

void PolicyEditorPage::saveWithDialog()
{
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save policy"), QStringLiteral("policy.json"), tr("JSON (*.json);;TOML (*.toml)"));
    if (!path.isEmpty())
        saveTo(path);
}

void PolicyEditorPage::applyToStore()
{
    if (!m_controller || !m_controller->isOpen()) {
        setApplyMessage(tr("Open a store first: Apply makes the policy the store's active one."),
                        true);
        return;
    }
    const QStringList problems = m_policy.validate();
    if (!problems.isEmpty()) {
        setApplyMessage(tr("Not applied: %1").arg(problems.join(QStringLiteral("; "))), true);
        return;
    }
    setApplyMessage(tr("Applying…"), false);
    m_controller->applyPolicy(m_policy);
}

void PolicyEditorPage::onPolicyApplied(const MigrationPolicy& policy)
{
    m_active = policy;
    setApplyMessage(policy == m_policy ? tr("Applied: this is now the store's active policy.")
                                       : tr("The store's active policy changed."),
                    false);
    updateDiff();
    refreshImpact();
}

void PolicyEditorPage::onStoreOpened()
{
    const MigrationPolicy previousActive = m_active;
    const bool hadStore = m_storePath.has_value();
    const QString previousPath = m_storePath.value_or(QString());
    m_active = m_controller->activePolicy();
    m_storePath = m_controller->storePath();
    m_impactRequested = 0;
    // The editor starts from the new store's policy unless it holds edits never applied to the
    // store before; those stay, said to be another store's, so that Apply cannot put one
    // store's policy on the next unnoticed (a GUI review met "Applied" under the old policy).
    // (The same store opened again: its edits are its own, and stay without a note.)
    const bool fromAnotherStore = hadStore && previousPath != m_storePath;
    if (m_undo->count() == 0 || (fromAnotherStore && m_policy == previousActive)) {
        m_undo->clear();
        m_lastEmitted = m_active;
        showPolicy(m_active);
        m_debounce->stop();
        setApplyMessage(QString(), false);
    } else if (fromAnotherStore) {
        setApplyMessage(tr("These edits were made while %1 was open and are not applied to this "
                           "store; Apply would make them its active policy.")
                            .arg(previousPath),
                        true);
    }
    updateDiff();
    refreshImpact();
}

void PolicyEditorPage::onStoreClosed()
{
    m_impactStage = ImpactStage::Idle;
    m_activeSelection.reset();
    setImpact(tr("Open a store to see what the change would move."));
}

void PolicyEditorPage::onOperationFailed(const QString& what, const QString& message)
{
    if (what.contains(QLatin1String("apply"), Qt::CaseInsensitive))
        setApplyMessage(tr("Not applied: %1").arg(message), true);
    if (m_impactStage != ImpactStage::Idle &&
        what.contains(QLatin1String("preview"), Qt::CaseInsensitive)) {
        m_impactStage = ImpactStage::Idle;
        setImpact(tr("Impact unknown: the preview failed: %1").arg(message));
    }
}

void PolicyEditorPage::refreshImpact()
{
    if (m_policy == m_active) {
        m_impactStage = ImpactStage::Idle;
        setImpact(tr("Same as the active policy: nothing changes."));
        return;
    }
    if (!m_policy.validate().isEmpty()) {
        m_impactStage = ImpactStage::Idle;
        setImpact(tr("Fix the fields marked in red to see the impact."));
        return;
    }
    if (!m_controller || !m_controller->isOpen()) {
        setImpact(tr("Open a store to see what the change would move."));
        return;
    }
    m_impactActive = m_active;
    m_impactEdited = m_policy;
    m_impactNow = currentMicros();
    m_activeSelection.reset();
    m_impactStage = ImpactStage::WaitingActive;
    setImpact(tr("Computing the impact…"));
    requestImpactPreview();
}

void PolicyEditorPage::requestImpactPreview()
{
    m_impactRequested = m_controller->requestPreview(
        m_impactStage == ImpactStage::WaitingActive ? m_impactActive : m_impactEdited, m_impactNow,
        this);
}

void PolicyEditorPage::onPreviewReady(quint64 generation, const MigrationPolicy& policy, qint64 now,
                                      std::shared_ptr<const Selection> selection)
{
    Q_UNUSED(policy);
    Q_UNUSED(now);
    // Only the answer to this page's newest question (another page's are not ours).
    if (m_impactStage == ImpactStage::Idle || !selection || generation != m_impactRequested)
        return;
    if (m_impactStage == ImpactStage::WaitingActive) {
        m_activeSelection = std::move(selection);
        m_impactStage = ImpactStage::WaitingEdited;
        requestImpactPreview();
        return;
    }
    m_impactStage = ImpactStage::Idle;
    setImpact(impactText(*m_activeSelection, *selection));
}

QString PolicyEditorPage::impactText(const Selection& active, const Selection& edited)
{
    const qint64 versions = qint64(edited.candidates.size()) - qint64(active.candidates.size());
    const qint64 bytes = qint64(edited.candidateBytes) - qint64(active.candidateBytes);

    // Entities whose set of moving versions differs: merge the two id-sorted candidate lists.
    struct Entry
    {
        quint64 versionId;
        EntityKey entity;
    };
    auto sortedEntries = [](const Selection& s) {
        std::vector<Entry> out;
        out.reserve(s.candidates.size());
        for (const Candidate& c : s.candidates)
            out.push_back({c.versionId, {c.kind, c.entityId}});
        std::sort(out.begin(), out.end(),
                  [](const Entry& a, const Entry& b) { return a.versionId < b.versionId; });
        return out;
    };
    const std::vector<Entry> a = sortedEntries(active), b = sortedEntries(edited);
    QSet<EntityKey> affected;
    size_t i = 0, j = 0;
    while (i < a.size() || j < b.size()) {
        if (j == b.size() || (i < a.size() && a[i].versionId < b[j].versionId)) {
            affected.insert(a[i++].entity);
        } else if (i == a.size() || b[j].versionId < a[i].versionId) {
            affected.insert(b[j++].entity);
        } else {
            ++i;
            ++j;
        }
    }
    const qsizetype entities = affected.size();
    return QStringLiteral("%1 versions / %2 would move, %3 %4 affected")
        .arg(DisplayFormat::signedCount(versions), DisplayFormat::signedBytes(bytes),
             DisplayFormat::count(quint64(entities)),
             entities == 1 ? QStringLiteral("entity") : QStringLiteral("entities"));
}

} // namespace frostline
