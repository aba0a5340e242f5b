// libFuzzer target: the policy loaders. Every input goes to both MigrationPolicy::fromJson and
// MigrationPolicy::fromToml; a policy that loads must validate and survive its own writers.
#include "frostlineerror.h"
#include "migrationpolicy.h"

#include <QByteArray>
#include <QString>

#include <cstdint>
#include <cstdlib>

using namespace frostline;

namespace {

void check(MigrationPolicy (*load)(const QByteArray&, const QString&), const QByteArray& bytes)
{
    try {
        const MigrationPolicy p = load(bytes, QStringLiteral("fuzz-policy"));
        if (!p.validate().isEmpty())
            std::abort();
        if (MigrationPolicy::fromJson(p.toJsonBytes(), QStringLiteral("again.json")) != p ||
            MigrationPolicy::fromToml(p.toToml(), QStringLiteral("again.toml")) != p)
            std::abort();
    } catch (const FrostlineError& e) {
        if (e.kind() != FrostlineError::Kind::BadInput || e.message().isEmpty())
            std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char*>(data), qsizetype(size));
    check(&MigrationPolicy::fromJson, bytes);
    check(&MigrationPolicy::fromToml, bytes);
    return 0;
}
