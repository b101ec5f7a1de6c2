#include "scenarios/measured_steps.hpp"

#include <fmt/format.h>

#include "common/json_reader.hpp"
#include "common/read_file.hpp"
#include "models/hardware/hardware.hpp"

namespace cirrus::scenarios {
namespace {

int read_count(const JsonNode& n) {
  const std::int64_t v = n.as_positive_int();
  if (v > 1'000'000) n.fail("a count of at most 1000000");
  return static_cast<int>(v);
}

long read_size(const JsonNode& n) {
  const std::int64_t v = n.as_positive_int();
  if (v > 100'000'000) n.fail("a size of at most 1e8");
  return static_cast<long>(v);
}

models::TransformerConfig read_model(const JsonNode& m, const std::string& id) {
  m.check_keys({"layers", "hidden", "heads", "kv_heads", "ffn_hidden", "ffn", "vocab", "seq_len",
                "tied_embeddings"});
  models::TransformerConfig c;
  c.name = id;
  c.layers = read_count(m.at("layers"));
  c.hidden = read_size(m.at("hidden"));
  c.heads = read_count(m.at("heads"));
  c.kv_heads = read_count(m.at("kv_heads"));
  c.ffn_hidden = read_size(m.at("ffn_hidden"));
  c.ffn = m.at("ffn").as_enum({"gelu", "swiglu"}) == "gelu" ? models::FfnKind::kGelu
                                                            : models::FfnKind::kSwiglu;
  c.vocab = read_size(m.at("vocab"));
  c.seq_len = read_size(m.at("seq_len"));
  c.tied_embeddings = m.at("tied_embeddings").as_bool();
  if (c.hidden % c.heads != 0) {
    m.at("heads").fail(fmt::format("a divisor of hidden ({})", c.hidden));
  }
  if (c.heads % c.kv_heads != 0) {
    m.at("kv_heads").fail(fmt::format("a divisor of heads ({})", c.heads));
  }
  c.source = "measured with PyTorch (calibrate/validation/measure_step.py)";
  return c;
}

MeasuredStepRow read_row(const JsonNode& r, const models::NodeSpec& node) {
  r.check_keys({"id", "model", "precision", "attention", "recompute", "optimizer", "micro_batch",
                "global_batch", "step_s", "step_s_samples", "warmup_steps", "timed_steps",
                "parameters", "peak_memory_gib"});
  MeasuredStepRow row;
  row.id = r.at("id").as_string();
  if (row.id.empty()) r.at("id").fail("a row id");
  auto& in = row.input;
  in.model = read_model(r.at("model"), row.id);

  const std::string precision = r.at("precision").as_enum({"bf16", "fp16", "fp32"});
  in.training.precision = precision == "bf16"   ? models::Precision::kBf16
                          : precision == "fp16" ? models::Precision::kFp16
                                                : models::Precision::kFp32;
  r.at("optimizer").as_enum({"adam"});
  in.training.optimizer = models::Optimizer::kAdam;

  auto& s = in.strategy;  // one GPU: no parallelism of any kind
  s.micro_batch = read_count(r.at("micro_batch"));
  in.training.global_batch = read_count(r.at("global_batch"));
  if (in.training.global_batch != s.micro_batch) {
    r.at("global_batch")
        .fail(
            fmt::format("micro_batch ({}): one GPU runs one micro-batch per step", s.micro_batch));
  }
  s.attention = r.at("attention").as_enum({"flash", "unfused"}) == "flash"
                    ? models::AttentionKernel::kFlash
                    : models::AttentionKernel::kUnfused;
  const std::string recompute = r.at("recompute").as_enum({"none", "selective", "full"});
  s.recompute = recompute == "none"        ? models::Recompute::kNone
                : recompute == "selective" ? models::Recompute::kSelective
                                           : models::Recompute::kFull;
  s.schedule = models::Schedule::k1F1B;
  s.sequence_parallel = false;
  s.zero = 0;

  in.cluster.node = node;
  in.cluster.nodes = 1;

  row.measured_step_s = r.at("step_s").as_positive();
  const JsonNode samples = r.at("step_s_samples");
  for (std::size_t i = 0; i < samples.size(); ++i) {
    row.samples.push_back(samples.index(i).as_positive());
  }
  const int timed = read_count(r.at("timed_steps"));
  if (static_cast<std::size_t>(timed) != row.samples.size()) {
    r.at("timed_steps").fail(fmt::format("the number of samples ({})", row.samples.size()));
  }
  if (r.at("warmup_steps").as_int() < 0) r.at("warmup_steps").fail("a count >= 0");
  row.parameters = r.at("parameters").as_positive();
  row.peak_memory_gib = r.at("peak_memory_gib").as_non_negative();
  return row;
}

}  // namespace

MeasuredStepSet parse_measured_steps(const std::string& text, const std::string& file) {
  const nlohmann::json doc = JsonNode::parse(text, file);
  const JsonNode root(doc, file, "");
  root.check_keys({"cirrus_measured_steps", "title", "date", "device", "method", "rows"});
  if (root.at("cirrus_measured_steps").as_int() != 1) {
    root.at("cirrus_measured_steps").fail("dataset format version 1");
  }
  MeasuredStepSet set;
  set.file = file;
  set.title = root.at("title").as_string();
  set.date = root.at("date").as_string();
  set.method = root.at("method").as_string();

  const JsonNode d = root.at("device");
  d.check_keys({"name", "gpu", "node", "driver", "cuda", "torch", "cudnn"});
  set.device_name = d.at("name").as_string();
  set.gpu = d.at("gpu").as_enum(models::gpu_ids());
  set.node = d.at("node").as_enum(models::node_ids());
  auto node = models::find_node(set.node);
  if (node->gpu.id != set.gpu) {
    d.at("node").fail(fmt::format("a node preset of {} GPUs", set.gpu));
  }
  set.software =
      fmt::format("driver {}, CUDA {}, torch {}, cuDNN {}", d.at("driver").as_string(),
                  d.at("cuda").as_string(), d.at("torch").as_string(), d.at("cudnn").as_string());
  // The steps ran on one GPU of such a node: the cluster is that one GPU, so per-GPU
  // figures (model TFLOP/s, MFU) divide by one.
  node->gpus = 1;
  node->display = "one GPU of " + node->display;

  const JsonNode rows = root.at("rows");
  if (rows.size() == 0) rows.fail("at least one measured row");
  for (std::size_t i = 0; i < rows.size(); ++i) set.rows.push_back(read_row(rows.index(i), *node));
  return set;
}

MeasuredStepSet load_measured_steps(const std::string& path) {
  return parse_measured_steps(read_file(path), path);
}

}  // namespace cirrus::scenarios
