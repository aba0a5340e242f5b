#include "previewpage.h"

#include "candidatemodel.h"
#include "displayformat.h"
#include "instantedit.h"
#include "previewexplanation.h"
#include "storecontroller.h"
#include "timestamps.h"

#include <QComboBox>
#include <QDateTimeEdit>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace frostline {

PreviewPage::PreviewPage(StoreController* controller, QWidget* parent)
    : QWidget(parent), m_controller(controller), m_model(new CandidateModel(this))
{
    if (m_controller && m_controller->isOpen())
        m_policy = m_controller->activePolicy();
    // Coalesces bursts (typing a date, a flurry of policy edits) into one request.
    m_coalesce = new QTimer(this);
    m_coalesce->setSingleShot(true);
    m_coalesce->setInterval(100);
    connect(m_coalesce, &QTimer::timeout, this, &PreviewPage::request);

    buildUi();

    if (m_controller) {
        connect(m_controller, &StoreController::previewReady, this, &PreviewPage::onPreviewReady);
        connect(m_controller, &StoreController::storeOpened, this, &PreviewPage::onStoreOpened);
        connect(m_controller, &StoreController::storeClosed, this, &PreviewPage::onStoreClosed);
        connect(m_controller, &StoreController::versionLocated, this,
                &PreviewPage::onVersionLocated);
        connect(m_controller, &StoreController::operationFailed, this,
                &PreviewPage::onOperationFailed);
        // A preview is of the hot tier as it was: while a run moves versions it says so, and
        // once they have moved (or an import added some) it is computed again, same policy and
        // instant. Before, it kept showing versions that were cold already.
        connect(m_controller, &StoreController::migrationBatchCommitted, this, [this] {
            if (!m_shown || m_outOfDate)
                return;
            m_outOfDate = true;
            setStatus(m_status->text() +
                      tr(" · out of date: a migration is moving versions; computed again when "
                         "it ends"));
        });
        // Applying the edited policy makes it the active one: the note under the figures follows.
        connect(m_controller, &StoreController::policyApplied, this, [this] {
            if (m_shown && !m_waiting && !m_outOfDate)
                setStatus(shownStatus());
        });
        connect(m_controller, &StoreController::hotTierChanged, this, [this] {
            // An edit waiting to be asked asks soon anyway; else the last question again,
            // exactly (its instant to the microsecond, not the edit's milliseconds).
            if (!m_coalesce->isActive() && (m_shown || m_waiting))
                askWanted();
        });
    }
    if (m_controller && m_controller->isOpen())
        rerun();
    else
        setStatus(tr("No store open."));
}

PreviewPage::~PreviewPage() = default;

void PreviewPage::buildUi()
{
    auto* layout = new QVBoxLayout(this);

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("What would move at"), this));
    // In UTC to the millisecond, as the status line and every other page show instants: in
    // local time to the second it hid the fraction the preview then used.
    m_instant = new InstantEdit(this, QStringLiteral("instant"));
    m_instant->setToolTip(tr("The instant every age is computed at (UTC); a store that opens "
                             "starts at its present"));
    connect(m_instant, &QDateTimeEdit::dateTimeChanged, this, [this] { m_coalesce->start(); });
    top->addWidget(m_instant);
    auto* now = new QPushButton(tr("Now"), this);
    connect(now, &QPushButton::clicked, this, [this] { setInstant(currentMicros()); });
    top->addWidget(now);
    top->addSpacing(16);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("status"));
    // It wraps within the room it is given: as one line ("… out of date: …") it pushed the
    // window wider than a 1600-pixel screen.
    m_status->setWordWrap(true);
    m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_status->setMinimumWidth(200);
    top->addWidget(m_status, 1);
    layout->addLayout(top);

    auto* filters = new QHBoxLayout;
    filters->addWidget(new QLabel(tr("Show"), this));
    m_kindFilter = new QComboBox(this);
    m_kindFilter->setObjectName(QStringLiteral("kindFilter"));
    m_kindFilter->addItem(tr("nodes and edges"), -1);
    m_kindFilter->addItem(tr("nodes"), int(EntityKind::Node));
    m_kindFilter->addItem(tr("edges"), int(EntityKind::Edge));
    m_reasonFilter = new QComboBox(this);
    m_reasonFilter->setObjectName(QStringLiteral("reasonFilter"));
    m_reasonFilter->addItem(tr("any reason"), -1);
    m_reasonFilter->addItem(tr("age"), int(CandidateReason::Age));
    m_reasonFilter->addItem(tr("memory"), int(CandidateReason::Memory));
    connect(m_kindFilter, &QComboBox::currentIndexChanged, this, &PreviewPage::applyFilter);
    connect(m_reasonFilter, &QComboBox::currentIndexChanged, this, &PreviewPage::applyFilter);
    filters->addWidget(m_kindFilter);
    filters->addWidget(m_reasonFilter);
    filters->addStretch(1);
    layout->addLayout(filters);

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("candidates"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAlternatingRowColors(true);
    // Fixed row heights keep a million-row table from measuring rows.
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(CandidateModel::OrderColumn, Qt::AscendingOrder);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &PreviewPage::explainCurrentRow);
    layout->addWidget(m_view, 1);

    m_totals = new QLabel(this);
    m_totals->setObjectName(QStringLiteral("totals"));
    m_totals->setWordWrap(true);
    m_totals->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_totals);

    auto* why = new QHBoxLayout;
    why->addWidget(new QLabel(tr("Why does version"), this));
    m_versionInput = new QLineEdit(this);
    m_versionInput->setObjectName(QStringLiteral("versionInput"));
    m_versionInput->setPlaceholderText(tr("version id"));
    m_versionInput->setValidator(
        new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[0-9]{1,20}")), this));
    m_versionInput->setMaximumWidth(180);
    why->addWidget(m_versionInput);
    auto* ask = new QPushButton(tr("stay hot or move?"), this);
    auto askNow = [this] {
        bool ok = false;
        const quint64 id = m_versionInput->text().toULongLong(&ok);
        if (ok)
            explainVersion(id);
    };
    connect(ask, &QPushButton::clicked, this, askNow);
    connect(m_versionInput, &QLineEdit::returnPressed, this, askNow);
    why->addWidget(ask);
    why->addStretch(1);
    layout->addLayout(why);
    m_explanation = new QLabel(this);
    m_explanation->setObjectName(QStringLiteral("explanation"));
    m_explanation->setWordWrap(true);
    m_explanation->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_explanation);
}

qint64 PreviewPage::instant() const
{
    return m_instant->dateTime().toMSecsSinceEpoch() * 1000;
}

QString PreviewPage::statusText() const
{
    return m_status->text();
}

QString PreviewPage::totalsText() const
{
    return m_totals->text();
}

QString PreviewPage::explanationText() const
{
    return m_explanation->text();
}

void PreviewPage::setPolicy(const MigrationPolicy& policy)
{
    m_policy = policy;
    m_coalesce->start();
}

void PreviewPage::setInstant(qint64 micros)
{
    // The edit holds milliseconds; keep the instant exactly as given for the request.
    const QSignalBlocker block(m_instant);
    m_instant->setDateTime(QDateTime::fromMSecsSinceEpoch(micros / 1000, Qt::UTC));
    m_wantedNow = micros;
    m_coalesce->stop();
    if (!m_controller || !m_controller->isOpen())
        return;
    m_wantedPolicy = m_policy;
    askWanted();
}

void PreviewPage::rerun()
{
    m_coalesce->stop();
    request();
}

void PreviewPage::request()
{
    if (!m_controller || !m_controller->isOpen()) {
        setStatus(tr("No store open."));
        return;
    }
    m_wantedPolicy = m_policy;
    m_wantedNow = instant();
    askWanted();
}

void PreviewPage::askWanted()
{
    m_waiting = true;
    setStatus(tr("computing…"));
    m_requested = m_controller->requestPreview(m_wantedPolicy, m_wantedNow, this);
}

void PreviewPage::setStatus(const QString& text)
{
    m_status->setText(text);
}

void PreviewPage::onPreviewReady(quint64 generation, const MigrationPolicy& policy, qint64 now,
                                 std::shared_ptr<const Selection> selection)
{
    // Only the answer to this page's newest question (another page's are not ours).
    if (!m_waiting || !selection || generation != m_requested)
        return;
    showSelection(policy, now, std::move(selection));
}

void PreviewPage::showSelection(const MigrationPolicy& policy, qint64 now,
                                std::shared_ptr<const Selection> selection)
{
    m_waiting = false;
    m_outOfDate = false;
    m_shown = selection;
    m_shownPolicy = policy;
    m_shownNow = now;
    m_model->setSelection(std::move(selection));
    setStatus(shownStatus());
    updateTotals();
    m_explanation->clear();
    m_locating.reset();
    emit previewShown();
}

QString PreviewPage::shownStatus() const
{
    const Selection& s = *m_shown;
    QString status =
        tr("%1 of %2 hot versions would move (%3 of %4) at %5")
            .arg(DisplayFormat::count(s.candidates.size()), DisplayFormat::count(s.hotVersions),
                 DisplayFormat::bytes(s.candidateBytes), DisplayFormat::bytes(s.hotBytes),
                 DisplayFormat::timestamp(m_shownNow));
    if (!m_shownPolicy.enabled)
        status = tr("The policy is disabled: nothing moves.");
    // The page follows the policy editor as it is edited; Run once and the service migrate by
    // the active policy. Which of the two the figures are of is said, since they can differ.
    if (m_controller && m_controller->isOpen())
        status += m_shownPolicy == m_controller->activePolicy()
                      ? tr(" — by the store's active policy")
                      : tr(" — by the edited policy, not applied yet (Run once and the service "
                           "migrate by the active one)");
    return status;
}

void PreviewPage::applyFilter()
{
    const int kind = m_kindFilter->currentData().toInt();
    const int reason = m_reasonFilter->currentData().toInt();
    m_model->setFilter(kind < 0 ? std::nullopt : std::optional(EntityKind(kind)),
                       reason < 0 ? std::nullopt : std::optional(CandidateReason(reason)));
    updateTotals();
}

void PreviewPage::updateTotals()
{
    if (!m_shown) {
        m_totals->clear();
        return;
    }
    const CandidateModel::Totals& t = m_model->totals();
    QString text =
        tr("Would move: %1 versions, %2 — nodes %3 (%4), edges %5 (%6) — by age %7 (%8), "
           "by memory pressure %9 (%10).")
            .arg(DisplayFormat::count(t.versions), DisplayFormat::bytes(t.bytes),
                 DisplayFormat::count(t.nodeVersions), DisplayFormat::bytes(t.nodeBytes),
                 DisplayFormat::count(t.edgeVersions), DisplayFormat::bytes(t.edgeBytes),
                 DisplayFormat::count(t.ageVersions), DisplayFormat::bytes(t.ageBytes),
                 DisplayFormat::count(t.memoryVersions))
            .arg(DisplayFormat::bytes(t.memoryBytes));
    text +=
        tr(" Hot tier after the move: %1.").arg(DisplayFormat::bytes(m_shown->projectedHotBytes));
    if (m_model->kindFilter() || m_model->reasonFilter()) {
        const CandidateModel::Totals shown = m_model->shownTotals();
        text += tr(" Shown: %1 versions, %2.")
                    .arg(DisplayFormat::count(shown.versions), DisplayFormat::bytes(shown.bytes));
    }
    m_totals->setText(text);
}

QString PreviewPage::explainVersion(quint64 versionId)
{
    m_locating.reset();
    QString text;
    if (!m_shown) {
        text = tr("No preview yet: open a store and wait for the preview to finish.");
    } else if (auto explained = PreviewExplanation::explain(*m_shown, m_shownPolicy, versionId)) {
        text = *explained;
    } else if (m_controller && m_controller->isOpen()) {
        // Not in this preview's snapshot of the hot tier: where it is now says why.
        text =
            tr("version %1 is not in the hot tier of this preview: looking it up…").arg(versionId);
        m_locating = versionId;
        m_controller->locateVersion(versionId);
    } else {
        text = tr("version %1 is not in the hot tier of this preview").arg(versionId);
    }
    m_explanation->setText(text);
    return text;
}

void PreviewPage::onVersionLocated(quint64 versionId, const std::optional<TieredVersion>& version)
{
    if (m_locating != versionId)
        return; // an answer to an earlier question, or the preview changed since
    m_locating.reset();
    // The cold tier's answer in the same words as `preview --explain`.
    if (!version)
        m_explanation->setText(tr("There is no version %1 in this store.").arg(versionId));
    else if (version->tier == Tier::Cold)
        m_explanation->setText(PreviewExplanation::alreadyCold(version->version));
    else
        m_explanation->setText(tr("version %1 is hot, but arrived after this preview was "
                                  "computed: compute the preview again (Now) for its verdict.")
                                   .arg(versionId));
}

void PreviewPage::explainCurrentRow()
{
    const Candidate* c = m_model->candidateAt(m_view->currentIndex().row());
    if (c) {
        m_versionInput->setText(QString::number(c->versionId));
        explainVersion(c->versionId);
    }
}

void PreviewPage::onStoreOpened()
{
    m_policy = m_controller->activePolicy();
    m_requested = 0;
    {
        // A store opened now is previewed at now, not when the window was made.
        const QSignalBlocker block(m_instant);
        m_instant->setDateTime(QDateTime::currentDateTimeUtc());
    }
    rerun();
}

void PreviewPage::onStoreClosed()
{
    m_waiting = false;
    m_shown.reset();
    m_model->setSelection(nullptr);
    updateTotals();
    m_explanation->clear();
    m_locating.reset();
    setStatus(tr("No store open."));
}

void PreviewPage::onOperationFailed(const QString& what, const QString& message)
{
    if (m_locating && what == StoreController::explainOperation()) {
        m_explanation->setText(
            tr("version %1 could not be looked up: %2").arg(*m_locating).arg(message));
        m_locating.reset();
        return;
    }
    if (!m_waiting || !what.contains(QLatin1String("preview"), Qt::CaseInsensitive))
        return;
    m_waiting = false;
    setStatus(tr("Preview failed: %1").arg(message));
}

} // namespace frostline
