#pragma once

#include "storecontroller.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;
class QTimer;

namespace frostline {

class LsnRuler;
class WalRecordModel;
class WalSegmentModel;

// The WAL/LSN inspector: the LSN ruler with why truncation is blocked, the segments with their
// deletion verdict, and a browser of the decoded records of the selected segment. Live: it
// refreshes through the controller while visible and after every migration or checkpoint.
class WalInspectorPage : public QWidget
{
    Q_OBJECT
public:
    explicit WalInspectorPage(StoreController* controller, QWidget* parent = nullptr);

    WalSegmentModel* segmentModel() const { return m_segments; }
    WalRecordModel* recordModel() const { return m_records; }
    LsnRuler* ruler() const { return m_ruler; }
    QTableView* segmentView() const { return m_segmentView; }
    QString truncationText() const;

    // How many records one read shows (the Next button reads the following ones).
    void setRecordsPerPage(int records) { m_recordsPerPage = records; }
    QString recordTitle() const;
    QPushButton* nextRecordsButton() const { return m_nextRecords; }

public slots:
    void refresh();
    void selectSegment(int row, quint64 fromLsn = 0);
    // The records from LSN on, in the segment that holds it (the CLI's wal --from-lsn).
    void showRecordsFrom(quint64 lsn);

protected:
    void showEvent(QShowEvent* event) override;
    void hideEvent(QHideEvent* event) override;

private:
    void onWalUpdated(const std::vector<WalSegmentStatus>& segments, quint64 lastLsn,
                      quint64 flushedLsn);
    void onRecords(const WalSegmentInfo& segment,
                   std::shared_ptr<const std::vector<DecodedWalRecord>> records, bool more);

    StoreController* m_controller;
    LsnRuler* m_ruler;
    QLabel* m_summary;
    QLabel* m_truncation;
    WalSegmentModel* m_segments;
    QTableView* m_segmentView;
    WalRecordModel* m_records;
    QTableView* m_recordView;
    QLabel* m_recordTitle;
    QLineEdit* m_goToLsn;
    QPushButton* m_nextRecords;
    int m_recordsPerPage = 20000;
    quint64 m_lastShownLsn = 0;
    QTimer* m_timer;
    quint64 m_checkpointLsn = 0;
    QString m_selectedFile;
};

} // namespace frostline
