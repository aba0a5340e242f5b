#pragma once

#include <QByteArray>
#include <QDialog>

#include <optional>

class QLabel;
class QLineEdit;

namespace frostline {

// Asks for the passphrase of an encrypted store or backup (echo off). The text is cleared as soon
// as it has been handed over; nothing is remembered between asks.
class PassphraseDialog : public QDialog
{
    Q_OBJECT
public:
    // PROBLEM is why it asks again (e.g. "wrong passphrase for …"), shown above the field.
    PassphraseDialog(const QString& storePath, const QString& problem, QWidget* parent = nullptr);

    // The entered passphrase (UTF-8), clearing the field; std::nullopt when cancelled.
    static std::optional<QByteArray> ask(QWidget* parent, const QString& storePath,
                                         const QString& problem);

private:
    QLineEdit* m_passphrase;
    QLabel* m_problem;
};

} // namespace frostline
