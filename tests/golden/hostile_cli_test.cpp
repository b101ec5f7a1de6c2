// Hostile inputs through the real binary (issue 16's classes): absurd scales, endless and huge
// files, broken price files and logs. Whatever the case, cirrus never exits 70 or dies of a
// signal, refuses in one line naming the input, writes nothing where it refuses, and leaves no
// temporary file behind.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/golden/cli_support.hpp"
#include "tests/json_edit.hpp"

namespace {

namespace fs = std::filesystem;
using cirrus::testing::CliRun;
using cirrus::testing::run_cli;
using cirrus::testing::scratch_dir;
using cirrus::testing::slurp;
using cirrus::testing::source_path;
using cirrus::testing::with_value;
using cirrus::testing::write_text;

struct Case {
  std::string args;  // OUT: a fresh folder the command may write into
  int status;        // the exit status expected
  std::string says;  // words of the one-line message (stderr), or of stdout for status 4
};

void run_case(const Case& c) {
  const std::string dir = scratch_dir() + "/hostile-out";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string args = c.args;
  for (std::size_t at; (at = args.find("OUT")) != std::string::npos;) args.replace(at, 3, dir);
  INFO("cirrus " << args);
  const CliRun r = run_cli(args);
  INFO(r.err);
  CHECK(r.status == c.status);
  if (c.status == 4) {
    CHECK_THAT(r.out, Catch::Contains(c.says));
  } else {
    CHECK_THAT(r.err, Catch::StartsWith("cirrus: "));
    CHECK_THAT(r.err, Catch::Contains(c.says));
    CHECK(r.err.find('\n') == r.err.size() - 1);  // one line
    CHECK(r.err.size() < 400);                    // no echoed megabyte
    CHECK(r.out.empty());
    CHECK(fs::is_empty(dir));  // nothing written, no temporary left
  }
}

std::string scenario_with(const std::string& name, const std::string& pointer,
                          const nlohmann::json& value) {
  const std::string base = slurp(source_path("scenarios/examples/llama2-7b-a100.json"));
  std::string path = scratch_dir() + "/" + name + ".json";
  write_text(path, with_value(base, pointer, value));
  return path;
}

}  // namespace

TEST_CASE("hostile scenarios: absurd scales are refused or infeasible, never a crash",
          "[golden][hostile]") {
  const std::vector<Case> cases = {
      // Past the loader's limits: one line naming the JSON path and the range.
      {"simulate " + scenario_with("nodes", "/cluster/nodes", 1 << 20), 3, "cluster.nodes"},
      {"simulate " + scenario_with("batch", "/training/global_batch", 1ll << 36), 3,
       "training.global_batch"},
      {"plan " + scenario_with("batch-plan", "/training/global_batch", 1ll << 36), 3,
       "training.global_batch"},
      {"simulate " + scenario_with("latency", "/cluster/node",
                                   {{"preset", "dgx-a100-80gb"}, {"nic_latency_us", 1e9}}),
       3, "cluster.node.nic_latency_us"},
      {"simulate " + scenario_with("nic", "/cluster/node",
                                   {{"preset", "dgx-a100-80gb"}, {"nic_gbit_per_s", 1e300}}),
       3, "cluster.node.nic_gbit_per_s"},
      {"simulate " + scenario_with("oversubscription", "/cluster/network/oversubscription", 1e9), 3,
       "cluster.network.oversubscription"},
      {"simulate " + scenario_with("layers", "/model/layers", 1000000000), 3, "layers"},
      {"price " + scenario_with("tokens", "/training/tokens", 1e30), 3, "training.tokens"},
      // Echoes kept short and printable: a megabyte-long value or key, a terminal escape.
      {"simulate " + scenario_with("long-preset", "/model/preset", std::string(1 << 20, 'x')), 3,
       "found the string \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...\""},
      {"simulate " + scenario_with("long-key", "/" + std::string(1 << 20, 'k'), 1), 3,
       "unknown key 'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...'"},
      {"simulate " + scenario_with("escape-name", "/name", "\x1b[2J wiped"), 3,
       "name: expected a name of 1 to 256 bytes without control characters"},
      // Accepted, but a step of 2^21 micro-batches x 32 layers: infeasible at once, with the
      // figures, from its shape.
      {"simulate " + scenario_with("huge-step", "/training/global_batch", 1 << 24), 4,
       "too large to simulate: at least"},
  };
  for (const Case& c : cases) run_case(c);
}

TEST_CASE("hostile files: endless, huge, binary and broken inputs", "[golden][hostile]") {
  const std::string big = scratch_dir() + "/big.json";
  write_text(big, "{" + std::string(17 << 20, ' ') + "}");
  const std::string aws = slurp(source_path("tests/data/pricing/aws_offer.csv"));
  std::string negative = aws;
  negative.replace(negative.find("\"55.0400000000\""), 15, "\"-55.0400000000\"");
  const std::string neg_path = scratch_dir() + "/negative.csv";
  write_text(neg_path, negative);
  std::string log = slurp(source_path("tests/data/calibrate/all_reduce_perf_8xa100.log"));
  const std::size_t row = log.find("\n           8 ");
  log.insert(row + 1, std::string(1 << 20, '7') + "\n");
  const std::string long_log = scratch_dir() + "/long_line.log";
  write_text(long_log, log);
  const std::vector<Case> cases = {
      {"simulate /dev/zero", 3, "/dev/zero: expected a file of at most 16 MiB"},
      {"simulate " + big, 3, "expected a file of at most 16 MiB, found 17.0 MiB"},
      {"catalog import --format aws-offer " + neg_path + " -o OUT/c.json", 3,
       "a price in USD >= 0"},
      {"catalog import --format skypilot " + source_path("tests/data/pricing/skypilot_aws_v8.csv") +
           " -o OUT/c.json",
       3, "--retrieved YYYY-MM-DD"},
      {"calibrate import-nccl-tests " + long_log + " --out OUT/p.json", 3, "long_line.log"},
  };
  for (const Case& c : cases) run_case(c);
}
