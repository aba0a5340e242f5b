#include "coldbrowserpage.h"

#include "displayformat.h"
#include "historymodel.h"
#include "instantedit.h"
#include "storecontroller.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace frostline {

namespace {

const char* const kStatKeys[] = {
    "records",     "node versions", "edge versions",      "cold bytes",     "hot checkpoint",
    "flushed LSN", "pages",         "page size",          "cache hit rate", "cache size",
    "log files",   "durability",    "Berkeley DB version"};

QRegularExpressionValidator* idValidator(QObject* parent)
{
    return new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[0-9]{1,20}")),
                                           parent);
}

} // namespace

ColdBrowserPage::ColdBrowserPage(StoreController* controller, QWidget* parent)
    : QWidget(parent), m_controller(controller), m_history(new HistoryModel(this))
{
    buildUi();
    if (m_controller) {
        connect(m_controller, &StoreController::coldStatisticsUpdated, this,
                &ColdBrowserPage::showStatistics);
        connect(m_controller, &StoreController::versionFound, this, &ColdBrowserPage::showVersion);
        connect(m_controller, &StoreController::historyFound, this, &ColdBrowserPage::showHistory);
        connect(m_controller, &StoreController::storeOpened, this, &ColdBrowserPage::onStoreOpened);
        connect(m_controller, &StoreController::storeClosed, this, &ColdBrowserPage::onStoreClosed);
        connect(m_controller, &StoreController::operationFailed, this,
                &ColdBrowserPage::onOperationFailed);
        // A run that moved versions changed the cold tier's figures (they showed 0 after one).
        connect(m_controller, &StoreController::hotTierChanged, this,
                &ColdBrowserPage::refreshStatistics);
        if (m_controller->isOpen())
            refreshStatistics();
    }
}

ColdBrowserPage::~ColdBrowserPage() = default;

void ColdBrowserPage::buildUi()
{
    auto* layout = new QVBoxLayout(this);
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("error"));
    m_error->setStyleSheet(QStringLiteral("color: #b00020;"));
    m_error->setWordWrap(true);
    m_error->hide();
    layout->addWidget(m_error);

    auto* upper = new QHBoxLayout;
    // Berkeley DB statistics.
    auto* statsBox = new QGroupBox(tr("Berkeley DB"), this);
    auto* statsLayout = new QVBoxLayout(statsBox);
    m_statsForm = new QFormLayout;
    for (const char* key : kStatKeys) {
        auto* value = new QLabel(QStringLiteral("–"), this);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        value->setWordWrap(true);
        m_statsForm->addRow(QString::fromUtf8(key) + QLatin1Char(':'), value);
        m_statLabels.append({QString::fromUtf8(key), value});
    }
    statsLayout->addLayout(m_statsForm);
    auto* refresh = new QPushButton(tr("Refresh"), this);
    connect(refresh, &QPushButton::clicked, this, &ColdBrowserPage::refreshStatistics);
    statsLayout->addWidget(refresh, 0, Qt::AlignLeft);
    upper->addWidget(statsBox, 1);

    // Version lookup.
    auto* versionBox = new QGroupBox(tr("Version"), this);
    auto* versionLayout = new QVBoxLayout(versionBox);
    auto* versionRow = new QHBoxLayout;
    m_versionInput = new QLineEdit(this);
    m_versionInput->setObjectName(QStringLiteral("versionInput"));
    m_versionInput->setPlaceholderText(tr("version id"));
    m_versionInput->setValidator(idValidator(this));
    auto* lookup = new QPushButton(tr("Look up"), this);
    auto lookupNow = [this] {
        bool ok = false;
        const quint64 id = m_versionInput->text().toULongLong(&ok);
        if (ok)
            lookupVersion(id);
    };
    connect(lookup, &QPushButton::clicked, this, lookupNow);
    connect(m_versionInput, &QLineEdit::returnPressed, this, lookupNow);
    versionRow->addWidget(m_versionInput);
    versionRow->addWidget(lookup);
    versionLayout->addLayout(versionRow);
    m_versionText = new QPlainTextEdit(this);
    m_versionText->setObjectName(QStringLiteral("versionText"));
    m_versionText->setReadOnly(true);
    versionLayout->addWidget(m_versionText, 1);
    upper->addWidget(versionBox, 1);
    layout->addLayout(upper);

    // History across both tiers, with as-of.
    auto* historyBox = new QGroupBox(tr("History across both tiers"), this);
    auto* historyLayout = new QVBoxLayout(historyBox);
    auto* entityRow = new QHBoxLayout;
    m_kind = new QComboBox(this);
    m_kind->setObjectName(QStringLiteral("kind"));
    m_kind->addItem(tr("node"), int(EntityKind::Node));
    m_kind->addItem(tr("edge"), int(EntityKind::Edge));
    m_entityInput = new QLineEdit(this);
    m_entityInput->setObjectName(QStringLiteral("entityInput"));
    m_entityInput->setPlaceholderText(tr("entity id"));
    m_entityInput->setValidator(idValidator(this));
    auto* show = new QPushButton(tr("Show history"), this);
    auto showNow = [this] {
        bool ok = false;
        const quint64 id = m_entityInput->text().toULongLong(&ok);
        if (ok)
            lookupHistory({EntityKind(m_kind->currentData().toInt()), id});
    };
    connect(show, &QPushButton::clicked, this, showNow);
    connect(m_entityInput, &QLineEdit::returnPressed, this, showNow);
    entityRow->addWidget(m_kind);
    entityRow->addWidget(m_entityInput);
    entityRow->addWidget(show);
    m_historyStatus = new QLabel(this);
    m_historyStatus->setObjectName(QStringLiteral("historyStatus"));
    entityRow->addWidget(m_historyStatus, 1);
    historyLayout->addLayout(entityRow);

    auto* asOfRow = new QHBoxLayout;
    asOfRow->addWidget(new QLabel(tr("As of"), this));
    m_useTx = new QCheckBox(tr("tx time"), this);
    m_useTx->setChecked(true);
    m_txTime = new InstantEdit(this, QStringLiteral("txTime"));
    m_useValid = new QCheckBox(tr("valid time"), this);
    m_useValid->setChecked(true);
    m_validTime = new InstantEdit(this, QStringLiteral("validTime"));
    connect(m_useTx, &QCheckBox::toggled, m_txTime, &QWidget::setEnabled);
    connect(m_useValid, &QCheckBox::toggled, m_validTime, &QWidget::setEnabled);
    auto* find = new QPushButton(tr("Find"), this);
    connect(find, &QPushButton::clicked, this, &ColdBrowserPage::findAsOfFromPickers);
    asOfRow->addWidget(m_useTx);
    asOfRow->addWidget(m_txTime);
    asOfRow->addWidget(m_useValid);
    asOfRow->addWidget(m_validTime);
    asOfRow->addWidget(find);
    m_asOf = new QLabel(this);
    m_asOf->setObjectName(QStringLiteral("asOf"));
    m_asOf->setWordWrap(true);
    asOfRow->addWidget(m_asOf, 1);
    historyLayout->addLayout(asOfRow);

    m_historyView = new QTableView(this);
    m_historyView->setObjectName(QStringLiteral("history"));
    m_historyView->setModel(m_history);
    m_historyView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_historyView->verticalHeader()->hide();
    m_historyView->horizontalHeader()->setStretchLastSection(true);
    connect(m_historyView, &QTableView::activated, this, [this](const QModelIndex& index) {
        if (const TieredVersion* v = m_history->versionAt(index.row())) {
            m_versionText->setPlainText(describeVersion(*v));
            m_versionInput->setText(QString::number(v->version.versionId));
        }
    });
    historyLayout->addWidget(m_historyView, 1);
    layout->addWidget(historyBox, 2);
}

QLabel* ColdBrowserPage::statLabel(const QString& key) const
{
    for (const auto& [name, label] : m_statLabels) {
        if (name == key)
            return label;
    }
    return nullptr;
}

QString ColdBrowserPage::statisticText(const QString& key) const
{
    const QLabel* label = statLabel(key);
    return label ? label->text() : QString();
}

QString ColdBrowserPage::versionText() const
{
    return m_versionText->toPlainText();
}

QString ColdBrowserPage::historyStatus() const
{
    return m_historyStatus->text();
}

QString ColdBrowserPage::asOfText() const
{
    return m_asOf->text();
}

void ColdBrowserPage::refreshStatistics()
{
    if (m_controller && m_controller->isOpen())
        m_controller->requestColdStatistics();
}

void ColdBrowserPage::lookupVersion(quint64 versionId)
{
    m_pendingVersion = versionId;
    m_error->hide();
    if (!m_controller || !m_controller->isOpen()) {
        m_versionText->setPlainText(tr("No store open."));
        return;
    }
    m_versionText->setPlainText(tr("Looking up version %1…").arg(versionId));
    m_controller->lookupVersion(versionId);
}

void ColdBrowserPage::lookupHistory(const EntityKey& entity)
{
    // The inputs name the entity shown, however it was asked for (a lookup elsewhere too).
    m_kind->setCurrentIndex(m_kind->findData(int(entity.kind)));
    m_entityInput->setText(QString::number(entity.entityId));
    m_pendingHistory = entity;
    m_error->hide();
    if (!m_controller || !m_controller->isOpen()) {
        m_historyStatus->setText(tr("No store open."));
        return;
    }
    m_historyStatus->setText(
        tr("Reading the history of %1 %2…").arg(kindName(entity.kind)).arg(entity.entityId));
    m_controller->lookupHistory(entity);
}

void ColdBrowserPage::showStatistics(const ColdStatistics& s)
{
    auto set = [this](const char* key, const QString& text) {
        if (QLabel* label = statLabel(QLatin1String(key)))
            label->setText(text);
    };
    set("records", DisplayFormat::count(s.nodeVersions + s.edgeVersions + s.checkpointVersions) +
                       tr(" (cold versions + hot checkpoint)"));
    set("node versions", DisplayFormat::count(s.nodeVersions));
    set("edge versions", DisplayFormat::count(s.edgeVersions));
    set("cold bytes", DisplayFormat::bytes(s.coldBytes));
    set("hot checkpoint", tr("%1 versions").arg(DisplayFormat::count(s.checkpointVersions)));
    set("flushed LSN", QString::number(s.flushedLsn));
    set("pages", DisplayFormat::count(s.pages));
    set("page size", DisplayFormat::bytes(s.pageSize));
    set("cache hit rate",
        s.cacheHits + s.cacheMisses == 0
            ? tr("no access yet")
            : tr("%1 % (%2 hits, %3 misses)")
                  .arg(s.cacheHitRate * 100.0, 0, 'f', 1)
                  .arg(DisplayFormat::count(s.cacheHits), DisplayFormat::count(s.cacheMisses)));
    set("cache size", DisplayFormat::bytes(s.cacheBytes));
    set("log files", s.logFiles.isEmpty() ? tr("none")
                                          : QStringLiteral("%1: %2")
                                                .arg(s.logFiles.size())
                                                .arg(s.logFiles.join(QStringLiteral(", "))));
    set("durability", s.durability);
    set("Berkeley DB version", s.berkeleyVersion);
    emit statisticsShown();
}

QString ColdBrowserPage::describeVersion(const TieredVersion& tv)
{
    const Version& v = tv.version;
    QStringList lines;
    lines << tr("version_id: %1").arg(v.versionId) << tr("tier: %1").arg(tierName(tv.tier))
          << tr("kind: %1").arg(kindName(v.kind)) << tr("entity_id: %1").arg(v.entityId)
          << tr("label: %1").arg(v.label);
    if (v.isEdge())
        lines << tr("source: %1").arg(v.source) << tr("target: %1").arg(v.target);
    auto instant = [](qint64 t) {
        return t == kOpenEnd ? QStringLiteral("open")
                             : QStringLiteral("%1 (%2)").arg(t).arg(DisplayFormat::timestamp(t));
    };
    lines << tr("valid_from: %1").arg(instant(v.validFrom))
          << tr("valid_to: %1").arg(instant(v.validTo)) << tr("tx_from: %1").arg(instant(v.txFrom))
          << tr("tx_to: %1").arg(instant(v.txTo))
          << tr("estimated_size: %1 bytes").arg(v.estimatedSize())
          << tr("properties: %1").arg(HistoryModel::propertiesText(v.properties));
    return lines.join(QLatin1Char('\n'));
}

void ColdBrowserPage::showVersion(quint64 versionId, const std::optional<TieredVersion>& version)
{
    // Only the answer to the last question asked; an earlier lookup's late answer is dropped.
    if (m_pendingVersion && *m_pendingVersion != versionId)
        return;
    m_pendingVersion.reset();
    m_versionText->setPlainText(
        version
            ? describeVersion(*version)
            : tr("Version %1 is in neither tier: no such version in this store.").arg(versionId));
    emit versionShown();
}

void ColdBrowserPage::showHistory(const EntityKey& entity,
                                  const std::vector<TieredVersion>& versions)
{
    if (m_pendingHistory && *m_pendingHistory != entity)
        return;
    m_pendingHistory.reset();
    m_history->setHistory(entity, versions);
    quint64 hot = 0, cold = 0;
    for (const TieredVersion& v : versions)
        (v.tier == Tier::Hot ? hot : cold) += 1;
    m_historyStatus->setText(
        versions.empty()
            ? tr("%1 %2 has no versions.").arg(kindName(entity.kind)).arg(entity.entityId)
            : tr("%1 %2: %3 versions, %4 hot, %5 cold.")
                  .arg(kindName(entity.kind))
                  .arg(entity.entityId)
                  .arg(DisplayFormat::count(versions.size()), DisplayFormat::count(hot),
                       DisplayFormat::count(cold)));
    m_asOf->clear();
    m_historyView->resizeColumnsToContents();
    emit historyShown();
}

int ColdBrowserPage::findAsOf(std::optional<qint64> txTime, std::optional<qint64> validTime)
{
    const int row = HistoryModel::asOfRow(m_history->versions(), txTime, validTime);
    m_history->setHighlightedRow(row);
    const QString tx = txTime ? DisplayFormat::timestamp(*txTime) : tr("any tx time");
    const QString valid = validTime ? DisplayFormat::timestamp(*validTime) : tr("any valid time");
    if (row < 0) {
        m_asOf->setText(tr("No version as of %1, valid at %2.").arg(tx, valid));
    } else {
        const TieredVersion& v = *m_history->versionAt(row);
        m_asOf->setText(
            tr("As of %1, valid at %2: version %3 (%4).")
                .arg(tx, valid, QString::number(v.version.versionId), tierName(v.tier)));
        m_historyView->scrollTo(m_history->index(row, 0));
        m_historyView->selectRow(row);
    }
    return row;
}

void ColdBrowserPage::findAsOfFromPickers()
{
    auto micros = [](const QDateTimeEdit* edit) {
        return edit->dateTime().toMSecsSinceEpoch() * 1000;
    };
    findAsOf(m_useTx->isChecked() ? std::optional(micros(m_txTime)) : std::nullopt,
             m_useValid->isChecked() ? std::optional(micros(m_validTime)) : std::nullopt);
}

void ColdBrowserPage::onStoreOpened()
{
    // As-of lookups start at the present of the store just opened.
    for (QDateTimeEdit* edit : {m_txTime, m_validTime})
        edit->setDateTime(QDateTime::currentDateTimeUtc());
    m_history->clear();
    m_versionText->clear();
    m_historyStatus->clear();
    m_asOf->clear();
    refreshStatistics();
}

void ColdBrowserPage::onStoreClosed()
{
    m_pendingVersion.reset();
    m_pendingHistory.reset();
    m_history->clear();
    m_versionText->clear();
    m_historyStatus->setText(tr("No store open."));
    for (const auto& entry : m_statLabels)
        entry.second->setText(QStringLiteral("–"));
}

void ColdBrowserPage::onOperationFailed(const QString& what, const QString& message)
{
    const bool mine = what.contains(QLatin1String("lookup"), Qt::CaseInsensitive) ||
                      what.contains(QLatin1String("version"), Qt::CaseInsensitive) ||
                      what.contains(QLatin1String("history"), Qt::CaseInsensitive) ||
                      what.contains(QLatin1String("cold"), Qt::CaseInsensitive) ||
                      what.contains(QLatin1String("statistic"), Qt::CaseInsensitive);
    if (!mine)
        return;
    m_error->setText(tr("%1 failed: %2").arg(what, message));
    m_error->show();
}

} // namespace frostline
