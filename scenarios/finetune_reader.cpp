#include "scenarios/finetune_reader.hpp"

#include <fmt/format.h>
#include <string>
#include <vector>

#include "common/did_you_mean.hpp"
#include "common/input_error.hpp"

namespace cirrus::scenarios {

namespace {

using models::Finetune;
using models::FinetuneMethod;
using models::LoraTarget;

std::vector<std::string> preset_ids() {
  std::vector<std::string> out;
  for (const auto& p : models::finetune_presets()) out.emplace_back(p.id);
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

Finetune from_preset(const JsonNode& n) {
  const std::string id = n.as_string();
  for (const auto& p : models::finetune_presets()) {
    if (id != p.id) continue;
    Finetune f = p.finetune;
    f.preset = id;
    return f;
  }
  const std::vector<std::string> ids = preset_ids();
  throw InputError(n.file(), n.path(), fmt::format("a fine-tuning recipe ({})", join(ids)),
                   n.describe() + did_you_mean_suffix(id, ids));
}

models::LoraTargets read_targets(const JsonNode& n) {
  if (n.is_string()) {
    const std::string v = n.as_enum({"attention", "all-linear"});
    return v == "attention" ? models::attention_targets() : models::all_linear_targets();
  }
  const std::string expected =
      "\"attention\", \"all-linear\" or a non-empty list of q, k, v, o, gate, up, down";
  if (!n.is_array() || n.size() == 0) n.fail(expected);
  models::LoraTargets t{};
  std::vector<std::string> names;
  for (const auto& x : models::kLoraTargetNames) names.emplace_back(x.name);
  for (std::size_t i = 0; i < n.size(); ++i) {
    const JsonNode item = n.index(i);
    const auto target = value_in(models::kLoraTargetNames, item.as_enum(names));
    const int k = static_cast<int>(*target);
    if (t[k]) item.fail("each target once");
    t[k] = true;
  }
  return t;
}

Finetune from_object(const JsonNode& n) {
  n.check_keys({"method", "rank", "alpha", "targets", "base_bits"});
  Finetune f;
  f.method =
      *value_in(models::kFinetuneMethodNames, n.at("method").as_enum({"full", "lora", "qlora"}));
  if (!f.frozen_base()) {
    for (const char* key : {"rank", "alpha", "targets", "base_bits"}) {
      if (auto v = n.find(key))
        v->fail("nothing under \"method\": \"full\" (it trains every weight)");
    }
    return f;
  }
  if (auto v = n.find("rank")) {
    const auto rank = v->as_positive_int();
    if (rank > kMaxLoraRank) v->fail(fmt::format("a whole number from 1 to {}", kMaxLoraRank));
    f.rank = static_cast<int>(rank);
  }
  // alpha scales the adapter's output (alpha / r): it changes no cost, so it is only checked.
  if (auto v = n.find("alpha")) v->as_positive();
  const auto targets = n.find("targets");
  if (!targets) {
    throw InputError(n.file(), n.child_path("targets"),
                     "\"attention\", \"all-linear\" or a list of q, k, v, o, gate, up, down",
                     "nothing");
  }
  f.targets = read_targets(*targets);
  f.base_bits = 0;  // resolved against the precision by the caller
  if (auto v = n.find("base_bits")) {
    const auto bits = v->as_int();
    if (bits != 16 && bits != 8 && bits != 4) v->fail("16, 8 or 4");
    if (f.method == FinetuneMethod::kQlora && bits == 16) {
      v->fail("4 or 8 under \"qlora\" (it quantizes the frozen weights; \"lora\" keeps 16)");
    }
    f.base_bits = static_cast<int>(bits);
  }
  return f;
}

}  // namespace

models::Finetune read_finetune(const JsonNode& n, const models::Training& t,
                               const models::TransformerConfig& m) {
  Finetune f;
  if (n.is_string()) {
    f = from_preset(n);
  } else if (n.is_object()) {
    f = from_object(n);
  } else {
    n.fail("a fine-tuning recipe's name or an object with \"method\"");
  }
  if (!f.frozen_base()) return f;
  if (f.base_bits == 0) {
    // QLoRA's default is its NF4; LoRA keeps the weights as trained.
    f.base_bits = f.method == FinetuneMethod::kQlora
                      ? 4
                      : static_cast<int>(8.0 * models::param_bytes(t.precision));
  }
  if (t.precision == models::Precision::kFp8) {
    n.fail("full fine-tuning under training.precision \"fp8\" (fp8 LoRA is not modelled)");
  }
  if (m.moe) {
    n.fail("full fine-tuning for an MoE model (adapters on experts are not modelled)");
  }
  if (models::adapted_matrices(m, f).empty()) {
    n.fail("targets naming a linear layer the model has (a GeLU FFN has no gate)");
  }
  return f;
}

void check_finetune_strategy(const JsonNode& finetune, const StrategySpace& s) {
  auto on_gpu = [](const Choice<models::Tier>& c) {
    return !c.is_auto && c.values.size() == 1 && c.values.front() == models::Tier::kGpu;
  };
  if (!on_gpu(s.offload_params) || !on_gpu(s.offload_optimizer)) {
    finetune.fail("full fine-tuning with strategy.offload (offloaded LoRA is not modelled)");
  }
}

}  // namespace cirrus::scenarios
