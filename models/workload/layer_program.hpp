#pragma once
// One transformer layer of one micro-batch on one GPU, as the kernels and collectives the
// frameworks issue for it: GEMMs with their shapes (fp8 for the linear layers of fp8 training,
// with the casts fp8 needs), fused attention (the kernel named by strategy.attention, split into
// ring steps under context parallelism) or unfused attention, the memory-bound passes (norms,
// rotary embeddings, activations, dropout, residual adds) with the bytes they move as fused
// kernels or as PyTorch eager issues them, and the tensor/context-parallel collectives between
// them. Also the embedding (first stage) and the output layer with the loss (last stage).
#include <vector>

#include "models/compute/compute_model.hpp"
#include "models/network/collectives.hpp"
#include "models/workload/strategy.hpp"
#include "models/workload/transformer.hpp"

namespace cirrus::models {

// The group a collective runs over. kEp: an expert-parallel group (ep ranks, rank stride tp;
// see models/workload/moe_traffic.hpp for the rank order).
enum class CommGroup : unsigned char { kTp, kCp, kEp };

struct LayerItem {
  bool is_comm = false;
  Op op;                                                   // when !is_comm
  CollectiveKind collective = CollectiveKind::kAllReduce;  // when is_comm
  double comm_bytes = 0;                                   // nccl-tests size of the collective
  CommGroup group = CommGroup::kTp;
  // The collective runs on a side stream beside the next kernel, and the kernel after that
  // waits for it: TP collectives under strategy.overlap.tp, and every step of ring attention.
  bool overlap = false;
};

struct LayerProgram {
  std::vector<LayerItem> forward;
  std::vector<LayerItem> backward;
  // Re-run before the backward pass of a layer that recomputes (recomputes_layer): the whole
  // forward (full recomputation, and the layers torchtitan's layer policy checkpoints), the
  // attention core (Megatron's selective), or the ops torchtitan's op-level policy does not
  // save. Empty without recomputation.
  std::vector<LayerItem> recompute;
};

// One transformer layer; with `moe_ffn` its FFN is the model's mixture of experts (router,
// permutation, dispatch all-to-all, the straggler rank's expert FFNs, combine all-to-all,
// shared experts), otherwise the dense FFN of width ffn_hidden.
LayerProgram transformer_layer(const TransformerConfig& m, const Strategy& s, const Training& t,
                               bool moe_ffn = false);
LayerProgram embedding_layer(const TransformerConfig& m, const Strategy& s, const Training& t);
LayerProgram output_layer(const TransformerConfig& m, const Strategy& s, const Training& t);

// The same with only the precision given (fused kernels, no fp8 all-gather).
LayerProgram transformer_layer(const TransformerConfig& m, const Strategy& s, Precision p,
                               bool moe_ffn = false);

// Whether global layer `layer` runs its `recompute` program: every layer under full,
// selective and op-level recomputation; one layer in recompute_every under torchtitan's layer
// policy (its checkpoint wrapper counts layers from 1 and wraps every recompute_every-th).
bool recomputes_layer(const Strategy& s, int layer);
// The share of a stage's layers that recompute, for closed-form sums (1 or 1/recompute_every).
double recompute_share(const Strategy& s);

// Bytes per element of an fp8 cast of a 16-bit tensor: an amax pass (read 2) for the dynamic
// scale, then a cast that reads it (2) and writes the fp8 tensor (1) and its transpose (1) —
// Hopper's fp8 GEMMs take one operand layout, so the backward GEMMs need the transposed copy.
// Transformer Engine's delayed scaling folds the amax into the cast (4 bytes): this is the
// dynamic-scaling count of torchao's tensorwise recipe.
inline constexpr double kFp8CastBytes = 6.0;

}  // namespace cirrus::models
