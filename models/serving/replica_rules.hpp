#pragma once
// Whether a replica of tp GPUs can serve a model on a node, by vLLM's rules: the tensor-parallel
// group stays on one node (its scale-up link), tp divides the attention heads, and divides or is
// a multiple of the KV heads (KV heads are replicated when fewer than tp).
#include <optional>
#include <string>

#include "models/hardware/hardware.hpp"
#include "models/workload/transformer.hpp"

namespace cirrus::models {

// What a valid tp is, in words, when `tp` is not one; nullopt when it is.
std::optional<std::string> tp_problem(const TransformerConfig& m, const NodeSpec& node, int tp);

// Why experts cannot be placed whole on tp GPUs (serving.expert_parallel): the model has no MoE
// layer, or tp does not divide its routed experts; nullopt when they can.
std::optional<std::string> ep_problem(const TransformerConfig& m, int tp);

}  // namespace cirrus::models
