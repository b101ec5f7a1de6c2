#pragma once
// The cost of a training run under each way of paying: on-demand, spot, committed 1 and 3
// years (REFERENCE.md §4, §5), and the capacity products with terms of their own: capacity
// blocks paid up front and flex-start (pricing/capacity_products.hpp).
//
// Every pricing model may be interrupted (spot by reclamation; a rate can be given for the
// others too, for hardware failures). An N-instance synchronous job stops when any instance is
// interrupted, so the job's mean time between interruptions is M = 1 / (rate x N). The job
// writes a checkpoint (C seconds: checkpoint bytes over the storage write bandwidth) every
// tau seconds of work, and after an interruption restarts (R seconds: new instances and the
// checkpoint's reload) and redoes the work since the last checkpoint. tau is Daly's optimum
// (J. T. Daly, "A higher order estimate of the optimum checkpoint interval for restart dumps",
// Future Generation Computer Systems 22(3), 2006, eq. 37), rounded to whole steps; Young's
// first-order sqrt(2 C M) (J. W. Young, CACM 17(9), 1974) is reported beside it. The expected
// wall-clock time is Daly's exponential-failure expectation (eq. 13):
//
//     E[T] = M e^(R/M) (e^((tau + C)/M) - 1) W / tau        (W: the work, steps x step time)
//
// which counts interruptions during restarts too. With no interruptions E[T] = W exactly (no
// checkpoints are charged), so a run costs price x time. The cost is the cluster's hourly price
// x E[T]: instances are paid for while they restart.
//
// A price that is not offered gives no result for that pricing model (nullopt), never 0; so does
// a capacity product the instance is not sold under or whose terms the run does not fit, and
// CostEstimate::unavailable says why.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pricing/capacity_products.hpp"
#include "pricing/catalog.hpp"

namespace cirrus::pricing {

inline constexpr double kHoursPerMonth = 730.0;  // 8760 / 12, as AWS and GCP bill months
inline constexpr double kHoursPerYear = 8760.0;

// ---- Defaults, each with its source ----

// Checkpoint write bandwidth per node: BLOOM-176B's 2.3 TB checkpoint was written by 48 nodes
// (384 processes) in 40 s on JeanZay's GPFS over NVMe, about 57.5 GB/s, i.e. 1.2 GB/s per node
// (stas00/ml-engineering storage/README.md, REFERENCE §5). The aggregate is capped by the
// storage service when a cap is given (FSx: TiB x per-unit MB/s).
inline constexpr double kDefaultNodeStorageBps = 1.2e9;
inline constexpr const char* kDefaultNodeStorageSource =
    "1.2 GB/s per node: 2.3 TB BLOOM checkpoint by 48 nodes in 40 s on JeanZay GPFS "
    "(ml-engineering storage/README.md, REFERENCE.md §5)";
// Getting replacement instances running the job again (provisioning, container start,
// NCCL initialisation), before the checkpoint is reloaded: an assumption, not a measurement.
inline constexpr double kDefaultRestartS = 600.0;
inline constexpr const char* kDefaultRestartSource =
    "assumed: 10 min to provision replacements and relaunch, plus the checkpoint reload";
// Checkpoints kept in storage at once (the latest and the one before, in case the latest is
// torn by an interruption).
inline constexpr int kDefaultCheckpointsKept = 2;

// Spot interruption notice: AWS 2 min, GCP and Azure 30 s (REFERENCE §4).
double spot_notice_s(std::string_view provider);

// The AWS Spot Instance Advisor's buckets of monthly interruption frequency (REFERENCE §4):
// 0 "<5 %", 1 "5-10 %", 2 "10-15 %", 3 "15-20 %", 4 ">20 %". A bucket maps to its midpoint
// monthly probability p (2.5, 7.5, 12.5, 17.5 %, and 25 % assumed for ">20 %"), and p to a
// Poisson rate per instance-hour: -ln(1 - p) / 730 (the rate whose chance of at least one
// interruption in a 730-hour month is p).
double advisor_bucket_rate(int bucket);

struct RateDefault {
  double per_instance_hour = 0;
  std::string source;
};
// The default spot interruption rate of an instance: AWS p4d/p4de bucket 1 (5-10 %), p5 family
// bucket 3 (15-20 %, the 2026-02-24 reading), L4 (g6) bucket 0 (<5 %) from third-party reads of
// the advisor (thundercompute.com); other AWS types and other providers, which publish no
// rate, the middle bucket 2 (10-15 %), an assumption the source string says is one.
RateDefault default_spot_interruption_rate(const Instance& instance);

// ---- Storage and egress tariffs ----

struct Tariff {
  double usd = 0;  // the price for the quantity asked
  std::string source;
  bool verified = true;
};
// Checkpoint storage for one month: AWS S3 Standard us-east-1 $0.023 /GB-mo for the first
// 50 TB ($0.022 next 450 TB, $0.021 beyond: recalled); GCS Standard ~$0.020 and Azure Hot LRS
// ~$0.0195 (midpoint of 0.018-0.021) are recalled; providers without a figure (Lambda) are
// priced at S3's as a stand-in, and the source says so.
Tariff checkpoint_storage_per_month(std::string_view provider, double gb);
// Internet egress of `gb` in one month: AWS first 100 GB free, then $0.09 /GB to 10 TB,
// $0.085 next 40 TB, $0.07 next 100 TB, $0.05 beyond (last tier recalled); GCP $0.12 / $0.11 /
// $0.08 per GiB from 0 / 1 TiB / 10 TiB (2021 SKU sample); Azure ~$0.087 /GB (recalled).
// nullopt for a provider without a figure.
std::optional<Tariff> egress_per_month(std::string_view provider, double gb);

// ---- The formulas, for tests and for the Monte-Carlo replay ----

// Young: sqrt(2 C M).
double young_interval_s(double checkpoint_s, double mtbi_s);
// Daly (2006, eq. 37): sqrt(2 C M) (1 + sqrt(C/2M)/3 + (C/2M)/9) - C for C < 2M, else M.
double daly_interval_s(double checkpoint_s, double mtbi_s);
// Daly's expected wall-clock time for `work_s` of work (formula above). Infinite when the
// exponent overflows: interruptions come too fast for the job ever to finish.
double daly_expected_time_s(double work_s, double interval_s, double checkpoint_s, double restart_s,
                            double mtbi_s);
// With a checkpoint written inside the interruption notice instead (notice >= C): no work is
// lost, each interruption costs the checkpoint and a restart, and the final checkpoint is
// written at the end: E[T] = W' + W' (C + M (e^(R/M) - 1)) / (M - C), W' = W + C (each
// interruption's C is spent in the work phase, where the interruptions fall; restarts may be
// interrupted as in Daly's model). Infinite for M <= C.
double notice_expected_time_s(double work_s, double checkpoint_s, double restart_s, double mtbi_s);
// bytes / min(nodes x per-node bandwidth, storage cap); a cap <= 0 means none.
double checkpoint_write_s(double bytes, int nodes, double node_bps, double storage_cap_bps);

// ---- The model ----

struct CostInput {
  double step_time_s = 0;      // one optimizer step, simulated
  double tokens_per_step = 0;  // global batch x sequence length
  double total_tokens = 0;     // the whole run; 0 prices per step and per hour only
  int nodes = 1;               // instances
  Prices prices;               // USD per instance-hour
  std::string provider;        // for the storage and egress tariffs
  // Interruptions per instance-hour, by pricing model (index_of()); spot's default comes from
  // default_spot_interruption_rate() through make_cost_input().
  std::array<double, kPricingModelCount> interruptions_per_instance_hour{};
  // Why the instance is not sold under a pricing model (pricing::not_offered_reason), by
  // index_of(); empty: it is, when it has a price. make_cost_input fills it.
  std::array<std::string, kPricingModelCount> not_offered{};
  double notice_s = 120;  // the interruption notice
  // Write the checkpoint inside the notice instead of periodically, when it fits (C <= notice).
  bool checkpoint_on_notice = false;

  double checkpoint_bytes = 0;  // model and optimizer state (the caller knows the model)
  double node_storage_bps = kDefaultNodeStorageBps;
  double storage_cap_bps = 0;  // the storage service's aggregate limit; 0 none
  double restart_s = kDefaultRestartS;
  int checkpoints_kept = kDefaultCheckpointsKept;
  bool align_interval_to_steps = true;  // checkpoints fall between steps

  double egress_gb = 0;  // data leaving the cloud during the run

  // Committed pricing bills its whole term (1 or 3 years per instance, renewed while the run
  // lasts), used or not. This fraction of the unused hours' cost is assumed recovered (resale
  // on a marketplace, other work on the reserved instances); 0, the default, assumes none.
  double committed_reuse = 0;

  int gpus_per_node = 0;               // for energy
  double gpu_tdp_w = 0;                // 0: energy not estimated
  double gpu_utilization = 1;          // fraction of TDP drawn on average
  std::string gpu_utilization_source;  // where the figure came from (printed with it)
};

// Fills prices, provider, the default spot interruption rate, the notice time and the GPU count
// from a catalog instance; the rest keeps CostInput's defaults.
CostInput make_cost_input(const Instance& instance, int nodes, double step_time_s,
                          double tokens_per_step, double total_tokens);

struct CheckpointPlan {
  double write_s = 0;                      // C
  double reload_s = 0;                     // the checkpoint read back (same bandwidth as the write)
  double restart_s = 0;                    // R: restart + reload
  std::optional<double> mtbi_s;            // M for the whole job; nullopt: no interruptions
  std::optional<double> young_interval_s;  // for comparison
  std::optional<double> daly_interval_s;   // the optimum, continuous
  std::optional<double> interval_s;        // the one used: Daly's, in whole steps (>= 1)
  std::optional<double> interval_steps;
  bool on_notice = false;  // checkpoints written within the notice instead
};

struct RunCost {
  PricingModel model = PricingModel::kOnDemand;
  double usd_per_instance_hour = 0;
  double usd_per_hour = 0;  // the cluster
  double interruptions_per_instance_hour = 0;
  CheckpointPlan checkpoint;
  bool completes = true;  // false when interruptions outpace checkpoint + restart
  double run_time_s = 0;  // expected wall-clock time
  double usd_total = 0;
  double usd_per_step = 0;  // usd_total / steps: interruption overhead included
  double usd_per_million_tokens = 0;
  double expected_interruptions = 0;
  double checkpoint_overhead_s = 0;  // time spent writing checkpoints
  double lost_s = 0;                 // rework and restarts
  std::optional<double> energy_kwh;  // nullopt without a TDP
  // Committed pricing: the term per instance (8,760 or 26,280 h), the terms the run needs, and
  // the cost of the hours it leaves unused (after committed_reuse), which usd_total includes.
  // All 0 for on-demand and spot, and for committed pricing without a run length (no tokens).
  // Capacity blocks: the block's length (term_hours, terms 1), its instance count and the cost
  // of the instance-hours the run leaves unused (no reuse: a block is not resold). Flex-start
  // bills the run's own hours: term_hours 0.
  double term_hours = 0;
  double terms = 0;
  double unused_term_usd = 0;
  int billed_instances = 0;          // capacity blocks only; 0 otherwise
  double unused_instance_hours = 0;  // paid for and not used, all instances together
  std::string billing;               // capacity products: how the run is billed, in words
};

// Why a pricing model has no result: `rule` in the same words for every run (the planner
// counts pruned candidates by it), `detail` with this run's figures.
struct Unavailable {
  std::string label;  // "not sold", "no price" or "does not fit": a table cell
  std::string rule;
  std::string detail;
};

struct CostEstimate {
  double steps =
      0;  // ceil(total_tokens / tokens_per_step), as models/step/simulate.cpp counts them
  double tokens = 0;                                            // steps x tokens_per_step
  double work_s = 0;                                            // steps x step time
  std::array<std::optional<RunCost>, kPricingModelCount> runs;  // by index_of(model)
  // For a capacity product without a result: not sold for the instance, no price, or the run
  // does not fit its terms. Empty for the other pricing models ("not offered").
  std::array<std::optional<Unavailable>, kPricingModelCount> unavailable;
  double checkpoint_gb = 0;              // kept in storage at once
  Tariff storage_per_month;              // for checkpoint_gb
  double storage_usd_run = 0;            // for the run's length (work_s)
  std::optional<Tariff> egress;          // nullopt without a figure for the provider
  std::vector<std::string> assumptions;  // defaults the numbers rest on, in words

  const std::optional<RunCost>& run(PricingModel m) const { return runs[index_of(m)]; }
  const std::optional<Unavailable>& why_unavailable(PricingModel m) const {
    return unavailable[index_of(m)];
  }
};

// Throws std::invalid_argument for a non-positive step time, node count or tokens per step, or
// a negative rate or size (the caller validates user input first).
CostEstimate estimate_cost(const CostInput& input);

// The `cost` object of CONTRACT.md's result for one pricing model; nullopt when that price is
// not offered.
struct ContractCost {
  std::string pricing;  // "on-demand", ...
  double usd_per_hour = 0;
  double usd_per_step = 0;
  double usd_total = 0;  // 0 and has_run false without a run length (no training.tokens)
  double usd_per_million_tokens = 0;
  std::string catalog;   // "<provider> <retrieved>", e.g. "aws 2026-01-21"
  bool has_run = false;  // the run's length is known (training.tokens), so usd_total is too
  // Capacity products with a run length: the hours billed per instance (a capacity block's
  // length; flex-start: the run's own hours) and the instance-hours paid for and left unused.
  // Absent for the other pricing models (committed terms are in the assumptions).
  std::optional<double> billed_hours;
  std::optional<double> unused_hours;
  std::string billing;  // capacity products: "capacity block 12 d (run 11.2 d), ..."
};
std::optional<ContractCost> contract_cost(const CostEstimate& estimate, PricingModel model,
                                          const Instance& instance);

}  // namespace cirrus::pricing
