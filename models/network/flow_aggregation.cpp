// Raw flows merged into classes (flow_aggregation.hpp): identical routes first, then colour
// refinement to the coarsest equitable partition, then classes with per-link coefficients.
#include "models/network/flow_aggregation.hpp"

#include <algorithm>
#include <cstring>

namespace cirrus::models {
namespace {

// Colour refinement rounds before falling back to identical-route classes. Symmetric
// collectives settle in a handful; a ring whose leaf boundaries fall unevenly needs a few more.
constexpr int kMaxRefinementRounds = 24;

std::uint64_t bits_of(double x) {
  std::uint64_t b = 0;
  static_assert(sizeof(b) == sizeof(x));
  std::memcpy(&b, &x, sizeof(b));
  return b;
}

std::uint64_t mix(std::uint64_t h, std::uint64_t x) {
  h ^= x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
  return h ^ (h >> 31);
}

// Interns sequences of 64-bit words: equal sequences get equal ids, numbered in order of first
// appearance, so ids never depend on hashing. Open addressing over a power-of-two table; a hash
// match is confirmed by comparing the words.
class Interner {
 public:
  explicit Interner(std::size_t expected = 16) { clear(expected); }
  // Forgets every sequence but keeps the memory, for reuse.
  void clear(std::size_t expected) {
    std::size_t cap = 16;
    while (cap < 2 * expected) cap <<= 1;
    table_.assign(cap, 0);
    hash_.clear();
    pool_.clear();
    start_.clear();
    length_.clear();
  }
  std::uint32_t intern(const std::vector<std::uint64_t>& key) {
    std::uint64_t h = 0x51ed270b27d0a7b1ULL ^ key.size();
    for (const std::uint64_t w : key) h = step(h, w);
    h = mix(h, key.size());
    std::size_t mask = table_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      const std::uint32_t slot = table_[i];
      if (slot == 0) break;
      const std::uint32_t id = slot - 1;
      if (hash_[id] == h && equal(id, key)) return id;
    }
    const auto id = static_cast<std::uint32_t>(hash_.size());
    hash_.push_back(h);
    start_.push_back(pool_.size());
    pool_.insert(pool_.end(), key.begin(), key.end());
    length_.push_back(static_cast<std::uint32_t>(key.size()));
    if (2 * hash_.size() > table_.size()) {
      table_.assign(table_.size() * 2, 0);
      mask = table_.size() - 1;
      for (std::uint32_t j = 0; j < hash_.size(); ++j) place(j, mask);
    } else {
      place(id, mask);
    }
    return id;
  }
  std::size_t size() const { return hash_.size(); }

 private:
  static std::uint64_t step(std::uint64_t h, std::uint64_t w) {
    h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
    return h ^ (h >> 29);
  }
  void place(std::uint32_t id, std::size_t mask) {
    std::size_t i = hash_[id] & mask;
    while (table_[i] != 0) i = (i + 1) & mask;
    table_[i] = id + 1;
  }
  bool equal(std::uint32_t id, const std::vector<std::uint64_t>& key) const {
    if (length_[id] != key.size()) return false;
    return std::equal(key.begin(), key.end(),
                      pool_.begin() + static_cast<std::ptrdiff_t>(start_[id]));
  }
  std::vector<std::uint32_t> table_;  // id + 1, or 0 for empty
  std::vector<std::uint64_t> hash_;
  std::vector<std::uint64_t> pool_;
  std::vector<std::size_t> start_;
  std::vector<std::uint32_t> length_;
};

void parameter_key(const RawFlows& f, std::size_t i, std::vector<std::uint64_t>& key) {
  key.assign({f.phase[i], bits_of(f.bytes[i]), bits_of(f.bound[i]), bits_of(f.latency[i])});
}

struct Merged {                               // flows after the identical-route merge
  std::vector<std::uint32_t> of_raw;          // merged flow of each raw flow
  std::vector<std::uint32_t> representative;  // a raw flow of each merged flow
  std::vector<std::uint32_t> members;
};

Merged merge_identical(const RawFlows& f) {
  Merged m;
  m.of_raw.resize(f.size());
  Interner interner(f.size() / 2);
  std::vector<std::uint64_t> key;
  for (std::size_t i = 0; i < f.size(); ++i) {
    parameter_key(f, i, key);
    for (std::uint32_t k = f.begin[i]; k < f.begin[i + 1]; ++k) key.push_back(f.links[k]);
    const std::uint32_t id = interner.intern(key);
    if (id == m.members.size()) {
      m.representative.push_back(static_cast<std::uint32_t>(i));
      m.members.push_back(0);
    }
    ++m.members[id];
    m.of_raw[i] = id;
  }
  return m;
}

// Colour refinement over the merged flows; returns each merged flow's class, or an empty vector
// when it did not settle within kMaxRefinementRounds.
std::vector<std::uint32_t> refine(const NetworkTopology& topo, const RawFlows& f, const Merged& m) {
  const std::size_t u = m.members.size();
  // Transpose: for each link used, the merged flows crossing it.
  std::vector<LinkId> used;
  std::vector<std::uint32_t> slot(topo.link_count(), 0xffffffffu);
  std::vector<std::uint32_t> count;
  for (std::size_t i = 0; i < u; ++i) {
    const std::uint32_t r = m.representative[i];
    for (std::uint32_t k = f.begin[r]; k < f.begin[r + 1]; ++k) {
      std::uint32_t& s = slot[f.links[k]];
      if (s == 0xffffffffu) {
        s = static_cast<std::uint32_t>(used.size());
        used.push_back(f.links[k]);
        count.push_back(0);
      }
      ++count[s];
    }
  }
  std::vector<std::uint32_t> start(used.size() + 1, 0);
  for (std::size_t s = 0; s < used.size(); ++s) start[s + 1] = start[s] + count[s];
  std::vector<std::uint32_t> crossing(start.back());
  {
    std::vector<std::uint32_t> cursor(start.begin(), start.end() - 1);
    for (std::size_t i = 0; i < u; ++i) {
      const std::uint32_t r = m.representative[i];
      for (std::uint32_t k = f.begin[r]; k < f.begin[r + 1]; ++k) {
        crossing[cursor[slot[f.links[k]]]++] = static_cast<std::uint32_t>(i);
      }
    }
  }
  std::vector<std::uint64_t> capacity(used.size());
  for (std::size_t s = 0; s < used.size(); ++s) {
    const Link& l = topo.link(used[s]);
    capacity[s] = bits_of(l.capacity * simple_efficiency(l.link_class));
  }

  std::vector<std::uint32_t> cls(u);
  std::vector<std::uint64_t> key;
  std::size_t classes = 0;
  {
    Interner init;
    for (std::size_t i = 0; i < u; ++i) {
      parameter_key(f, m.representative[i], key);
      cls[i] = init.intern(key);
    }
    classes = init.size();
  }
  std::vector<std::uint32_t> colour(used.size());
  std::vector<std::uint32_t> next(u);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> tally;
  Interner links;
  Interner flows;
  for (int round = 0; round < kMaxRefinementRounds; ++round) {
    // A link's colour: its capacity and how many members of each flow class cross it.
    links.clear(classes * 4);
    for (std::size_t s = 0; s < used.size(); ++s) {
      tally.clear();
      for (std::uint32_t k = start[s]; k < start[s + 1]; ++k) {
        tally.emplace_back(cls[crossing[k]], m.members[crossing[k]]);
      }
      std::sort(tally.begin(), tally.end());
      key.assign({capacity[s]});
      for (std::size_t i = 0; i < tally.size();) {
        std::uint64_t sum = 0;
        const std::uint32_t c = tally[i].first;
        for (; i < tally.size() && tally[i].first == c; ++i) sum += tally[i].second;
        key.push_back((static_cast<std::uint64_t>(c) << 32) | sum);
      }
      colour[s] = links.intern(key);
    }
    // A flow's new class: its class and the colours of the links it crosses.
    flows.clear(classes * 2);
    for (std::size_t i = 0; i < u; ++i) {
      const std::uint32_t r = m.representative[i];
      key.clear();
      for (std::uint32_t k = f.begin[r]; k < f.begin[r + 1]; ++k) {
        key.push_back(colour[slot[f.links[k]]]);
      }
      std::sort(key.begin(), key.end());
      key.push_back(0xffffffff00000000ULL | cls[i]);
      next[i] = flows.intern(key);
    }
    const std::size_t refined = flows.size();
    cls.swap(next);
    if (refined == classes) return cls;  // stable: the partition is equitable
    classes = refined;
  }
  return {};
}

}  // namespace

LoweredCollective aggregate_flows(const NetworkTopology& topo, const RawFlows& f, bool merge,
                                  LoweredCollective out) {
  out.flows = f.size();
  std::uint32_t phases = 0;
  for (const std::uint32_t p : f.phase) phases = std::max(phases, p + 1);
  out.phases = phases;

  // The class of each raw flow, numbered by first appearance.
  std::vector<std::uint32_t> class_of(f.size());
  std::size_t classes = 0;
  if (!merge) {
    for (std::size_t i = 0; i < f.size(); ++i) class_of[i] = static_cast<std::uint32_t>(i);
    classes = f.size();
  } else {
    const Merged m = merge_identical(f);
    std::vector<std::uint32_t> cls = refine(topo, f, m);
    if (cls.empty()) {  // no equitable partition in reach: identical routes only
      cls.resize(m.members.size());
      for (std::size_t i = 0; i < cls.size(); ++i) cls[i] = static_cast<std::uint32_t>(i);
    }
    std::vector<std::uint32_t> renumber(m.members.size() + 1, 0xffffffffu);
    for (std::size_t i = 0; i < f.size(); ++i) {
      std::uint32_t& c = renumber[cls[m.of_raw[i]]];
      if (c == 0xffffffffu) c = static_cast<std::uint32_t>(classes++);
      class_of[i] = c;
    }
  }

  // Classes in phase order (stable by first appearance within a phase).
  std::vector<std::uint32_t> rep(classes, 0xffffffffu);
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (rep[class_of[i]] == 0xffffffffu) rep[class_of[i]] = static_cast<std::uint32_t>(i);
  }
  std::vector<std::uint32_t> order(classes);
  for (std::size_t c = 0; c < classes; ++c) order[c] = static_cast<std::uint32_t>(c);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return f.phase[rep[a]] < f.phase[rep[b]];
  });
  std::vector<std::uint32_t> position(classes);
  for (std::size_t i = 0; i < classes; ++i) position[order[i]] = static_cast<std::uint32_t>(i);

  // Raw flows grouped by class position (counting sort), then each class's links counted in a
  // dense array: the coefficients.
  std::vector<std::uint32_t> first(classes + 1, 0);
  for (std::size_t i = 0; i < f.size(); ++i) ++first[position[class_of[i]] + 1];
  for (std::size_t p = 0; p < classes; ++p) first[p + 1] += first[p];
  std::vector<std::uint32_t> grouped(f.size());
  {
    std::vector<std::uint32_t> cursor(first.begin(), first.end() - 1);
    for (std::size_t i = 0; i < f.size(); ++i) {
      grouped[cursor[position[class_of[i]]]++] = static_cast<std::uint32_t>(i);
    }
  }
  std::vector<std::uint32_t> coefficient(topo.link_count(), 0);
  std::vector<LinkId> touched;
  out.classes.resize(classes);
  out.uses.clear();
  for (std::size_t p = 0; p < classes; ++p) {
    const std::uint32_t r = rep[order[p]];
    FlowClass& c = out.classes[p];
    c.phase = f.phase[r];
    c.bytes = f.bytes[r];
    c.bound = f.bound[r];
    c.latency_s = f.latency[r];
    c.members = first[p + 1] - first[p];
    c.uses_begin = static_cast<std::uint32_t>(out.uses.size());
    touched.clear();
    for (std::uint32_t g = first[p]; g < first[p + 1]; ++g) {
      const std::uint32_t i = grouped[g];
      for (std::uint32_t k = f.begin[i]; k < f.begin[i + 1]; ++k) {
        if (coefficient[f.links[k]]++ == 0) touched.push_back(f.links[k]);
      }
    }
    std::sort(touched.begin(), touched.end());
    for (const LinkId l : touched) {
      out.uses.push_back(LinkLoad{l, static_cast<double>(coefficient[l])});
      coefficient[l] = 0;
    }
    c.uses_count = static_cast<std::uint32_t>(out.uses.size()) - c.uses_begin;
  }
  return out;
}

}  // namespace cirrus::models
