// The step's rank order and communicator groups (models/step/rank_layout.hpp), by hand:
// rank = tp_i + tp x (cp_i + cp x (dp_i + dp x pp_i)), expert parallelism folded into the
// data-parallel positions.
#include <algorithm>
#include <catch2/catch.hpp>
#include <vector>

#include "models/step/rank_layout.hpp"

namespace cirrus::models {
namespace {

using Groups = std::vector<std::vector<int>>;

Strategy strategy(int tp, int cp, int dp, int pp) {
  Strategy s;
  s.tp = tp;
  s.cp = cp;
  s.dp = dp;
  s.pp = pp;
  return s;
}

}  // namespace

TEST_CASE("rank layout: tp=2 cp=2 dp=2 pp=2", "[models][step]") {
  const RankLayout l(strategy(2, 2, 2, 2), 8);
  CHECK(l.stage_size() == 8);
  CHECK(l.data_parallel_size() == 4);
  CHECK(l.rank(0, 0, 0, 1) == 8);
  CHECK(l.rank(1, 0, 1, 0) == 5);   // 1 + 2 x (0 + 2 x 1)
  CHECK(l.rank(1, 1, 1, 1) == 15);  // 1 + 2 x (1 + 2 x (1 + 2 x 1))
  CHECK(l.representative(0) == 0);
  CHECK(l.representative(1) == 8);
  CHECK(l.stage_of(7) == 0);
  CHECK(l.stage_of(8) == 1);
  CHECK(l.stage_ranks(1) == std::vector<int>{8, 9, 10, 11, 12, 13, 14, 15});

  CHECK(l.shape(RankGroup::kTp).size == 2);
  CHECK(l.shape(RankGroup::kTp).stride == 1);
  CHECK(l.shape(RankGroup::kCp).size == 2);
  CHECK(l.shape(RankGroup::kCp).stride == 2);
  // Without HSDP the shard group is every dp x cp rank of a tp position.
  CHECK(l.shape(RankGroup::kDp).size == 4);
  CHECK(l.shape(RankGroup::kDp).stride == 2);
  CHECK(l.shape(RankGroup::kRep).size == 1);
  CHECK(l.shape(RankGroup::kRep).stride == 8);

  CHECK(l.group(RankGroup::kTp, 8) == std::vector<int>{8, 9});
  CHECK(l.group(RankGroup::kTp, 13) == std::vector<int>{12, 13});
  CHECK(l.group(RankGroup::kCp, 8) == std::vector<int>{8, 10});
  CHECK(l.group(RankGroup::kCp, 13) == std::vector<int>{13, 15});
  CHECK(l.group(RankGroup::kDp, 11) == std::vector<int>{9, 11, 13, 15});

  CHECK(l.stage_groups(RankGroup::kTp, 1) == Groups{{8, 9}, {10, 11}, {12, 13}, {14, 15}});
  CHECK(l.stage_groups(RankGroup::kCp, 1) == Groups{{8, 10}, {9, 11}, {12, 14}, {13, 15}});
  CHECK(l.stage_groups(RankGroup::kDp, 1) == Groups{{8, 10, 12, 14}, {9, 11, 13, 15}});
  CHECK(l.stage_groups(RankGroup::kRep, 0) == Groups{{0}, {1}, {2}, {3}, {4}, {5}, {6}, {7}});
  // ep = 1: every rank its own expert-parallel group; the experts replicate like the rest.
  CHECK(l.stage_groups(RankGroup::kEp, 0).size() == 8);
  CHECK(l.stage_groups(RankGroup::kEdp, 1) == l.stage_groups(RankGroup::kDp, 1));

  // 8 GPUs a node: a TP pair, a CP pair (stride 2) and a shard group (4 x stride 2) each fit
  // on one; stage 1 starts on the second node.
  CHECK(l.ranks_per_node(RankGroup::kTp) == 2);
  CHECK(l.ranks_per_node(RankGroup::kCp) == 2);
  CHECK(l.ranks_per_node(RankGroup::kDp) == 4);
  CHECK_FALSE(l.stages_share_node(0, 1));
}

TEST_CASE("rank layout: expert parallelism folds into the data-parallel positions",
          "[models][step]") {
  // tp 2, dp 4, ep 2: position j = e + 2 k, rank = t + 2 j.
  Strategy s = strategy(2, 1, 4, 1);
  s.ep = 2;
  const RankLayout l(s, 8);
  CHECK(l.shape(RankGroup::kEp).size == 2);
  CHECK(l.shape(RankGroup::kEp).stride == 2);
  CHECK(l.shape(RankGroup::kEdp).size == 2);
  CHECK(l.shape(RankGroup::kEdp).stride == 4);
  CHECK(l.stage_groups(RankGroup::kEp, 0) == Groups{{0, 2}, {1, 3}, {4, 6}, {5, 7}});
  CHECK(l.stage_groups(RankGroup::kEdp, 0) == Groups{{0, 4}, {1, 5}, {2, 6}, {3, 7}});
  // Dense parameters still replicate over all four data-parallel positions.
  CHECK(l.stage_groups(RankGroup::kDp, 0) == Groups{{0, 2, 4, 6}, {1, 3, 5, 7}});
  CHECK(l.group(RankGroup::kEdp, 6) == std::vector<int>{2, 6});

  // EP over cp x dp: cp 2, dp 2, ep 4 spans both (stride tp), leaving one expert replica.
  Strategy c = strategy(1, 2, 2, 2);
  c.ep = 4;
  const RankLayout lc(c, 8);
  CHECK(lc.stage_groups(RankGroup::kEp, 1) == Groups{{4, 5, 6, 7}});
  CHECK(lc.stage_groups(RankGroup::kEdp, 1) == Groups{{4}, {5}, {6}, {7}});
}

TEST_CASE("rank layout: HSDP shard and replica groups", "[models][step]") {
  Strategy s = strategy(2, 1, 8, 1);
  s.zero = 3;
  s.dp_shard = 4;
  const RankLayout l(s, 8);
  CHECK(l.shape(RankGroup::kDp).size == 4);
  CHECK(l.shape(RankGroup::kDp).stride == 2);
  CHECK(l.shape(RankGroup::kRep).size == 2);
  CHECK(l.shape(RankGroup::kRep).stride == 8);
  // Shard groups: four consecutive data-parallel positions of one tp position.
  CHECK(l.stage_groups(RankGroup::kDp, 0) ==
        Groups{{0, 2, 4, 6}, {1, 3, 5, 7}, {8, 10, 12, 14}, {9, 11, 13, 15}});
  // Replicas: the same shard position in each shard group, one node apart.
  CHECK(l.stage_groups(RankGroup::kRep, 0) ==
        Groups{{0, 8}, {1, 9}, {2, 10}, {3, 11}, {4, 12}, {5, 13}, {6, 14}, {7, 15}});
  CHECK(l.ranks_per_node(RankGroup::kDp) == 4);
  CHECK(l.ranks_per_node(RankGroup::kRep) == 1);

  Strategy big = strategy(2, 1, 16, 1);
  big.zero = 3;
  big.dp_shard = 8;
  const RankLayout b(big, 8);
  CHECK(b.shape(RankGroup::kDp).size == 8);
  CHECK(b.shape(RankGroup::kDp).stride == 2);
  CHECK(b.shape(RankGroup::kRep).size == 2);
  CHECK(b.shape(RankGroup::kRep).stride == 16);
  big.dp_shard = 0;
  const RankLayout whole(big, 8);
  CHECK(whole.shape(RankGroup::kDp).size == 16);
  CHECK(whole.shape(RankGroup::kRep).size == 1);
}

TEST_CASE("rank layout: ranks on a node", "[models][step]") {
  // A group of `size` ranks `stride` apart, from a node's first GPU.
  CHECK(GroupShape{8, 1}.ranks_per_node(8) == 8);
  CHECK(GroupShape{16, 1}.ranks_per_node(8) == 8);
  CHECK(GroupShape{4, 4}.ranks_per_node(8) == 2);
  CHECK(GroupShape{4, 8}.ranks_per_node(8) == 1);
  CHECK(GroupShape{2, 3}.ranks_per_node(8) == 2);
  // Stages of two ranks: four to a node.
  const RankLayout l(strategy(2, 1, 1, 8), 8);
  CHECK(l.stages_share_node(0, 3));
  CHECK_FALSE(l.stages_share_node(3, 4));
  CHECK(l.stages_share_node(4, 7));
}

TEST_CASE("rank layout: each kind of group partitions a stage", "[models][step]") {
  Strategy moe = strategy(2, 2, 4, 3);
  moe.ep = 4;
  Strategy hsdp = strategy(4, 2, 4, 2);
  hsdp.zero = 3;
  hsdp.dp_shard = 2;
  for (const Strategy& s : {strategy(1, 1, 1, 1), strategy(8, 1, 4, 4), moe, hsdp}) {
    const RankLayout l(s, 8);
    for (const RankGroup g : {RankGroup::kTp, RankGroup::kCp, RankGroup::kEp, RankGroup::kDp,
                              RankGroup::kEdp, RankGroup::kRep}) {
      for (int st = 0; st < s.pp; ++st) {
        std::vector<int> seen;
        for (const auto& group : l.stage_groups(g, st)) {
          CHECK(static_cast<int>(group.size()) == l.shape(g).size);
          for (const int r : group) {
            CHECK(l.group(g, r) == group);
            seen.push_back(r);
          }
        }
        std::sort(seen.begin(), seen.end());
        CHECK(seen == l.stage_ranks(st));
      }
    }
  }
}

}  // namespace cirrus::models
