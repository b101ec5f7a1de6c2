#pragma once
// Error bars: how far a predicted step time may be from what the configuration would really
// take, from the model's validation residuals (data/validation/residuals.json, written by
// `cirrus validate --all --write-residuals`; read by scenarios/residuals.hpp) and the
// prediction's calibration status. Pure logic, no files.
//
// A residual is the signed relative error (predicted - published) / published of one
// published run that cirrus predicted. The file groups them by (GPU family, precision), by
// precision over every GPU (family "all") and over everything ("all", "all"); per group it
// gives the number of runs, the median signed error and the standard deviation `sigma`.
//
// The rules (estimate_uncertainty):
//
//  1. The group of the GPU's family (models/hardware/gpu_family.hpp) and the training precision,
//  when
//     it has at least kMinRows runs: the band is that group's sigma; its median error is the
//     bias, reported and never used to correct the prediction. Basis: "1 sigma over 60
//     published H100 bf16 runs".
//  2. Otherwise, when the prediction rests on a calibration profile (measured, or a shipped
//     public one) or its family has published runs in another precision: the precision's group
//     over all GPUs, then the group of all runs, each when it has kMinRows runs, and the basis
//     says which group was missing ("1 sigma over 120 published runs of all GPUs in bf16 (no
//     H200 bf16 runs)").
//  3. Otherwise the GPU has datasheet figures only (no profile, no published run of its family:
//     L4, L40S, A10, MI300X, ...) and its band is wide: nothing has checked this GPU's figures
//     (its peaks, its achieved GEMM and memory fractions, which fall back to defaults where
//     unpublished) against a real run. Its error is taken as two independent errors, each as
//     large as the worst a validated group shows: the model's own error, as the validated
//     groups measure it, and the error of the GPU's unchecked figures, taken as no smaller.
//     The worst group is the one whose root-mean-square signed error about zero,
//     sqrt(sigma^2 + median^2), is largest, among the per-family groups with kMinRows runs
//     (among the pooled groups when no family group has them): the bias is folded in because
//     an unvalidated GPU's bias is unknown and cannot be reported apart. Independent errors add
//     in quadrature, so the band is sqrt(2) x that root-mean-square error. It is a floor, not a
//     ceiling: a GPU of another vendor or generation can be off by more (the MI300X's published
//     best GEMM reaches 51% of its peak against 80% on NVIDIA parts, hardware.cpp). The bias is
//     unknown (not reported).
//  4. A GPU whose preset marks some figure uncertain (GpuSpec::uncertain: third-party or
//     recalled datasheet figures) adds one more independent error of the same size: x sqrt(2)
//     on a rule-1/2 band (sqrt(3) in place of sqrt(2) on a rule-3 band). The residuals file
//     does not say which presets its runs used, so for a preset whose own runs are in its
//     family's group (the 96 GB H100 of torchtitan's runs) this counts that uncertainty twice
//     and errs wide.
//  5. Without a residuals file, or without a group with kMinRows runs for the rules above, the
//     error is unknown and said so; no band is drawn.
//
// Ranges are value x (1 -/+ sigma), the low end floored at 0: the first-order reading of a
// relative error (the exact inverse, value / (1 +/- sigma), differs by sigma^2, under 1% of the
// value for sigma up to 10%). Run days and run cost scale with the step time (a fixed number of
// steps at a fixed hourly price), so they take the same relative band. Deterministic.
#include <optional>
#include <string>
#include <vector>

#include "models/hardware/hardware.hpp"
#include "models/step/step_input.hpp"
#include "models/step/step_result.hpp"

namespace cirrus::models {

// A group needs this many runs before its sigma is used. The sample standard deviation of n
// values has a relative standard error of about 1 / sqrt(2 (n - 1)): 35% at n = 5, 41% at 4,
// 50% at 3, 71% at 2. Five is the smallest group whose sigma is known to about a third.
inline constexpr int kMinRows = 5;

struct ResidualGroup {
  std::string gpu_family;   // "h100", ..., or "all"
  std::string precision;    // "bf16", ..., or "all"
  int rows = 0;             // predicted published runs in the group
  double median_error = 0;  // of the signed relative errors
  double mape = 0;          // mean absolute error (for the record)
  double sigma = 0;         // standard deviation of the signed relative errors
  std::vector<std::string> datasets;
};

struct ResidualStats {
  std::string file;  // where they were read, for messages
  std::string generated_by;
  std::vector<ResidualGroup> groups;  // as in the file
  // Serving runs' output tokens per second (`serving_groups`, the same statistics), grouped the
  // same way; empty in a file written before serving was validated.
  std::vector<ResidualGroup> serving_groups;

  const ResidualGroup* find(const std::string& gpu_family, const std::string& precision) const;
  const ResidualGroup* find_serving(const std::string& gpu_family,
                                    const std::string& precision) const;
};

// What a prediction's compute and communication figures rest on (StepResult::calibration).
enum class CalibrationStatus { kDatasheet, kPublicProfile, kMeasuredProfile };
const char* to_string(CalibrationStatus c);
// From a calibration label ("datasheet", "public profile (...)", "profile (measured on ...)");
// an empty or unknown label means a measured profile when `has_profile`, else the datasheet.
CalibrationStatus calibration_status(const std::string& label, bool has_profile);

struct Uncertainty {
  bool known = false;          // false: no band (rule 5); `basis` says why
  double sigma = 0;            // relative, 1 sigma, any widening (rules 3 and 4) included
  std::string basis;           // "1 sigma over 60 published H100 bf16 runs"
  std::optional<double> bias;  // the group's median signed error; none on a wide band
  int rows = 0;                // runs of the group the band rests on
  bool wide = false;           // rule 3: datasheet figures only
  std::string gpu_family;      // the group the band rests on ("all" where pooled)
  std::string precision;
  double factor = 1;   // widening of the group's figure (rules 3 and 4): 1, sqrt(2) or sqrt(3)
  std::string source;  // the residuals file
};

// `residuals` null: no residuals file (rule 5).
Uncertainty estimate_uncertainty(const ResidualStats* residuals, const GpuSpec& gpu,
                                 Precision precision, CalibrationStatus calibration);

// The error bars of a simulated step: its GPU, precision and calibration (the result's label,
// and whether the input had a profile).
CalibrationStatus calibration_status_of(const StepInput& in, const StepResult& r);
Uncertainty result_uncertainty(const ResidualStats* residuals, const StepInput& in,
                               const StepResult& r);

struct Range {
  double low = 0;
  double high = 0;
};
// value x (1 - sigma) (at least 0) to value x (1 + sigma).
Range band(double value, double sigma);

// "+/-9%", "+/-4.5%": the band with two significant digits.
std::string sigma_text(double sigma);

// The rules above in a few lines, for a result's notes (the ones that apply to `u`).
std::vector<std::string> uncertainty_notes(const Uncertainty& u);

}  // namespace cirrus::models
