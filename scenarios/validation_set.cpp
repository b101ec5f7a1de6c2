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

// The Megatron-LM 2021 setup of the SC'21 runs: what a dataset without a "setup" object gets.
void megatron_2021_setup(models::StepInput& in) {
  in.model.dropout = true;  // Megatron-LM's GPT defaults, hidden and attention dropout 0.1
  in.training.precision = models::Precision::kFp16;
  in.training.optimizer = models::Optimizer::kAdam;
  auto& s = in.strategy;
  s.micro_batch = 1;
  s.schedule = models::Schedule::k1F1B;
  s.virtual_stages = 1;
  s.recompute = models::Recompute::kFull;
  s.attention = models::AttentionKernel::kUnfused;
  s.sequence_parallel = false;
  s.zero = 0;
  s.overlap = {false, false, false};
}

const std::vector<std::string> kSetupKeys = {
    "node",      "precision", "micro_batch", "schedule", "virtual_stages", "recompute",
    "attention", "sequence_parallel", "zero", "overlap"};

// Applies the keys of `setup` (a dataset's "setup" or a row's own) that are present.
void apply_setup(const JsonNode& n, models::StepInput& in, models::NodeSpec& node) {
  auto& s = in.strategy;
  if (auto v = n.find("node")) {
    const std::string id = v->as_string();
    const auto found = models::find_node(id);
    if (!found) v->fail("a node preset (dgx-a100-40gb, dgx-a100-80gb, dgx-h100, dgx-h200, ...)");
    node = *found;
  }
  if (auto v = n.find("precision")) {
    const std::string p = v->as_enum({"fp16", "bf16", "fp8"});
    in.training.precision = p == "fp16"   ? models::Precision::kFp16
                            : p == "bf16" ? models::Precision::kBf16
                                          : models::Precision::kFp8;
  }
  if (auto v = n.find("micro_batch")) s.micro_batch = static_cast<int>(v->as_positive_int());
  if (auto v = n.find("schedule")) {
    const std::string x = v->as_enum({"gpipe", "1f1b", "interleaved"});
    s.schedule = x == "gpipe"  ? models::Schedule::kGpipe
                 : x == "1f1b" ? models::Schedule::k1F1B
                               : models::Schedule::kInterleaved;
  }
  if (auto v = n.find("virtual_stages")) s.virtual_stages = static_cast<int>(v->as_positive_int());
  if (auto v = n.find("recompute")) {
    const std::string x = v->as_enum({"none", "selective", "full"});
    s.recompute = x == "none"        ? models::Recompute::kNone
                  : x == "selective" ? models::Recompute::kSelective
                                     : models::Recompute::kFull;
  }
  if (auto v = n.find("attention")) {
    s.attention = v->as_enum({"flash", "unfused"}) == "flash" ? models::AttentionKernel::kFlash
                                                              : models::AttentionKernel::kUnfused;
  }
  if (auto v = n.find("sequence_parallel")) s.sequence_parallel = v->as_bool();
  if (auto v = n.find("zero")) {
    const auto z = v->as_int();
    if (z < 0 || z > 3) v->fail("a ZeRO stage 0 to 3");
    s.zero = static_cast<int>(z);
  }
  if (auto v = n.find("overlap")) {
    v->check_keys({"dp", "tp", "pp"});
    if (auto o = v->find("dp")) s.overlap.dp = o->as_bool();
    if (auto o = v->find("tp")) s.overlap.tp = o->as_bool();
    if (auto o = v->find("pp")) s.overlap.pp = o->as_bool();
  }
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
  const auto a100 = models::find_node("dgx-a100-80gb");
  if (!a100) throw std::logic_error("node preset dgx-a100-80gb missing");

  // Without a "setup" the dataset is the SC'21 table: fp16 mixed precision with Megatron-LM of
  // 2021, whose FLOP count assumes full recomputation; micro-batch and schedule are not given
  // per row. A dataset with a "setup" states its own and lists its own "assumed" lines.
  root.check_keys({"title", "source", "hardware", "flops_convention", "unknown", "note", "setup",
                   "assumed", "rows"});
  const auto setup = root.find("setup");
  if (setup) setup->check_keys(kSetupKeys);
  if (auto assumed = root.find("assumed")) {
    for (std::size_t i = 0; i < assumed->size(); ++i) {
      set.assumptions.push_back(assumed->index(i).as_string());
    }
  } else if (!setup) {
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
  }

  const JsonNode rows = root.at("rows");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const JsonNode r = rows.index(i);
    std::vector<std::string> row_keys = {
        "record_id", "params_b", "layers", "hidden",        "heads",       "kv_heads",
        "ffn_hidden", "ffn",     "seq_len", "vocab",        "global_batch", "tp",
        "pp",        "dp",       "gpus",    "step_time_s",  "achieved_tflops_per_gpu", "note"};
    row_keys.insert(row_keys.end(), kSetupKeys.begin(), kSetupKeys.end());
    r.check_keys(row_keys);
    ValidationRow row;
    row.id = r.at("record_id").as_string();
    models::NodeSpec node = *a100;
    megatron_2021_setup(row.input);
    if (setup) apply_setup(*setup, row.input, node);
    apply_setup(r, row.input, node);
    auto& m = row.input.model;
    m.name = row.id;
    m.layers = static_cast<int>(r.at("layers").as_positive_int());
    m.hidden = r.at("hidden").as_positive_int();
    m.heads = static_cast<int>(r.at("heads").as_positive_int());
    m.kv_heads = m.heads;
    if (auto v = r.find("kv_heads")) m.kv_heads = static_cast<int>(v->as_positive_int());
    m.ffn_hidden = r.at("ffn_hidden").as_positive_int();
    m.ffn = models::FfnKind::kGelu;
    if (auto v = r.find("ffn")) {
      m.ffn = v->as_enum({"gelu", "swiglu"}) == "gelu" ? models::FfnKind::kGelu
                                                        : models::FfnKind::kSwiglu;
    }
    m.vocab = r.at("vocab").as_positive_int();
    m.seq_len = r.at("seq_len").as_positive_int();
    auto& t = row.input.training;
    t.global_batch = r.at("global_batch").as_positive_int();
    auto& s = row.input.strategy;
    s.tp = static_cast<int>(r.at("tp").as_positive_int());
    s.pp = static_cast<int>(r.at("pp").as_positive_int());
    s.dp = static_cast<int>(r.at("dp").as_positive_int());
    const long gpus = r.at("gpus").as_positive_int();
    if (gpus != static_cast<long>(s.tp) * s.pp * s.dp) {
      r.at("gpus").fail(fmt::format("tp x pp x dp = {}", s.tp * s.pp * s.dp));
    }
    auto& c = row.input.cluster;
    c.node = node;
    c.nodes = static_cast<int>((gpus + node.gpus - 1) / node.gpus);
    // A published step time is taken as is; a throughput in the SC'21 convention is turned
    // into one with the paper's FLOP count.
    if (auto v = r.find("step_time_s")) {
      row.published_step_s = v->as_positive();
    } else {
      const double tflops = r.at("achieved_tflops_per_gpu").as_positive();
      row.published_step_s =
          megatron_eq3_flops(static_cast<double>(t.global_batch), static_cast<double>(m.seq_len),
                             m.layers, static_cast<double>(m.hidden),
                             static_cast<double>(m.vocab)) /
          (tflops * 1e12 * static_cast<double>(gpus));
    }
    set.rows.push_back(std::move(row));
  }
  return set;
}

}  // namespace cirrus::scenarios
