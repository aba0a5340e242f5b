#include "passphrasedialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace frostline {

PassphraseDialog::PassphraseDialog(const QString& storePath, const QString& problem,
                                   QWidget* parent)
    : QDialog(parent), m_passphrase(new QLineEdit(this)), m_problem(new QLabel(this))
{
    setWindowTitle(tr("Encrypted store"));
    setObjectName(QStringLiteral("passphraseDialog"));
    m_passphrase->setEchoMode(QLineEdit::Password);
    m_passphrase->setObjectName(QStringLiteral("passphrase"));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #b00020;"));
    m_problem->setText(problem.toHtmlEscaped());
    m_problem->setVisible(!problem.isEmpty());
    auto* intro = new QLabel(tr("%1 is encrypted at rest. Enter its passphrase to open it; it is "
                                "kept only until the keys are derived, never saved.")
                                 .arg(storePath.toHtmlEscaped()),
                             this);
    intro->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    auto* ok = buttons->button(QDialogButtonBox::Ok);
    ok->setText(tr("Unlock"));
    ok->setEnabled(false);
    connect(m_passphrase, &QLineEdit::textChanged, ok,
            [ok](const QString& text) { ok->setEnabled(!text.isEmpty()); });
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* form = new QFormLayout;
    form->addRow(tr("Passphrase:"), m_passphrase);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_problem);
    layout->addLayout(form);
    layout->addWidget(buttons);
    setMinimumWidth(420);
}

std::optional<QByteArray> PassphraseDialog::ask(QWidget* parent, const QString& storePath,
                                                const QString& problem)
{
    PassphraseDialog dialog(storePath, problem, parent);
    if (dialog.exec() != QDialog::Accepted || dialog.m_passphrase->text().isEmpty()) {
        dialog.m_passphrase->clear();
        return std::nullopt;
    }
    QByteArray passphrase = dialog.m_passphrase->text().toUtf8();
    dialog.m_passphrase->clear();
    return passphrase;
}

} // namespace frostline
