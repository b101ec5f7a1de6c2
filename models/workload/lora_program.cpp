#include "models/workload/lora_program.hpp"

namespace cirrus::models {

namespace {

// The forward GEMMs of an adapter: A maps d_in to r, B maps r to d_out.
Op lora_a(const AdaptedMatrix& a, double tokens, int rank, double e) {
  return gemm("lora_a", tokens, rank, a.d_in, 1, e);
}
Op lora_b(const AdaptedMatrix& a, double tokens, int rank, double e) {
  return gemm("lora_b", tokens, a.d_out, rank, 1, e);
}

// Input and weight gradients of forward GEMM `fwd`, looked up by the forward's shape.
void backward_pair(std::vector<Op>& out, const char* dgrad, const char* wgrad, const Op& fwd,
                   double e) {
  Op dx = gemm(dgrad, fwd.m, fwd.k, fwd.n, fwd.batch, e);
  Op dw = gemm(wgrad, fwd.k, fwd.n, fwd.m, fwd.batch, e);
  for (Op* op : {&dx, &dw}) {
    op->lookup_m = fwd.m;
    op->lookup_n = fwd.n;
    op->lookup_k = fwd.k;
  }
  out.push_back(dx);
  out.push_back(dw);
}

}  // namespace

std::vector<Op> adapter_forward(const AdaptedMatrix& a, double tokens, int rank, double e,
                                bool eager) {
  const double out_elems = tokens * a.d_out;
  return {lora_a(a, tokens, rank, e), lora_b(a, tokens, rank, e),
          memory_op("lora_scale_add", (eager ? 5.0 : 3.0) * e * out_elems)};
}

std::vector<Op> adapter_backward(const AdaptedMatrix& a, double tokens, int rank, double e) {
  std::vector<Op> out;
  out.push_back(memory_op("lora_scale_bwd", 2.0 * e * tokens * a.d_out));
  backward_pair(out, "lora_b_dgrad", "lora_b_wgrad", lora_b(a, tokens, rank, e), e);
  backward_pair(out, "lora_a_dgrad", "lora_a_wgrad", lora_a(a, tokens, rank, e), e);
  return out;
}

std::vector<Op> dequantize(const Op& base, const Finetune& f, Precision p) {
  const double stored = frozen_weight_bits(f.base_bits) / 8.0;
  const double compute = param_bytes(p);
  if (!f.frozen_base() || stored >= compute) return {};
  const double weights = base.k * base.n * base.batch;
  return {memory_op("dequantize_weights", (stored + compute) * weights)};
}

}  // namespace cirrus::models
