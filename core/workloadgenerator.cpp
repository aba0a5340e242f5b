#include "workloadgenerator.h"

#include "frostlineerror.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

namespace frostline {

namespace {

// std::mt19937_64's output is fixed by the standard, but the std distributions are not: every
// distribution here is our own so a seed gives the same workload with any standard library.
class Random
{
public:
    explicit Random(quint64 seed) : m_engine(seed) {}

    quint64 next() { return m_engine(); }

    // Uniform in [0, n), n > 0, without modulo bias.
    quint64 below(quint64 n)
    {
        const quint64 threshold = (0 - n) % n; // 2^64 mod n
        for (;;) {
            const quint64 x = next();
            if (x >= threshold)
                return x % n;
        }
    }

    // Uniform in [0, 1) with 53 bits.
    double unit() { return double(next() >> 11) * 0x1.0p-53; }
    bool chance(double p) { return unit() < p; }

private:
    std::mt19937_64 m_engine;
};

quint64 splitmix64(quint64 x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

constexpr qint64 kMicrosPerDay = 86'400 * kMicrosPerSecond;
constexpr quint32 kNone = std::numeric_limits<quint32>::max();

const char* const kNodeLabels[] = {"Person", "Company", "Account", "Device", "City", "Product"};
const char* const kEdgeLabels[] = {"KNOWS", "WORKS_AT", "OWNS", "USES", "LOCATED_IN", "BOUGHT"};
const char* const kFirstNames[] = {"Ada",    "Grace",   "Linus",  "Margaret", "Ken",   "Barbara",
                                   "Dennis", "Frances", "Edsger", "Radia",    "Tim",   "Anita",
                                   "Søren",  "Zoë",     "Józef",  "李",       "Ngozi", "Mateus"};
const char* const kCities[] = {"Oslo",  "Lagos",  "Lima",  "Kraków", "Osaka",
                               "Quito", "Tromsø", "Dakar", "Hobart", "Reykjavík"};
const char* const kTags[] = {"vip", "new", "flagged", "verified", "dormant", "beta", "internal"};
const char* const kSources[] = {"crm", "import", "api", "batch", "manual"};

template <std::size_t N> QString pick(Random& r, const char* const (&words)[N])
{
    return QString::fromUtf8(words[r.below(N)]);
}

// One property of a realistic version: each key always carries the same kind of value.
PropertyValue propertyValue(Random& r, int key)
{
    switch (key) {
    case 0: // name
        return PropertyValue(pick(r, kFirstNames) + QLatin1Char(' ') +
                             QString::number(r.below(10000)));
    case 1: // age
        return PropertyValue(qint64(18 + r.below(73)));
    case 2: // score
        return PropertyValue(double(r.below(1'000'000)) / 100.0);
    case 3: // active
        return PropertyValue(r.chance(0.7));
    case 4: { // tags
        PropertyValue::List tags;
        for (quint64 i = 0, n = 1 + r.below(3); i < n; ++i)
            tags.emplace_back(pick(r, kTags));
        return PropertyValue(std::move(tags));
    }
    case 5: // email
        return PropertyValue(QStringLiteral("user%1@example.org").arg(r.below(1'000'000)));
    case 6: // city
        return PropertyValue(pick(r, kCities));
    case 7: // since
        return PropertyValue(qint64(1990 + r.below(36)));
    case 8: // weight
        return PropertyValue(double(r.below(1001)) / 1000.0);
    case 9: // note: often cleared
        return r.chance(0.5)
                   ? PropertyValue()
                   : PropertyValue(QStringLiteral("checked by ops #%1").arg(r.below(500)));
    default: { // meta
        PropertyValue::Map meta{{QStringLiteral("rev"), PropertyValue(qint64(r.below(100)))},
                                {QStringLiteral("source"), PropertyValue(pick(r, kSources))}};
        return PropertyValue(std::move(meta));
    }
    }
}

const char* const kPropertyKeys[] = {"name", "age",   "score",  "active", "tags", "email",
                                     "city", "since", "weight", "note",   "meta"};
constexpr int kPropertyKeyCount = int(std::size(kPropertyKeys));

// ---------------------------------------------------------------------------------------------
// randomVersion: the nasty corners of the data model.

quint64 nastyU64(Random& r)
{
    switch (r.below(5)) {
    case 0:
        return r.below(4); // 0..3
    case 1:
        return std::numeric_limits<quint64>::max() - r.below(4);
    case 2:
        return (quint64(1) << 53) + r.below(3) - 1; // around the double precision limit
    case 3:
        return quint64(std::numeric_limits<qint64>::max()) + r.below(3) - 1;
    default:
        return r.next();
    }
}

qint64 nastyI64(Random& r)
{
    switch (r.below(7)) {
    case 0:
        return std::numeric_limits<qint64>::min() + qint64(r.below(3));
    case 1:
        return std::numeric_limits<qint64>::max() - qint64(r.below(3));
    case 2:
        return qint64(r.below(3)) - 1;
    case 3:
        return (qint64(1) << 53) + 1;
    case 4:
        return -((qint64(1) << 53) + 1);
    case 5:
        return qint64(r.below(1000));
    default:
        return qint64(r.next());
    }
}

double nastyDouble(Random& r)
{
    static const double specials[] = {-0.0,
                                      0.0,
                                      1e308,
                                      -1e308,
                                      5e-324,
                                      -5e-324,
                                      std::numeric_limits<double>::max(),
                                      std::numeric_limits<double>::min(),
                                      2.0,
                                      1.0,
                                      -3.0,
                                      0.1,
                                      1e21,
                                      1e22,
                                      1e-7,
                                      9007199254740993.0,
                                      123456789012345680000.0,
                                      0.30000000000000004};
    if (r.chance(0.6))
        return specials[r.below(std::size(specials))];
    for (;;) { // any finite bit pattern, subnormals included
        const quint64 bits = r.next();
        double d;
        std::memcpy(&d, &bits, sizeof d);
        if (std::isfinite(d))
            return d;
    }
}

QString nastyString(Random& r, quint64 maxPieces)
{
    static const char32_t pieces[] = {
        U'a',          U'Z',      U'0',      U' ',      U'"',          U'\\',         U'/',
        U'\n',         U'\t',     U'\r',     U'\b',     U'\f',         U'\0',         U'\x01',
        U'\x1f',       U'\x7f',   U'é',      U'ß',      U'中',         U'文',         U'\u2028',
        U'\u2029',     U'\uFEFF', U'\uFFFD', U'\uFFFF', U'\U0001F600', U'\U0010FFFF', U'\U0001D11E',
        U'\U00010000', U'<',      U'&',      U'\''};
    if (r.chance(0.1))
        return QString();
    QString s;
    for (quint64 i = 0, n = r.below(maxPieces + 1); i < n; ++i) {
        const char32_t c = pieces[r.below(std::size(pieces))];
        s += QString::fromUcs4(&c, 1);
    }
    return s;
}

PropertyValue nastyValue(Random& r, int depth)
{
    const int types = depth < 5 ? 7 : 5; // nesting up to 5 levels
    switch (r.below(quint64(types))) {
    case 0:
        return PropertyValue();
    case 1:
        return PropertyValue(r.chance(0.5));
    case 2:
        return PropertyValue(nastyI64(r));
    case 3:
        return PropertyValue(nastyDouble(r));
    case 4:
        return PropertyValue(nastyString(r, 12));
    case 5: {
        PropertyValue::List list;
        for (quint64 i = 0, n = r.below(5); i < n; ++i)
            list.push_back(nastyValue(r, depth + 1));
        return PropertyValue(std::move(list));
    }
    default: {
        PropertyValue::Map map;
        for (quint64 i = 0, n = r.below(5); i < n; ++i)
            map.emplace_back(nastyString(r, 4), nastyValue(r, depth + 1));
        return PropertyValue(std::move(map));
    }
    }
}

// A half-open range [from, to) with from < to; sometimes open-ended; often near the int64 limits.
void nastyRange(Random& r, qint64* from, qint64* to)
{
    constexpr qint64 kMax = std::numeric_limits<qint64>::max();
    switch (r.below(4)) {
    case 0:
        *from = std::numeric_limits<qint64>::min() + qint64(r.below(1000));
        break;
    case 1:
        *from = kMax - 1 - qint64(r.below(1000));
        break;
    case 2:
        *from = 1'700'000'000'000'000 + qint64(r.below(quint64(1) << 40)) - (qint64(1) << 39);
        break;
    default:
        *from = qint64(r.next() >> 1) * (r.chance(0.5) ? 1 : -1);
        if (*from == kMax)
            *from = kMax - 1;
    }
    const quint64 room = quint64(kMax) - quint64(*from); // >= 1
    switch (r.below(3)) {
    case 0:
        *to = kOpenEnd;
        break;
    case 1:
        *to = qint64(quint64(*from) + 1); // the shortest range
        break;
    default:
        *to = qint64(quint64(*from) + 1 + r.below(room));
    }
}

} // namespace

WorkloadGenerator::WorkloadGenerator(Options options) : m_options(options) {}

void WorkloadGenerator::generate(const std::function<void(Version&&)>& sink)
{
    const Options& o = m_options;
    const quint64 entities = o.entities, total = o.versions;
    if (!(o.spanDays >= 0) || !std::isfinite(o.spanDays))
        throw FrostlineError::badInput(QStringLiteral("span of days must be zero or more"));
    if (!(o.edgeFraction >= 0 && o.edgeFraction <= 1))
        throw FrostlineError::badInput(QStringLiteral("edge fraction must be between 0 and 1"));
    if (total < entities)
        throw FrostlineError::badInput(
            QStringLiteral("%1 versions cannot cover %2 entities: each entity needs one at least")
                .arg(total)
                .arg(entities));
    if (total >= kNone)
        throw FrostlineError::badInput(
            QStringLiteral("at most %1 versions can be generated at once").arg(kNone - 1));
    if (total > 0 && total - 1 > std::numeric_limits<quint64>::max() - o.firstVersionId)
        throw FrostlineError::badInput(
            QStringLiteral("version ids would run past 2^64-1, the greatest there is"));
    if (entities == 0)
        return;

    const qint64 now = o.now != 0 ? o.now : currentMicros();
    const double spanMicrosD = o.spanDays * double(kMicrosPerDay);
    if (spanMicrosD > 1e18 || double(now) - spanMicrosD < -9e18)
        throw FrostlineError::badInput(
            QStringLiteral("a span of %1 days reaches too far into the past").arg(o.spanDays));
    const qint64 span = qint64(spanMicrosD);
    // Global time slots, one per version, so that version ids grow with tx_from and every
    // entity's versions have strictly increasing tx_from.
    const qint64 step = span / qint64(total);
    if (step < 1)
        throw FrostlineError::badInput(
            QStringLiteral("a span of %1 days is too short for %2 versions (one microsecond each)")
                .arg(o.spanDays)
                .arg(total));
    const qint64 start = now - span;

    Random rng(splitmix64(o.seed));
    const quint64 timeSeed = splitmix64(o.seed ^ 0x7469'6d65'7369'6465ULL);
    const quint64 entitySeed = splitmix64(o.seed ^ 0x656e'7469'7479'0000ULL);
    const auto slotTime = [&](quint64 k) {
        return start + qint64(k) * step + qint64(splitmix64(timeSeed + k) % quint64(step));
    };

    // Entities 0..nodes-1 are nodes 1..nodes, the rest edges 1..edges (ids may coincide).
    quint64 edges = quint64(double(entities) * o.edgeFraction);
    if (edges >= entities)
        edges = entities - 1; // edges need a node to point at
    const quint64 nodes = entities - edges;

    // Skewed versions per entity: every entity has one, the rest go by a Zipf-like weight
    // 1 / (rank + 10) over a random ranking. The offset keeps the hottest entity at a few
    // percent of all versions rather than a pathological tenth.
    std::vector<quint32> counts(entities, 1);
    {
        std::vector<quint32> entityOfRank(entities);
        for (quint64 i = 0; i < entities; ++i)
            entityOfRank[i] = quint32(i);
        for (quint64 i = entities - 1; i > 0; --i)
            std::swap(entityOfRank[i], entityOfRank[rng.below(i + 1)]);
        std::vector<double> cumulative(entities);
        double sum = 0;
        for (quint64 i = 0; i < entities; ++i)
            cumulative[i] = sum += 1.0 / double(i + 10);
        for (quint64 extra = total - entities; extra > 0; --extra) {
            const double x = rng.unit() * sum;
            auto rank = std::size_t(std::upper_bound(cumulative.begin(), cumulative.end(), x) -
                                    cumulative.begin());
            rank = std::min<std::size_t>(rank, entities - 1);
            ++counts[entityOfRank[rank]];
        }
    }

    // Which entity each time slot belongs to, and the entity's next slot (for closing tx_to).
    std::vector<quint32> slotEntity(total);
    {
        quint64 k = 0;
        for (quint64 e = 0; e < entities; ++e)
            for (quint32 c = 0; c < counts[e]; ++c)
                slotEntity[k++] = quint32(e);
        for (quint64 i = total - 1; i > 0; --i)
            std::swap(slotEntity[i], slotEntity[rng.below(i + 1)]);
    }
    std::vector<quint32> nextSlot(total);
    {
        std::vector<quint32>& lastSeen = counts; // counts are no longer needed
        std::fill(lastSeen.begin(), lastSeen.end(), kNone);
        for (quint64 k = total; k-- > 0;) {
            nextSlot[k] = lastSeen[slotEntity[k]];
            lastSeen[slotEntity[k]] = quint32(k);
        }
    }

    int keys[kPropertyKeyCount];
    for (quint64 k = 0; k < total; ++k) {
        const quint64 e = slotEntity[k];
        const quint64 traits = splitmix64(entitySeed + e);
        Version v;
        v.versionId = o.firstVersionId + k;
        if (e < nodes) {
            v.kind = EntityKind::Node;
            v.entityId = e + 1;
            v.label = QString::fromLatin1(kNodeLabels[traits % std::size(kNodeLabels)]);
        } else {
            v.kind = EntityKind::Edge;
            v.entityId = e - nodes + 1;
            v.label = QString::fromLatin1(kEdgeLabels[traits % std::size(kEdgeLabels)]);
            // An edge keeps its endpoints for life; no self-loops when there is a choice.
            const quint64 h = splitmix64(traits);
            v.source = 1 + h % nodes;
            v.target = 1 + (h >> 32) % nodes;
            if (v.target == v.source && nodes > 1)
                v.target = v.target % nodes + 1;
        }
        v.txFrom = slotTime(k);
        v.txTo = nextSlot[k] == kNone ? kOpenEnd : slotTime(nextSlot[k]);
        // Mostly valid from when recorded; some corrections are backdated, some facts expire.
        v.validFrom = rng.chance(0.85) ? v.txFrom : v.txFrom - qint64(rng.below(7 * kMicrosPerDay));
        v.validTo =
            rng.chance(0.1) ? v.validFrom + 1 + qint64(rng.below(30 * kMicrosPerDay)) : kOpenEnd;

        for (int i = 0; i < kPropertyKeyCount; ++i)
            keys[i] = i;
        PropertyValue::Map props;
        for (quint64 i = 0, n = rng.below(7); i < n; ++i) {
            std::swap(keys[i], keys[i + rng.below(quint64(kPropertyKeyCount) - i)]);
            props.emplace_back(QString::fromLatin1(kPropertyKeys[keys[i]]),
                               propertyValue(rng, keys[i]));
        }
        v.properties = PropertyValue::canonicalMap(std::move(props));
        sink(std::move(v));
    }
}

std::vector<Version> WorkloadGenerator::generateAll()
{
    std::vector<Version> out;
    out.reserve(m_options.versions);
    generate([&out](Version&& v) { out.push_back(std::move(v)); });
    return out;
}

Version WorkloadGenerator::randomVersion(quint64 seed, quint64 index)
{
    Random r(splitmix64(seed) ^ splitmix64(index + 0x5bd1e995ULL));
    Version v;
    v.versionId = nastyU64(r);
    v.kind = r.chance(0.5) ? EntityKind::Edge : EntityKind::Node;
    v.entityId = nastyU64(r);
    if (v.isEdge()) {
        v.source = nastyU64(r);
        v.target = nastyU64(r);
    }
    v.label = nastyString(r, 10);
    nastyRange(r, &v.validFrom, &v.validTo);
    nastyRange(r, &v.txFrom, &v.txTo);
    PropertyValue::Map props;
    for (quint64 i = 0, n = r.below(9); i < n; ++i)
        props.emplace_back(nastyString(r, 6), nastyValue(r, 0));
    v.properties = PropertyValue::canonicalMap(std::move(props));
    return v;
}

} // namespace frostline
