// End-to-end behaviour of `cirrus check` through the real binary: the shipped regression suite
// passes (this is how the project's CI runs it), a broken expectation fails with exit 1 and a
// readable difference, --junit writes a JUnit report, and bad input stops the run with exit 3.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/golden/cli_support.hpp"

using cirrus::testing::run_cli;
using cirrus::testing::scratch_dir;
using cirrus::testing::slurp;
using cirrus::testing::source_path;
using cirrus::testing::write_text;

namespace {

std::string scenario(const std::string& name, const std::string& expect) {
  std::string s = "{\n  \"cirrus\": 1, \"name\": \"" + name + "\",";
  s += R"(
  "model": {"preset": "llama2-7b", "layers": 8},
  "training": {"global_batch": 64},
  "cluster": {"node": "dgx-a100-80gb", "nodes": 1},
  "strategy": {"tp": 2, "pp": 2, "dp": 2, "micro_batch": 1, "sequence_parallel": true})";
  if (!expect.empty()) s += ",\n  \"expect\": " + expect;
  return s + "\n}\n";
}

// A fresh directory under the scratch directory.
std::string fresh_dir(const std::string& name) {
  const std::string dir = scratch_dir() + "/" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace

TEST_CASE("the shipped regression suite passes", "[golden][cli][check]") {
  // As a user's CI runs it: the shipped public profiles calibrate the A100 and H100 rows.
  const auto r = run_cli("check " + source_path("scenarios/regression") + " -j 2");
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(r.err.empty());
  CHECK(r.out.find("FAIL") == std::string::npos);
  const auto summary = r.out.find(" passed, 0 failed, 0 skipped\n");
  REQUIRE(summary != std::string::npos);
  const auto line = r.out.rfind('\n', summary);
  const int passed = std::stoi(r.out.substr(line == std::string::npos ? 0 : line + 1));
  CHECK(passed >= 10);
  CHECK(static_cast<int>(std::count(r.out.begin(), r.out.end(), '\n')) == passed + 1);
}

TEST_CASE("a broken expectation fails with a readable difference", "[golden][cli][check]") {
  const std::string dir = fresh_dir("check-broken");
  write_text(dir + "/a-broken.json",
             scenario("broken", R"({"step_time_s": [0.001, 0.002], "feasible": true})"));
  write_text(dir + "/b-plain.json", scenario("plain", ""));
  const auto r = run_cli("check " + dir);
  INFO(r.out << r.err);
  CHECK(r.status == 1);
  CHECK(r.out.find("FAIL  " + dir + "/a-broken.json") != std::string::npos);
  CHECK(r.out.find("expect.step_time_s: expected in [0.001, 0.002], got ") != std::string::npos);
  CHECK(r.out.find("above the range)") != std::string::npos);
  CHECK(r.out.find("SKIP  " + dir + "/b-plain.json") != std::string::npos);
  CHECK(r.out.find("\n0 passed, 1 failed, 1 skipped\n") != std::string::npos);

  // The same scenario with a range that holds passes.
  write_text(dir + "/a-broken.json", scenario("fixed", R"({"step_time_s": [0.001, 1e6]})"));
  const auto fixed = run_cli("check " + dir + "/a-broken.json");
  INFO(fixed.out << fixed.err);
  CHECK(fixed.status == 0);
  CHECK(fixed.out.find("\n1 passed, 0 failed, 0 skipped\n") != std::string::npos);
}

TEST_CASE("check judges the result simulate prints, cost included", "[golden][cli][check]") {
  const auto sim =
      run_cli("simulate " + source_path("scenarios/regression/lambda-h100-llama3-8b.json") +
              " --format json");
  REQUIRE(sim.status == 0);
  const auto j = nlohmann::json::parse(sim.out);
  REQUIRE(j.contains("cost"));
  nlohmann::json scenario =
      nlohmann::json::parse(slurp(source_path("scenarios/regression/lambda-h100-llama3-8b.json")));
  // Exact values read off simulate's output: check must see the very same numbers.
  scenario["expect"] = {{"step_time_s", j["step_time_s"]},
                        {"cost.usd_total", j["cost"]["usd_total"]},
                        {"cost.pricing", j["cost"]["pricing"]},
                        {"best", j["config"]}};
  const std::string dir = fresh_dir("check-simulate");
  write_text(dir + "/exact.json", scenario.dump(2));
  const auto r = run_cli("check " + dir + "/exact.json");
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(r.out.find("1 passed, 0 failed, 0 skipped") != std::string::npos);
}

TEST_CASE("check --junit writes a JUnit report with failures and skips", "[golden][cli][check]") {
  const std::string dir = fresh_dir("check-junit");
  write_text(dir + "/broken.json",
             scenario("broken <&>", R"({"step_time_s": [0.001, 0.002], "tp": 2})"));
  write_text(dir + "/plain.json", scenario("plain", ""));
  const std::string xml = dir + "/out/report.xml";
  std::filesystem::create_directories(dir + "/out");
  const auto r = run_cli("check " + dir + "/broken.json " + dir + "/plain.json --junit " + xml);
  INFO(r.out << r.err);
  CHECK(r.status == 1);
  REQUIRE(std::filesystem::exists(xml));
  const std::string x = slurp(xml);
  INFO(x);
  CHECK(x.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", 0) == 0);
  CHECK(x.find(R"(<testsuite name="cirrus check" tests="2" failures="1" errors="0" skipped="1")") !=
        std::string::npos);
  CHECK(x.find(R"(classname=")" + dir + R"(/broken.json" name="broken &lt;&amp;&gt;")") !=
        std::string::npos);
  CHECK(x.find(R"(<failure message="1 of 2 expectations failed" type="expectation">)") !=
        std::string::npos);
  CHECK(x.find("expect.step_time_s: expected in [0.001, 0.002], got ") != std::string::npos);
  CHECK(x.find("<skipped message=\"no expect block\"/>") != std::string::npos);
  CHECK(x.find("</testsuites>\n") == x.size() - std::string("</testsuites>\n").size());
  // Tags balance: every open testcase is closed, and nothing but the report is in the directory.
  auto count = [&](const std::string& s) {
    std::size_t n = 0;
    for (auto p = x.find(s); p != std::string::npos; p = x.find(s, p + 1)) ++n;
    return n;
  };
  CHECK(count("<testcase ") == 2);
  CHECK(count("</testcase>") == 2);
  CHECK(count("<failure ") == count("</failure>"));
  CHECK(std::distance(std::filesystem::directory_iterator(dir + "/out"),
                      std::filesystem::directory_iterator()) == 1);
}

TEST_CASE("an unknown expect field stops check with exit 3 before running",
          "[golden][cli][check]") {
  const std::string dir = fresh_dir("check-unknown");
  write_text(dir + "/a-good.json", scenario("good", R"({"feasible": true})"));
  write_text(dir + "/b-typo.json", scenario("typo", R"({"step_tme_s": [1, 2]})"));
  const std::string xml = dir + "/report.xml";
  const auto r = run_cli("check " + dir + " --junit " + xml);
  INFO(r.out << r.err);
  CHECK(r.status == 3);
  CHECK(r.out.empty());  // nothing ran: the typo in the last file was found first
  CHECK(r.err.rfind("cirrus: " + dir + "/b-typo.json: expect.step_tme_s: ", 0) == 0);
  CHECK(r.err.find("did you mean 'step_time_s'?") != std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK_FALSE(std::filesystem::exists(xml));
}

TEST_CASE("check refuses a directory without scenarios and a missing file",
          "[golden][cli][check]") {
  const std::string dir = fresh_dir("check-empty");
  const auto empty = run_cli("check " + dir);
  CHECK(empty.status == 3);
  const auto missing = run_cli("check " + dir + "/nope.json");
  CHECK(missing.status == 5);
  const auto none = run_cli("check");
  CHECK(none.status == 2);
}
