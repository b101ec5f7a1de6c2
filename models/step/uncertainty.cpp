#include "models/step/uncertainty.hpp"
#include "common/enum_names.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <cmath>

#include "models/hardware/gpu_family.hpp"

namespace cirrus::models {

namespace {

const ResidualGroup* find_in(const std::vector<ResidualGroup>& groups,
                             const std::string& gpu_family, const std::string& precision) {
  for (const ResidualGroup& g : groups) {
    if (g.gpu_family == gpu_family && g.precision == precision) return &g;
  }
  return nullptr;
}

}  // namespace

const ResidualGroup* ResidualStats::find(const std::string& gpu_family,
                                         const std::string& precision) const {
  return find_in(groups, gpu_family, precision);
}

const ResidualGroup* ResidualStats::find_serving(const std::string& gpu_family,
                                                 const std::string& precision) const {
  return find_in(serving_groups, gpu_family, precision);
}

constexpr EnumNames<CalibrationStatus, 3> kCalibrationStatusNames = {
    {{CalibrationStatus::kDatasheet, "datasheet"},
     {CalibrationStatus::kPublicProfile, "public profile"},
     {CalibrationStatus::kMeasuredProfile, "measured profile"}}};

const char* to_string(CalibrationStatus c) { return name_in(kCalibrationStatusNames, c); }

CalibrationStatus calibration_status(const std::string& label, bool has_profile) {
  if (label.rfind("public profile", 0) == 0) return CalibrationStatus::kPublicProfile;
  if (label.rfind("profile", 0) == 0) return CalibrationStatus::kMeasuredProfile;
  if (label == "datasheet") return CalibrationStatus::kDatasheet;
  return has_profile ? CalibrationStatus::kMeasuredProfile : CalibrationStatus::kDatasheet;
}

namespace {

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

bool usable(const ResidualGroup* g) { return g != nullptr && g->rows >= kMinRows; }

// "no H200 bf16 runs" or "only 3 H200 bf16 runs, fewer than 5".
std::string missing(const ResidualGroup* g, const std::string& what) {
  if (g == nullptr || g->rows == 0) return fmt::format("no {} runs", what);
  return fmt::format("only {} {} run{}, fewer than {}", g->rows, what, g->rows == 1 ? "" : "s",
                     kMinRows);
}

// "H100 bf16", "all GPUs in bf16", "all GPUs and precisions".
std::string group_words(const ResidualGroup& g) {
  if (g.gpu_family == "all" && g.precision == "all") return "runs of all GPUs and precisions";
  if (g.gpu_family == "all") return fmt::format("runs of all GPUs in {}", g.precision);
  if (g.precision == "all") return fmt::format("{} runs in all precisions", upper(g.gpu_family));
  return fmt::format("{} {} runs", upper(g.gpu_family), g.precision);
}

double rms(const ResidualGroup& g) {
  return std::sqrt(g.sigma * g.sigma + g.median_error * g.median_error);
}

std::string percent(double x) { return fmt::format("{:.3g}%", 100.0 * x); }

// The validated group with the largest root-mean-square signed error (rule 3): per-family
// groups first, the pooled ones when no family group has kMinRows runs. Ties keep file order.
const ResidualGroup* worst_group(const ResidualStats& r) {
  for (bool family : {true, false}) {
    const ResidualGroup* worst = nullptr;
    for (const ResidualGroup& g : r.groups) {
      if ((g.gpu_family != "all") != family || g.rows < kMinRows) continue;
      if (worst == nullptr || rms(g) > rms(*worst)) worst = &g;
    }
    if (worst != nullptr) return worst;
  }
  return nullptr;
}

}  // namespace

Uncertainty estimate_uncertainty(const ResidualStats* residuals, const GpuSpec& gpu,
                                 Precision precision, CalibrationStatus calibration) {
  Uncertainty u;
  if (residuals == nullptr) {
    u.basis =
        "unknown: no residuals file (data/validation/residuals.json, written by `cirrus "
        "validate --all --write-residuals`)";
    return u;
  }
  u.source = residuals->file;
  const std::string family = gpu_family(gpu.id);
  const std::string prec = to_string(precision);
  const std::string what = fmt::format("{} {}", upper(family), prec);
  const std::string uncertain_note =
      fmt::format("figures the {} preset marks uncertain", gpu.display);

  const ResidualGroup* own = residuals->find(family, prec);
  if (usable(own)) {
    u.known = true;
    u.sigma = own->sigma;
    u.bias = own->median_error;
    u.rows = own->rows;
    u.gpu_family = own->gpu_family;
    u.precision = own->precision;
    u.basis = fmt::format("1 sigma over {} published {}", own->rows, group_words(*own));
  } else {
    bool family_has_runs = false;
    for (const ResidualGroup& g : residuals->groups) {
      family_has_runs = family_has_runs || (g.gpu_family == family && g.rows > 0);
    }
    if (calibration != CalibrationStatus::kDatasheet || family_has_runs) {
      // Rule 2: the precision over all GPUs, then everything.
      const ResidualGroup* by_precision = residuals->find("all", prec);
      const ResidualGroup* all = residuals->find("all", "all");
      const ResidualGroup* used = usable(by_precision) ? by_precision : usable(all) ? all : nullptr;
      std::string why = missing(own, what);
      if (!usable(by_precision)) {  // the precision's group was missing too
        why += "; " + (by_precision == nullptr || by_precision->rows == 0
                           ? fmt::format("no {} runs of any GPU", prec)
                           : fmt::format("only {} {} runs of all GPUs, fewer than {}",
                                         by_precision->rows, prec, kMinRows));
      }
      if (used == nullptr) {
        u.basis = fmt::format("unknown: {}, and no group of {} runs or more in {}", why, kMinRows,
                              residuals->file);
        return u;
      }
      u.known = true;
      u.sigma = used->sigma;
      u.bias = used->median_error;
      u.rows = used->rows;
      u.gpu_family = used->gpu_family;
      u.precision = used->precision;
      u.basis =
          fmt::format("1 sigma over {} published {} ({})", used->rows, group_words(*used), why);
    } else {
      // Rule 3: datasheet figures only.
      const ResidualGroup* worst = worst_group(*residuals);
      if (worst == nullptr) {
        u.wide = true;
        u.basis = fmt::format(
            "unknown and wide: datasheet figures only (no profile, no published "
            "{} runs), and no group of {} runs or more in {}",
            upper(family), kMinRows, residuals->file);
        return u;
      }
      u.known = true;
      u.wide = true;
      u.factor = std::sqrt(gpu.uncertain ? 3.0 : 2.0);
      u.sigma = u.factor * rms(*worst);
      u.rows = worst->rows;
      u.gpu_family = worst->gpu_family;
      u.precision = worst->precision;
      u.basis = fmt::format(
          "wide: datasheet figures only, no published {} runs{}: sqrt({}) x the {} rms error of "
          "the worst validated group, {} published {}",
          upper(family), gpu.uncertain ? ", " + uncertain_note : "", gpu.uncertain ? 3 : 2,
          percent(rms(*worst)), worst->rows, group_words(*worst));
      return u;
    }
  }
  if (gpu.uncertain) {  // Rule 4 on a rule-1/2 band.
    u.factor = std::sqrt(2.0);
    u.sigma *= u.factor;
    u.basis += fmt::format(", x sqrt(2) for {}", uncertain_note);
  }
  return u;
}

Range band(double value, double sigma) {
  return {std::max(0.0, value * (1.0 - sigma)), value * (1.0 + sigma)};
}

std::string sigma_text(double sigma) { return fmt::format("+/-{:.2g}%", 100.0 * sigma); }

CalibrationStatus calibration_status_of(const StepInput& in, const StepResult& r) {
  return calibration_status(r.calibration, in.profile != nullptr);
}

Uncertainty result_uncertainty(const ResidualStats* residuals, const StepInput& in,
                               const StepResult& r) {
  return estimate_uncertainty(residuals, in.cluster.node.gpu, in.training.precision,
                              calibration_status_of(in, r));
}

std::vector<std::string> uncertainty_notes(const Uncertainty& u) {
  std::vector<std::string> notes;
  if (!u.known) {
    notes.push_back("error bars: " + u.basis + "; no range is given");
    return notes;
  }
  notes.push_back(
      fmt::format("error bars: {} is {}; ranges are value x (1 -/+ sigma) (read from {})",
                  sigma_text(u.sigma), u.basis, u.source));
  if (u.bias) {
    notes.push_back(fmt::format(
        "bias: the median signed error of those runs is {:+.3g}% (predictions {} than published "
        "on the median); reported, not corrected",
        100.0 * *u.bias,
        *u.bias < 0   ? "shorter"
        : *u.bias > 0 ? "longer"
                      : "no shorter or longer"));
  }
  if (u.wide) {
    notes.push_back(
        "wide band: no published run has checked this GPU's figures; its error is taken as the "
        "model's error plus an independent error of the unchecked figures of the same size, "
        "added in quadrature; a floor, not a ceiling");
  }
  return notes;
}

}  // namespace cirrus::models
