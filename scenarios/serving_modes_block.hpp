#pragma once
// Readers of the serving block's fleet modes (docs/CONTRACT.md, "serving.disaggregation
// (added)", "serving.offload (added)"): prefill/decode disaggregation and the offloaded ring.
// Every key is checked; a bad value throws InputError with its JSON path.
#include "common/json_reader.hpp"
#include "models/serving/serving_modes.hpp"

namespace cirrus::scenarios {

models::DisaggregationSpec read_disaggregation(const JsonNode& n);
models::OffloadModeSpec read_offload_mode(const JsonNode& n);

}  // namespace cirrus::scenarios
