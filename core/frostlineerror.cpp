#include "frostlineerror.h"

namespace frostline {

FrostlineError::FrostlineError(Kind kind, const QString& message)
    : std::runtime_error(message.toStdString()), m_kind(kind), m_message(message)
{}

} // namespace frostline
