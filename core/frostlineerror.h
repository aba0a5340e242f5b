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

    // The one cause a caller acts on beyond its kind: the GUI asks for a passphrase again only
    // when the passphrase itself was refused, not for any other bad input (a non-empty
    // destination, a folder that is no store).
    enum class Cause
    {
        Unspecified,
        WrongPassphrase,
        Cancelled // the operator stopped the operation (OperationControl)
    };

    FrostlineError(Kind kind, const QString& message, Cause cause = Cause::Unspecified);

    static FrostlineError badInput(const QString& message) { return {Kind::BadInput, message}; }
    static FrostlineError runtime(const QString& message) { return {Kind::Runtime, message}; }
    static FrostlineError wrongPassphrase(const QString& message)
    {
        return {Kind::BadInput, message, Cause::WrongPassphrase};
    }

    // The system's text for an errno value (strerror), for the "what and where: why" messages.
    static QString errnoText(int err);

    Kind kind() const { return m_kind; }
    Cause cause() const { return m_cause; }
    QString message() const { return m_message; }

private:
    Kind m_kind;
    Cause m_cause;
    QString m_message;
};

} // namespace frostline
