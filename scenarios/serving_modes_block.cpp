#include "scenarios/serving_modes_block.hpp"

#include <fmt/format.h>

#include "scenarios/enum_tables.hpp"
#include "scenarios/serving_block.hpp"

namespace cirrus::scenarios {
namespace {

int read_int_in(const JsonNode& n, std::int64_t min, std::int64_t max) {
  const std::int64_t v = n.as_int();
  if (v < min || v > max) n.fail(fmt::format("an integer from {} to {}", min, max));
  return static_cast<int>(v);
}

}  // namespace

models::DisaggregationSpec read_disaggregation(const JsonNode& n) {
  n.check_keys({"prefill_replicas", "decode_replicas", "prefill_tp", "decode_tp", "transfer"});
  models::DisaggregationSpec d;
  d.prefill_replicas = read_int_in(n.at("prefill_replicas"), 1, kMaxReplicas);
  d.decode_replicas = read_int_in(n.at("decode_replicas"), 1, kMaxReplicas);
  if (auto v = n.find("prefill_tp")) d.prefill_tp = read_int_in(*v, 1, 1024);
  if (auto v = n.find("decode_tp")) d.decode_tp = read_int_in(*v, 1, 1024);
  if (auto v = n.find("transfer"))
    d.transfer = read_enum(*v, accepted(models::kKvTransferLinkNames));
  return d;
}

models::OffloadModeSpec read_offload_mode(const JsonNode& n) {
  n.check_keys({"gpu_sections", "pcie_gbyte_per_s"});
  models::OffloadModeSpec o;
  o.gpu_sections = read_int_in(n.at("gpu_sections"), 1, 1024);
  if (auto v = n.find("pcie_gbyte_per_s")) o.pcie_gbyte_per_s = v->as_number_in(1e-3, 1e5, " GB/s");
  return o;
}

}  // namespace cirrus::scenarios
