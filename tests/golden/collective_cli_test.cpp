// End-to-end behaviour of `cirrus collective` through the real binary: nccl-tests' columns,
// the JSON list of CONTRACT.md, sizes as powers of 1024, one-line errors with exit status 3 for
// bad input and 2 for a wrong command line, and byte-identical reruns.
#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/golden/cli_support.hpp"

using cirrus::testing::run_cli;
using cirrus::testing::source_path;

namespace {

int count_lines(const std::string& s) {
  return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

void expect_bad_input(const std::string& args, const std::string& fragment, int status = 3) {
  const auto r = run_cli("collective " + args);
  INFO(args << "\nstderr: " << r.err);
  CHECK(r.status == status);
  CHECK(r.err.rfind("cirrus: ", 0) == 0);
  CHECK(r.err.find(fragment) != std::string::npos);
  CHECK(count_lines(r.err) == 1);
  CHECK(r.out.empty());
}

}  // namespace

TEST_CASE("collective prints nccl-tests' JSON for one size", "[golden][cli][network]") {
  const auto r =
      run_cli("collective --node dgx-a100-80gb --op all_reduce --sizes 1G --format json");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  REQUIRE(j.is_array());
  REQUIRE(j.size() == 1);
  const auto& row = j[0];
  CHECK(row.at("bytes").get<double>() == 1073741824.0);
  const double t = row.at("time_us").get<double>();
  const double algbw = row.at("algbw_gbs").get<double>();
  const double busbw = row.at("busbw_gbs").get<double>();
  // nccl-tests' definitions: algbw = bytes / time, busbw = algbw x 2(n-1)/n.
  CHECK(algbw == Approx(1073741824.0 / (t * 1e-6) / 1e9));
  CHECK(busbw == Approx(algbw * 2 * 7 / 8));
  // Azure's ND A100 v4 measured 228.1 GB/s at 1 GiB (data/reference/nccl_busbw.json).
  CHECK(busbw == Approx(228.1).epsilon(0.10));
  CHECK(row.at("algorithm") == "ring");
  CHECK(row.at("protocol") == "Simple");
}

TEST_CASE("collective prints a table and CSV over a list of sizes", "[golden][cli][network]") {
  const auto table =
      run_cli("collective --node dgx-h100 --nodes 2 --op all_gather --sizes 1K,64M,1G");
  INFO(table.err);
  REQUIRE(table.status == 0);
  CHECK(table.out.find("busbw") != std::string::npos);
  CHECK(table.out.find("(n-1)/n") != std::string::npos);
  CHECK(table.out.find("1073741824") != std::string::npos);
  CHECK(count_lines(table.out) == 5 + 3);  // header lines + one row per size

  const auto csv = run_cli(
      "collective --node dgx-h100 --nodes 2 --op all_gather --sizes 1K..8K "
      "--format csv");
  REQUIRE(csv.status == 0);
  CHECK(csv.out.rfind("bytes,count,type,algorithm,protocol,time_us,algbw_gbs,busbw_gbs\n", 0) == 0);
  CHECK(count_lines(csv.out) == 1 + 4);  // 1K, 2K, 4K, 8K
  CHECK(csv.out.find("\n8192,2048,float,ring,") != std::string::npos);

  // The default sizes double from 1K to 8G, as nccl-tests -b 1K -e 8G -f 2.
  const auto all = run_cli("collective --node dgx-a100-80gb --op all_reduce --format json");
  REQUIRE(all.status == 0);
  CHECK(nlohmann::json::parse(all.out).size() == 24);
}

TEST_CASE("collective options: topology, oversubscription, algorithm, ranks, links",
          "[golden][cli][network]") {
  auto busbw = [](const std::string& args) {
    const auto r = run_cli("collective " + args + " --format json");
    INFO(args << "\n" << r.err);
    REQUIRE(r.status == 0);
    return nlohmann::json::parse(r.out)[0].at("busbw_gbs").get<double>();
  };
  // One GPU per node over 2 HDR nodes: one NIC, 25 x 0.95 GB/s.
  CHECK(busbw("--node dgx-a100-80gb --nodes 2 --gpus-per-node 1 --op all_reduce --sizes 8G") ==
        Approx(23.75).epsilon(0.02));
  CHECK(busbw("--node dgx-h100 --op all_reduce --sizes 8G --algorithm ring") ==
        Approx(370).epsilon(0.10));
  CHECK(busbw("--node dgx-h100 --op all_reduce --sizes 8G --algorithm nvls") ==
        Approx(480).epsilon(0.10));
  const double flat = busbw(
      "--node dgx-a100-80gb --nodes 8 --op all_reduce --sizes 1G "
      "--topology rail-optimized --oversubscription 4");
  CHECK(flat ==
        Approx(busbw("--node dgx-a100-80gb --nodes 8 --op all_reduce --sizes 1G")).epsilon(1e-9));
  const auto links = run_cli(
      "collective --node dgx-a100-80gb --nodes 8 --op all_reduce "
      "--sizes 1G --links 3 --format json");
  REQUIRE(links.status == 0);
  const auto j = nlohmann::json::parse(links.out);
  REQUIRE(j[0].at("links").size() == 3);
  CHECK(j[0].at("links")[0].at("utilization").get<double>() > 0.5);
}

TEST_CASE("collective takes a scenario's cluster", "[golden][cli][network]") {
  const auto r =
      run_cli("collective --scenario " + source_path("scenarios/examples/llama3-70b-h100.json") +
              " --op reduce_scatter --sizes 256M --format json");
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(nlohmann::json::parse(r.out)[0].at("busbw_gbs").get<double>() > 10);
}

TEST_CASE("collective takes a scenario's network settings unless the command line overrides",
          "[golden][cli][network]") {
  // 16 DGX H100 with the scenario pinning ring all-reduces, hashed routing and radix-8
  // switches (4 nodes per leaf): the command with only --scenario must equal the one that
  // spells the same settings out, and differ from the defaults (tuner: tree at 1 GiB over 16
  // nodes; radix 64).
  const std::string dir = cirrus::testing::scratch_dir();
  const std::string file = dir + "/net.json";
  cirrus::testing::write_text(file, R"({"cirrus": 1, "name": "net",
    "model": {"preset": "llama3-8b"}, "training": {"global_batch": 128},
    "cluster": {"node": "dgx-h100", "nodes": 16,
                "network": {"algorithm": "ring", "routing": "ecmp-hash", "switch_radix": 8}},
    "strategy": {"tp": 8, "pp": 1, "dp": 16}})");
  const auto from_scenario =
      run_cli("collective --scenario " + file + " --op all_reduce --sizes 1G --format json");
  INFO(from_scenario.err);
  REQUIRE(from_scenario.status == 0);
  const auto spelled = run_cli(
      "collective --node dgx-h100 --nodes 16 --op all_reduce --sizes 1G --format json "
      "--algorithm ring --routing ecmp --switch-radix 8");
  REQUIRE(spelled.status == 0);
  CHECK(from_scenario.out == spelled.out);
  const auto defaults =
      run_cli("collective --node dgx-h100 --nodes 16 --op all_reduce --sizes 1G --format json");
  REQUIRE(defaults.status == 0);
  CHECK(from_scenario.out != defaults.out);
  // The command line wins over the scenario.
  const auto overridden = run_cli("collective --scenario " + file +
                                  " --op all_reduce --sizes 1G --format json --algorithm auto "
                                  "--routing destination-mod-k --switch-radix 64");
  REQUIRE(overridden.status == 0);
  CHECK(overridden.out == defaults.out);
}

TEST_CASE("collective refuses bad input in one line", "[golden][cli][network]") {
  expect_bad_input("--node dgx-a100 --op all_reduce", "did you mean");
  expect_bad_input("--node dgx-a100-80gb --op allreduce", "did you mean 'all_reduce'");
  expect_bad_input("--node dgx-a100-80gb --op all_reduce --sizes 12X", "--sizes");
  expect_bad_input("--node dgx-a100-80gb --op all_reduce --sizes 0", "each > 0");
  expect_bad_input("--node dgx-a100-80gb --nodes 0 --op all_reduce", "--nodes");
  expect_bad_input("--node dgx-a100-80gb --nodes 4 --op all_reduce --oversubscription 0.5",
                   "--oversubscription: expected a number from 1 to 1000");
  expect_bad_input("--node dgx-a100-80gb --op all_reduce --algorithm nvls", "NVSwitch gen 3");
  expect_bad_input("--node dgx-a100-80gb --op all_gather --algorithm tree", "all_reduce only");
  expect_bad_input("--node dgx-a100-80gb --op all_reduce --algorithm rings", "did you mean");
  expect_bad_input("--node dgx-a100-80gb --op all_reduce --topology fat_tree", "did you mean");
  expect_bad_input("--node dgx-a100-80gb --op all_reduce --gpus-per-node 9", "--gpus-per-node");
  // A wrong command line is a usage error (2).
  CHECK(run_cli("collective --node dgx-a100-80gb").status == 2);
  CHECK(run_cli("collective --node dgx-a100-80gb --scenario x.json --op all_reduce").status == 2);
  CHECK(run_cli("collective --op all_reduce").status == 2);
}

TEST_CASE("collective reruns are byte-identical", "[golden][cli][network]") {
  const std::string args = "collective --node aws-p4d --nodes 16 --op all_reduce --sizes 1M..1G";
  const auto a = run_cli(args);
  const auto b = run_cli(args);
  REQUIRE(a.status == 0);
  CHECK(a.out == b.out);
}
