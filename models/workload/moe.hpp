#pragma once
// Mixture-of-experts configuration (CONTRACT.md, `model.moe`) and the routing statistics the
// simulator derives from it: how many tokens the most loaded expert-parallel rank receives
// (the straggler every all-to-all waits for) and how many tokens a capacity limit drops.
//
// Nothing here assumes few large experts: fine-grained MoE (DeepSeek-style, many experts with
// a small expert_ffn_hidden) is the same config with large `experts` and small
// `expert_ffn_hidden`; shared experts are always-active experts every token passes through.
#include <optional>
#include <string>
#include <vector>

namespace cirrus::models {

// How popular the experts are relative to each other before any capacity limit.
enum class Popularity {
  kUniform,  // every expert equally popular; `imbalance` then raises the hottest one
  kZipf,     // expert i (1-based, by popularity) gets a share proportional to 1 / i^s
};

struct MoeConfig {
  int experts = 0;               // routed experts per MoE layer
  int top_k = 1;                 // routed experts per token
  int layer_freq = 1;            // every layer_freq-th layer is MoE (Megatron's pattern)
  int first_dense_layers = 0;    // the first N layers stay dense (DeepSeek's first_k_dense)
  long expert_ffn_hidden = 0;    // FFN width of one expert (routed and shared)
  int shared_experts = 0;        // always-active experts (DeepSeekMoE), each expert_ffn_hidden
  double capacity_factor = 1.0;  // tokens an expert may take, x its fair share
  bool drop_tokens = true;       // tokens over capacity are dropped (false: dropless)
  // With dropping, every expert's buffer is padded to its full capacity (GShard / DeepSpeed's
  // einsum dispatch into [experts, capacity, h]; Megatron-Core's
  // --moe-pad-expert-input-to-capacity), so each rank sends and computes capacity_factor x
  // its fair share whatever the routing. false: only the kept tokens (Megatron-Core's default).
  bool pad_to_capacity = false;
  double imbalance = 0.0;  // hottest expert gets (1 + imbalance) x its fair share
  Popularity popularity = Popularity::kUniform;
  double zipf_s = 0.0;  // exponent when popularity is kZipf
};

// The first problem with a config in itself (no strategy involved), as (field, expected,
// found) relative to `model.moe`; nullopt when it is sound. `layers` bounds first_dense_layers.
struct MoeProblem {
  std::string field;  // "top_k", "capacity_factor", ...
  std::string expected;
  std::string found;
};
std::optional<MoeProblem> check_moe(const MoeConfig& c, int layers);

// Expert loads relative to the fair share (tokens x top_k / experts), most loaded first; they
// average 1. Uniform: the hottest expert 1 + imbalance, the others sharing the rest equally.
// Zipf(s): experts x (1 / i^s) / H(experts, s).
std::vector<double> expert_loads(const MoeConfig& c);

// What routing does to one expert-parallel group of `ep` ranks, each holding experts / ep
// experts. The straggler is the rank holding the hottest expert; its other experts are taken
// to be of average popularity, keeping the mean of what the other experts keep after the
// capacity limit (an assumption: real placement is not correlated with popularity, so the
// hottest rank is modelled as holding one hot expert, not the k hottest).
struct RoutingLoad {
  double hottest_expert = 1;    // load of the hottest expert before capacity, x fair share
  double straggler = 1;         // tokens the straggler rank processes, x a rank's fair share
                                // (after capacity when tokens are dropped; capacity_factor
                                // exactly when buffers are padded to capacity)
  double dropped_fraction = 0;  // of all routed token copies, dropped by the capacity limit
};
RoutingLoad routing_load(const MoeConfig& c, int ep);

}  // namespace cirrus::models
