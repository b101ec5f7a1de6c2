// Error bars (models/step/uncertainty.hpp): the group chosen for each GPU, precision and
// calibration status, the fallbacks and what they say, the wide band of a datasheet-only GPU,
// the widening of presets marked uncertain, and ranges computed by hand.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "models/hardware/gpu_family.hpp"
#include "models/hardware/hardware.hpp"
#include "models/step/uncertainty.hpp"

namespace {

using cirrus::models::CalibrationStatus;
using cirrus::models::estimate_uncertainty;
using cirrus::models::Precision;
using cirrus::models::ResidualGroup;
using cirrus::models::ResidualStats;
using cirrus::models::Uncertainty;

// The same groups as tests/data/uncertainty/validation/residuals.json (a hand-made fixture,
// numbers chosen for hand computation; they say nothing about cirrus's accuracy).
ResidualStats fixture() {
  ResidualStats r;
  r.file = "fixture.json";
  auto add = [&](const char* family, const char* precision, int rows, double median, double sigma) {
    ResidualGroup g;
    g.gpu_family = family;
    g.precision = precision;
    g.rows = rows;
    g.median_error = median;
    g.sigma = sigma;
    r.groups.push_back(g);
  };
  add("h100", "bf16", 60, -0.01, 0.09);
  add("h100", "fp8", 8, 0.05, 0.12);  // rms sqrt(0.05^2 + 0.12^2) = 0.13: the worst group
  add("a100", "fp16", 18, -0.02, 0.06);
  add("a100", "bf16", 3, 0.01, 0.04);  // too few runs (kMinRows = 5)
  add("h200", "fp8", 2, 0.02, 0.01);   // too few runs
  add("all", "bf16", 63, -0.01, 0.088);
  add("all", "fp16", 18, -0.02, 0.06);
  add("all", "fp8", 10, 0.04, 0.11);
  add("all", "all", 91, -0.01, 0.09);
  return r;
}

cirrus::models::GpuSpec gpu(const std::string& id) {
  const auto g = cirrus::models::find_gpu(id);
  REQUIRE(g);
  return *g;
}

Uncertainty estimate(const std::string& id, Precision p,
                     CalibrationStatus c = CalibrationStatus::kDatasheet) {
  const ResidualStats r = fixture();
  return estimate_uncertainty(&r, gpu(id), p, c);
}

}  // namespace

TEST_CASE("GPU families group parts that share a die", "[uncertainty]") {
  using cirrus::models::gpu_family;
  CHECK(gpu_family("a100-sxm-40gb") == "a100");
  CHECK(gpu_family("a100-sxm-80gb") == "a100");
  CHECK(gpu_family("a100-pcie-80gb") == "a100");
  CHECK(gpu_family("h100-sxm") == "h100");
  CHECK(gpu_family("h100-96gb-500w") == "h100");
  CHECK(gpu_family("h800-sxm") == "h100");
  CHECK(gpu_family("h100-pcie") == "h100");
  CHECK(gpu_family("h200-sxm") == "h200");
  CHECK(gpu_family("l4") == "l4");
  CHECK(gpu_family("l40s") == "l40s");
  CHECK(gpu_family("mi300x") == "mi300x");
}

TEST_CASE("a GPU with its family's runs takes that group's sigma and reports its bias",
          "[uncertainty]") {
  const Uncertainty u = estimate("h100-sxm", Precision::kBf16);
  CHECK(u.known);
  CHECK_FALSE(u.wide);
  CHECK(u.sigma == Approx(0.09));
  REQUIRE(u.bias);
  CHECK(*u.bias == Approx(-0.01));
  CHECK(u.rows == 60);
  CHECK(u.gpu_family == "h100");
  CHECK(u.precision == "bf16");
  CHECK(u.factor == 1.0);
  CHECK(u.basis == "1 sigma over 60 published H100 bf16 runs");
  CHECK(cirrus::models::sigma_text(u.sigma) == "+/-9%");
  // The calibration status does not matter when the family has its own runs.
  const Uncertainty p = estimate("h100-sxm", Precision::kBf16, CalibrationStatus::kPublicProfile);
  CHECK(p.sigma == u.sigma);
  CHECK(p.basis == u.basis);
}

TEST_CASE("ranges are value x (1 -/+ sigma), computed by hand", "[uncertainty]") {
  using cirrus::models::band;
  // 1.431 s at 9%: 1.431 x 0.91 = 1.30221, 1.431 x 1.09 = 1.55979.
  CHECK(band(1.431, 0.09).low == Approx(1.30221));
  CHECK(band(1.431, 0.09).high == Approx(1.55979));
  // $1.49M at 9%: 1.3559M to 1.6241M.
  CHECK(band(1.49e6, 0.09).low == Approx(1.3559e6));
  CHECK(band(1.49e6, 0.09).high == Approx(1.6241e6));
  // The low end never goes below zero.
  CHECK(band(10.0, 1.5).low == 0.0);
  CHECK(band(10.0, 1.5).high == Approx(25.0));
  CHECK(cirrus::models::sigma_text(0.045) == "+/-4.5%");
  CHECK(cirrus::models::sigma_text(0.1838) == "+/-18%");
}

TEST_CASE("fallbacks: the precision over all GPUs, then all runs, each said", "[uncertainty]") {
  SECTION("no group for the family and precision: the precision's group") {
    const Uncertainty u = estimate("h200-sxm", Precision::kBf16, CalibrationStatus::kPublicProfile);
    CHECK(u.known);
    CHECK_FALSE(u.wide);
    CHECK(u.sigma == Approx(0.088));
    CHECK(u.rows == 63);
    CHECK(u.gpu_family == "all");
    CHECK(u.basis == "1 sigma over 63 published runs of all GPUs in bf16 (no H200 bf16 runs)");
  }
  SECTION("too few runs in the family's group") {
    const Uncertainty u =
        estimate("h200-sxm", Precision::kFp8, CalibrationStatus::kMeasuredProfile);
    CHECK(u.sigma == Approx(0.11));
    CHECK(u.rows == 10);
    CHECK(u.basis ==
          "1 sigma over 10 published runs of all GPUs in fp8 (only 2 H200 fp8 runs, fewer than 5)");
    const Uncertainty a = estimate("a100-sxm-80gb", Precision::kBf16);
    CHECK(a.basis ==
          "1 sigma over 63 published runs of all GPUs in bf16 (only 3 A100 bf16 runs, fewer than "
          "5)");
  }
  SECTION("no group for the precision either: all runs") {
    const Uncertainty u = estimate("h100-sxm", Precision::kFp32);
    CHECK(u.sigma == Approx(0.09));
    CHECK(u.rows == 91);
    CHECK(u.gpu_family == "all");
    CHECK(u.precision == "all");
    CHECK(u.basis ==
          "1 sigma over 91 published runs of all GPUs and precisions (no H100 fp32 runs; no fp32 "
          "runs of any GPU)");
  }
  SECTION("a datasheet-only GPU whose family has runs in another precision is not wide") {
    const Uncertainty u = estimate("h200-sxm", Precision::kBf16, CalibrationStatus::kDatasheet);
    CHECK_FALSE(u.wide);
    CHECK(u.sigma == Approx(0.088));
  }
  SECTION("a measured profile of a GPU without published runs: the precision's group") {
    const Uncertainty u = estimate("l4", Precision::kBf16, CalibrationStatus::kMeasuredProfile);
    CHECK_FALSE(u.wide);
    CHECK(u.sigma == Approx(0.088));
    CHECK(u.basis == "1 sigma over 63 published runs of all GPUs in bf16 (no L4 bf16 runs)");
  }
}

TEST_CASE("a datasheet-only GPU gets a wide band derived from the worst validated group",
          "[uncertainty]") {
  const Uncertainty u = estimate("l4", Precision::kBf16);
  CHECK(u.known);
  CHECK(u.wide);
  // The worst family group by sqrt(sigma^2 + median^2): H100 fp8, sqrt(0.12^2 + 0.05^2) = 0.13
  // (H100 bf16 0.0906, A100 fp16 0.0632; groups under 5 runs do not count). Two independent
  // errors of that size: sqrt(2) x 0.13 = 0.18385.
  CHECK(u.sigma == Approx(std::sqrt(2.0) * 0.13));
  CHECK(u.factor == Approx(std::sqrt(2.0)));
  CHECK(u.rows == 8);
  CHECK(u.gpu_family == "h100");
  CHECK(u.precision == "fp8");
  CHECK_FALSE(u.bias);  // an unvalidated GPU's bias is unknown
  CHECK(u.basis ==
        "wide: datasheet figures only, no published L4 runs: sqrt(2) x the 13% rms error of the "
        "worst validated group, 8 published H100 fp8 runs");
  CHECK(cirrus::models::sigma_text(u.sigma) == "+/-18%");
  // Wider than every group's own sigma.
  for (const auto& g : fixture().groups) CHECK(u.sigma > g.sigma);
  // The same for any datasheet-only preset and precision: MI300X in fp16.
  const Uncertainty m = estimate("mi300x", Precision::kFp16);
  CHECK(m.wide);
  CHECK(m.sigma == Approx(u.sigma));
}

TEST_CASE("a preset marked uncertain widens by one more independent error", "[uncertainty]") {
  SECTION("on a wide band: sqrt(3) in place of sqrt(2)") {
    REQUIRE(gpu("a10g").uncertain);
    const Uncertainty u = estimate("a10g", Precision::kBf16);
    CHECK(u.wide);
    CHECK(u.sigma == Approx(std::sqrt(3.0) * 0.13));
    CHECK(u.basis.find("sqrt(3) x the 13% rms error") != std::string::npos);
    CHECK(u.basis.find("marks uncertain") != std::string::npos);
  }
  SECTION("on its family's band: x sqrt(2)") {
    REQUIRE(gpu("h800-sxm").uncertain);
    const Uncertainty u = estimate("h800-sxm", Precision::kBf16);
    CHECK_FALSE(u.wide);
    CHECK(u.sigma == Approx(0.09 * std::sqrt(2.0)));
    CHECK(u.rows == 60);
    CHECK(u.basis == "1 sigma over 60 published H100 bf16 runs, x sqrt(2) for figures the " +
                         gpu("h800-sxm").display + " preset marks uncertain");
  }
  SECTION("a preset not marked uncertain is not widened") {
    REQUIRE_FALSE(gpu("l4").uncertain);
    CHECK(estimate("l4", Precision::kBf16).factor == Approx(std::sqrt(2.0)));
  }
}

TEST_CASE("without residuals or usable groups the error is unknown, and says so", "[uncertainty]") {
  const Uncertainty none = estimate_uncertainty(nullptr, gpu("h100-sxm"), Precision::kBf16,
                                                CalibrationStatus::kDatasheet);
  CHECK_FALSE(none.known);
  CHECK(none.basis.find("no residuals file") != std::string::npos);

  ResidualStats thin;
  thin.file = "thin.json";
  thin.groups.push_back({"h100", "bf16", 3, 0.0, 0.0, 0.05, {}});
  thin.groups.push_back({"all", "all", 3, 0.0, 0.0, 0.05, {}});
  const Uncertainty t =
      estimate_uncertainty(&thin, gpu("h100-sxm"), Precision::kBf16, CalibrationStatus::kDatasheet);
  CHECK_FALSE(t.known);
  CHECK(t.basis.find("only 3 H100 bf16 runs") != std::string::npos);
  const Uncertainty w =
      estimate_uncertainty(&thin, gpu("l4"), Precision::kBf16, CalibrationStatus::kDatasheet);
  CHECK_FALSE(w.known);
  CHECK(w.wide);
}

TEST_CASE("the wide band falls back to pooled groups when no family group has enough runs",
          "[uncertainty]") {
  ResidualStats pooled;
  pooled.file = "pooled.json";
  pooled.groups.push_back({"a100", "fp16", 4, 0.3, 0.0, 0.4, {}});   // under 5 runs: ignored
  pooled.groups.push_back({"all", "all", 12, 0.03, 0.0, 0.04, {}});  // rms 0.05
  const Uncertainty u =
      estimate_uncertainty(&pooled, gpu("l4"), Precision::kBf16, CalibrationStatus::kDatasheet);
  CHECK(u.wide);
  CHECK(u.sigma == Approx(std::sqrt(2.0) * 0.05));
  CHECK(u.gpu_family == "all");
}

TEST_CASE("calibration status from the result's label", "[uncertainty]") {
  using cirrus::models::calibration_status;
  CHECK(calibration_status("datasheet", true) == CalibrationStatus::kDatasheet);
  CHECK(calibration_status("public profile (Vidur, H100, 2024-11)", false) ==
        CalibrationStatus::kPublicProfile);
  CHECK(calibration_status("public profile (Vidur, H100, 2024-11), scaled to NVIDIA H200: x1.2",
                           false) == CalibrationStatus::kPublicProfile);
  CHECK(calibration_status("profile (measured on NVIDIA H100 80GB HBM3, 2026-01-02)", false) ==
        CalibrationStatus::kMeasuredProfile);
  CHECK(calibration_status("", true) == CalibrationStatus::kMeasuredProfile);
  CHECK(calibration_status("", false) == CalibrationStatus::kDatasheet);
}

TEST_CASE("notes state the band, the bias and why a band is wide", "[uncertainty]") {
  const auto notes = cirrus::models::uncertainty_notes(estimate("h100-sxm", Precision::kBf16));
  REQUIRE(notes.size() == 2);
  CHECK(notes[0].find("+/-9% is 1 sigma over 60 published H100 bf16 runs") != std::string::npos);
  CHECK(notes[1].find("-1%") != std::string::npos);
  CHECK(notes[1].find("not corrected") != std::string::npos);
  const auto wide = cirrus::models::uncertainty_notes(estimate("l4", Precision::kBf16));
  REQUIRE(wide.size() == 2);
  CHECK(wide[1].find("a floor, not a ceiling") != std::string::npos);
}
