#pragma once

#include "operationcontrol.h"

#include <QByteArray>
#include <QString>

namespace frostline {

class Store;

// Hot backup and restore of a store directory (design section 3 layout).
//
// backup() copies an OPEN store while appends, checkpoints and migration batches go on:
//  1. with the store's writers paused for a moment: the WAL position (segments holding records
//     after the flushed LSN, the active one's length at a record boundary) and policy.json;
//  2. writers running again: those WAL segments (the active one up to that length);
//  3. the Berkeley DB environment with its hot-backup procedure (database files, then logs),
//     then catastrophic recovery in the copy, as db_hotbackup does;
//  4. the copy's flushed LSN L decides the WAL it keeps: segments wholly at or below L go (the
//     environment holds their effect; truncation may even have deleted them meanwhile).
// The result is the store's content at one instant between the start and the end of the backup,
// a store directory that opens (DB_RECOVER) like any other.
class StoreBackup
{
public:
    struct Report
    {
        quint64 flushedLsn = 0; // of the copy
        quint64 lastLsn = 0;    // last WAL record in the copy (flushedLsn when it holds none)
        int walSegments = 0;    // segments kept in the copy
        qint64 bytes = 0;       // bytes copied (WAL, environment, policy)
        qint64 elapsedMs = 0;
        // restore: what the proof-open said of a torn WAL tail it cut (a backup made before
        // backup.json existed is not checked against one; the operator must hear of the cut).
        QString tornTailNote;
        // Restore: the backup carries no sound policy.json. Its data is whole, so the restore
        // goes on; but migrate and the service refuse to run until a policy is written.
        QString policyNote;
    };

    // DEST must not exist or be an empty directory, nor lie inside the store. Throws FrostlineError
    // naming what failed; a failed backup removes what it made (a kill leaves DEST marked
    // INCOMPLETE). CONTROL hears its steps (the copies counted in bytes); a cancel stops it at
    // the next MiB or step, removes the copy and throws FrostlineError::Cause::Cancelled. The
    // store itself is never changed.
    static Report backup(Store& openStore, const QString& dest,
                         const OperationControl& control = {});

    // Copies a backup into DEST (which must not exist or be empty, nor lie inside BACKUP), then
    // opens and verifies it to prove it is whole. Throws FrostlineError::badInput for such a DEST
    // or a BACKUP that is no store or is damaged. CONTROL as for backup (the proof's open and
    // verify report their own steps and stop when cancelled too).
    static Report restore(const QString& backup, const QString& dest,
                          const OperationControl& control = {});
    // The same for an encrypted backup: its passphrase (checked before anything is copied).
    static Report restore(const QString& backup, const QString& dest, const QByteArray& passphrase,
                          const OperationControl& control = {});

    // Whether BACKUP's manifest says it was made from an encrypted store (false without one),
    // so a caller can tell a backup that lost encryption.json from a plain one.
    static bool madeFromEncryptedStore(const QString& backup);
};

} // namespace frostline
