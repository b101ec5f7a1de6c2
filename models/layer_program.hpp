#pragma once
// One transformer layer of one micro-batch on one GPU, as the kernels and collectives
// Megatron-LM issues for it: GEMMs with their shapes, attention (fused or not), the
// memory-bound passes (norms, activations, dropout, residuals) with the bytes they move, and
// the tensor/context-parallel collectives between them. Also the embedding (first stage) and
// the output layer with the loss (last stage).
#include <vector>

#include "models/collectives.hpp"
#include "models/compute_model.hpp"
#include "models/strategy.hpp"
#include "models/transformer.hpp"

namespace cirrus::models {

// The group a collective runs over. kEp: an expert-parallel group (ep ranks, rank stride tp;
// see models/moe_traffic.hpp for the rank order).
enum class CommGroup : unsigned char { kTp, kCp, kEp };

struct LayerItem {
  bool is_comm = false;
  Op op;                                           // when !is_comm
  CollectiveKind collective = CollectiveKind::kAllReduce;  // when is_comm
  double comm_bytes = 0;                           // nccl-tests size of the collective
  CommGroup group = CommGroup::kTp;
};

struct LayerProgram {
  std::vector<LayerItem> forward;
  std::vector<LayerItem> backward;
  // Re-run before the backward pass: the whole forward (full recomputation) or the attention
  // core (selective); empty without recomputation.
  std::vector<LayerItem> recompute;
};

// One transformer layer; with `moe_ffn` its FFN is the model's mixture of experts (router,
// permutation, dispatch all-to-all, the straggler rank's expert FFNs, combine all-to-all,
// shared experts), otherwise the dense FFN of width ffn_hidden.
LayerProgram transformer_layer(const TransformerConfig& m, const Strategy& s, Precision p,
                               bool moe_ffn = false);
LayerProgram embedding_layer(const TransformerConfig& m, const Strategy& s, Precision p);
LayerProgram output_layer(const TransformerConfig& m, const Strategy& s, Precision p);

}  // namespace cirrus::models
