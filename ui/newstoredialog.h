#pragma once

#include <QDialog>

class QCheckBox;
class QDialogButtonBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QSpinBox;

namespace frostline {

class StoreController;

// "New demo store": a new directory plus a generated workload (entities, versions, span, seed),
// optionally encrypted at rest with a passphrase typed twice.
// Generation runs on the controller's worker; the dialog shows its progress and closes once the
// new store is open, or shows the failure inline and stays open.
class NewStoreDialog : public QDialog
{
    Q_OBJECT
public:
    explicit NewStoreDialog(StoreController* controller, QWidget* parent = nullptr);

    void setPath(const QString& path);
    void setWorkload(quint64 entities, quint64 versions, double spanDays, quint64 seed);
    // Ticks "Encrypt this store" and fills both passphrase fields (tests; the fields are cleared
    // once the store has been handed its passphrase).
    void setEncryption(bool encrypt, const QString& passphrase = {},
                       const QString& confirmation = {});
    QString statusText() const; // the inline message (validation, progress, failure)

public slots:
    void create();
    void reject() override;

private:
    void setBusy(bool busy);

    StoreController* m_controller;
    QLineEdit* m_path;
    QSpinBox* m_entities;
    QSpinBox* m_versions;
    QDoubleSpinBox* m_span;
    QSpinBox* m_seed;
    QCheckBox* m_encrypt;
    QLineEdit* m_passphrase;
    QLineEdit* m_confirmation;
    QProgressBar* m_progress;
    QLabel* m_status;
    QDialogButtonBox* m_buttons;
    bool m_busy = false;
};

} // namespace frostline
