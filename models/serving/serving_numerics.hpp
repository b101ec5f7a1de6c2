#pragma once
// The number formats a replica serves in (serving_spec.hpp: dtype, quantization,
// kv_cache_dtype), as the bytes and kernels the memory and iteration models charge:
//   - the activations, and everything that is not a quantized linear layer (embedding, output
//     layer, norms, the MoE router), in the 16- or 32-bit dtype. vLLM's fp8 and ModelOpt FP8
//     checkpoints quantize only the transformer blocks' linear layers and keep the output layer
//     in 16 bits;
//   - the blocks' linear layers (QKV, attention output, FFN, experts) at one byte per weight
//     under fp8 or int8-weight-only; fp8 multiplies on the fp8 tensor cores (Op::fp8), 8-bit
//     weight-only dequantizes into the dtype's GEMMs;
//   - the KV cache at one byte per element under kv_cache_dtype fp8, else the dtype's size.
#include "models/hardware/precision.hpp"
#include "models/serving/serving_spec.hpp"

namespace cirrus::models {

struct ServingNumerics {
  Precision dtype = Precision::kBf16;
  double activation_bytes = 2;     // per element of activations and unquantized weights
  double linear_weight_bytes = 2;  // per weight of a quantized linear layer
  double kv_bytes = 2;             // per cached K or V element
  bool fp8_gemms = false;          // the linear layers' GEMMs run in fp8
};

inline ServingNumerics serving_numerics(Precision dtype, Quantization q, KvCacheDtype kv) {
  ServingNumerics n;
  n.dtype = dtype;
  n.activation_bytes = activation_bytes(dtype);
  n.linear_weight_bytes = q == Quantization::kNone ? param_bytes(dtype) : 1.0;
  n.kv_bytes = kv == KvCacheDtype::kFp8 ? 1.0 : activation_bytes(dtype);
  n.fp8_gemms = q == Quantization::kFp8;
  return n;
}

inline ServingNumerics serving_numerics(const ServingSpec& s) {
  return serving_numerics(s.dtype, s.quantization, s.kv_cache_dtype);
}

// The precision a serving run's error bars group by (residuals' serving_groups): "fp8", "int8"
// (weight-only) or the dtype.
inline const char* serving_precision_label(const ServingSpec& s) {
  switch (s.quantization) {
    case Quantization::kFp8:
      return "fp8";
    case Quantization::kInt8WeightOnly:
      return "int8";
    case Quantization::kNone:
      break;
  }
  return to_string(s.dtype);
}

}  // namespace cirrus::models
