// Numeric options in cirrus's words (cli/number_checks.cpp): NaN, infinities, negatives and
// values past a limit are one line naming the option and its range, exit status 3 (bad input,
// as the same value in a scenario), and nothing runs.
#include <catch2/catch.hpp>
#include <string>

#include "tests/golden/cli_support.hpp"

using cirrus::testing::run_cli;
using cirrus::testing::source_path;

namespace {

void expect_refused(const std::string& args, const std::string& says) {
  INFO("cirrus " << args);
  const auto r = run_cli(args);
  CHECK(r.status == 3);
  CHECK(r.out.empty());
  CHECK(r.err.find(says) != std::string::npos);
  CHECK(r.err.find('\n') == r.err.size() - 1);       // one line
  CHECK(r.err.find("797693") == std::string::npos);  // no 300-digit bound
}

}  // namespace

TEST_CASE("numeric options: out-of-range values are one clear line", "[golden][cli]") {
  const std::string h100 = source_path("scenarios/examples/llama3-70b-h100.json");
  expect_refused(
      "price " + h100 + " --interruption-rate nan",
      "command line: --interruption-rate: expected a number from 0 to 10, found \"nan\"");
  expect_refused("price " + h100 + " --gpu-utilization inf",
                 "--gpu-utilization: expected a number from 0 to 1");
  expect_refused("price " + h100 + " --seed -1", "--seed: expected an integer from 0 to");
  expect_refused("price " + h100 + " --storage-gbps 0", "--storage-gbps: expected a number");
  expect_refused("serve " + h100 + " --pcie-gbyte-per-s -1",
                 "--pcie-gbyte-per-s: expected a number from 0.001 to 100000 GB/s");
  expect_refused("plan " + h100 + " -j 100000", "--jobs: expected an integer from 0 to 4096");
  expect_refused("collective --node dgx-h100 --gpus-per-node 0 --op all_reduce",
                 "--gpus-per-node: expected an integer from 1 to 1024");
  expect_refused("collective --node dgx-h100 --switch-radix 0 --op all_reduce",
                 "--switch-radix: expected an integer from 2 to 65536");
  expect_refused("collective --node dgx-h100 --oversubscription 0 --op all_reduce",
                 "--oversubscription: expected a number from 1 to 1000");
  expect_refused("collective --node dgx-h100 --nodes 1048576 --op all_reduce",
                 "--nodes: expected an integer from 1 to 65536");
}
