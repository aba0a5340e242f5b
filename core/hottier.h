#pragma once

#include "hotsnapshot.h"
#include "version.h"

#include <QHash>
#include <shared_mutex>

#include <atomic>
#include <functional>
#include <optional>
#include <vector>

namespace frostline {

// The in-memory hot tier: versions by id, per-entity chains in head order (tx_from, then
// version_id; the head is last), counts, and exact memory accounting from estimatedSize().
// Safe for concurrent readers and one writer: a std::shared_mutex (ThreadSanitizer sees it, not
// QReadWriteLock, whose locking happens inside uninstrumented Qt); counters are atomics so the
// GUI can read them without taking the lock.
class HotTier
{
public:
    struct Entry
    {
        Version version;
        quint64 lsn = 0;  // LSN of the WAL record that wrote it
        quint64 size = 0; // version.estimatedSize(), cached
    };

    HotTier() = default;
    HotTier(const HotTier&) = delete;
    HotTier& operator=(const HotTier&) = delete;

    // Inserts; returns false (and changes nothing) when the version id is already hot.
    bool insert(Version version, quint64 lsn);
    // Inserts many under one lock; returns how many were new.
    std::size_t insertMany(std::vector<std::pair<Version, quint64>>&& versions);
    // The same with sizes already computed (Entry::size == version.estimatedSize()), so bulk
    // loaders can compute them on their decoding threads.
    std::size_t insertMany(std::vector<Entry>&& entries);
    // Removes these ids (unknown ids are ignored); returns the bytes freed.
    quint64 remove(const std::vector<quint64>& versionIds);
    void clear();
    void reserve(std::size_t versions);

    bool contains(quint64 versionId) const;
    std::optional<Version> get(quint64 versionId) const;
    std::optional<Entry> entry(quint64 versionId) const;
    // Pointers to the entries of these ids (null where an id is not hot), looked up under one
    // read lock. They stay valid only until the next insert, remove or clear, so only the one
    // writer (Store's writer mutex) may use them: it reads a batch in place instead of copying.
    std::vector<const Entry*> entriesInPlace(const std::vector<quint64>& versionIds) const;
    // The entity's hot versions in head order (head last).
    std::vector<Version> chain(const EntityKey& entity) const;
    std::optional<Version> head(const EntityKey& entity) const;

    quint64 versionCount() const { return m_versions.load(std::memory_order_relaxed); }
    quint64 nodeVersionCount() const { return m_nodeVersions.load(std::memory_order_relaxed); }
    quint64 edgeVersionCount() const { return versionCount() - nodeVersionCount(); }
    quint64 totalBytes() const { return m_bytes.load(std::memory_order_relaxed); }
    quint64 entityCount() const;

    HotSnapshot snapshot() const;
    // Entries with lsn > afterLsn (for the hot checkpoint delta), ordered by lsn.
    std::vector<Entry> entriesAfterLsn(quint64 afterLsn) const;
    // Visits every entry under the read lock (order unspecified); stop by returning false.
    void forEach(const std::function<bool(const Entry&)>& visit) const;

private:
    mutable std::shared_mutex m_lock;
    QHash<quint64, Entry> m_byId;
    // Per entity: its versions in head order (head last), with tx_from and the estimated size
    // kept beside the id so ordering and snapshots need no lookup in m_byId (a snapshot of a
    // million versions walks the chains front to back instead of a million hash probes).
    struct ChainLink
    {
        quint64 id;
        qint64 txFrom;
        quint64 size;
    };
    QHash<EntityKey, std::vector<ChainLink>> m_chains;
    std::atomic<quint64> m_versions{0};
    std::atomic<quint64> m_nodeVersions{0};
    std::atomic<quint64> m_bytes{0};

    bool insertLocked(Version&& version, quint64 lsn, quint64 size);
};

} // namespace frostline
