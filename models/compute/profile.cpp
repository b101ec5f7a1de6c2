#include "models/compute/profile.hpp"
#include "common/enum_names.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <tuple>
#include <utility>

namespace cirrus::models {
namespace {

// Comparisons in log2 space tolerate rounding of sizes that were printed and read back.
constexpr double kLogEpsilon = 1e-9;

template <typename E, std::size_t N>
std::optional<E> parse_enum(const std::string& s, const E (&all)[N]) {
  for (E e : all) {
    if (s == to_string(e)) return e;
  }
  return std::nullopt;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool has(const std::string& haystack, const char* needle) {
  return haystack.find(needle) != std::string::npos;
}

// Sorts (log2 size, value) pairs and averages values that share a size.
ProfileLookup::Curve make_curve(std::vector<std::pair<double, double>> pts) {
  std::sort(pts.begin(), pts.end());
  ProfileLookup::Curve c;
  std::size_t i = 0;
  while (i < pts.size()) {
    std::size_t j = i;
    double sum = 0;
    while (j < pts.size() && std::fabs(pts[j].first - pts[i].first) < kLogEpsilon) {
      sum += pts[j].second;
      ++j;
    }
    c.log_bytes.push_back(pts[i].first);
    c.values.push_back(sum / static_cast<double>(j - i));
    i = j;
  }
  return c;
}

void add_point(ProfileLookup::Scatter& s, std::vector<double> coords, double value) {
  if (s.coords.empty()) {
    s.lo = coords;
    s.hi = coords;
  } else {
    for (std::size_t d = 0; d < coords.size(); ++d) {
      s.lo[d] = std::min(s.lo[d], coords[d]);
      s.hi[d] = std::max(s.hi[d], coords[d]);
    }
  }
  s.coords.push_back(std::move(coords));
  s.values.push_back(value);
}

bool positive(double x) { return x > 0 && std::isfinite(x); }

}  // namespace

const char* to_string(AttentionImpl v) { return v == AttentionImpl::kFused ? "fused" : "unfused"; }
const char* to_string(AttentionPass v) { return v == AttentionPass::kForward ? "fwd" : "bwd"; }
constexpr EnumNames<MemoryKernel, 5> kMemoryKernelNames = {
    {{MemoryKernel::kCopy, "copy"},
     {MemoryKernel::kElementwise, "elementwise"},
     {MemoryKernel::kLayerNorm, "layernorm"},
     {MemoryKernel::kSoftmax, "softmax"},
     {MemoryKernel::kAdam, "adam"}}};

const char* to_string(MemoryKernel v) { return name_in(kMemoryKernelNames, v); }
constexpr EnumNames<CopyDirection, 3> kCopyDirectionNames = {
    {{CopyDirection::kHostToDevice, "h2d"},
     {CopyDirection::kDeviceToHost, "d2h"},
     {CopyDirection::kDeviceToDevice, "d2d"}}};

const char* to_string(CopyDirection v) { return name_in(kCopyDirectionNames, v); }
constexpr EnumNames<CollectiveSource, 3> kCollectiveSourceNames = {
    {{CollectiveSource::kCalibrate, "calibrate"},
     {CollectiveSource::kNcclTests, "nccl-tests"},
     {CollectiveSource::kPublic, "public"}}};

const char* to_string(CollectiveSource v) { return name_in(kCollectiveSourceNames, v); }
int collective_source_rank(CollectiveSource v) {
  switch (v) {
    case CollectiveSource::kNcclTests:
      return 0;
    case CollectiveSource::kCalibrate:
      return 1;
    case CollectiveSource::kPublic:
      return 2;
  }
  return 3;
}
constexpr EnumNames<FitFamily, 5> kFitFamilyNames = {{{FitFamily::kGemm, "gemm"},
                                                      {FitFamily::kAttention, "attention"},
                                                      {FitFamily::kMemory, "memory"},
                                                      {FitFamily::kHostCopy, "host_copy"},
                                                      {FitFamily::kCollective, "collective"}}};

const char* to_string(FitFamily v) { return name_in(kFitFamilyNames, v); }

std::optional<Precision> parse_precision(const std::string& s) {
  static constexpr Precision kAll[] = {Precision::kFp32, Precision::kTf32, Precision::kFp16,
                                       Precision::kBf16, Precision::kFp8};
  return parse_enum(s, kAll);
}
std::optional<AttentionImpl> parse_attention_impl(const std::string& s) {
  static constexpr AttentionImpl kAll[] = {AttentionImpl::kFused, AttentionImpl::kUnfused};
  return parse_enum(s, kAll);
}
std::optional<AttentionPass> parse_attention_pass(const std::string& s) {
  static constexpr AttentionPass kAll[] = {AttentionPass::kForward, AttentionPass::kBackward};
  return parse_enum(s, kAll);
}
std::optional<MemoryKernel> parse_memory_kernel(const std::string& s) {
  static constexpr MemoryKernel kAll[] = {MemoryKernel::kCopy, MemoryKernel::kElementwise,
                                          MemoryKernel::kLayerNorm, MemoryKernel::kSoftmax,
                                          MemoryKernel::kAdam};
  return parse_enum(s, kAll);
}
std::optional<CopyDirection> parse_copy_direction(const std::string& s) {
  static constexpr CopyDirection kAll[] = {
      CopyDirection::kHostToDevice, CopyDirection::kDeviceToHost, CopyDirection::kDeviceToDevice};
  return parse_enum(s, kAll);
}
std::optional<CollectiveSource> parse_collective_source(const std::string& s) {
  static constexpr CollectiveSource kAll[] = {
      CollectiveSource::kCalibrate, CollectiveSource::kNcclTests, CollectiveSource::kPublic};
  return parse_enum(s, kAll);
}
std::optional<CollectiveKind> parse_collective_kind(const std::string& s) {
  static constexpr CollectiveKind kAll[] = {
      CollectiveKind::kAllReduce, CollectiveKind::kAllGather, CollectiveKind::kReduceScatter,
      CollectiveKind::kAllToAll,  CollectiveKind::kSendRecv,  CollectiveKind::kBroadcast};
  return parse_enum(s, kAll);
}
std::optional<FitFamily> parse_fit_family(const std::string& s) {
  static constexpr FitFamily kAll[] = {FitFamily::kGemm, FitFamily::kAttention, FitFamily::kMemory,
                                       FitFamily::kHostCopy, FitFamily::kCollective};
  return parse_enum(s, kAll);
}

double attention_flops(AttentionPass pass, bool causal, double batch, double heads, double seq,
                       double head_dim) {
  double share = 1.0;
  if (causal) {
    const double blocks = std::max(1.0, seq / 128.0);
    share = (blocks + 1.0) / (2.0 * blocks);
  }
  const double fwd = 4.0 * batch * heads * seq * seq * head_dim * share;
  return pass == AttentionPass::kForward ? fwd : 2.5 * fwd;
}

std::string gpu_preset_for_device(const std::string& device_name) {
  // Names as cudaGetDeviceProperties / nvidia-smi print them. Order matters: "h100 pcie"
  // before the generic H100 (SXM), "a100 80gb pcie" before the A100 SXM parts, L40S before
  // L4, A10G before A10.
  const std::string n = lower(device_name);
  if (has(n, "h200")) return has(n, "nvl") ? "" : "h200-sxm";
  if (has(n, "h100")) {
    if (has(n, "pcie")) return "h100-pcie";
    if (has(n, "nvl")) return "";
    return "h100-sxm";
  }
  if (has(n, "a100")) {
    if (has(n, "pcie")) return has(n, "80gb") ? "a100-pcie-80gb" : "";
    return has(n, "40gb") ? "a100-sxm-40gb" : "a100-sxm-80gb";
  }
  if (has(n, "l40s")) return "l40s";
  if (has(n, "l40")) return "";
  if (has(n, "l4")) return "l4";
  if (has(n, "a10g")) return "a10g";
  if (has(n, "a10 ") || has(n, "a10-") || n.ends_with("a10")) return "a10";
  if (has(n, "v100")) return has(n, "32gb") ? "v100-sxm-32gb" : "v100-sxm-16gb";
  if (has(n, "mi300x")) return "mi300x";
  return "";
}

std::string node_preset_for_gpu(const std::string& gpu_id) {
  if (gpu_id == "h100-sxm") return "dgx-h100";
  if (gpu_id == "h200-sxm") return "dgx-h200";
  if (gpu_id == "a100-sxm-80gb") return "dgx-a100-80gb";
  if (gpu_id == "a100-sxm-40gb") return "dgx-a100-40gb";
  if (gpu_id == "l4") return "l4-x8";
  if (gpu_id == "l40s") return "l40s-x8";
  if (gpu_id == "a10g") return "a10g-x8";
  return "";
}

namespace {

// The short name of a device for a label: "NVIDIA H100 80GB HBM3" -> "H100",
// "NVIDIA A100-SXM4-80GB" -> "A100".
std::string short_device(const std::string& name) {
  std::string n = name;
  if (n.rfind("NVIDIA ", 0) == 0) n = n.substr(7);
  const auto end = n.find_first_of(" -");
  return end == std::string::npos ? n : n.substr(0, end);
}

}  // namespace

std::string calibration_label(const Profile& p) {
  std::string label;
  if (p.source) {
    label = fmt::format("public profile ({}, {}, {})", p.source->name, short_device(p.device.name),
                        p.source->date.substr(0, 7));
  } else {
    label = fmt::format("profile (measured on {}, {})", p.device.name, p.date.substr(0, 10));
  }
  if (p.scaled) {
    const auto gpu = find_gpu(p.device.gpu);
    const std::string target = gpu ? gpu->display : p.device.gpu;
    std::string factors;
    if (std::fabs(p.scaled->memory - 1.0) > 5e-4) {
      factors += fmt::format("HBM bandwidth x{:.3g}", p.scaled->memory);
    }
    if (std::fabs(p.scaled->compute - 1.0) > 5e-4) {
      factors += fmt::format("{}GEMM and attention rates x{:.3g}", factors.empty() ? "" : ", ",
                             p.scaled->compute);
    }
    label += factors.empty() ? fmt::format(", for {} (same clock and HBM bandwidth)", target)
                             : fmt::format(", scaled to {}: {}", target, factors);
  }
  return label;
}

ProfileLookup::ProfileLookup(const Profile& p)
    : label_(calibration_label(p)), memory_applies_(!p.source.has_value()) {
  // The largest m measured at each (dtype, n, k, batch): a point's cap for held queries.
  std::map<std::tuple<Precision, std::int64_t, std::int64_t, std::int64_t>, std::int64_t> m_max;
  for (const GemmPoint& g : p.gemm) {
    if (g.m <= 0 || g.n <= 0 || g.k <= 0 || g.batch <= 0 || !positive(g.seconds)) continue;
    auto& cap = m_max[{g.dtype, g.n, g.k, g.batch}];
    cap = std::max(cap, g.m);
  }
  for (const GemmPoint& g : p.gemm) {
    if (g.m <= 0 || g.n <= 0 || g.k <= 0 || g.batch <= 0 || !positive(g.seconds)) continue;
    auto it = std::find_if(gemm_.begin(), gemm_.end(),
                           [&](const GemmTable& t) { return t.dtype == g.dtype; });
    if (it == gemm_.end()) it = gemm_.insert(gemm_.end(), GemmTable{g.dtype, {}, {}, {}});
    const double flops = 2.0 * static_cast<double>(g.m) * static_cast<double>(g.n) *
                         static_cast<double>(g.k) * static_cast<double>(g.batch);
    add_point(it->table,
              {std::log2(static_cast<double>(g.m)), std::log2(static_cast<double>(g.n)),
               std::log2(static_cast<double>(g.k)), std::log2(static_cast<double>(g.batch))},
              flops / g.seconds);
    it->m_cap.push_back(std::log2(static_cast<double>(m_max.at({g.dtype, g.n, g.k, g.batch}))));
  }
  for (GemmTable& t : gemm_) {
    // Columns: points with the same (n, k, batch), which are the same log2 values exactly
    // (they come from the same integers).
    std::map<std::vector<double>, std::size_t> index;
    for (std::size_t i = 0; i < t.table.coords.size(); ++i) {
      const auto& c = t.table.coords[i];
      std::vector<double> nkb{c[1], c[2], c[3]};
      auto [it, fresh] = index.emplace(nkb, t.columns.size());
      if (fresh) t.columns.push_back({std::move(nkb), t.m_cap[i], {}});
      t.columns[it->second].m.emplace_back(c[0], i);
    }
    for (GemmColumn& col : t.columns) std::sort(col.m.begin(), col.m.end());
  }
  for (const AttentionPoint& a : p.attention) {
    if (a.batch <= 0 || a.heads <= 0 || a.seq <= 0 || a.head_dim <= 0) continue;
    for (AttentionPass pass : {AttentionPass::kForward, AttentionPass::kBackward}) {
      const double t = pass == AttentionPass::kForward ? a.fwd_s : a.bwd_s;
      if (!positive(t)) continue;  // a pass that was not measured
      auto it = std::find_if(attention_.begin(), attention_.end(), [&](const AttentionTable& x) {
        return x.impl == a.impl && x.pass == pass && x.dtype == a.dtype && x.causal == a.causal;
      });
      if (it == attention_.end()) {
        it = attention_.insert(attention_.end(),
                               AttentionTable{a.impl, pass, a.dtype, a.causal, {}});
      }
      const auto b = static_cast<double>(a.batch), h = static_cast<double>(a.heads);
      const auto s = static_cast<double>(a.seq), d = static_cast<double>(a.head_dim);
      add_point(it->table, {std::log2(s), std::log2(d), std::log2(b * h)},
                attention_flops(pass, a.causal, b, h, s, d) / t);
    }
  }

  std::vector<std::pair<MemoryKernel, std::vector<std::pair<double, double>>>> mem;
  for (const MemoryPoint& m : p.memory) {
    if (m.bytes <= 0 || !positive(m.seconds)) continue;
    auto it =
        std::find_if(mem.begin(), mem.end(), [&](const auto& x) { return x.first == m.kind; });
    if (it == mem.end()) it = mem.insert(mem.end(), {m.kind, {}});
    it->second.emplace_back(std::log2(static_cast<double>(m.bytes)),
                            static_cast<double>(m.bytes) / m.seconds);
  }
  for (auto& [kind, pts] : mem) memory_.push_back({kind, make_curve(std::move(pts))});

  std::vector<std::pair<CopyDirection, std::vector<std::pair<double, double>>>> copies;
  for (const HostCopyPoint& c : p.host_copy) {
    if (c.bytes <= 0 || !positive(c.seconds)) continue;
    auto it = std::find_if(copies.begin(), copies.end(),
                           [&](const auto& x) { return x.first == c.direction; });
    if (it == copies.end()) it = copies.insert(copies.end(), {c.direction, {}});
    it->second.emplace_back(std::log2(static_cast<double>(c.bytes)),
                            static_cast<double>(c.bytes) / c.seconds);
  }
  for (auto& [dir, pts] : copies) copy_.push_back({dir, make_curve(std::move(pts))});

  // Collectives: per (op, ranks, nodes), the points of the preferred source present.
  struct Key {
    CollectiveKind op;
    int ranks, nodes;
    bool operator==(const Key&) const = default;
  };
  std::vector<std::pair<Key, int>> best_source;  // key, smallest source rank present
  for (const CollectivePoint& c : p.collectives) {
    const Key k{c.op, c.ranks, c.nodes};
    auto it = std::find_if(best_source.begin(), best_source.end(),
                           [&](const auto& x) { return x.first == k; });
    const int rank = collective_source_rank(c.source);
    if (it == best_source.end()) it = best_source.insert(best_source.end(), {k, rank});
    it->second = std::min(it->second, rank);
  }
  for (const auto& [key, source] : best_source) {
    std::vector<std::pair<double, double>> pts;
    for (const CollectivePoint& c : p.collectives) {
      if (!(Key{c.op, c.ranks, c.nodes} == key)) continue;
      if (collective_source_rank(c.source) != source) continue;
      if (c.bytes <= 0 || !positive(c.time_us) || c.ranks < 2) continue;
      const double busbw =
          static_cast<double>(c.bytes) * bus_factor(c.op, c.ranks) / (c.time_us * 1e-6);
      pts.emplace_back(std::log2(static_cast<double>(c.bytes)), busbw);
    }
    if (!pts.empty()) {
      collective_.push_back({key.op, key.ranks, key.nodes, make_curve(std::move(pts))});
    }
  }
}

std::optional<double> ProfileLookup::interpolate(const Scatter& t, const std::vector<double>& q) {
  if (t.coords.empty() || q.size() != t.lo.size()) return std::nullopt;
  for (std::size_t d = 0; d < q.size(); ++d) {
    if (!std::isfinite(q[d]) || q[d] < t.lo[d] - kLogEpsilon || q[d] > t.hi[d] + kLogEpsilon) {
      return std::nullopt;
    }
  }
  std::vector<std::pair<double, std::size_t>> dist;
  dist.reserve(t.coords.size());
  for (std::size_t i = 0; i < t.coords.size(); ++i) {
    double s = 0;
    for (std::size_t d = 0; d < q.size(); ++d) {
      const double x = t.coords[i][d] - q[d];
      s += x * x;
    }
    dist.emplace_back(std::sqrt(s), i);
  }
  // Only the nearest kNeighbours need ordering; ties are broken by index, so the same profile
  // always gives the same answer.
  const std::size_t k = std::min<std::size_t>(kNeighbours, dist.size());
  std::partial_sort(dist.begin(), dist.begin() + static_cast<std::ptrdiff_t>(k), dist.end());
  if (dist.front().first > kMaxLog2Distance + kLogEpsilon) return std::nullopt;
  if (dist.front().first < kLogEpsilon) {
    // An exact hit: the mean of every point measured at this shape.
    double sum = 0;
    int n = 0;
    for (const auto& [d, i] : dist) {
      if (d < kLogEpsilon) {
        sum += t.values[i];
        ++n;
      }
    }
    return sum / n;
  }
  double wsum = 0, vsum = 0;
  for (std::size_t j = 0; j < k; ++j) {
    const double w = 1.0 / (dist[j].first * dist[j].first);
    wsum += w;
    vsum += w * t.values[dist[j].second];
  }
  return vsum / wsum;
}

std::optional<double> ProfileLookup::interpolate(const Curve& c, double bytes) {
  if (c.log_bytes.empty() || !(bytes > 0)) return std::nullopt;
  const double x = std::log2(bytes);
  if (x < c.log_bytes.front() - kLogEpsilon || x > c.log_bytes.back() + kLogEpsilon) {
    return std::nullopt;
  }
  if (c.log_bytes.size() == 1) return c.values.front();
  // The first measured size at or above x; clamp onto the last segment.
  auto it = std::lower_bound(c.log_bytes.begin(), c.log_bytes.end(), x - kLogEpsilon);
  std::size_t hi = static_cast<std::size_t>(it - c.log_bytes.begin());
  if (hi == 0) hi = 1;
  if (hi >= c.log_bytes.size()) hi = c.log_bytes.size() - 1;
  const std::size_t lo = hi - 1;
  const double t =
      std::clamp((x - c.log_bytes[lo]) / (c.log_bytes[hi] - c.log_bytes[lo]), 0.0, 1.0);
  return c.values[lo] + t * (c.values[hi] - c.values[lo]);
}

std::optional<ProfileLookup::GemmRate> ProfileLookup::held_interpolate(const GemmTable& t,
                                                                       std::vector<double> q,
                                                                       bool exhaustive) {
  const Scatter& s = t.table;
  if (s.coords.empty() || q.size() != 4) return std::nullopt;
  for (std::size_t d = 0; d < q.size(); ++d) {
    if (!std::isfinite(q[d]) || q[d] < s.lo[d] - kLogEpsilon) return std::nullopt;
  }
  if (q[3] > s.hi[3] + kLogEpsilon) return std::nullopt;  // more batches than measured
  bool held = false;
  for (std::size_t d : {std::size_t{1}, std::size_t{2}}) {  // n and k: the table's maxima
    if (q[d] > s.hi[d] + kLogEpsilon) {
      q[d] = s.hi[d];
      held = true;
    }
  }
  // Distances with the query's m seen by each point as at most the point's own cap.
  auto distance = [&](std::size_t i) {
    const double qm = std::min(q[0], t.m_cap[i]);
    double sum = (s.coords[i][0] - qm) * (s.coords[i][0] - qm);
    for (std::size_t d = 1; d < q.size(); ++d) {
      const double x = s.coords[i][d] - q[d];
      sum += x * x;
    }
    return std::sqrt(sum);
  };
  std::vector<std::pair<double, std::size_t>> dist;
  if (exhaustive) {
    dist.reserve(s.coords.size());
    for (std::size_t i = 0; i < s.coords.size(); ++i) dist.emplace_back(distance(i), i);
  } else {
    // Columns nearest first by their (n, k, batch) distance, a lower bound on the distance of
    // every point in them.
    std::vector<std::pair<double, std::size_t>> cols;
    cols.reserve(t.columns.size());
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
      double sum = 0;
      for (std::size_t d = 0; d < 3; ++d) {
        const double x = t.columns[c].nkb[d] - q[d + 1];
        sum += x * x;
      }
      cols.emplace_back(std::sqrt(sum), c);
    }
    // A min-heap: usually a few columns are visited, so sorting them all would be waste.
    const auto farther = [](const auto& a, const auto& b) { return b < a; };
    std::make_heap(cols.begin(), cols.end(), farther);
    std::vector<double> best;  // the kNeighbours smallest distances so far, ascending
    while (!cols.empty()) {
      std::pop_heap(cols.begin(), cols.end(), farther);
      const auto [lower, c] = cols.back();
      cols.pop_back();
      // The slack keeps the bound safe from rounding (it only visits more).
      if (best.size() == kNeighbours && lower > best.back() + 1e-12) break;
      const GemmColumn& col = t.columns[c];
      const double qm = std::min(q[0], col.cap);
      const auto mid =
          std::lower_bound(col.m.begin(), col.m.end(), std::make_pair(qm, std::size_t{0}));
      // Up to kNeighbours points on each side in m, and every further point at the same m
      // as the last taken (repeated measurements of one shape).
      auto take = [&](std::size_t i) {
        const double d = distance(i);
        dist.emplace_back(d, i);
        best.insert(std::upper_bound(best.begin(), best.end(), d), d);
        if (best.size() > kNeighbours) best.pop_back();
      };
      int n = 0;
      for (auto it = mid; it != col.m.end(); ++it, ++n) {
        if (n >= kNeighbours && it->first != std::prev(it)->first) break;
        take(it->second);
      }
      n = 0;
      for (auto it = mid; it != col.m.begin(); ++n) {
        --it;
        if (n >= kNeighbours && it->first != std::next(it)->first) break;
        take(it->second);
      }
    }
  }
  auto clamped = [&](std::size_t i) { return q[0] > t.m_cap[i] + kLogEpsilon; };
  const std::size_t k = std::min<std::size_t>(kNeighbours, dist.size());
  std::partial_sort(dist.begin(), dist.begin() + static_cast<std::ptrdiff_t>(k), dist.end());
  if (dist.front().first > kMaxLog2Distance + kLogEpsilon) return std::nullopt;
  GemmRate r;
  if (dist.front().first < kLogEpsilon) {
    double sum = 0;
    int n = 0;
    for (const auto& [d, i] : dist) {
      if (d < kLogEpsilon) {
        sum += s.values[i];
        held = held || clamped(i);
        ++n;
      }
    }
    r.flops_per_s = sum / n;
  } else {
    double wsum = 0, vsum = 0;
    for (std::size_t j = 0; j < k; ++j) {
      const double w = 1.0 / (dist[j].first * dist[j].first);
      wsum += w;
      vsum += w * s.values[dist[j].second];
      held = held || clamped(dist[j].second);
    }
    r.flops_per_s = vsum / wsum;
  }
  r.extrapolated = held;
  return r;
}

const ProfileLookup::GemmTable* ProfileLookup::gemm_table(Precision dtype) const {
  auto find = [&](Precision p) -> const GemmTable* {
    for (const GemmTable& t : gemm_) {
      if (t.dtype == p) return &t;
    }
    return nullptr;
  };
  const GemmTable* t = find(dtype);
  // bf16 reads fp16 measurements when there are no bf16 ones (see the class comment).
  if (t == nullptr && dtype == Precision::kBf16) t = find(Precision::kFp16);
  return t;
}

std::optional<ProfileLookup::GemmRate> ProfileLookup::gemm_rate(Precision dtype, double m, double n,
                                                                double k, double batch) const {
  if (!(m > 0 && n > 0 && k > 0 && batch > 0)) return std::nullopt;
  const GemmTable* t = gemm_table(dtype);
  if (t == nullptr) return std::nullopt;
  return held_interpolate(*t, {std::log2(m), std::log2(n), std::log2(k), std::log2(batch)}, false);
}

std::optional<ProfileLookup::GemmRate> ProfileLookup::gemm_rate_exhaustive(Precision dtype,
                                                                           double m, double n,
                                                                           double k,
                                                                           double batch) const {
  if (!(m > 0 && n > 0 && k > 0 && batch > 0)) return std::nullopt;
  const GemmTable* t = gemm_table(dtype);
  if (t == nullptr) return std::nullopt;
  return held_interpolate(*t, {std::log2(m), std::log2(n), std::log2(k), std::log2(batch)}, true);
}

std::optional<double> ProfileLookup::gemm_flops_per_s(Precision dtype, double m, double n, double k,
                                                      double batch) const {
  const auto r = gemm_rate(dtype, m, n, k, batch);
  if (!r) return std::nullopt;
  return r->flops_per_s;
}

std::optional<double> ProfileLookup::gemm_efficiency(Precision dtype, double m, double n, double k,
                                                     double batch, double peak) const {
  if (!(peak > 0)) return std::nullopt;
  const auto f = gemm_flops_per_s(dtype, m, n, k, batch);
  if (!f) return std::nullopt;
  return *f / peak;
}

std::optional<double> ProfileLookup::attention_efficiency(AttentionImpl impl, AttentionPass pass,
                                                          Precision dtype, bool causal,
                                                          double batch, double heads, double seq,
                                                          double head_dim, double peak) const {
  if (!(peak > 0 && batch > 0 && heads > 0 && seq > 0 && head_dim > 0)) return std::nullopt;
  for (const AttentionTable& t : attention_) {
    if (t.impl != impl || t.pass != pass || t.dtype != dtype || t.causal != causal) continue;
    const auto f =
        interpolate(t.table, {std::log2(seq), std::log2(head_dim), std::log2(batch * heads)});
    if (!f) return std::nullopt;
    return *f / peak;
  }
  return std::nullopt;
}

std::optional<double> ProfileLookup::memory_bandwidth(MemoryKernel kind, double bytes) const {
  for (const MemoryCurve& c : memory_) {
    if (c.kind == kind) return interpolate(c.curve, bytes);
  }
  return std::nullopt;
}

std::optional<double> ProfileLookup::host_copy_bandwidth(CopyDirection direction,
                                                         double bytes) const {
  for (const CopyCurve& c : copy_) {
    if (c.direction == direction) return interpolate(c.curve, bytes);
  }
  return std::nullopt;
}

std::optional<double> ProfileLookup::collective_busbw(CollectiveKind op, int ranks, int nodes,
                                                      double bytes) const {
  for (const CollectiveCurve& c : collective_) {
    if (c.op == op && c.ranks == ranks && c.nodes == nodes) return interpolate(c.curve, bytes);
  }
  return std::nullopt;
}

std::optional<double> ProfileLookup::collective_seconds(CollectiveKind op, int ranks, int nodes,
                                                        double bytes) const {
  const auto busbw = collective_busbw(op, ranks, nodes, bytes);
  if (!busbw || !(*busbw > 0)) return std::nullopt;
  return bytes * bus_factor(op, ranks) / *busbw;
}

}  // namespace cirrus::models
