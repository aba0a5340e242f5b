#pragma once

#include "coldtier.h"
#include "store.h"

#include <QWidget>

#include <optional>
#include <vector>

class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QTableView;

namespace frostline {

class HistoryModel;
class StoreController;

// The cold tier as an operator sees it: Berkeley DB statistics, any version by id (with its
// tier), and an entity's history across both tiers with an as-of lookup that highlights the
// version a bi-temporal read at (tx time, valid time) returns.
class ColdBrowserPage : public QWidget
{
    Q_OBJECT
public:
    explicit ColdBrowserPage(StoreController* controller, QWidget* parent = nullptr);
    ~ColdBrowserPage() override;

    HistoryModel* historyModel() const { return m_history; }
    QTableView* historyView() const { return m_historyView; }
    // The statistics field shown for a key ("records", "pages", "page size", "cache hit rate",
    // "log files", "durability", "Berkeley DB version", ...); empty when unknown.
    QString statisticText(const QString& key) const;
    QString versionText() const;
    QString historyStatus() const;
    QString asOfText() const;

    // Formats a version with all its fields and its tier, one field per line.
    static QString describeVersion(const TieredVersion& version);

public slots:
    void refreshStatistics();
    void lookupVersion(quint64 versionId);
    void lookupHistory(const frostline::EntityKey& entity);
    // Highlights the history row an as-of read returns; each time optional. Returns the row or -1.
    int findAsOf(std::optional<qint64> txTime, std::optional<qint64> validTime);

    // The controller's results (connected in the constructor; public so a page can be fed
    // directly).
    void showStatistics(const frostline::ColdStatistics& statistics);
    void showVersion(quint64 versionId, const std::optional<frostline::TieredVersion>& version);
    void showHistory(const frostline::EntityKey& entity,
                     const std::vector<frostline::TieredVersion>& versions);

signals:
    void statisticsShown();
    void versionShown();
    void historyShown();

private:
    StoreController* m_controller;
    HistoryModel* m_history;
    QTableView* m_historyView = nullptr;
    QFormLayout* m_statsForm = nullptr;
    QList<QPair<QString, QLabel*>> m_statLabels;
    QLineEdit* m_versionInput = nullptr;
    QPlainTextEdit* m_versionText = nullptr;
    QComboBox* m_kind = nullptr;
    QLineEdit* m_entityInput = nullptr;
    QLabel* m_historyStatus = nullptr;
    QCheckBox* m_useTx = nullptr;
    QCheckBox* m_useValid = nullptr;
    QDateTimeEdit* m_txTime = nullptr;
    QDateTimeEdit* m_validTime = nullptr;
    QLabel* m_asOf = nullptr;
    QLabel* m_error = nullptr;

    std::optional<quint64> m_pendingVersion;
    std::optional<EntityKey> m_pendingHistory;

    void buildUi();
    QLabel* statLabel(const QString& key) const;
    void onStoreOpened();
    void onStoreClosed();
    void onOperationFailed(const QString& what, const QString& message);
    void findAsOfFromPickers();
};

} // namespace frostline
