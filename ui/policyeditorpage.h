#pragma once

#include "candidateselector.h"
#include "migrationpolicy.h"

#include <QWidget>

#include <array>
#include <memory>
#include <optional>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QTableWidget;
class QTimer;
class QUndoStack;

namespace frostline {

class StoreController;

// Edits a migration policy: the seven fields with units, ranges and inline validation, presets,
// undo/redo, JSON/TOML files, a field-by-field diff against the store's active policy with its
// impact from two previews, and Apply.
class PolicyEditorPage : public QWidget
{
    Q_OBJECT
public:
    enum Field
    {
        AgeThreshold,
        MemoryThreshold,
        MinHotVersions,
        BatchSize,
        RunInterval,
        Enabled,
        EnableLru,
        FieldCount
    };

    // controller may be nullptr (no store: editing, files and validation still work).
    explicit PolicyEditorPage(StoreController* controller, QWidget* parent = nullptr);
    ~PolicyEditorPage() override;

    MigrationPolicy policy() const { return m_policy; }
    MigrationPolicy activePolicy() const { return m_active; }
    QUndoStack* undoStack() const { return m_undo; }

    // The inline message shown next to a field ("" when the field is fine).
    QString fieldMessage(Field field) const;
    QString fieldHint(Field field) const; // the text beside the field ("= 1.0 GiB")
    // The last file load/save message, and the apply/impact lines.
    QString fileMessage() const;
    QString applyMessage() const;
    QString impactText() const;

    // What the Load/Save buttons do after their file dialog; errors are shown inline.
    bool loadFrom(const QString& path);
    bool saveTo(const QString& path);

    // "+12,408 versions / +3.1 MiB would move, 212 entities affected": what moving from the
    // `active` preview to the `edited` one changes (entities whose set of moving versions differs).
    static QString impactText(const Selection& active, const Selection& edited);

    // JSON key of a field.
    static QString fieldKey(Field field);

public slots:
    // Replaces the edited policy as one undoable step.
    void setPolicy(const frostline::MigrationPolicy& policy);
    void applyToStore();
    void refreshImpact();

signals:
    // Debounced (~250 ms): the edited policy, whenever it is valid and differs from the last one
    // emitted (initially: the policy the page started with).
    void policyEdited(const frostline::MigrationPolicy& policy);

private:
    friend class PolicyEditCommand;
    enum class ImpactStage
    {
        Idle,
        WaitingActive,
        WaitingEdited
    };

    StoreController* m_controller;
    MigrationPolicy m_policy;
    std::optional<QString> m_storePath; // the store m_active is of; none before the first open
    bool m_applyMessageIsError = false; // an error stays until dealt with; other messages go
    MigrationPolicy m_active;
    MigrationPolicy m_lastEmitted;
    QUndoStack* m_undo;
    QTimer* m_debounce;
    quint64 m_editSession = 1;
    bool m_pushing = false;

    QDoubleSpinBox* m_age = nullptr;
    QDoubleSpinBox* m_memory = nullptr;
    QDoubleSpinBox* m_minHot = nullptr;
    QDoubleSpinBox* m_batch = nullptr;
    QDoubleSpinBox* m_interval = nullptr;
    QCheckBox* m_enabled = nullptr;
    QCheckBox* m_lru = nullptr;
    std::array<QLabel*, FieldCount> m_hints{};
    std::array<QLabel*, FieldCount> m_messages{};
    QComboBox* m_preset = nullptr;
    QLabel* m_fileMessage = nullptr;
    QLabel* m_applyMessage = nullptr;
    QPushButton* m_apply = nullptr;
    QTableWidget* m_diff = nullptr;
    QLabel* m_impact = nullptr;

    // Impact: two previews (active, then edited) at one instant, one after the other;
    // only the answer to this page's newest request is taken.
    ImpactStage m_impactStage = ImpactStage::Idle;
    MigrationPolicy m_impactActive, m_impactEdited;
    qint64 m_impactNow = 0;
    quint64 m_impactRequested = 0; // the generation of the impact's newest preview request
    std::shared_ptr<const Selection> m_activeSelection;

    void buildUi();
    // Shows `policy` in every widget (signals blocked), revalidates, refreshes the diff, and
    // restarts the debounce. Called by PolicyEditCommand on redo/undo.
    void showPolicy(const MigrationPolicy& policy);
    void pushEdit(const MigrationPolicy& after, const QString& text, int mergeKey);
    void editField(Field field);
    void updateValidation();
    void updateHints();
    void updatePresetBox();
    void updateDiff();
    void emitIfChanged();
    void setFileMessage(const QString& text, bool error);
    void setApplyMessage(const QString& text, bool error);
    void setImpact(const QString& text);
    void requestImpactPreview();
    void onPreviewReady(quint64 generation, const frostline::MigrationPolicy& policy, qint64 now,
                        std::shared_ptr<const frostline::Selection> selection);
    void onStoreOpened();
    void onStoreClosed();
    void onPolicyApplied(const frostline::MigrationPolicy& policy);
    void onOperationFailed(const QString& what, const QString& message);
    void loadWithDialog();
    void saveWithDialog();
};

} // namespace frostline
