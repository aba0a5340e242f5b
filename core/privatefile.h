#pragma once

#include <QByteArray>
#include <QString>

namespace frostline {

// Small files a store keeps beside its data (policy.json, encryption.json, a backup's manifest
// and unfinished marker): written whole or not at all, owner-only, durable on return; and the
// owner-only directories that hold them.
class PrivateFile
{
public:
    // Writes BYTES to a temp file beside PATH (0600), fsyncs it, renames it over PATH and fsyncs
    // the directory: a reader sees the old content or all of the new, also after a crash.
    // Throws FrostlineError "PATH: cannot PURPOSE: STEP: reason" (PURPOSE: "save the policy").
    static void write(const QString& path, const QByteArray& bytes, const QString& purpose);
    // Makes directory PATH (and its missing parents) and makes PATH owner-only (0700); an
    // existing directory is kept. Throws FrostlineError "cannot create directory PATH: reason".
    static void makeDirectory(const QString& path);
    // fsyncs directory DIR, so that the files created, renamed or removed in it stay so after a
    // crash. Throws FrostlineError "cannot sync DIR: reason".
    static void syncDirectory(const QString& dir);
};

} // namespace frostline
