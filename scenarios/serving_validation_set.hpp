#pragma once
// Published serving throughputs to validate the request-level simulation against (`cirrus
// validate` on a file like data/validation/trtllm_serving.json):
//
//   {"cirrus_serving_validation": 1, "title": "...", "source": "...", "generated_by": "...",
//    "setup": {...} (stated, shown as is), "assumed": ["..."],
//    "serving_rows": [{"id": "...", "model": "...", "source": "...", "stated": "...", "notes":
//    "...",
//                      "uncertain": false, "measured_output_tokens_per_s": 28312,
//                      "scenario": { a complete scenario with a serving block }}]}
//
// Each row's scenario is read by the scenario loader itself (errors name the dataset file, the
// row and the path inside the scenario), so a row is exactly what `cirrus serve` would run.
#include <string>
#include <vector>

#include "scenarios/scenario.hpp"

namespace cirrus::scenarios {

struct ServingValidationRow {
  std::string id, model, source, stated, notes;  // model: its name as published
  bool uncertain = false;
  double measured_output_tokens_per_s = 0;
  Scenario scenario;
};

struct ServingValidationSet {
  std::string file, title, source;
  std::vector<std::string> setup;  // "key: value" lines of the stated setup, in file order
  std::vector<std::string> assumptions;
  std::vector<ServingValidationRow> rows;
};

// Whether a file is a serving validation dataset (has "cirrus_serving_validation").
bool is_serving_validation_set(const std::string& path);
ServingValidationSet load_serving_validation_set(const std::string& path);
ServingValidationSet parse_serving_validation_set(const std::string& text, const std::string& path);

}  // namespace cirrus::scenarios
