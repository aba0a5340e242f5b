#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace frostline {

// A migration policy (design section 4). Durations are kept in microseconds; in JSON and TOML
// they are numbers of seconds, fractions allowed, rounded to the microsecond.
struct MigrationPolicy
{
    qint64 ageThresholdMicros = 604800LL * 1'000'000; // age_threshold_secs, >= 0
    quint64 memoryThresholdBytes = 1ULL << 30;        // memory_threshold_bytes, >= 1
    quint64 minHotVersions = 1;                       // min_hot_versions, >= 0
    quint64 batchSize = 1000;                         // batch_size, >= 1
    qint64 runIntervalMicros = 60LL * 1'000'000;      // run_interval_secs, > 0
    bool enabled = true;                              // enabled
    bool enableLru = false;                           // enable_lru

    friend bool operator==(const MigrationPolicy&, const MigrationPolicy&) = default;

    // "default", "aggressive", "conservative", "disabled".
    static QStringList presetNames();
    // Throws FrostlineError::badInput for an unknown name, listing the known ones.
    static MigrationPolicy preset(const QString& name);

    // Problems with the values, each naming the JSON key and the allowed range; empty when valid.
    QStringList validate() const;

    // JSON object with all seven keys (durations as seconds).
    QJsonObject toJson() const;
    QByteArray toJsonBytes() const; // indented, trailing newline
    // One line, no newline, keys in the order of toJsonBytes (for embedding: preview --json).
    QByteArray toCompactJson() const;
    QByteArray toToml() const;

    // Parse; a missing key takes the default, an unknown key or a wrong type is an error naming
    // the key, and the values must validate. Throws FrostlineError::badInput
    // ("SOURCE: \"batch_size\" must be an integer >= 1") on any problem.
    static MigrationPolicy fromJson(const QByteArray& json, const QString& sourceName);
    static MigrationPolicy fromToml(const QByteArray& toml, const QString& sourceName);
    // By extension: .toml is TOML, anything else JSON.
    static MigrationPolicy load(const QString& path);
    // Writes atomically (temp file + rename), owner-only permissions. Throws on I/O failure.
    void save(const QString& path) const;

    // Seconds to microseconds exactly as written in decimal (0.000001 -> 1, 1.5 -> 1500000),
    // rounded to the nearest microsecond; nullopt when not finite or beyond qint64 microseconds.
    static std::optional<qint64> secondsToMicrosExact(double seconds);
    // Microseconds as the seconds text that toJsonBytes/toToml write: "604800", "1.5", "0.000001".
    static QString secondsText(qint64 micros);
};

} // namespace frostline
