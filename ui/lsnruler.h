#pragma once

#include <QWidget>

namespace frostline {

// A ruler of the LSN space 1..last written: the part already truncated from the WAL, the part
// durable in Berkeley DB (<= flushed LSN) and the part that lives only in the WAL, with markers
// for the truncation point, the last checkpoint, the flushed LSN and the last written LSN.
class LsnRuler : public QWidget
{
    Q_OBJECT
public:
    struct Marks
    {
        quint64 firstHeld = 1;  // first LSN the WAL still holds (everything below is truncated)
        quint64 checkpoint = 0; // flushed LSN of the last checkpoint seen; 0 = none this session
        quint64 flushed = 0;
        quint64 lastWritten = 0;
        quint64 truncatableUpTo = 0; // greatest last LSN of a deletable segment; 0 = none
    };

    explicit LsnRuler(QWidget* parent = nullptr);

    void setMarks(const Marks& marks);
    Marks marks() const { return m_marks; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    Marks m_marks;
};

} // namespace frostline
