#include "sim/maxmin_solver.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <stdexcept>
#include <vector>

namespace cirrus::sim {
namespace {

using Use = MaxMinSolver::Use;
using Catch::Matchers::WithinRel;

std::vector<MaxMinSolver::VariableId> changed_of(const MaxMinSolver& s) {
  std::vector<MaxMinSolver::VariableId> out(s.changed().begin(), s.changed().end());
  std::sort(out.begin(), out.end());
  return out;
}

TEST_CASE("max-min: equal split", "[sim][maxmin]") {
  // Three flows on one 90 B/s link: 3 x lambda = 90, lambda = 30 each.
  MaxMinSolver s;
  const auto c = s.add_constraint(90);
  const Use u[] = {{c, 1.0}};
  const auto a = s.add_variable(1, MaxMinSolver::kInfinity, u);
  const auto b = s.add_variable(1, MaxMinSolver::kInfinity, u);
  const auto d = s.add_variable(1, MaxMinSolver::kInfinity, u);
  s.solve();
  CHECK_THAT(s.rate(a), WithinRel(30.0, 1e-12));
  CHECK_THAT(s.rate(b), WithinRel(30.0, 1e-12));
  CHECK_THAT(s.rate(d), WithinRel(30.0, 1e-12));
  CHECK(s.changed().size() == 3);
  CHECK(s.max_relative_overload() <= 1e-12);
}

TEST_CASE("max-min: weighted split", "[sim][maxmin]") {
  // Weights 1 and 2 on 90: 1 x lambda + 2 x lambda = 90, lambda = 30 -> rates 30 and 60.
  MaxMinSolver s;
  const auto c = s.add_constraint(90);
  const Use u[] = {{c, 1.0}};
  const auto a = s.add_variable(1, MaxMinSolver::kInfinity, u);
  const auto b = s.add_variable(2, MaxMinSolver::kInfinity, u);
  s.solve();
  CHECK_THAT(s.rate(a), WithinRel(30.0, 1e-12));
  CHECK_THAT(s.rate(b), WithinRel(60.0, 1e-12));
}

TEST_CASE("max-min: a bound frees capacity for the others", "[sim][maxmin]") {
  // Three flows on 90, one capped at 10. The cap binds first (level 10 < 90/3 = 30); the other
  // two share 90 - 10 = 80: 40 each.
  MaxMinSolver s;
  const auto c = s.add_constraint(90);
  const Use u[] = {{c, 1.0}};
  const auto a = s.add_variable(1, 10.0, u);
  const auto b = s.add_variable(1, MaxMinSolver::kInfinity, u);
  const auto d = s.add_variable(1, MaxMinSolver::kInfinity, u);
  s.solve();
  CHECK(s.rate(a) == 10.0);
  CHECK_THAT(s.rate(b), WithinRel(40.0, 1e-12));
  CHECK_THAT(s.rate(d), WithinRel(40.0, 1e-12));
}

TEST_CASE("max-min: a bound above the fair share does not bind", "[sim][maxmin]") {
  // Bound 50 > fair share 30: all three get 30.
  MaxMinSolver s;
  const auto c = s.add_constraint(90);
  const Use u[] = {{c, 1.0}};
  const auto a = s.add_variable(1, 50.0, u);
  const auto b = s.add_variable(1, MaxMinSolver::kInfinity, u);
  s.add_variable(1, MaxMinSolver::kInfinity, u);
  s.solve();
  CHECK_THAT(s.rate(a), WithinRel(30.0, 1e-12));
  CHECK_THAT(s.rate(b), WithinRel(30.0, 1e-12));
}

TEST_CASE("max-min: a coefficient-k variable equals k separate flows", "[sim][maxmin]") {
  // Aggregated: one class of 4 flows (coefficient 4) plus one single flow on 90:
  // 4 x lambda + lambda = 90, lambda = 18, i.e. 18 per member flow.
  MaxMinSolver agg;
  const auto c = agg.add_constraint(90);
  const Use four[] = {{c, 4.0}};
  const Use one[] = {{c, 1.0}};
  const auto cls = agg.add_variable(1, MaxMinSolver::kInfinity, four);
  const auto single = agg.add_variable(1, MaxMinSolver::kInfinity, one);
  agg.solve();
  CHECK_THAT(agg.rate(cls), WithinRel(18.0, 1e-12));
  CHECK_THAT(agg.rate(single), WithinRel(18.0, 1e-12));
  CHECK_THAT(agg.load(c), WithinRel(90.0, 1e-12));

  // Unaggregated: five flows on 90 -> 18 each.
  MaxMinSolver sep;
  const auto c2 = sep.add_constraint(90);
  const Use u[] = {{c2, 1.0}};
  std::vector<MaxMinSolver::VariableId> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(sep.add_variable(1, MaxMinSolver::kInfinity, u));
  sep.solve();
  for (auto id : ids) CHECK_THAT(sep.rate(id), WithinRel(agg.rate(cls), 1e-12));
}

TEST_CASE("max-min: aggregated class across two links", "[sim][maxmin]") {
  // Links A = 100, B = 30. A class of 3 flows crosses A and B; one flow uses only A.
  // B: 3 x lambda = 30 -> lambda_B = 10; A: 3 x lambda + lambda = 100 -> lambda_A = 25.
  // B saturates first: class at 10 per flow; A has 100 - 30 = 70 left for the single flow.
  MaxMinSolver s;
  const auto a = s.add_constraint(100);
  const auto b = s.add_constraint(30);
  const Use cls_uses[] = {{a, 3.0}, {b, 3.0}};
  const Use single_uses[] = {{a, 1.0}};
  const auto cls = s.add_variable(1, MaxMinSolver::kInfinity, cls_uses);
  const auto single = s.add_variable(1, MaxMinSolver::kInfinity, single_uses);
  s.solve();
  CHECK_THAT(s.rate(cls), WithinRel(10.0, 1e-12));
  CHECK_THAT(s.rate(single), WithinRel(70.0, 1e-12));
}

TEST_CASE("max-min: a constraint listed twice counts twice", "[sim][maxmin]") {
  // Uses {c, 1}, {c, 1} on capacity 10 is coefficient 2: 2 x lambda = 10 -> 5.
  MaxMinSolver s;
  const auto c = s.add_constraint(10);
  const Use u[] = {{c, 1.0}, {c, 1.0}};
  const auto v = s.add_variable(1, MaxMinSolver::kInfinity, u);
  s.solve();
  CHECK_THAT(s.rate(v), WithinRel(5.0, 1e-12));
  s.remove_variable(v);
  CHECK(s.load(c) == 0.0);
}

TEST_CASE("max-min: two bottlenecks", "[sim][maxmin]") {
  // A = 10, B = 4. f1 crosses A and B, f2 uses A, f3 uses B.
  // lambda_B = 4 / 2 = 2 < lambda_A = 10 / 2 = 5: B saturates, f1 = f3 = 2.
  // A then has 10 - 2 = 8 left for f2 alone.
  MaxMinSolver s;
  const auto a = s.add_constraint(10);
  const auto b = s.add_constraint(4);
  const Use u1[] = {{a, 1.0}, {b, 1.0}};
  const Use u2[] = {{a, 1.0}};
  const Use u3[] = {{b, 1.0}};
  const auto f1 = s.add_variable(1, MaxMinSolver::kInfinity, u1);
  const auto f2 = s.add_variable(1, MaxMinSolver::kInfinity, u2);
  const auto f3 = s.add_variable(1, MaxMinSolver::kInfinity, u3);
  s.solve();
  CHECK_THAT(s.rate(f1), WithinRel(2.0, 1e-12));
  CHECK_THAT(s.rate(f2), WithinRel(8.0, 1e-12));
  CHECK_THAT(s.rate(f3), WithinRel(2.0, 1e-12));
}

struct ParkingLot {
  MaxMinSolver s;
  std::vector<MaxMinSolver::ConstraintId> links;
  MaxMinSolver::VariableId long_flow = 0;
  std::vector<MaxMinSolver::VariableId> shorts;

  ParkingLot(const std::vector<double>& caps, double long_weight) {
    std::vector<Use> long_uses;
    for (double cap : caps) {
      links.push_back(s.add_constraint(cap));
      long_uses.push_back({links.back(), 1.0});
    }
    long_flow = s.add_variable(long_weight, MaxMinSolver::kInfinity, long_uses);
    for (auto l : links) {
      const Use u[] = {{l, 1.0}};
      shorts.push_back(s.add_variable(1, MaxMinSolver::kInfinity, u));
    }
    s.solve();
  }
};

TEST_CASE("max-min: parking lot, equal capacities", "[sim][maxmin]") {
  // Long flow over L1..L4, each Li shared with one short flow, capacity 1:
  // every link has 2 flows, lambda = 1/2 everywhere; all rates 1/2.
  ParkingLot p({1, 1, 1, 1}, 1.0);
  CHECK_THAT(p.s.rate(p.long_flow), WithinRel(0.5, 1e-12));
  for (auto v : p.shorts) CHECK_THAT(p.s.rate(v), WithinRel(0.5, 1e-12));
}

TEST_CASE("max-min: parking lot, wider first link", "[sim][maxmin]") {
  // L1 = 2, L2..L4 = 1. Levels: L1 2/2 = 1, others 1/2. L2 saturates first (lowest id among the
  // ties): long = s2 = 1/2. Then L3, L4 hold one growing flow each with 1 - 1/2 = 1/2 left:
  // s3 = s4 = 1/2. L1 has 2 - 1/2 = 3/2 left for s1.
  ParkingLot p({2, 1, 1, 1}, 1.0);
  CHECK_THAT(p.s.rate(p.long_flow), WithinRel(0.5, 1e-12));
  CHECK_THAT(p.s.rate(p.shorts[0]), WithinRel(1.5, 1e-12));
  for (int i = 1; i < 4; ++i) CHECK_THAT(p.s.rate(p.shorts[i]), WithinRel(0.5, 1e-12));
}

TEST_CASE("max-min: parking lot, increasing capacities", "[sim][maxmin]") {
  // L1 = 1, L2 = 2, L3 = 3. Levels 1/2, 2/2, 3/2: L1 saturates, long = s1 = 1/2.
  // s2 gets 2 - 1/2 = 3/2, s3 gets 3 - 1/2 = 5/2.
  ParkingLot p({1, 2, 3}, 1.0);
  CHECK_THAT(p.s.rate(p.long_flow), WithinRel(0.5, 1e-12));
  CHECK_THAT(p.s.rate(p.shorts[0]), WithinRel(0.5, 1e-12));
  CHECK_THAT(p.s.rate(p.shorts[1]), WithinRel(1.5, 1e-12));
  CHECK_THAT(p.s.rate(p.shorts[2]), WithinRel(2.5, 1e-12));
}

TEST_CASE("max-min: parking lot, weighted long flow", "[sim][maxmin]") {
  // Long weight 2, capacities 1: each link 2 lambda + lambda = 1, lambda = 1/3.
  // long = 2/3, shorts = 1/3.
  ParkingLot p({1, 1, 1}, 2.0);
  CHECK_THAT(p.s.rate(p.long_flow), WithinRel(2.0 / 3.0, 1e-12));
  for (auto v : p.shorts) CHECK_THAT(p.s.rate(v), WithinRel(1.0 / 3.0, 1e-12));
}

TEST_CASE("max-min: independent components are solved apart", "[sim][maxmin]") {
  // c0 = 10 carries a, b (5 each); c1 = 20 carries d (20).
  MaxMinSolver s;
  const auto c0 = s.add_constraint(10);
  const auto c1 = s.add_constraint(20);
  const Use u0[] = {{c0, 1.0}};
  const Use u1[] = {{c1, 1.0}};
  const auto a = s.add_variable(1, MaxMinSolver::kInfinity, u0);
  const auto b = s.add_variable(1, MaxMinSolver::kInfinity, u0);
  const auto d = s.add_variable(1, MaxMinSolver::kInfinity, u1);
  s.solve();
  CHECK(s.rate(a) == 5.0);
  CHECK(s.rate(b) == 5.0);
  CHECK(s.rate(d) == 20.0);

  // Doubling c1 re-solves only d's component: d = 40, a and b untouched and not reported.
  s.set_capacity(c1, 40);
  REQUIRE(s.dirty());
  s.solve();
  CHECK(changed_of(s) == std::vector<MaxMinSolver::VariableId>{d});
  CHECK(s.rate(d) == 40.0);
  CHECK(s.rate(a) == 5.0);
  CHECK(s.solved_constraints().size() == 1);

  // A third flow on c0: 10 / 3 each for a, b, e; d not reported.
  const auto e = s.add_variable(1, MaxMinSolver::kInfinity, u0);
  s.solve();
  CHECK(changed_of(s) == std::vector<MaxMinSolver::VariableId>{a, b, e});
  CHECK_THAT(s.rate(e), WithinRel(10.0 / 3.0, 1e-12));

  // Nothing dirty: nothing to do.
  CHECK_FALSE(s.dirty());
  s.solve();
  CHECK(s.changed().empty());

  // Removing e gives a and b their 5 back.
  s.remove_variable(e);
  s.solve();
  CHECK(changed_of(s) == std::vector<MaxMinSolver::VariableId>{a, b});
  CHECK(s.rate(a) == 5.0);
}

TEST_CASE("max-min: variables without uses get their bound", "[sim][maxmin]") {
  MaxMinSolver s;
  const auto capped = s.add_variable(1, 7.0, {});
  const auto free_var = s.add_variable(1, MaxMinSolver::kInfinity, {});
  s.solve();
  CHECK(s.rate(capped) == 7.0);
  CHECK(s.rate(free_var) == MaxMinSolver::kInfinity);
  CHECK(s.changed().size() == 2);
}

TEST_CASE("max-min: ids are reused and a reused id counts as changed", "[sim][maxmin]") {
  MaxMinSolver s;
  const auto c = s.add_constraint(10);
  const Use u[] = {{c, 1.0}};
  const auto a = s.add_variable(1, MaxMinSolver::kInfinity, u);
  const auto b = s.add_variable(1, MaxMinSolver::kInfinity, u);
  s.solve();
  s.remove_variable(b);
  CHECK_FALSE(s.alive(b));
  const auto b2 = s.add_variable(1, MaxMinSolver::kInfinity, u);
  CHECK(b2 == b);
  s.solve();
  // Same rate as before for both (5), but b2 is a new variable: reported.
  CHECK(changed_of(s) == std::vector<MaxMinSolver::VariableId>{b2});
  CHECK(s.rate(a) == 5.0);
  CHECK(s.variable_count() == 2);
}

TEST_CASE("max-min: zero capacity gives zero rates", "[sim][maxmin]") {
  MaxMinSolver s;
  const auto c = s.add_constraint(0);
  const Use u[] = {{c, 1.0}};
  const auto a = s.add_variable(1, MaxMinSolver::kInfinity, u);
  s.solve();
  CHECK(s.rate(a) == 0.0);
}

TEST_CASE("max-min: incremental matches full on a small system", "[sim][maxmin]") {
  MaxMinSolver s;
  const auto a = s.add_constraint(10);
  const auto b = s.add_constraint(4);
  const Use u1[] = {{a, 1.0}, {b, 1.0}};
  const Use u2[] = {{a, 2.0}};
  const auto f1 = s.add_variable(1, MaxMinSolver::kInfinity, u1);
  const auto f2 = s.add_variable(3, 1.5, u2);
  s.solve();
  const double r1 = s.rate(f1);
  const double r2 = s.rate(f2);
  s.solve_full();
  CHECK(s.changed().empty());
  CHECK(s.rate(f1) == r1);
  CHECK(s.rate(f2) == r2);
}

TEST_CASE("max-min: bad input is rejected", "[sim][maxmin]") {
  MaxMinSolver s;
  const auto c = s.add_constraint(1);
  const Use good[] = {{c, 1.0}};
  const Use unknown[] = {{c + 1, 1.0}};
  const Use zero_coef[] = {{c, 0.0}};
  CHECK_THROWS_AS(s.add_constraint(-1), std::invalid_argument);
  CHECK_THROWS_AS(s.add_constraint(MaxMinSolver::kInfinity), std::invalid_argument);
  CHECK_THROWS_AS(s.add_variable(0, 1, good), std::invalid_argument);
  CHECK_THROWS_AS(s.add_variable(1, 0, good), std::invalid_argument);
  CHECK_THROWS_AS(s.add_variable(1, 1, unknown), std::invalid_argument);
  CHECK_THROWS_AS(s.add_variable(1, 1, zero_coef), std::invalid_argument);
  CHECK_THROWS_AS(s.remove_variable(0), std::invalid_argument);
  CHECK(s.variable_count() == 0);
}

}  // namespace
}  // namespace cirrus::sim
