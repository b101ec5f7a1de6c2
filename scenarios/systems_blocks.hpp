#pragma once
// Readers of the scenario's systems blocks (additive to CONTRACT.md): `strategy.offload`
// (hierarchical storage), `elastic` (node count changing over the run) and `inference`
// (offloaded serving). Each throws InputError naming the JSON path of a bad value.
#include "common/json_reader.hpp"
#include "models/hardware/storage_tiers.hpp"
#include "models/systems/elastic_run.hpp"
#include "models/systems/offload_inference.hpp"

namespace cirrus::scenarios {

// "gpu", "host" or "nvme".
models::Tier read_tier(const JsonNode& n);
// {"params": "gpu"|"host"|"nvme", "optimizer": ..., "prefetch_layers": N >= 0,
//  "prefetch_experts": N >= 0, "fused_comm": bool}
// "params" and "optimizer" may also be a list of tiers or "auto" (planner choices, read by the
// loader); they are read here only when both are single tiers, and then must be compatible.
models::Offload read_offload(const JsonNode& n);
// {"schedule": [{"at_hours": 0, "nodes": 64}, ...], "reshard_gbyte_per_s": per node,
//  "restart_s": seconds}; times strictly increasing from 0. Or, instead of the schedule,
// "spot": {"interruptions_per_node_hour": r >= 0, "replacement_hours": h >= 0, "seed": N};
// an absent rate is read as -1 (the catalog's default spot rate for the instance).
models::ElasticSpec read_elastic(const JsonNode& n);
// {"batch": N or [N...], "prompt_tokens": N, "output_tokens": N, "gpu_sections": k >= 1}
models::InferenceSpec read_inference(const JsonNode& n);

}  // namespace cirrus::scenarios
