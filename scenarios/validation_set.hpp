#pragma once
// Published step times to validate against (`cirrus validate`). A dataset is a JSON file like
// data/validation/megatron_sc21_table1.json: rows of model shape, parallel layout and a
// published throughput, plus the hardware they ran on. Where the publication leaves a choice
// open (micro-batch, schedule, recomputation), the row's assumption is recorded so the output
// can say what cirrus assumed.
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

// Reads a dataset. Supported conventions: "megatron-sc21" (throughput in the paper's Eq. 3
// FLOPs, which count one recomputed forward). Throws InputError on malformed files.
ValidationSet load_validation_set(const std::string& path);

}  // namespace cirrus::scenarios
