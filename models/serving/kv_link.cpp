#include "models/serving/kv_link.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace cirrus::models {

std::optional<std::string> kv_link_problem(const NodeSpec& node, int prefill_tp, int decode_tp,
                                           KvTransferLink transfer) {
  if (transfer == KvTransferLink::kNvlink) {
    if (prefill_tp + decode_tp > node.gpus) {
      return fmt::format(
          "\"network\" when a prefill and a decode replica ({} + {} GPUs) do not fit one {}-GPU "
          "node together",
          prefill_tp, decode_tp, node.gpus);
    }
    return std::nullopt;
  }
  if (node.nics < 1 || node.nic_bw <= 0) return "\"nvlink\" on a node without NICs";
  return std::nullopt;
}

KvLinkFigures kv_link(const NodeSpec& node, int prefill_tp, int decode_tp,
                      KvTransferLink transfer) {
  if (kv_link_problem(node, prefill_tp, decode_tp, transfer)) {
    throw std::logic_error("kv_link: the node cannot carry this transfer");
  }
  const int pairs = std::min(prefill_tp, decode_tp);
  const char* plural = pairs == 1 ? "" : "s";
  KvLinkFigures out;
  if (transfer == KvTransferLink::kNvlink) {
    out.link = {pairs * node.scale_up_bw, node.scale_up_latency_s};
    out.basis = fmt::format(
        "{}'s scale-up link: {} GPU pair{} x {:.0f} GB/s per GPU per direction, {:.3g} us per "
        "transfer",
        node.id, pairs, plural, node.scale_up_bw / 1e9, out.link.latency_s * 1e6);
    return out;
  }
  const double per_gpu = node.nics * node.nic_bw / node.gpus;
  out.link = {pairs * per_gpu, node.nic_latency_s + node.nic_extra_latency_s};
  out.basis = fmt::format(
      "{}'s NICs: {} GPU pair{} x {:.1f} GB/s per GPU ({} x {:.1f} GB/s over {} GPUs), {:.3g} us "
      "per transfer",
      node.id, pairs, plural, per_gpu / 1e9, node.nics, node.nic_bw / 1e9, node.gpus,
      out.link.latency_s * 1e6);
  return out;
}

}  // namespace cirrus::models
