// Mixture-of-experts config checks and routing statistics (see moe.hpp).
#include "models/workload/moe.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>

namespace cirrus::models {
namespace {

std::vector<double> zipf_loads(int experts, double s) {
  std::vector<double> w(static_cast<std::size_t>(experts));
  double sum = 0;
  for (int i = 0; i < experts; ++i) {
    w[static_cast<std::size_t>(i)] = std::pow(static_cast<double>(i + 1), -s);
    sum += w[static_cast<std::size_t>(i)];
  }
  for (double& x : w) x = x * experts / sum;
  return w;
}

}  // namespace

std::vector<double> expert_loads(const MoeConfig& c) {
  const int n = std::max(1, c.experts);
  if (c.popularity == Popularity::kZipf) return zipf_loads(n, c.zipf_s);
  std::vector<double> loads(static_cast<std::size_t>(n), 1.0);
  if (n > 1) {
    // The hottest expert takes `imbalance` extra fair shares from the others, equally.
    loads[0] = 1.0 + c.imbalance;
    for (std::size_t i = 1; i < loads.size(); ++i) loads[i] = 1.0 - c.imbalance / (n - 1);
  }
  return loads;
}

std::optional<MoeProblem> check_moe(const MoeConfig& c, int layers) {
  if (c.experts < 1) {
    return MoeProblem{"experts", "a positive number of experts", fmt::format("{}", c.experts)};
  }
  if (c.top_k < 1 || c.top_k > c.experts) {
    return MoeProblem{"top_k", fmt::format("1 to the number of experts ({})", c.experts),
                      fmt::format("top_k = {}", c.top_k)};
  }
  if (c.layer_freq < 1) {
    return MoeProblem{"layer_freq", "a positive integer", fmt::format("{}", c.layer_freq)};
  }
  if (c.first_dense_layers < 0 || c.first_dense_layers >= layers) {
    return MoeProblem{"first_dense_layers",
                      fmt::format("0 to layers - 1 ({}), leaving an MoE layer", layers - 1),
                      fmt::format("{}", c.first_dense_layers)};
  }
  if (c.expert_ffn_hidden < 1) {
    return MoeProblem{"expert_ffn_hidden", "a positive FFN width",
                      fmt::format("{}", c.expert_ffn_hidden)};
  }
  if (c.shared_experts < 0) {
    return MoeProblem{"shared_experts", "0 or more always-active experts",
                      fmt::format("{}", c.shared_experts)};
  }
  if (!(c.capacity_factor > 0)) {
    return MoeProblem{"capacity_factor", "a positive factor", fmt::format("{}", c.capacity_factor)};
  }
  // Without dropping, a capacity below the fair share cannot hold even balanced routing.
  if (!c.drop_tokens && c.capacity_factor < 1.0) {
    return MoeProblem{
        "capacity_factor",
        "at least 1 when drop_tokens is false (a dropless router must fit every "
        "routed token; below 1 even balanced routing overflows)",
        fmt::format("capacity_factor = {} with drop_tokens = false", c.capacity_factor)};
  }
  // Each token picks top_k distinct experts, so one expert gets at most every token once:
  // experts / top_k fair shares.
  const double max_load = static_cast<double>(c.experts) / c.top_k;
  if (c.popularity == Popularity::kZipf) {
    if (!(c.zipf_s > 0)) {
      return MoeProblem{"popularity.zipf", "a positive Zipf exponent", fmt::format("{}", c.zipf_s)};
    }
    if (c.imbalance != 0) {
      return MoeProblem{"imbalance", "0 with a Zipf popularity (give one skew, not both)",
                        fmt::format("imbalance = {}", c.imbalance)};
    }
    const double hottest = expert_loads(c).front();
    if (hottest > max_load + 1e-12) {
      return MoeProblem{
          "popularity.zipf",
          fmt::format("an exponent giving the hottest expert at most experts / top_k = {:.4g} "
                      "fair shares (every token once)",
                      max_load),
          fmt::format("s = {} gives {:.4g}", c.zipf_s, hottest)};
    }
  }
  if (c.imbalance < 0 || 1.0 + c.imbalance > max_load + 1e-12) {
    return MoeProblem{"imbalance",
                      fmt::format("0 to experts / top_k - 1 = {:.4g} (the hottest expert gets "
                                  "every token at most once)",
                                  max_load - 1.0),
                      fmt::format("{}", c.imbalance)};
  }
  return std::nullopt;
}

RoutingLoad routing_load(const MoeConfig& c, int ep) {
  RoutingLoad r;
  const std::vector<double> loads = expert_loads(c);
  const double n = static_cast<double>(loads.size());
  const double cap = c.capacity_factor;
  auto kept = [&](double load) { return c.drop_tokens ? std::min(load, cap) : load; };
  r.hottest_expert = loads.front();
  // Experts per rank; the straggler holds the hottest expert and k - 1 of average popularity:
  // the mean of what the other experts keep (after capacity, expert by expert, so a skewed
  // tail's own drops are counted).
  const int k = std::max(1, c.experts / std::max(1, ep));
  double others = 0;
  for (std::size_t i = 1; i < loads.size(); ++i) others += kept(loads[i]);
  if (loads.size() > 1) others /= static_cast<double>(loads.size() - 1);
  r.straggler = (kept(loads.front()) + (k - 1) * others) / k;
  // Padded buffers: every expert computes and exchanges its whole capacity, used or not.
  if (c.drop_tokens && c.pad_to_capacity) r.straggler = cap;
  if (c.drop_tokens) {
    double dropped = 0;
    for (const double l : loads) dropped += std::max(0.0, l - cap);
    r.dropped_fraction = dropped / n;
  }
  return r;
}

}  // namespace cirrus::models
