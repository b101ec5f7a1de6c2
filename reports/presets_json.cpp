// `presets --format json` (reports/presets_render.hpp).
#include <cstdint>
#include <nlohmann/json.hpp>

#include "common/units.hpp"
#include "reports/presets_render.hpp"
#include "reports/report_format.hpp"

namespace cirrus::reports {
namespace {

using Json = nlohmann::ordered_json;

// A figure the tables hold as 0 when unknown or absent: null then.
Json known(double v) { return v > 0 ? Json(round_sig(v)) : Json(nullptr); }

Json text_or_null(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

Json model_json(const models::TransformerConfig& m) {
  Json j;
  j["id"] = m.name;
  j["layers"] = m.layers;
  j["hidden"] = m.hidden;
  j["heads"] = m.heads;
  j["kv_heads"] = m.kv_heads;
  j["ffn_hidden"] = m.ffn_hidden;
  j["ffn"] = models::to_string(m.ffn);
  j["vocab"] = m.vocab;
  j["seq_len"] = m.seq_len;
  j["parameters_billions"] = round_sig(m.parameters() / 1e9);
  j["active_parameters_billions"] = round_sig(m.active_parameters() / 1e9);
  Json moe(nullptr);
  if (m.moe) {
    moe = Json::object();
    moe["experts"] = m.moe->experts;
    moe["top_k"] = m.moe->top_k;
    moe["shared_experts"] = m.moe->shared_experts;
    moe["layer_freq"] = m.moe->layer_freq;
    moe["first_dense_layers"] = m.moe->first_dense_layers;
    moe["expert_ffn_hidden"] = m.moe->expert_ffn_hidden;
  }
  j["moe"] = moe;
  j["approximation"] = text_or_null(m.approximation);
  j["source"] = m.source;
  return j;
}

Json node_json(const models::NodeSpec& n) {
  Json j;
  j["id"] = n.id;
  j["display"] = n.display;
  j["gpu"] = n.gpu.id;
  j["gpus"] = n.gpus;
  j["scale_up"] = models::to_string(n.scale_up);
  j["scale_up_gbyte_per_s"] = known(n.scale_up_bw / kGB);
  j["nics"] = n.nics;
  j["nic_gbit_per_s"] = n.nics > 0 ? known(n.nic_bw / kGbps) : Json(nullptr);
  j["host_memory_gib"] = known(n.host_memory_bytes / kGiB);
  j["nvme_tb"] = known(n.nvme_bytes / kTera);
  j["nvls"] = n.nvls;
  j["source"] = n.source;
  return j;
}

Json gpu_json(const models::GpuSpec& g) {
  Json j;
  j["id"] = g.id;
  j["display"] = g.display;
  j["memory_gib"] = known(g.memory_bytes / kGiB);
  j["memory_gbyte_per_s"] = known(g.memory_bw / kGB);
  Json peaks = Json::object();
  peaks["bf16"] = known(g.peak_bf16 / kTera);
  peaks["fp16"] = known(g.peak_fp16 / kTera);
  peaks["fp8"] = known(g.peak_fp8 / kTera);
  peaks["fp32"] = known(g.peak_fp32 / kTera);
  j["dense_tflops"] = peaks;
  j["tdp_w"] = known(g.tdp_w);
  j["uncertain"] = g.uncertain;
  j["source"] = g.source;
  return j;
}

Json instance_json(const app::InstancePreset& p) {
  const pricing::Instance& in = *p.instance;
  Json j;
  j["id"] = in.id;
  j["provider"] = in.provider;
  j["gpus"] = in.gpus ? Json(round_sig(*in.gpus)) : Json(nullptr);
  j["gpu"] = text_or_null(in.gpu);
  j["gpu_model"] = text_or_null(in.gpu_model);
  j["node"] = text_or_null(in.node);
  j["simulable"] = p.simulable;
  j["auto"] = !p.auto_skip.has_value();
  j["auto_skip"] = p.auto_skip ? Json(*p.auto_skip) : Json(nullptr);
  return j;
}

// A fine-tuning recipe (training.finetune): base_bits null where it is the training precision's.
Json finetune_json(const models::FinetunePreset& p) {
  const models::Finetune& f = p.finetune;
  Json j;
  j["id"] = p.id;
  j["method"] = models::to_string(f.method);
  Json targets = Json::array();
  for (const auto& n : models::kLoraTargetNames) {
    if (f.adapts(n.value)) targets.push_back(n.name);
  }
  j["rank"] = f.frozen_base() ? Json(f.rank) : Json(nullptr);
  j["targets"] = targets;
  j["base_bits"] = f.frozen_base() && f.base_bits > 0 ? Json(f.base_bits) : Json(nullptr);
  j["source"] = p.source;
  return j;
}

template <class T, class F>
Json array_of(const std::vector<T>& items, F one) {
  Json a = Json::array();
  for (const auto& item : items) a.push_back(one(item));
  return a;
}

}  // namespace

std::string render_presets_json(const app::Presets& presets) {
  Json out = Json::object();
  for (const std::string& s : presets.sections) {
    if (s == "models") out[s] = array_of(presets.models, model_json);
    if (s == "nodes") out[s] = array_of(presets.nodes, node_json);
    if (s == "gpus") out[s] = array_of(presets.gpus, gpu_json);
    if (s == "instances") out[s] = array_of(presets.instances, instance_json);
    if (s == "finetune") out[s] = array_of(presets.finetune, finetune_json);
  }
  return out.dump(2) + "\n";
}

}  // namespace cirrus::reports
