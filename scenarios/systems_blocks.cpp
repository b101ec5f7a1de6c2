#include "scenarios/systems_blocks.hpp"

#include <fmt/format.h>

#include "common/units.hpp"
#include "pricing/cost_model.hpp"

namespace cirrus::scenarios {
namespace {

constexpr std::int64_t kMaxCount = 1 << 30;

int read_count(const JsonNode& n, std::int64_t min) {
  const std::int64_t v = n.as_int();
  if (v < min || v > kMaxCount) n.fail(fmt::format("an integer from {} to {}", min, kMaxCount));
  return static_cast<int>(v);
}

}  // namespace

models::Tier read_tier(const JsonNode& n) {
  const std::string s = n.as_enum({"gpu", "host", "nvme"});
  if (s == "host") return models::Tier::kHost;
  if (s == "nvme") return models::Tier::kNvme;
  return models::Tier::kGpu;
}

models::Offload read_offload(const JsonNode& n) {
  n.check_keys({"params", "optimizer", "prefetch_layers", "prefetch_experts", "fused_comm"});
  models::Offload o;
  // A list or "auto" is a planner choice (the loader reads it); the pair is checked here only
  // when both placements are pinned, and the planner prunes the bad pairs otherwise.
  const auto pinned = [](const std::optional<JsonNode>& v) {
    return !v || !(v->is_array() || (v->is_string() && v->raw().get<std::string>() == "auto"));
  };
  const auto pv = n.find("params");
  const auto ov = n.find("optimizer");
  if (!pinned(pv) || !pinned(ov)) {
    o.params = models::Tier::kGpu;
  } else {
    if (pv) o.params = read_tier(*pv);
    if (ov) o.optimizer = read_tier(*ov);
  }
  if (auto v = n.find("prefetch_layers")) o.prefetch_layers = read_count(*v, 0);
  if (auto v = n.find("prefetch_experts")) o.prefetch_experts = read_count(*v, 0);
  if (auto v = n.find("fused_comm")) o.fused_comm = v->as_bool();
  if (pinned(pv) && pinned(ov) && o.params_offloaded() && !o.optimizer_offloaded()) {
    n.at("params").fail(
        "\"gpu\" while the optimizer states are on the GPU (a GPU optimizer needs the full "
        "parameters there: offload \"optimizer\" too)");
  }
  return o;
}

models::ElasticSpec read_elastic(const JsonNode& n) {
  n.check_keys({"schedule", "spot", "reshard_gbyte_per_s", "restart_s"});
  models::ElasticSpec e;
  // Defaults shared with the spot model: BLOOM's measured checkpoint rate per node and the
  // restart time of pricing/cost_model.hpp.
  e.storage_bw_per_node = pricing::kDefaultNodeStorageBps;
  e.restart_s = pricing::kDefaultRestartS;
  if (auto v = n.find("reshard_gbyte_per_s")) {
    e.storage_bw_per_node = v->as_number_in(1e-3, 1e5, " GB/s") * kGB;
  }
  if (auto v = n.find("restart_s")) e.restart_s = v->as_number_in(0, 1e7, " s");
  if (auto spot = n.find("spot")) {
    if (n.find("schedule")) n.at("schedule").fail("no schedule beside \"spot\" (one or the other)");
    spot->check_keys({"interruptions_per_node_hour", "replacement_hours", "seed"});
    models::SpotInterruptions s;
    // Not given: the catalog's default rate for the instance (filled by `cirrus elastic`).
    s.per_node_hour = -1;
    if (auto v = spot->find("interruptions_per_node_hour")) {
      // Above ten an hour a node is interrupted every six minutes: no run makes progress, and
      // the seeded replay would draw millions of events.
      s.per_node_hour = v->as_number_in(0, 10, " per node-hour");
    }
    s.replacement_hours = spot->at("replacement_hours").as_non_negative();
    if (auto v = spot->find("seed")) {
      const std::int64_t seed = v->as_int();
      if (seed < 0) v->fail("a non-negative integer");
      s.seed = static_cast<std::uint64_t>(seed);
    }
    e.spot = s;
    return e;
  }
  const JsonNode sched = n.at("schedule");
  if (!sched.is_array() || sched.size() == 0) {
    sched.fail("a non-empty list of {\"at_hours\", \"nodes\"} changes");
  }
  for (std::size_t i = 0; i < sched.size(); ++i) {
    const JsonNode c = sched.index(i);
    c.check_keys({"at_hours", "nodes"});
    models::ElasticChange ch;
    const JsonNode at = c.at("at_hours");
    ch.at_hours = at.as_non_negative();
    if (i == 0 && ch.at_hours != 0) at.fail("0 (the first phase starts the run)");
    if (i > 0 && ch.at_hours <= e.schedule.back().at_hours) {
      at.fail(fmt::format("a time after the previous change ({} h): times must increase",
                          e.schedule.back().at_hours));
    }
    ch.nodes = read_count(c.at("nodes"), 1);
    e.schedule.push_back(ch);
  }
  return e;
}

models::InferenceSpec read_inference(const JsonNode& n) {
  n.check_keys({"batch", "prompt_tokens", "output_tokens", "gpu_sections"});
  models::InferenceSpec s;
  if (auto v = n.find("batch")) {
    s.batch.clear();
    if (v->is_array()) {
      if (v->size() == 0) v->fail("a positive integer or a non-empty list of them");
      for (std::size_t i = 0; i < v->size(); ++i) s.batch.push_back(read_count(v->index(i), 1));
    } else {
      s.batch.push_back(read_count(*v, 1));
    }
  }
  if (auto v = n.find("prompt_tokens")) s.prompt_tokens = read_count(*v, 1);
  if (auto v = n.find("output_tokens")) s.output_tokens = read_count(*v, 1);
  if (auto v = n.find("gpu_sections")) s.gpu_sections = read_count(*v, 1);
  return s;
}

}  // namespace cirrus::scenarios
