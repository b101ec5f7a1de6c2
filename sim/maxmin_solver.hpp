#pragma once
// Weighted max-min fair sharing by progressive filling, in the manner of SimGrid's LMM.
//
// The solver knows nothing about networks: a CONSTRAINT is a capacity (a link direction, a NIC
// share), a VARIABLE is a consumer with a weight w > 0, an optional upper bound (rate cap) and a
// list of uses (constraint, coefficient k): the variable consumes k x its rate on that
// constraint. A class of k identical flows aggregated into one variable uses coefficient k, and
// its rate is then the rate of each member flow.
//
// The allocation: all unfixed variables grow together at rate w_i x lambda. Each round picks the
// lowest level at which something stops growing, either a variable reaching its bound (fixed at
// exactly its bound) or one constraint saturating (every unfixed variable on it is fixed at
// w_i x lambda). Exactly one bottleneck is taken per round; ties go to bounds before
// constraints, then to the lowest id, so the result is deterministic. A variable with no uses
// gets its bound (possibly +infinity).
//
// Incremental use: add_variable, remove_variable and set_capacity only mark the touched
// constraints dirty. solve() re-solves just the connected components (variables <-> constraints)
// that contain a dirty constraint, and lists in changed() the variables whose rate differs from
// the previous solve (a new variable always counts as changed). Components that were not
// touched keep their rates bit for bit: their inputs did not change. solve_full() recomputes
// every component from scratch and is kept as the oracle for tests.
//
// Cost of a solve: O(E + (C + B + K) log C) over the re-solved components, E = their
// (variable, constraint) uses, C constraints, B bounded variables, K re-keys of constraints
// whose level rose since they were last examined (K <= C x rounds, usually far fewer): levels
// sit in a heap keyed lazily, since fixing a variable can only raise its other constraints'
// levels. Scratch vectors are members and are reused, so a steady-state solve does not allocate.
//
// Numerics: a constraint whose remaining capacity is <= kSaturationTolerance x capacity is taken
// as saturated at the current level; levels never decrease from one round to the next, which
// absorbs rounding in the running sums.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace cirrus::sim {

class MaxMinSolver {
 public:
  using ConstraintId = std::uint32_t;
  using VariableId = std::uint32_t;

  struct Use {
    ConstraintId constraint;
    double coefficient = 1.0;
  };

  static constexpr double kSaturationTolerance = 1e-9;
  static constexpr double kInfinity = std::numeric_limits<double>::infinity();

  void reserve(std::size_t constraints, std::size_t variables);

  // Capacity must be finite and >= 0 (throws std::invalid_argument otherwise).
  ConstraintId add_constraint(double capacity);
  void set_capacity(ConstraintId c, double capacity);
  double capacity(ConstraintId c) const { return constraints_[c].capacity; }
  std::size_t constraint_count() const { return constraints_.size(); }

  // weight must be finite and > 0, bound > 0 (may be +infinity), coefficients finite and > 0,
  // constraints existing; throws std::invalid_argument otherwise. A constraint listed twice is
  // used twice (the coefficients add up). Ids of removed variables are reused (LIFO).
  VariableId add_variable(double weight, double bound, std::span<const Use> uses);
  void remove_variable(VariableId v);
  bool alive(VariableId v) const { return v < variables_.size() && variables_[v].alive; }
  // One past the largest id ever handed out: the size of an array indexed by VariableId.
  std::size_t variable_id_limit() const { return variables_.size(); }
  std::size_t variable_count() const { return variables_.size() - free_.size(); }

  // True if something changed since the last solve, i.e. solve() has work to do.
  bool dirty() const { return !dirty_constraints_.empty() || !pending_lone_.empty(); }
  void solve();
  void solve_full();

  // Rate of a live variable as of the last solve; -1 before its first solve.
  double rate(VariableId v) const { return variables_[v].rate; }
  // Variables whose rate changed in the last solve, in the order they were re-solved.
  std::span<const VariableId> changed() const { return changed_; }
  // Constraints re-solved by the last solve (all of them after solve_full).
  std::span<const ConstraintId> solved_constraints() const { return solved_constraints_; }

  // Sum of coefficient x rate over the live variables on c: O(variables on c).
  double load(ConstraintId c) const;
  // Largest (load - capacity) / capacity over solved_constraints(), or 0: the cheap
  // over-capacity check after a solve.
  double max_relative_overload() const;

 private:
  struct Element {  // a use, as seen from its constraint
    VariableId var;
    std::uint32_t use_index;  // position in variables_[var].uses
    double coefficient;
    double weighted;  // coefficient x weight: the constraint's share of the growth rate
  };
  struct VarUse {  // a use, as seen from its variable
    ConstraintId constraint;
    std::uint32_t position;  // position in constraints_[constraint].elements
    double coefficient;
  };
  struct Constraint {
    double capacity = 0;
    std::vector<Element> elements;
    // Progressive-filling state, valid during one fill.
    double remaining = 0;
    double weight_sum = 0;
    std::uint32_t unfixed = 0;
    bool dirty = false;
    std::uint64_t stamp = 0;  // component discovery epoch
  };
  struct Variable {
    double weight = 1;
    double bound = kInfinity;
    double rate = -1;
    double new_rate = 0;
    std::vector<VarUse> uses;  // capacity kept when the id is reused
    std::uint64_t stamp = 0;
    bool alive = false;
    bool fixed = false;
  };
  struct FillEntry {
    double level;
    std::uint32_t key;  // bounds sort before constraints at equal level, then lowest id
  };

  void mark_dirty(ConstraintId c);
  // Collects the component of c into comp_constraints_ / comp_variables_.
  void collect_component(ConstraintId c);
  // Progressive filling over comp_constraints_ / comp_variables_, then records changes.
  void fill();
  void fix(Variable& v, double r);
  double level_of(const Constraint& c) const;
  void set_lone_rate(VariableId v);
  void publish_rates();

  std::vector<Constraint> constraints_;
  std::vector<Variable> variables_;
  std::vector<VariableId> free_;
  std::vector<ConstraintId> dirty_constraints_;
  std::vector<VariableId> pending_lone_;  // new variables with no uses
  std::uint64_t epoch_ = 0;

  // Scratch, reused across solves.
  std::vector<ConstraintId> comp_constraints_;
  std::vector<VariableId> comp_variables_;
  std::vector<FillEntry> heap_;
  std::vector<VariableId> changed_;
  std::vector<ConstraintId> solved_constraints_;
};

}  // namespace cirrus::sim
