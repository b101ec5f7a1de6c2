#include "scenarios/step_input.hpp"

#include "common/input_error.hpp"

namespace cirrus::scenarios {

models::StepInput pinned_input(const Scenario& s) {
  models::StepInput in;
  if (const auto open = s.open_choices(); !open.empty()) {
    throw InputError(s.file, open.front(),
                     "a single value (simulate needs every choice pinned; `cirrus plan` searches "
                     "open choices)",
                     "an open choice");
  }
  in.strategy = s.pinned_strategy();
  in.cluster = s.pinned_cluster();
  check_pinned(s);
  in.model = s.model;
  in.training = s.training;
  return in;
}

std::string hardware_label(const Scenario& s) {
  if (!s.instance.values.empty() && !s.instance.open()) return s.instance.value();
  return s.node_id;
}

}  // namespace cirrus::scenarios
