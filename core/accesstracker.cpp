#include "accesstracker.h"

#include <QMutexLocker>

namespace frostline {

AccessTracker::AccessTracker(std::size_t capacity) : m_capacity(capacity) {}

void AccessTracker::recordAccess(quint64 versionId, qint64 atMicros)
{
    QMutexLocker lock(&m_mutex);
    const quint64 sequence = m_nextSequence++;
    if (const auto it = m_index.find(versionId); it != m_index.end()) {
        it->second->sequence = sequence;
        it->second->atMicros = atMicros;
        m_lru.splice(m_lru.begin(), m_lru, it->second);
        return;
    }
    if (m_capacity == 0)
        return; // remembers nothing
    m_lru.push_front({versionId, sequence, atMicros});
    m_index.emplace(versionId, m_lru.begin());
    while (m_lru.size() > m_capacity) {
        m_index.erase(m_lru.back().versionId);
        m_lru.pop_back();
    }
}

void AccessTracker::forget(quint64 versionId)
{
    QMutexLocker lock(&m_mutex);
    if (const auto it = m_index.find(versionId); it != m_index.end()) {
        m_lru.erase(it->second);
        m_index.erase(it);
    }
}

bool AccessTracker::lastAccess(quint64 versionId, qint64* atMicros) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_index.find(versionId);
    if (it == m_index.end())
        return false;
    if (atMicros)
        *atMicros = it->second->atMicros;
    return true;
}

std::size_t AccessTracker::size() const
{
    QMutexLocker lock(&m_mutex);
    return m_lru.size();
}

std::size_t AccessTracker::capacity() const
{
    QMutexLocker lock(&m_mutex);
    return m_capacity;
}

void AccessTracker::setCapacity(std::size_t capacity)
{
    QMutexLocker lock(&m_mutex);
    m_capacity = capacity;
    while (m_lru.size() > m_capacity) {
        m_index.erase(m_lru.back().versionId);
        m_lru.pop_back();
    }
}

AccessOrder AccessTracker::accessOrder() const
{
    QMutexLocker lock(&m_mutex);
    AccessOrder order;
    order.reserve(static_cast<qsizetype>(m_lru.size()));
    for (const Entry& e : m_lru)
        order.insert(e.versionId, e.sequence);
    return order;
}

} // namespace frostline
