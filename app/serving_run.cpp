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

// serving.offload's ring: one GPU, unquantized, a host-to-device bandwidth.
models::OffloadRing offload_ring(const scenarios::Scenario& s, const models::ServingSpec& spec) {
  if (spec.tp != 1) {
    throw InputError(s.file, "serving.tp", "1 with serving.offload (the ring streams to one GPU)",
                     std::to_string(spec.tp));
  }
  if (spec.quantization != models::Quantization::kNone ||
      spec.kv_cache_dtype != models::KvCacheDtype::kAuto) {
    throw InputError(s.file, "serving.offload",
                     "no quantization and an \"auto\" KV cache (the ring streams weights in the "
                     "activations' type)",
                     "a quantized model or fp8 KV cache");
  }
  models::OffloadRing ring;
  ring.slots = spec.offload->gpu_sections;
  ring.pcie_bytes_per_s = spec.offload->pcie_gbyte_per_s
                              ? *spec.offload->pcie_gbyte_per_s * kGB
                              : (s.node->pcie_copy_bw > 0 ? s.node->pcie_copy_bw : s.node->pcie_bw);
  if (ring.pcie_bytes_per_s <= 0) {
    throw InputError(s.file, "serving.offload.pcie_gbyte_per_s",
                     "a host-to-device bandwidth (the node gives none)", "none");
  }
  return ring;
}

}  // namespace

ServingResult run_serving(const Job& job, bool keep_samples) {
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
  std::optional<models::OffloadRing> ring;
  if (spec.offload) {
    ring = offload_ring(s, spec);
    out.kv =
        models::offload_kv_cache_size(s.model, s.node->gpu, numerics, ring->slots, spec.scheduler);
  } else {
    out.kv = models::kv_cache_size(s.model, s.node->gpu, numerics, spec.tp, spec.scheduler);
  }

  const ServingRequests requests = serving_requests(s, spec, spec.seed);
  if (!spec.disaggregation) {
    if (auto p = fit_problem(s, spec.scheduler, out.kv, requests)) {
      throw InputError(p->file, p->path, p->expected, p->found);
    }
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
  setup.offload = ring;
  FleetRun run;
  double gpus = static_cast<double>(spec.replicas) * spec.tp;
  if (spec.disaggregation) {
    DisaggRun d = run_disaggregated(s, spec, setup, requests, keep_samples);
    run = std::move(d.run);
    out.kv = d.summary.decode_kv;
    gpus = d.summary.gpus();
    out.disagg = d.summary;
  } else {
    check_slo_reachable(s, setup, spec.slo, requests);
    run = simulate_serving_fleet(setup, out.kv, requests.list, spec.slo, s.file, keep_samples);
  }
  out.metrics = run.metrics;
  out.samples = std::move(run.samples);
  const pricing::ServedTokens served{out.metrics.makespan_s, out.metrics.input_tokens,
                                     out.metrics.output_tokens, out.metrics.prefill_share};
  out.cost = pricing::serving_fleet_cost(job.instance, gpus, served, out.cost_missing);

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
  if (ring) {
    out.assumptions.push_back(fmt::format(
        "offload: each iteration is one ring pass (models/systems/offload_inference.hpp): {} "
        "resident layer section{}, weights streamed from host memory at {:.1f} GB/s ({}); the "
        "KV cache takes the memory left after the resident sections",
        ring->slots, ring->slots == 1 ? "" : "s", ring->pcie_bytes_per_s / 1e9,
        spec.offload->pcie_gbyte_per_s ? "serving.offload.pcie_gbyte_per_s"
        : s.node->pcie_copy_bw > 0     ? "the node's measured copy rate"
                                       : "the node's PCIe figure"));
  }
  if (out.disagg) {
    const DisaggSummary& d = *out.disagg;
    out.assumptions.push_back(
        "disaggregation: the first token is sampled at the prefill replica and returned from "
        "there (NVIDIA Dynamo's convention), so TTFT excludes the KV transfer and the second "
        "token waits for it");
    out.assumptions.push_back(fmt::format(
        "KV transfer: {:.0f} bytes per prompt token (the whole model's KV) over {}; one link "
        "per decode replica, first come first served; the prefill replica frees the prompt's "
        "blocks at the first token, and no transfer overlaps the prefill layer by layer",
        d.kv_bytes_per_token, d.link_basis));
  }
  out.assumptions.push_back(
      "cost: busy time is split between input and output tokens by each iteration's share of "
      "prefill tokens; idle time is shared the same way");
  return out;
}

}  // namespace cirrus::app
