// `cirrus calibrate`: the importer end to end through the real binary, and the refusal to
// measure where there is no GPU (or no CUDA in the build).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

#include "calibrate/profile_io.hpp"
#include "tests/golden/cli_support.hpp"

namespace {

using cirrus::testing::run_cli;
using cirrus::testing::scratch_dir;
using cirrus::testing::source_path;

std::string log_path(const std::string& name) {
  return source_path("tests/data/calibrate/" + name);
}

}  // namespace

TEST_CASE("cirrus calibrate import-nccl-tests writes a profile", "[calibrate]") {
  const std::string out = scratch_dir() + "/imported.json";
  const auto r = run_cli("calibrate import-nccl-tests " + log_path("all_reduce_perf_8xa100.log") +
                         " --out " + out);
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("all_reduce over 8 ranks on 1 node, 31 sizes") != std::string::npos);
  const auto p = cirrus::calibrate::read_profile(out);
  CHECK(p.mode == "import");
  CHECK(p.collectives.size() == 31);
  CHECK(p.fits.size() == 1);
  CHECK(p.device.gpu == "a100-sxm-80gb");

  // Into an existing profile of the same GPU: its tables are kept, the collectives added.
  const std::string merged = scratch_dir() + "/merged.json";
  const auto m = run_cli("calibrate import-nccl-tests " + log_path("all_gather_perf_2x8xh100.log") +
                         " --into " + source_path("tests/data/calibrate/profile_fixture.json") +
                         " --out " + merged);
  INFO(m.err);
  REQUIRE(m.status == 0);
  CHECK(m.out.find("all_gather over 16 ranks on 2 nodes, 12 sizes") != std::string::npos);
  const auto q = cirrus::calibrate::read_profile(merged);
  CHECK(q.gemm.size() == 6);
  CHECK(q.collectives.size() == 3 + 12);
  CHECK(q.device.gpu == "h100-sxm");

  // An A100 log into the H100 profile would mix two machines' curves: refused, nothing written.
  const std::string mixed = scratch_dir() + "/mixed.json";
  const auto x =
      run_cli("calibrate import-nccl-tests " + log_path("all_reduce_perf_8xa100.log") + " --into " +
              source_path("tests/data/calibrate/profile_fixture.json") + " --out " + mixed);
  CHECK(x.status == 3);
  CHECK(x.err.find("the profile") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(mixed));
}

TEST_CASE("cirrus calibrate import-nccl-tests gives the same bytes every time", "[calibrate]") {
  // No clock and no file time in the profile: the same log, imported twice (the second from a
  // copy with a new modification time, with CRLF line ends), gives the same bytes.
  const std::string log = log_path("all_reduce_perf_8xa100.log");
  const std::string copy = scratch_dir() + "/all_reduce_perf_crlf.log";
  std::string text = cirrus::testing::slurp(log);
  std::string crlf;
  for (const char c : text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  cirrus::testing::write_text(copy, crlf);
  const std::string a = scratch_dir() + "/a.json";
  const std::string b = scratch_dir() + "/b.json";
  REQUIRE(run_cli("calibrate import-nccl-tests " + log + " --out " + a).status == 0);
  REQUIRE(run_cli("calibrate import-nccl-tests " + copy + " --out " + b).status == 0);
  const std::string first = cirrus::testing::slurp(a);
  CHECK(first.find("\"date\": \"undated\"") != std::string::npos);
  // The file name is the only difference a log's path makes (in the points' source notes).
  std::string second = cirrus::testing::slurp(b);
  for (std::size_t at; (at = second.find("all_reduce_perf_crlf.log")) != std::string::npos;) {
    second.replace(at, 24, "all_reduce_perf_8xa100.log");
  }
  CHECK(first == second);
  // --date dates it; a malformed date is refused on the command line.
  REQUIRE(run_cli("calibrate import-nccl-tests " + log + " --date 2026-11-30 --out " + a).status ==
          0);
  CHECK(cirrus::testing::slurp(a).find("\"date\": \"2026-11-30\"") != std::string::npos);
  const auto bad = run_cli("calibrate import-nccl-tests " + log + " --date yesterday --out " + a);
  CHECK(bad.status == 3);
  CHECK(bad.err ==
        "cirrus: command line: --date: expected a date YYYY-MM-DD, found \"yesterday\"\n");
}

TEST_CASE("cirrus calibrate import-nccl-tests refuses bad logs with exit status 3", "[calibrate]") {
  const auto r = run_cli("calibrate import-nccl-tests " + log_path("alltoall_perf_truncated.log") +
                         " --out " + scratch_dir() + "/never.json");
  CHECK(r.status == 3);
  CHECK(r.err.find("alltoall_perf_truncated.log: line 22: expected a data row of 13 columns") !=
        std::string::npos);
  const auto w =
      run_cli("calibrate import-nccl-tests " + log_path("reduce_scatter_perf_wrong.log") +
              " --out " + scratch_dir() + "/rs.json");
  CHECK(w.status == 0);
  CHECK(w.err.find("warning") != std::string::npos);
  const auto missing =
      run_cli("calibrate import-nccl-tests /nonexistent.log --out " + scratch_dir() + "/x.json");
  CHECK(missing.status == 5);
}

TEST_CASE("cirrus calibrate without a GPU is a usage error", "[calibrate]") {
  // No device visible to the child, whether or not this build has CUDA: the measurement must
  // refuse cleanly (and never start on a GPU machine from the test suite).
  ::setenv("CUDA_VISIBLE_DEVICES", "", 1);
  const auto r = run_cli("calibrate --quick --out " + scratch_dir() + "/never.json");
  ::unsetenv("CUDA_VISIBLE_DEVICES");
  CHECK(r.status == 2);
  const bool no_cuda = r.err.find(
                           "cirrus was built without CUDA: rebuild with the cuda preset on "
                           "a GPU machine") != std::string::npos;
  const bool no_device = r.err.find("no CUDA device") != std::string::npos;
  CHECK((no_cuda || no_device));
}
