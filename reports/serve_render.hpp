#pragma once
// `serve`'s outputs (app/serve_run.hpp): tokens per second by batch size, GPU-resident beside
// offloaded, as a table, JSON or CSV.
#include <string>

#include "app/serve_run.hpp"

namespace cirrus::reports {

// `format`: "table", "json" or "csv".
std::string render_serve(const app::ServeResult& r, const std::string& format);

}  // namespace cirrus::reports
