#pragma once

#include <QMetaType>
#include <QString>

namespace frostline {

// What the migration service has done since it was created; every field really updated.
struct MigrationStatistics
{
    quint64 nodeVersions = 0;
    quint64 edgeVersions = 0;
    quint64 bytes = 0;
    quint64 batches = 0;
    quint64 runsCompleted = 0; // ran to their end
    quint64 runsCancelled = 0; // stopped between batches (stop, cancel): their batches count above
    quint64 errors = 0;
    double lastRunDurationSecs = 0;
    qint64 lastRunAtMicros = 0; // when the last run finished; 0 = never
    QString lastError;
};

} // namespace frostline

Q_DECLARE_METATYPE(frostline::MigrationStatistics)
