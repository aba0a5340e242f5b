#pragma once

#include "candidateselector.h"
#include "migrationpolicy.h"
#include "store.h"

#include <QWidget>

#include <memory>
#include <optional>

class QComboBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QTableView;
class QTimer;

namespace frostline {

class CandidateModel;
class StoreController;

// What would a (not yet applied) policy move at a chosen instant? Runs the selector through the
// controller in the background on every policy or instant change; a newer preview supersedes an
// older one. Shows the candidates (sortable, filterable by kind and reason), totals, and for any
// version "why does this stay hot?" in the selector's own terms.
class PreviewPage : public QWidget
{
    Q_OBJECT
public:
    explicit PreviewPage(StoreController* controller, QWidget* parent = nullptr);
    ~PreviewPage() override;

    MigrationPolicy policy() const { return m_policy; }
    qint64 instant() const; // microseconds since the epoch
    bool isComputing() const { return m_waiting; }
    CandidateModel* model() const { return m_model; }
    QTableView* view() const { return m_view; }
    QString statusText() const;
    QString totalsText() const;
    QString explanationText() const;
    // The preview on screen, its policy and instant (null before the first one).
    std::shared_ptr<const Selection> shownSelection() const { return m_shown; }
    MigrationPolicy shownPolicy() const { return m_shownPolicy; }
    qint64 shownInstant() const { return m_shownNow; }

    // Shows a finished preview directly (what a matching controller result does).
    void showSelection(const MigrationPolicy& policy, qint64 now,
                       std::shared_ptr<const Selection> selection);

public slots:
    void setPolicy(const frostline::MigrationPolicy& policy);
    void setInstant(qint64 micros);
    // Explains one version of the shown preview; the text also appears on the page.
    QString explainVersion(quint64 versionId);
    void rerun();

signals:
    // A preview result was taken and shown.
    void previewShown();

private:
    // The figures of the selection shown, and which policy they are of (active or edited).
    QString shownStatus() const;
    StoreController* m_controller;
    MigrationPolicy m_policy;
    CandidateModel* m_model;
    QTableView* m_view = nullptr;
    QDateTimeEdit* m_instant = nullptr;
    QComboBox* m_kindFilter = nullptr;
    QComboBox* m_reasonFilter = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_totals = nullptr;
    QLineEdit* m_versionInput = nullptr;
    QLabel* m_explanation = nullptr;
    // The version not in the shown preview whose tier is being looked up for the explanation.
    std::optional<quint64> m_locating;
    QTimer* m_coalesce = nullptr;

    bool m_waiting = false;
    bool m_outOfDate = false; // the hot tier changed since the shown preview was computed
    MigrationPolicy m_wantedPolicy;
    qint64 m_wantedNow = 0;
    quint64 m_requested = 0; // the generation of this page's newest preview request
    std::shared_ptr<const Selection> m_shown;
    MigrationPolicy m_shownPolicy;
    qint64 m_shownNow = 0;

    void buildUi();
    void request();
    void updateTotals();
    void applyFilter();
    void explainCurrentRow();
    void setStatus(const QString& text);
    // Asks the controller for the preview of m_wantedPolicy at m_wantedNow.
    void askWanted();
    void onPreviewReady(quint64 generation, const frostline::MigrationPolicy& policy, qint64 now,
                        std::shared_ptr<const frostline::Selection> selection);
    void onStoreOpened();
    void onStoreClosed();
    void onVersionLocated(quint64 versionId,
                          const std::optional<frostline::TieredVersion>& version);
    void onOperationFailed(const QString& what, const QString& message);
};

} // namespace frostline
