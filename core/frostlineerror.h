#pragma once

#include <QString>

#include <stdexcept>

namespace frostline {

// The one exception type the engine throws. `Kind::BadInput` is the operator's input
// (a malformed file, an unknown policy key: CLI exit 2); `Kind::Runtime` is the store or the
// machine failing (a locked store, a full disk, a failing Berkeley DB write: CLI exit 1).
// The message is one line that names what and where.
class FrostlineError : public std::runtime_error
{
public:
    enum class Kind
    {
        BadInput,
        Runtime
    };

    FrostlineError(Kind kind, const QString& message);

    static FrostlineError badInput(const QString& message) { return {Kind::BadInput, message}; }
    static FrostlineError runtime(const QString& message) { return {Kind::Runtime, message}; }

    Kind kind() const { return m_kind; }
    QString message() const { return m_message; }

private:
    Kind m_kind;
    QString m_message;
};

} // namespace frostline
