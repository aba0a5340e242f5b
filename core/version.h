#pragma once

#include "propertyvalue.h"
#include "timestamps.h"

#include <QString>

#include <cstddef>
#include <functional>

namespace frostline {

enum class EntityKind : quint8
{
    Node = 0,
    Edge = 1
};

QString kindName(EntityKind kind); // "node" | "edge"
bool parseKindName(const QString& text, EntityKind* kind);

// An entity is (kind, id): node 5 and edge 5 are different entities.
struct EntityKey
{
    EntityKind kind = EntityKind::Node;
    quint64 entityId = 0;

    friend bool operator==(const EntityKey&, const EntityKey&) = default;
    friend auto operator<=>(const EntityKey&, const EntityKey&) = default;
};

size_t qHash(const EntityKey& key, size_t seed = 0) noexcept;

// One version of a node or an edge. Ranges are half-open [from, to) in microseconds;
// an open end is kOpenEnd.
struct Version
{
    quint64 versionId = 0; // unique across the whole store, nodes and edges together
    EntityKind kind = EntityKind::Node;
    quint64 entityId = 0;
    QString label;
    qint64 validFrom = 0;
    qint64 validTo = kOpenEnd;
    qint64 txFrom = 0;
    qint64 txTo = kOpenEnd;
    quint64 source = 0;            // edges only
    quint64 target = 0;            // edges only
    PropertyValue::Map properties; // canonical: sorted by key

    EntityKey entity() const { return {kind, entityId}; }
    bool isEdge() const { return kind == EntityKind::Edge; }

    // The hot tier's honest byte cost of this version: the struct plus every heap byte it owns,
    // as the binary codec lays it out. A function of the content alone (not of this copy's
    // capacities), so every path and process gives one figure. Memory accounting and the
    // memory-pressure rule use this very figure.
    std::size_t estimatedSize() const;

    // Age = now - tx_from, clamped at 0.
    qint64 ageMicros(qint64 now) const { return now > txFrom ? now - txFrom : 0; }

    friend bool operator==(const Version& a, const Version& b);
};

// The head of an entity is its hot version with the greatest tx_from (ties: greatest
// version_id). This orders a chain so that the head comes last.
inline bool headOrderLess(qint64 txFromA, quint64 idA, qint64 txFromB, quint64 idB)
{
    return txFromA != txFromB ? txFromA < txFromB : idA < idB;
}

} // namespace frostline

template <> struct std::hash<frostline::EntityKey>
{
    size_t operator()(const frostline::EntityKey& k) const noexcept { return frostline::qHash(k); }
};
