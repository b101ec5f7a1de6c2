#pragma once
// A fully pinned parallel strategy and the training set-up it runs.
#include <optional>
#include <string>
#include "common/enum_names.hpp"

#include "models/compute/attention_kernel.hpp"
#include "models/hardware/hardware.hpp"
#include "models/hardware/storage_tiers.hpp"
#include "models/workload/finetune.hpp"

namespace cirrus::models {

enum class Schedule { kGpipe, k1F1B, kInterleaved };
// kSelective: Megatron-LM's attention-core recomputation. kSelectiveOp: torchtitan's op-level
// selective activation checkpointing (saves the outputs of the GEMMs, except every other
// projection, and of the attention kernel; recomputes norms, activations and the rest).
// kSelectiveLayer: torchtitan's layer policy, every recompute_every-th layer fully recomputed.
enum class Recompute { kNone, kSelective, kFull, kSelectiveOp, kSelectiveLayer };
enum class Optimizer { kAdam, kSgd };
// How element-wise work (norms, activations, rotary embeddings, residual adds) is issued:
// fused kernels (Transformer Engine, Apex, torch.compile) or PyTorch eager, one kernel per op.
enum class Kernels { kFused, kEager };
const char* to_string(Schedule s);
inline constexpr EnumNames<Schedule, 3> kScheduleNames = {
    {{Schedule::kGpipe, "gpipe"},
     {Schedule::k1F1B, "1f1b"},
     {Schedule::kInterleaved, "interleaved"}}};
const char* to_string(Recompute r);
inline constexpr EnumNames<Recompute, 5> kRecomputeNames = {
    {{Recompute::kNone, "none"},
     {Recompute::kSelective, "selective"},
     {Recompute::kFull, "full"},
     {Recompute::kSelectiveOp, "selective-op"},
     {Recompute::kSelectiveLayer, "selective-layer"}}};
const char* to_string(Optimizer o);
inline constexpr EnumNames<Optimizer, 2> kOptimizerNames = {
    {{Optimizer::kAdam, "adam"}, {Optimizer::kSgd, "sgd"}}};
const char* to_string(Kernels k);
inline constexpr EnumNames<Kernels, 2> kKernelsNames = {
    {{Kernels::kFused, "fused"}, {Kernels::kEager, "eager"}}};

struct Overlap {
  bool dp = true;   // gradient reduction overlaps the backward pass
  bool tp = false;  // tensor-parallel collectives overlap GEMMs
  bool pp = true;   // pipeline sends overlap compute
};

struct Strategy {
  int tp = 1, pp = 1, dp = 1, cp = 1, ep = 1;
  int micro_batch = 1;
  Schedule schedule = Schedule::k1F1B;
  int virtual_stages = 1;
  bool sequence_parallel = false;
  int zero = 0;
  // Hybrid sharding (HSDP): ZeRO/FSDP shards over groups of dp_shard ranks and replicates
  // across the dp x cp / dp_shard groups (gradients all-reduced across the replicas). 0: one
  // shard group of all dp x cp ranks (plain ZeRO / FSDP).
  int dp_shard = 0;
  Recompute recompute = Recompute::kNone;
  int recompute_every = 2;  // kSelectiveLayer: one layer in this many is recomputed
  Overlap overlap;
  AttentionKernel attention = AttentionKernel::kFlash;
  Offload
      offload;  // hierarchical storage (models/hardware/storage_tiers.hpp); default all on the GPU
  int gpus() const { return tp * pp * dp * cp; }
  // The ZeRO shard group's size: dp_shard, or every dp x cp rank when 0.
  int shard_group() const { return dp_shard > 0 ? dp_shard : dp * cp; }
};

struct Training {
  long global_batch = 0;
  Precision precision = Precision::kBf16;
  Optimizer optimizer = Optimizer::kAdam;
  double tokens = 0;  // whole run; 0 = not given
  // fp8 only: ZeRO-3/FSDP all-gathers parameters in fp8 (torchtitan's
  // enable_fsdp_float8_all_gather), casting the shard before the gather.
  bool fp8_all_gather = false;
  Kernels kernels = Kernels::kFused;
  // The output layer's cross-entropy when it runs differently from the rest (torchtitan before
  // 2025 compiled the transformer blocks but ran the loss as eager PyTorch); unset: `kernels`.
  std::optional<Kernels> loss_kernels;
  // The RMSNorms (every layer's two and the final one) when they run differently from the rest
  // (torchtitan's norm_type "fused_rmsnorm" of 2024: a Triton RMSNorm in an otherwise eager
  // model); unset: `kernels`. LayerNorm is one native kernel either way.
  std::optional<Kernels> norm_kernels;
  // Full training (default), or LoRA / QLoRA on frozen base weights (finetune.hpp).
  Finetune finetune;
  Kernels loss() const { return loss_kernels.value_or(kernels); }
  Kernels norm() const { return norm_kernels.value_or(kernels); }
};

}  // namespace cirrus::models
