#include "models/serving/replica_rules.hpp"

#include <fmt/format.h>

namespace cirrus::models {

std::optional<std::string> tp_problem(const TransformerConfig& m, const NodeSpec& node, int tp) {
  const int kv = m.kv_heads > 0 ? m.kv_heads : m.heads;
  if (tp > node.gpus) {
    return fmt::format(
        "at most the node's {} GPUs (a replica's tensor-parallel group shares one node's "
        "scale-up link)",
        node.gpus);
  }
  if (m.heads % tp != 0 || (kv % tp != 0 && tp % kv != 0)) {
    return fmt::format(
        "a tp that divides the model's {} attention heads and divides or is a multiple of its {} "
        "KV heads (vLLM's rule)",
        m.heads, kv);
  }
  return std::nullopt;
}

std::optional<std::string> ep_problem(const TransformerConfig& m, int tp) {
  if (!m.moe) return std::string("a Mixture-of-Experts model (this one has no experts to place)");
  if (m.moe->experts % tp != 0) {
    return fmt::format(
        "a tp that divides the model's {} routed experts, each GPU holding whole ones",
        m.moe->experts);
  }
  return std::nullopt;
}

}  // namespace cirrus::models
