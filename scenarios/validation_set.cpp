#include "scenarios/validation_set.hpp"

#include <fmt/format.h>

#include "common/atomic_write.hpp"
#include "common/json_reader.hpp"

namespace cirrus::scenarios {
namespace {

// Megatron-LM (Narayanan et al., SC'21) Eq. 3: FLOPs per step with full recomputation.
double megatron_eq3_flops(double b, double s, double l, double h, double v) {
  return 96.0 * b * s * l * h * h * (1.0 + s / (6.0 * h) + v / (16.0 * l * h));
}

}  // namespace

ValidationSet load_validation_set(const std::string& path) {
  const std::string text = read_file(path);
  const nlohmann::json doc = JsonNode::parse(text, path);
  const JsonNode root(doc, path, "");
  ValidationSet set;
  set.file = path;
  set.title = root.at("title").as_string();
  set.source = root.at("source").as_string();
  const auto node = models::find_node("dgx-a100-80gb");
  if (!node) throw std::logic_error("node preset dgx-a100-80gb missing");

  // The SC'21 runs: fp16 mixed precision with Megatron-LM of 2021. The paper's FLOP count
  // assumes full recomputation; micro-batch and schedule are not given per row.
  set.assumptions = {
      "hardware: DGX A100 80GB nodes (8 x A100-SXM4-80GB, NVSwitch, 8 x HDR 200 Gb/s), as the "
      "dataset states",
      "precision fp16, Adam, no ZeRO (Megatron-LM 2021 had no distributed optimizer)",
      "full activation recomputation (the paper's FLOP count assumes it)",
      "micro-batch 1 and the non-interleaved 1F1B schedule (not stated per row)",
      "unfused attention (2021 Megatron-LM: batched GEMMs with a fused softmax), no sequence "
      "parallelism (introduced in 2022)",
      "no overlap of data-parallel or pipeline communication with compute (2021 Megatron-LM "
      "reduced gradients after the backward pass and used blocking point-to-point calls)"};

  const JsonNode rows = root.at("rows");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const JsonNode r = rows.index(i);
    ValidationRow row;
    row.id = r.at("record_id").as_string();
    auto& m = row.input.model;
    m.name = row.id;
    m.layers = static_cast<int>(r.at("layers").as_positive_int());
    m.hidden = r.at("hidden").as_positive_int();
    m.heads = static_cast<int>(r.at("heads").as_positive_int());
    m.kv_heads = m.heads;
    m.ffn_hidden = r.at("ffn_hidden").as_positive_int();
    m.ffn = models::FfnKind::kGelu;
    m.vocab = r.at("vocab").as_positive_int();
    m.seq_len = r.at("seq_len").as_positive_int();
    auto& t = row.input.training;
    t.global_batch = r.at("global_batch").as_positive_int();
    t.precision = models::Precision::kFp16;
    t.optimizer = models::Optimizer::kAdam;
    auto& s = row.input.strategy;
    s.tp = static_cast<int>(r.at("tp").as_positive_int());
    s.pp = static_cast<int>(r.at("pp").as_positive_int());
    s.dp = static_cast<int>(r.at("dp").as_positive_int());
    s.micro_batch = 1;
    s.schedule = models::Schedule::k1F1B;
    s.recompute = models::Recompute::kFull;
    s.attention = models::AttentionKernel::kUnfused;
    s.sequence_parallel = false;
    s.zero = 0;
    s.overlap = {false, false, false};
    const long gpus = r.at("gpus").as_positive_int();
    if (gpus != static_cast<long>(s.tp) * s.pp * s.dp) {
      r.at("gpus").fail(fmt::format("tp x pp x dp = {}", s.tp * s.pp * s.dp));
    }
    auto& c = row.input.cluster;
    c.node = *node;
    c.nodes = static_cast<int>((gpus + node->gpus - 1) / node->gpus);
    const double tflops = r.at("achieved_tflops_per_gpu").as_positive();
    row.published_step_s =
        megatron_eq3_flops(static_cast<double>(t.global_batch), static_cast<double>(m.seq_len),
                           m.layers, static_cast<double>(m.hidden), static_cast<double>(m.vocab)) /
        (tflops * 1e12 * static_cast<double>(gpus));
    set.rows.push_back(std::move(row));
  }
  return set;
}

}  // namespace cirrus::scenarios
