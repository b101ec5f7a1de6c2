#include "plan/rank.hpp"

#include <algorithm>
#include <limits>

#include <fmt/format.h>
#include "common/units.hpp"

namespace cirrus::plan {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

bool by_cost(const scenarios::Objective& objective) { return objective.minimize == "cost"; }

double sort_key(const Candidate& c, bool cost) {
  if (cost) return c.economics.usd_total.value_or(kInf);
  return c.economics.run_seconds;
}

// Strict weak order for ranking: objective, then the other measure, then enumeration order.
bool better(const Candidate& a, std::size_t ia, const Candidate& b, std::size_t ib, bool cost) {
  const double ka = sort_key(a, cost);
  const double kb = sort_key(b, cost);
  if (ka != kb) return ka < kb;
  const double sa = sort_key(a, !cost);
  const double sb = sort_key(b, !cost);
  if (sa != sb) return sa < sb;
  return ia < ib;
}

bool meets(const Candidate& c, const scenarios::Objective& objective) {
  if (objective.max_days && c.economics.run_seconds / kSecondsPerDay > *objective.max_days) {
    return false;
  }
  if (objective.max_usd &&
      (!c.economics.usd_total || *c.economics.usd_total > *objective.max_usd)) {
    return false;
  }
  return !by_cost(objective) || c.economics.usd_total.has_value();
}

// The engine has the last word: a refined candidate within the limits before any other.
std::optional<std::size_t> best_of(const std::vector<std::size_t>& order,
                                   const std::vector<Candidate>& candidates) {
  for (std::size_t i : order) {
    if (candidates[i].meets_limits && candidates[i].refined) return i;
  }
  for (std::size_t i : order) {
    if (candidates[i].meets_limits) return i;
  }
  return std::nullopt;
}

// Why no candidate meets the limits: which of them binds, with the figure that shows it.
std::string no_best_reason(const std::vector<Candidate>& candidates,
                           const scenarios::Objective& objective) {
  if (candidates.empty()) return "no configuration is feasible (every candidate was pruned)";
  double fastest = kInf;
  double cheapest = kInf;
  for (const auto& c : candidates) {
    fastest = std::min(fastest, c.economics.run_seconds / kSecondsPerDay);
    cheapest = std::min(cheapest, c.economics.usd_total.value_or(kInf));
  }
  std::string why;
  if (objective.max_days && fastest > *objective.max_days) {
    why += fmt::format("max_days {} binds: the fastest configuration takes {:.1f} days",
                       *objective.max_days, fastest);
  }
  if (objective.max_usd && cheapest > *objective.max_usd) {
    if (!why.empty()) why += "; ";
    why += fmt::format("max_usd {:.0f} binds: the cheapest configuration costs ${:.0f}",
                       *objective.max_usd, cheapest);
  }
  if (why.empty()) {
    why = cheapest == kInf ? "no instance has a price under this pricing model"
                           : "no single configuration meets max_days and max_usd together";
  }
  return "no configuration meets the limits: " + why;
}

std::vector<std::size_t> pareto_of(const std::vector<Candidate>& candidates) {
  std::vector<Point> points;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const auto& c = candidates[i];
    if (c.economics.usd_total)
      points.push_back({c.economics.run_seconds, *c.economics.usd_total, i});
  }
  return pareto_frontier(std::move(points));
}

// The top K: those within the limits first, then (if too few) the closest misses.
std::vector<std::size_t> top_of(const std::vector<std::size_t>& order,
                                const std::vector<Candidate>& candidates, int top) {
  std::vector<std::size_t> out;
  for (int pass = 0; pass < 2; ++pass) {
    for (std::size_t i : order) {
      if (static_cast<int>(out.size()) >= top) break;
      if (candidates[i].meets_limits == (pass == 0)) out.push_back(i);
    }
  }
  return out;
}

}  // namespace

void mark_limits(std::vector<Candidate>& candidates, const scenarios::Objective& objective) {
  for (auto& c : candidates) c.meets_limits = meets(c, objective);
}

void rank_candidates(std::vector<std::size_t>& order, const std::vector<Candidate>& candidates,
                     const scenarios::Objective& objective) {
  const bool cost = by_cost(objective);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return better(candidates[a], a, candidates[b], b, cost);
  });
}

void choose(const std::vector<std::size_t>& order, const scenarios::Objective& objective, int top,
            PlanResult& out) {
  out.best = best_of(order, out.candidates);
  if (!out.best) out.no_best_reason = no_best_reason(out.candidates, objective);
  out.pareto = pareto_of(out.candidates);
  out.top = top_of(order, out.candidates, top);
}

}  // namespace cirrus::plan
