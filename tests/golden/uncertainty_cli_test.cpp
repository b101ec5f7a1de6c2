// Error bars end to end through the real binary: `simulate` (table line, run and cost ranges,
// JSON `uncertainty`), `plan` (ranges for the best and the frontier, JSON and CSV), `check`
// (an expectation on uncertainty.sigma), `report` (the band on the best), a datasheet-only GPU's
// wide band, a missing residuals file (error unknown) and a malformed one (exit 3).
//
// The residuals come from the hand-made fixture tests/data/uncertainty/validation/residuals.json
// (found through $CIRRUS_DATA_DIR, as the shipped data/validation/residuals.json is found
// otherwise): H100 bf16 has sigma 9% over 60 runs and a median error of -1%.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/golden/cli_support.hpp"

using cirrus::testing::run_cli;
using cirrus::testing::scratch_dir;
using cirrus::testing::slurp;
using cirrus::testing::source_path;
using cirrus::testing::write_text;

namespace {

// Sets $CIRRUS_DATA_DIR for the binaries run while it lives.
struct DataDir {
  explicit DataDir(const std::string& dir) { ::setenv("CIRRUS_DATA_DIR", dir.c_str(), 1); }
  ~DataDir() { ::unsetenv("CIRRUS_DATA_DIR"); }
  DataDir(const DataDir&) = delete;
  DataDir& operator=(const DataDir&) = delete;
};

const std::string kFixtureDir = source_path("tests/data/uncertainty");
const std::string kH100 = source_path("scenarios/examples/llama3-70b-h100.json");
const std::string kL4 = source_path("tests/data/uncertainty/l4-llama2-7b.json");
const std::string kPlan = source_path("scenarios/examples/llama3-70b-plan.json");

// The first line of `text` that starts with `prefix` (empty when none).
std::string line_starting(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) == 0) return line;
  }
  return "";
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

void check_range(const nlohmann::json& range, double value, double sigma) {
  REQUIRE(range.is_array());
  REQUIRE(range.size() == 2);
  CHECK(range[0].get<double>() == Approx(value * (1 - sigma)).epsilon(1e-3));
  CHECK(range[1].get<double>() == Approx(value * (1 + sigma)).epsilon(1e-3));
}

}  // namespace

TEST_CASE("simulate prints the step time with its 1-sigma band and basis",
          "[golden][uncertainty]") {
  const DataDir data(kFixtureDir);
  const auto r = run_cli("simulate " + kH100);
  INFO(r.err);
  REQUIRE(r.status == 0);
  const std::string step = line_starting(r.out, "  step time");
  INFO(step);
  CHECK(ends_with(step, " s  +/-9% (1 sigma over 60 published H100 bf16 runs)"));
  // The run and the cost lines show their ranges; the notes state the bias, uncorrected.
  CHECK(line_starting(r.out, "  run ").find(" days (") != std::string::npos);
  CHECK(line_starting(r.out, "  cost (on-demand)").find(" at 1 sigma) for the run") !=
        std::string::npos);
  CHECK(r.out.find("median signed error of those runs is -1%") != std::string::npos);
  CHECK(r.out.find("reported, not corrected") != std::string::npos);
}

TEST_CASE("simulate --format json carries the uncertainty object", "[golden][uncertainty]") {
  const DataDir data(kFixtureDir);
  const auto r = run_cli("simulate " + kH100 + " --format json");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  REQUIRE(j.contains("uncertainty"));
  const auto& u = j["uncertainty"];
  CHECK(u["sigma"] == 0.09);
  CHECK(u["basis"] == "1 sigma over 60 published H100 bf16 runs");
  CHECK(u["bias"] == -0.01);
  CHECK(u["rows"] == 60);
  CHECK(u["wide"] == false);
  CHECK(u["gpu_family"] == "h100");
  CHECK(u["precision"] == "bf16");
  check_range(u["step_time_s"], j["step_time_s"].get<double>(), 0.09);
  check_range(u["run_days"], j["run"]["days"].get<double>(), 0.09);
  check_range(u["usd_total"], j["cost"]["usd_total"].get<double>(), 0.09);
  // CONTRACT.md's fields are untouched.
  CHECK(j.contains("step_time_s"));
  CHECK(j["calibrated"] == false);
}

TEST_CASE("simulate --format csv gains sigma and the step-time range", "[golden][uncertainty]") {
  const DataDir data(kFixtureDir);
  const auto r = run_cli("simulate " + kH100 + " --format csv");
  REQUIRE(r.status == 0);
  std::istringstream in(r.out);
  std::string header, row;
  std::getline(in, header);
  std::getline(in, row);
  // The error bars, then (appended later) offload, the run and its cost at the end.
  CHECK(ends_with(header,
                  ",sigma,step_time_low_s,step_time_high_s,offload_s,run_tokens,run_steps,"
                  "run_days,pricing,usd_per_hour,usd_per_step,usd_total"));
  const auto json = nlohmann::json::parse(run_cli("simulate " + kH100 + " --format json").out);
  const double step = json["step_time_s"].get<double>();
  // The last 11 fields (none quoted: the quoted calibration comes before them).
  std::vector<std::string> last;
  std::size_t end = row.size();
  for (int k = 0; k < 11; ++k) {
    const std::size_t comma = row.rfind(',', end - 1);
    last.insert(last.begin(), row.substr(comma + 1, end - comma - 1));
    end = comma;
  }
  // sigma 0.09, step x 0.91, step x 1.09 (4 significant digits).
  CHECK(std::stod(last[0]) == Approx(0.09));
  CHECK(std::stod(last[1]) == Approx(step * 0.91).epsilon(1e-3));
  CHECK(std::stod(last[2]) == Approx(step * 1.09).epsilon(1e-3));
  CHECK(std::stod(last[3]) == 0);  // no offload
  CHECK(std::stoll(last[5]) == json["run"]["steps"].get<std::int64_t>());
  CHECK(last[7] == json["cost"]["pricing"].get<std::string>());
  CHECK(std::stod(last[10]) == Approx(json["cost"]["usd_total"].get<double>()));
}

TEST_CASE("a datasheet-only GPU says its band is wide", "[golden][uncertainty]") {
  const DataDir data(kFixtureDir);
  const auto table = run_cli("simulate " + kL4);
  INFO(table.err);
  REQUIRE(table.status == 0);
  const std::string step = line_starting(table.out, "  step time");
  INFO(step);
  CHECK(step.find("+/-18% (wide: datasheet figures only, no published L4 runs: sqrt(2) x the "
                  "13% rms error of the worst validated group, 8 published H100 fp8 runs)") !=
        std::string::npos);
  CHECK(table.out.find("a floor, not a ceiling") != std::string::npos);
  const auto j = nlohmann::json::parse(run_cli("simulate " + kL4 + " --format json").out);
  CHECK(j["uncertainty"]["wide"] == true);
  CHECK(j["uncertainty"]["sigma"].get<double>() == Approx(0.1838));
  CHECK(j["uncertainty"]["bias"].is_null());
  CHECK(j["uncertainty"]["usd_total"].is_null());  // no instance, no price
}

TEST_CASE("without a residuals file the error is unknown and said so", "[golden][uncertainty]") {
  const std::string empty = scratch_dir() + "/no-residuals";
  std::filesystem::create_directories(empty);
  const DataDir data(empty);
  const auto table = run_cli("simulate " + kH100);
  REQUIRE(table.status == 0);
  CHECK(line_starting(table.out, "  step time").find("(error unknown") != std::string::npos);
  CHECK(table.out.find("no residuals file") != std::string::npos);
  const auto j = nlohmann::json::parse(run_cli("simulate " + kH100 + " --format json").out);
  CHECK(j["uncertainty"]["sigma"].is_null());
  CHECK(j["uncertainty"]["step_time_s"].is_null());
}

TEST_CASE("a malformed residuals file stops with exit 3 naming file and JSON path",
          "[golden][uncertainty][errors]") {
  const std::string dir = scratch_dir() + "/bad-residuals";
  std::filesystem::create_directories(dir + "/validation");
  const std::string file = dir + "/validation/residuals.json";
  write_text(file, R"({"cirrus_residuals": 1, "groups": [
    {"gpu_family": "h100", "precision": "bf16", "rows": 60, "median_error": 0, "sigma": -1}]})");
  const DataDir data(dir);
  const auto r = run_cli("simulate " + kH100);
  CHECK(r.status == 3);
  CHECK(r.err.rfind("cirrus: " + file + ": groups[0].sigma:", 0) == 0);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

TEST_CASE("plan shows time and cost ranges for the best and the frontier",
          "[golden][uncertainty]") {
  const DataDir data(kFixtureDir);
  const auto table = run_cli("plan " + kPlan + " -j 2");
  INFO(table.err);
  REQUIRE(table.status == 0);
  CHECK(line_starting(table.out, "  error     ") ==
        "  error     +/-9% (1 sigma over 60 published H100 bf16 runs); median error of those runs "
        "-1%, not corrected");
  const std::string run = line_starting(table.out, "  run       ");
  INFO(run);
  CHECK(run.find(" days (") != std::string::npos);
  CHECK(run.find("M (") != std::string::npos);
  CHECK(table.out.find("days (1 sigma)") != std::string::npos);
  CHECK(table.out.find("cost (1 sigma)") != std::string::npos);

  const auto j = nlohmann::json::parse(run_cli("plan " + kPlan + " -j 2 --format json").out);
  const auto& best = j["best"];
  REQUIRE(best.contains("uncertainty"));
  CHECK(best["uncertainty"]["sigma"] == 0.09);
  check_range(best["uncertainty"]["usd_total"], best["cost"]["usd_total"].get<double>(), 0.09);
  check_range(best["uncertainty"]["run_days"], best["cost"]["run_days"].get<double>(), 0.09);
  for (const auto& p : j["pareto"]) CHECK(p["uncertainty"]["sigma"] == 0.09);

  const auto csv = run_cli("plan " + kPlan + " -j 2 --format csv");
  REQUIRE(csv.status == 0);
  std::istringstream in(csv.out);
  std::string header;
  std::getline(in, header);
  CHECK(ends_with(header,
                  ",sigma,step_time_low_s,step_time_high_s,run_days_low,run_days_high,"
                  "usd_total_low,usd_total_high"));
}

TEST_CASE("check can expect the uncertainty, and report shows the band", "[golden][uncertainty]") {
  const DataDir data(kFixtureDir);
  auto scenario = nlohmann::json::parse(slurp(kH100));
  scenario["expect"] = {{"uncertainty.sigma", {0.08, 0.1}}, {"uncertainty.wide", false}};
  const std::string file = scratch_dir() + "/expect-uncertainty.json";
  write_text(file, scenario.dump());
  const auto check = run_cli("check " + file);
  INFO(check.out << check.err);
  CHECK(check.status == 0);

  const std::string dir = scratch_dir() + "/uncertainty-report";
  const auto report = run_cli("report " + kH100 + " --out " + dir);
  REQUIRE(report.status == 0);
  const std::string html = slurp(dir + "/index.html");
  CHECK(html.find("How sure") != std::string::npos);
  CHECK(html.find("\u00b19%") != std::string::npos);
  CHECK(html.find("1 sigma over 60 published H100 bf16 runs") != std::string::npos);
  CHECK(slurp(dir + "/summary.md").find("\u00b19%") != std::string::npos);
  std::istringstream csv(slurp(dir + "/candidates.csv"));
  std::string header;
  std::getline(csv, header);
  CHECK(ends_with(header, ",sigma,step_time_low_s,step_time_high_s,usd_total_low,usd_total_high"));
}

TEST_CASE("price re-prices the run at the ends of the band", "[golden][uncertainty]") {
  const DataDir data(kFixtureDir);
  const auto table = run_cli("price " + kH100);
  INFO(table.err);
  REQUIRE(table.status == 0);
  CHECK(table.out.find("run $ (1 sigma)") != std::string::npos);
  CHECK(table.out.find("error bars: step ") != std::string::npos);
  const auto j = nlohmann::json::parse(run_cli("price " + kH100 + " --format json").out);
  const auto& u = j["uncertainty"];
  CHECK(u["sigma"] == 0.09);
  check_range(u["step_time_s"], j["step_time_s"].get<double>(), 0.09);
  // On demand the cost is the step time x steps x the hourly price: linear in the step time.
  const auto& od = j["costs"][0];
  REQUIRE(od["pricing"] == "on-demand");
  check_range(od["usd_total_range"], od["usd_total"].get<double>(), 0.09);
  check_range(u["usd_total"], j["cost"]["usd_total"].get<double>(), 0.09);
  // Spot is re-priced at each end (checkpoint interval, lost work): bracketing, not scaled.
  const auto& spot = j["costs"][1];
  REQUIRE(spot["pricing"] == "spot");
  CHECK(spot["usd_total_range"][0].get<double>() < spot["usd_total"].get<double>());
  CHECK(spot["usd_total_range"][1].get<double>() > spot["usd_total"].get<double>());
}
