#pragma once

#include <QDoubleSpinBox>

namespace frostline {

// A QDoubleSpinBox that shows its value with only the decimals it needs ("604800 s", "0.25 s")
// while still accepting up to decimals() of them: durations are kept to the microsecond, but
// six trailing zeros on every value only hide the number the operator is reading.
class ShortestSpinBox : public QDoubleSpinBox
{
public:
    explicit ShortestSpinBox(QWidget* parent = nullptr);

    QString textFromValue(double value) const override;
};

} // namespace frostline
