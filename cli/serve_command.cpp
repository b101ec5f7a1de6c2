// `cirrus serve SCENARIO [--batch LIST] [--pcie-gbyte-per-s X] [--format table|json|csv]`:
// serving throughput of the scenario's model on one GPU of its node, fully resident beside
// offloaded to host memory in a ring of `inference.gpu_sections` sections
// (models/systems/offload_inference.hpp).
#include <fmt/format.h>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.hpp"
#include "common/input_error.hpp"
#include "common/units.hpp"
#include "models/systems/offload_inference.hpp"
#include "reports/result_render.hpp"
#include "scenarios/scenario.hpp"

namespace cirrus::cli {
namespace {

struct Options {
  std::string scenario;
  std::string batch;
  double pcie_gbyte_per_s = 0;
  std::string format = "table";
  std::string out;
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
                  "host-to-device bandwidth per GPU (default: the node's measured copy rate)");
  sub->add_option("--format", opt->format, "table, json or csv")
      ->check(CLI::IsMember({"table", "json", "csv"}));
  sub->add_option("-o,--out", opt->out, "write to this file (atomically) instead of stdout");
  return [opt]() {
    const scenarios::Scenario s = scenarios::load_scenario(opt->scenario);
    if (!s.node) throw InputError(s.file, "cluster", "a node or an instance to serve on", "none");
    models::ServeInput in;
    in.model = s.model;
    in.gpu = s.node->gpu;
    in.precision = s.training.precision;
    if (s.inference) in.spec = *s.inference;
    if (!opt->batch.empty()) in.spec.batch = parse_batch(opt->batch);
    const double node_pcie = s.node->pcie_copy_bw > 0 ? s.node->pcie_copy_bw : s.node->pcie_bw;
    in.pcie_bw = opt->pcie_gbyte_per_s > 0 ? opt->pcie_gbyte_per_s * kGB : node_pcie;
    if (in.pcie_bw <= 0) {
      throw InputError(s.file, "cluster.node.pcie_gbyte_per_s",
                       "a host-to-device bandwidth (or --pcie-gbyte-per-s)", "none");
    }
    const auto points = models::serve(in);
    std::string text;
    if (opt->format == "json") {
      nlohmann::json j;
      j["scenario"] = s.name;
      j["gpu"] = in.gpu.display;
      j["pcie_gbyte_per_s"] = reports::round_sig(in.pcie_bw / 1e9);
      j["prompt_tokens"] = in.spec.prompt_tokens;
      j["output_tokens"] = in.spec.output_tokens;
      j["gpu_sections"] = in.spec.gpu_sections;
      nlohmann::json rows = nlohmann::json::array();
      for (const auto& p : points) {
        rows.push_back({{"batch", p.batch},
                        {"applies", p.applies},
                        {"resident_tokens_per_s", reports::round_sig(p.resident_tokens_per_s)},
                        {"offloaded_tokens_per_s", reports::round_sig(p.offloaded_tokens_per_s)},
                        {"resident_gib", reports::round_sig(p.resident_gib, 4)},
                        {"offloaded_gib", reports::round_sig(p.offloaded_gib, 4)},
                        {"prefill_s", reports::round_sig(p.prefill_s)},
                        {"decode_step_s", reports::round_sig(p.decode_step_s)}});
      }
      j["points"] = rows;
      text = j.dump(2) + "\n";
    } else if (opt->format == "csv") {
      text = "batch,applies,resident_tokens_per_s,offloaded_tokens_per_s,resident_gib,"
             "offloaded_gib,prefill_s,decode_step_s\n";
      for (const auto& p : points) {
        text += fmt::format("{},{},{},{},{},{},{},{}\n", p.batch, p.applies,
                            reports::round_sig(p.resident_tokens_per_s),
                            reports::round_sig(p.offloaded_tokens_per_s),
                            reports::round_sig(p.resident_gib, 4),
                            reports::round_sig(p.offloaded_gib, 4),
                            reports::round_sig(p.prefill_s), reports::round_sig(p.decode_step_s));
      }
    } else {
      text = fmt::format("{}: serving {} ({:.1f}B parameters) on one {}\n", s.name, s.model.name,
                         s.model.parameters() / 1e9, in.gpu.display);
      text += fmt::format("  prompt {} tokens, {} generated; offload ring of {} sections over "
                          "{:.1f} GB/s host-to-device\n\n",
                          in.spec.prompt_tokens, in.spec.output_tokens, in.spec.gpu_sections,
                          in.pcie_bw / 1e9);
      text += fmt::format("  {:>6}  {:>14}  {:>10}  {:>14}  {:>10}  {}\n", "batch",
                          "resident tok/s", "GiB", "offload tok/s", "GiB", "applies");
      auto rate = [](bool fits, double v) {
        return fits ? fmt::format("{:.1f}", v) : std::string("does not fit");
      };
      for (const auto& p : points) {
        text += fmt::format("  {:>6}  {:>14}  {:>10.1f}  {:>14}  {:>10.1f}  {}\n", p.batch,
                            rate(p.resident_fits, p.resident_tokens_per_s), p.resident_gib,
                            rate(p.offloaded_fits, p.offloaded_tokens_per_s), p.offloaded_gib,
                            p.applies);
      }
      text += "\n  tokens/s: generated tokens over prefill + decode; decode steps priced at the "
              "mean context; roofline compute (datasheet peaks, no profile)\n";
    }
    emit(text, opt->out);
    return kExitOk;
  };
}

}  // namespace cirrus::cli
