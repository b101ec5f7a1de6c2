#pragma once
// Shared pieces of the serving tests: a timer with a fixed iteration time (so that throughput
// bounds are hand calculations), the real iteration model of Llama 3 8B on one H100 from its
// datasheet, requests that all arrive at once, and Little's law, which every run must satisfy.
#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "models/hardware/hardware.hpp"
#include "models/serving/fleet_sim.hpp"
#include "models/serving/iteration_time.hpp"
#include "models/serving/serving_metrics.hpp"
#include "models/workload/transformer.hpp"

namespace cirrus::testing {

class FixedTimer final : public models::IterationTimer {
 public:
  explicit FixedTimer(double s) : s_(s) {}
  double seconds(const models::BatchWork& /*work*/) override {
    ++calls;
    return s_;
  }
  int calls = 0;

 private:
  double s_;
};

// An iteration of T tokens takes base + per_token x T: marginal costs a hand calculation can
// follow.
class LinearTimer final : public models::IterationTimer {
 public:
  LinearTimer(double base_s, double per_token_s) : base_(base_s), per_(per_token_s) {}
  double seconds(const models::BatchWork& work) override {
    return base_ + per_ * static_cast<double>(work.tokens);
  }

 private:
  double base_, per_;
};

inline models::IterationSetup llama8b_h100(int tp = 1, int max_tokens = 8192, int max_seqs = 256) {
  models::IterationSetup s;
  s.model = *models::find_model("llama3-8b");
  s.node = *models::find_node("dgx-h100");
  s.tp = tp;
  s.max_tokens = max_tokens;
  s.max_seqs = max_seqs;
  return s;
}

inline std::vector<models::Request> all_at_once(int n, int input, int output) {
  std::vector<models::Request> out;
  out.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    out.push_back({static_cast<std::uint32_t>(i), sim::Time::zero(), input, output});
  }
  return out;
}

// L = lambda W on the run (the simulation's integral against the requests' own times): exact up
// to rounding, since every request arrives and leaves inside the makespan.
inline void check_little(const models::ServingMetrics& m) {
  INFO("L " << m.little.mean_in_system << ", lambda " << m.little.arrival_rate << ", W "
            << m.little.mean_e2e_s);
  CHECK(m.completed == m.requests);
  CHECK(m.little.relative_error < 1e-9);
}

}  // namespace cirrus::testing
