#pragma once
// Importer of nccl-tests output (all_reduce_perf, all_gather_perf, reduce_scatter_perf,
// alltoall_perf, broadcast_perf, sendrecv_perf: https://github.com/NVIDIA/nccl-tests), so
// that curves measured on other clusters, multi-node ones included, feed the profile.
//
// What a log must hold, as nccl-tests prints it on rank 0's standard output:
//   - the "#  Rank  0 Group  0 Pid 123 on host device  0 [0x07] NVIDIA ..." lines (older
//     versions omit "Group"): ranks are counted from them, nodes as distinct host names;
//     without them, ranks = nThread x nGpus of the "# nThread 1 nGpus 8 ..." line, one node;
//   - the column header ("#  size  count  type  redop  root  time  algbw  busbw #wrong ...",
//     out-of-place then in-place) and data rows matching it; the out-of-place time is used,
//     algbw and busbw are recomputed from it (nccl-tests rounds them to 0.01 GB/s) and checked
//     against the printed ones;
//   - the "# Avg bus bandwidth : ..." line that ends a complete run.
// Which collective: the "# Collective test starting: all_reduce_perf" line of recent
// versions, else the file name (all_reduce_perf.log, allgather-8gpu.txt, ...), else the
// caller's override. NCCL INFO lines are skipped; NCCL WARN lines become warnings.
//
// Refusals are InputErrors naming the file and "line N": a failure line ("NCCL failure",
// "Test NCCL failure", "Test CUDA failure", "Test failure"), a row that does not match the
// column header (a cut-off line), a row before any header, busbw that disagrees with the rank
// count, a log that ends before its "# Avg bus bandwidth" line (truncated), or no rows at all.
// A row with #wrong > 0 (out-of-place or in-place) is dropped with a warning: its numbers
// came from a run that corrupted data.
#include <optional>
#include <string>
#include <vector>

#include "models/compute/profile.hpp"

namespace cirrus::calibrate {

struct NcclTestsLog {
  std::string file;
  models::CollectiveKind op = models::CollectiveKind::kAllReduce;
  int ranks = 0;
  int nodes = 0;
  std::string device_name;   // from the first rank line; empty without rank lines
  std::string nccl_version;  // "2.21.5" when the log says; empty otherwise
  double avg_busbw_gbs = 0;  // the log's own "Avg bus bandwidth"
  std::vector<models::CollectivePoint> points;  // source kNcclTests, ascending size
  std::vector<std::string> warnings;            // "FILE: line N: ..." for dropped rows
};

NcclTestsLog parse_nccl_tests_log(const std::string& text, const std::string& file,
                                  std::optional<models::CollectiveKind> op = std::nullopt);
NcclTestsLog read_nccl_tests_log(const std::string& path,
                                 std::optional<models::CollectiveKind> op = std::nullopt);

// The collective an nccl-tests binary or log file name stands for ("alltoall_perf" ->
// all_to_all); nullopt when the name says none.
std::optional<models::CollectiveKind> collective_from_test_name(const std::string& name);

// Adds the logs' points to `profile`: earlier nccl-tests points of the same (op, ranks, nodes)
// are replaced (a re-import updates rather than duplicates), calibrate points are kept, and
// the fits are recomputed. Fills device.name/gpu and versions.nccl where the profile has none.
void merge_nccl_tests(models::Profile& profile, const std::vector<NcclTestsLog>& logs);

}  // namespace cirrus::calibrate
