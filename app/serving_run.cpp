#include "app/serving_run.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/input_error.hpp"
#include "common/units.hpp"
#include "models/serving/arrivals.hpp"
#include "models/serving/fleet_sim.hpp"
#include "models/serving/iteration_time.hpp"
#include "models/serving/prefix.hpp"
#include "models/serving/router.hpp"
#include "scenarios/trace_reader.hpp"

namespace cirrus::app {
namespace {

struct Requests {
  std::vector<models::Request> list;
  models::PrefixIds prefix;  // empty when no request carries prefix ids
  std::string file;          // where the largest request was given (trace or scenario)
  std::string path;          // its line, or the JSON path of the larger length
};

Requests scenario_requests(const scenarios::Scenario& s, const models::ServingSpec& spec) {
  Requests out;
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
  out.list = models::synthetic_requests(a, spec.input_tokens, spec.output_tokens, spec.seed);
  if (spec.prefix_groups > 0) {
    out.prefix =
        models::synthetic_prefixes(out.list, {spec.prefix_groups, spec.prefix_tokens}, spec.seed);
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
  if (!spec.scheduler.chunked_prefill && largest > spec.scheduler.max_num_batched_tokens) {
    throw InputError(s.file, "serving.max_num_batched_tokens",
                     fmt::format("at least the largest request's {} tokens when "
                                 "chunked_prefill is false (its whole prompt, after a "
                                 "preemption with its generated tokens, runs in one iteration)",
                                 largest),
                     std::to_string(spec.scheduler.max_num_batched_tokens));
  }
}

// Prefix caching: on when requests carry prefix ids, unless the scenario turns it off.
bool prefix_caching_on(const scenarios::Scenario& s, const models::ServingSpec& spec,
                       const Requests& requests) {
  const bool on = spec.scheduler.prefix_caching.value_or(true) && !requests.prefix.empty();
  if (!on && spec.router == models::RouterKind::kPrefixAffinity) {
    throw InputError(
        s.file, "serving.router",
        "a router other than \"prefix-affinity\" when prefix caching is off (requests carry "
        "prefixes from serving.prefix or a Mooncake trace's hash_ids, and prefix_caching is not "
        "false)",
        "\"prefix-affinity\"");
  }
  return on;
}

// Preemption by swap: the swap space in blocks and the copy time of one block over the node's
// host link. Each GPU of a replica copies its own share of a block over its own link, so a
// block's time is its bytes on one GPU over one GPU's bandwidth.
// Returns the assumption it makes, or nothing without swap.
std::string swap_setup(const scenarios::Scenario& s, const models::ServingSpec& spec,
                       const models::KvCacheSize& kv, models::FleetConfig& fleet,
                       ServingResult& out) {
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
  fleet.host_blocks = static_cast<std::int64_t>(spec.scheduler.swap_space_gib * kGiB / block_bytes);
  fleet.swap_seconds_per_block = block_bytes / bw;
  out.swap_host_blocks = fleet.host_blocks;
  out.swap_gbyte_per_s = bw / kGB;
  return fmt::format(
      "preemption by swap (vLLM V0's mode; V1 recomputes only, and V0 swapped only sequence "
      "groups of several sequences): {:g} GiB of host memory per GPU = {} blocks per replica; a "
      "block's {:.0f} bytes per GPU copied at {:.4g} GB/s ({}), each GPU over its own link, the "
      "copies added to the iteration that makes them; recompute when the swap space is full",
      spec.scheduler.swap_space_gib, fleet.host_blocks, block_bytes, bw / kGB,
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

}  // namespace

ServingResult run_serving(const Job& job, const ServingRunOptions& options) {
  const scenarios::Scenario& s = job.scenario;
  if (!s.serving) throw InputError(s.file, "serving", "a serving block", "none");
  if (!s.node) throw InputError(s.file, "cluster", "a node or an instance to serve on", "none");
  const models::ServingSpec& spec = *s.serving;
  const models::Precision precision = s.training.precision;
  if (precision == models::Precision::kFp8 || precision == models::Precision::kTf32) {
    throw InputError(s.file, "training.precision",
                     "bf16, fp16 or fp32 for serving (fp8 weights and KV cache are not modelled "
                     "yet)",
                     std::string("\"") + to_string(precision) + "\"");
  }
  check_tp(s, *s.node, spec.tp);

  ServingResult out;
  out.scenario_name = s.name;
  out.model_name = s.model.name;
  out.parameters = s.model.parameters();
  out.gpu = s.node->gpu.display;
  out.node_id = s.node_id;
  out.spec = spec;
  out.arrivals = arrivals_label(spec);
  out.kv = models::kv_cache_size(s.model, s.node->gpu, precision, spec.tp, spec.scheduler);

  const Requests requests = scenario_requests(s, spec);
  check_fits(s, spec, out.kv, requests);

  models::IterationSetup setup;
  setup.model = s.model;
  setup.node = *s.node;
  setup.precision = precision;
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
  out.prefix_caching = prefix_caching_on(s, spec, requests);
  if (out.prefix_caching) fleet.prefix = &requests.prefix;
  const std::string swap_assumption = swap_setup(s, spec, out.kv, fleet, out);
  if (options.trace) {
    out.trace.emplace();
    out.trace->cap = options.trace_cap;
    fleet.trace = &*out.trace;
  }
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
  out.assumptions.push_back(fmt::format(
      "KV cache: gpu_memory_utilization {:g} of {:.1f} GB, less the weights, the peak activations "
      "of a {}-token forward and a 1 GiB runtime allowance (an assumption, "
      "models/workload/memory.hpp)",
      spec.scheduler.gpu_memory_utilization, s.node->gpu.memory_bytes / 1e9,
      spec.scheduler.max_num_batched_tokens));
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
  out.assumptions.push_back(
      "cost: busy time is split between input and output tokens by each iteration's share of "
      "prefill tokens; idle time is shared the same way");
  return out;
}

}  // namespace cirrus::app
