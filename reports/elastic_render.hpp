#pragma once
// `elastic`'s outputs (app/elastic_run.hpp): a phase per node-count change (nodes, dp, step
// time, re-shard time, tokens, hours, cost) and the totals, beside the fixed-node on-demand run
// for a spot run; as a table or JSON.
#include <string>

#include "app/elastic_run.hpp"

namespace cirrus::reports {

std::string render_elastic_table(const app::ElasticResult& r);
std::string render_elastic_json(const app::ElasticResult& r);

}  // namespace cirrus::reports
