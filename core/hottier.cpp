#include "hottier.h"

#include <algorithm>
#include <mutex>
#include <shared_mutex>

namespace frostline {

namespace {

// Head order of chain links (tx_from, then version id): the order every chain is kept in.
template <typename Link> bool chainOrder(const Link& a, const Link& b)
{
    return headOrderLess(a.txFrom, a.id, b.txFrom, b.id);
}

} // namespace

bool HotTier::insertLocked(Version&& version, quint64 lsn, quint64 size)
{
    const quint64 id = version.versionId;
    auto it = m_byId.find(id);
    if (it != m_byId.end())
        return false;
    const EntityKey key = version.entity();
    const qint64 txFrom = version.txFrom;
    const bool isNode = version.kind == EntityKind::Node;
    m_byId.emplace(id, Entry{std::move(version), lsn, size}); // moved, never copied

    // Chains stay in head order (head last). Versions usually arrive newest-last, so the common
    // case is an append; otherwise binary-search the slot.
    auto& chain = m_chains[key];
    const ChainLink link{id, txFrom, size};
    if (chain.empty() || chainOrder(chain.back(), link))
        chain.push_back(link);
    else
        chain.insert(std::lower_bound(chain.begin(), chain.end(), link, chainOrder<ChainLink>),
                     link);
    m_versions.fetch_add(1, std::memory_order_relaxed);
    if (isNode)
        m_nodeVersions.fetch_add(1, std::memory_order_relaxed);
    m_bytes.fetch_add(size, std::memory_order_relaxed);
    return true;
}

bool HotTier::insert(Version version, quint64 lsn)
{
    const quint64 size = version.estimatedSize();
    std::unique_lock lock(m_lock);
    return insertLocked(std::move(version), lsn, size);
}

std::size_t HotTier::insertMany(std::vector<std::pair<Version, quint64>>&& versions)
{
    std::vector<Entry> entries;
    entries.reserve(versions.size());
    for (auto& [version, lsn] : versions) {
        const quint64 size = version.estimatedSize();
        entries.push_back(Entry{std::move(version), lsn, size});
    }
    return insertMany(std::move(entries));
}

std::size_t HotTier::insertMany(std::vector<Entry>&& entries)
{
    std::unique_lock lock(m_lock);
    std::size_t added = 0;
    for (Entry& e : entries)
        added += insertLocked(std::move(e.version), e.lsn, e.size) ? 1 : 0;
    return added;
}

quint64 HotTier::remove(const std::vector<quint64>& versionIds)
{
    std::unique_lock lock(m_lock);
    struct Leaving
    {
        EntityKey entity;
        qint64 txFrom;
        quint64 id;
    };
    std::vector<Leaving> leaving;
    leaving.reserve(versionIds.size());
    quint64 freed = 0;
    for (quint64 id : versionIds) {
        auto it = m_byId.find(id);
        if (it == m_byId.end())
            continue;
        leaving.push_back({it->version.entity(), it->version.txFrom, id});
        freed += it->size;
        if (it->version.kind == EntityKind::Node)
            m_nodeVersions.fetch_sub(1, std::memory_order_relaxed);
        m_versions.fetch_sub(1, std::memory_order_relaxed);
        m_byId.erase(it);
    }
    // Grouped by entity in chain order, so each chain is found once and its leaving links are
    // located by binary search, then the chain is compacted in one pass.
    std::sort(leaving.begin(), leaving.end(), [](const Leaving& a, const Leaving& b) {
        return a.entity != b.entity ? a.entity < b.entity : chainOrder(a, b);
    });
    std::vector<std::size_t> positions;
    for (std::size_t start = 0; start < leaving.size();) {
        std::size_t end = start + 1;
        while (end < leaving.size() && leaving[end].entity == leaving[start].entity)
            ++end;
        auto chainIt = m_chains.find(leaving[start].entity);
        if (chainIt != m_chains.end()) {
            auto& chain = chainIt.value();
            positions.clear();
            for (std::size_t i = start; i < end; ++i) {
                const ChainLink probe{leaving[i].id, leaving[i].txFrom, 0};
                const auto at =
                    std::lower_bound(chain.begin(), chain.end(), probe, chainOrder<ChainLink>);
                if (at != chain.end() && at->id == probe.id)
                    positions.push_back(std::size_t(at - chain.begin()));
            }
            // positions ascend (leaving is in chain order): keep everything between them.
            std::size_t kept = positions.empty() ? chain.size() : positions.front();
            for (std::size_t p = 0; p < positions.size(); ++p) {
                const std::size_t from = positions[p] + 1;
                const std::size_t to = p + 1 < positions.size() ? positions[p + 1] : chain.size();
                for (std::size_t i = from; i < to; ++i)
                    chain[kept++] = chain[i];
            }
            chain.resize(kept);
            if (chain.empty())
                m_chains.erase(chainIt);
        }
        start = end;
    }
    m_bytes.fetch_sub(freed, std::memory_order_relaxed);
    return freed;
}

void HotTier::clear()
{
    std::unique_lock lock(m_lock);
    m_byId.clear();
    m_chains.clear();
    m_versions = 0;
    m_nodeVersions = 0;
    m_bytes = 0;
}

void HotTier::reserve(std::size_t versions)
{
    std::unique_lock lock(m_lock);
    m_byId.reserve(qsizetype(versions));
}

bool HotTier::contains(quint64 versionId) const
{
    std::shared_lock lock(m_lock);
    return m_byId.contains(versionId);
}

std::optional<Version> HotTier::get(quint64 versionId) const
{
    std::shared_lock lock(m_lock);
    auto it = m_byId.constFind(versionId);
    if (it == m_byId.cend())
        return std::nullopt;
    return it->version;
}

std::optional<HotTier::Entry> HotTier::entry(quint64 versionId) const
{
    std::shared_lock lock(m_lock);
    auto it = m_byId.constFind(versionId);
    if (it == m_byId.cend())
        return std::nullopt;
    return *it;
}

std::vector<const HotTier::Entry*>
HotTier::entriesInPlace(const std::vector<quint64>& versionIds) const
{
    std::shared_lock lock(m_lock);
    std::vector<const Entry*> out;
    out.reserve(versionIds.size());
    for (quint64 id : versionIds) {
        auto it = m_byId.constFind(id);
        out.push_back(it == m_byId.cend() ? nullptr : &*it);
    }
    return out;
}

std::vector<Version> HotTier::chain(const EntityKey& entity) const
{
    std::shared_lock lock(m_lock);
    std::vector<Version> out;
    auto it = m_chains.constFind(entity);
    if (it == m_chains.cend())
        return out;
    out.reserve(it->size());
    for (const ChainLink& l : *it)
        out.push_back(m_byId.find(l.id)->version);
    return out;
}

std::optional<Version> HotTier::head(const EntityKey& entity) const
{
    std::shared_lock lock(m_lock);
    auto it = m_chains.constFind(entity);
    if (it == m_chains.cend() || it->empty())
        return std::nullopt;
    return m_byId.find(it->back().id)->version;
}

quint64 HotTier::entityCount() const
{
    std::shared_lock lock(m_lock);
    return quint64(m_chains.size());
}

HotSnapshot HotTier::snapshot() const
{
    std::shared_lock lock(m_lock);
    HotSnapshot s;
    s.versions.reserve(std::size_t(m_byId.size()));
    s.entityVersionCounts.reserve(std::size_t(m_chains.size()));
    s.entities.reserve(std::size_t(m_chains.size()));
    for (auto it = m_chains.cbegin(); it != m_chains.cend(); ++it) {
        const auto index = quint32(s.entities.size());
        const auto& chain = it.value();
        s.entities.push_back(it.key());
        s.entityVersionCounts.push_back(quint32(chain.size()));
        for (std::size_t i = 0; i < chain.size(); ++i) {
            HotVersionInfo info;
            info.versionId = chain[i].id;
            info.txFrom = chain[i].txFrom;
            info.entityId = it.key().entityId;
            info.entityIndex = index;
            info.kind = it.key().kind;
            info.isHead = i + 1 == chain.size();
            info.estimatedSize = chain[i].size;
            s.versions.push_back(info);
        }
    }
    s.totalBytes = m_bytes.load(std::memory_order_relaxed);
    return s;
}

std::vector<HotTier::Entry> HotTier::entriesAfterLsn(quint64 afterLsn) const
{
    std::shared_lock lock(m_lock);
    std::vector<Entry> out;
    for (const Entry& e : m_byId)
        if (e.lsn > afterLsn)
            out.push_back(e);
    std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) { return a.lsn < b.lsn; });
    return out;
}

void HotTier::forEach(const std::function<bool(const Entry&)>& visit) const
{
    std::shared_lock lock(m_lock);
    for (const Entry& e : m_byId)
        if (!visit(e))
            return;
}

} // namespace frostline
