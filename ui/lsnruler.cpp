#include "lsnruler.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>

namespace frostline {

LsnRuler::LsnRuler(QWidget* parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setAccessibleName(tr("LSN ruler"));
}

void LsnRuler::setMarks(const Marks& marks)
{
    m_marks = marks;
    setToolTip(tr("Truncated below LSN %1 · flushed LSN %2 · last written LSN %3")
                   .arg(marks.firstHeld)
                   .arg(marks.flushed)
                   .arg(marks.lastWritten));
    update();
}

QSize LsnRuler::sizeHint() const
{
    return {600, 4 * fontMetrics().height() + 44};
}

QSize LsnRuler::minimumSizeHint() const
{
    return {240, sizeHint().height()};
}

void LsnRuler::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QFontMetrics fm = fontMetrics();
    const int lineH = fm.height();
    const int margin = 12;
    const QRectF bar(margin, 2 * lineH + 10, width() - 2 * margin, 18);
    const quint64 last = std::max<quint64>(m_marks.lastWritten, 1);
    // LSN x is drawn at the right edge of its cell: 0 at the left edge, `last` at the right.
    auto xOf = [&](quint64 lsn) {
        return bar.left() + bar.width() * double(std::min(lsn, last)) / double(last);
    };

    const QPalette pal = palette();
    p.fillRect(rect(), pal.window());
    p.setPen(Qt::NoPen);
    p.setBrush(pal.base());
    p.drawRoundedRect(bar, 3, 3);

    const quint64 truncatedEnd = m_marks.firstHeld > 0 ? m_marks.firstHeld - 1 : 0;
    const quint64 flushed = std::min(m_marks.flushed, last);
    // Truncated (gone from the WAL, durable in Berkeley DB).
    if (truncatedEnd > 0) {
        QRectF r(bar.left(), bar.top(), xOf(truncatedEnd) - bar.left(), bar.height());
        p.setBrush(QBrush(QColor(0x9e9e9e), Qt::BDiagPattern));
        p.drawRect(r);
    }
    // Durable in Berkeley DB and still in the WAL.
    if (flushed > truncatedEnd)
        p.fillRect(
            QRectF(xOf(truncatedEnd), bar.top(), xOf(flushed) - xOf(truncatedEnd), bar.height()),
            QColor(0x66bb6a));
    // Only in the WAL: replayed on recovery.
    if (m_marks.lastWritten > flushed)
        p.fillRect(QRectF(xOf(flushed), bar.top(), xOf(last) - xOf(flushed), bar.height()),
                   QColor(0xffa726));
    p.setBrush(Qt::NoBrush);
    p.setPen(QPen(pal.color(QPalette::Mid), 1));
    p.drawRoundedRect(bar, 3, 3);

    // Markers: above the bar the truncation side, below it the writing side, so labels of LSNs
    // that are close together do not overlap.
    struct Marker
    {
        quint64 lsn;
        QString text;
        QColor color;
        bool above;
    };
    std::vector<Marker> markers;
    markers.push_back(
        {truncatedEnd,
         truncatedEnd == 0 ? tr("nothing truncated yet") : tr("truncated ≤ %1").arg(truncatedEnd),
         QColor(0x616161), true});
    if (m_marks.truncatableUpTo > truncatedEnd)
        markers.push_back({m_marks.truncatableUpTo,
                           tr("deletable ≤ %1").arg(m_marks.truncatableUpTo), QColor(0x1565c0),
                           true});
    markers.push_back({flushed, tr("flushed %1").arg(m_marks.flushed), QColor(0x2e7d32), false});
    if (m_marks.checkpoint > 0)
        markers.push_back({m_marks.checkpoint, tr("checkpoint %1").arg(m_marks.checkpoint),
                           QColor(0x6a1b9a), true});
    markers.push_back({m_marks.lastWritten, tr("last written %1").arg(m_marks.lastWritten),
                       QColor(0xe65100), false});

    double nextFreeAbove[2] = {-1e9, -1e9}, nextFreeBelow[2] = {-1e9, -1e9};
    for (const Marker& m : markers) {
        const double x = xOf(m.lsn);
        p.setPen(QPen(m.color, 2));
        p.drawLine(QPointF(x, bar.top() - 4), QPointF(x, bar.bottom() + 4));
        const int w = fm.horizontalAdvance(m.text);
        double tx = std::clamp(x - w / 2.0, 0.0, double(width() - w));
        double* lanes = m.above ? nextFreeAbove : nextFreeBelow;
        int lane = tx >= lanes[0] ? 0 : 1; // a second row when the first is taken
        lanes[lane] = tx + w + 8;
        const double ty =
            m.above ? bar.top() - 6 - lane * lineH : bar.bottom() + 4 + fm.ascent() + lane * lineH;
        p.setPen(m.color);
        p.drawText(QPointF(tx, ty), m.text);
    }
}

} // namespace frostline
