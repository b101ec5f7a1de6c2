#pragma once
// The training precisions and the bytes per element of each kind of tensor under them. One
// place, so the memory model and the communication volumes agree.
#include "common/enum_names.hpp"

namespace cirrus::models {

enum class Precision { kFp32, kTf32, kFp16, kBf16, kFp8 };
const char* to_string(Precision p);
// The spellings of CONTRACT.md's `training.precision`.
inline constexpr EnumNames<Precision, 5> kPrecisionNames = {{{Precision::kFp32, "fp32"},
                                                             {Precision::kTf32, "tf32"},
                                                             {Precision::kFp16, "fp16"},
                                                             {Precision::kBf16, "bf16"},
                                                             {Precision::kFp8, "fp8"}}};

// Activations and the weights the GEMMs read: 16-bit except in fp32 training. fp8 training
// (Transformer Engine) keeps bf16 activations between layers and bf16 weights.
inline double activation_bytes(Precision p) { return p == Precision::kFp32 ? 4.0 : 2.0; }
inline double param_bytes(Precision p) { return p == Precision::kFp32 ? 4.0 : 2.0; }
// Gradients as reduced across data parallelism. Megatron-LM accumulates and reduces bf16
// gradients in fp32 (its default --accumulate-allreduce-grads-in-fp32 for bf16); fp16 runs
// reduce fp16 gradients (the 2021 setting of the SC'21 runs).
inline double grad_bytes(Precision p) { return p == Precision::kFp16 ? 2.0 : 4.0; }

}  // namespace cirrus::models
