#pragma once
// The capacity products teams buy for training, and their terms as the providers bill them:
//
// - AWS EC2 Capacity Blocks for ML: a block of instances reserved ahead and paid up front for
//   its whole length. Lengths 1 to 14 days in 1-day steps, then 7-day steps up to 182 days;
//   1, 2, 4, 8, 16, 32 or 64 instances; p4d, p4de, p5, p5e, p5en, p6-b200, trn1 and trn2 only.
//   A run takes the shortest block at least as long as its wall time and the smallest block
//   count at least its node count; the hours and instances it leaves unused are paid all the
//   same (a block cannot be resold or shortened).
// - Google Cloud DWS flex-start: billed per second while the VMs run, no rounding; one request
//   runs at most 7 days; accelerator-optimized a2, a3 and g2 machines only. A longer run would
//   have to be split into several requests, each waiting for capacity anew: cirrus does not
//   model that, and says the run does not fit.
//
// Neither is preempted within its term, so neither has an interruption model. Every term above
// is recalled from the providers' documentation (AWS "Capacity Blocks for ML" in the EC2 user
// guide, Google Cloud "Dynamic Workload Scheduler" / flex-start VMs) and not verified against a
// dated source: the output says so. No price is known for either (REFERENCE.md lists none):
// a catalog's `capacity_block` / `flex_start` or the scenario's `pricing.usd_per_hour` gives it.
#include <array>
#include <optional>
#include <string>

#include "pricing/catalog.hpp"

namespace cirrus::pricing {

inline constexpr int kCapacityBlockDailySteps = 14;  // 1-day steps up to this many days
inline constexpr int kCapacityBlockWeekStep = 7;     // then steps of this many days
inline constexpr int kCapacityBlockMaxDays = 182;
inline constexpr std::array<int, 7> kCapacityBlockInstances = {1, 2, 4, 8, 16, 32, 64};
inline constexpr double kFlexStartMaxHours = 7 * 24.0;

// Capacity blocks and flex-start: the products with terms of their own.
bool is_capacity_product(PricingModel m);

// Why this instance type is not sold under `m` (nullopt: it is, or `m` is not a capacity
// product). The lists of instance families are recalled, unverified.
std::optional<std::string> not_offered_reason(const Instance& instance, PricingModel m);

// The shortest block of at least `run_days` (at least 1 day); nullopt beyond 182 days.
std::optional<int> capacity_block_days(double run_days);
// The smallest block instance count of at least `nodes`; nullopt beyond 64.
std::optional<int> capacity_block_instances(int nodes);

// How a run of `run_hours` wall time (0: unknown, no run length) on `nodes` instances is billed
// under a capacity product.
struct TermBilling {
  // Empty when the run fits the terms. `rule` is the term the run breaks, the same words for
  // every run (the planner counts pruned candidates by it); `detail` adds this run's figures.
  std::string rule;
  std::string detail;
  double billed_hours = 0;   // per instance: the block's length, or the run's hours (flex-start)
  int billed_instances = 0;  // the block's instance count, or the nodes (flex-start)
  std::string text;          // "capacity block 12 d (run 11.2 d), 2 instances, paid up front"

  bool fits() const { return rule.empty(); }
};
TermBilling bill_capacity_block(double run_hours, int nodes);
TermBilling bill_flex_start(double run_hours, int nodes);
// bill_capacity_block or bill_flex_start by `m`, which must be a capacity product.
TermBilling bill_term(PricingModel m, double run_hours, int nodes);

// The terms of `m` in one line for a result's assumptions, marked recalled and unverified.
std::string terms_assumption(PricingModel m);

}  // namespace cirrus::pricing
