#pragma once

#include "candidateselector.h"

#include <QMutex>

#include <list>
#include <unordered_map>

namespace frostline {

// Bounded LRU of version accesses: remembers, for at most `capacity` versions, when each was
// last read (a monotonically increasing sequence, plus the wall-clock time for display).
// Recording an access beyond capacity forgets the least recently accessed version, so the
// tracker cannot grow without limit. Thread safe.
class AccessTracker
{
public:
    static constexpr std::size_t kDefaultCapacity = 1'000'000;

    explicit AccessTracker(std::size_t capacity = kDefaultCapacity);

    void recordAccess(quint64 versionId, qint64 atMicros);
    void forget(quint64 versionId); // e.g. after the version left the hot tier
    bool lastAccess(quint64 versionId, qint64* atMicros) const;

    std::size_t size() const;
    std::size_t capacity() const;
    void setCapacity(std::size_t capacity); // evicts down to the new capacity

    // The access order the CandidateSelector's LRU mode uses.
    AccessOrder accessOrder() const;

private:
    struct Entry
    {
        quint64 versionId;
        quint64 sequence;
        qint64 atMicros;
    };
    mutable QMutex m_mutex;
    std::size_t m_capacity;
    quint64 m_nextSequence = 1;
    std::list<Entry> m_lru; // front = most recent
    std::unordered_map<quint64, std::list<Entry>::iterator> m_index;
};

} // namespace frostline
