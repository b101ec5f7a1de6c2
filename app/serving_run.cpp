#include "app/serving_run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "app/serving_fleet.hpp"
#include "common/input_error.hpp"
#include "common/units.hpp"
#include "models/hardware/gpu_family.hpp"
#include "models/serving/prefix.hpp"
#include "models/serving/replica_rules.hpp"
#include "models/serving/router.hpp"

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

// Prefix caching: on when requests carry prefix ids, unless the scenario turns it off.
bool prefix_caching_on(const scenarios::Scenario& s, const models::ServingSpec& spec,
                       const ServingRequests& requests) {
  const bool on = spec.scheduler.prefix_caching.value_or(true) && !requests.prefix.empty();
  if (!on && spec.router == models::RouterKind::kPrefixAffinity) {
    throw InputError(
        s.file, "serving.router",
        "a router other than \"prefix-affinity\" when prefix caching is off (requests carry "
        "prefixes from serving.prefix or a Mooncake trace's hash_ids, and prefix_caching is not "
        "false)",
        "\"prefix-affinity\"");
  }
  if (on && spec.scheduler.reserve_full) {
    throw InputError(s.file, "serving.admission",
                     "\"on-demand\" with prefix caching (reserving admission beside shared "
                     "cached blocks is not modelled; set prefix_caching to false to reserve)",
                     "\"reserve-full\"");
  }
  return on;
}

// Preemption by swap: the swap space in blocks and the copy time of one block over the node's
// host link. Each GPU of a replica copies its own share of a block over its own link, so a
// block's time is its bytes on one GPU over one GPU's bandwidth.
// Returns the assumption it makes, or nothing without swap.
std::string swap_setup(const scenarios::Scenario& s, const models::ServingSpec& spec,
                       const models::KvCacheSize& kv, FleetSetup& fleet, ServingResult& out) {
  if (spec.scheduler.preemption != models::PreemptionMode::kSwap) return "";
  const models::NodeSpec& node = *s.node;
  const bool measured = node.pcie_copy_bw > 0;
  const double bw = measured ? node.pcie_copy_bw : node.pcie_bw;
  if (bw <= 0) {
    throw InputError(s.file, "serving.preemption",
                     "a node with a host link bandwidth (its pcie_gbyte_per_s) to swap over",
                     "\"swap\" on a node without one");
  }
  const double block_bytes = kv.bytes_per_token * spec.scheduler.block_size;
  // With pipeline stages each virtual engine has its share (vLLM V0 divides num_cpu_blocks by
  // the stages as it does the GPU blocks).
  fleet.host_blocks =
      static_cast<std::int64_t>(spec.scheduler.swap_space_gib * kGiB / block_bytes) /
      std::max(1, spec.pp);
  fleet.swap_seconds_per_block = block_bytes / bw;
  out.swap_host_blocks = fleet.host_blocks;
  out.swap_gbyte_per_s = bw / kGB;
  return fmt::format(
      "preemption by swap (vLLM V0's mode; V1 recomputes only, and V0 swapped only sequence "
      "groups of several sequences): {:g} GiB of host memory per GPU = {} blocks per {}; a "
      "block's {:.0f} bytes per GPU copied at {:.4g} GB/s ({}), each GPU over its own link, the "
      "copies added to the iteration that makes them; recompute when the swap space is full",
      spec.scheduler.swap_space_gib, fleet.host_blocks, spec.pp > 1 ? "engine" : "replica",
      block_bytes, bw / kGB,
      measured ? "the node's measured host-to-device copy rate" : "the node's PCIe datasheet rate");
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

// Groups of fewer rows than this give no band of their own (as for step times).
constexpr int kMinServingRows = 5;

ServingErrorBar throughput_error_bar(const models::ResidualStats* residuals,
                                     const std::string& family, const std::string& precision) {
  ServingErrorBar e;
  if (residuals == nullptr || residuals->serving_groups.empty()) {
    e.basis = "unknown: no serving rows in the residuals (cirrus validate --all --write-residuals)";
    return e;
  }
  const models::ResidualGroup* g = residuals->find_serving(family, precision);
  if (g != nullptr && g->rows >= kMinServingRows) {
    e.basis = fmt::format("1 sigma over {} published offline {} {} serving runs", g->rows, family,
                          precision);
  } else if ((g = residuals->find_serving("all", "all")) != nullptr && g->rows >= kMinServingRows) {
    e.factor = std::sqrt(2.0);
    e.basis = fmt::format(
        "1 sigma over {} published offline serving runs of other GPUs or precisions, x sqrt(2)",
        g->rows);
  } else {
    e.basis = "unknown: too few published serving runs";
    return e;
  }
  e.known = true;
  e.rows = g->rows;
  e.sigma = g->sigma * e.factor;
  if (e.factor == 1) e.bias = g->median_error;
  return e;
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

ServingResult run_serving(const Job& job, const ServingRunOptions& options) {
  const scenarios::Scenario& s = job.scenario;
  if (!s.serving) throw InputError(s.file, "serving", "a serving block", "none");
  if (!s.node) throw InputError(s.file, "cluster", "a node or an instance to serve on", "none");
  const models::ServingSpec& spec = *s.serving;
  const models::ServingNumerics numerics = models::serving_numerics(spec);
  if (auto why = models::tp_problem(s.model, *s.node, spec.tp)) {
    throw InputError(s.file, "serving.tp", *why, std::to_string(spec.tp));
  }
  if (spec.pp > s.model.layers) {
    throw InputError(
        s.file, "serving.pp",
        fmt::format("at most the model's {} layers (a stage holds one or more)", s.model.layers),
        std::to_string(spec.pp));
  }
  if (spec.pp > 1 && (spec.disaggregation || spec.offload || spec.autoscaling || spec.spot)) {
    // Those loops run one engine per replica.
    throw InputError(s.file, "serving.pp",
                     "1 beside disaggregation, offload, autoscaling or spot (pipeline stages "
                     "are not modelled together with them yet)",
                     std::to_string(spec.pp));
  }
  if (spec.expert_parallel) {
    if (auto why = models::ep_problem(s.model, spec.tp)) {
      throw InputError(s.file, "serving.expert_parallel", *why,
                       s.model.moe ? fmt::format("tp {}", spec.tp) : std::string("true"));
    }
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
    out.kv =
        models::kv_cache_size(s.model, s.node->gpu, numerics, spec.tp, spec.scheduler, spec.pp);
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
  setup.expert_parallel = spec.expert_parallel;
  setup.pp = spec.pp;
  setup.router = spec.router;
  setup.scheduler = spec.scheduler;
  out.prefix_caching = prefix_caching_on(s, spec, requests);
  if (out.prefix_caching) setup.prefix = &requests.prefix;
  const std::string swap_assumption = swap_setup(s, spec, out.kv, setup, out);
  if (options.trace) {
    out.trace.emplace();
    out.trace->cap = options.trace_cap;
    setup.trace = &*out.trace;
  }
  if (spec.disaggregation &&
      (out.prefix_caching || spec.scheduler.preemption == models::PreemptionMode::kSwap ||
       options.trace)) {
    // The disaggregated pools run their own loop, which has none of these yet.
    throw InputError(s.file, "serving.disaggregation",
                     "no prefix caching (prefix_caching false), preemption \"recompute\" and no "
                     "--trace beside disaggregation (not modelled together yet)",
                     out.prefix_caching ? "prefix caching on"
                     : options.trace    ? "--trace"
                                        : "preemption \"swap\"");
  }
  const bool changes = spec.autoscaling || spec.spot;
  if (changes && (spec.disaggregation || ring || out.prefix_caching ||
                  spec.scheduler.preemption == models::PreemptionMode::kSwap || options.trace)) {
    // The changing fleet runs its own loop, which has none of these yet.
    throw InputError(s.file, spec.autoscaling ? "serving.autoscaling" : "serving.spot",
                     "a fleet without disaggregation, offload, prefix caching, swap or --trace "
                     "(not modelled together with a changing fleet yet)",
                     spec.disaggregation  ? "disaggregation"
                     : ring               ? "offload"
                     : out.prefix_caching ? "prefix caching on"
                     : options.trace      ? "--trace"
                                          : "preemption \"swap\"");
  }
  setup.offload = ring;
  FleetRun run;
  pricing::FleetUsage usage;
  usage.replica_gpus = spec.tp * spec.pp;
  if (spec.disaggregation) {
    DisaggRun d = run_disaggregated(s, spec, setup, requests, options.keep_samples);
    run = std::move(d.run);
    out.kv = d.summary.decode_kv;
    out.disagg = d.summary;
  } else if (changes) {
    check_slo_reachable(s, setup, spec.slo, requests);
    const ScalingFigures figures = scaling_figures(s, spec, setup, job.instance);
    ScaledRun scaled = simulate_scaled_fleet(setup, out.kv, spec, figures, requests.list, s.file);
    run = std::move(scaled.run);
    out.scaled = std::move(scaled.fleet);
    usage.replica_seconds = out.scaled->replica_seconds;
    usage.peak_replicas = out.scaled->peak_replicas;
  } else {
    check_slo_reachable(s, setup, spec.slo, requests);
    run = simulate_serving_fleet(setup, out.kv, requests.list, spec.slo, s.file,
                                 options.keep_samples);
  }
  out.metrics = run.metrics;
  out.samples = std::move(run.samples);
  usage.run_seconds = out.metrics.makespan_s;
  if (out.disagg) {
    // Two pools of different tp: priced GPU by GPU.
    usage.replica_gpus = 1;
    usage.peak_replicas = static_cast<int>(out.disagg->gpus());
    usage.replica_seconds = out.disagg->gpus() * out.metrics.makespan_s;
  } else if (!changes) {
    usage.replica_seconds = static_cast<double>(spec.replicas) * out.metrics.makespan_s;
    usage.peak_replicas = spec.replicas;
  }
  const pricing::ServedTokens served{out.metrics.makespan_s, out.metrics.input_tokens,
                                     out.metrics.output_tokens, out.metrics.prefill_share};
  // Spot when the run simulates spot interruptions; else the scenario's pricing model.
  const pricing::PricingModel model = spec.spot ? pricing::PricingModel::kSpot : s.pricing.model;
  out.cost = pricing::serving_fleet_cost(job.instance, model, s.pricing.committed_reuse, usage,
                                         served, out.cost_missing);

  out.throughput_error =
      throughput_error_bar(job.residuals.get(), models::gpu_family(s.node->gpu.id),
                           models::serving_precision_label(spec));
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
  if (spec.pp > 1) {
    const std::vector<int> stages = models::stage_layers(s.model.layers, spec.pp);
    out.assumptions.push_back(fmt::format(
        "pipeline: {} stages of {} GPUs ({} layers each at most), run as {} virtual engines "
        "(vLLM's V0 engine), each its own scheduler with a 1/{} share of the KV blocks, routed "
        "to as replicas; a batch's time is the whole model's plus {} stage sends of the hidden "
        "states and residual over {}; stage imbalance not modelled",
        spec.pp, spec.tp, *std::max_element(stages.begin(), stages.end()), spec.pp, spec.pp,
        spec.pp - 1,
        spec.tp * spec.pp <= s.node->gpus ? "the node's scale-up link" : "the node's NICs"));
  }
  if (!swap_assumption.empty()) out.assumptions.push_back(swap_assumption);
  if (out.prefix_caching) {
    out.assumptions.push_back(fmt::format(
        "prefix caching: {}; only full blocks inside a request's prefix ids are shared, "
        "entered when they are scheduled; the rest of a prompt and the outputs are never hit",
        spec.arrivals.kind == models::ArrivalKind::kTrace
            ? fmt::format("the trace's hash_ids, one per {} tokens",
                          requests.prefix.tokens_per_id())
            : fmt::format("{} shared prefixes of {} tokens before each drawn prompt",
                          spec.prefix_groups, spec.prefix_tokens)));
  }
  if (spec.router == models::RouterKind::kPrefixAffinity) {
    out.assumptions.push_back(fmt::format(
        "prefix-affinity router: the replica whose cache holds the longest run of the request's "
        "leading prefix blocks, unless it has more than {} requests outstanding above the least "
        "loaded (SGLang router's balance_abs_threshold default, recalled, unverified); least "
        "outstanding otherwise",
        models::kAffinityLoadBound));
  }

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
