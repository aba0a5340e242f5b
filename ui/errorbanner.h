#pragma once

#include <QFrame>

class QLabel;

namespace frostline {

// An inline banner at the top of a window that says, in plain words, what failed and why.
// It stays until the operator dismisses it or the next success clears it.
class ErrorBanner : public QFrame
{
    Q_OBJECT
public:
    explicit ErrorBanner(QWidget* parent = nullptr);

    QString text() const;

public slots:
    void showError(const QString& what, const QString& message);
    void clear();
    // A success of WHAT clears the failure of WHAT it may show (a later import that worked
    // clears "Import failed"), and leaves a failure of anything else standing.
    void clearIfAbout(const QString& what);

private:
    QLabel* m_label;
    QString m_what;
};

} // namespace frostline
