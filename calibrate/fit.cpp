#include "calibrate/fit.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "calibrate/profile_io.hpp"

namespace cirrus::calibrate {
namespace {

using models::CurveFit;
using models::FitFamily;

// Groups samples by key in order of first appearance.
class Groups {
 public:
  void add(const std::string& key, Sample s) {
    auto it =
        std::find_if(groups_.begin(), groups_.end(), [&](const auto& g) { return g.first == key; });
    if (it == groups_.end()) it = groups_.insert(groups_.end(), {key, {}});
    it->second.push_back(s);
  }
  void fit_into(FitFamily family, std::vector<CurveFit>& out) const {
    for (const auto& [key, samples] : groups_) {
      if (auto f = fit_latency_rate(samples)) {
        f->family = family;
        f->key = key;
        // Six significant digits: the measurements behind a fit are far noisier than that.
        f->alpha_s = round_significant(f->alpha_s);
        f->rate = round_significant(f->rate);
        f->rms_rel_error = round_significant(f->rms_rel_error, 3);
        out.push_back(*f);
      }
    }
  }

 private:
  std::vector<std::pair<std::string, std::vector<Sample>>> groups_;
};

}  // namespace

std::optional<CurveFit> fit_latency_rate(const std::vector<Sample>& samples) {
  std::vector<Sample> s;
  for (const Sample& x : samples) {
    if (x.x > 0 && x.seconds > 0 && std::isfinite(x.x) && std::isfinite(x.seconds)) {
      s.push_back(x);
    }
  }
  if (s.size() < 2) return std::nullopt;
  const auto [lo, hi] = std::minmax_element(
      s.begin(), s.end(), [](const Sample& a, const Sample& b) { return a.x < b.x; });
  if (!(hi->x > lo->x)) return std::nullopt;

  // Weighted normal equations for t ~ a + b x with weights 1/t^2, scaled by x_max so the
  // matrix stays well conditioned when x spans ten orders of magnitude.
  const double scale = hi->x;
  double s00 = 0, s01 = 0, s11 = 0, r0 = 0, r1 = 0;
  for (const Sample& x : s) {
    const double w = 1.0 / (x.seconds * x.seconds);
    const double u = x.x / scale;
    s00 += w;
    s01 += w * u;
    s11 += w * u * u;
    r0 += w * x.seconds;
    r1 += w * u * x.seconds;
  }
  const double det = s00 * s11 - s01 * s01;
  double a = 0, b = 0;  // b per unit of u = x / scale
  if (det > 0) {
    a = (r0 * s11 - r1 * s01) / det;
    b = (s00 * r1 - s01 * r0) / det;
  }
  if (!(det > 0) || a < 0) {
    a = 0;
    b = r1 / s11;
  }
  if (!(b > 0) || !std::isfinite(b)) return std::nullopt;

  CurveFit f;
  f.alpha_s = a;
  f.rate = scale / b;
  double sq = 0;
  for (const Sample& x : s) {
    const double e = (f.seconds(x.x) - x.seconds) / x.seconds;
    sq += e * e;
  }
  f.rms_rel_error = std::sqrt(sq / static_cast<double>(s.size()));
  f.points = static_cast<int>(s.size());
  f.x_min = lo->x;
  f.x_max = hi->x;
  return f;
}

std::vector<CurveFit> fit_profile(const models::Profile& p) {
  std::vector<CurveFit> out;

  Groups gemm;
  for (const auto& g : p.gemm) {
    const double flops = 2.0 * static_cast<double>(g.m) * static_cast<double>(g.n) *
                         static_cast<double>(g.k) * static_cast<double>(g.batch);
    gemm.add(models::to_string(g.dtype), {flops, g.seconds});
  }
  gemm.fit_into(FitFamily::kGemm, out);

  Groups attention;
  for (const auto& a : p.attention) {
    for (auto pass : {models::AttentionPass::kForward, models::AttentionPass::kBackward}) {
      const double t = pass == models::AttentionPass::kForward ? a.fwd_s : a.bwd_s;
      const std::string key =
          fmt::format("{}/{}/{}/{}", models::to_string(a.impl), models::to_string(a.dtype),
                      a.causal ? "causal" : "full", models::to_string(pass));
      attention.add(
          key, {models::attention_flops(pass, a.causal, static_cast<double>(a.batch),
                                        static_cast<double>(a.heads), static_cast<double>(a.seq),
                                        static_cast<double>(a.head_dim)),
                t});
    }
  }
  attention.fit_into(FitFamily::kAttention, out);

  Groups memory;
  for (const auto& m : p.memory) {
    memory.add(models::to_string(m.kind), {static_cast<double>(m.bytes), m.seconds});
  }
  memory.fit_into(FitFamily::kMemory, out);

  Groups copies;
  for (const auto& c : p.host_copy) {
    copies.add(models::to_string(c.direction), {static_cast<double>(c.bytes), c.seconds});
  }
  copies.fit_into(FitFamily::kHostCopy, out);

  // Collectives: the source the lookups read (models::collective_source_rank's first present).
  auto key_of = [](const models::CollectivePoint& c) {
    return fmt::format("{}/{}/{}", models::to_string(c.op), c.ranks, c.nodes);
  };
  std::vector<std::pair<std::string, int>> best;  // key, smallest source rank present
  for (const auto& c : p.collectives) {
    const std::string key = key_of(c);
    const int rank = models::collective_source_rank(c.source);
    auto it = std::find_if(best.begin(), best.end(), [&](const auto& b) { return b.first == key; });
    if (it == best.end()) {
      best.emplace_back(key, rank);
    } else {
      it->second = std::min(it->second, rank);
    }
  }
  Groups collectives;
  for (const auto& c : p.collectives) {
    const std::string key = key_of(c);
    const auto it =
        std::find_if(best.begin(), best.end(), [&](const auto& b) { return b.first == key; });
    if (models::collective_source_rank(c.source) != it->second) continue;
    collectives.add(
        key, {static_cast<double>(c.bytes) * models::bus_factor(c.op, c.ranks), c.time_us * 1e-6});
  }
  collectives.fit_into(FitFamily::kCollective, out);
  return out;
}

}  // namespace cirrus::calibrate
