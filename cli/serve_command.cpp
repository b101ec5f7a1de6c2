// `cirrus serve SCENARIO [--batch LIST] [--pcie-gbyte-per-s X] [--format table|json|csv]`:
// serving throughput of the scenario's model on one GPU of its node, fully resident beside
// offloaded to host memory in a ring of `inference.gpu_sections` sections
// (models/systems/offload_inference.hpp). A scenario with a `serving` block is simulated request
// by request instead (app/serving_run.hpp; table or json), with `--trace FILE` its batches as a
// Perfetto trace (reports/serving_trace.hpp).
#include <optional>
#include <sstream>

#include "app/serve_run.hpp"
#include "app/serving_run.hpp"
#include "cli/commands.hpp"
#include "common/atomic_write.hpp"
#include "reports/serve_render.hpp"
#include "reports/serving_render.hpp"
#include "reports/serving_trace.hpp"

namespace cirrus::cli {
namespace {

struct Options {
  std::string scenario;
  std::string batch;
  std::optional<double> pcie_gbyte_per_s;
  std::string format = "table";
  std::string out;
  std::string trace;
};

std::vector<int> parse_batch(const std::string& text) {
  std::vector<int> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    std::size_t used = 0;
    int v = 0;
    try {
      v = std::stoi(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != item.size() || v < 1) {
      throw InputError("--batch", "", "a comma-separated list of positive integers",
                       "\"" + text + "\"");
    }
    out.push_back(v);
  }
  if (out.empty()) throw InputError("--batch", "", "at least one batch size", "nothing");
  return out;
}

}  // namespace

Action add_serve(CLI::App& app) {
  auto opt = std::make_shared<Options>();
  auto* sub = app.add_subcommand(
      "serve", "inference throughput by batch size, GPU-resident beside offloaded to host memory");
  sub->add_option("scenario", opt->scenario, "scenario JSON file")->required();
  sub->add_option("--batch", opt->batch, "batch sizes, e.g. 1,8,64 (default: the scenario's)");
  sub->add_option("--pcie-gbyte-per-s", opt->pcie_gbyte_per_s,
                  "host-to-device bandwidth per GPU (default: the node's measured copy rate)")
      ->check(number_in("--pcie-gbyte-per-s", 1e-3, 1e5, " GB/s"));
  sub->add_option("--format", opt->format, "table, json or csv")
      ->check(CLI::IsMember({"table", "json", "csv"}));
  sub->add_option("-o,--out", opt->out, "write to this file (atomically) instead of stdout");
  sub->add_option("--trace", opt->trace,
                  "with a serving block: write the replicas' batches as a Chrome trace-event "
                  "file (opens in Perfetto), the first 100,000 iterations");
  return [opt]() {
    check_distinct_outputs({{"--out", opt->out}, {"--trace", opt->trace}});
    const auto job = app::resolve_search(scenarios::load_scenario(opt->scenario), {});
    if (job->scenario.serving) {
      if (!opt->batch.empty() || opt->pcie_gbyte_per_s || opt->format == "csv") {
        throw UsageError(
            "serve: a scenario with a serving block takes --format table or json, and no "
            "--batch or --pcie-gbyte-per-s (those are the inference block's)");
      }
      const app::ServingResult r = app::run_serving(*job, {.trace = !opt->trace.empty()});
      const std::string text = reports::render_serving(r, opt->format);
      if (r.trace) {
        write_file_atomic(opt->trace, reports::render_serving_trace(*r.trace, r.spec.replicas,
                                                                    job->scenario.name, r.spec.pp));
      }
      emit(text, opt->out);
      return kExitOk;
    }
    if (!opt->trace.empty()) {
      throw UsageError("serve: --trace needs a scenario with a serving block");
    }
    app::ServeOptions options;
    if (!opt->batch.empty()) options.batch = parse_batch(opt->batch);
    options.pcie_gbyte_per_s = opt->pcie_gbyte_per_s;
    emit(reports::render_serve(app::run_serve(*job, options), opt->format), opt->out);
    return kExitOk;
  };
}

}  // namespace cirrus::cli
