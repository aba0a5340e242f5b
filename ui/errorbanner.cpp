#include "errorbanner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

namespace frostline {

ErrorBanner::ErrorBanner(QWidget* parent) : QFrame(parent), m_label(new QLabel(this))
{
    setObjectName(QStringLiteral("errorBanner"));
    setStyleSheet(QStringLiteral("#errorBanner { background: #fdecea; border: 1px solid #e0a39c;"
                                 " border-radius: 4px; } QLabel { color: #611a15; }"));
    m_label->setWordWrap(true);
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* close = new QToolButton(this);
    close->setText(QStringLiteral("✕"));
    close->setToolTip(tr("Dismiss"));
    close->setAutoRaise(true);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(10, 6, 6, 6);
    layout->addWidget(m_label, 1);
    layout->addWidget(close, 0, Qt::AlignTop);
    connect(close, &QToolButton::clicked, this, &ErrorBanner::clear);
    hide();
}

QString ErrorBanner::text() const
{
    return isVisibleTo(parentWidget()) ? m_label->text() : QString();
}

void ErrorBanner::showError(const QString& what, const QString& message)
{
    m_label->setText(
        QStringLiteral("<b>%1 failed.</b> %2").arg(what.toHtmlEscaped(), message.toHtmlEscaped()));
    m_what = what;
    show();
}

void ErrorBanner::clear()
{
    m_label->clear();
    m_what.clear();
    hide();
}

void ErrorBanner::clearIfAbout(const QString& what)
{
    if (!m_what.isEmpty() && m_what == what)
        clear();
}

} // namespace frostline
