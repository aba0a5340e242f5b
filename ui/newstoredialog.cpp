#include "newstoredialog.h"

#include "storecontroller.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

namespace frostline {

NewStoreDialog::NewStoreDialog(StoreController* controller, QWidget* parent)
    : QDialog(parent), m_controller(controller), m_path(new QLineEdit(this)),
      m_entities(new QSpinBox(this)), m_versions(new QSpinBox(this)),
      m_span(new QDoubleSpinBox(this)), m_seed(new QSpinBox(this)),
      m_encrypt(new QCheckBox(tr("Encrypt this store"), this)), m_passphrase(new QLineEdit(this)),
      m_confirmation(new QLineEdit(this)), m_progress(new QProgressBar(this)),
      m_status(new QLabel(this)), m_buttons(new QDialogButtonBox(QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("New demo store"));
    m_path->setPlaceholderText(tr("a new or empty directory"));
    m_path->setText(QDir::home().filePath(QStringLiteral("frostline-demo")));
    auto* browse = new QToolButton(this);
    browse->setText(tr("…"));
    browse->setToolTip(tr("Choose the directory"));
    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(browse);
    m_entities->setRange(1, 10'000'000);
    m_entities->setValue(2000);
    m_versions->setRange(1, 50'000'000);
    m_versions->setValue(50'000);
    m_versions->setSingleStep(10'000);
    m_span->setRange(0.01, 3650);
    m_span->setValue(30);
    m_span->setSuffix(tr(" days"));
    m_seed->setRange(0, 1'000'000'000);
    m_seed->setValue(1);
    m_encrypt->setToolTip(
        tr("AES-256-GCM at rest (WAL, checkpoint, Berkeley DB). The passphrase "
           "is needed at every open and cannot be recovered; it is never saved."));
    for (QLineEdit* e : {m_passphrase, m_confirmation}) {
        e->setEchoMode(QLineEdit::Password);
        e->setEnabled(false);
    }
    m_passphrase->setObjectName(QStringLiteral("passphrase"));
    m_confirmation->setObjectName(QStringLiteral("confirmation"));
    connect(m_encrypt, &QCheckBox::toggled, this, [this](bool on) {
        m_passphrase->setEnabled(on && !m_busy);
        m_confirmation->setEnabled(on && !m_busy);
    });
    m_progress->setRange(0, 100);
    m_progress->setValue(0);
    m_progress->hide();
    m_status->setWordWrap(true);

    auto* form = new QFormLayout;
    form->addRow(tr("Store directory:"), pathRow);
    form->addRow(tr("Entities:"), m_entities);
    form->addRow(tr("Versions:"), m_versions);
    form->addRow(tr("Spread over the last:"), m_span);
    form->addRow(tr("Seed:"), m_seed);
    form->addRow(QString(), m_encrypt);
    form->addRow(tr("Passphrase:"), m_passphrase);
    form->addRow(tr("Confirm passphrase:"), m_confirmation);
    auto* createButton = m_buttons->addButton(tr("Create"), QDialogButtonBox::AcceptRole);
    createButton->setDefault(true);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("Creates a store and fills it with a generated workload: "
                                    "nodes and edges with skewed version counts."),
                                 this));
    layout->addLayout(form);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addWidget(m_buttons);

    connect(browse, &QToolButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Parent directory"));
        if (!dir.isEmpty())
            m_path->setText(QDir(dir).filePath(QStringLiteral("frostline-demo")));
    });
    connect(m_buttons, &QDialogButtonBox::accepted, this, &NewStoreDialog::create);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &NewStoreDialog::reject);
    const QString what = tr("Generate demo store");
    connect(m_controller, &StoreController::operationProgress, this,
            [this, what](const QString& w, StoreController::Phase, qint64 done, qint64 total) {
                if (!m_busy || w != what)
                    return;
                m_progress->setValue(total > 0 ? int(100 * done / total) : 0);
                m_status->setText(tr("Generated %1 of %2 versions…").arg(done).arg(total));
            });
    connect(m_controller, &StoreController::operationFailed, this,
            [this, what](const QString& w, const QString& message) {
                // Only this dialog's work: generating, then opening the new store.
                if (!m_busy || (w != what && w != StoreController::tr("Open store")))
                    return;
                setBusy(false);
                m_status->setText(
                    tr("<b>%1 failed.</b> %2").arg(w.toHtmlEscaped(), message.toHtmlEscaped()));
            });
    connect(m_controller, &StoreController::storeOpened, this, [this] {
        if (!m_busy)
            return;
        setBusy(false);
        accept();
    });
}

void NewStoreDialog::setPath(const QString& path)
{
    m_path->setText(path);
}

void NewStoreDialog::setWorkload(quint64 entities, quint64 versions, double spanDays, quint64 seed)
{
    m_entities->setValue(int(entities));
    m_versions->setValue(int(versions));
    m_span->setValue(spanDays);
    m_seed->setValue(int(seed));
}

void NewStoreDialog::setEncryption(bool encrypt, const QString& passphrase,
                                   const QString& confirmation)
{
    m_encrypt->setChecked(encrypt);
    m_passphrase->setText(passphrase);
    m_confirmation->setText(confirmation);
}

QString NewStoreDialog::statusText() const
{
    return m_status->text();
}

void NewStoreDialog::setBusy(bool busy)
{
    m_busy = busy;
    for (QWidget* w :
         std::initializer_list<QWidget*>{m_path, m_entities, m_versions, m_span, m_seed, m_encrypt})
        w->setEnabled(!busy);
    m_passphrase->setEnabled(!busy && m_encrypt->isChecked());
    m_confirmation->setEnabled(!busy && m_encrypt->isChecked());
    if (QPushButton* b = m_buttons->button(QDialogButtonBox::Cancel))
        b->setText(busy ? tr("Stop") : tr("Cancel"));
    for (QAbstractButton* b : m_buttons->buttons())
        if (m_buttons->buttonRole(b) == QDialogButtonBox::AcceptRole)
            b->setEnabled(!busy);
    m_progress->setVisible(busy);
}

void NewStoreDialog::create()
{
    if (m_busy)
        return;
    const QString path = m_path->text().trimmed();
    if (path.isEmpty()) {
        m_status->setText(tr("Choose a directory for the new store."));
        return;
    }
    if (quint64(m_versions->value()) < quint64(m_entities->value())) {
        m_status->setText(tr("Every entity needs at least one version: give at least as many "
                             "versions as entities."));
        return;
    }
    QByteArray passphrase;
    if (m_encrypt->isChecked()) {
        if (m_passphrase->text().isEmpty()) {
            m_status->setText(tr("Enter a passphrase for the encrypted store (and confirm it)."));
            return;
        }
        if (m_passphrase->text() != m_confirmation->text()) {
            m_status->setText(tr("The passphrase and its confirmation do not match."));
            return;
        }
        passphrase = m_passphrase->text().toUtf8();
        // Handed to the controller now; the fields need not hold it any longer.
        m_passphrase->clear();
        m_confirmation->clear();
    }
    setBusy(true);
    m_progress->setValue(0);
    m_status->setText(passphrase.isEmpty() ? tr("Creating %1…").arg(path)
                                           : tr("Creating %1 (encrypted)…").arg(path));
    m_controller->createDemoStore(path, quint64(m_entities->value()), quint64(m_versions->value()),
                                  m_span->value(), quint64(m_seed->value()), passphrase);
    passphrase.clear();
}

void NewStoreDialog::reject()
{
    if (m_busy) {
        // Stop generating at the next slice; what was generated so far is kept and opened.
        m_controller->cancelDemoStore();
        m_status->setText(tr("Stopping after the current slice…"));
        return;
    }
    QDialog::reject();
}

} // namespace frostline
