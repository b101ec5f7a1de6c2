#include "sim/maxmin_solver.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace cirrus::sim {

namespace {

// Fill-heap keys: bounds (top bit clear) sort before constraints at an equal level.
constexpr std::uint32_t kConstraintKey = 0x80000000u;
constexpr std::size_t kMaxIds = kConstraintKey;

// std::push_heap builds a max-heap; "a below b" makes it a min-heap on (level, key).
struct FillBelow {
  template <class E>
  bool operator()(const E& a, const E& b) const {
    if (a.level != b.level) return a.level > b.level;
    return a.key > b.key;
  }
};

}  // namespace

void MaxMinSolver::reserve(std::size_t constraints, std::size_t variables) {
  constraints_.reserve(constraints);
  variables_.reserve(variables);
  comp_constraints_.reserve(constraints);
  comp_variables_.reserve(variables);
  changed_.reserve(variables);
  solved_constraints_.reserve(constraints);
}

MaxMinSolver::ConstraintId MaxMinSolver::add_constraint(double capacity) {
  if (!(capacity >= 0) || !std::isfinite(capacity)) {
    throw std::invalid_argument("MaxMinSolver: capacity must be finite and >= 0");
  }
  if (constraints_.size() >= kMaxIds) throw std::length_error("MaxMinSolver: too many constraints");
  constraints_.emplace_back();
  constraints_.back().capacity = capacity;
  const auto id = static_cast<ConstraintId>(constraints_.size() - 1);
  return id;
}

void MaxMinSolver::set_capacity(ConstraintId c, double capacity) {
  if (c >= constraints_.size()) throw std::invalid_argument("MaxMinSolver: unknown constraint");
  if (!(capacity >= 0) || !std::isfinite(capacity)) {
    throw std::invalid_argument("MaxMinSolver: capacity must be finite and >= 0");
  }
  constraints_[c].capacity = capacity;
  mark_dirty(c);
}

void MaxMinSolver::mark_dirty(ConstraintId c) {
  Constraint& con = constraints_[c];
  if (!con.dirty) {
    con.dirty = true;
    dirty_constraints_.push_back(c);
  }
}

MaxMinSolver::VariableId MaxMinSolver::add_variable(double weight, double bound,
                                                    std::span<const Use> uses) {
  if (!(weight > 0) || !std::isfinite(weight)) {
    throw std::invalid_argument("MaxMinSolver: weight must be finite and > 0");
  }
  if (!(bound > 0)) throw std::invalid_argument("MaxMinSolver: bound must be > 0");
  for (const Use& u : uses) {
    if (u.constraint >= constraints_.size()) {
      throw std::invalid_argument("MaxMinSolver: unknown constraint");
    }
    if (!(u.coefficient > 0) || !std::isfinite(u.coefficient)) {
      throw std::invalid_argument("MaxMinSolver: coefficient must be finite and > 0");
    }
  }
  VariableId id;
  if (!free_.empty()) {
    id = free_.back();
    free_.pop_back();
  } else {
    if (variables_.size() >= kMaxIds) throw std::length_error("MaxMinSolver: too many variables");
    id = static_cast<VariableId>(variables_.size());
    variables_.emplace_back();
  }
  Variable& v = variables_[id];
  v.weight = weight;
  v.bound = bound;
  v.rate = -1;
  v.alive = true;
  v.fixed = false;
  v.uses.clear();
  for (const Use& u : uses) {
    Constraint& con = constraints_[u.constraint];
    const auto position = static_cast<std::uint32_t>(con.elements.size());
    const auto use_index = static_cast<std::uint32_t>(v.uses.size());
    con.elements.push_back(Element{id, use_index, u.coefficient, u.coefficient * weight});
    v.uses.push_back(VarUse{u.constraint, position, u.coefficient});
    mark_dirty(u.constraint);
  }
  if (uses.empty()) pending_lone_.push_back(id);
  return id;
}

void MaxMinSolver::remove_variable(VariableId id) {
  if (!alive(id)) throw std::invalid_argument("MaxMinSolver: variable is not alive");
  Variable& v = variables_[id];
  for (std::size_t i = 0; i < v.uses.size(); ++i) {
    // Read the position now: an earlier removal may have moved this element.
    const VarUse u = v.uses[i];
    Constraint& con = constraints_[u.constraint];
    const Element moved = con.elements.back();
    con.elements[u.position] = moved;
    variables_[moved.var].uses[moved.use_index].position = u.position;
    con.elements.pop_back();
    mark_dirty(u.constraint);
  }
  v.uses.clear();
  v.alive = false;
  v.rate = -1;
  free_.push_back(id);
}

void MaxMinSolver::set_lone_rate(VariableId id) {
  Variable& v = variables_[id];
  v.stamp = epoch_;
  if (v.rate != v.bound) {
    v.rate = v.bound;
    changed_.push_back(id);
  }
}

void MaxMinSolver::solve() {
  ++epoch_;
  changed_.clear();
  solved_constraints_.clear();
  for (VariableId id : pending_lone_) {
    const Variable& v = variables_[id];
    if (v.alive && v.uses.empty() && v.stamp != epoch_) set_lone_rate(id);
  }
  pending_lone_.clear();
  for (ConstraintId c : dirty_constraints_) constraints_[c].dirty = false;
  for (ConstraintId c : dirty_constraints_) {
    if (constraints_[c].stamp == epoch_) continue;
    collect_component(c);
    fill();
    publish_rates();
    solved_constraints_.insert(solved_constraints_.end(), comp_constraints_.begin(),
                               comp_constraints_.end());
  }
  dirty_constraints_.clear();
}

void MaxMinSolver::solve_full() {
  ++epoch_;
  changed_.clear();
  solved_constraints_.clear();
  comp_constraints_.clear();
  comp_variables_.clear();
  for (VariableId id = 0; id < variables_.size(); ++id) {
    Variable& v = variables_[id];
    if (!v.alive) continue;
    if (v.uses.empty()) {
      set_lone_rate(id);
    } else {
      v.stamp = epoch_;
      comp_variables_.push_back(id);
    }
  }
  for (ConstraintId c = 0; c < constraints_.size(); ++c) {
    constraints_[c].stamp = epoch_;
    constraints_[c].dirty = false;
    comp_constraints_.push_back(c);
  }
  fill();
  publish_rates();
  solved_constraints_ = comp_constraints_;
  pending_lone_.clear();
  dirty_constraints_.clear();
}

void MaxMinSolver::collect_component(ConstraintId start) {
  comp_constraints_.clear();
  comp_variables_.clear();
  constraints_[start].stamp = epoch_;
  comp_constraints_.push_back(start);
  // comp_constraints_ doubles as the BFS queue.
  for (std::size_t i = 0; i < comp_constraints_.size(); ++i) {
    const Constraint& con = constraints_[comp_constraints_[i]];
    for (const Element& e : con.elements) {
      Variable& v = variables_[e.var];
      if (v.stamp == epoch_) continue;
      v.stamp = epoch_;
      comp_variables_.push_back(e.var);
      for (const VarUse& u : v.uses) {
        Constraint& other = constraints_[u.constraint];
        if (other.stamp == epoch_) continue;
        other.stamp = epoch_;
        comp_constraints_.push_back(u.constraint);
      }
    }
  }
}

double MaxMinSolver::level_of(const Constraint& con) const {
  if (con.remaining <= kSaturationTolerance * con.capacity) return 0;
  double sum = con.weight_sum;
  if (!(sum > 0)) {
    // Cancellation in the running sum: recount the variables still growing.
    sum = 0;
    for (const Element& e : con.elements) {
      if (!variables_[e.var].fixed) sum += e.weighted;
    }
  }
  return con.remaining / sum;
}

void MaxMinSolver::fix(Variable& v, double r) {
  v.fixed = true;
  v.new_rate = r;
  for (const VarUse& u : v.uses) {
    Constraint& con = constraints_[u.constraint];
    con.remaining -= u.coefficient * r;
    con.weight_sum -= u.coefficient * v.weight;
    if (--con.unfixed == 0) con.weight_sum = 0;
  }
}

void MaxMinSolver::fill() {
  // Each growing constraint has exactly one heap entry, keyed by its level when last examined.
  // Fixing a variable only raises the levels of its other constraints (the fixed share was at
  // most their level), so a key is a lower bound of the true level: an entry is re-evaluated
  // when it reaches the top and re-pushed if stale, instead of re-keying every constraint a
  // fixed variable touches. The first fresh top is the (level, id) minimum.
  heap_.clear();
  for (ConstraintId c : comp_constraints_) {
    Constraint& con = constraints_[c];
    con.remaining = con.capacity;
    double sum = 0;
    for (const Element& e : con.elements) sum += e.weighted;
    con.weight_sum = sum;
    con.unfixed = static_cast<std::uint32_t>(con.elements.size());
    if (con.unfixed > 0) heap_.push_back(FillEntry{level_of(con), kConstraintKey | c});
  }
  for (VariableId id : comp_variables_) {
    Variable& v = variables_[id];
    v.fixed = false;
    if (v.bound < kInfinity) heap_.push_back(FillEntry{v.bound / v.weight, id});
  }
  std::make_heap(heap_.begin(), heap_.end(), FillBelow{});

  double last = 0;
  while (!heap_.empty()) {
    std::pop_heap(heap_.begin(), heap_.end(), FillBelow{});
    const FillEntry top = heap_.back();
    if ((top.key & kConstraintKey) != 0) {
      Constraint& con = constraints_[top.key & ~kConstraintKey];
      if (con.unfixed == 0) {
        heap_.pop_back();
        continue;
      }
      const double level = level_of(con);
      if (level != top.level) {  // stale key: re-key in place of the popped entry
        heap_.back().level = level;
        std::push_heap(heap_.begin(), heap_.end(), FillBelow{});
        continue;
      }
      heap_.pop_back();
      // Rounding in the running sums can put a level a hair below the previous one.
      const double fill_level = std::max(level, last);
      last = fill_level;
      for (const Element& e : con.elements) {
        Variable& v = variables_[e.var];
        if (!v.fixed) fix(v, std::min(v.bound, v.weight * fill_level));
      }
    } else {
      heap_.pop_back();
      Variable& v = variables_[top.key];
      if (v.fixed) continue;
      last = std::max(top.level, last);
      fix(v, v.bound);
    }
  }
}

void MaxMinSolver::publish_rates() {
  for (VariableId id : comp_variables_) {
    Variable& v = variables_[id];
    if (v.new_rate != v.rate) {
      v.rate = v.new_rate;
      changed_.push_back(id);
    }
  }
}

double MaxMinSolver::load(ConstraintId c) const {
  double sum = 0;
  for (const Element& e : constraints_[c].elements) {
    sum += e.coefficient * variables_[e.var].rate;
  }
  return sum;
}

double MaxMinSolver::max_relative_overload() const {
  double worst = 0;
  for (ConstraintId c : solved_constraints_) {
    const double cap = constraints_[c].capacity;
    const double over = load(c) - cap;
    if (over <= 0) continue;
    worst = std::max(worst, cap > 0 ? over / cap : kInfinity);
  }
  return worst;
}

}  // namespace cirrus::sim
