#pragma once
// The paged KV cache of one replica (vLLM's PagedAttention, Kwon et al., SOSP'23): the cache is
// cut into blocks of `block_size` tokens; a sequence holds ceil(tokens / block_size) blocks.
// With tensor parallelism each GPU of the replica holds its KV heads' share of every block, so
// the replica's block count is what one GPU's share of memory holds.
//
// Capacity, per GPU, as vLLM sizes it (its profile run, gpu_worker.determine_available_memory):
//   gpu_memory_utilization x GPU memory
//     - the weights the GPU holds (below)
//     - the peak activation memory of a forward pass over max_num_batched_tokens tokens
//     - the runtime outside the allocator (CUDA context, NCCL buffers: 1 GiB, the allowance of
//       models/workload/memory.hpp, an assumption)
// or, with kv_cache_free_fraction, as TensorRT-LLM sizes it: that fraction of (GPU memory - the
// same three); divided by the bytes of one block: 2 (K and V) x layers x KV heads per GPU x
// head_dim x block_size x the KV element size (serving_numerics.hpp).
//
// Weights per GPU (the linear layers at the quantized size, the rest in the dtype), as vLLM's
// tensor-parallel layers shard them (Megatron-style column and row parallel linears,
// VocabParallelEmbedding): Q, O and the FFN split over tp; K and V over tp down to one KV head per
// GPU (replicated when kv_heads < tp); experts split inside (vLLM's default for tp without expert
// parallelism); the router, norms and biases replicated; the embedding and the output layer split
// by vocabulary rows.
//
// Peak activations of the profile run, the largest live set of one layer's forward over T
// tokens (nothing is kept for a backward pass): the residual stream and the normalized input
// (2 T h) beside the wider of the QKV output (T (q + 2 kv) per GPU) and the FFN's up projection
// plus its activation output (T (mats - 1) f / tp + T f / tp), in the activation precision; or
// the logits of max_num_seqs sequences in fp32 (vLLM upcasts them before sampling), whichever is
// larger.
//
// Pipeline parallelism (pp stages of tp GPUs, vLLM's partition: layers / pp each, the remainder
// one more each on the stages before the last; the embedding on the first stage, the final norm
// and output layer on the last): each GPU holds its stage's layers' weights and KV, and the
// replica's block count is what the tightest stage holds. vLLM's V0 engine runs pp virtual
// engines, each its own scheduler with blocks / pp of them (its Scheduler divides
// num_gpu_blocks by pipeline_parallel_size), so that pp batches are in the pipeline at once.
#include <cstdint>
#include <vector>

#include "models/hardware/hardware.hpp"
#include "models/hardware/precision.hpp"
#include "models/serving/serving_numerics.hpp"
#include "models/serving/serving_spec.hpp"
#include "models/workload/transformer.hpp"

namespace cirrus::models {

// Blocks for `tokens` tokens: ceil(tokens / block_size).
inline std::int64_t blocks_for(std::int64_t tokens, int block_size) {
  return (tokens + block_size - 1) / block_size;
}

// Query heads one GPU holds under tensor parallelism tp (tp divides them: the caller checks).
int heads_per_gpu(const TransformerConfig& m, int tp);
// KV heads one GPU holds under tensor parallelism tp: kv_heads / tp, at least 1.
int kv_heads_per_gpu(const TransformerConfig& m, int tp);

// The layers of each of pp stages, as vLLM's get_pp_indices partitions them.
std::vector<int> stage_layers(int layers, int pp);

// Bytes of the weights one GPU of a tp-way replica holds (pp 1), or one GPU of the heaviest of
// pp stages.
double weight_bytes_per_gpu(const TransformerConfig& m, const ServingNumerics& num, int tp,
                            int pp = 1);
// Peak activation bytes of the profile run on one GPU (above).
double activation_peak_bytes(const TransformerConfig& m, const ServingNumerics& num, int tp,
                             const SchedulerConfig& s);

struct KvCacheSize {
  double usable_bytes = 0;      // gpu_memory_utilization x the GPU's memory (TensorRT-LLM's
                                // sizing: the whole memory)
  double weight_bytes = 0;      // per GPU
  double activation_bytes = 0;  // per GPU
  double runtime_bytes = 0;     // per GPU
  double kv_bytes = 0;          // what is left for the cache, per GPU (may be <= 0)
  double bytes_per_token = 0;   // KV bytes of one token on one GPU (of the tightest stage)
  std::int64_t blocks = 0;      // per replica (0 when nothing is left)
  int block_size = 16;
  int engines = 1;  // pp: the virtual engines that share the blocks
  std::int64_t tokens() const { return blocks * block_size; }
  // What one engine's scheduler has: blocks / engines, and its tokens.
  std::int64_t engine_blocks() const { return blocks / engines; }
  std::int64_t engine_tokens() const { return engine_blocks() * block_size; }
};

// The figures (weights, KV bytes per token) are those of the stage holding the fewest blocks.
KvCacheSize kv_cache_size(const TransformerConfig& m, const GpuSpec& gpu,
                          const ServingNumerics& num, int tp, const SchedulerConfig& s, int pp = 1);

}  // namespace cirrus::models
