#include "migrationpolicybuilder.h"

#include "frostlineerror.h"

namespace frostline {

namespace {

// A duration that cannot be held in microseconds (NaN, infinite, too large) leaves the field as
// it was and is reported by build() with the rest, so the chain never throws half way.
std::optional<qint64> durationMicros(double secs, const char* key, QStringList* problems)
{
    const QString prefix = QStringLiteral("\"%1\"").arg(QLatin1String(key));
    problems->removeIf([&](const QString& p) { return p.startsWith(prefix); }); // a later call wins
    if (const auto micros = MigrationPolicy::secondsToMicrosExact(secs))
        return micros;
    problems->append(QStringLiteral("\"%1\" must be a finite number of seconds <= "
                                    "9223372036854 (got %2)")
                         .arg(QLatin1String(key))
                         .arg(secs));
    return std::nullopt;
}

} // namespace

MigrationPolicyBuilder& MigrationPolicyBuilder::ageThresholdSecs(double secs)
{
    if (const auto micros = durationMicros(secs, "age_threshold_secs", &m_problems))
        m_policy.ageThresholdMicros = *micros;
    return *this;
}

MigrationPolicyBuilder& MigrationPolicyBuilder::memoryThresholdBytes(quint64 bytes)
{
    m_policy.memoryThresholdBytes = bytes;
    return *this;
}

MigrationPolicyBuilder& MigrationPolicyBuilder::minHotVersions(quint64 n)
{
    m_policy.minHotVersions = n;
    return *this;
}

MigrationPolicyBuilder& MigrationPolicyBuilder::batchSize(quint64 n)
{
    m_policy.batchSize = n;
    return *this;
}

MigrationPolicyBuilder& MigrationPolicyBuilder::runIntervalSecs(double secs)
{
    if (const auto micros = durationMicros(secs, "run_interval_secs", &m_problems))
        m_policy.runIntervalMicros = *micros;
    return *this;
}

MigrationPolicyBuilder& MigrationPolicyBuilder::enabled(bool on)
{
    m_policy.enabled = on;
    return *this;
}

MigrationPolicyBuilder& MigrationPolicyBuilder::enableLru(bool on)
{
    m_policy.enableLru = on;
    return *this;
}

MigrationPolicy MigrationPolicyBuilder::build() const
{
    QStringList problems = m_problems;
    problems += m_policy.validate();
    if (!problems.isEmpty())
        throw FrostlineError::badInput(QStringLiteral("policy: ") +
                                       problems.join(QStringLiteral("; ")));
    return m_policy;
}

} // namespace frostline
