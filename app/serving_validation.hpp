#pragma once
// `validate` on published serving throughputs (scenarios/serving_validation_set.hpp): each row's
// scenario run as `cirrus serve` runs it (app/serving_run.hpp, the GPU's public profile unless
// turned off), its output tokens per second (all output tokens over the makespan) beside the
// published figure. reports/serving_validation.hpp renders it.
#include <string>
#include <vector>

#include "app/profiles.hpp"
#include "app/validation_stats.hpp"
#include "scenarios/serving_validation_set.hpp"

namespace cirrus::app {

struct ServingValidationResult {
  std::string id, source, stated, notes;
  bool uncertain = false;
  std::string model;
  std::string gpu_family;  // models/hardware/gpu_family.hpp ("h100")
  std::string precision;   // the weights' GEMMs: "fp8", "int8" (weight-only) or the dtype
  int tp = 1;
  std::int64_t input_tokens = 0, output_tokens = 0, requests = 0;  // per request; the count
  double measured = 0;                                             // output tokens/s
  double predicted = 0;                                            // output tokens/s
  double error = 0;                 // (predicted - measured) / measured
  double output_per_iteration = 0;  // output tokens per iteration (about the decode batch)
  std::int64_t kv_blocks = 0;
  std::string refused;  // why the row could not be simulated (then no prediction)
};

struct ServingValidation {
  std::string file, title, source;
  std::vector<std::string> setup, assumptions;
  std::vector<ServingValidationResult> rows;
  ErrorStats all;
  std::vector<std::pair<std::string, ErrorStats>> by_model;  // in first-appearance order
  int refused() const;
};

ServingValidation run_serving_validation(const scenarios::ServingValidationSet& set,
                                         const ProfileDefaults& profiles);

}  // namespace cirrus::app
