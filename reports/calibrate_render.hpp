#pragma once
// What `calibrate import-nccl-tests` and `calibrate import-vidur` print (app/calibrate_run.hpp):
// a line per log read and the profile written.
#include <string>

#include "app/calibrate_run.hpp"

namespace cirrus::reports {

// Warnings (one per line, for stderr) and the summary (for stdout).
std::string nccl_import_warnings(const app::NcclImport& r);
std::string render_nccl_import(const app::NcclImport& r, const std::string& out);
std::string render_vidur_import(const models::Profile& profile, const std::string& out);

}  // namespace cirrus::reports
