// The public profiles end to end through the real binary: `calibrate import-vidur`, the
// shipped files, the default a scenario's GPU gets (its own, its compute twin's scaled, or a
// user's profile, which wins), `--no-public-profile`, and the `calibration` field and line.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "calibrate/profile_io.hpp"
#include "common/read_file.hpp"
#include "tests/golden/cli_support.hpp"

namespace {

using cirrus::testing::run_cli;
using cirrus::testing::scratch_dir;
using cirrus::testing::source_path;
using cirrus::testing::write_text;

const std::string kMini = source_path("tests/data/calibrate/vidur_mini");

nlohmann::json simulate_json(const std::string& scenario, const std::string& flags = "") {
  const auto r = run_cli("simulate " + scenario + " --format json " + flags);
  INFO(r.err);
  REQUIRE(r.status == 0);
  return nlohmann::json::parse(r.out);
}

// The Llama 2 7B example on another node preset (ZeRO-3, so that 40 GB parts hold it), written
// to the scratch folder.
std::string scenario_on(const std::string& node, const std::string& extra = "") {
  std::string text = cirrus::read_file(source_path("scenarios/examples/llama2-7b-a100.json"));
  const std::string from = "\"node\": \"dgx-a100-80gb\"";
  text.replace(text.find(from), from.size(), "\"node\": \"" + node + "\"" + extra);
  const std::string zero = "\"zero\": 1";
  text.replace(text.find(zero), zero.size(), "\"zero\": 3");
  std::string path = scratch_dir() + "/on_" + node + ".json";
  write_text(path, text);
  return path;
}

}  // namespace

TEST_CASE("cirrus calibrate import-vidur writes a profile", "[calibrate][vidur][cli]") {
  const std::string out = scratch_dir() + "/vidur_h100.json";
  const auto r = run_cli("calibrate import-vidur " + kMini + " --gpu h100 --out " + out);
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("(12 GEMM, ") != std::string::npos);
  const auto p = cirrus::calibrate::read_profile(out);
  CHECK(p.source->name == "Vidur");
  CHECK(p.device.gpu == "h100-sxm");
  // --all-points keeps the 4064-token row.
  const auto all = run_cli("calibrate import-vidur " + kMini + " --gpu h100 --all-points --out " +
                           scratch_dir() + "/vidur_all.json");
  CHECK(all.out.find("(16 GEMM, ") != std::string::npos);
}

TEST_CASE("cirrus calibrate import-vidur refuses bad input", "[calibrate][vidur][cli]") {
  const auto gpu =
      run_cli("calibrate import-vidur " + kMini + " --gpu v100 --out " + scratch_dir() + "/x.json");
  CHECK(gpu.status == 2);
  const auto missing =
      run_cli("calibrate import-vidur /nonexistent --gpu a100 --out " + scratch_dir() + "/x.json");
  CHECK(missing.status == 3);
  CHECK(missing.err ==
        "cirrus: /nonexistent/compute/a100: expected Vidur's compute tables "
        "(<org>/<model>/mlp.csv), found no such folder\n");
  // A non-numeric cell: one line naming the file, line and column; nothing written.
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(scratch_dir()) / "vidur_bad";
  fs::remove_all(dir);
  fs::copy(kMini, dir, fs::copy_options::recursive);
  const fs::path table = dir / "network/h100_dgx/all_reduce.csv";
  std::string text = cirrus::read_file(table.string());
  text.replace(text.find(",1048576,"), 9, ",1MiB,");
  write_text(table.string(), text);
  const std::string out = scratch_dir() + "/never_written.json";
  const auto bad = run_cli("calibrate import-vidur " + dir.string() + " --gpu h100 --out " + out);
  CHECK(bad.status == 3);
  CHECK(bad.err == "cirrus: " + table.generic_string() +
                       ": line 2, column size: expected a number, found '1MiB'\n");
  CHECK_FALSE(fs::exists(out));
}

TEST_CASE("the shipped public profiles read back byte for byte", "[calibrate][vidur]") {
  for (const char* name : {"vidur-a100-sxm-80gb.json", "vidur-h100-sxm.json"}) {
    const std::string path = source_path(std::string("calibrate/profiles/public/") + name);
    const std::string text = cirrus::read_file(path);
    const auto p = cirrus::calibrate::parse_profile(text, path);
    CHECK(cirrus::calibrate::format_profile(p) == text);
    REQUIRE(p.source.has_value());
    CHECK(p.source->commit == "7d47513363ec447a741ac5e47241580b47724fbf");
    CHECK(p.date == "2024-11-19");
    CHECK(p.gemm.size() > 1000);
    CHECK(p.attention.empty());  // Vidur's tables have no attention kernels
    CHECK(text.size() < 400000);
  }
}

TEST_CASE("a GPU with a public profile uses it unless told not to", "[calibrate][vidur][cli]") {
  const std::string a100 = source_path("scenarios/examples/llama2-7b-a100.json");
  const auto pub = simulate_json(a100);
  CHECK(pub["calibration"] == "public profile (Vidur, A100, 2024-11)");
  CHECK(pub["calibrated"] == false);  // attention and optimizer are not in Vidur's tables
  const auto sheet = simulate_json(a100, "--no-public-profile");
  CHECK(sheet["calibration"] == "datasheet");
  CHECK(pub["step_time_s"].get<double>() != sheet["step_time_s"].get<double>());

  const auto table = run_cli("simulate " + a100);
  CHECK(table.out.find("\n  calibration: public profile (Vidur, A100, 2024-11)\n") !=
        std::string::npos);

  // Compute twins: the H100's profile scaled to the H200's HBM, the A100 80GB's to the 40GB's.
  CHECK(simulate_json(scenario_on("dgx-h200"))["calibration"] ==
        "public profile (Vidur, H100, 2024-11), scaled to NVIDIA H200 SXM 141GB: HBM bandwidth "
        "x1.43");
  CHECK(simulate_json(scenario_on("dgx-a100-40gb"))["calibration"] ==
        "public profile (Vidur, A100, 2024-11), scaled to NVIDIA A100 SXM4 40GB: HBM bandwidth "
        "x0.763");
  // No public profile for the GPU: the datasheet.
  CHECK(simulate_json(scenario_on("l40s-x8"))["calibration"] == "datasheet");
}

TEST_CASE("a scenario's own profile wins over the public default", "[calibrate][vidur][cli]") {
  const std::string fixture = source_path("tests/data/calibrate/profile_fixture.json");
  const auto j = simulate_json(scenario_on("dgx-h100", ", \"profile\": \"" + fixture + "\""));
  CHECK(j["calibration"] == "profile (measured on NVIDIA H100 80GB HBM3, 2026-11-20)");
}

TEST_CASE("validate rows say what they are calibrated with", "[calibrate][vidur][cli]") {
  const auto pub = run_cli("validate --format json");
  REQUIRE((pub.status == 0 || pub.status == 4));
  const auto j = nlohmann::json::parse(pub.out);
  for (const auto& row : j["rows"]) {
    if (row.contains("predicted_s"))
      CHECK(row["calibration"] == "public profile (Vidur, A100, 2024-11)");
  }
  const auto sheet =
      nlohmann::json::parse(run_cli("validate --format json --no-public-profile").out);
  for (const auto& row : sheet["rows"]) {
    if (row.contains("predicted_s")) CHECK(row["calibration"] == "datasheet");
  }
}

TEST_CASE("validate on measured steps falls back to the public profile",
          "[calibrate][vidur][cli]") {
  // The fixture's GPU (h100-sxm) has no measured profile shipped: the profile column is the
  // public one, named by its label.
  const auto r =
      run_cli("validate " + source_path("tests/data/calibrate/measured_steps_fixture.json") +
              " --format json");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["profile"] == "public profile (Vidur, H100, 2024-11)");
  CHECK(j["calibration"] == "public profile (Vidur, H100, 2024-11)");
  for (const auto& row : j["rows"]) CHECK(row["calibration"] == j["calibration"]);
}
