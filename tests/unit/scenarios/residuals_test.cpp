// The residuals file reader (scenarios/residuals.hpp): the fixture's shape, errors naming the
// file and the JSON path, and the one-time, thread-safe load.
#include <unistd.h>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/input_error.hpp"
#include "scenarios/residuals.hpp"

namespace {

using cirrus::InputError;
using cirrus::scenarios::parse_residuals;

const std::string kFile = "tests/fake-residuals.json";

const char* const kGood = R"({"cirrus_residuals": 1, "generated_by": "a test",
  "about": "extra keys are read past",
  "groups": [
    {"gpu_family": "h100", "precision": "bf16", "rows": 60, "mean_error": 0.0,
     "median_error": -0.01, "mape": 0.07, "sigma": 0.09, "datasets": ["a.json", "b.json"]},
    {"gpu_family": "all", "precision": "all", "rows": 60, "median_error": -0.01, "sigma": 0.09}
  ]})";

// The InputError of parsing `text`: "PATH|expected|found".
std::string error_of(const std::string& text) {
  try {
    parse_residuals(text, kFile);
  } catch (const InputError& e) {
    CHECK(e.file() == kFile);
    return e.path() + "|" + e.expected() + "|" + e.found();
  }
  return "";
}

std::string replaced(const std::string& from, const std::string& to) {
  std::string s = kGood;
  const auto pos = s.find(from);
  REQUIRE(pos != std::string::npos);
  s.replace(pos, from.size(), to);
  return s;
}

std::string temp_file(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("cirrus-residuals-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

}  // namespace

TEST_CASE("a residuals file is read with its groups", "[uncertainty][residuals]") {
  const auto r = parse_residuals(kGood, kFile);
  CHECK(r.file == kFile);
  CHECK(r.generated_by == "a test");
  REQUIRE(r.groups.size() == 2);
  const auto* g = r.find("h100", "bf16");
  REQUIRE(g != nullptr);
  CHECK(g->rows == 60);
  CHECK(g->median_error == Approx(-0.01));
  CHECK(g->mape == Approx(0.07));
  CHECK(g->sigma == Approx(0.09));
  CHECK(g->datasets == std::vector<std::string>{"a.json", "b.json"});
  CHECK(r.find("all", "all") != nullptr);
  CHECK(r.find("a100", "bf16") == nullptr);
}

TEST_CASE("the shipped test fixture reads", "[uncertainty][residuals]") {
  const auto r = cirrus::scenarios::read_residuals(
      std::string(CIRRUS_SOURCE_DIR) + "/tests/data/uncertainty/validation/residuals.json");
  CHECK(r.groups.size() == 9);
  CHECK(r.find("h100", "fp8")->sigma == Approx(0.12));
}

TEST_CASE("a malformed residuals file is an InputError naming file and JSON path",
          "[uncertainty][residuals]") {
  CHECK_FALSE(error_of("{\"cirrus_residuals\": 1, \"groups\": [").empty());  // JSON syntax
  CHECK(error_of("[]").rfind("|a residuals object", 0) == 0);
  CHECK(error_of(replaced("\"cirrus_residuals\": 1", "\"cirrus_residuals\": 2"))
            .rfind("cirrus_residuals|version 1", 0) == 0);
  CHECK(error_of(replaced("\"cirrus_residuals\": 1, ", "")).rfind("cirrus_residuals|", 0) == 0);
  CHECK(error_of(R"({"cirrus_residuals": 1, "groups": {}})").rfind("groups|an array", 0) == 0);
  CHECK(error_of(R"({"cirrus_residuals": 1, "groups": [3]})").rfind("groups[0]|a group", 0) == 0);
  CHECK(error_of(replaced("\"sigma\": 0.09, \"datasets\"", "\"sigma\": -0.09, \"datasets\""))
            .rfind("groups[0].sigma|", 0) == 0);
  CHECK(error_of(replaced("\"rows\": 60, \"mean_error\"", "\"mean_error\""))
            .rfind("groups[0].rows|", 0) == 0);
  CHECK(error_of(replaced("\"rows\": 60, \"mean_error\"", "\"rows\": -1, \"mean_error\""))
            .rfind("groups[0].rows|", 0) == 0);
  CHECK(error_of(replaced("\"rows\": 60, \"mean_error\"", "\"rows\": 6.5, \"mean_error\""))
            .rfind("groups[0].rows|", 0) == 0);
  CHECK(error_of(replaced("\"precision\": \"bf16\"", "\"precision\": \"bf17\""))
            .rfind("groups[0].precision|", 0) == 0);
  CHECK(error_of(replaced("\"gpu_family\": \"h100\"", "\"gpu_family\": \"\""))
            .rfind("groups[0].gpu_family|", 0) == 0);
  CHECK(
      error_of(replaced("\"median_error\": -0.01, \"mape\"", "\"median_error\": \"-1%\", \"mape\""))
          .rfind("groups[0].median_error|", 0) == 0);
  CHECK(error_of(replaced("\"datasets\": [\"a.json\", \"b.json\"]", "\"datasets\": [1]"))
            .rfind("groups[0].datasets[0]|", 0) == 0);
  // A second group for the same (family, precision).
  const std::string dup = error_of(replaced("{\"gpu_family\": \"all\", \"precision\": \"all\"",
                                            "{\"gpu_family\": \"h100\", \"precision\": \"bf16\""));
  CHECK(dup.rfind("groups[1]|one group per (gpu_family, precision)", 0) == 0);
}

TEST_CASE("read_residuals names the file when it cannot be read or parsed",
          "[uncertainty][residuals]") {
  const std::string path = temp_file("broken.json");
  std::ofstream(path) << "{\"cirrus_residuals\": 1, \"groups\": [{]}";
  try {
    cirrus::scenarios::read_residuals(path);
    FAIL("expected an InputError");
  } catch (const InputError& e) {
    CHECK(e.file() == path);
  }
}

TEST_CASE("the residuals are read once per process, safely from many threads",
          "[uncertainty][residuals]") {
  const std::string path = temp_file("once.json");
  std::ofstream(path) << kGood;
  std::vector<std::shared_ptr<const cirrus::models::ResidualStats>> got(16);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < got.size(); ++i) {
    threads.emplace_back([&got, &path, i] { got[i] = cirrus::scenarios::shared_residuals(path); });
  }
  for (auto& t : threads) t.join();
  REQUIRE(got[0] != nullptr);
  for (const auto& g : got) CHECK(g.get() == got[0].get());  // one object: one read
  // Changing the file afterwards changes nothing for this process: it was read once.
  std::ofstream(path, std::ios::trunc) << "not JSON at all";
  CHECK(cirrus::scenarios::shared_residuals(path).get() == got[0].get());
  CHECK(got[0]->groups.size() == 2);

  // A missing file is null, and stays null for the process.
  const std::string missing = temp_file("missing.json");
  std::filesystem::remove(missing);
  CHECK(cirrus::scenarios::shared_residuals(missing) == nullptr);
  std::ofstream(missing) << kGood;
  CHECK(cirrus::scenarios::shared_residuals(missing) == nullptr);

  // A malformed file throws to every caller and is not remembered.
  const std::string bad = temp_file("bad.json");
  std::ofstream(bad) << "{\"cirrus_residuals\": 1}";
  CHECK_THROWS_AS(cirrus::scenarios::shared_residuals(bad), InputError);
  CHECK_THROWS_AS(cirrus::scenarios::shared_residuals(bad), InputError);
}

TEST_CASE("residuals: serving groups are read beside the step groups, each pair once",
          "[residuals][serving]") {
  const std::string text = R"({"cirrus_residuals": 1, "groups": [
    {"gpu_family": "all", "precision": "all", "rows": 60, "median_error": -0.01, "sigma": 0.09}],
    "serving_groups": [
    {"metric": "output_tokens_per_s", "gpu_family": "h100", "precision": "fp8", "rows": 30,
     "median_error": 0.02, "sigma": 0.085},
    {"metric": "output_tokens_per_s", "gpu_family": "all", "precision": "all", "rows": 30,
     "median_error": 0.02, "sigma": 0.085}]})";
  const auto r = parse_residuals(text, kFile);
  REQUIRE(r.serving_groups.size() == 2);
  REQUIRE(r.find_serving("h100", "fp8") != nullptr);
  CHECK(r.find_serving("h100", "fp8")->sigma == Approx(0.085));
  CHECK(r.find_serving("a100", "bf16") == nullptr);
  // The step groups do not answer for serving, nor the other way round.
  CHECK(r.find("h100", "fp8") == nullptr);
  CHECK(r.find_serving("all", "all") != nullptr);
  std::string twice = text;
  twice.replace(twice.find("\"h100\""), 6, "\"all\"");
  twice.replace(twice.find("\"fp8\""), 5, "\"all\"");
  CHECK(error_of(twice).rfind("serving_groups[1]|one group per", 0) == 0);
}
