#pragma once
// `cirrus validate` on step-time datasets (scenarios/validation_set.hpp): the result model
// (each row predicted, refused or unsupported, with its memory beside the published peak),
// the summaries by GPU family, precision and framework, the residual statistics that give the
// planner's error bars, and their renderers (table, JSON, residuals file).
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

#include <nlohmann/json.hpp>

#include "models/step/step_input.hpp"
#include "scenarios/validation_set.hpp"

namespace cirrus::reports {

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

// The statistics of a list of signed relative errors.
struct ErrorStats {
  int n = 0;
  double mape = 0;    // mean of |e|
  double mean = 0;    // mean of e
  double median = 0;  // middle value of e (the mean of the two middle values for even n)
  double sigma = 0;   // sample standard deviation of e about the mean (n - 1); 0 when n < 2
};
ErrorStats error_stats(const std::vector<double>& errors);

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

// One dataset: rows, MAPE line, summary table by family/precision/framework, assumptions.
std::string render_dataset_table(const DatasetValidation& d);
// A summary table (the `by` of the heading says which keys it groups by).
std::string render_summary_table(const std::vector<GroupSummary>& groups,
                                 const std::string& heading);
nlohmann::json dataset_json(const DatasetValidation& d);
nlohmann::json summary_json(const std::vector<GroupSummary>& groups);

// The residuals file (data/validation/residuals.json): per (GPU family, precision), per
// precision over all GPUs, and overall, the statistics of the predicted rows' signed errors.
// Deterministic: the same datasets and model give the same bytes.
inline constexpr const char* kResidualsCommand =
    "cirrus validate --all --write-residuals data/validation/residuals.json";
std::string render_residuals(const std::vector<DatasetValidation>& sets);

}  // namespace cirrus::reports
