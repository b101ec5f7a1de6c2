#pragma once
// Two ways a serving fleet can be built other than identical colocated replicas
// (docs/CONTRACT.md, "serving.disaggregation (added)", "serving.offload (added)"):
//
// Prefill/decode disaggregation (DistServe, OSDI'24; Splitwise, ISCA'24; NVIDIA Dynamo): one
// pool of replicas runs only prompts, another only decodes; each prompt's KV cache moves from
// the one to the other (disagg_sim.hpp).
//
// The offloaded ring (models/systems/offload_inference.hpp) as a replica: the layers stream
// from host memory through `gpu_sections` resident sections each iteration
// (offload_iteration.hpp).
#include <optional>

#include "common/enum_names.hpp"

namespace cirrus::models {

// The link a prompt's KV cache crosses from its prefill replica to its decode replica: the
// node's scale-up link (both replicas on one node) or its NICs (on different nodes).
enum class KvTransferLink { kNvlink, kNetwork };
inline constexpr EnumNames<KvTransferLink, 2> kKvTransferLinkNames = {
    {{KvTransferLink::kNvlink, "nvlink"}, {KvTransferLink::kNetwork, "network"}}};
inline const char* to_string(KvTransferLink l) { return name_in(kKvTransferLinkNames, l); }

struct DisaggregationSpec {
  int prefill_replicas = 1;
  int decode_replicas = 1;
  std::optional<int> prefill_tp;  // unset: serving.tp
  std::optional<int> decode_tp;   // unset: serving.tp
  KvTransferLink transfer = KvTransferLink::kNetwork;
};

struct OffloadModeSpec {
  int gpu_sections = 2;
  std::optional<double> pcie_gbyte_per_s;  // unset: the node's measured copy rate, else PCIe's
};

}  // namespace cirrus::models
