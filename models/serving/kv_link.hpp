#pragma once
// The link a disaggregated fleet sends each prompt's KV cache over, from a prefill replica to a
// decode replica (serving.disaggregation.transfer; disagg_sim.hpp). min(prefill_tp, decode_tp)
// GPU pairs send their shards at once, each over its GPU's share of the link:
//   nvlink:  pairs x the scale-up bandwidth per GPU, one scale-up hop's latency; only when a
//            prefill and a decode replica fit one node together;
//   network: pairs x the node's NIC bandwidth / its GPUs, one inter-node hop's latency.
#include <optional>
#include <string>

#include "models/hardware/hardware.hpp"
#include "models/serving/serving_modes.hpp"

namespace cirrus::models {

struct KvLink {
  double bytes_per_s = 0;
  double latency_s = 0;  // per transfer
  // seconds one transfer of `bytes` holds the link, and takes to land once started
  double hold_seconds(double bytes) const { return bytes / bytes_per_s; }
  double seconds(double bytes) const { return hold_seconds(bytes) + latency_s; }
};

struct KvLinkFigures {
  KvLink link;
  std::string basis;  // where the figures come from, in words
};

// Why the node cannot carry the transfer that way, as what a scenario should say instead
// ("\"network\" when a prefill and a decode replica (4 + 8 GPUs) do not fit one 8-GPU node
// together"); nullopt when it can.
std::optional<std::string> kv_link_problem(const NodeSpec& node, int prefill_tp, int decode_tp,
                                           KvTransferLink transfer);

// The link's figures; kv_link_problem must be nullopt (std::logic_error otherwise).
KvLinkFigures kv_link(const NodeSpec& node, int prefill_tp, int decode_tp, KvTransferLink transfer);

}  // namespace cirrus::models
