#include "app/serving_run.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/input_error.hpp"
#include "common/units.hpp"
#include "models/serving/arrivals.hpp"
#include "models/serving/fleet_sim.hpp"
#include "models/serving/iteration_time.hpp"
#include "scenarios/trace_reader.hpp"

namespace cirrus::app {
namespace {

struct Requests {
  std::vector<models::Request> list;
  std::string file;  // where the largest request was given (trace or scenario)
  std::string path;  // its line, or the JSON path of the larger length
};

Requests scenario_requests(const scenarios::Scenario& s, const models::ServingSpec& spec) {
  Requests out;
  const models::ArrivalSpec& a = spec.arrivals;
  if (a.kind == models::ArrivalKind::kTrace) {
    scenarios::TraceRequests t = scenarios::read_trace(a.trace, a.requests, a.duration_s);
    out.list = std::move(t.requests);
    out.file = a.trace.path;
    out.path = fmt::format("line {}", t.largest_line);
    if (out.list.empty()) {
      throw InputError(a.trace.path, "", "at least one request row", "none");
    }
    return out;
  }
  out.list = models::synthetic_requests(a, spec.input_tokens, spec.output_tokens, spec.seed);
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

void check_tp(const scenarios::Scenario& s, const models::NodeSpec& node, int tp) {
  const auto& m = s.model;
  const int kv = m.kv_heads > 0 ? m.kv_heads : m.heads;
  if (tp > node.gpus) {
    throw InputError(s.file, "serving.tp",
                     fmt::format("at most the node's {} GPUs (a replica's tensor-parallel group "
                                 "shares one node's scale-up link)",
                                 node.gpus),
                     std::to_string(tp));
  }
  if (m.heads % tp != 0 || (kv % tp != 0 && tp % kv != 0)) {
    throw InputError(s.file, "serving.tp",
                     fmt::format("a tp that divides the model's {} attention heads and divides or "
                                 "is a multiple of its {} KV heads (vLLM's rule)",
                                 m.heads, kv),
                     std::to_string(tp));
  }
}

void check_fits(const scenarios::Scenario& s, const models::ServingSpec& spec,
                const models::KvCacheSize& kv, const Requests& requests) {
  if (kv.blocks <= 0) {
    throw InputError(
        s.file, "serving.tp",
        fmt::format("a replica with memory left for the KV cache: per GPU {:.1f} GiB usable "
                    "(gpu_memory_utilization) - {:.1f} GiB weights - {:.1f} GiB activations - "
                    "{:.1f} GiB runtime leaves no block (a larger tp or utilization)",
                    kv.usable_bytes / kGiB, kv.weight_bytes / kGiB, kv.activation_bytes / kGiB,
                    kv.runtime_bytes / kGiB),
        fmt::format("{:.2f} GiB", kv.kv_bytes / kGiB));
  }
  std::int64_t largest = 0;
  for (const models::Request& r : requests.list) {
    largest = std::max(largest, std::int64_t{r.input_len} + r.output_len - 1);
  }
  const int block = spec.scheduler.block_size;
  if (models::blocks_for(largest, block) > kv.blocks) {
    throw InputError(requests.file, requests.path,
                     fmt::format("a request one replica's KV cache can hold: {} blocks of {} "
                                 "tokens ({} tokens) per replica",
                                 kv.blocks, block, kv.tokens()),
                     fmt::format("one that caches {} tokens (input + output - 1)", largest));
  }
  // Without chunking a prompt runs whole; after a recompute preemption with the tokens it had
  // generated. Reserving admission never preempts: the prompt alone.
  std::int64_t prompt = 0;
  for (const models::Request& r : requests.list) {
    prompt = std::max(prompt, spec.scheduler.reserve_full
                                  ? std::int64_t{r.input_len}
                                  : std::int64_t{r.input_len} + r.output_len - 1);
  }
  if (!spec.scheduler.chunked_prefill && prompt > spec.scheduler.max_num_batched_tokens) {
    throw InputError(s.file, "serving.max_num_batched_tokens",
                     fmt::format("at least the largest prompt's {} tokens when chunked_prefill is "
                                 "false (a prompt runs whole in one iteration{})",
                                 prompt,
                                 spec.scheduler.reserve_full
                                     ? ""
                                     : "; after a preemption with the tokens it had generated"),
                     std::to_string(spec.scheduler.max_num_batched_tokens));
  }
}

std::string arrivals_label(const models::ServingSpec& spec) {
  const models::ArrivalSpec& a = spec.arrivals;
  switch (a.kind) {
    case models::ArrivalKind::kPoisson:
      return fmt::format("Poisson arrivals at {:g}/s", a.rate_per_s);
    case models::ArrivalKind::kGamma:
      return fmt::format("gamma arrivals at {:g}/s, cv {:g}", a.rate_per_s, a.cv);
    case models::ArrivalKind::kTrace:
      return fmt::format("{} trace {}", to_string(a.trace.format), a.trace.path);
    case models::ArrivalKind::kOffline:
      return fmt::format("offline: {} requests at time zero", a.requests.value_or(0));
  }
  return "";
}

std::optional<ServingCost> fleet_cost(const Job& job, const models::ServingSpec& spec,
                                      const models::ServingMetrics& m, std::string& missing) {
  const pricing::Instance* inst = job.instance;
  if (inst == nullptr) {
    missing = "no catalog instance (cluster.instance) to price the fleet with";
    return std::nullopt;
  }
  if (!inst->prices.on_demand || !inst->gpus || *inst->gpus <= 0) {
    missing = fmt::format("{} has no on-demand price or GPU count in the catalogs", inst->id);
    return std::nullopt;
  }
  ServingCost c;
  c.instance = inst->id;
  c.usd_per_instance_hour = *inst->prices.on_demand;
  c.instance_gpus = *inst->gpus;
  const double gpus = static_cast<double>(spec.replicas) * spec.tp;
  c.usd_per_hour = c.usd_per_instance_hour * gpus / c.instance_gpus;
  c.usd_total = c.usd_per_hour * m.makespan_s / 3600.0;
  if (m.input_tokens > 0) {
    c.usd_per_million_input = c.usd_total * m.prefill_share / (m.input_tokens / 1e6);
  }
  if (m.output_tokens > 0) {
    c.usd_per_million_output = c.usd_total * (1.0 - m.prefill_share) / (m.output_tokens / 1e6);
  }
  c.usd_per_million_tokens = c.usd_total / ((m.input_tokens + m.output_tokens) / 1e6);
  const pricing::PriceSource src = inst->source_of(pricing::PricingModel::kOnDemand);
  c.source = src.source;
  c.retrieved = src.retrieved;
  c.verified = src.verified && inst->verified;
  return c;
}

std::string numerics_line(const models::ServingSpec& spec, const models::GpuSpec& gpu) {
  const char* dtype = models::to_string(spec.dtype);
  std::string weights;
  switch (spec.quantization) {
    case models::Quantization::kNone:
      weights = fmt::format("weights and GEMMs in {}", dtype);
      break;
    case models::Quantization::kFp8:
      weights = gpu.peak_fp8 > 0 ? fmt::format(
                                       "fp8 linear layers (1 byte per weight, fp8 GEMMs; the input "
                                       "activations' quantization not charged), embedding, output "
                                       "layer and norms in {}",
                                       dtype)
                                 : fmt::format(
                                       "fp8 linear layers read at 1 byte per weight; {} has no fp8 "
                                       "tensor cores, so their GEMMs run at the {} rate (as vLLM's "
                                       "weight-only fp8 kernels do)",
                                       gpu.display, dtype);
      break;
    case models::Quantization::kInt8WeightOnly:
      weights = fmt::format(
          "8-bit linear-layer weights (1 byte) dequantized into {} GEMMs; the "
          "dequantization's own cost not charged",
          dtype);
      break;
  }
  return fmt::format("numerics: {}; KV cache in {}", weights,
                     spec.kv_cache_dtype == models::KvCacheDtype::kFp8 ? "fp8" : dtype);
}

}  // namespace

ServingResult run_serving(const Job& job) {
  const scenarios::Scenario& s = job.scenario;
  if (!s.serving) throw InputError(s.file, "serving", "a serving block", "none");
  if (!s.node) throw InputError(s.file, "cluster", "a node or an instance to serve on", "none");
  const models::ServingSpec& spec = *s.serving;
  const models::ServingNumerics numerics = models::serving_numerics(spec);
  check_tp(s, *s.node, spec.tp);

  ServingResult out;
  out.scenario_name = s.name;
  out.model_name = s.model.name;
  out.parameters = s.model.parameters();
  out.gpu = s.node->gpu.display;
  out.node_id = s.node_id;
  out.spec = spec;
  out.arrivals = arrivals_label(spec);
  out.kv = models::kv_cache_size(s.model, s.node->gpu, numerics, spec.tp, spec.scheduler);

  const Requests requests = scenario_requests(s, spec);
  check_fits(s, spec, out.kv, requests);

  models::IterationSetup setup;
  setup.model = s.model;
  setup.node = *s.node;
  setup.numerics = numerics;
  setup.tp = spec.tp;
  setup.max_tokens = spec.scheduler.max_num_batched_tokens;
  setup.max_seqs = spec.scheduler.max_num_seqs;
  setup.profile = scenario_profile(s, *s.node, job.options.profiles);
  models::IterationModel timer(setup);

  models::FleetConfig fleet;
  fleet.replicas = spec.replicas;
  fleet.router = spec.router;
  fleet.scheduler = spec.scheduler;
  fleet.blocks = out.kv.blocks;
  models::FleetOutcome outcome;
  try {
    outcome = models::simulate_fleet(requests.list, fleet, timer);
  } catch (const models::SimulationTooLong& e) {
    throw InputError(s.file, "serving.arrivals",
                     "a load the fleet serves within the engine's range", e.what());
  }
  out.metrics = models::serving_metrics(requests.list, outcome, spec.slo, out.kv.blocks);
  out.cost = fleet_cost(job, spec, out.metrics, out.cost_missing);

  out.assumptions = timer.compute().assumptions();
  out.assumptions.push_back(
      "iteration time: the forward pass alone; the host's scheduling and sampling between "
      "iterations and CUDA graphs are not modelled");
  const models::SchedulerConfig& sc = spec.scheduler;
  out.assumptions.push_back(
      sc.kv_cache_free_fraction
          ? fmt::format("KV cache: {:g} of the {:.1f} GB left after the weights, the peak "
                        "activations of a {}-token forward and a 1 GiB runtime allowance "
                        "(TensorRT-LLM's sizing; the allowance an assumption, "
                        "models/workload/memory.hpp)",
                        *sc.kv_cache_free_fraction,
                        out.kv.kv_bytes / *sc.kv_cache_free_fraction / 1e9,
                        sc.max_num_batched_tokens)
          : fmt::format("KV cache: gpu_memory_utilization {:g} of {:.1f} GB, less the weights, "
                        "the peak activations of a {}-token forward and a 1 GiB runtime allowance "
                        "(an assumption, models/workload/memory.hpp)",
                        sc.gpu_memory_utilization, s.node->gpu.memory_bytes / 1e9,
                        sc.max_num_batched_tokens));
  out.assumptions.push_back(numerics_line(spec, s.node->gpu));
  out.assumptions.push_back(
      "cost: busy time is split between input and output tokens by each iteration's share of "
      "prefill tokens; idle time is shared the same way");
  return out;
}

}  // namespace cirrus::app
