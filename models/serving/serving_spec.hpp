#pragma once
// The scenario's `serving` block (docs/CONTRACT.md, "serving"): how requests arrive, how long
// they are, and how the fleet that serves them is configured. Plain data, filled by the scenario
// loader; the defaults are vLLM's (../shared/reference/formats.md, section (e)) where vLLM has
// one, and are stated where it has none.
#include <cstdint>
#include <optional>
#include <string>

#include "common/enum_names.hpp"
#include "models/hardware/precision.hpp"
#include "models/serving/serving_modes.hpp"
#include "models/serving/serving_plan_spec.hpp"

namespace cirrus::models {

// Token lengths drawn from a seeded generator (arrivals.hpp): a fixed value, integers uniform in
// [min, max], or a lognormal round(median x exp(sigma z)) clamped to [1, max].
enum class LengthKind { kFixed, kUniform, kLognormal };
inline constexpr EnumNames<LengthKind, 3> kLengthKindNames = {
    {{LengthKind::kFixed, "fixed"},
     {LengthKind::kUniform, "uniform"},
     {LengthKind::kLognormal, "lognormal"}}};
struct LengthDist {
  LengthKind kind = LengthKind::kFixed;
  std::int64_t value = 0;  // fixed
  std::int64_t min = 1;    // uniform
  std::int64_t max = 0;    // uniform; lognormal's clamp
  double median = 0;       // lognormal
  double sigma = 0;        // lognormal, of the underlying normal
  // The largest length this distribution can give (the KV-cache check uses it).
  std::int64_t largest() const { return kind == LengthKind::kFixed ? value : max; }
};

// kOffline: every request queued at time zero (an offline or "infinite rate" benchmark such as
// trtllm-bench throughput or vLLM's benchmark_throughput).
enum class ArrivalKind { kPoisson, kGamma, kTrace, kOffline };
inline constexpr EnumNames<ArrivalKind, 4> kArrivalKindNames = {
    {{ArrivalKind::kPoisson, "poisson"},
     {ArrivalKind::kGamma, "gamma"},
     {ArrivalKind::kTrace, "trace"},
     {ArrivalKind::kOffline, "offline"}}};

enum class TraceFormat { kAzureCsv, kMooncakeJsonl };
inline constexpr EnumNames<TraceFormat, 2> kTraceFormatNames = {
    {{TraceFormat::kAzureCsv, "azure-csv"}, {TraceFormat::kMooncakeJsonl, "mooncake-jsonl"}}};

struct TraceSpec {
  std::string path;  // resolved: relative paths are taken from the scenario file's directory
  TraceFormat format = TraceFormat::kAzureCsv;
  double time_scale = 1.0;    // arrival offsets from the first request are multiplied by this
  double length_scale = 1.0;  // input and output lengths are multiplied by this (rounded, >= 1)
};

// A daily cycle of a Poisson stream's rate (arrivals.hpp): the rate peaks at `peak_hour` (hours
// after time zero, taken as midnight) at `peak_to_trough` times its trough, and averages
// rate_per_s over a day.
struct DailyCycle {
  double peak_to_trough = 1;
  double peak_hour = 0;
};

struct ArrivalSpec {
  ArrivalKind kind = ArrivalKind::kPoisson;
  double rate_per_s = 0;  // poisson, gamma
  double cv = 1.0;        // gamma: coefficient of variation of the inter-arrival times
  // How many requests: a count, or every arrival up to a time (one of them for synthetic
  // arrivals; for a trace either cuts it, neither takes it whole).
  std::optional<std::int64_t> requests;
  std::optional<double> duration_s;
  TraceSpec trace;                        // kind == kTrace
  std::optional<DailyCycle> daily_cycle;  // poisson only
};

enum class RouterKind { kRoundRobin, kLeastOutstanding, kPrefixAffinity };
inline constexpr EnumNames<RouterKind, 3> kRouterKindNames = {
    {{RouterKind::kRoundRobin, "round-robin"},
     {RouterKind::kLeastOutstanding, "least-outstanding"},
     {RouterKind::kPrefixAffinity, "prefix-affinity"}}};

// What a preempted sequence loses: recompute (vLLM V1's only mode) frees its KV blocks and
// computes them again when it resumes; swap (vLLM V0's --preemption-mode swap, formats.md
// section (e)) copies them to host memory and back.
enum class PreemptionMode { kRecompute, kSwap };
inline constexpr EnumNames<PreemptionMode, 2> kPreemptionModeNames = {
    {{PreemptionMode::kRecompute, "recompute"}, {PreemptionMode::kSwap, "swap"}}};

// One replica's scheduler (vLLM V1's knobs, formats.md section (e)).
struct SchedulerConfig {
  int max_num_seqs = 256;               // vLLM's default for GPUs under 70 GiB and A100
  int max_num_batched_tokens = 8192;    // vLLM's LLM-class default for the same GPUs
  bool chunked_prefill = true;          // V1 always chunks
  int block_size = 16;                  // CacheConfig.DEFAULT_BLOCK_SIZE
  double gpu_memory_utilization = 0.9;  // vLLM's default before 0.92 (formats.md: uncertain when)
  // TensorRT-LLM's default capacity policy (GUARANTEED_NO_EVICT) instead of vLLM's: a request
  // is admitted only when blocks for its whole prompt and output are free, and holds them to
  // the end, so nothing is ever preempted.
  bool reserve_full = false;
  // TensorRT-LLM's sizing instead (kv_cache_free_gpu_mem_fraction): the cache takes this share
  // of the memory left after the weights, activations and runtime; unset: vLLM's sizing above.
  std::optional<double> kv_cache_free_fraction;
  PreemptionMode preemption = PreemptionMode::kRecompute;
  // Host memory per GPU for swapped-out KV blocks: vLLM V0's --swap-space default, 4 GiB
  // (recalled from vLLM's CacheConfig, unverified).
  double swap_space_gib = 4.0;
  // Automatic prefix caching; unset: on when requests carry prefix ids (vLLM V1 enables it by
  // default, formats.md section (e)).
  std::optional<bool> prefix_caching;
};

// How the weights are stored and multiplied (vLLM's --quantization): kFp8 is W8A8 fp8 (weights
// and, dynamically, activations in e4m3; the GEMMs on the fp8 tensor cores, as vLLM's "fp8" and
// ModelOpt FP8 checkpoints run them); kInt8WeightOnly stores 8-bit weights dequantized into
// 16-bit GEMMs (W8A16: GPTQ/AWQ-style 8-bit), so it reads half the bytes at the 16-bit rate.
enum class Quantization { kNone, kFp8, kInt8WeightOnly };
inline constexpr EnumNames<Quantization, 3> kQuantizationNames = {
    {{Quantization::kNone, "none"},
     {Quantization::kFp8, "fp8"},
     {Quantization::kInt8WeightOnly, "int8-weight-only"}}};
// The KV cache's element type (vLLM's --kv-cache-dtype): the activations' ("auto") or fp8
// (one byte; attention dequantizes as it reads, so the FLOPs keep the 16-bit rate).
enum class KvCacheDtype { kAuto, kFp8 };
inline constexpr EnumNames<KvCacheDtype, 2> kKvCacheDtypeNames = {
    {{KvCacheDtype::kAuto, "auto"}, {KvCacheDtype::kFp8, "fp8"}}};

struct Slo {
  std::optional<double> ttft_s;  // time to first token
  std::optional<double> tpot_s;  // time per output token after the first
};

inline const char* to_string(LengthKind k) { return name_in(kLengthKindNames, k); }
inline const char* to_string(ArrivalKind k) { return name_in(kArrivalKindNames, k); }
inline const char* to_string(TraceFormat f) { return name_in(kTraceFormatNames, f); }
inline const char* to_string(RouterKind k) { return name_in(kRouterKindNames, k); }
inline const char* to_string(Quantization q) { return name_in(kQuantizationNames, q); }
inline const char* to_string(KvCacheDtype d) { return name_in(kKvCacheDtypeNames, d); }
inline const char* to_string(PreemptionMode m) { return name_in(kPreemptionModeNames, m); }

// `serving.autoscaling` (models/serving/dynamic_fleet.hpp): what the autoscaler watches, the
// bounds it keeps to, and what a new replica takes to join. Unset start and storage figures are
// filled with stated defaults by the app (app/serving_scaling.hpp).
enum class AutoscalePolicy { kTargetConcurrency, kQueueLength };
inline constexpr EnumNames<AutoscalePolicy, 2> kAutoscalePolicyNames = {
    {{AutoscalePolicy::kTargetConcurrency, "target-concurrency"},
     {AutoscalePolicy::kQueueLength, "queue-length"}}};
inline const char* to_string(AutoscalePolicy p) { return name_in(kAutoscalePolicyNames, p); }
struct AutoscalingSpec {
  AutoscalePolicy policy = AutoscalePolicy::kTargetConcurrency;
  double target = 8;  // outstanding (or queued) requests per replica
  int min_replicas = 1;
  int max_replicas = 1;
  double interval_s = 30;
  double scale_down_delay_s = 300;
  double tolerance = 0.1;  // HPA's: no change while M / (replicas x target) is within 1 +/- it
  std::optional<double> instance_start_s;
  std::optional<double> storage_bytes_per_s;  // model_load.storage_gbyte_per_s x 1e9
};

// `serving.spot`: interruptions of each replica's instance; unset figures come from the catalog
// (pricing/cost_model.hpp's spot defaults).
struct SpotSpec {
  std::optional<double> interruptions_per_hour;  // per replica
  std::optional<double> notice_s;
};

struct ServingSpec {
  ArrivalSpec arrivals;
  LengthDist input_tokens;   // synthetic arrivals only
  LengthDist output_tokens;  // synthetic arrivals only
  std::uint64_t seed = 0;
  int replicas = 1;
  int tp = 1;
  // `serving.expert_parallel` (vLLM's --enable-expert-parallel): an MoE model's experts placed
  // whole on the replica's tp GPUs (ep = tp) instead of split over them.
  bool expert_parallel = false;
  // `serving.pp`: pipeline stages per replica, each of tp GPUs, run as pp virtual engines
  // (models/serving/kv_cache.hpp, iteration_time.hpp).
  int pp = 1;
  RouterKind router = RouterKind::kRoundRobin;
  SchedulerConfig scheduler;
  Slo slo;
  // The activations' type: serving.dtype, else training.precision, else bf16 (the loader).
  Precision dtype = Precision::kBf16;
  Quantization quantization = Quantization::kNone;
  KvCacheDtype kv_cache_dtype = KvCacheDtype::kAuto;
  std::optional<ServingPlanSpec> plan;               // `serving.plan`: what `cirrus plan` searches
  std::optional<DisaggregationSpec> disaggregation;  // `serving.disaggregation`
  std::optional<OffloadModeSpec> offload;            // `serving.offload`
  // Synthetic shared prefixes (`serving.prefix`): each request draws one of `prefix_groups`
  // prefixes of `prefix_tokens` tokens (prefix.hpp); 0 groups: none.
  std::int64_t prefix_groups = 0;
  std::int64_t prefix_tokens = 0;
  std::optional<AutoscalingSpec> autoscaling;
  std::optional<SpotSpec> spot;
};

}  // namespace cirrus::models
