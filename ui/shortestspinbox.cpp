#include "shortestspinbox.h"

namespace frostline {

ShortestSpinBox::ShortestSpinBox(QWidget* parent) : QDoubleSpinBox(parent) {}

QString ShortestSpinBox::textFromValue(double value) const
{
    QString text = locale().toString(value, 'f', decimals());
    if (!isGroupSeparatorShown())
        text.remove(locale().groupSeparator());
    const QString point = locale().decimalPoint();
    if (text.contains(point)) {
        while (text.endsWith(locale().zeroDigit()))
            text.chop(locale().zeroDigit().size());
        if (text.endsWith(point))
            text.chop(point.size());
    }
    return text;
}

} // namespace frostline
