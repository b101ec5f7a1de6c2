#include "app/serving_validation.hpp"

#include <fmt/format.h>

#include "app/serving_run.hpp"
#include "common/input_error.hpp"
#include "models/hardware/gpu_family.hpp"

namespace cirrus::app {

int ServingValidation::refused() const {
  int n = 0;
  for (const auto& r : rows) n += r.refused.empty() ? 0 : 1;
  return n;
}

ServingValidation run_serving_validation(const scenarios::ServingValidationSet& set,
                                         const ProfileDefaults& profiles) {
  ServingValidation out;
  out.file = set.file;
  out.title = set.title;
  out.source = set.source;
  out.setup = set.setup;
  out.assumptions = set.assumptions;
  std::vector<double> errors;
  std::vector<std::pair<std::string, std::vector<double>>> by_model;
  for (const scenarios::ServingValidationRow& row : set.rows) {
    ServingValidationResult r;
    r.id = row.id;
    r.source = row.source;
    r.stated = row.stated;
    r.notes = row.notes;
    r.uncertain = row.uncertain;
    r.model = row.model.empty() ? row.scenario.model.name : row.model;
    const models::ServingSpec& spec = *row.scenario.serving;
    r.tp = spec.tp;
    r.gpu_family =
        row.scenario.node ? models::gpu_family(row.scenario.node->gpu.id) : std::string("unknown");
    r.precision = models::serving_precision_label(spec);
    r.input_tokens = spec.input_tokens.largest();
    r.output_tokens = spec.output_tokens.largest();
    r.requests = spec.arrivals.requests.value_or(0);
    r.measured = row.measured_output_tokens_per_s;
    try {
      const auto job = resolve_search(row.scenario, {profiles, {}});
      const ServingResult result = run_serving(*job);
      r.predicted = result.metrics.output_tokens_per_s;
      r.kv_blocks = result.kv.blocks;
      if (result.metrics.iterations > 0) {
        r.output_per_iteration =
            result.metrics.output_tokens / static_cast<double>(result.metrics.iterations);
      }
      r.error = (r.predicted - r.measured) / r.measured;
    } catch (const InputError& e) {
      r.refused = e.what();
    }
    if (r.refused.empty()) {
      errors.push_back(r.error);
      auto it = std::find_if(by_model.begin(), by_model.end(),
                             [&](const auto& g) { return g.first == r.model; });
      if (it == by_model.end()) it = by_model.insert(by_model.end(), {r.model, {}});
      it->second.push_back(r.error);
    }
    out.rows.push_back(std::move(r));
  }
  out.all = error_stats(errors);
  for (const auto& [model, e] : by_model) out.by_model.emplace_back(model, error_stats(e));
  return out;
}

}  // namespace cirrus::app
