#pragma once
// `validate` on step-time datasets (scenarios/validation_set.hpp): each row predicted, refused
// or unsupported, with its memory beside the published peak, and the rows grouped by GPU
// family, precision and framework. reports/validation_report.hpp renders them (tables, JSON,
// the residuals file).
//
// A row is
//   predicted    simulated: predicted step time and signed error (predicted - published) /
//                published;
//   refused      cirrus judged it infeasible (out of memory, or a precision the GPU lacks);
//                every published row ran for real, so a refusal is an error of the model and
//                is counted as one (never silently dropped);
//   unsupported  the configuration breaks a rule of cirrus's step model
//                (models::check_configuration: e.g. more pipeline chunks than layers): listed
//                with the rule, not simulated.
// MAPE, median and sigma are over predicted rows; the summaries count the other two.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "app/validation_stats.hpp"
#include "models/step/step_input.hpp"
#include "scenarios/validation_set.hpp"

namespace cirrus::app {

enum class RowStatus { kPredicted, kRefused, kUnsupported };
const char* to_string(RowStatus s);

struct ValidationRowResult {
  std::string id;
  std::string gpu_family;  // models::gpu_family of the node's GPU
  std::string precision;
  std::string framework;
  int gpus = 0;
  int tp = 1, pp = 1, dp = 1, cp = 1;
  std::string published_kind;  // step_time_s, achieved_tflops_per_gpu, tokens_per_s_per_gpu
  double published_value = 0;
  double published_s = 0;
  RowStatus status = RowStatus::kPredicted;
  std::string reason;  // why refused or unsupported
  double predicted_s = 0;
  double error = 0;  // (predicted - published) / published, predicted rows only
  double mfu = 0;
  std::optional<double> published_memory_gib;  // as published: torch.cuda's max reserved
  std::optional<double> predicted_memory_gib;  // the model's peak per GPU (refused rows too)
  // Of it, what PyTorch's caching allocator reserves (models::MemoryBreakdown::reserved): the
  // figure compared with the published peak.
  std::optional<double> predicted_reserved_gib;
  double memory_capacity_gib = 0;
  // What calibration the row was predicted with (ValidationRunOptions::calibrate); empty:
  // none attached, and the field is left out of the outputs.
  std::string calibration;
  std::string source, stated, note;
  std::vector<std::string> assumed;
};

struct GroupSummary {
  // "all" where the grouping pools over the key.
  std::string gpu_family, precision, framework;
  int rows = 0, predicted = 0, refused = 0, unsupported = 0;
  ErrorStats stats;
  std::string worst_id;  // the predicted row with the largest |error| (first such in order)
  double worst_error = 0;
  std::vector<std::string> datasets;  // dataset file names (no folder), sorted
};

struct DatasetValidation {
  std::string file;  // as given
  std::string name;  // file name without the folder
  std::string title, source;
  std::vector<std::string> assumptions;
  std::vector<ValidationRowResult> rows;
  ErrorStats stats;  // over the predicted rows
  // Over rows with a published peak and a prediction: (predicted reserved - published) /
  // published.
  std::optional<ErrorStats> memory;
  int not_predicted() const;
};

struct ValidationRunOptions {
  // Called for each row before it is simulated, from the worker threads (so it must be safe
  // to call concurrently): may attach a calibration profile to the input; returns what the
  // row's `calibration` field says (empty: no field, in the table and the JSON).
  std::function<std::string(const scenarios::ValidationRow&, models::StepInput&)> calibrate;
  int threads = 0;  // 0: the hardware's; rows are independent, results land in row order
};

// Simulates every row (in parallel, deterministic).
DatasetValidation run_validation(const scenarios::ValidationSet& set,
                                 const ValidationRunOptions& options = {});

enum class GroupBy { kFamilyPrecisionFramework, kFamilyPrecision, kPrecision, kAll };
// Groups the rows of `sets`, sorted by (family, precision, framework); groups keep their
// rows in dataset and row order.
std::vector<GroupSummary> summarize(const std::vector<DatasetValidation>& sets, GroupBy by);

}  // namespace cirrus::app
