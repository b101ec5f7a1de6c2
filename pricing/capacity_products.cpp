#include "pricing/capacity_products.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string_view>

namespace cirrus::pricing {
namespace {

constexpr double kHoursPerDay = 24.0;

// The instance families sold as Capacity Blocks for ML (recalled from the EC2 user guide,
// unverified): the family is the instance name before its size.
constexpr std::array<std::string_view, 8> kCapacityBlockFamilies = {
    "p4d", "p4de", "p5", "p5e", "p5en", "p6-b200", "trn1", "trn2"};
// The machine families flex-start provisions (recalled, unverified): GPU accelerator-optimized.
constexpr std::array<std::string_view, 3> kFlexStartFamilies = {"a2", "a3", "g2"};

std::string_view family_of(std::string_view name, char separator) {
  return name.substr(0, name.find(separator));
}

template <std::size_t N>
bool in(const std::array<std::string_view, N>& list, std::string_view family) {
  return std::find(list.begin(), list.end(), family) != list.end();
}

}  // namespace

bool is_capacity_product(PricingModel m) {
  return m == PricingModel::kCapacityBlock || m == PricingModel::kFlexStart;
}

std::optional<std::string> not_offered_reason(const Instance& instance, PricingModel m) {
  if (m == PricingModel::kCapacityBlock) {
    if (instance.provider == "aws" && in(kCapacityBlockFamilies, family_of(instance.name, '.'))) {
      return std::nullopt;
    }
    return "Capacity Blocks are sold for AWS p4d, p4de, p5, p5e, p5en, p6-b200, trn1 and trn2 "
           "only (recalled, unverified)";
  }
  if (m == PricingModel::kFlexStart) {
    if (instance.provider == "gcp" && in(kFlexStartFamilies, family_of(instance.name, '-'))) {
      return std::nullopt;
    }
    return "flex-start provisions Google Cloud a2, a3 and g2 machines only (recalled, "
           "unverified)";
  }
  return std::nullopt;
}

std::optional<int> capacity_block_days(double run_days) {
  if (!(run_days <= kCapacityBlockMaxDays)) return std::nullopt;
  if (run_days <= kCapacityBlockDailySteps) {
    return std::max(1, static_cast<int>(std::ceil(run_days)));
  }
  const double weeks = std::ceil((run_days - kCapacityBlockDailySteps) / kCapacityBlockWeekStep);
  return kCapacityBlockDailySteps + static_cast<int>(weeks) * kCapacityBlockWeekStep;
}

std::optional<int> capacity_block_instances(int nodes) {
  for (const int n : kCapacityBlockInstances) {
    if (n >= nodes) return n;
  }
  return std::nullopt;
}

TermBilling bill_capacity_block(double run_hours, int nodes) {
  TermBilling b;
  const auto instances = capacity_block_instances(nodes);
  if (!instances) {
    b.rule = "capacity-block: more than 64 instances (the largest block)";
    b.detail = fmt::format("the run needs {} instances; a Capacity Block holds at most 64", nodes);
    return b;
  }
  b.billed_instances = *instances;
  const std::string count = *instances == nodes
                                ? fmt::format("{} instance(s)", nodes)
                                : fmt::format("{} instances for {} nodes", *instances, nodes);
  if (run_hours <= 0) {
    b.text = fmt::format(
        "capacity block of {}, paid up front; no run length (training.tokens): "
        "priced per hour",
        count);
    return b;
  }
  const double run_days = run_hours / kHoursPerDay;
  const auto days = capacity_block_days(run_days);
  if (!days) {
    b.rule = "capacity-block: a run longer than 182 days (the longest block)";
    b.detail =
        fmt::format("the run takes {:.1f} days; the longest Capacity Block is 182 days", run_days);
    b.billed_instances = 0;
    return b;
  }
  b.billed_hours = *days * kHoursPerDay;
  b.text =
      fmt::format("capacity block {} d (run {:.1f} d), {}, paid up front", *days, run_days, count);
  return b;
}

TermBilling bill_flex_start(double run_hours, int nodes) {
  TermBilling b;
  b.billed_instances = nodes;
  if (run_hours <= 0) {
    b.text = "flex-start, billed per second; no run length (training.tokens): priced per hour";
    return b;
  }
  if (run_hours > kFlexStartMaxHours) {
    b.rule = "flex-start: a run longer than 7 days (the longest request)";
    b.detail = fmt::format(
        "the run takes {:.1f} days; one flex-start request runs at most 7 days (splitting the run "
        "into several requests is not modelled)",
        run_hours / kHoursPerDay);
    b.billed_instances = 0;
    return b;
  }
  b.billed_hours = run_hours;
  b.text = fmt::format("flex-start {:.1f} d, billed per second, {} instance(s)",
                       run_hours / kHoursPerDay, nodes);
  return b;
}

TermBilling bill_term(PricingModel m, double run_hours, int nodes) {
  if (m == PricingModel::kCapacityBlock) return bill_capacity_block(run_hours, nodes);
  if (m == PricingModel::kFlexStart) return bill_flex_start(run_hours, nodes);
  throw std::invalid_argument("bill_term: not a capacity product");
}

std::string terms_assumption(PricingModel m) {
  if (m == PricingModel::kCapacityBlock) {
    return "capacity-block terms (AWS EC2 Capacity Blocks for ML, recalled from AWS's "
           "documentation, unverified): paid up front for the whole block; 1-14 days in 1-day "
           "steps, then 7-day steps to 182 days; 1, 2, 4, 8, 16, 32 or 64 instances; the run's "
           "wall time rounded up to the next block length and its nodes up to the next block "
           "size, unused hours paid; not preempted within the block (no interruptions)";
  }
  if (m == PricingModel::kFlexStart) {
    return "flex-start terms (Google Cloud DWS flex-start, recalled from Google Cloud's "
           "documentation, unverified): billed per second while running, no rounding; one "
           "request runs at most 7 days; not preempted within it (no interruptions)";
  }
  return "";
}

}  // namespace cirrus::pricing
