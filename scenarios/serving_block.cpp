#include "scenarios/serving_block.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "models/serving/request.hpp"
#include "scenarios/enum_tables.hpp"
#include "scenarios/serving_modes_block.hpp"
#include "scenarios/serving_plan_block.hpp"

namespace cirrus::scenarios {
namespace {

std::int64_t read_int_in(const JsonNode& n, std::int64_t min, std::int64_t max) {
  const std::int64_t v = n.as_int();
  if (v < min || v > max) n.fail(fmt::format("an integer from {} to {}", min, max));
  return v;
}

// A key that the block's other settings rule out.
void refuse(const JsonNode& parent, const char* key, const std::string& why) {
  if (auto v = parent.find(key)) v->fail(fmt::format("no \"{}\" {}", key, why));
}

models::LengthDist read_length(const JsonNode& n) {
  using models::LengthKind;
  n.check_keys({"dist", "value", "min", "max", "median", "sigma"});
  models::LengthDist d;
  d.kind = read_enum(n.at("dist"), accepted(models::kLengthKindNames));
  const std::int64_t top = models::kMaxRequestTokens;
  const std::string with = fmt::format("with dist \"{}\"", to_string(d.kind));
  switch (d.kind) {
    case LengthKind::kFixed:
      for (const char* k : {"min", "max", "median", "sigma"}) refuse(n, k, with);
      d.value = read_int_in(n.at("value"), 1, top);
      break;
    case LengthKind::kUniform: {
      for (const char* k : {"value", "median", "sigma"}) refuse(n, k, with);
      d.min = read_int_in(n.at("min"), 1, top);
      d.max = read_int_in(n.at("max"), d.min, top);
      break;
    }
    case LengthKind::kLognormal:
      for (const char* k : {"value", "min"}) refuse(n, k, with);
      d.median = n.at("median").as_number_in(1, static_cast<double>(top), " tokens");
      d.sigma = n.at("sigma").as_number_in(0, 10);
      d.max = top;
      if (auto v = n.find("max")) d.max = read_int_in(*v, 1, top);
      break;
  }
  return d;
}

models::TraceSpec read_trace_spec(const JsonNode& n) {
  n.check_keys({"path", "format", "time_scale", "length_scale"});
  models::TraceSpec t;
  const JsonNode p = n.at("path");
  const std::string given = p.as_string();
  if (given.empty()) p.fail("the path of a request trace");
  std::filesystem::path path(given);
  if (path.is_relative()) path = std::filesystem::path(n.file()).parent_path() / path;
  t.path = path.lexically_normal().string();
  t.format = read_enum(n.at("format"), accepted(models::kTraceFormatNames));
  if (auto v = n.find("time_scale")) t.time_scale = v->as_number_in(1e-6, 1e6);
  if (auto v = n.find("length_scale")) t.length_scale = v->as_number_in(1e-6, 1e3);
  return t;
}

models::ArrivalSpec read_arrivals(const JsonNode& n) {
  using models::ArrivalKind;
  n.check_keys({"kind", "rate_per_s", "cv", "requests", "duration_s", "trace", "daily_cycle"});
  models::ArrivalSpec a;
  a.kind = read_enum(n.at("kind"), accepted(models::kArrivalKindNames));
  const bool trace = a.kind == ArrivalKind::kTrace;
  if (auto v = n.find("requests")) a.requests = read_int_in(*v, 1, models::kMaxRequests);
  if (auto v = n.find("duration_s")) {
    if (a.requests) v->fail("either \"requests\" or \"duration_s\", not both");
    a.duration_s = v->as_number_in(1e-6, models::kMaxArrivalSeconds, " s");
  }
  if (trace) {
    refuse(n, "rate_per_s", "with kind \"trace\" (the trace gives the arrival times)");
    refuse(n, "cv", "with kind \"trace\"");
    refuse(n, "daily_cycle", "with kind \"trace\" (a trace has its own cycle)");
    a.trace = read_trace_spec(n.at("trace"));
    return a;
  }
  refuse(n, "trace", fmt::format("with kind \"{}\"", to_string(a.kind)));
  if (a.kind != ArrivalKind::kPoisson) {
    refuse(n, "daily_cycle", fmt::format("with kind \"{}\" (poisson only)", to_string(a.kind)));
  } else if (auto v = n.find("daily_cycle")) {
    v->check_keys({"peak_to_trough", "peak_hour"});
    models::DailyCycle c;
    c.peak_to_trough = v->at("peak_to_trough").as_number_in(1, 1e6);
    if (auto h = v->find("peak_hour")) c.peak_hour = h->as_number_in(0, 24, " h");
    a.daily_cycle = c;
  }
  if (a.kind == ArrivalKind::kOffline) {
    // Every request at time zero: a count, nothing that spaces them.
    refuse(n, "rate_per_s", "with kind \"offline\" (every request arrives at time zero)");
    refuse(n, "cv", "with kind \"offline\"");
    refuse(n, "duration_s", "with kind \"offline\" (give \"requests\", a count)");
    if (!a.requests) n.fail("\"requests\" (a count) with kind \"offline\"");
    return a;
  }
  if (a.kind == ArrivalKind::kPoisson) refuse(n, "cv", "with kind \"poisson\" (its cv is 1)");
  a.rate_per_s = n.at("rate_per_s").as_number_in(1e-9, kMaxArrivalRate, " requests/s");
  if (a.kind == ArrivalKind::kGamma) a.cv = n.at("cv").as_number_in(1e-3, 1e2);
  if (!a.requests && !a.duration_s) {
    n.fail("\"requests\" (a count) or \"duration_s\" (arrivals up to a time)");
  }
  // Half the bound, so that the Poisson count of a duration stays below it.
  if (a.duration_s &&
      a.rate_per_s * *a.duration_s > static_cast<double>(models::kMaxRequests) / 2) {
    n.at("duration_s")
        .fail(fmt::format("a duration whose expected arrivals (rate x duration) are at most {}",
                          models::kMaxRequests / 2));
  }
  return a;
}

// The added keys of prefix caching and preemption (CONTRACT.md, "serving").
void read_cache_keys(const JsonNode& n, models::ServingSpec& s) {
  models::SchedulerConfig& c = s.scheduler;
  if (auto v = n.find("prefix")) {
    if (s.arrivals.kind == models::ArrivalKind::kTrace) {
      v->fail("no \"prefix\" with a trace (a Mooncake trace gives its prefixes as hash_ids)");
    }
    v->check_keys({"groups", "tokens"});
    s.prefix_groups = read_int_in(v->at("groups"), 1, kMaxPrefixGroups);
    s.prefix_tokens = read_int_in(v->at("tokens"), 1, models::kMaxRequestTokens);
  }
  if (auto v = n.find("prefix_caching")) c.prefix_caching = v->as_bool();
  if (auto v = n.find("preemption")) {
    c.preemption = read_enum(*v, accepted(models::kPreemptionModeNames));
  }
  if (auto v = n.find("swap_space_gib")) {
    if (c.preemption != models::PreemptionMode::kSwap) {
      v->fail("no \"swap_space_gib\" unless \"preemption\" is \"swap\"");
    }
    c.swap_space_gib = v->as_number_in(0, kMaxSwapSpaceGib, " GiB");
  }
}

// `replicas`: serving.replicas when given, the fleet at the start; else the fleet starts at
// min_replicas.
models::AutoscalingSpec read_autoscaling(const JsonNode& n, int& replicas, bool given) {
  n.check_keys({"policy", "target", "min_replicas", "max_replicas", "interval_s",
                "scale_down_delay_s", "tolerance", "instance_start_s", "model_load"});
  models::AutoscalingSpec a;
  a.policy = read_enum(n.at("policy"), accepted(models::kAutoscalePolicyNames));
  a.target = n.at("target").as_number_in(1e-3, 1e6, " requests per replica");
  a.min_replicas = static_cast<int>(read_int_in(n.at("min_replicas"), 1, kMaxReplicas));
  a.max_replicas =
      static_cast<int>(read_int_in(n.at("max_replicas"), a.min_replicas, kMaxReplicas));
  if (!given) replicas = a.min_replicas;
  if (replicas < a.min_replicas || replicas > a.max_replicas) {
    n.at("min_replicas")
        .fail(fmt::format("bounds that hold serving.replicas ({}, the fleet at the start)",
                          replicas));
  }
  if (auto v = n.find("interval_s")) a.interval_s = v->as_number_in(1e-3, 86400, " s");
  if (auto v = n.find("scale_down_delay_s")) a.scale_down_delay_s = v->as_number_in(0, 86400, " s");
  if (auto v = n.find("tolerance")) a.tolerance = v->as_number_in(0, 1);
  if (auto v = n.find("instance_start_s")) a.instance_start_s = v->as_number_in(0, 86400, " s");
  if (auto v = n.find("model_load")) {
    v->check_keys({"storage_gbyte_per_s"});
    a.storage_bytes_per_s = v->at("storage_gbyte_per_s").as_number_in(1e-3, 1e4, " GB/s") * 1e9;
  }
  return a;
}

models::SpotSpec read_spot(const JsonNode& n) {
  n.check_keys({"interruptions_per_hour", "notice_s"});
  models::SpotSpec s;
  if (auto v = n.find("interruptions_per_hour")) s.interruptions_per_hour = v->as_number_in(0, 1e3);
  if (auto v = n.find("notice_s")) s.notice_s = v->as_number_in(0, 86400, " s");
  return s;
}

}  // namespace

models::ServingSpec read_serving(const JsonNode& n) {
  n.check_keys({"arrivals",
                "input_tokens",
                "output_tokens",
                "seed",
                "replicas",
                "tp",
                "expert_parallel",
                "pp",
                "router",
                "max_num_seqs",
                "max_num_batched_tokens",
                "chunked_prefill",
                "block_size",
                "gpu_memory_utilization",
                "kv_cache_free_fraction",
                "dtype",
                "quantization",
                "kv_cache_dtype",
                "admission",
                "slo",
                "plan",
                "prefix",
                "prefix_caching",
                "preemption",
                "swap_space_gib",
                "disaggregation",
                "offload",
                "autoscaling",
                "spot"});
  models::ServingSpec s;
  s.arrivals = read_arrivals(n.at("arrivals"));
  if (s.arrivals.kind == models::ArrivalKind::kTrace) {
    refuse(n, "input_tokens", "with a trace (the trace gives the lengths)");
    refuse(n, "output_tokens", "with a trace (the trace gives the lengths)");
  } else {
    s.input_tokens = read_length(n.at("input_tokens"));
    s.output_tokens = read_length(n.at("output_tokens"));
  }
  if (auto v = n.find("seed")) {
    s.seed = static_cast<std::uint64_t>(read_int_in(*v, 0, std::int64_t{1} << 53));
  }
  if (auto v = n.find("replicas")) s.replicas = static_cast<int>(read_int_in(*v, 1, kMaxReplicas));
  if (auto v = n.find("tp")) s.tp = static_cast<int>(read_int_in(*v, 1, 1024));
  if (auto v = n.find("expert_parallel")) s.expert_parallel = v->as_bool();
  if (auto v = n.find("pp")) s.pp = static_cast<int>(read_int_in(*v, 1, 64));
  if (auto v = n.find("router")) s.router = read_enum(*v, accepted(models::kRouterKindNames));
  models::SchedulerConfig& c = s.scheduler;
  if (auto v = n.find("max_num_seqs"))
    c.max_num_seqs = static_cast<int>(read_int_in(*v, 1, kMaxNumSeqs));
  if (auto v = n.find("max_num_batched_tokens")) {
    c.max_num_batched_tokens = static_cast<int>(read_int_in(*v, 1, kMaxBatchedTokens));
  }
  if (auto v = n.find("chunked_prefill")) c.chunked_prefill = v->as_bool();
  if (auto v = n.find("block_size"))
    c.block_size = static_cast<int>(read_int_in(*v, 1, kMaxBlockSize));
  if (auto v = n.find("gpu_memory_utilization")) {
    c.gpu_memory_utilization = v->as_number_in(1e-3, 1);
  }
  if (auto v = n.find("kv_cache_free_fraction")) {
    if (n.find("gpu_memory_utilization")) {
      v->fail(
          "either \"gpu_memory_utilization\" (vLLM's sizing) or \"kv_cache_free_fraction\" "
          "(TensorRT-LLM's), not both");
    }
    c.kv_cache_free_fraction = v->as_number_in(1e-3, 1);
  }
  if (auto v = n.find("admission")) {
    c.reserve_full = v->as_enum({"on-demand", "reserve-full"}) == "reserve-full";
  }
  if (auto v = n.find("dtype")) {
    s.dtype = read_enum(*v, accepted(models::kPrecisionNames));
    if (s.dtype == models::Precision::kFp8 || s.dtype == models::Precision::kTf32) {
      v->fail(
          "\"bf16\", \"fp16\" or \"fp32\" (the activations' type; fp8 weights are "
          "\"quantization\": \"fp8\")");
    }
  }
  if (auto v = n.find("quantization")) {
    s.quantization = read_enum(*v, accepted(models::kQuantizationNames));
  }
  if (auto v = n.find("kv_cache_dtype")) {
    s.kv_cache_dtype = read_enum(*v, accepted(models::kKvCacheDtypeNames));
  }
  if (auto v = n.find("slo")) {
    v->check_keys({"ttft_ms", "tpot_ms"});
    if (auto x = v->find("ttft_ms")) s.slo.ttft_s = x->as_number_in(1e-3, 1e9, " ms") / 1e3;
    if (auto x = v->find("tpot_ms")) s.slo.tpot_s = x->as_number_in(1e-3, 1e9, " ms") / 1e3;
  }
  if (auto v = n.find("plan")) s.plan = read_serving_plan(*v);
  read_cache_keys(n, s);
  if (auto v = n.find("disaggregation")) {
    refuse(n, "replicas",
           "with disaggregation (prefill_replicas and decode_replicas size the fleet)");
    refuse(n, "plan", "with disaggregation (a serving plan searches colocated replicas)");
    s.disaggregation = read_disaggregation(*v);
    // Dynamo's and DistServe's default: each prompt's KV to the least loaded decode replica.
    if (!n.find("router")) s.router = models::RouterKind::kLeastOutstanding;
  }
  if (auto v = n.find("offload")) {
    if (s.disaggregation) v->fail("either \"disaggregation\" or \"offload\", not both");
    refuse(n, "plan", "with offload (a serving plan searches resident replicas)");
    s.offload = read_offload_mode(*v);
  }
  if (auto v = n.find("autoscaling")) {
    s.autoscaling = read_autoscaling(*v, s.replicas, n.find("replicas").has_value());
  }
  if (auto v = n.find("spot")) s.spot = read_spot(*v);
  return s;
}

}  // namespace cirrus::scenarios
