#include "scenarios/validation_set.hpp"

#include <fmt/format.h>

#include "common/json_reader.hpp"
#include "common/read_file.hpp"
#include "scenarios/enum_tables.hpp"
#include "scenarios/scenario.hpp"

namespace cirrus::scenarios {

double megatron_eq3_flops(double b, double s, double l, double h, double v) {
  return 96.0 * b * s * l * h * h * (1.0 + s / (6.0 * h) + v / (16.0 * l * h));
}

double step_from_tokens_per_gpu(double global_batch, double seq_len, double gpus,
                                double tokens_per_s_per_gpu) {
  return global_batch * seq_len / (gpus * tokens_per_s_per_gpu);
}

namespace {

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

const char* const kDefaultFramework = "Megatron-LM";

// clang-format off
const std::vector<std::string> kSetupKeys = {
    "node", "precision", "micro_batch", "schedule", "virtual_stages", "recompute",
    "recompute_every", "attention", "sequence_parallel", "zero", "dp_shard", "overlap", "kernels",
    "loss_kernels", "norm_kernels", "fp8_all_gather", "framework"};
// clang-format on

const std::vector<std::string> kFigures = {"step_time_s", "achieved_tflops_per_gpu",
                                           "tokens_per_s_per_gpu"};

// Where each setup value came from: the row's key wins over the dataset's.
struct SetupOrigin {
  std::optional<JsonNode> fp8_all_gather;
};

// Applies the keys of `setup` (a dataset's "setup" or a row's own) that are present.
void apply_setup(const JsonNode& n, models::StepInput& in, models::NodeSpec& node,
                 std::string& framework, SetupOrigin& origin) {
  auto& s = in.strategy;
  auto& t = in.training;
  if (auto v = n.find("node")) node = read_node(*v);
  if (auto v = n.find("precision")) t.precision = read_enum(*v, kPrecisions);
  if (auto v = n.find("micro_batch")) s.micro_batch = static_cast<int>(v->as_positive_int());
  if (auto v = n.find("schedule")) s.schedule = read_enum(*v, kSchedules);
  if (auto v = n.find("virtual_stages")) s.virtual_stages = static_cast<int>(v->as_positive_int());
  if (auto v = n.find("recompute")) s.recompute = read_enum(*v, kRecomputes);
  if (auto v = n.find("recompute_every")) {
    s.recompute_every = static_cast<int>(v->as_positive_int());
  }
  if (auto v = n.find("attention")) s.attention = read_enum(*v, kAttentionKernels);
  if (auto v = n.find("sequence_parallel")) s.sequence_parallel = v->as_bool();
  if (auto v = n.find("zero")) {
    const auto z = v->as_int();
    if (z < 0 || z > 3) v->fail("a ZeRO stage 0 to 3");
    s.zero = static_cast<int>(z);
  }
  if (auto v = n.find("dp_shard")) s.dp_shard = static_cast<int>(v->as_positive_int());
  if (auto v = n.find("overlap")) {
    v->check_keys({"dp", "tp", "pp"});
    if (auto o = v->find("dp")) s.overlap.dp = o->as_bool();
    if (auto o = v->find("tp")) s.overlap.tp = o->as_bool();
    if (auto o = v->find("pp")) s.overlap.pp = o->as_bool();
  }
  if (auto v = n.find("kernels")) t.kernels = read_enum(*v, kKernels);
  if (auto v = n.find("loss_kernels")) t.loss_kernels = read_enum(*v, kKernels);
  if (auto v = n.find("norm_kernels")) t.norm_kernels = read_enum(*v, kKernels);
  if (auto v = n.find("fp8_all_gather")) {
    t.fp8_all_gather = v->as_bool();
    origin.fp8_all_gather = *v;
  }
  if (auto v = n.find("framework")) {
    framework = v->as_string();
    if (framework.empty()) v->fail("a framework label (\"Megatron-LM\", \"torchtitan\", ...)");
  }
}

std::vector<std::string> read_lines(const JsonNode& n) {
  if (!n.is_array()) n.fail("a list of strings");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n.size(); ++i) out.push_back(n.index(i).as_string());
  return out;
}

}  // namespace

ValidationSet load_validation_set(const std::string& path) {
  return parse_validation_set(read_file(path), path);
}

ValidationSet parse_validation_set(const std::string& text, const std::string& path) {
  const nlohmann::json doc = JsonNode::parse(text, path);
  const JsonNode root(doc, path, "");
  if (!root.is_object()) root.fail("a validation dataset object");
  ValidationSet set;
  set.file = path;
  root.check_keys({"title", "source", "hardware", "flops_convention", "unknown", "note", "setup",
                   "assumed", "generated_by", "rows"});
  set.title = root.at("title").as_string();
  set.source = root.at("source").as_string();
  if (auto g = root.find("generated_by")) g->as_string();
  const auto a100 = models::find_node("dgx-a100-80gb");
  if (!a100) throw std::logic_error("node preset dgx-a100-80gb missing");

  // Without a "setup" the dataset is the SC'21 table: fp16 mixed precision with Megatron-LM of
  // 2021, whose FLOP count assumes full recomputation; micro-batch and schedule are not given
  // per row. A dataset with a "setup" states its own and lists its own "assumed" lines.
  const auto setup = root.find("setup");
  if (setup) {
    if (!setup->is_object()) setup->fail("an object of setup keys");
    setup->check_keys(kSetupKeys);
  }
  if (auto assumed = root.find("assumed")) {
    set.assumptions = read_lines(*assumed);
  } else if (!setup) {
    set.assumptions = {
        std::string("hardware: DGX A100 80GB nodes (8 x A100-SXM4-80GB, NVSwitch, 8 x HDR 200 "
                    "Gb/s), as the dataset states"),
        "precision fp16, Adam, no ZeRO (Megatron-LM 2021 had no distributed optimizer)",
        "full activation recomputation (the paper's FLOP count assumes it)",
        "micro-batch 1 and the non-interleaved 1F1B schedule (not stated per row)",
        "unfused attention (2021 Megatron-LM: batched GEMMs with a fused softmax), no sequence "
        "parallelism (introduced in 2022)",
        "no overlap of data-parallel or pipeline communication with compute (2021 Megatron-LM "
        "reduced gradients after the backward pass and used blocking point-to-point calls)"};
  }

  // clang-format off
  std::vector<std::string> row_keys = {
      "record_id", "params_b", "layers", "hidden", "heads", "kv_heads", "ffn_hidden", "ffn",
      "seq_len", "vocab", "tied_embeddings", "rotary", "rmsnorm", "dropout", "global_batch", "tp",
      "pp", "dp", "cp", "ep", "gpus", "peak_memory_gib", "source", "stated", "assumed", "note"};
  // clang-format on
  row_keys.insert(row_keys.end(), kFigures.begin(), kFigures.end());
  row_keys.insert(row_keys.end(), kSetupKeys.begin(), kSetupKeys.end());

  const JsonNode rows = root.at("rows");
  if (!rows.is_array()) rows.fail("a list of rows");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const JsonNode r = rows.index(i);
    if (!r.is_object()) r.fail("a row object");
    r.check_keys(row_keys);
    ValidationRow row;
    row.id = r.at("record_id").as_string();
    models::NodeSpec node = *a100;
    megatron_2021_setup(row.input);
    row.framework = kDefaultFramework;
    SetupOrigin origin;
    if (setup) apply_setup(*setup, row.input, node, row.framework, origin);
    apply_setup(r, row.input, node, row.framework, origin);
    if (row.input.training.fp8_all_gather &&
        row.input.training.precision != models::Precision::kFp8) {
      origin.fp8_all_gather->fail("false unless the precision is \"fp8\" (it gathers fp8 weights)");
    }
    auto& m = row.input.model;
    m.name = row.id;
    m.layers = static_cast<int>(r.at("layers").as_positive_int());
    m.hidden = r.at("hidden").as_positive_int();
    m.heads = static_cast<int>(r.at("heads").as_positive_int());
    m.kv_heads = m.heads;
    if (auto v = r.find("kv_heads")) m.kv_heads = static_cast<int>(v->as_positive_int());
    m.ffn_hidden = r.at("ffn_hidden").as_positive_int();
    m.ffn = models::FfnKind::kGelu;
    if (auto v = r.find("ffn")) m.ffn = read_enum(*v, kFfnKinds);
    m.vocab = r.at("vocab").as_positive_int();
    m.seq_len = r.at("seq_len").as_positive_int();
    if (auto v = r.find("tied_embeddings")) m.tied_embeddings = v->as_bool();
    // As a scenario's model without a preset: SwiGLU models are Llama-style (rotary, RMSNorm,
    // no dropout), GeLU ones GPT-style as Megatron-LM trains them, unless the row says.
    const bool llama = m.ffn == models::FfnKind::kSwiglu;
    m.rotary = llama;
    m.rmsnorm = llama;
    m.dropout = !llama;
    if (auto v = r.find("rotary")) m.rotary = v->as_bool();
    if (auto v = r.find("rmsnorm")) m.rmsnorm = v->as_bool();
    if (auto v = r.find("dropout")) m.dropout = v->as_bool();
    if (auto v = r.find("params_b")) v->as_positive();
    auto& t = row.input.training;
    t.global_batch = r.at("global_batch").as_positive_int();
    auto& s = row.input.strategy;
    s.tp = static_cast<int>(r.at("tp").as_positive_int());
    s.pp = static_cast<int>(r.at("pp").as_positive_int());
    s.dp = static_cast<int>(r.at("dp").as_positive_int());
    if (auto v = r.find("cp")) s.cp = static_cast<int>(v->as_positive_int());
    if (auto v = r.find("ep")) s.ep = static_cast<int>(v->as_positive_int());
    const long gpus = r.at("gpus").as_positive_int();
    const long used = static_cast<long>(s.tp) * s.pp * s.dp * s.cp;
    if (gpus != used) {
      r.at("gpus").fail(fmt::format("tp x pp x dp x cp = {}", used));
    }
    auto& c = row.input.cluster;
    c.node = node;
    c.nodes = static_cast<int>((gpus + node.gpus - 1) / node.gpus);

    // Exactly one published figure, turned into a step time.
    std::vector<std::string> given;
    for (const auto& k : kFigures) {
      if (r.has(k)) given.push_back(k);
    }
    if (given.size() != 1) {
      const std::string expected =
          "exactly one of step_time_s, achieved_tflops_per_gpu, tokens_per_s_per_gpu";
      if (given.empty()) r.fail(expected);
      r.at(given[1]).fail(expected + " (" + given[0] + " is given)");
    }
    row.published_kind = given[0];
    row.published_value = r.at(given[0]).as_positive();
    const double b = static_cast<double>(t.global_batch);
    const double seq = static_cast<double>(m.seq_len);
    if (row.published_kind == "step_time_s") {
      row.published_step_s = row.published_value;
    } else if (row.published_kind == "achieved_tflops_per_gpu") {
      // A throughput in the SC'21 convention, turned into a step time with the paper's FLOPs.
      row.published_step_s = megatron_eq3_flops(b, seq, m.layers, static_cast<double>(m.hidden),
                                                static_cast<double>(m.vocab)) /
                             (row.published_value * 1e12 * static_cast<double>(gpus));
    } else {
      row.published_step_s =
          step_from_tokens_per_gpu(b, seq, static_cast<double>(gpus), row.published_value);
    }
    if (auto v = r.find("peak_memory_gib")) row.published_memory_gib = v->as_positive();
    if (auto v = r.find("source")) row.source = v->as_string();
    if (auto v = r.find("stated")) row.stated = v->as_string();
    if (auto v = r.find("assumed")) row.assumed = read_lines(*v);
    if (auto v = r.find("note")) row.note = v->as_string();
    set.rows.push_back(std::move(row));
  }
  return set;
}

}  // namespace cirrus::scenarios
