#include "app/serve_run.hpp"

#include "common/input_error.hpp"
#include "common/units.hpp"

namespace cirrus::app {

ServeResult run_serve(const Job& job, const ServeOptions& options) {
  const scenarios::Scenario& s = job.scenario;
  if (!s.node) throw InputError(s.file, "cluster", "a node or an instance to serve on", "none");
  ServeResult out;
  out.scenario_name = s.name;
  models::ServeInput& in = out.input;
  in.model = s.model;
  in.gpu = s.node->gpu;
  in.precision = s.training.precision;
  if (s.inference) in.spec = *s.inference;
  if (!options.batch.empty()) in.spec.batch = options.batch;
  const double node_pcie = s.node->pcie_copy_bw > 0 ? s.node->pcie_copy_bw : s.node->pcie_bw;
  in.pcie_bw = options.pcie_gbyte_per_s && *options.pcie_gbyte_per_s > 0
                   ? *options.pcie_gbyte_per_s * kGB
                   : node_pcie;
  if (in.pcie_bw <= 0) {
    throw InputError(s.file, "cluster.node.pcie_gbyte_per_s",
                     "a host-to-device bandwidth (or --pcie-gbyte-per-s)", "none");
  }
  out.points = models::serve(in);
  return out;
}

}  // namespace cirrus::app
