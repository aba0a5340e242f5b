#include "frostlineerror.h"

#include <cstring>

namespace frostline {

FrostlineError::FrostlineError(Kind kind, const QString& message, Cause cause)
    : std::runtime_error(message.toStdString()), m_kind(kind), m_cause(cause), m_message(message)
{}

QString FrostlineError::errnoText(int err)
{
    return QString::fromLocal8Bit(std::strerror(err));
}

} // namespace frostline
