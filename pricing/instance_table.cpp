#include "pricing/instance_table.hpp"

#include <algorithm>
#include <cctype>

#include "pricing/catalog.hpp"

namespace cirrus::pricing {

const KnownHardware* find_known_hardware(std::string_view provider, std::string_view name) {
  for (const KnownHardware& k : kKnownHardware) {
    if (k.provider == provider && k.name == name) return &k;
  }
  return nullptr;
}

bool apply_known_hardware(Instance& in) {
  const KnownHardware* k = find_known_hardware(in.provider, in.name);
  if (k == nullptr) return false;
  in.gpu = std::string(k->gpu);
  in.gpu_model = std::string(k->gpu_model);
  in.node = std::string(k->node);
  in.gpus = k->gpus;
  if (!in.vcpus && k->vcpus > 0) in.vcpus = k->vcpus;
  if (!in.memory_gib && k->memory_gib > 0) in.memory_gib = k->memory_gib;
  if (k->network_gbps > 0) in.network_gbps = k->network_gbps;
  if (k->nics > 0) {
    in.nics = k->nics;
    in.nic_gbps = k->nic_gbps;
  }
  return true;
}

std::optional<std::string> gpu_id_for_accelerator(std::string_view accelerator) {
  std::string a;
  for (const char c : accelerator) {
    if (c != ' ' && c != '-' && c != '_') {
      a.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
  }
  if (a.starts_with("NVIDIA")) a = a.substr(6);
  if (a.starts_with("TESLA")) a = a.substr(5);
  struct Alias {
    const char* name;
    const char* gpu;
  };
  static constexpr Alias kAliases[] = {
      {"A10080GB", "a100-sxm-80gb"},
      {"A100", "a100-sxm-40gb"},
      {"A10040GB", "a100-sxm-40gb"},
      {"H100MEGA", "h100-sxm"},
      {"H10080GB", "h100-sxm"},
      {"H100", "h100-sxm"},
      {"H100SXM", "h100-sxm"},
      {"H100PCIE", "h100-pcie"},
      {"H200", "h200-sxm"},
      {"H200141GB", "h200-sxm"},
      {"L4", "l4"},
      {"L40S", "l40s"},
      {"A10G", "a10g"},
      {"A10", "a10"},
      {"V100", "v100-sxm-16gb"},
      {"V10032GB", "v100-sxm-32gb"},
      {"MI300X", "mi300x"},
  };
  for (const Alias& alias : kAliases) {
    if (a == alias.name) return std::string(alias.gpu);
  }
  return std::nullopt;
}

}  // namespace cirrus::pricing
