#include "dashboardpage.h"

#include "displayformat.h"

#include <QChart>
#include <QChartView>
#include <QGridLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineSeries>
#include <QProgressBar>
#include <QScatterSeries>
#include <QTimer>
#include <QVBoxLayout>
#include <QValueAxis>

namespace frostline {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;
// Points kept per chart; older ones scroll out (the session can run for days).
constexpr int kMaxPoints = 3600;

QChartView* makeChart(const QString& title, QLineSeries* series, QValueAxis* x, QValueAxis* y,
                      const QString& xTitle, const QString& yTitle, QWidget* parent)
{
    auto* chart = new QChart;
    chart->setTitle(title);
    chart->legend()->hide();
    chart->addSeries(series);
    x->setTitleText(xTitle);
    y->setTitleText(yTitle);
    x->setLabelFormat(QStringLiteral("%.0f"));
    y->setLabelFormat(QStringLiteral("%.1f"));
    x->setRange(0, 60);
    y->setRange(0, 1);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(y);
    chart->setMargins(QMargins(4, 4, 4, 4));
    auto* view = new QChartView(chart, parent);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(220);
    return view;
}

QLabel* figure(QWidget* parent)
{
    auto* l = new QLabel(parent);
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return l;
}

} // namespace

DashboardPage::DashboardPage(StoreController* controller, QWidget* parent)
    : QWidget(parent), m_controller(controller), m_hot(figure(this)), m_cold(figure(this)),
      m_wal(figure(this)), m_lsn(figure(this)), m_encryption(figure(this)),
      m_memoryBar(new QProgressBar(this)), m_memoryText(figure(this)),
      m_hotSeries(new QLineSeries(this)), m_rateSeries(new QLineSeries(this)),
      m_hotX(new QValueAxis(this)), m_hotY(new QValueAxis(this)), m_rateX(new QValueAxis(this)),
      m_rateY(new QValueAxis(this)), m_timer(new QTimer(this))
{
    m_hotSeries->setName(tr("Hot tier size"));
    m_rateSeries->setName(tr("Migration throughput"));
    m_rateSeries->setPointsVisible(true);

    auto* tiers = new QGroupBox(tr("Tiers"), this);
    auto* grid = new QGridLayout(tiers);
    auto caption = [tiers](const QString& t) {
        auto* l = new QLabel(QStringLiteral("<b>%1</b>").arg(t), tiers);
        return l;
    };
    grid->addWidget(caption(tr("Hot tier (memory)")), 0, 0);
    grid->addWidget(m_hot, 0, 1);
    grid->addWidget(caption(tr("Cold tier (Berkeley DB)")), 1, 0);
    grid->addWidget(m_cold, 1, 1);
    grid->addWidget(caption(tr("Write-ahead log")), 2, 0);
    grid->addWidget(m_wal, 2, 1);
    grid->addWidget(caption(tr("LSNs")), 3, 0);
    grid->addWidget(m_lsn, 3, 1);
    grid->addWidget(caption(tr("Encryption at rest")), 4, 0);
    grid->addWidget(m_encryption, 4, 1);
    grid->setColumnStretch(1, 1);

    auto* memory = new QGroupBox(tr("Hot memory against the active policy's threshold"), this);
    auto* memLayout = new QVBoxLayout(memory);
    m_memoryBar->setRange(0, 1000);
    m_memoryBar->setTextVisible(true);
    memLayout->addWidget(m_memoryBar);
    memLayout->addWidget(m_memoryText);

    auto* charts = new QHBoxLayout;
    charts->addWidget(makeChart(tr("Hot tier size over this session"), m_hotSeries, m_hotX, m_hotY,
                                tr("Session time (s)"), tr("Hot tier size (MiB)"), this));
    charts->addWidget(makeChart(tr("Migration throughput over this session"), m_rateSeries, m_rateX,
                                m_rateY, tr("Session time (s)"), tr("Versions migrated per second"),
                                this));
    m_rateY->setLabelFormat(QStringLiteral("%.0f"));
    for (QValueAxis* y : {m_hotY, m_rateY})
        y->setTickCount(6);
    for (QValueAxis* x : {m_hotX, m_rateX})
        x->setTickCount(7);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(tiers);
    layout->addWidget(memory);
    layout->addLayout(charts, 1);

    m_session.start();
    m_timer->setInterval(1000);
    connect(m_timer, &QTimer::timeout, this, &DashboardPage::refresh);
    m_timer->start();
    connect(m_controller, &StoreController::statisticsUpdated, this, &DashboardPage::onStatistics);
    connect(m_controller, &StoreController::migrationBatchCommitted, this, &DashboardPage::onBatch);
    connect(m_controller, &StoreController::storeOpened, this, &DashboardPage::resetSession);
    connect(m_controller, &StoreController::storeClosed, this, &DashboardPage::resetSession);
    connect(m_controller, &StoreController::policyApplied, this, &DashboardPage::refresh);
    resetSession();
}

QString DashboardPage::figuresText() const
{
    return QStringList{m_hot->text(), m_cold->text(),       m_wal->text(),
                       m_lsn->text(), m_encryption->text(), m_memoryText->text()}
        .join(QLatin1Char('\n'));
}

void DashboardPage::refresh()
{
    // Only the worker reads the figures; the answer arrives as statisticsUpdated.
    m_controller->refreshStatistics();
}

void DashboardPage::resetSession()
{
    m_session.restart();
    m_hotSeries->clear();
    m_rateSeries->clear();
    m_hotMax = m_rateMax = 0;
    m_hotX->setRange(0, 60);
    m_rateX->setRange(0, 60);
    m_hotY->setRange(0, 1);
    m_rateY->setRange(0, 10);
    const QString none = m_controller->isOpen() ? tr("reading…") : tr("no store open");
    for (QLabel* l : {m_hot, m_cold, m_wal, m_lsn, m_encryption})
        l->setText(none);
    m_memoryBar->setValue(0);
    m_memoryBar->setFormat(QString());
    m_memoryText->clear();
    refresh();
}

void DashboardPage::fitAxis(QValueAxis* axis, double max)
{
    // Round the top up to a 1/2/5 step so the labels stay readable.
    double step = 1;
    while (step * 10 < max)
        step *= 10;
    double top = step;
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (step * m >= max) {
            top = step * m;
            break;
        }
    axis->setRange(0, std::max(top, 1.0));
    // Ticks on round values: 0, 1/5 of the top, ...
    axis->setTickCount(6);
}

void DashboardPage::onStatistics(const StoreStatistics& s)
{
    const MigrationPolicy policy = m_controller->activePolicy();
    m_hot->setText(
        tr("%1 versions (%2 nodes, %3 edges) of %4 entities · %5")
            .arg(DisplayFormat::count(s.hotVersions), DisplayFormat::count(s.hotNodeVersions),
                 DisplayFormat::count(s.hotEdgeVersions), DisplayFormat::count(s.hotEntities),
                 DisplayFormat::bytes(quint64(s.hotBytes))));
    m_cold->setText(tr("%1 versions (%2 nodes, %3 edges) · %4 encoded")
                        .arg(DisplayFormat::count(s.coldNodeVersions + s.coldEdgeVersions),
                             DisplayFormat::count(s.coldNodeVersions),
                             DisplayFormat::count(s.coldEdgeVersions),
                             DisplayFormat::bytes(quint64(s.coldBytes))));
    // After a checkpoint every record may be truncated: "LSN 40001 to 40000" read as nonsense.
    const QString records = s.firstWalLsn > s.lastLsn
                                ? tr("no record (the next is LSN %1)").arg(s.firstWalLsn)
                                : tr("LSN %1 to %2").arg(s.firstWalLsn).arg(s.lastLsn);
    m_wal->setText(tr("%1 in %2 segment(s) · %3")
                       .arg(DisplayFormat::bytes(quint64(s.walBytes)),
                            DisplayFormat::count(s.walSegments), records));
    m_lsn->setText(tr("flushed %1 · last written %2 · %3 hot version(s) not yet in the hot "
                      "checkpoint")
                       .arg(s.flushedLsn)
                       .arg(s.lastLsn)
                       .arg(DisplayFormat::count(s.uncheckpointedVersions)));

    m_encryption->setText(s.encrypted
                              ? tr("encrypted (%1): WAL, hot checkpoint and Berkeley DB")
                                    .arg(s.cipher.isEmpty() ? tr("cipher unknown") : s.cipher)
                              : tr("not encrypted"));

    const double threshold = double(std::max<quint64>(1, policy.memoryThresholdBytes));
    const double ratio = double(s.hotBytes) / threshold;
    m_memoryBar->setValue(int(std::min(1.0, ratio) * 1000));
    m_memoryBar->setFormat(QStringLiteral("%1 of %2 (%3%)")
                               .arg(DisplayFormat::bytes(quint64(s.hotBytes)),
                                    DisplayFormat::bytes(policy.memoryThresholdBytes))
                               .arg(ratio * 100, 0, 'f', 1));
    m_memoryText->setText(ratio > 1 ? tr("Memory pressure: the hot tier is above the threshold; "
                                         "the next run also migrates younger versions.")
                                    : tr("Below the threshold: only age-eligible versions "
                                         "migrate."));

    const double t = double(m_session.elapsed()) / 1000.0;
    const double mib = double(s.hotBytes) / kMiB;
    m_hotSeries->append(t, mib);
    if (m_hotSeries->count() > kMaxPoints)
        m_hotSeries->removePoints(0, m_hotSeries->count() - kMaxPoints);
    m_hotMax = std::max(m_hotMax, mib);
    fitAxis(m_hotY, m_hotMax * 1.1);
    const double x0 = m_hotSeries->count() ? m_hotSeries->at(0).x() : 0;
    m_hotX->setRange(x0, std::max(x0 + 60, t));
}

void DashboardPage::onBatch(const BatchCommitResult&, const MigrationProgress& p)
{
    const double t = double(m_session.elapsed()) / 1000.0;
    // A point per quarter second at most: a run of small batches commits hundreds a second, and
    // a chart repaint per batch put the window seconds behind the run. The last batch of a run
    // always gets its point.
    if (p.batch != p.batches && m_rateSeries->count() > 0 &&
        t - m_rateSeries->at(m_rateSeries->count() - 1).x() < 0.25)
        return;
    m_rateSeries->append(t, p.versionsPerSecond);
    if (m_rateSeries->count() > kMaxPoints)
        m_rateSeries->removePoints(0, m_rateSeries->count() - kMaxPoints);
    m_rateMax = std::max(m_rateMax, p.versionsPerSecond);
    fitAxis(m_rateY, m_rateMax * 1.1);
    const double x0 = m_rateSeries->at(0).x();
    m_rateX->setRange(std::min(x0, m_hotX->min()), std::max(m_hotX->max(), t));
}

} // namespace frostline
