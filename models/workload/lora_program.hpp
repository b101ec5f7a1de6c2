#pragma once
// The kernels LoRA and QLoRA add to a layer's program (layer_program.hpp), beside a frozen base
// linear layer: the adapter's two GEMMs and the scaled add of its output in the forward pass,
// their input- and weight-gradient GEMMs in the backward pass, and under a quantized base the
// dequantization of the frozen weights before every GEMM that reads them.
#include <vector>

#include "models/compute/compute_model.hpp"
#include "models/workload/finetune.hpp"

namespace cirrus::models {

// The adapter beside matrix `a` over `tokens` tokens: x A^T (tokens x d_in x r), then (.) B^T
// (tokens x r x d_out), 2 tokens r (d_in + d_out) FLOPs; then the output scaled by alpha / r and
// added to the base output (PEFT: result + lora_B(lora_A(x)) * scaling): fused, read both and
// write the sum (3 e per output element); eager, the multiply (2 e) and the add (3 e).
std::vector<Op> adapter_forward(const AdaptedMatrix& a, double tokens, int rank, double e,
                                bool eager);
// Its backward: the scaling of the output gradient (read, write: 2 e per element), then for B
// and for A the input gradient and the weight gradient (each the size of its forward GEMM):
// 2 x the forward FLOPs. A's input gradient is added into the base layer's (same tensor).
std::vector<Op> adapter_backward(const AdaptedMatrix& a, double tokens, int rank, double e);

// Dequantization of the frozen weights of base GEMM `base` ((m x k) @ (k x n): k x n x batch
// weights) to the 16-bit compute type before it runs (bitsandbytes' dequantize_4bit, forward and
// backward alike): a memory-bound pass reading frozen_weight_bits / 8 bytes per weight (the
// quantization constants included) and writing param_bytes(precision). Nothing (an empty
// vector) when the base weights are stored in the compute type.
std::vector<Op> dequantize(const Op& base, const Finetune& f, Precision p);

}  // namespace cirrus::models
