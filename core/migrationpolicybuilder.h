#pragma once

#include "migrationpolicy.h"

namespace frostline {

// A builder for code and tests:
// MigrationPolicyBuilder().ageThresholdSecs(3600).batchSize(10).build()
class MigrationPolicyBuilder
{
public:
    MigrationPolicyBuilder() = default;
    explicit MigrationPolicyBuilder(MigrationPolicy base) : m_policy(base) {}
    MigrationPolicyBuilder& ageThresholdSecs(double secs);
    MigrationPolicyBuilder& memoryThresholdBytes(quint64 bytes);
    MigrationPolicyBuilder& minHotVersions(quint64 n);
    MigrationPolicyBuilder& batchSize(quint64 n);
    MigrationPolicyBuilder& runIntervalSecs(double secs);
    MigrationPolicyBuilder& enabled(bool on);
    MigrationPolicyBuilder& enableLru(bool on);
    // Throws FrostlineError::badInput when the result does not validate.
    MigrationPolicy build() const;

private:
    MigrationPolicy m_policy;
    QStringList m_problems; // durations that could not be converted, reported by build()
};

} // namespace frostline
