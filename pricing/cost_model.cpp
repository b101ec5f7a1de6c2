#include "pricing/cost_model.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace cirrus::pricing {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kSecondsPerHour = 3600.0;

// Monthly interruption probability at each advisor bucket's midpoint; ">20 %" has no upper
// end, 25 % is assumed.
constexpr double kBucketMidpoint[] = {0.025, 0.075, 0.125, 0.175, 0.25};
constexpr const char* kBucketLabel[] = {"<5 %", "5-10 %", "10-15 %", "15-20 %", ">20 %"};

// Piecewise-linear tiers: [from, to) at usd per unit.
struct Tier {
  double from;
  double to;
  double usd;
};

double tiered(double quantity, const std::vector<Tier>& tiers) {
  double total = 0;
  for (const Tier& t : tiers) {
    if (quantity <= t.from) break;
    total += (std::min(quantity, t.to) - t.from) * t.usd;
  }
  return total;
}

}  // namespace

double spot_notice_s(std::string_view provider) {
  // AWS: 2-minute interruption notice; GCP Spot VMs: up to 30 s; Azure Scheduled Events
  // Preempt: 30 s (recalled) (REFERENCE §4).
  if (provider == "gcp" || provider == "azure") return 30.0;
  return 120.0;
}

double advisor_bucket_rate(int bucket) {
  if (bucket < 0 || bucket > 4) throw std::invalid_argument("advisor bucket must be 0..4");
  return -std::log1p(-kBucketMidpoint[bucket]) / kHoursPerMonth;
}

RateDefault default_spot_interruption_rate(const Instance& instance) {
  int bucket = 2;
  std::string why;
  const std::string& n = instance.name;
  if (instance.provider == "aws" && (n.starts_with("p4d.") || n.starts_with("p4de."))) {
    bucket = 1;
    why = "AWS Spot Advisor reading for p4d: 5-10 % (thundercompute.com, REFERENCE §4)";
  } else if (instance.provider == "aws" && n.starts_with("p5")) {
    bucket = 3;
    why = "AWS Spot Advisor reading for p5: 15-20 % (2026-02-24, REFERENCE §4)";
  } else if (instance.provider == "aws" && n.starts_with("g6.")) {
    bucket = 0;
    why = "AWS Spot Advisor reading for L4: <5 % (thundercompute.com, REFERENCE §4)";
  } else {
    why = instance.provider == "aws"
              ? "assumed: the advisor's middle bucket 10-15 % (no reading for this type)"
              : "assumed: AWS advisor's middle bucket 10-15 % (" + instance.provider +
                    " publishes no interruption rate)";
  }
  RateDefault d;
  d.per_instance_hour = advisor_bucket_rate(bucket);
  d.source = fmt::format(
      "{}; bucket {} midpoint {} % a month -> -ln(1-p)/730 h = {:.3g} per "
      "instance-hour",
      why, kBucketLabel[bucket], kBucketMidpoint[bucket] * 100, d.per_instance_hour);
  return d;
}

Tariff checkpoint_storage_per_month(std::string_view provider, double gb) {
  Tariff t;
  if (provider == "gcp") {
    t.usd = gb * 0.020;
    t.source = "GCS Standard us-central1 ~$0.020 /GB-mo (recalled, REFERENCE §5: verify)";
    t.verified = false;
  } else if (provider == "azure") {
    t.usd = gb * 0.0195;
    t.source =
        "Azure Blob Hot LRS ~$0.018-0.021 /GB-mo, midpoint 0.0195 (recalled, "
        "REFERENCE §5: verify)";
    t.verified = false;
  } else {
    // S3 Standard tiers per month: 50 TB and 450 TB more (AWS counts 1 TB = 1024 GB here).
    t.usd = tiered(gb, {{0, 51200, 0.023}, {51200, 512000, 0.022}, {512000, kInf, 0.021}});
    t.source =
        "S3 Standard us-east-1 $0.023 /GB-mo first 50 TB (devnotes.tech, REFERENCE §5); "
        "$0.022 next 450 TB and $0.021 beyond recalled";
    t.verified = gb <= 51200;
    if (provider != "aws") {
      t.source += "; used as a stand-in: no storage price for " + std::string(provider);
      t.verified = false;
    }
  }
  return t;
}

std::optional<Tariff> egress_per_month(std::string_view provider, double gb) {
  Tariff t;
  if (provider == "aws") {
    t.usd = tiered(gb, {{0, 100, 0.0},
                        {100, 10240, 0.09},
                        {10240, 51200, 0.085},
                        {51200, 153600, 0.07},
                        {153600, kInf, 0.05}});
    t.source =
        "AWS internet egress: 100 GB/mo free, $0.09 /GB to 10 TB, $0.085 next 40 TB, "
        "$0.07 next 100 TB (devnotes.tech, AWS S3 FAQ, REFERENCE §5), $0.05 beyond "
        "(recalled)";
    t.verified = gb <= 153600;
    return t;
  }
  if (provider == "gcp") {
    const double gib = gb * 1e9 / (1024.0 * 1024.0 * 1024.0);
    t.usd = tiered(gib, {{0, 1024, 0.12}, {1024, 10240, 0.11}, {10240, kInf, 0.08}});
    t.source =
        "GCP internet egress $0.12 / $0.11 / $0.08 per GiB from 0 / 1 TiB / 10 TiB "
        "(2021 SKU sample in Cyclenerd notes, REFERENCE §5; current rates not verified)";
    t.verified = false;
    return t;
  }
  if (provider == "azure") {
    t.usd = gb * 0.087;
    t.source = "Azure internet egress ~$0.087 /GB (recalled, REFERENCE §5: verify)";
    t.verified = false;
    return t;
  }
  return std::nullopt;
}

double young_interval_s(double checkpoint_s, double mtbi_s) {
  return std::sqrt(2.0 * checkpoint_s * mtbi_s);
}

double daly_interval_s(double checkpoint_s, double mtbi_s) {
  if (checkpoint_s >= 2.0 * mtbi_s) return mtbi_s;
  const double x = checkpoint_s / (2.0 * mtbi_s);
  return std::sqrt(2.0 * checkpoint_s * mtbi_s) * (1.0 + std::sqrt(x) / 3.0 + x / 9.0) -
         checkpoint_s;
}

double daly_expected_time_s(double work_s, double interval_s, double checkpoint_s, double restart_s,
                            double mtbi_s) {
  if (work_s <= 0) return 0;
  // M e^(R/M) (e^((tau+C)/M) - 1) W / tau; expm1 keeps precision when (tau+C) << M.
  const double t = mtbi_s * std::exp(restart_s / mtbi_s) *
                   std::expm1((interval_s + checkpoint_s) / mtbi_s) * work_s / interval_s;
  if (!std::isfinite(t)) return kInf;
  return t;
}

double notice_expected_time_s(double work_s, double checkpoint_s, double restart_s, double mtbi_s) {
  if (mtbi_s <= checkpoint_s) return kInf;
  const double w = work_s + checkpoint_s;
  const double t =
      w + w * (checkpoint_s + mtbi_s * std::expm1(restart_s / mtbi_s)) / (mtbi_s - checkpoint_s);
  if (!std::isfinite(t)) return kInf;
  return t;
}

double checkpoint_write_s(double bytes, int nodes, double node_bps, double storage_cap_bps) {
  if (bytes <= 0) return 0;
  double bw = nodes * node_bps;
  if (storage_cap_bps > 0) bw = std::min(bw, storage_cap_bps);
  return bytes / bw;
}

CostInput make_cost_input(const Instance& instance, int nodes, double step_time_s,
                          double tokens_per_step, double total_tokens) {
  CostInput in;
  in.step_time_s = step_time_s;
  in.tokens_per_step = tokens_per_step;
  in.total_tokens = total_tokens;
  in.nodes = nodes;
  in.prices = instance.prices;
  in.provider = instance.provider;
  in.interruptions_per_instance_hour[index_of(PricingModel::kSpot)] =
      default_spot_interruption_rate(instance).per_instance_hour;
  in.notice_s = spot_notice_s(instance.provider);
  for (const PricingModel m : kPricingModels) {
    if (auto why = not_offered_reason(instance, m)) in.not_offered[index_of(m)] = *why;
  }
  in.gpus_per_node = instance.gpus ? static_cast<int>(std::ceil(*instance.gpus)) : 0;
  return in;
}

namespace {

// The term of a committed pricing model in years; 0 for on-demand and spot.
int committed_years(PricingModel m) {
  switch (m) {
    case PricingModel::kCommitted1y:
      return 1;
    case PricingModel::kCommitted3y:
      return 3;
    default:
      return 0;
  }
}

// A capacity product's terms applied to a run priced by the hour: a capacity block pays its
// whole length for every instance of the block; flex-start pays the run's hours as they are.
// False, with the term the run breaks in `unfit`, when the run does not fit.
bool apply_terms(const CostInput& in, const CostEstimate& e, RunCost& r,
                 std::optional<Unavailable>& unfit) {
  const bool has_run = r.completes && e.steps > 0;
  const double run_h = has_run ? r.run_time_s / kSecondsPerHour : 0.0;
  const TermBilling b = bill_term(r.model, run_h, in.nodes);
  if (!b.fits()) {
    unfit = Unavailable{"does not fit", b.rule, b.detail};
    return false;
  }
  r.billing = b.text;
  if (r.model != PricingModel::kCapacityBlock) return true;
  r.billed_instances = b.billed_instances;
  if (!has_run) return true;
  r.term_hours = b.billed_hours;
  r.terms = 1;
  r.unused_instance_hours = b.billed_instances * b.billed_hours - in.nodes * run_h;
  r.unused_term_usd = r.usd_per_instance_hour * r.unused_instance_hours;
  // The block's price as such (not the run's hours plus the rest), so that runs billed the same
  // block cost exactly the same and the planner ranks them by time.
  r.usd_total = r.usd_per_instance_hour * b.billed_instances * b.billed_hours;
  return true;
}

// nullopt, with the reason in `unfit`, when a capacity product's terms do not fit the run.
std::optional<RunCost> run_cost(const CostInput& in, const CostEstimate& e, PricingModel model,
                                double price, std::optional<Unavailable>& unfit) {
  RunCost r;
  r.model = model;
  r.usd_per_instance_hour = price;
  r.usd_per_hour = price * in.nodes;
  // Capacity products are not preempted within their term: no interruption model.
  r.interruptions_per_instance_hour =
      is_capacity_product(model) ? 0.0 : in.interruptions_per_instance_hour[index_of(model)];
  CheckpointPlan& cp = r.checkpoint;
  cp.write_s =
      checkpoint_write_s(in.checkpoint_bytes, in.nodes, in.node_storage_bps, in.storage_cap_bps);
  cp.reload_s = cp.write_s;
  cp.restart_s = in.restart_s + cp.reload_s;

  // Daly's symbols: W the work, M the job's mean time between interruptions, C the checkpoint
  // write, R the restart.
  const double work = e.work_s;
  if (r.interruptions_per_instance_hour <= 0 || work <= 0) {
    r.run_time_s = work;  // nothing interrupts the run: no checkpoints are charged
  } else {
    const double mtbi = kSecondsPerHour / (r.interruptions_per_instance_hour * in.nodes);
    const double write = cp.write_s;
    const double restart = cp.restart_s;
    cp.mtbi_s = mtbi;
    cp.young_interval_s = young_interval_s(write, mtbi);
    cp.daly_interval_s = daly_interval_s(write, mtbi);
    if (in.checkpoint_on_notice && write <= in.notice_s) {
      cp.on_notice = true;
      r.run_time_s = notice_expected_time_s(work, write, restart, mtbi);
      const double n = (work + write) / (mtbi - write);  // expected interruptions
      r.checkpoint_overhead_s = write + n * write;
    } else {
      double tau = std::max(*cp.daly_interval_s, 0.0);
      if (in.align_interval_to_steps || tau <= 0) {
        const double k = std::max(1.0, std::round(tau / in.step_time_s));
        cp.interval_steps = k;
        tau = k * in.step_time_s;
      }
      cp.interval_s = tau;
      r.run_time_s = daly_expected_time_s(work, tau, write, restart, mtbi);
      r.checkpoint_overhead_s = work / tau * write;
    }
    if (std::isfinite(r.run_time_s)) {
      r.expected_interruptions = r.run_time_s / mtbi;  // Poisson over the whole wall-clock time
      r.lost_s = std::max(0.0, r.run_time_s - work - r.checkpoint_overhead_s);
    }
  }
  r.completes = std::isfinite(r.run_time_s);
  r.usd_total = r.usd_per_hour * r.run_time_s / kSecondsPerHour;
  if (const int years = committed_years(model); years > 0 && r.completes && e.steps > 0) {
    // A reservation bills its term whether the run uses it or not (AWS, GCP and Azure all
    // bill reserved and committed capacity monthly for the whole term).
    r.term_hours = kHoursPerYear * years;
    const double run_h = r.run_time_s / kSecondsPerHour;
    r.terms = std::max(1.0, std::ceil(run_h / r.term_hours));
    const double unused_h = r.terms * r.term_hours - run_h;
    r.unused_term_usd = r.usd_per_hour * unused_h * (1 - in.committed_reuse);
    r.usd_total += r.unused_term_usd;
    r.unused_instance_hours = in.nodes * (r.terms * r.term_hours - run_h);
  }
  if (is_capacity_product(model) && !apply_terms(in, e, r, unfit)) return std::nullopt;
  if (e.steps > 0) {
    r.usd_per_step = r.usd_total / e.steps;
  } else {
    r.usd_per_step = r.usd_per_hour * in.step_time_s / kSecondsPerHour;
  }
  r.usd_per_million_tokens = r.usd_per_step / (in.tokens_per_step / 1e6);
  if (in.gpu_tdp_w > 0 && in.gpus_per_node > 0) {
    const double watts = in.gpus_per_node * in.nodes * in.gpu_tdp_w * in.gpu_utilization;
    r.energy_kwh = watts * r.run_time_s / kSecondsPerHour / 1000.0;
  }
  return r;
}

void require(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(std::string("estimate_cost: ") + what);
}

}  // namespace

CostEstimate estimate_cost(const CostInput& in) {
  require(in.step_time_s > 0 && std::isfinite(in.step_time_s), "step time must be positive");
  require(in.tokens_per_step > 0, "tokens per step must be positive");
  require(in.total_tokens >= 0, "total tokens must be >= 0");
  require(in.nodes > 0, "node count must be positive");
  require(in.checkpoint_bytes >= 0 && in.egress_gb >= 0, "sizes must be >= 0");
  require(in.node_storage_bps > 0, "storage bandwidth must be positive");
  require(in.restart_s >= 0 && in.notice_s >= 0, "times must be >= 0");
  require(in.gpu_utilization >= 0 && in.checkpoints_kept >= 0, "utilization must be >= 0");
  require(in.committed_reuse >= 0 && in.committed_reuse <= 1, "committed reuse must be in [0, 1]");
  for (const double rate : in.interruptions_per_instance_hour) {
    require(rate >= 0 && std::isfinite(rate), "interruption rates must be >= 0");
  }

  CostEstimate e;
  e.steps = in.total_tokens > 0 ? std::ceil(in.total_tokens / in.tokens_per_step) : 0;
  e.tokens = e.steps * in.tokens_per_step;
  e.work_s = e.steps * in.step_time_s;
  for (const PricingModel m : kPricingModels) {
    const std::size_t i = index_of(m);
    if (!in.not_offered[i].empty()) {
      e.unavailable[i] =
          Unavailable{"not sold", fmt::format("{}: not sold for this instance type", to_string(m)),
                      in.not_offered[i]};
      continue;
    }
    const auto price = in.prices.get(m);
    if (!price) {  // not offered: no result, never a zero cost
      if (is_capacity_product(m)) {
        e.unavailable[i] = Unavailable{
            "no price",
            fmt::format("{}: no price (none in the catalog or pricing.usd_per_hour)", to_string(m)),
            fmt::format("no price known: the catalog's prices.{} is null and the scenario "
                        "gives no pricing.usd_per_hour",
                        price_key(m))};
      }
      continue;
    }
    e.runs[i] = run_cost(in, e, m, *price, e.unavailable[i]);
  }

  e.checkpoint_gb = in.checkpoints_kept * in.checkpoint_bytes / 1e9;
  e.storage_per_month = checkpoint_storage_per_month(in.provider, e.checkpoint_gb);
  e.storage_usd_run = e.storage_per_month.usd * e.work_s / kSecondsPerHour / kHoursPerMonth;
  if (in.egress_gb > 0) e.egress = egress_per_month(in.provider, in.egress_gb);

  const double write_s =
      checkpoint_write_s(in.checkpoint_bytes, in.nodes, in.node_storage_bps, in.storage_cap_bps);
  e.assumptions.push_back(fmt::format(
      "checkpoint {:.4g} GB written at {:.3g} GB/s per node{} -> {:.1f} s; {}",
      in.checkpoint_bytes / 1e9, in.node_storage_bps / 1e9,
      in.storage_cap_bps > 0 ? fmt::format(" (storage cap {:.3g} GB/s)", in.storage_cap_bps / 1e9)
                             : std::string(),
      write_s,
      in.node_storage_bps == kDefaultNodeStorageBps ? kDefaultNodeStorageSource : "as given"));
  e.assumptions.push_back(fmt::format(
      "restart {:.0f} s + reload {:.1f} s after each interruption{}", in.restart_s, write_s,
      in.restart_s == kDefaultRestartS ? std::string("; ") + kDefaultRestartSource : ""));
  for (const PricingModel m : {PricingModel::kCommitted1y, PricingModel::kCommitted3y}) {
    const auto& r = e.run(m);
    if (!r || r->term_hours <= 0) continue;
    e.assumptions.push_back(fmt::format(
        "{} bills its term: {} instance(s) x {:.0f} term(s) of {:.0f} h, the run uses {:.0f} h; "
        "the {:.0f} unused hours cost ${:.0f}{}",
        to_string(m), in.nodes, r->terms, r->term_hours, r->run_time_s / kSecondsPerHour,
        r->terms * r->term_hours - r->run_time_s / kSecondsPerHour, r->unused_term_usd,
        in.committed_reuse > 0
            ? fmt::format(" after {:.0f}% assumed recovered (pricing.committed_reuse)",
                          in.committed_reuse * 100)
            : " (none assumed recovered by resale or other work: pricing.committed_reuse 0)"));
  }
  for (const PricingModel m : {PricingModel::kCapacityBlock, PricingModel::kFlexStart}) {
    const auto& r = e.run(m);
    if (!r) continue;
    e.assumptions.push_back(terms_assumption(m));
    e.assumptions.push_back(
        r->term_hours > 0
            ? fmt::format("{}: {}; {:.1f} instance-hours paid and unused cost ${:.0f}",
                          to_string(m), r->billing, r->unused_instance_hours, r->unused_term_usd)
            : fmt::format("{}: {}", to_string(m), r->billing));
  }
  if (in.gpu_tdp_w > 0) {
    e.assumptions.push_back(fmt::format(
        "energy at {:.0f} W TDP x {:.2f} utilization per GPU{}", in.gpu_tdp_w, in.gpu_utilization,
        in.gpu_utilization_source.empty() ? "" : " (" + in.gpu_utilization_source + ")"));
  }
  return e;
}

std::optional<ContractCost> contract_cost(const CostEstimate& estimate, PricingModel model,
                                          const Instance& instance) {
  const auto& r = estimate.run(model);
  if (!r) return std::nullopt;
  ContractCost c;
  c.pricing = to_string(model);
  c.usd_per_hour = r->usd_per_hour;
  c.usd_per_step = r->usd_per_step;
  c.usd_total = r->usd_total;
  c.usd_per_million_tokens = r->usd_per_million_tokens;
  c.catalog = instance.provider + " " + instance.source_of(model).retrieved;
  c.has_run = estimate.steps > 0;
  if (is_capacity_product(model) && c.has_run) {
    c.billed_hours = model == PricingModel::kCapacityBlock ? r->term_hours : r->run_time_s / 3600.0;
    c.unused_hours = r->unused_instance_hours;
  }
  c.billing = r->billing;
  return c;
}

}  // namespace cirrus::pricing
