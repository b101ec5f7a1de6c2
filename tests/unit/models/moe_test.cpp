// Mixture of experts: routing loads, all-to-all bytes, the MoE layer's ops against a dense FFN,
// presets' parameter counts; each expected value is computed by hand in the comment above it.
#include <catch2/catch.hpp>
#include <string>

#include "models/compute/compute_model.hpp"
#include "models/hardware/hardware.hpp"
#include "models/workload/layer_program.hpp"
#include "models/workload/moe.hpp"
#include "models/workload/moe_traffic.hpp"
#include "models/workload/transformer.hpp"
#include "models/workload/validity.hpp"

using namespace cirrus::models;

namespace {

// Mixtral 8x7B's MoE block with dropping on and a capacity factor of 1.25.
MoeConfig mixtral_dropping(double imbalance) {
  MoeConfig c = *find_model("mixtral-8x7b")->moe;
  c.drop_tokens = true;
  c.capacity_factor = 1.25;
  c.imbalance = imbalance;
  return c;
}

Strategy ep8(int tp) {
  Strategy s;
  s.tp = tp;
  s.dp = 8;
  s.ep = 8;
  s.micro_batch = 1;
  s.sequence_parallel = tp > 1;
  return s;
}

struct Totals {
  double flops = 0;
  double seconds = 0;
};

// FLOPs and seconds of the compute items whose names start with one of the prefixes.
Totals sum_ops(const LayerProgram& p, const ComputeModel& cm,
               std::initializer_list<const char*> prefixes) {
  Totals t;
  for (const auto* items : {&p.forward, &p.backward}) {
    for (const auto& it : *items) {
      if (it.is_comm) continue;
      const std::string name = it.op.name;
      for (const char* pre : prefixes) {
        if (name.rfind(pre, 0) == 0) {
          t.flops += it.op.flops;
          t.seconds += cm.seconds(it.op);
          break;
        }
      }
    }
  }
  return t;
}

}  // namespace

TEST_CASE("routing loads: hottest expert, straggler rank and dropped tokens", "[models][moe]") {
  // 8 experts, imbalance 0.5: the hottest gets 1.5 fair shares, the other 7 share the rest,
  // (8 - 1.5) / 7 = 0.928571 each. With one expert per rank (ep 8) and capacity 1.25 the
  // straggler processes min(1.5, 1.25) = 1.25; dropped = (1.5 - 1.25) / 8 = 0.03125.
  const RoutingLoad one = routing_load(mixtral_dropping(0.5), 8);
  CHECK(one.hottest_expert == Approx(1.5));
  CHECK(one.straggler == Approx(1.25));
  CHECK(one.dropped_fraction == Approx(0.03125));
  // ep 2: 4 experts per rank, (1.25 + 3 x 0.928571) / 4 = 1.008929.
  CHECK(routing_load(mixtral_dropping(0.5), 2).straggler == Approx((1.25 + 3 * 6.5 / 7) / 4));
  // Dropless: the straggler takes the whole 1.5 and nothing is dropped.
  MoeConfig dropless = mixtral_dropping(0.5);
  dropless.drop_tokens = false;
  CHECK(routing_load(dropless, 8).straggler == Approx(1.5));
  CHECK(routing_load(dropless, 8).dropped_fraction == 0.0);
  // Padded to capacity: every rank computes and exchanges 1.25 fair shares, hot or not, at
  // any imbalance; the drops stay what they were.
  MoeConfig padded = mixtral_dropping(0.5);
  padded.pad_to_capacity = true;
  CHECK(routing_load(padded, 2).straggler == Approx(1.25));
  padded.imbalance = 0;
  CHECK(routing_load(padded, 8).straggler == Approx(1.25));
  CHECK(routing_load(padded, 8).dropped_fraction == 0.0);
  // Zipf s = 1 over 4 experts: H = 1 + 1/2 + 1/3 + 1/4 = 25/12; the hottest gets 4 / H = 1.92.
  MoeConfig zipf;
  zipf.experts = 4;
  zipf.top_k = 1;
  zipf.expert_ffn_hidden = 64;
  zipf.drop_tokens = false;
  zipf.popularity = Popularity::kZipf;
  zipf.zipf_s = 1.0;
  CHECK(routing_load(zipf, 4).hottest_expert == Approx(48.0 / 25.0));
  CHECK_FALSE(check_moe(zipf, 4).has_value());
}

TEST_CASE("all-to-all bytes per rank, by hand", "[models][moe]") {
  // Mixtral (h 4096), seq 4096, micro-batch 1, bf16 (2 bytes), top-2, ep 8 (one expert per
  // rank), capacity 1.25 with dropping, imbalance 0.5 -> the straggler receives 1.25 fair
  // shares. tp 1: tokens per rank 4096; received copies 4096 x 2 x 1.25 = 10240;
  // nccl-tests size 2 x 10240 x 4096 = 83,886,080 B; bytes leaving/entering the rank
  // x (ep - 1)/ep = 7/8 -> 73,400,320 B.
  TransformerConfig m = *find_model("mixtral-8x7b");
  m.moe = mixtral_dropping(0.5);
  const MoeTraffic t = moe_traffic(m, ep8(1), Precision::kBf16);
  CHECK(t.tokens_in == 4096.0);
  CHECK(t.all_to_all_bytes == Approx(83886080.0));
  CHECK(all_to_all_bytes_per_rank(t, 8) == Approx(73400320.0));
  // tp 2 with sequence parallelism: each GPU routes 4096 / 2 = 2048 tokens -> half the bytes,
  // and the TP all-gather brings the rank's experts 2 x 10240 / 2 ... = 10240 copies again.
  const MoeTraffic t2 = moe_traffic(m, ep8(2), Precision::kBf16);
  CHECK(all_to_all_bytes_per_rank(t2, 8) == Approx(36700160.0));
  CHECK(t2.expert_copies == Approx(10240.0));
  // Balanced and dropless: the capacity factor does not enter; 4096 x 2 x 2 x 4096 x 7/8.
  m.moe->imbalance = 0;
  CHECK(all_to_all_bytes_per_rank(moe_traffic(m, ep8(1), Precision::kBf16), 8) ==
        Approx(4096.0 * 2 * 2 * 4096 * 7 / 8));

  // Balanced but padded to capacity 1.25 (GShard/DeepSpeed buffers): 4096 x 2 x 1.25 copies
  // x 4096 x 2 B x 7/8 = 73,400,320 B, the capacity bound itself.
  m.moe->drop_tokens = true;
  m.moe->pad_to_capacity = true;
  CHECK(all_to_all_bytes_per_rank(moe_traffic(m, ep8(1), Precision::kBf16), 8) ==
        Approx(73400320.0));
  m.moe->pad_to_capacity = false;

  // The layer program carries those bytes: a dispatch and a combine all-to-all over the EP
  // group forward, and the same two backward.
  m.moe->imbalance = 0.5;
  const LayerProgram p = transformer_layer(m, ep8(1), Precision::kBf16, true);
  int forward = 0, backward = 0;
  for (const auto& it : p.forward) {
    if (it.is_comm && it.group == CommGroup::kEp) {
      ++forward;
      CHECK(it.collective == CollectiveKind::kAllToAll);
      CHECK(it.comm_bytes == Approx(83886080.0));
    }
  }
  for (const auto& it : p.backward) backward += it.is_comm && it.group == CommGroup::kEp;
  CHECK(forward == 2);
  CHECK(backward == 2);
}

TEST_CASE("balanced top-1 MoE with one expert per rank computes what the dense FFN does",
          "[models][moe]") {
  // imbalance 0, top-1, experts = ep = 8 (one per rank), expert_ffn_hidden = ffn_hidden: every
  // rank's expert sees exactly its own tokens' count (4096 x 1 x 1), so the expert GEMMs have
  // the dense FC1/FC2 shapes: same FLOPs (2 x 4096 x 14336 x 4096 x 3 matrices x 3 passes)
  // and the same time.
  TransformerConfig m = *find_model("mixtral-8x7b");
  m.moe->top_k = 1;
  m.moe->imbalance = 0;
  m.moe->expert_ffn_hidden = m.ffn_hidden;
  const ComputeModel cm(find_node("dgx-h100")->gpu, Precision::kBf16);
  for (int tp : {1, 2}) {
    INFO("tp " << tp);
    const Strategy s = ep8(tp);
    const LayerProgram moe = transformer_layer(m, s, Precision::kBf16, true);
    const LayerProgram dense = transformer_layer(m, s, Precision::kBf16, false);
    const Totals e = sum_ops(moe, cm, {"expert_fc", "expert_activation"});
    const Totals d = sum_ops(dense, cm, {"fc1", "fc2", "activation"});
    CHECK(e.flops == Approx(d.flops));
    CHECK(e.seconds == Approx(d.seconds));
    CHECK(d.flops == Approx(3.0 * 2.0 * 4096.0 * 3 * 4096 * 14336 / tp));
    // The whole layer differs only by the router GEMM (forward, dgrad, wgrad): 3 x 2 x tokens
    // routed on this GPU (4096 / tp) x h 4096 x 8 experts; memory passes carry no FLOPs.
    const Totals all_moe = sum_ops(moe, cm, {""});
    const Totals all_dense = sum_ops(dense, cm, {""});
    CHECK(all_moe.flops - all_dense.flops == Approx(3.0 * 2.0 * (4096.0 / tp) * 4096 * 8));
  }
}

TEST_CASE("MoE presets' parameter counts match their papers", "[models][moe]") {
  // Mixtral 8x7B: 46.7B total, 12.9B active (Jiang et al. 2024, Sec. 2).
  const auto mixtral = *find_model("mixtral-8x7b");
  CHECK(mixtral.parameters() == Approx(46.7e9).epsilon(0.01));
  CHECK(mixtral.active_parameters() == Approx(12.9e9).epsilon(0.01));
  // DeepSpeed-MoE 1.3B+MoE-128: 52B (Rajbhandari et al. 2022, Table 1). 12 MoE layers x 128 x
  // 2 x 2048 x 8192 = 51.5B + 12 dense FFNs 0.4B + attention 0.4B + embedding 0.1B = 52.5B.
  const auto ds = *find_model("gpt-1.3b-moe-128");
  CHECK(ds.parameters() == Approx(52e9).epsilon(0.02));
  CHECK(ds.is_moe_layer(0));
  CHECK_FALSE(ds.is_moe_layer(1));
  // DeepSeek-V3: 671B total, 37B active (technical report, abstract; MTP excluded). With MLA
  // approximated as MHA: 58 x 257 x 3 x 7168 x 2048 = 656.4B experts + 12.5B attention +
  // 1.2B dense FFNs + 1.9B embeddings = 672B; active 58 x 9 x 44.0M = 23.0B + the rest = 38.7B
  // (5% above 37B: MHA of width 7168 is heavier than MLA's low-rank projections).
  const auto v3 = *find_model("deepseek-v3");
  CHECK(v3.parameters() == Approx(671e9).epsilon(0.01));
  CHECK(v3.active_parameters() == Approx(37e9).epsilon(0.06));
  CHECK_FALSE(v3.is_moe_layer(2));
  CHECK(v3.is_moe_layer(3));
  CHECK_FALSE(v3.approximation.empty());
  // Model FLOPs count active parameters only: Mixtral's are those of a 12.9B dense model, not
  // of 46.7B (72 s l h^2 style count: about 6 x active x tokens plus attention).
  const double per_token = mixtral.model_flops_per_sequence() / mixtral.seq_len;
  CHECK(per_token < 6.0 * 14e9 + 12.0 * 32 * 4096 * 4096);
  CHECK(per_token > 6.0 * 12e9);
}

TEST_CASE("MoE config checks", "[models][moe]") {
  MoeConfig c = *find_model("mixtral-8x7b")->moe;
  CHECK_FALSE(check_moe(c, 32).has_value());
  MoeConfig bad = c;
  bad.top_k = 9;
  REQUIRE(check_moe(bad, 32));
  CHECK(check_moe(bad, 32)->field == "top_k");
  bad = c;
  bad.capacity_factor = 0.8;
  bad.drop_tokens = false;
  REQUIRE(check_moe(bad, 32));
  CHECK(check_moe(bad, 32)->field == "capacity_factor");
  bad.drop_tokens = true;  // dropping makes a capacity below 1 legal
  CHECK_FALSE(check_moe(bad, 32).has_value());
  bad = c;
  bad.imbalance = 3.0;  // 1 + 3 = 4 = 8 experts / top-2: every token once, the most allowed
  CHECK_FALSE(check_moe(bad, 32).has_value());
  bad.imbalance = 3.5;
  CHECK(check_moe(bad, 32)->field == "imbalance");
  bad = c;
  bad.first_dense_layers = 32;
  CHECK(check_moe(bad, 32)->field == "first_dense_layers");
}

TEST_CASE("expert-parallel validity rules", "[models][moe]") {
  const auto m = *find_model("mixtral-8x7b");
  Training t;
  t.global_batch = 64;
  ClusterSpec c;
  c.node = *find_node("dgx-h100");
  c.nodes = 2;
  Strategy s;
  s.dp = 16;
  s.ep = 8;
  CHECK_FALSE(check_configuration(m, t, s, c).has_value());
  s.ep = 16;  // divides dp x cp = 16 but not the 8 experts
  CHECK(check_configuration(m, t, s, c)->rule == "ep does not divide the experts");
  s.dp = 4;
  s.pp = 4;
  s.ep = 8;  // divides the experts but not dp x cp = 4
  CHECK(check_configuration(m, t, s, c)->rule == "ep does not divide dp x cp");
  s.pp = 2;
  s.tp = 2;
  s.ep = 4;
  CHECK(check_configuration(m, t, s, c)->rule == "MoE with tp > 1 needs sequence parallelism");
  s.sequence_parallel = true;
  CHECK_FALSE(check_configuration(m, t, s, c).has_value());
  const auto dense = *find_model("llama2-7b");
  CHECK(check_configuration(dense, t, s, c)->rule == "ep > 1 on a dense model");
}
