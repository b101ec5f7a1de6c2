#include "app/serving_disagg.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/input_error.hpp"
#include "common/units.hpp"
#include "models/serving/disagg_sim.hpp"
#include "models/serving/fleet_estimate.hpp"
#include "models/serving/kv_link.hpp"
#include "models/serving/latency_samples.hpp"
#include "models/serving/replica_rules.hpp"

namespace cirrus::app {
namespace {

constexpr const char* kPath = "serving.disaggregation";

// The link one prompt's KV crosses (models/serving/kv_link.hpp).
void take_link(const models::NodeSpec& node, DisaggSummary& d, const std::string& file) {
  if (auto why = models::kv_link_problem(node, d.prefill_tp, d.decode_tp, d.transfer)) {
    throw InputError(file, fmt::format("{}.transfer", kPath), *why,
                     fmt::format("\"{}\"", to_string(d.transfer)));
  }
  const models::KvLinkFigures f = models::kv_link(node, d.prefill_tp, d.decode_tp, d.transfer);
  d.link_bytes_per_s = f.link.bytes_per_s;
  d.link_latency_s = f.link.latency_s;
  d.link_basis = f.basis;
}

void check_pool(const scenarios::Scenario& s, int tp, const char* key,
                const models::KvCacheSize& kv, std::int64_t tokens, const char* what) {
  const std::string path = fmt::format("{}.{}", kPath, key);
  if (kv.blocks <= 0 || models::blocks_for(tokens, kv.block_size) > kv.blocks) {
    throw InputError(
        s.file, path,
        fmt::format("a tp whose KV cache holds {} ({} tokens): per GPU {:.1f} GiB usable - {:.1f} "
                    "GiB weights - {:.1f} GiB activations - {:.1f} GiB runtime leaves {} blocks "
                    "of {} tokens",
                    what, tokens, kv.usable_bytes / kGiB, kv.weight_bytes / kGiB,
                    kv.activation_bytes / kGiB, kv.runtime_bytes / kGiB,
                    std::max<std::int64_t>(kv.blocks, 0), kv.block_size),
        std::to_string(tp));
  }
}

}  // namespace

DisaggRun run_disaggregated(const scenarios::Scenario& s, const models::ServingSpec& spec,
                            const FleetSetup& base, const ServingRequests& requests,
                            bool keep_samples) {
  const models::DisaggregationSpec& ds = *spec.disaggregation;
  DisaggSummary d;
  d.prefill_replicas = ds.prefill_replicas;
  d.decode_replicas = ds.decode_replicas;
  d.prefill_tp = ds.prefill_tp.value_or(spec.tp);
  d.decode_tp = ds.decode_tp.value_or(spec.tp);
  d.transfer = ds.transfer;
  for (const auto& [tp, key] :
       {std::pair{d.prefill_tp, "prefill_tp"}, {d.decode_tp, "decode_tp"}}) {
    if (auto why = models::tp_problem(base.model, base.node, tp)) {
      throw InputError(s.file, fmt::format("{}.{}", kPath, key), *why, std::to_string(tp));
    }
    if (!base.expert_parallel) continue;
    if (auto why = models::ep_problem(base.model, tp)) {
      throw InputError(s.file, fmt::format("{}.{}", kPath, key),
                       "with serving.expert_parallel, " + *why, std::to_string(tp));
    }
  }
  const models::SchedulerConfig& sc = spec.scheduler;
  d.prefill_kv = models::kv_cache_size(base.model, base.node.gpu, base.numerics, d.prefill_tp, sc);
  d.decode_kv = models::kv_cache_size(base.model, base.node.gpu, base.numerics, d.decode_tp, sc);
  // One token's KV over every layer and KV head: a tp-1 replica's per-GPU figure.
  d.kv_bytes_per_token =
      models::kv_cache_size(base.model, base.node.gpu, base.numerics, 1, sc).bytes_per_token;
  std::int64_t prompt = 0, cached = 0, shortest = requests.list.front().input_len;
  for (const models::Request& r : requests.list) {
    prompt = std::max<std::int64_t>(prompt, r.input_len);
    cached = std::max<std::int64_t>(cached, std::int64_t{r.input_len} + r.output_len - 1);
    shortest = std::min<std::int64_t>(shortest, r.input_len);
  }
  check_pool(s, d.prefill_tp, "prefill_tp", d.prefill_kv, prompt, "the longest prompt");
  check_pool(s, d.decode_tp, "decode_tp", d.decode_kv, cached,
             "the largest request (input + output - 1)");
  if (!sc.chunked_prefill &&
      std::max(prompt, sc.reserve_full ? std::int64_t{1} : cached) > sc.max_num_batched_tokens) {
    throw InputError(s.file, "serving.max_num_batched_tokens",
                     fmt::format("at least {} tokens when chunked_prefill is false (a prompt, or "
                                 "a decode replica's recompute, runs whole in one iteration)",
                                 std::max(prompt, sc.reserve_full ? std::int64_t{1} : cached)),
                     std::to_string(sc.max_num_batched_tokens));
  }
  take_link(base.node, d, s.file);

  FleetSetup pre = base, dec = base;
  pre.tp = d.prefill_tp;
  pre.replicas = d.prefill_replicas;
  dec.tp = d.decode_tp;
  dec.replicas = d.decode_replicas;
  models::IterationModel prefill_timer(iteration_setup(pre));
  models::IterationModel decode_timer(iteration_setup(dec));

  // The easiest request there is: the shortest prompt alone on idle replicas.
  const models::Slo& slo = spec.slo;
  if (slo.ttft_s) {
    const double ttft = models::unloaded_ttft(prefill_timer, shortest, sc.max_num_batched_tokens);
    if (ttft > *slo.ttft_s) {
      throw InputError(s.file, "serving.slo.ttft_ms",
                       fmt::format("a TTFT a prefill replica can meet: the shortest prompt ({} "
                                   "tokens) alone takes {:.3g} ms to its first token",
                                   shortest, ttft * 1e3),
                       fmt::format("{:g} ms", *slo.ttft_s * 1e3));
    }
  }
  if (slo.tpot_s) {
    const double tpot = models::unloaded_tpot(decode_timer, shortest);
    if (tpot > *slo.tpot_s) {
      throw InputError(s.file, "serving.slo.tpot_ms",
                       fmt::format("a TPOT a decode replica can meet: one sequence alone decodes "
                                   "a token in {:.3g} ms",
                                   tpot * 1e3),
                       fmt::format("{:g} ms", *slo.tpot_s * 1e3));
    }
  }

  models::DisaggConfig config;
  config.prefill_replicas = d.prefill_replicas;
  config.decode_replicas = d.decode_replicas;
  config.router = spec.router;
  config.scheduler = sc;
  config.prefill_blocks = d.prefill_kv.blocks;
  config.decode_blocks = d.decode_kv.blocks;
  config.kv_bytes_per_token = d.kv_bytes_per_token;
  config.link = {d.link_bytes_per_s, d.link_latency_s};
  models::DisaggOutcome outcome;
  try {
    outcome = models::simulate_disagg(requests.list, config, prefill_timer, decode_timer);
  } catch (const models::SimulationTooLong& e) {
    throw InputError(s.file, "serving.arrivals",
                     "a load the fleet serves within the engine's range", e.what());
  }
  DisaggRun out;
  out.run.metrics = models::serving_metrics(requests.list, outcome.fleet, slo, d.decode_kv.blocks);
  out.run.assumptions = prefill_timer.compute().assumptions();
  if (keep_samples) out.run.samples = models::latency_samples(requests.list, outcome.fleet);
  d.transfer_s = models::latency_stats(outcome.transfer_s);
  d.transfer_bytes = outcome.transfer_bytes;
  const double makespan = out.run.metrics.makespan_s;
  const auto pn = static_cast<std::size_t>(d.prefill_replicas);
  for (std::size_t r = 0; r < outcome.fleet.replicas.size(); ++r) {
    const models::ReplicaStats& st = outcome.fleet.replicas[r];
    if (r < pn) {
      d.prefill_busy_fraction += st.busy_s;
      d.prefill_peak_blocks = std::max(d.prefill_peak_blocks, st.peak_blocks);
    } else {
      d.decode_busy_fraction += st.busy_s;
      d.decode_peak_blocks = std::max(d.decode_peak_blocks, st.peak_blocks);
    }
  }
  if (makespan > 0) {
    d.prefill_busy_fraction /= makespan * d.prefill_replicas;
    d.decode_busy_fraction /= makespan * d.decode_replicas;
  }
  // The metrics' KV peak is the decode pool's (their blocks are what it is a fraction of).
  out.run.metrics.kv_peak_blocks = d.decode_peak_blocks;
  out.summary = d;
  return out;
}

}  // namespace cirrus::app
