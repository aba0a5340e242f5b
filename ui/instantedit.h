#pragma once

#include <QDateTimeEdit>

namespace frostline {

// An instant of the data as every page shows one: UTC, to the millisecond, with a calendar. It
// starts at the present.
class InstantEdit : public QDateTimeEdit
{
    Q_OBJECT
public:
    InstantEdit(QWidget* parent, const QString& objectName);
};

} // namespace frostline
