#include "plan/rank.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

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
  if (!c.economics.unfit.empty()) return false;  // re-priced after refinement, out of terms
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

bool same_figure(double a, double b) { return std::abs(a - b) <= 1e-9 * std::max(a, b); }

// Two candidates the user cannot tell apart by their outcome: the same hardware and parallel
// degrees, the same step time and cost; what differs (recompute, schedule at pp 1, ZeRO 1 vs 2,
// ...) changed neither.
bool equivalent(const Candidate& a, const Candidate& b) {
  const auto& x = a.strategy;
  const auto& y = b.strategy;
  if (a.instance != b.instance || a.nodes != b.nodes || x.tp != y.tp || x.pp != y.pp ||
      x.dp != y.dp || x.cp != y.cp || x.ep != y.ep || x.micro_batch != y.micro_batch ||
      a.meets_limits != b.meets_limits || a.refined != b.refined) {
    return false;
  }
  if (!same_figure(a.step_seconds, b.step_seconds)) return false;
  const auto& ua = a.economics.usd_total;
  const auto& ub = b.economics.usd_total;
  return ua.has_value() == ub.has_value() && (!ua || same_figure(*ua, *ub));
}

// The top K distinct outcomes: those within the limits first, then (if too few) the closest
// misses; a candidate equivalent to one already listed joins its `also` list instead.
void top_of(const std::vector<std::size_t>& order, int top, PlanResult& out) {
  const auto& candidates = out.candidates;
  for (int pass = 0; pass < 2; ++pass) {
    for (std::size_t i : order) {
      if (candidates[i].meets_limits != (pass == 0)) continue;
      const auto same = std::find_if(out.top.begin(), out.top.end(), [&](std::size_t j) {
        return equivalent(candidates[i], candidates[j]);
      });
      if (same != out.top.end()) {
        out.also[*same].push_back(i);
      } else if (static_cast<int>(out.top.size()) < top) {
        out.top.push_back(i);
      }
    }
  }
}

// The best of each group (by `key`) as best_of chooses the plan's: a refined candidate within
// the limits, else the first within them, else the first in `order`.
template <typename Key>
std::vector<std::size_t> best_per(const std::vector<std::size_t>& order,
                                  const std::vector<Candidate>& candidates, Key key) {
  std::map<decltype(key(candidates.front())), std::size_t> best;
  for (int pass = 0; pass < 3; ++pass) {
    for (std::size_t i : order) {
      const Candidate& c = candidates[i];
      const bool wanted = pass == 0   ? c.meets_limits && c.refined
                          : pass == 1 ? c.meets_limits
                                      : true;
      if (wanted) best.emplace(key(c), i);  // keeps the first, the best in order
    }
  }
  std::vector<std::size_t> out;
  out.reserve(best.size());
  for (const auto& [k, i] : best) out.push_back(i);
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
            const std::function<std::string(std::uint32_t)>& provider_of, PlanResult& out) {
  out.best = best_of(order, out.candidates);
  if (!out.best) out.no_best_reason = no_best_reason(out.candidates, objective);
  out.pareto = pareto_of(out.candidates);
  out.top.clear();
  out.also.clear();
  top_of(order, top, out);
  if (out.candidates.empty()) return;
  out.best_per_instance =
      best_per(order, out.candidates, [](const Candidate& c) { return c.instance; });
  out.best_per_cloud =
      best_per(order, out.candidates, [&](const Candidate& c) { return provider_of(c.instance); });
}

}  // namespace cirrus::plan
