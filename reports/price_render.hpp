#pragma once
// `price`'s outputs (app/price_run.hpp): the table of every pricing model with the sources and
// dates of the prices and the assumptions under it, or the same as JSON.
#include <string>

#include "app/price_run.hpp"

namespace cirrus::reports {

// `run` is feasible (its step could run).
std::string render_price_table(const app::PriceRun& run);
std::string render_price_json(const app::PriceRun& run);

}  // namespace cirrus::reports
