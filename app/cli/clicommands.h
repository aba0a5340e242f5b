#pragma once

#include <QStringList>

namespace frostline::cli {

// Exit codes of design section 6.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Runs one frostline-cli invocation (arguments include the program name) and returns its exit code.
int run(const QStringList& arguments);

} // namespace frostline::cli
