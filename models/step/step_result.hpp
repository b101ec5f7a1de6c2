#pragma once
// The result of simulating one configuration (CONTRACT.md, "Result").
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cirrus::models {

// Why a configuration cannot run, as a kind the planner counts; StepResult::infeasible_reason
// holds the message with its figures.
enum class Infeasibility : std::uint8_t {
  kNone,
  kPrecisionUnsupported,    // the GPU has no tensor cores of the training precision
  kOutOfMemory,             // the peak stage does not fit the GPU
  kOutOfHostMemory,         // offloaded states exceed the node's host memory
  kOutOfNvme,               // offloaded states exceed the node's NVMe
  kHostMemoryUnknown,       // offload to host on a node whose host memory is unknown
  kNoNvme,                  // offload to NVMe on a node without NVMe drives known
  kParamsWithoutOptimizer,  // parameters offloaded while the optimizer stays on the GPU
  kTooLargeToSimulate,      // the step's task graph would exceed the engine's task limit
};
// The kind in a few words, as the planner's pruning counts print it.
const char* summary(Infeasibility k);

struct Breakdown {
  double compute = 0, recompute = 0, tp_comm = 0, cp_comm = 0, pp_comm = 0, dp_comm = 0,
         pp_bubble = 0, optimizer = 0;
  double ep_comm = 0;  // expert-parallel all-to-alls (MoE dispatch and combine)
  double offload = 0;  // waiting for parameters or gradients to cross PCIe / NVMe (not hidden)
  double total() const {
    return compute + recompute + tp_comm + cp_comm + pp_comm + dp_comm + pp_bubble + optimizer +
           ep_comm + offload;
  }
};

// What routing costs an MoE model (absent for dense models).
struct MoeStats {
  double all_to_all_s = 0;            // expert all-to-all time on the critical path (= ep_comm)
  double straggler_factor = 1;        // tokens the busiest EP rank processes, x its fair share
  double hottest_expert = 1;          // load of the most popular expert, x its fair share
  double dropped_token_fraction = 0;  // of routed token copies, dropped by the capacity limit
};

struct MemoryBreakdown {  // GiB per GPU on the most loaded rank
  double params = 0, grads = 0, optimizer = 0, activations = 0, buffers = 0, total = 0,
         capacity = 0;
  // Of `total`, what PyTorch's caching allocator holds at the peak: total less the CUDA context
  // and NCCL buffers outside it (models::MemoryEstimate::allocator()). Comparable with
  // torch.cuda's max reserved memory, the peak torchtitan logs.
  double reserved = 0;
  // training.finetune with frozen base weights (LoRA, QLoRA): of params, the frozen weights;
  // and the adapters' weights, gradients and optimizer states together. 0 under full training.
  double frozen = 0, trainable = 0;
};

// What training.finetune trains (present with a frozen base: LoRA, QLoRA).
struct FinetuneSummary {
  std::string method;  // "lora", "qlora"
  std::string preset;  // the recipe's name, empty when spelled out
  int rank = 0;
  std::string targets;  // "q,v"
  int base_bits = 16;
  double frozen_bits_per_param = 16;  // the frozen GEMM weights, quantization constants included
  double trainable_params = 0;        // whole model
  double frozen_params = 0;           // whole model
};

struct LinkUse {
  std::string link;
  double utilization = 0;
};

struct RunTotals {
  double tokens = 0;
  double steps = 0;
  double days = 0;
};

// Hierarchical storage over the step, on the critical stage (strategy.offload).
struct OffloadSummary {
  double transfer_s = 0;  // time the copy streams were busy (host/NVMe <-> GPU)
  double exposed_s = 0;   // of it, time the compute stream waited: breakdown_s.offload
  double host_gib = 0;    // offloaded states per GPU in host memory
  double nvme_gib = 0;    // per GPU on NVMe
};

struct StepResult {
  bool feasible = true;
  Infeasibility infeasibility = Infeasibility::kNone;
  std::string infeasible_reason;
  // Marks the result infeasible; returns false for `return r.refuse(...)`.
  bool refuse(Infeasibility kind, std::string why) {
    feasible = false;
    infeasibility = kind;
    infeasible_reason = std::move(why);
    return false;
  }
  double step_time_s = 0;
  double tokens_per_s = 0;
  double model_tflops_per_gpu = 0;
  double mfu = 0;
  Breakdown breakdown;
  MemoryBreakdown memory;
  std::optional<RunTotals> run;
  std::vector<LinkUse> links;
  std::optional<OffloadSummary> offload;  // present when strategy.offload moves anything
  std::optional<MoeStats> moe;
  std::optional<FinetuneSummary> finetune;
  bool calibrated = false;
  // What the kernel and collective rates rest on: "datasheet", or the profile's label
  // (models/compute/profile.hpp, calibration_label): "public profile (Vidur, H100, 2024-11)", ...
  std::string calibration = "datasheet";
  // Plain-language statements of every default the numbers rest on ("GEMM efficiency from
  // the datasheet-derived default, not a profile"): printed so the user knows what is assumed.
  std::vector<std::string> assumptions;
  // Engine statistics, for benchmarks and --verbose.
  std::size_t tasks = 0;
  std::size_t events = 0;
};

}  // namespace cirrus::models
