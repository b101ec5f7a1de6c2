#include "app/serving_fleet.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/input_error.hpp"
#include "common/units.hpp"
#include "models/serving/arrivals.hpp"
#include "models/serving/fleet_estimate.hpp"
#include "models/serving/fleet_sim.hpp"
#include "models/serving/iteration_time.hpp"
#include "scenarios/trace_reader.hpp"

namespace cirrus::app {

ServingRequests serving_requests(const scenarios::Scenario& s, const models::ServingSpec& spec,
                                 std::uint64_t seed) {
  ServingRequests out;
  const models::ArrivalSpec& a = spec.arrivals;
  if (a.kind == models::ArrivalKind::kTrace) {
    scenarios::TraceRequests t = scenarios::read_trace(a.trace, a.requests, a.duration_s);
    out.list = std::move(t.requests);
    out.prefix = std::move(t.prefix);
    out.file = a.trace.path;
    out.path = fmt::format("line {}", t.largest_line);
    if (out.list.empty()) {
      throw InputError(a.trace.path, "", "at least one request row", "none");
    }
    return out;
  }
  out.list = models::synthetic_requests(a, spec.input_tokens, spec.output_tokens, seed);
  if (spec.prefix_groups > 0) {
    out.prefix =
        models::synthetic_prefixes(out.list, {spec.prefix_groups, spec.prefix_tokens}, seed);
  }
  out.file = s.file;
  out.path = spec.input_tokens.largest() >= spec.output_tokens.largest() ? "serving.input_tokens"
                                                                         : "serving.output_tokens";
  if (out.list.empty()) {
    throw InputError(s.file, "serving.arrivals.duration_s",
                     "a duration long enough for one arrival", "none arrived");
  }
  if (!a.requests && static_cast<std::int64_t>(out.list.size()) >= models::kMaxRequests) {
    throw InputError(s.file, "serving.arrivals.duration_s",
                     fmt::format("at most {} arrivals", models::kMaxRequests), "more");
  }
  return out;
}

std::optional<FitProblem> fit_problem(const scenarios::Scenario& s,
                                      const models::SchedulerConfig& scheduler,
                                      const models::KvCacheSize& kv,
                                      const ServingRequests& requests) {
  if (kv.blocks <= 0) {
    return FitProblem{
        s.file, "serving.tp",
        fmt::format("a replica with memory left for the KV cache: per GPU {:.1f} GiB usable "
                    "(gpu_memory_utilization) - {:.1f} GiB weights - {:.1f} GiB activations - "
                    "{:.1f} GiB runtime leaves no block (a larger tp or utilization)",
                    kv.usable_bytes / kGiB, kv.weight_bytes / kGiB, kv.activation_bytes / kGiB,
                    kv.runtime_bytes / kGiB),
        fmt::format("{:.2f} GiB", kv.kv_bytes / kGiB)};
  }
  std::int64_t largest = 0, prompt = 0;
  for (const models::Request& r : requests.list) {
    largest = std::max(largest, std::int64_t{r.input_len} + r.output_len - 1);
    // Without chunking a prompt runs whole; after a recompute preemption with the tokens it had
    // generated. Reserving admission never preempts: the prompt alone.
    prompt =
        std::max(prompt, scheduler.reserve_full ? std::int64_t{r.input_len}
                                                : std::int64_t{r.input_len} + r.output_len - 1);
  }
  const int block = scheduler.block_size;
  if (models::blocks_for(largest, block) > kv.engine_blocks()) {
    return FitProblem{
        requests.file, requests.path,
        kv.engines > 1
            ? fmt::format("a request one virtual engine's KV cache can hold: {} "
                          "blocks of {} tokens ({} tokens), a replica's {} over "
                          "its {} pipeline stages' engines",
                          kv.engine_blocks(), block, kv.engine_tokens(), kv.blocks, kv.engines)
            : fmt::format("a request one replica's KV cache can hold: {} blocks of "
                          "{} tokens ({} tokens) per replica",
                          kv.blocks, block, kv.tokens()),
        fmt::format("one that caches {} tokens (input + output - 1)", largest)};
  }
  if (!scheduler.chunked_prefill && prompt > scheduler.max_num_batched_tokens) {
    return FitProblem{
        s.file, "serving.max_num_batched_tokens",
        fmt::format(
            "at least the largest prompt's {} tokens when chunked_prefill is false (a "
            "prompt runs whole in one iteration{})",
            prompt,
            scheduler.reserve_full ? "" : "; after a preemption with the tokens it had generated"),
        std::to_string(scheduler.max_num_batched_tokens)};
  }
  return std::nullopt;
}

models::IterationSetup iteration_setup(const FleetSetup& f) {
  models::IterationSetup setup;
  setup.model = f.model;
  setup.node = f.node;
  setup.numerics = f.numerics;
  setup.tp = f.tp;
  setup.expert_parallel = f.expert_parallel;
  setup.pp = f.pp;
  setup.max_tokens = f.scheduler.max_num_batched_tokens;
  setup.max_seqs = f.scheduler.max_num_seqs;
  setup.profile = f.profile;
  return setup;
}

FleetRun simulate_serving_fleet(const FleetSetup& setup, const models::KvCacheSize& kv,
                                const std::vector<models::Request>& requests,
                                const models::Slo& slo, const std::string& file,
                                bool keep_samples) {
  models::IterationSetup is = iteration_setup(setup);
  models::IterationModel resident(is);
  std::optional<models::OffloadIteration> ring;
  if (setup.offload)
    ring.emplace(setup.model, resident.compute(), setup.numerics.dtype, *setup.offload);
  models::IterationTimer& timer = ring ? static_cast<models::IterationTimer&>(*ring) : resident;
  models::FleetConfig fleet;
  fleet.replicas = setup.replicas * std::max(1, setup.pp);
  fleet.router = setup.router;
  fleet.scheduler = setup.scheduler;
  fleet.blocks = kv.engine_blocks();
  fleet.prefix = setup.prefix;
  fleet.host_blocks = setup.host_blocks;
  fleet.swap_seconds_per_block = setup.swap_seconds_per_block;
  fleet.trace = setup.trace;
  models::FleetOutcome outcome;
  try {
    outcome = models::simulate_fleet(requests, fleet, timer);
  } catch (const models::SimulationTooLong& e) {
    throw InputError(file, "serving.arrivals", "a load the fleet serves within the engine's range",
                     e.what());
  }
  FleetRun run;
  run.metrics = models::serving_metrics(requests, outcome, slo, kv.engine_blocks());
  run.assumptions = resident.compute().assumptions();
  if (keep_samples) run.samples = models::latency_samples(requests, outcome);
  return run;
}

UnloadedFigures unloaded_figures(const FleetSetup& setup, std::int64_t prompt) {
  models::IterationSetup is = iteration_setup(setup);
  models::IterationModel resident(is);
  std::optional<models::OffloadIteration> ring;
  if (setup.offload)
    ring.emplace(setup.model, resident.compute(), setup.numerics.dtype, *setup.offload);
  models::IterationTimer& timer = ring ? static_cast<models::IterationTimer&>(*ring) : resident;
  UnloadedFigures u;
  u.ttft_s = models::unloaded_ttft(timer, prompt, setup.scheduler.max_num_batched_tokens);
  u.tpot_s = models::unloaded_tpot(timer, prompt);
  return u;
}

}  // namespace cirrus::app
