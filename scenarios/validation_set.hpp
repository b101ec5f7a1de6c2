#pragma once
// Published step times to validate against (`cirrus validate`). A dataset is a JSON file like
// data/validation/megatron_sc21_table1.json: rows of model shape (record_id, layers, hidden,
// heads, [kv_heads], ffn_hidden, [ffn], seq_len, vocab), parallel layout (global_batch, tp,
// pp, dp, gpus) and a published figure: "step_time_s", or "achieved_tflops_per_gpu" in the
// SC'21 convention (the paper's Eq. 3 FLOPs).
//
// The run's setup: an optional "setup" object (node, precision, micro_batch, schedule,
// virtual_stages, recompute, attention, sequence_parallel, zero, overlap{dp,tp,pp}) applies to
// every row, and a row may carry the same keys for itself. What the setup does not state is
// Megatron-LM 2021's (fp16, micro-batch 1, 1F1B, full recomputation, unfused attention, no
// sequence parallelism, no ZeRO, no overlap, DGX A100 80GB). "assumed" lists, in words, what
// the dataset's author assumed where the publication is silent; a dataset with neither
// "setup" nor "assumed" is the SC'21 table and gets its assumption lines.
#include <string>
#include <vector>

#include "models/step_builder.hpp"

namespace cirrus::scenarios {

struct ValidationRow {
  std::string id;
  models::StepInput input;
  double published_step_s = 0;
};

struct ValidationSet {
  std::string title;
  std::string source;
  std::string file;
  std::vector<std::string> assumptions;  // what cirrus assumed where the source is silent
  std::vector<ValidationRow> rows;
};

// Reads a dataset. Throws InputError naming the file and JSON path on malformed files and
// unknown keys.
ValidationSet load_validation_set(const std::string& path);

}  // namespace cirrus::scenarios
