#include "frostlineerror.h"

namespace frostline {

FrostlineError::FrostlineError(Kind kind, const QString& message, Cause cause)
    : std::runtime_error(message.toStdString()), m_kind(kind), m_cause(cause), m_message(message)
{}

} // namespace frostline
