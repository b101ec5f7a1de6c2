// calibrate/nccl_tests.hpp: the importer reads real-shaped nccl-tests output (fixtures in
// tests/data/calibrate, written by make_nccl_fixtures.py in nccl-tests' own formats), counts
// ranks and nodes, and refuses failed, truncated and malformed logs naming the file and line.
#include "calibrate/nccl_tests.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "common/input_error.hpp"
#include "common/read_file.hpp"
#include "models/compute/profile.hpp"

namespace {

using cirrus::InputError;
using cirrus::calibrate::parse_nccl_tests_log;
using cirrus::calibrate::read_nccl_tests_log;
using cirrus::models::CollectiveKind;

std::string fixture(const std::string& name) {
  return std::string(CIRRUS_SOURCE_DIR) + "/tests/data/calibrate/" + name;
}

// The InputError for a log text, or a failed check if it parses.
InputError refusal(const std::string& text, const std::string& file = "log.txt") {
  try {
    parse_nccl_tests_log(text, file, CollectiveKind::kAllReduce);
  } catch (const InputError& e) {
    return e;
  }
  FAIL("the log was accepted");
  return InputError("", "", "", "");
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const auto pos = s.find(from);
  REQUIRE(pos != std::string::npos);
  return s.replace(pos, from.size(), to);
}

}  // namespace

TEST_CASE("an 8-GPU all-reduce log reads into points", "[calibrate]") {
  const auto log = read_nccl_tests_log(fixture("all_reduce_perf_8xa100.log"));
  CHECK(log.op == CollectiveKind::kAllReduce);  // from the file name
  CHECK(log.ranks == 8);
  CHECK(log.nodes == 1);
  CHECK(log.device_name == "NVIDIA A100-SXM4-80GB");
  CHECK(log.nccl_version.empty());
  CHECK(log.avg_busbw_gbs == Approx(73.2583));
  CHECK(log.warnings.empty());
  REQUIRE(log.points.size() == 31);  // 8 B to 8 GB in steps of 2
  const auto& first = log.points.front();
  CHECK(first.bytes == 8);
  CHECK(first.time_us == Approx(44.80));
  const auto& last = log.points.back();
  CHECK(last.bytes == 8589934592);
  CHECK(last.time_us == 64912);
  CHECK(last.ranks == 8);
  CHECK(last.nodes == 1);
  CHECK(last.source == cirrus::models::CollectiveSource::kNcclTests);
  // Recomputed from the time: 8589934592 B / 64912 us = 132.33 GB/s; x 2 x 7/8 = 231.58.
  CHECK(last.algbw_gbs == Approx(132.33).epsilon(1e-4));
  CHECK(last.busbw_gbs == Approx(231.58).epsilon(1e-4));
  // Small sizes keep their precision (the log prints 0.00).
  CHECK(first.busbw_gbs == Approx(8.0 / 44.80e3 * 1.75).epsilon(1e-5));
}

TEST_CASE("a two-node log counts ranks and hosts, and reads the NCCL version", "[calibrate]") {
  const auto log = read_nccl_tests_log(fixture("all_gather_perf_2x8xh100.log"));
  CHECK(log.op == CollectiveKind::kAllGather);  // "# Collective test starting: all_gather_perf"
  CHECK(log.ranks == 16);
  CHECK(log.nodes == 2);
  CHECK(log.device_name == "NVIDIA H100 80GB HBM3");
  CHECK(log.nccl_version == "2.19.3");  // nccl-library=21903
  REQUIRE(log.points.size() == 12);     // 1 KB to 4 GB in steps of 4
  CHECK(log.points.back().bytes == 4294967296);
  CHECK(log.points.back().nodes == 2);
  // all_gather busbw = algbw x 15/16.
  const auto& p = log.points.back();
  CHECK(p.busbw_gbs == Approx(p.algbw_gbs * 15.0 / 16.0).epsilon(1e-5));
}

TEST_CASE("rows with wrong values are dropped with a warning", "[calibrate]") {
  const auto log = read_nccl_tests_log(fixture("reduce_scatter_perf_wrong.log"));
  CHECK(log.op == CollectiveKind::kReduceScatter);
  CHECK(log.ranks == 4);
  CHECK(log.device_name == "NVIDIA A100-SXM4-40GB");
  CHECK(log.points.size() == 7);  // 9 sizes, 2 with #wrong > 0
  for (const auto& p : log.points) {
    CHECK(p.bytes != 16777216);
    CHECK(p.bytes != 67108864);
  }
  REQUIRE(log.warnings.size() == 3);  // two rows and the FAILED summary
  CHECK(log.warnings[0].find("line 16") != std::string::npos);
  CHECK(log.warnings[0].find("#wrong = 1024") != std::string::npos);
  CHECK(log.warnings[1].find("#wrong = 7") != std::string::npos);
  CHECK(log.warnings[2].find("FAILED") != std::string::npos);
}

TEST_CASE("a #wrong count past 64 bits drops its row, no overflow", "[calibrate]") {
  // A fuzzer's find (tests/fuzz/corpus/nccl_tests/regression-wrong-overflow.log): 7.8e27 wrong
  // elements once overflowed the integer it was rounded into.
  std::string text = cirrus::read_file(fixture("reduce_scatter_perf_wrong.log"));
  const std::string cell = "40.60      0";  // the 1 MiB row's out-of-place #wrong
  const auto at = text.find(cell);
  REQUIRE(at != std::string::npos);
  text.replace(at + cell.size() - 1, 1, "7.77778e+27");
  const auto log = parse_nccl_tests_log(text, "reduce_scatter_perf_wrong.log");
  CHECK(log.points.size() == 6);
  CHECK(log.warnings[0].find("#wrong = 77777") != std::string::npos);
}

TEST_CASE("a log with an NCCL failure is refused at its line", "[calibrate]") {
  const std::string file = fixture("all_reduce_perf_failure.log");
  try {
    read_nccl_tests_log(file);
    FAIL("accepted a failed run");
  } catch (const InputError& e) {
    CHECK(e.file() == file);
    CHECK(e.path() == "line 30");  // 15 header lines, 14 rows, then the failure
    CHECK(e.found().find("Test NCCL failure common.cu:1005") != std::string::npos);
  }
}

TEST_CASE("a truncated log is refused at the cut", "[calibrate]") {
  const std::string file = fixture("alltoall_perf_truncated.log");
  try {
    read_nccl_tests_log(file);
    FAIL("accepted a truncated run");
  } catch (const InputError& e) {
    CHECK(e.file() == file);
    CHECK(e.path() == "line 22");  // 15 header lines, 6 rows, then half a row
    CHECK(e.expected().find("13 columns") != std::string::npos);
  }
  // Cut between rows: no "# Avg bus bandwidth" line.
  std::string text = cirrus::read_file(fixture("all_reduce_perf_8xa100.log"));
  text = text.substr(0, text.find("# Out of bounds"));
  const auto e = refusal(text);
  CHECK(e.path() == "line 46");  // the last row
  CHECK(e.found().find("truncated") != std::string::npos);
}

TEST_CASE("malformed logs are refused with the file and line", "[calibrate]") {
  const std::string good = cirrus::read_file(fixture("all_reduce_perf_8xa100.log"));
  // A data row before any column header.
  CHECK(refusal("           8             2     float     sum      -1    44.80    0.00    0.00"
                "      0    44.13    0.00    0.00      0\n")
            .path() == "line 1");
  // A number that is not one.
  CHECK(refusal(replace(good, "44.80", "4x.80")).path() == "line 16");
  // algbw that does not follow from size and time.
  CHECK(refusal(replace(good, "64912  132.33", "64912  150.33")).path() == "line 46");
  // A rank line that is not one.
  CHECK(refusal(
            replace(good, "#  Rank  3 Group  0 Pid  48211 on dgx-a100-01 device  3", "#  Rank  x"))
            .path() == "line 7");
  // No header at all, and an empty file.
  CHECK(refusal("hello\n").path() == "line 1");
  CHECK(refusal("").found() == "an empty file");
  // Busbw that does not match the rank count: two rank lines lost means 6 ranks, whose
  // all-reduce factor 2 x 5/6 contradicts the printed busbw.
  std::string six = good;
  for (const char* r : {"#  Rank  6 Group  0 Pid  48211 on dgx-a100-01 device  6 [0xb7] NVIDIA "
                        "A100-SXM4-80GB\n",
                        "#  Rank  7 Group  0 Pid  48211 on dgx-a100-01 device  7 [0xbd] NVIDIA "
                        "A100-SXM4-80GB\n"}) {
    six = replace(six, r, "");
  }
  CHECK(refusal(six).expected().find("6 ranks") != std::string::npos);
}

TEST_CASE("the collective comes from the log, the file name or --op", "[calibrate]") {
  const std::string text = cirrus::read_file(fixture("all_reduce_perf_8xa100.log"));
  // A name that says nothing and no --op: refused.
  CHECK_THROWS_AS(parse_nccl_tests_log(text, "run1.txt"), InputError);
  CHECK(parse_nccl_tests_log(text, "run1.txt", CollectiveKind::kAllReduce).op ==
        CollectiveKind::kAllReduce);
  CHECK(parse_nccl_tests_log(text, "logs/allreduce-8gpu.txt").op == CollectiveKind::kAllReduce);
  // The log's own "Collective test starting" line contradicting --op: refused.
  const std::string ag = cirrus::read_file(fixture("all_gather_perf_2x8xh100.log"));
  CHECK_THROWS_AS(parse_nccl_tests_log(ag, "x.log", CollectiveKind::kAllReduce), InputError);
  // Tests cirrus has no model for.
  CHECK_THROWS_AS(
      parse_nccl_tests_log(replace(ag, "starting: all_gather_perf", "starting: hypercube_perf"),
                           "x.log"),
      InputError);
  using cirrus::calibrate::collective_from_test_name;
  CHECK(collective_from_test_name("alltoall_perf") == CollectiveKind::kAllToAll);
  CHECK(collective_from_test_name("sendrecv_perf") == CollectiveKind::kSendRecv);
  CHECK(collective_from_test_name("broadcast_perf") == CollectiveKind::kBroadcast);
  CHECK(collective_from_test_name("reduce_scatter_perf") == CollectiveKind::kReduceScatter);
  CHECK_FALSE(collective_from_test_name("reduce_perf").has_value());
}

TEST_CASE("unchecked runs (-c 0) and NCCL INFO/WARN lines are accepted", "[calibrate]") {
  std::string text = cirrus::read_file(fixture("all_reduce_perf_8xa100.log"));
  // nccl-tests prints N/A in #wrong when validation is off.
  text = replace(text, "    44.80    0.00    0.00      0", "    44.80    0.00    0.00    N/A");
  text = replace(text, "# Using devices\n",
                 "# Using devices\ndgx-a100-01:48211:48211 [0] NCCL WARN Cuda failure 'x'\n");
  const auto log = parse_nccl_tests_log(text, "all_reduce_perf.log");
  CHECK(log.points.size() == 31);
  REQUIRE(log.warnings.size() == 1);
  CHECK(log.warnings[0].find("NCCL WARN") != std::string::npos);
}

TEST_CASE("merging logs replaces earlier imports and refits", "[calibrate]") {
  cirrus::models::Profile p;
  const auto log = read_nccl_tests_log(fixture("all_reduce_perf_8xa100.log"));
  cirrus::calibrate::merge_nccl_tests(p, {log});
  CHECK(p.collectives.size() == 31);
  CHECK(p.device.name == "NVIDIA A100-SXM4-80GB");
  CHECK(p.device.gpu == "a100-sxm-80gb");
  REQUIRE(p.fits.size() == 1);
  CHECK(p.fits[0].key == "all_reduce/8/1");
  // The published curve is no straight latency-bandwidth line (busbw creeps up from 64 MB to
  // 8 GB): the fitted asymptote sits a little under its 231.6 GB/s plateau.
  CHECK(p.fits[0].rate / 1e9 > 0.85 * 231.6);
  CHECK(p.fits[0].rate / 1e9 < 231.6);
  // A second import of the same (op, ranks, nodes) replaces, another key adds.
  const auto ag = read_nccl_tests_log(fixture("all_gather_perf_2x8xh100.log"));
  cirrus::calibrate::merge_nccl_tests(p, {log, ag});
  CHECK(p.collectives.size() == 31 + 12);
  CHECK(p.versions.nccl == "2.19.3");
  CHECK(p.fits.size() == 2);
  const cirrus::models::ProfileLookup lookup(p);
  CHECK(lookup.collective_busbw(CollectiveKind::kAllGather, 16, 2, 1 << 30).has_value());
  CHECK(lookup.collective_busbw(CollectiveKind::kAllReduce, 8, 1, 1 << 30).value() / 1e9 ==
        Approx(228.1).epsilon(0.01));
}
