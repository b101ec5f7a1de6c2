// TaskGraph::merge_identical_resources: redundant constraints go, rates and times stay.
#include <catch2/catch.hpp>
#include <stdexcept>
#include <vector>

#include "sim/task_graph.hpp"

namespace cirrus::sim {
namespace {

TEST_CASE("merge: identical resources become one constraint with the same times", "[sim][merge]") {
  // Flows a and b (100 bytes each) both cross links r0 and r1 (10 B/s each): identical users,
  // so r1 merges into r0. Flow c (50 bytes) crosses r2 alone (10 B/s, different users): kept.
  // Max-min: a and b share 10 B/s, 5 each, 20 s; c runs at 10 B/s, 5 s. Same with or without
  // the merge.
  auto build = [](TaskGraph& g) {
    const ResourceId r0 = g.add_resource(10);
    const ResourceId r1 = g.add_resource(10);
    const ResourceId r2 = g.add_resource(10);
    const std::vector<ResourceUse> ab{{r0, 1.0}, {r1, 1.0}};
    const std::vector<ResourceUse> c{{r2, 1.0}};
    g.add_flow(kNoStream, Time::zero(), 100, ab, 0);
    g.add_flow(kNoStream, Time::zero(), 100, ab, 0);
    g.add_flow(kNoStream, Time::zero(), 50, c, 0);
  };
  TaskGraph plain;
  build(plain);
  TaskGraph merged;
  build(merged);
  const std::vector<ResourceId> rep = merged.merge_identical_resources();
  REQUIRE(rep.size() == 3);
  CHECK(rep[0] == 0);
  CHECK(rep[1] == 0);
  CHECK(rep[2] == 2);
  CHECK(merged.uses().size() == 3);  // a: r0, b: r0, c: r2
  const RunResult p = run(plain);
  const RunResult m = run(merged);
  for (TaskId t = 0; t < 3; ++t) CHECK(m.timings[t].end == p.timings[t].end);
  CHECK(m.timings[0].end.seconds() == Approx(20.0));
  CHECK(m.timings[2].end.seconds() == Approx(5.0));
  CHECK(m.stats.resource_bytes[0] == Approx(200.0));
  CHECK(m.stats.resource_bytes[1] == 0.0);  // merged: its bytes are r0's
}

TEST_CASE("merge: a different capacity or coefficient keeps resources apart", "[sim][merge]") {
  TaskGraph g;
  const ResourceId r0 = g.add_resource(10);
  const ResourceId r1 = g.add_resource(20);  // same users, other capacity
  const ResourceId r2 = g.add_resource(10);  // same users, other coefficient
  const std::vector<ResourceUse> uses{{r0, 1.0}, {r1, 1.0}, {r2, 2.0}};
  g.add_flow(kNoStream, Time::zero(), 100, uses, 0);
  const std::vector<ResourceId> rep = g.merge_identical_resources();
  CHECK(rep == std::vector<ResourceId>{0, 1, 2});
  CHECK(g.uses().size() == 3);
}

TEST_CASE("shared use spans: stored once, merged once, same times as private copies",
          "[sim][merge]") {
  // The merge case above with a and b naming one stored span instead of a copy each. Uses
  // stored: {r0, r1} once + {r2} = 3 (private copies: 5). After merging r1 into r0 the shared
  // span is compacted once to {r0}: 2 uses, and both flows still point at it. Times as before:
  // a and b 20 s, c 5 s; the span-sharing graph and the copying graph run identically.
  TaskGraph shared;
  const ResourceId r0 = shared.add_resource(10);
  const ResourceId r1 = shared.add_resource(10);
  const ResourceId r2 = shared.add_resource(10);
  const std::vector<ResourceUse> ab{{r0, 1.0}, {r1, 1.0}};
  const std::vector<ResourceUse> c{{r2, 1.0}};
  const UseSpan span = shared.add_uses(ab);
  shared.add_shared_flow(kNoStream, Time::zero(), 100, span, 0);
  shared.add_shared_flow(kNoStream, Time::zero(), 100, span, 0);
  shared.add_flow(kNoStream, Time::zero(), 50, c, 0);
  CHECK(shared.uses().size() == 3);
  const RunResult before = run(shared);
  const std::vector<ResourceId> rep = shared.merge_identical_resources();
  CHECK(rep == std::vector<ResourceId>{0, 0, 2});
  REQUIRE(shared.uses().size() == 2);
  CHECK(shared.tasks()[0].uses_begin == shared.tasks()[1].uses_begin);
  CHECK(shared.tasks()[0].uses_count == 1);
  CHECK(shared.tasks()[2].uses_count == 1);
  CHECK(shared.uses()[shared.tasks()[2].uses_begin].resource == r2);
  const RunResult after = run(shared);
  for (TaskId t = 0; t < 3; ++t) CHECK(after.timings[t].end == before.timings[t].end);
  CHECK(after.timings[0].end.seconds() == Approx(20.0));
  CHECK(after.timings[2].end.seconds() == Approx(5.0));
  CHECK(after.stats.resource_bytes[0] == Approx(200.0));
}

TEST_CASE("shared use spans are validated when stored", "[sim][merge]") {
  TaskGraph g;
  const ResourceId r0 = g.add_resource(10);
  const std::vector<ResourceUse> unknown{{r0 + 1, 1.0}};
  const std::vector<ResourceUse> zero{{r0, 0.0}};
  CHECK_THROWS_AS(g.add_uses(unknown), std::invalid_argument);
  CHECK_THROWS_AS(g.add_uses(zero), std::invalid_argument);
  CHECK(g.uses().empty());
  // A span that was never stored in this graph is refused too.
  CHECK_THROWS_AS(g.add_shared_flow(kNoStream, Time::zero(), 1, UseSpan{0, 4}, 0),
                  std::invalid_argument);
  CHECK(g.task_count() == 0);
}

}  // namespace
}  // namespace cirrus::sim
