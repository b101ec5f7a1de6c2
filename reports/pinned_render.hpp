#pragma once
// `simulate`'s outputs (app/pinned_run.hpp): the step as a table, JSON or CSV
// (reports/result_render.hpp), with the run's cost under the scenario's pricing model when the
// catalogs price its instance.
#include <nlohmann/json.hpp>
#include <string>

#include "app/job.hpp"
#include "app/pinned_run.hpp"

namespace cirrus::reports {

// The result object of `--format json` (CONTRACT.md), with its `cost` and `uncertainty`.
nlohmann::json pinned_json(const app::Job& job, const app::PinnedRun& run);

// `format`: "table", "json" or "csv".
std::string render_pinned(const app::Job& job, const app::PinnedRun& run,
                          const std::string& format);

}  // namespace cirrus::reports
