#pragma once
// Which attention kernel a step runs (strategy.attention); models/compute/attention_kernels.hpp
// prices each.
#include "common/enum_names.hpp"

namespace cirrus::models {

// kFlash: the fused attention kernel the GPU's generation runs by default (FlashAttention-2 on
// Ampere, cuDNN fused attention on Hopper and later); the others name the kernel.
enum class AttentionKernel { kFlash, kFlash1, kFlash2, kFlash3, kCudnn, kUnfused };
inline bool fused(AttentionKernel a) { return a != AttentionKernel::kUnfused; }
const char* to_string(AttentionKernel a);
inline constexpr EnumNames<AttentionKernel, 6> kAttentionKernelNames = {
    {{AttentionKernel::kFlash, "flash"},
     {AttentionKernel::kFlash1, "flash1"},
     {AttentionKernel::kFlash2, "flash2"},
     {AttentionKernel::kFlash3, "flash3"},
     {AttentionKernel::kCudnn, "cudnn"},
     {AttentionKernel::kUnfused, "unfused"}}};

}  // namespace cirrus::models
