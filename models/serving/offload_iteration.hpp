#pragma once
// A replica that streams its layers from host memory (serving.offload; the ring of
// models/systems/offload_inference.hpp, SE-MoE's ring memory) as an iteration timer of the
// request-level simulation: each scheduler iteration is one ring pass over its batch, in which
// every layer's weights cross PCIe into one of `slots` resident sections while the sections
// before it compute (ring_pass_seconds).
//
// The pass's per-layer compute and weight bytes are the PassCost helpers' (pass_cost): the
// decodes as one part (batch = the decoding sequences, one token each at their mean context),
// each prefill chunk as another (its tokens after its cached ones); their per-layer compute is
// summed, since they run in the same layer pass, and each layer's weights load once, as many as
// the iteration's tokens need (an MoE layer's experts reached by all of them). The embedding,
// final norm and logits of each part stay resident.
//
// One GPU (tp 1), weights and KV in the activations' type (no quantization). Its KV cache is
// what is left once the resident weights (embedding, output layer, norms), `slots` sections of
// the largest layer, the peak activations and the runtime are taken (offload_kv_cache_size).
#include "models/compute/compute_model.hpp"
#include "models/hardware/hardware.hpp"
#include "models/serving/iteration_time.hpp"
#include "models/serving/kv_cache.hpp"
#include "models/systems/offload_inference.hpp"
#include "models/workload/transformer.hpp"

namespace cirrus::models {

struct OffloadRing {
  int slots = 2;                // layer sections resident at once
  double pcie_bytes_per_s = 0;  // host to device, per GPU
};

class OffloadIteration final : public IterationTimer {
 public:
  OffloadIteration(const TransformerConfig& model, const ComputeModel& compute, Precision precision,
                   OffloadRing ring);

  double seconds(const BatchWork& work) override;
  // The pass the iteration runs (the tests' hand calculation starts here).
  PassCost pass(const BatchWork& work) const;

 private:
  TransformerConfig model_;
  ComputeModel compute_;
  Precision precision_;
  OffloadRing ring_;
};

// The KV cache of one offloaded GPU (above), sized as kv_cache_size sizes a resident one.
KvCacheSize offload_kv_cache_size(const TransformerConfig& m, const GpuSpec& gpu,
                                  const ServingNumerics& num, int slots, const SchedulerConfig& s);

}  // namespace cirrus::models
