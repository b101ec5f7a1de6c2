#include "reports/serve_render.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "reports/report_format.hpp"

namespace cirrus::reports {

std::string render_serve(const app::ServeResult& r, const std::string& format) {
  const models::ServeInput& in = r.input;
  std::string text;
  if (format == "json") {
    nlohmann::json j;
    j["scenario"] = r.scenario_name;
    j["gpu"] = in.gpu.display;
    j["pcie_gbyte_per_s"] = round_sig(in.pcie_bw / 1e9);
    j["prompt_tokens"] = in.spec.prompt_tokens;
    j["output_tokens"] = in.spec.output_tokens;
    j["gpu_sections"] = in.spec.gpu_sections;
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& p : r.points) {
      rows.push_back({{"batch", p.batch},
                      {"applies", p.applies},
                      {"resident_tokens_per_s", round_sig(p.resident_tokens_per_s)},
                      {"offloaded_tokens_per_s", round_sig(p.offloaded_tokens_per_s)},
                      {"resident_gib", round_sig(p.resident_gib, 4)},
                      {"offloaded_gib", round_sig(p.offloaded_gib, 4)},
                      {"prefill_s", round_sig(p.prefill_s)},
                      {"decode_step_s", round_sig(p.decode_step_s)}});
    }
    j["points"] = rows;
    text = j.dump(2) + "\n";
  } else if (format == "csv") {
    text =
        "batch,applies,resident_tokens_per_s,offloaded_tokens_per_s,resident_gib,"
        "offloaded_gib,prefill_s,decode_step_s\n";
    for (const auto& p : r.points) {
      text += fmt::format("{},{},{},{},{},{},{},{}\n", p.batch, p.applies,
                          round_sig(p.resident_tokens_per_s), round_sig(p.offloaded_tokens_per_s),
                          round_sig(p.resident_gib, 4), round_sig(p.offloaded_gib, 4),
                          round_sig(p.prefill_s), round_sig(p.decode_step_s));
    }
  } else {
    text = fmt::format("{}: serving {} ({:.1f}B parameters) on one {}\n", r.scenario_name,
                       in.model.name, in.model.parameters() / 1e9, in.gpu.display);
    text += fmt::format(
        "  prompt {} tokens, {} generated; offload ring of {} sections over "
        "{:.1f} GB/s host-to-device\n\n",
        in.spec.prompt_tokens, in.spec.output_tokens, in.spec.gpu_sections, in.pcie_bw / 1e9);
    text += fmt::format("  {:>6}  {:>14}  {:>10}  {:>14}  {:>10}  {}\n", "batch", "resident tok/s",
                        "GiB", "offload tok/s", "GiB", "applies");
    auto rate = [](bool fits, double v) {
      return fits ? fmt::format("{:.1f}", v) : std::string("does not fit");
    };
    for (const auto& p : r.points) {
      text +=
          fmt::format("  {:>6}  {:>14}  {:>10.1f}  {:>14}  {:>10.1f}  {}\n", p.batch,
                      rate(p.resident_fits, p.resident_tokens_per_s), p.resident_gib,
                      rate(p.offloaded_fits, p.offloaded_tokens_per_s), p.offloaded_gib, p.applies);
    }
    text +=
        "\n  tokens/s: generated tokens over prefill + decode; decode steps priced at the "
        "mean context; roofline compute (datasheet peaks, no profile)\n";
  }
  return text;
}

}  // namespace cirrus::reports
