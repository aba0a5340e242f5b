#pragma once

#include "storecontroller.h"

#include <QElapsedTimer>
#include <QWidget>

class QChart;
class QChartView;
class QLabel;
class QLineSeries;
class QProgressBar;
class QTimer;
class QValueAxis;

namespace frostline {

// The dashboard: hot vs cold counts and bytes, hot memory against the active policy's
// threshold, the WAL's size, and charts of hot size and migration throughput over the session.
// Refreshed on a timer through the controller (a worker reads the figures; never blocking).
class DashboardPage : public QWidget
{
    Q_OBJECT
public:
    explicit DashboardPage(StoreController* controller, QWidget* parent = nullptr);

    QLineSeries* hotSizeSeries() const { return m_hotSeries; }
    QLineSeries* throughputSeries() const { return m_rateSeries; }
    QProgressBar* memoryBar() const { return m_memoryBar; }
    QString figuresText() const;

public slots:
    void refresh();

private:
    void onStatistics(const StoreStatistics& s);
    void onBatch(const BatchCommitResult& batch, const MigrationProgress& progress);
    void resetSession();
    static void fitAxis(QValueAxis* axis, double max);

    StoreController* m_controller;
    QLabel* m_hot;
    QLabel* m_cold;
    QLabel* m_wal;
    QLabel* m_lsn;
    QLabel* m_encryption;
    QProgressBar* m_memoryBar;
    QLabel* m_memoryText;
    QLineSeries* m_hotSeries;
    QLineSeries* m_rateSeries;
    QValueAxis* m_hotX;
    QValueAxis* m_hotY;
    QValueAxis* m_rateX;
    QValueAxis* m_rateY;
    QTimer* m_timer;
    QElapsedTimer m_session;
    double m_hotMax = 0, m_rateMax = 0;
};

} // namespace frostline
