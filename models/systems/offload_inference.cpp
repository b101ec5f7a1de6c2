#include "models/systems/offload_inference.hpp"

#include <algorithm>
#include <cmath>

#include <boost/math/distributions/normal.hpp>

#include "common/units.hpp"
#include "models/hardware/precision.hpp"
#include "models/workload/memory.hpp"

namespace cirrus::models {
namespace {

double element_bytes(Precision p) { return param_bytes(p); }

}  // namespace

double expected_active_experts(int experts, int top_k, double tokens) {
  if (experts <= 0) return 0;
  const double e = experts;
  const double miss = 1.0 - std::min(1.0, static_cast<double>(top_k) / e);
  return e * (1.0 - std::pow(miss, tokens));
}

double ep_busiest_assignments(double assignments, int ep, double cap) {
  if (ep <= 1 || assignments <= 0) return std::min(assignments, cap);
  const double p = 1.0 / ep;
  const double z =
      boost::math::quantile(boost::math::normal_distribution<double>(), (ep - 0.375) / (ep + 0.25));
  const double busiest = assignments * p + z * std::sqrt(assignments * p * (1.0 - p));
  // Some GPU gets at least its whole share rounded up (the normal tail undercounts few draws).
  return std::min(cap, std::max(busiest, std::ceil(assignments * p)));
}

double layer_weight_bytes(const TransformerConfig& m, int layer, Precision p) {
  return element_bytes(p) * m.layer_parameters(layer);
}

double resident_weight_bytes(const TransformerConfig& m, Precision p) {
  const double h = static_cast<double>(m.hidden);
  const double embeddings = static_cast<double>(m.vocab) * h * (m.tied_embeddings ? 1.0 : 2.0);
  return element_bytes(p) * (embeddings + 2.0 * h);
}

double kv_cache_bytes(const TransformerConfig& m, int batch, double tokens, Precision p) {
  // K and V of every layer, kv_dim wide, in the activation precision.
  return 2.0 * element_bytes(p) * batch * tokens * static_cast<double>(m.kv_dim()) * m.layers;
}

PassCost pass_cost(const TransformerConfig& m, const ComputeModel& cm, Precision p, int batch,
                   double tokens, double context) {
  const double e = element_bytes(p);
  const double t = batch * tokens;  // new tokens in this pass
  const double h = static_cast<double>(m.hidden);
  const double kv = static_cast<double>(m.kv_dim());
  PassCost c;
  for (int layer = 0; layer < m.layers; ++layer) {
    double s = 0;
    s += cm.seconds(memory_op("norm1", 2.0 * e * t * h));
    s += cm.seconds(gemm("qkv", t, h + 2.0 * kv, h, 1, e));
    // Attention over the cache plus the causal half of the new block: 4 FLOPs per (query,
    // key, head-dim element) pair; reads the cached K, V and the new Q, writes the output.
    const double keys = context + tokens / 2.0;
    const double flops = 4.0 * t * keys * h;
    const double bytes = 2.0 * e * batch * (context + tokens) * kv + 2.0 * e * t * h;
    s += cm.seconds(flash_attention("attention", flops, bytes));
    s += cm.seconds(gemm("attn_out", t, h, h, 1, e));
    s += cm.seconds(memory_op("norm2_residual", 4.0 * e * t * h));
    const FfnCost ffn = inference_ffn_cost(m, cm, m.is_moe_layer(layer), t, 1, e, e, false);
    s += ffn.seconds;
    const double weights = 2.0 * h * h + 2.0 * h * kv + 4.0 * h + ffn.weight_params;
    c.compute_s.push_back(s);
    c.weight_bytes.push_back(e * weights);
  }
  // Embedding lookup, final norm, logits of the last position of each sequence.
  c.head_s = cm.seconds(memory_op("embedding", 2.0 * e * t * h)) +
             cm.seconds(memory_op("final_norm", 2.0 * e * batch * h)) +
             cm.seconds(gemm("logits", batch, static_cast<double>(m.vocab), h, 1, e));
  return c;
}

FfnCost inference_ffn_cost(const TransformerConfig& m, const ComputeModel& cm, bool moe_layer,
                           double t, int tp, double e, double w, bool fp8, int ep) {
  const double h = static_cast<double>(m.hidden);
  const double mats = m.ffn_matrices();
  FfnCost c;
  double& s = c.seconds;
  if (moe_layer) {
    const int experts = m.moe->experts;
    const int k = m.moe->top_k;
    s += cm.seconds(gemm("router", t, experts, h, 1, e));
    // The GPU's share of the experts: tp-sliced all (ep 1), or experts / ep whole ones.
    const int local = ep > 1 ? experts / ep : experts;
    const double f = static_cast<double>(m.expert_ffn_hidden()) / (ep > 1 ? 1 : tp);
    const double assigned =
        ep > 1 ? ep_busiest_assignments(t * k, ep, t * std::min(k, local)) : t * k;
    const double active =
        ep > 1 ? expected_active_experts(local, 1, assigned) : expected_active_experts(local, k, t);
    const double per_expert = assigned / std::max(active, 1e-9);
    s += cm.seconds(weight_gemm("expert_up", per_expert, (mats - 1.0) * f, h, active, e, w, fp8));
    s += cm.seconds(memory_op("expert_act", mats * e * assigned * f));
    s += cm.seconds(weight_gemm("expert_down", per_expert, h, f, active, e, w, fp8));
    c.weight_params = h * experts + active * mats * h * f;
    // Shared experts (DeepSeekMoE) see every token and are always loaded.
    const double shared = std::max(0, m.moe->shared_experts);
    if (shared > 0) {
      const double fs = static_cast<double>(m.expert_ffn_hidden()) / tp;
      s += cm.seconds(weight_gemm("shared_up", t, (mats - 1.0) * fs, h, shared, e, w, fp8));
      s += cm.seconds(memory_op("shared_act", mats * e * t * shared * fs));
      s += cm.seconds(weight_gemm("shared_down", t, h, fs, shared, e, w, fp8));
      c.weight_params += shared * mats * h * fs;
    }
  } else {
    const double f = static_cast<double>(m.ffn_hidden) / tp;
    s += cm.seconds(weight_gemm("fc1", t, (mats - 1.0) * f, h, 1, e, w, fp8));
    s += cm.seconds(memory_op("activation", mats * e * t * f));
    s += cm.seconds(weight_gemm("fc2", t, h, f, 1, e, w, fp8));
    c.weight_params = mats * h * f;
  }
  return c;
}

double resident_pass_seconds(const PassCost& c) {
  double s = c.head_s;
  for (double x : c.compute_s) s += x;
  return s;
}

double ring_pass_seconds(const PassCost& c, double pcie_bw, int slots) {
  const std::size_t n = c.compute_s.size();
  const std::size_t k = static_cast<std::size_t>(std::max(1, slots));
  std::vector<double> compute_end(n, 0.0);
  double load_end = 0, prev_compute = 0;
  for (std::size_t i = 0; i < n; ++i) {
    // Slot i % k is free once section i - k has computed.
    const double slot_free = i >= k ? compute_end[i - k] : 0.0;
    load_end = std::max(load_end, slot_free) + c.weight_bytes[i] / pcie_bw;
    compute_end[i] = std::max(prev_compute, load_end) + c.compute_s[i];
    prev_compute = compute_end[i];
  }
  return prev_compute + c.head_s;
}

std::vector<ServePoint> serve(const ServeInput& in) {
  const auto& m = in.model;
  const auto& spec = in.spec;
  const ComputeModel cm(in.gpu, in.precision);
  double all_layers = 0, largest = 0;
  for (int l = 0; l < m.layers; ++l) {
    const double b = layer_weight_bytes(m, l, in.precision);
    all_layers += b;
    largest = std::max(largest, b);
  }
  const double fixed = resident_weight_bytes(m, in.precision) + kRuntimeReserveBytes;
  const double total_tokens = static_cast<double>(spec.prompt_tokens + spec.output_tokens);
  // Decode steps are priced at the mean context (prompt + output / 2): attention's cache reads
  // grow linearly with the context, so the mean step is exact for them.
  const double mean_context =
      static_cast<double>(spec.prompt_tokens) + static_cast<double>(spec.output_tokens) / 2.0;
  const double decode_steps = static_cast<double>(std::max<long>(0, spec.output_tokens - 1));
  std::vector<ServePoint> out;
  for (int b : spec.batch) {
    ServePoint pt;
    pt.batch = b;
    const double kv = kv_cache_bytes(m, b, total_tokens, in.precision);
    pt.resident_gib = (fixed + all_layers + kv) / kGiB;
    pt.offloaded_gib = (fixed + std::min(all_layers, spec.gpu_sections * largest) + kv) / kGiB;
    pt.resident_fits = pt.resident_gib * kGiB <= in.gpu.memory_bytes;
    pt.offloaded_fits = pt.offloaded_gib * kGiB <= in.gpu.memory_bytes;
    const PassCost prefill =
        pass_cost(m, cm, in.precision, b, static_cast<double>(spec.prompt_tokens), 0.0);
    const PassCost decode = pass_cost(m, cm, in.precision, b, 1.0, mean_context);
    const double generated = static_cast<double>(b) * static_cast<double>(spec.output_tokens);
    const double r_pre = resident_pass_seconds(prefill), r_dec = resident_pass_seconds(decode);
    const double o_pre = ring_pass_seconds(prefill, in.pcie_bw, spec.gpu_sections);
    const double o_dec = ring_pass_seconds(decode, in.pcie_bw, spec.gpu_sections);
    if (pt.resident_fits) pt.resident_tokens_per_s = generated / (r_pre + decode_steps * r_dec);
    if (pt.offloaded_fits) pt.offloaded_tokens_per_s = generated / (o_pre + decode_steps * o_dec);
    if (pt.resident_fits) {
      pt.applies = "resident";
      pt.prefill_s = r_pre;
      pt.decode_step_s = r_dec;
    } else if (pt.offloaded_fits) {
      pt.applies = "offloaded";
      pt.prefill_s = o_pre;
      pt.decode_step_s = o_dec;
    } else {
      pt.applies = "none";
    }
    out.push_back(pt);
  }
  return out;
}

}  // namespace cirrus::models
