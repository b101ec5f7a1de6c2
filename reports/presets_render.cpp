#include "reports/presets_render.hpp"

#include <fmt/format.h>

#include <string>
#include <vector>

#include "common/units.hpp"
#include "reports/report_format.hpp"

namespace cirrus::reports {
namespace {

using Rows = std::vector<std::vector<std::string>>;

// A figure the tables hold as 0 when unknown or absent: "-" then.
std::string figure(double v, const char* unit = "") {
  return v > 0 ? fmt::format("{:g}{}", round_sig(v), unit) : std::string("-");
}

// Notes under a table, one per id: "  id: text" (the text alone when it names the id first, as
// a model's approximation does).
std::string notes(const char* title, const std::vector<std::pair<std::string, std::string>>& n) {
  if (n.empty()) return "";
  std::string out = fmt::format("{}:\n", title);
  for (const auto& [id, text] : n) {
    out += text.starts_with(id + ":") ? fmt::format("  {}\n", text)
                                      : fmt::format("  {}: {}\n", id, text);
  }
  return out;
}

std::string models_table(const std::vector<models::TransformerConfig>& list) {
  Rows rows = {{"model", "layers", "hidden", "heads", "kv heads", "FFN", "vocab", "seq_len",
                "params (B)", "experts", "top-k"}};
  std::vector<std::pair<std::string, std::string>> approximations;
  for (const auto& m : list) {
    const bool moe = m.moe.has_value();
    rows.push_back({m.name, fmt::format("{}", m.layers), fmt::format("{}", m.hidden),
                    fmt::format("{}", m.heads), fmt::format("{}", m.kv_heads),
                    fmt::format("{} {}", models::to_string(m.ffn), m.ffn_hidden),
                    fmt::format("{}", m.vocab), fmt::format("{}", m.seq_len),
                    fmt::format("{:.1f}", m.parameters() / 1e9),
                    moe ? fmt::format("{}", m.moe->experts) : std::string("-"),
                    moe ? fmt::format("{}", m.moe->top_k) : std::string("-")});
    if (!m.approximation.empty()) approximations.emplace_back(m.name, m.approximation);
  }
  return format::pad_table(rows) + notes("approximations", approximations);
}

std::string nodes_table(const std::vector<models::NodeSpec>& list) {
  Rows rows = {
      {"node", "GPU", "GPUs", "scale-up", "scale-up GB/s", "NICs x Gb/s", "host GiB", "NVMe TB"}};
  std::vector<std::pair<std::string, std::string>> sources;
  for (const auto& n : list) {
    rows.push_back(
        {n.id, n.gpu.id, fmt::format("{}", n.gpus), models::to_string(n.scale_up),
         figure(n.scale_up_bw / kGB),
         n.nics > 0 ? fmt::format("{} x {}", n.nics, figure(n.nic_bw / kGbps)) : std::string("-"),
         figure(n.host_memory_bytes / kGiB), figure(n.nvme_bytes / kTera)});
    sources.emplace_back(n.id, n.source);
  }
  std::string out = format::text_table(rows, {false, false, true, false, true, true, true, true});
  out += "- not known\n";
  return out + notes("sources", sources);
}

std::string gpus_table(const std::vector<models::GpuSpec>& list) {
  Rows rows = {
      {"GPU", "memory GiB", "HBM GB/s", "bf16", "fp16", "fp8", "fp32", "TDP W", "uncertain"}};
  for (const auto& g : list) {
    rows.push_back({g.id, figure(g.memory_bytes / kGiB), figure(g.memory_bw / kGB),
                    figure(g.peak_bf16 / kTera), figure(g.peak_fp16 / kTera),
                    figure(g.peak_fp8 / kTera), figure(g.peak_fp32 / kTera), figure(g.tdp_w),
                    g.uncertain ? "yes" : ""});
  }
  std::string out =
      format::text_table(rows, {false, true, true, true, true, true, true, true, false});
  return out +
         "dense TFLOP/s (fp32 without tensor cores); - the GPU has no such tensor cores\n"
         "uncertain: some figure is marked uncertain in docs/reference/hardware.md\n";
}

std::string instances_table(const std::vector<app::InstancePreset>& list) {
  Rows rows = {{"instance", "provider", "GPUs", "GPU", "node", "simulate", "auto"}};
  for (const auto& p : list) {
    const pricing::Instance& in = *p.instance;
    const std::string gpu = !in.gpu.empty()        ? in.gpu
                            : in.gpu_model.empty() ? "-"
                                                   : "(" + in.gpu_model + ")";
    rows.push_back({in.id, in.provider, in.gpus ? fmt::format("{:g}", *in.gpus) : "?", gpu,
                    in.node.empty() ? "-" : in.node, p.simulable ? "yes" : "no",
                    p.auto_skip ? "no: " + *p.auto_skip : std::string("yes")});
  }
  std::string out = format::text_table(rows, {false, false, true, false, false, false, false});
  return out +
         "GPU in parentheses: no cirrus GPU preset; auto: whether plan's \"instance\": \"auto\" "
         "searches it\n";
}

std::string finetune_table(const std::vector<models::FinetunePreset>& list) {
  Rows rows = {{"recipe", "method", "rank", "targets", "base bits"}};
  std::vector<std::pair<std::string, std::string>> sources;
  for (const auto& p : list) {
    const models::Finetune& f = p.finetune;
    const bool frozen = f.frozen_base();
    rows.push_back({p.id, models::to_string(f.method),
                    frozen ? fmt::format("{}", f.rank) : std::string("-"),
                    frozen ? models::targets_text(f.targets) : std::string("-"),
                    !frozen           ? std::string("-")
                    : f.base_bits > 0 ? fmt::format("{}", f.base_bits)
                                      : std::string("as trained")});
    sources.emplace_back(p.id, p.source);
  }
  std::string out = format::text_table(rows, {false, false, true, false, false});
  out +=
      "training.finetune takes a recipe's name, or {\"method\", \"rank\", \"targets\", "
      "\"base_bits\"}\n";
  return out + notes("sources", sources);
}

}  // namespace

std::string render_presets(const app::Presets& presets, const std::string& format) {
  if (format == "json") return render_presets_json(presets);
  std::string out;
  for (const std::string& s : presets.sections) {
    if (!out.empty()) out += "\n";
    out += s + "\n";
    if (s == "models") out += models_table(presets.models);
    if (s == "nodes") out += nodes_table(presets.nodes);
    if (s == "gpus") out += gpus_table(presets.gpus);
    if (s == "instances") out += instances_table(presets.instances);
    if (s == "finetune") out += finetune_table(presets.finetune);
  }
  return out;
}

}  // namespace cirrus::reports
