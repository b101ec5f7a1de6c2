#pragma once
// `calibrate`'s imports: nccl-tests logs into a profile's collective tables
// (calibrate/nccl_tests.hpp), and Microsoft Vidur's public timings into a profile
// (calibrate/import_vidur.hpp). Each writes the profile (atomically) and returns what it read.
// The GPU measurement itself is another executable, cirrus-calibrate (CUDA builds only).
#include <optional>
#include <string>
#include <vector>

#include "calibrate/import_vidur.hpp"
#include "calibrate/nccl_tests.hpp"
#include "models/compute/profile.hpp"

namespace cirrus::app {

struct NcclImportOptions {
  std::vector<std::string> logs;  // nccl-tests standard output, one run per file
  std::string out;                // the profile to write
  std::string into;               // an existing profile to add to; empty: a new one
  std::string op;                 // the collective for logs that do not name it; empty: none
  // The day the logs were measured (YYYY-MM-DD), the new profile's date: nccl-tests logs carry
  // none, and the import must give the same bytes every time. Empty: "undated", and a note
  // says so. Ignored with `into` (the profile keeps its own date).
  std::string date;
};

struct NcclImport {
  std::vector<calibrate::NcclTestsLog> logs;
  models::Profile profile;  // as written
};

NcclImport import_nccl_tests(const NcclImportOptions& options);

struct VidurImportOptions {
  std::string dir;  // Vidur's data/profiling folder
  std::string gpu;  // "a100" or "h100"
  std::string out;
  bool all_points = false;
  std::string commit = calibrate::kVidurCommit;
  std::string date = calibrate::kVidurDate;
};

// The profile as written.
models::Profile import_vidur(const VidurImportOptions& options);

}  // namespace cirrus::app
