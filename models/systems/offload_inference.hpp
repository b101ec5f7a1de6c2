#pragma once
// Serving a model on one GPU, fully resident or with its weights streamed from host memory in
// a ring (SE-MoE's ring memory, Shen et al. 2022, arXiv:2205.10034, section 4): the layers are
// sections processed round-robin; the GPU holds `gpu_sections` of them, and while one section
// computes, the next ones are loaded over PCIe into the free slots. For MoE layers only the
// experts the batch's tokens are routed to are loaded (round-robin over experts).
//
// Per section i (one transformer layer), with k slots:
//   load_end[i]    = max(load_end[i-1], compute_end[i-k]) + bytes_i / pcie_bw
//   compute_end[i] = max(compute_end[i-1], load_end[i]) + compute_i
// so a pass takes about max(sum compute, sum bytes / pcie_bw) when k >= 2 and the sum of both
// when k = 1. Compute of each op is ComputeModel's roofline (weights read from HBM, KV cache
// read by attention): a resident decode step is memory-bound, prefill compute-bound.
#include <string>
#include <vector>

#include "models/compute/compute_model.hpp"
#include "models/hardware/hardware.hpp"
#include "models/workload/transformer.hpp"

namespace cirrus::models {

struct InferenceSpec {  // the scenario's `inference` block
  std::vector<int> batch{1, 8, 64};
  long prompt_tokens = 512;
  long output_tokens = 128;
  int gpu_sections = 2;
};

// One forward pass over `tokens` new tokens per sequence for `batch` sequences that already have
// `context` tokens cached: per-layer compute seconds and the weight bytes that pass needs per
// layer (MoE layers: the dense part plus the experts the batch's tokens reach).
struct PassCost {
  std::vector<double> compute_s;     // per layer
  std::vector<double> weight_bytes;  // per layer, needed on the GPU for this pass
  double head_s = 0;                 // embedding + final norm + logits (resident)
};
PassCost pass_cost(const TransformerConfig& m, const ComputeModel& cm, Precision p, int batch,
                   double tokens, double context);

// One inference layer's feed-forward part over `tokens` new tokens, its FFN split `tp` ways
// (serving's tensor parallelism; 1 for the offloaded ring): a dense FFN, or an MoE layer's
// router, the experts the tokens reach and the shared experts. Seconds on `cm`, and the weight
// parameters per GPU the pass reads. `element_bytes` of the activations; the expert and FFN
// weights at `weight_bytes` each (a quantized checkpoint's), multiplied in fp8 when `fp8`; the
// router stays in the activations' type.
//
// Expert parallelism (`ep` > 1, vLLM's --enable-expert-parallel with ep = tp): each GPU holds
// experts / ep whole experts instead of a 1/tp slice of every expert. Every GPU still sees every
// token (attention is tensor-parallel and the layer ends in the same all-reduce), computes the
// assignments routed to its own experts, and the layer waits for the busiest GPU:
// ep_busiest_assignments() of the tokens x top_k assignments. Shared experts stay split over tp.
struct FfnCost {
  double seconds = 0;
  double weight_params = 0;
};
FfnCost inference_ffn_cost(const TransformerConfig& m, const ComputeModel& cm, bool moe_layer,
                           double tokens, int tp, double element_bytes, double weight_bytes,
                           bool fp8, int ep = 1);

// The expected assignments on the busiest of `ep` GPUs when `assignments` token-expert pairs
// fall uniformly on them: the binomial's mean n/ep plus z standard deviations
// sqrt(n (1/ep) (1 - 1/ep)), z the expected largest of ep standard normal draws by Blom's
// formula, Phi^-1((ep - 0.375) / (ep + 0.25)) (1.42 for 8; the counts' weak negative correlation
// is ignored), at least ceil(n / ep) (some GPU gets that many: the normal tail undercounts a
// few draws) and at most `cap` (a GPU gets at most one assignment per token and local expert).
double ep_busiest_assignments(double assignments, int ep, double cap);

// Expected distinct experts reached by `tokens` tokens each routed to top_k of `experts`
// uniformly: experts x (1 - (1 - top_k / experts)^tokens).
double expected_active_experts(int experts, int top_k, double tokens);

// The ring schedule above: time of one pass streaming weight_bytes at pcie_bw with k slots.
double ring_pass_seconds(const PassCost& c, double pcie_bw, int slots);
// The resident pass: sum of compute.
double resident_pass_seconds(const PassCost& c);

struct ServePoint {
  int batch = 0;
  bool resident_fits = false;
  bool offloaded_fits = false;
  double resident_tokens_per_s = 0;  // generated tokens per second; 0 when it does not fit
  double offloaded_tokens_per_s = 0;
  double resident_gib = 0;  // GPU memory needed, GiB
  double offloaded_gib = 0;
  double prefill_s = 0, decode_step_s = 0;  // of the mode that applies
  std::string applies;                      // "resident", "offloaded" or "none"
};

struct ServeInput {
  TransformerConfig model;
  GpuSpec gpu;
  Precision precision = Precision::kBf16;
  double pcie_bw = 0;  // host-to-device bytes/s
  InferenceSpec spec;
};

std::vector<ServePoint> serve(const ServeInput& in);

// Bytes of the weights of layer `layer` and of the resident non-layer weights (embeddings,
// final norm), in the serving precision.
double layer_weight_bytes(const TransformerConfig& m, int layer, Precision p);
double resident_weight_bytes(const TransformerConfig& m, Precision p);
// KV cache bytes for `batch` sequences of `tokens` tokens.
double kv_cache_bytes(const TransformerConfig& m, int batch, double tokens, Precision p);

}  // namespace cirrus::models
