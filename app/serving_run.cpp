#include "app/serving_run.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "app/serving_fleet.hpp"
#include "common/input_error.hpp"
#include "common/units.hpp"
#include "models/serving/replica_rules.hpp"

namespace cirrus::app {
namespace {

// An SLO no replica meets even idle: every request misses it whatever the fleet. The shortest
// prompt alone is the easiest request there is.
void check_slo_reachable(const scenarios::Scenario& s, const FleetSetup& setup,
                         const models::Slo& slo, const ServingRequests& requests) {
  if (!slo.ttft_s && !slo.tpot_s) return;
  std::int64_t shortest = requests.list.front().input_len;
  for (const models::Request& r : requests.list) {
    shortest = std::min<std::int64_t>(shortest, r.input_len);
  }
  const UnloadedFigures u = unloaded_figures(setup, shortest);
  if (slo.ttft_s && u.ttft_s > *slo.ttft_s) {
    throw InputError(s.file, "serving.slo.ttft_ms",
                     fmt::format("a TTFT a replica can meet: the shortest prompt ({} tokens) "
                                 "alone on an idle replica takes {:.3g} ms to its first token",
                                 shortest, u.ttft_s * 1e3),
                     fmt::format("{:g} ms", *slo.ttft_s * 1e3));
  }
  if (slo.tpot_s && u.tpot_s > *slo.tpot_s) {
    throw InputError(s.file, "serving.slo.tpot_ms",
                     fmt::format("a TPOT a replica can meet: one sequence alone decodes a token "
                                 "in {:.3g} ms",
                                 u.tpot_s * 1e3),
                     fmt::format("{:g} ms", *slo.tpot_s * 1e3));
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
  if (auto why = models::tp_problem(s.model, *s.node, spec.tp)) {
    throw InputError(s.file, "serving.tp", *why, std::to_string(spec.tp));
  }

  ServingResult out;
  out.scenario_name = s.name;
  out.model_name = s.model.name;
  out.parameters = s.model.parameters();
  out.gpu = s.node->gpu.display;
  out.node_id = s.node_id;
  out.spec = spec;
  out.arrivals = arrivals_label(spec);
  out.kv = models::kv_cache_size(s.model, s.node->gpu, numerics, spec.tp, spec.scheduler);

  const ServingRequests requests = serving_requests(s, spec, spec.seed);
  if (auto p = fit_problem(s, spec.scheduler, out.kv, requests)) {
    throw InputError(p->file, p->path, p->expected, p->found);
  }

  FleetSetup setup;
  setup.model = s.model;
  setup.node = *s.node;
  setup.profile = scenario_profile(s, *s.node, job.options.profiles);
  setup.numerics = numerics;
  setup.replicas = spec.replicas;
  setup.tp = spec.tp;
  setup.router = spec.router;
  setup.scheduler = spec.scheduler;
  check_slo_reachable(s, setup, spec.slo, requests);
  const bool changes = spec.autoscaling || spec.spot;
  FleetRun run;
  pricing::FleetUsage usage;
  usage.replica_gpus = spec.tp;
  if (changes) {
    const ScalingFigures figures = scaling_figures(s, spec, setup, job.instance);
    ScaledRun scaled = simulate_scaled_fleet(setup, out.kv, spec, figures, requests.list, s.file);
    run = std::move(scaled.run);
    out.scaled = std::move(scaled.fleet);
    usage.replica_seconds = out.scaled->replica_seconds;
    usage.peak_replicas = out.scaled->peak_replicas;
  } else {
    run = simulate_serving_fleet(setup, out.kv, requests.list, spec.slo, s.file);
  }
  out.metrics = run.metrics;
  usage.run_seconds = out.metrics.makespan_s;
  if (!changes) {
    usage.replica_seconds = static_cast<double>(spec.replicas) * out.metrics.makespan_s;
    usage.peak_replicas = spec.replicas;
  }
  const pricing::ServedTokens served{out.metrics.makespan_s, out.metrics.input_tokens,
                                     out.metrics.output_tokens, out.metrics.prefill_share};
  // Spot when the run simulates spot interruptions; else the scenario's pricing model.
  const pricing::PricingModel model = spec.spot ? pricing::PricingModel::kSpot : s.pricing.model;
  out.cost = pricing::serving_fleet_cost(job.instance, model, s.pricing.committed_reuse, usage,
                                         served, out.cost_missing);
  out.assumptions = std::move(run.assumptions);
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
  if (out.cost && out.cost->pricing == pricing::PricingModel::kSpot && !spec.spot) {
    out.assumptions.push_back(
        "cost: spot prices without interruptions (serving.spot simulates them)");
  }
  if (out.cost && (out.cost->pricing == pricing::PricingModel::kCommitted1y ||
                   out.cost->pricing == pricing::PricingModel::kCommitted3y)) {
    out.assumptions.push_back(fmt::format(
        "cost: {} reserves the most replicas paid for at once ({}) for the whole run, used or "
        "not ({:.0f}% of the unused part assumed recovered, pricing.committed_reuse); the term "
        "beyond this run is assumed filled by the service running on",
        pricing::to_string(out.cost->pricing), usage.peak_replicas,
        s.pricing.committed_reuse * 100));
  }
  if (out.scaled) {
    const ScalingFigures& f = out.scaled->figures;
    out.assumptions.push_back(fmt::format(
        "scale-up delay {:.0f} s = instance start {:.0f} s ({}) + {:.1f} GB of weights / "
        "{:.2f} GB/s ({})",
        f.scale_up_delay_s, f.instance_start_s, f.start_source, f.weight_bytes / 1e9,
        f.storage_bps / 1e9, f.storage_source));
    if (out.scaled->spot) {
      out.assumptions.push_back(fmt::format(
          "spot interruptions: {:.4g} per replica-hour ({}), notice {:g} s ({}); a reclaimed "
          "replica's requests lose their KV cache and are routed again",
          f.interruptions_per_hour, f.rate_source, f.notice_s, f.notice_source));
    }
  }
  return out;
}

}  // namespace cirrus::app
