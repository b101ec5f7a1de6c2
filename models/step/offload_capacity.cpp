#include "models/step/offload_capacity.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <string>

#include "common/units.hpp"
#include "models/workload/memory.hpp"

namespace cirrus::models {

bool check_offload_capacity(const StepInput& in, StepResult& r) {
  const auto& s = in.strategy;
  if (!s.offload.any()) return true;
  const auto& node = in.cluster.node;
  double host = 0, nvme = 0;
  for (int st = 0; st < s.pp; ++st) {
    const MemoryEstimate e = estimate_memory(in.model, in.training, s, st);
    host = std::max(host, e.host);
    nvme = std::max(nvme, e.nvme);
  }
  const double gpus = node.gpus;
  if (s.offload.params_offloaded() && !s.offload.optimizer_offloaded()) {
    return r.refuse(Infeasibility::kParamsWithoutOptimizer,
                    "parameters offloaded with the optimizer states on the GPU: a GPU optimizer "
                    "needs the full parameters on the GPU (offload the optimizer states too)");
  }
  if (host > 0 && node.host_memory_bytes <= 0) {
    return r.refuse(Infeasibility::kHostMemoryUnknown,
                    fmt::format("offload to host memory, but the host memory of {} is unknown "
                                "(give cluster.node.host_memory_gib)",
                                node.display));
  }
  if (host * gpus > node.host_memory_bytes) {
    return r.refuse(Infeasibility::kOutOfHostMemory,
                    fmt::format("out of host memory: offloaded states need {:.0f} GiB per node, {} "
                                "has {:.0f} GiB",
                                host * gpus / kGiB, node.display, node.host_memory_bytes / kGiB));
  }
  if (nvme > 0 && node.nvme_bytes <= 0) {
    return r.refuse(Infeasibility::kNoNvme,
                    fmt::format("offload to NVMe, but {} has no NVMe drives known", node.display));
  }
  if (nvme * gpus > node.nvme_bytes) {
    return r.refuse(Infeasibility::kOutOfNvme,
                    fmt::format("out of NVMe: offloaded states need {:.0f} GB per node, {} has "
                                "{:.0f} GB",
                                nvme * gpus / kGB, node.display, node.nvme_bytes / kGB));
  }
  return true;
}

}  // namespace cirrus::models
