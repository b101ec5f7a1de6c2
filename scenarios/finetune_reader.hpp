#pragma once
// `training.finetune` (CONTRACT.md): a recipe's name ("qlora-r64-all-linear") or an object
// {"method", "rank", "alpha", "targets", "base_bits"}, read into models::Finetune with the
// loader's errors (file, JSON path, what was expected).
#include "common/json_reader.hpp"
#include "models/workload/strategy.hpp"
#include "models/workload/transformer.hpp"
#include "scenarios/scenario.hpp"

namespace cirrus::scenarios {

// Inclusive bound of `rank` (CONTRACT.md, "Limits"): far above the ranks published recipes use
// (8 to 256), below any model width the loader accepts.
inline constexpr int kMaxLoraRank = 65536;

// `t` gives the training precision (the default base_bits and the fp8 refusal), `m` the model
// (MoE models are refused with a frozen base: the adapters of experts are not modelled).
models::Finetune read_finetune(const JsonNode& n, const models::Training& t,
                               const models::TransformerConfig& m);

// With a frozen base: strategy.offload is refused (offloading adapters' states is not
// modelled), naming `finetune`'s path.
void check_finetune_strategy(const JsonNode& finetune, const StrategySpace& s);

}  // namespace cirrus::scenarios
