#pragma once
// How long one scheduler iteration of a replica takes: one forward pass over every token the
// scheduler gave it (prefill chunks and one token per decoding sequence), timed by the same
// compute model, profiles and collectives as a training step (models/compute/compute_model.hpp,
// models/step/step_costs.hpp). Per iteration, with T new tokens over n sequences:
//
//   layers x [ GEMMs over T tokens: QKV, attention output, FFN (or the experts the tokens
//              reach, as models/systems/offload_inference.cpp counts them, or with expert
//              parallelism the busiest GPU's whole experts), each reading its
//              weights once, sharded over tp, at the quantized size and, for fp8, on the fp8
//              tensor cores (serving_numerics.hpp);
//              norms and activations as memory-bound passes over T tokens;
//              attention: one variable-length kernel per layer (vLLM V1's FlashAttention
//              backend runs prefills and decodes in one call), the sum of its parts' times
//              with one kernel gap: for q new tokens over c cached ones,
//              4 x heads/tp x head_dim x (q c + q (q + 1) / 2) FLOPs and K, V reads of (c + q)
//              tokens at the KV cache's element size; a decode (q = 1) is bound by those
//              KV-cache reads;
//              two tensor-parallel all-reduces of T x hidden over the node's scale-up link ]
//   + the embedding lookup over T tokens, the final norm and logits of the n sequences' last
//     positions (the output layer split over tp, logits gathered)
//
// With pp pipeline stages (a virtual engine's batch passing through every stage in turn, vLLM's
// V0 engine), the batch's time is the same sum over all layers, each stage's on its own tp GPUs,
// plus pp - 1 sends of the stage's output (hidden states and residual, 2 x T x hidden in the
// activations' type; vLLM's IntermediateTensors) to the next stage: over the scale-up link when
// tp x pp GPUs fit one node, else over each GPU's share of the node's NICs. Unequal stages
// (the embedding on the first, the logits on the last) are not modelled as a bubble.
//
// A prefill chunk that starts the sequence (c = 0) is causal self-attention, the shape a
// calibration profile measures, and takes the profile's rate; the rest of the attention takes
// the published kernel curves (a self-attention profile says nothing about one query against a
// long cache) at the length it reads: c + q for a chunk, the decodes' mean context rounded to
// a whole token for the decodes, which run as one part. Those roofline parts are
// max(FLOPs / curve rate, bytes / memory bandwidth), so their per-FLOP time is memoized by
// length and their per-byte time once: the compute model is asked once per length, not once
// per iteration (the fleet runs millions of iterations). Not modelled: the host's scheduling and
// sampling time between iterations, CUDA graphs (every kernel pays the compute model's launch gap).
#include <cstdint>
#include <memory>
#include <vector>

#include "models/compute/compute_model.hpp"
#include "models/compute/profile.hpp"
#include "models/hardware/hardware.hpp"
#include "models/serving/serving_numerics.hpp"
#include "models/workload/transformer.hpp"

namespace cirrus::models {

// The work of one iteration as the scheduler hands it over.
struct BatchWork {
  struct Chunk {
    std::int64_t tokens = 0;  // new tokens of the sequence in this iteration (> 1)
    std::int64_t cached = 0;  // tokens already in its KV cache
  };
  std::int64_t tokens = 0;          // all new tokens
  std::int64_t prefill_tokens = 0;  // of them, those of sequences still in (re)prefill
  std::int32_t seqs = 0;            // sequences scheduled (each computes logits)
  std::int32_t single = 0;          // sequences with one new token (decodes)
  std::int64_t single_cached = 0;   // the tokens those have cached, summed
  std::vector<Chunk> chunks;        // sequences with more than one new token
  // KV blocks copied to or from host memory in this iteration (preemption by swap): the fleet
  // adds their copy time, not the timer.
  std::int64_t swapped_blocks = 0;

  void clear() {
    tokens = prefill_tokens = 0;
    swapped_blocks = 0;
    seqs = single = 0;
    single_cached = 0;
    chunks.clear();
  }
  void add(std::int64_t new_tokens, std::int64_t cached, bool prefill) {
    tokens += new_tokens;
    if (prefill) prefill_tokens += new_tokens;
    ++seqs;
    if (new_tokens == 1) {
      ++single;
      single_cached += cached;
    } else {
      chunks.push_back({new_tokens, cached});
    }
  }
};

// What the fleet asks for each iteration: its duration in seconds. The simulation holds one per
// replica kind; tests substitute their own.
class IterationTimer {
 public:
  virtual ~IterationTimer() = default;
  virtual double seconds(const BatchWork& work) = 0;
};

struct IterationSetup {
  TransformerConfig model;
  NodeSpec node;             // its GPU and scale-up link; the replica's tp GPUs are on one node
  ServingNumerics numerics;  // dtype, quantized weights, KV cache type
  int tp = 1;
  // MoE experts placed whole on the tp GPUs (serving.expert_parallel; ep = tp), the layer
  // waiting for the busiest GPU (models/systems/offload_inference.hpp), not split over tp.
  bool expert_parallel = false;
  int pp = 1;             // pipeline stages (above)
  int max_tokens = 8192;  // the token budget: the largest T an iteration has
  int max_seqs = 256;
  std::shared_ptr<const ProfileLookup> profile;  // null: datasheet figures
};

class IterationModel final : public IterationTimer {
 public:
  explicit IterationModel(IterationSetup setup);

  double seconds(const BatchWork& work) override;

  // The parts, for the tests and the result's breakdown.
  double token_seconds(std::int64_t tokens);  // everything proportional to T (memoized)
  double logits_seconds(std::int32_t seqs);   // final norm, logits, gather (memoized)
  double attention_seconds(const BatchWork& work);
  double all_reduce_seconds(std::int64_t tokens) const;  // one TP all-reduce of T x hidden
  double stage_send_seconds(std::int64_t tokens) const;  // one stage's output to the next

  const ComputeModel& compute() const { return compute_; }
  const IterationSetup& setup() const { return setup_; }

 private:
  double layer_seconds(std::int64_t tokens, bool moe) const;
  // The roofline attention part over `flops` and `bytes` read at length `seq`, kernel gap
  // excluded: decodes (one query each, nothing masked) on the non-causal curve, continued
  // prefill chunks on the causal one.
  double curve_part_seconds(double flops, double bytes, std::int64_t seq, bool causal);

  IterationSetup setup_;
  ComputeModel compute_;
  std::vector<double> token_memo_;    // by T; negative: not computed yet
  std::vector<double> logits_memo_;   // by n
  std::vector<double> flop_memo_[2];  // seconds per FLOP by [causal][length]; <0: not yet
  double byte_seconds_ = 0;           // seconds per byte of a memory-bound attention part
  int moe_layers_ = 0;
};

}  // namespace cirrus::models
