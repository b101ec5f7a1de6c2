// Every command twice, and the planner with -j 1 and -j 4: the same bytes on standard output and
// in every file written (CONTRACT.md: no timestamps, paths or container order in any output).
// The imports too: the same price file or nccl-tests log, imported again from a copy with
// another modification time, gives the same catalog or profile.
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tests/golden/cli_support.hpp"

namespace {

namespace fs = std::filesystem;
using cirrus::testing::CliRun;
using cirrus::testing::run_cli;
using cirrus::testing::scratch_dir;
using cirrus::testing::slurp;
using cirrus::testing::source_path;

// Standard output, then every file under `out` (relative name -> bytes).
struct Outputs {
  int status = -1;
  std::string stdout_text;
  std::map<std::string, std::string> files;
};

// Runs `args` with OUT replaced by a fresh folder's path; returns what it printed and wrote, with
// the folder's path written as OUT wherever it appears (the one path the caller chose).
Outputs run_in_fresh_dir(const std::string& args, const std::string& tag) {
  const std::string dir = scratch_dir() + "/determinism-" + tag;
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string cmd = args;
  for (std::size_t at; (at = cmd.find("OUT")) != std::string::npos;) cmd.replace(at, 3, dir);
  const CliRun r = run_cli(cmd);
  INFO(cmd << "\n" << r.err);
  Outputs o;
  o.status = r.status;
  auto unpath = [&](std::string s) {
    for (std::size_t at; (at = s.find(dir)) != std::string::npos;) s.replace(at, dir.size(), "OUT");
    return s;
  };
  o.stdout_text = unpath(r.out);
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) {
      o.files[fs::relative(e.path(), dir).string()] = unpath(slurp(e.path().string()));
    }
  }
  return o;
}

// `first` and `second` print and write the same bytes (standard output too, unless `files_only`:
// an import's summary names the file it read).
void require_same(const std::string& first, const std::string& second, bool files_only = false) {
  const Outputs a = run_in_fresh_dir(first, "a");
  const Outputs b = run_in_fresh_dir(second, "b");
  INFO(first << "\n" << second);
  REQUIRE(a.status == 0);
  CHECK(b.status == a.status);
  if (!files_only) CHECK(a.stdout_text == b.stdout_text);
  REQUIRE(a.files.size() == b.files.size());
  for (const auto& [name, bytes] : a.files) {
    INFO(name);
    REQUIRE(b.files.count(name) == 1);
    CHECK(bytes == b.files.at(name));
  }
}

std::string example(const std::string& name) { return source_path("scenarios/examples/" + name); }

std::string import_command(const std::string& format, const std::string& file,
                           const std::string& extra) {
  return "catalog import --format " + format + " " + file + extra + " -o OUT/catalog.json";
}

}  // namespace

TEST_CASE("every command writes the same bytes twice", "[golden][determinism]") {
  const std::vector<std::string> commands = {
      "simulate " + example("llama3-70b-h100.json"),
      "simulate " + example("llama3-70b-h100.json") + " --format json -o OUT/r.json --trace " +
          "OUT/t.json",
      "simulate " + example("mixtral-8x7b.json") + " --format csv",
      "simulate " + example("llama3-70b-offload-h100.json") + " --format json",
      "price " + example("llama3-70b-h100.json") + " --format json",
      "elastic " + example("llama3-70b-spot-elastic.json"),
      "check " + source_path("scenarios/regression/aws-p5-llama3-70b.json") + " --junit OUT/j.xml",
      "collective --node dgx-h100 --nodes 4 --op all_reduce",
      "catalog list",
      "catalog show aws:p5.48xlarge",
      "report " + example("llama2-7b-a100.json") + " --out OUT/report",
      "--version",
  };
  for (const std::string& c : commands) require_same(c, c);
}

TEST_CASE("plan writes the same bytes with -j 1 and -j 4", "[golden][determinism]") {
  const std::string plan = "plan " + example("llama3-70b-plan.json");
  require_same(plan + " --format json -j 1", plan + " --format json -j 4");
  require_same(plan + " -j 4 --format csv", plan + " -j 1 --format csv");
  require_same(plan + " -j 4", plan + " -j 1");
}

TEST_CASE("imports give the same bytes from a copy with another modification time",
          "[golden][determinism]") {
  struct Import {
    const char* format;
    const char* file;
  };
  const std::vector<Import> imports = {{"aws-offer", "aws_offer.json"},
                                       {"aws-offer", "aws_offer.csv"},
                                       {"azure-retail", "azure_page1.json"},
                                       {"gcp-skus", "gcp_skus.json"},
                                       {"skypilot", "skypilot_aws_v8.csv"}};
  for (const Import& i : imports) {
    const std::string original = source_path(std::string("tests/data/pricing/") + i.file);
    // The copy keeps the name (the catalog's source names the file) in another folder, dated
    // 2001 by its modification time.
    const std::string copy_dir = scratch_dir() + "/copy";
    fs::create_directories(copy_dir);
    const std::string copy = copy_dir + "/" + i.file;
    fs::copy_file(original, copy, fs::copy_options::overwrite_existing);
    fs::last_write_time(copy, fs::file_time_type::clock::now() - std::chrono::hours(24 * 9000));
    const std::string dated =
        std::string(i.format) == "skypilot" ? " --retrieved 2026-11-30" : std::string();
    require_same(import_command(i.format, original, dated), import_command(i.format, copy, dated),
                 true);
  }
}
