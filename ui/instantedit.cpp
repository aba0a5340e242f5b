#include "instantedit.h"

namespace frostline {

InstantEdit::InstantEdit(QWidget* parent, const QString& objectName)
    : QDateTimeEdit(QDateTime::currentDateTimeUtc(), parent)
{
    setObjectName(objectName);
    setTimeSpec(Qt::UTC);
    setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz 'UTC'"));
    setCalendarPopup(true);
}

} // namespace frostline
