#include "scenarios/serving_plan_block.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "scenarios/enum_tables.hpp"
#include "scenarios/serving_block.hpp"

namespace cirrus::scenarios {
namespace {

// A non-empty list of distinct integers in [min, max], in the order given.
std::vector<int> read_int_list(const JsonNode& n, std::int64_t min, std::int64_t max) {
  if (!n.is_array() || n.size() == 0 || n.size() > kMaxPlanListValues) {
    n.fail(fmt::format("a list of 1 to {} integers from {} to {}", kMaxPlanListValues, min, max));
  }
  std::vector<int> out;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const JsonNode v = n.index(i);
    const std::int64_t x = v.as_int();
    if (x < min || x > max) v.fail(fmt::format("an integer from {} to {}", min, max));
    if (std::find(out.begin(), out.end(), x) != out.end()) v.fail("a value not listed before");
    out.push_back(static_cast<int>(x));
  }
  return out;
}

int read_int_in(const JsonNode& n, std::int64_t min, std::int64_t max) {
  const std::int64_t v = n.as_int();
  if (v < min || v > max) n.fail(fmt::format("an integer from {} to {}", min, max));
  return static_cast<int>(v);
}

}  // namespace

models::ServingPlanSpec read_serving_plan(const JsonNode& n) {
  n.check_keys({"objective", "tp", "pp", "max_num_seqs", "max_num_batched_tokens", "max_replicas",
                "slo_percentile", "seeds", "top", "disaggregation"});
  models::ServingPlanSpec p;
  if (auto v = n.find("objective")) {
    p.objective = read_enum(*v, accepted(models::kServingObjectiveNames));
  }
  if (auto v = n.find("tp")) {
    if (v->is_string()) {
      if (v->as_string() != "auto") v->fail("a list of tensor-parallel sizes or \"auto\"");
      p.tp_auto = true;
    } else {
      p.tp = read_int_list(*v, 1, 1024);
    }
  }
  if (auto v = n.find("pp")) p.pp = read_int_list(*v, 1, 64);
  if (auto v = n.find("max_num_seqs")) p.max_num_seqs = read_int_list(*v, 1, kMaxNumSeqs);
  if (auto v = n.find("max_num_batched_tokens")) {
    p.max_num_batched_tokens = read_int_list(*v, 1, kMaxBatchedTokens);
  }
  if (auto v = n.find("disaggregation")) {
    if (v->is_object()) {
      v->check_keys({"prefill_tp", "decode_tp", "transfer"});
      models::DisaggPlanSpec d;
      if (auto t = v->find("prefill_tp")) d.prefill_tp = read_int_list(*t, 1, 1024);
      if (auto t = v->find("decode_tp")) d.decode_tp = read_int_list(*t, 1, 1024);
      if (auto t = v->find("transfer")) {
        d.transfer = read_enum(*t, accepted(models::kKvTransferLinkNames));
      }
      p.disaggregation = d;
    } else if (v->is_array() || v->is_string() || v->is_number() || v->is_null()) {
      v->fail("true, false or an object {prefill_tp, decode_tp, transfer}");
    } else if (v->as_bool()) {
      p.disaggregation = models::DisaggPlanSpec{};
    }
  }
  if (auto v = n.find("max_replicas")) p.max_replicas = read_int_in(*v, 1, kMaxReplicas);
  if (auto v = n.find("slo_percentile")) {
    p.slo_percentile = read_int_in(*v, 1, 99);
    if (p.slo_percentile != 50 && p.slo_percentile != 90 && p.slo_percentile != 99) {
      v->fail("50, 90 or 99 (the percentiles a run reports)");
    }
  }
  if (auto v = n.find("seeds")) p.seeds = read_int_in(*v, 1, kMaxPlanSeeds);
  if (auto v = n.find("top")) p.top = read_int_in(*v, 1, kMaxPlanTop);
  return p;
}

}  // namespace cirrus::scenarios
