// Reads a scenario file (CONTRACT.md, "Scenario") into a Scenario. All reading goes through
// JsonNode, so every error names the file, the dotted JSON path, what was expected and what was
// found; unknown keys are refused with a did-you-mean at every level.
//
// The inline node object (`cluster.node` given as an object) is:
//
//   "node": {
//     "preset": "dgx-h100",           base node preset; every other field overrides it
//     "gpu": "h100-sxm",              GPU preset id                      (required w/o preset)
//     "gpus": 8,                      GPUs per node                      (required w/o preset)
//     "scale_up": "nvswitch",         nvswitch | nvlink-bridge | pcie | infinity-fabric
//                                                                        (required w/o preset)
//     "scale_up_gbyte_per_s": 450,    per GPU, per direction, GB/s       (required w/o preset)
//     "scale_up_latency_us": 1.0,     one scale-up hop
//     "nics": 8,                      inter-node NICs per node, >= 0     (required w/o preset)
//     "nic_gbit_per_s": 400,          per NIC, per direction, Gb/s (required when nics > 0)
//     "nic_latency_us": 2.0,          one inter-node hop (NIC + switch)
//     "host_memory_gib": 2048,        host memory per node, GiB (0: unknown)
//     "pcie_gbyte_per_s": 64,         host<->GPU per GPU per direction, GB/s (0: unknown)
//     "nvls": false                   NVLink SHARP in the switches
//   }
//
// Units are in the key names because link rates are quoted both ways: NVLink in bytes (GB/s),
// NICs in bits (Gb/s). Latencies not given are those of a shipped node with the same kind of
// scale-up link, so an inline node never silently gets a zero-latency network.
#include <fmt/format.h>
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/did_you_mean.hpp"
#include "common/input_error.hpp"
#include "common/json_reader.hpp"
#include "common/read_file.hpp"
#include "common/units.hpp"
#include "scenarios/enum_tables.hpp"
#include "scenarios/finetune_reader.hpp"
#include "scenarios/hf_config.hpp"
#include "scenarios/instance_node.hpp"
#include "scenarios/limits.hpp"
#include "scenarios/megatron_aliases.hpp"
#include "scenarios/scenario.hpp"
#include "scenarios/serving_block.hpp"
#include "scenarios/systems_blocks.hpp"

namespace cirrus::scenarios {
namespace {

using models::NodeSpec;
using models::TransformerConfig;

// Deeper JSON is refused at the boundary: later readers of `expect` copy and walk it
// recursively.
constexpr int kMaxDepth = 64;

std::string join(const std::vector<std::string>& words) {
  return fmt::format("{}", fmt::join(words, ", "));
}

// An unknown preset-like name: expected lists the known ones, found suggests the closest.
[[noreturn]] void fail_unknown(const JsonNode& n, const std::string& what,
                               const std::vector<std::string>& known) {
  throw InputError(n.file(), n.path(), fmt::format("{} ({})", what, join(known)),
                   n.describe() + did_you_mean_suffix(n.as_string(), known));
}

[[noreturn]] void fail_missing(const JsonNode& parent, const std::string& key,
                               const std::string& expected) {
  throw InputError(parent.file(), parent.child_path(key), expected, "nothing");
}

std::int64_t read_size(const JsonNode& n, std::int64_t max = kMaxSize) {
  const std::int64_t v = n.as_positive_int();
  if (v > max) n.fail(fmt::format("a positive integer up to {}", max));
  return v;
}

int read_int(const JsonNode& n, std::int64_t max = kMaxSize) {
  return static_cast<int>(read_size(n, max));
}

// One value, a non-empty list of distinct values, or "auto". `what` describes one value, for
// the error on a scalar that is none of the three.
template <class T, class ReadOne>
Choice<T> read_choice(const JsonNode& n, const std::string& what, ReadOne read_one) {
  const std::string expected = what + ", a non-empty list of them, or \"auto\"";
  if (n.is_string() && n.raw().template get_ref<const std::string&>() == "auto") {
    return Choice<T>{{}, true};
  }
  Choice<T> c;
  if (n.is_array()) {
    if (n.size() == 0) n.fail(expected);
    for (std::size_t i = 0; i < n.size(); ++i) {
      const JsonNode item = n.index(i);
      T v = read_one(item);
      if (std::find(c.values.begin(), c.values.end(), v) != c.values.end()) {
        item.fail(what + " not already in the list");
      }
      c.values.push_back(std::move(v));
    }
    return c;
  }
  try {
    c.values.push_back(read_one(n));
  } catch (const InputError& e) {
    // A wrong scalar: say that a list or "auto" would also do.
    if (e.path() != n.path()) throw;
    throw InputError(e.file(), e.path(), e.expected() + ", a non-empty list of them, or \"auto\"",
                     e.found());
  }
  return c;
}

Choice<int> read_int_choice(const std::optional<JsonNode>& n, Choice<int> fallback,
                            std::int64_t max = kMaxSize) {
  if (!n) return fallback;
  return read_choice<int>(*n, "a positive integer",
                          [max](const JsonNode& v) { return read_int(v, max); });
}

// Reject nesting deeper than kMaxDepth; `text` is already known to be well-formed JSON.
void check_depth(const std::string& text, const std::string& file) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxDepth) {
        throw InputError(file, "", fmt::format("JSON nested at most {} levels deep", kMaxDepth),
                         fmt::format("deeper nesting at byte {}", i));
      }
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
}

// JsonNode::parse turns syntax errors into InputErrors, but nlohmann reports a number too large
// for a double ("1e999", out_of_range.406) with another exception type: convert that here too.
nlohmann::json parse_document(const std::string& text, const std::string& file) {
  try {
    return JsonNode::parse(text, file);
  } catch (const nlohmann::json::exception& e) {
    std::string what = e.what();
    const auto pos = what.find("] ");
    if (pos != std::string::npos) what = what.substr(pos + 2);
    throw InputError(file, "", "well-formed JSON", what);
  }
}

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

// `model.moe.popularity`: "uniform" or {"zipf": s}.
void read_popularity(const JsonNode& n, models::MoeConfig& c) {
  const char* expected = "\"uniform\" or {\"zipf\": s} with s > 0";
  if (n.is_string()) {
    n.as_enum({"uniform"});
    c.popularity = models::Popularity::kUniform;
    c.zipf_s = 0;
    return;
  }
  if (!n.is_object()) n.fail(expected);
  n.check_keys({"zipf"});
  const auto s = n.find("zipf");
  if (!s) fail_missing(n, "zipf", "a positive Zipf exponent");
  c.popularity = models::Popularity::kZipf;
  c.zipf_s = s->as_number_in(1e-3, 100);
}

models::MoeConfig read_moe(const JsonNode& m, std::optional<models::MoeConfig> base,
                           long ffn_hidden) {
  m.check_keys({"experts", "top_k", "layer_freq", "expert_ffn_hidden", "capacity_factor",
                "imbalance", "shared_experts", "first_dense_layers", "drop_tokens",
                "pad_to_capacity", "popularity"});
  const bool from_preset = base.has_value();
  models::MoeConfig c = base.value_or(models::MoeConfig{});
  if (auto v = m.find("experts")) {
    c.experts = read_int(*v);
  } else if (!from_preset) {
    fail_missing(m, "experts", "a positive integer (required for an MoE model)");
  }
  if (auto v = m.find("top_k")) c.top_k = read_int(*v);
  if (auto v = m.find("layer_freq")) c.layer_freq = read_int(*v);
  if (auto v = m.find("first_dense_layers")) {
    c.first_dense_layers = static_cast<int>(std::clamp<std::int64_t>(v->as_int(), -1, kMaxSize));
  }
  if (auto v = m.find("expert_ffn_hidden")) {
    c.expert_ffn_hidden = read_size(*v);
  } else if (!from_preset || c.expert_ffn_hidden <= 0) {
    c.expert_ffn_hidden = ffn_hidden;  // Mixtral-style: each expert is a whole FFN
  }
  if (auto v = m.find("shared_experts")) {
    c.shared_experts = static_cast<int>(std::clamp<std::int64_t>(v->as_int(), -1, kMaxSize));
  }
  if (auto v = m.find("capacity_factor")) {
    c.capacity_factor = v->as_number_in(1e-3, 1e3);
  }
  if (auto v = m.find("drop_tokens")) c.drop_tokens = v->as_bool();
  if (auto v = m.find("pad_to_capacity")) c.pad_to_capacity = v->as_bool();
  if (auto v = m.find("imbalance")) c.imbalance = v->as_number_in(0, 1e3);
  if (auto v = m.find("popularity")) read_popularity(*v, c);
  return c;
}

// The MoE block as a whole, after every model field (a preset's block included) is read.
void check_moe_block(const JsonNode& model, const TransformerConfig& c) {
  if (!c.moe) return;
  const auto problem = models::check_moe(*c.moe, c.layers);
  if (!problem) return;
  std::string field = problem->field;
  const auto block = model.find("moe");
  // {"zipf": s} is reported at popularity.zipf only when the user wrote it that way.
  if (field == "popularity.zipf" && !(block && block->has("popularity"))) field = "popularity";
  throw InputError(model.file(), model.child_path("moe") + "." + field, problem->expected,
                   problem->found);
}

// `model.hf_config`: the config.json at a path relative to the scenario's directory (or
// absolute), read and parsed with the scenario's own bounds.
HfModel load_hf_config(const JsonNode& n) {
  const std::string given = n.as_string();
  if (given.empty()) n.fail("the path of a Hugging Face config.json");
  std::filesystem::path path(given);
  if (path.is_relative()) path = std::filesystem::path(n.file()).parent_path() / path;
  const std::string file = path.lexically_normal().string();
  std::string text;
  try {
    text = read_file(file);
  } catch (const IoError& e) {
    throw IoError(std::string(e.what()) + " (" + n.path() + " in " + n.file() + ")");
  }
  const nlohmann::json doc = parse_document(text, file);
  check_depth(text, file);
  return read_hf_config(JsonNode(doc, file, ""));
}

// The training length of a model read from a config.json the scenario gives no seq_len for:
// max_position_embeddings up to kMaxContextAsSeqLen; beyond that (a long-context model) the
// scenario must choose.
long seq_len_from_config(const JsonNode& m, const HfModel& hf) {
  const std::string config = m.at("hf_config").as_string();
  if (!hf.max_position_embeddings) {
    fail_missing(m, "seq_len",
                 fmt::format("the training sequence length (required: {} gives no "
                             "max_position_embeddings)",
                             config));
  }
  const std::int64_t context = *hf.max_position_embeddings;
  if (context > kMaxContextAsSeqLen) {
    fail_missing(m, "seq_len",
                 fmt::format("the training sequence length (required with hf_config when "
                             "max_position_embeddings is above {}: {} gives {}, the longest "
                             "context the model supports, not the length it is trained at)",
                             kMaxContextAsSeqLen, config, context));
  }
  return static_cast<long>(context);
}

TransformerConfig read_model(const JsonNode& m) {
  m.check_keys({"preset", "hf_config", "layers", "hidden", "heads", "kv_heads", "ffn_hidden", "ffn",
                "vocab", "seq_len", "tied_embeddings", "rotary", "rmsnorm", "dropout", "moe"});
  TransformerConfig c;
  bool preset = false;  // the shape has a base (a preset or a config.json) that fields override
  std::optional<HfModel> hf;
  const auto hf_node = m.find("hf_config");
  if (auto p = m.find("preset")) {
    if (hf_node) {
      throw InputError(m.file(), m.child_path("hf_config"),
                       "either model.preset or model.hf_config, not both", "both");
    }
    const std::string id = p->as_string();
    auto found = models::find_model(id);
    if (!found && id.find('/') != std::string::npos) {
      throw InputError(p->file(), p->path(),
                       fmt::format("a known model preset ({})", join(models::model_ids())),
                       p->describe() +
                           " (a Hugging Face id: download its config.json and give "
                           "\"hf_config\": \"PATH\")");
    }
    if (!found) fail_unknown(*p, "a known model preset", models::model_ids());
    c = *found;
    preset = true;
  } else if (hf_node) {
    hf = load_hf_config(*hf_node);
    c = hf->model;
    preset = true;
  } else {
    c.name = "custom";
  }
  // Values a preset derived from others follow an override of those others: a multi-head
  // preset stays multi-head when `heads` changes, a 4h FFN stays 4h when `hidden` changes.
  const bool mha = !preset || c.kv_heads == c.heads;
  const bool ffn_4h = !preset || c.ffn_hidden == 4 * c.hidden;

  auto required = [&](const char* key) -> std::optional<JsonNode> {
    auto v = m.find(key);
    if (!v && !preset) fail_missing(m, key, "a positive integer (required without a preset)");
    return v;
  };
  if (auto v = required("layers")) c.layers = read_int(*v, kMaxLayers);
  if (auto v = required("hidden")) c.hidden = read_size(*v);
  if (auto v = required("heads")) c.heads = read_int(*v);
  if (auto v = required("vocab")) c.vocab = read_size(*v);
  if (auto v = required("seq_len")) {
    c.seq_len = read_size(*v, kMaxSeqLen);
  } else if (hf) {
    c.seq_len = seq_len_from_config(m, *hf);
  }
  if (auto v = m.find("kv_heads")) {
    c.kv_heads = read_int(*v);
  } else if (mha) {
    c.kv_heads = c.heads;
  }
  if (auto v = m.find("ffn_hidden")) {
    c.ffn_hidden = read_size(*v);
  } else if (ffn_4h) {
    c.ffn_hidden = 4 * c.hidden;
  }
  if (auto v = m.find("ffn")) {
    c.ffn = read_enum(*v, kFfnKinds);
  }
  if (auto v = m.find("tied_embeddings")) c.tied_embeddings = v->as_bool();
  if (!preset) {
    // Without a preset the model's family follows its FFN: SwiGLU models are Llama-style
    // (rotary embeddings, RMSNorm); dropout is off unless asked for (models trained today).
    const bool llama = c.ffn == models::FfnKind::kSwiglu;
    c.rotary = llama;
    c.rmsnorm = llama;
  }
  if (auto v = m.find("rotary")) c.rotary = v->as_bool();
  if (auto v = m.find("rmsnorm")) c.rmsnorm = v->as_bool();
  if (auto v = m.find("dropout")) c.dropout = v->as_bool();
  if (auto v = m.find("moe")) c.moe = read_moe(*v, c.moe, c.ffn_hidden);

  if (c.hidden % c.heads != 0) {
    throw InputError(m.file(), m.child_path("heads"),
                     fmt::format("a divisor of hidden ({})", c.hidden),
                     fmt::format("heads = {}", c.heads));
  }
  if (c.kv_heads > c.heads || c.heads % c.kv_heads != 0) {
    throw InputError(m.file(), m.child_path("kv_heads"),
                     fmt::format("a divisor of heads ({})", c.heads),
                     fmt::format("kv_heads = {}", c.kv_heads));
  }
  check_moe_block(m, c);
  return c;
}

// ---------------------------------------------------------------------------------------------
// training
// ---------------------------------------------------------------------------------------------

models::Training read_training(const JsonNode& t) {
  // "finetune" is read by read_finetune once the model is known (parse_scenario).
  t.check_keys({"global_batch", "precision", "optimizer", "tokens", "fp8_all_gather", "kernels",
                "loss_kernels", "norm_kernels", "finetune"});
  models::Training r;
  r.global_batch = read_size(t.at("global_batch"), kMaxGlobalBatch);
  if (auto v = t.find("precision")) {
    r.precision = read_enum(*v, kPrecisions);
  }
  if (auto v = t.find("optimizer")) {
    r.optimizer = read_enum(*v, kOptimizers);
  }
  if (auto v = t.find("tokens")) {
    r.tokens = v->as_positive();
    if (r.tokens > kMaxTokens) v->fail(fmt::format("a positive number up to {:g}", kMaxTokens));
  }
  if (auto v = t.find("fp8_all_gather")) {
    r.fp8_all_gather = v->as_bool();
    if (r.fp8_all_gather && r.precision != models::Precision::kFp8) {
      v->fail("false unless training.precision is \"fp8\" (it gathers fp8 weights)");
    }
  }
  if (auto v = t.find("kernels")) {
    r.kernels = read_enum(*v, kKernels);
  }
  if (auto v = t.find("loss_kernels")) {
    r.loss_kernels = read_enum(*v, kKernels);
  }
  if (auto v = t.find("norm_kernels")) {
    r.norm_kernels = read_enum(*v, kKernels);
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// cluster
// ---------------------------------------------------------------------------------------------

NodeSpec node_preset(const JsonNode& n) {
  const std::string id = n.as_string();
  auto found = models::find_node(id);
  if (!found) fail_unknown(n, "a known node preset", models::node_ids());
  return *found;
}

// The latencies of a shipped node with the same kind of scale-up link (any node if none).
void default_latencies(NodeSpec& node) {
  std::optional<NodeSpec> fallback;
  for (const auto& id : models::node_ids()) {
    auto preset = models::find_node(id);
    if (!preset) continue;
    if (preset->scale_up == node.scale_up) {
      fallback = preset;
      break;
    }
    if (!fallback) fallback = preset;
  }
  if (fallback) {
    node.scale_up_latency_s = fallback->scale_up_latency_s;
    node.nic_latency_s = fallback->nic_latency_s;
  }
}

NodeSpec read_inline_node(const JsonNode& n) {
  n.check_keys({"preset", "gpu", "gpus", "scale_up", "scale_up_gbyte_per_s", "scale_up_latency_us",
                "nics", "nic_gbit_per_s", "nic_latency_us", "host_memory_gib", "pcie_gbyte_per_s",
                "nvls"});
  NodeSpec node;
  const auto preset = n.find("preset");
  if (preset) node = node_preset(*preset);
  auto required = [&](const char* key, const char* expected) -> std::optional<JsonNode> {
    auto v = n.find(key);
    if (!v && !preset) {
      fail_missing(n, key, std::string(expected) + " (required in a node without a preset)");
    }
    return v;
  };
  if (auto v = required("gpu", "a GPU preset id")) {
    const std::string id = v->as_string();
    auto gpu = models::find_gpu(id);
    if (!gpu) fail_unknown(*v, "a known GPU preset", models::gpu_ids());
    node.gpu = *gpu;
  }
  if (auto v = required("gpus", "a positive integer")) node.gpus = read_int(*v, kMaxGpusPerNode);
  if (auto v = required("scale_up", "the kind of scale-up link")) {
    node.scale_up = read_enum(*v, kScaleUpKinds);
  }
  if (!preset) default_latencies(node);
  if (auto v = required("scale_up_gbyte_per_s", "a positive number of GB/s")) {
    node.scale_up_bw = v->as_number_in(kMinBandwidth, kMaxGBytePerS, " GB/s") * kGB;
  }
  if (auto v = n.find("scale_up_latency_us")) {
    node.scale_up_latency_s = v->as_number_in(0, kMaxLatencyUs, " us") * 1e-6;
  }
  if (auto v = required("nics", "a number of NICs")) {
    const std::int64_t nics = v->as_int();
    if (nics < 0 || nics > kMaxSize) v->fail(fmt::format("an integer from 0 to {}", kMaxSize));
    node.nics = static_cast<int>(nics);
  }
  if (auto v = n.find("nic_gbit_per_s")) {
    node.nic_bw = v->as_number_in(kMinBandwidth, kMaxGbitPerS, " Gb/s") * kGbps;
  } else if (!preset && node.nics > 0) {
    fail_missing(n, "nic_gbit_per_s", "a positive number of Gb/s (required when nics > 0)");
  }
  if (auto v = n.find("nic_latency_us")) {
    node.nic_latency_s = v->as_number_in(0, kMaxLatencyUs, " us") * 1e-6;
  }
  if (auto v = n.find("host_memory_gib")) {
    node.host_memory_bytes = v->as_number_in(0, 1e7, " GiB") * kGiB;
  }
  if (auto v = n.find("pcie_gbyte_per_s")) {
    node.pcie_bw = v->as_number_in(0, kMaxGBytePerS, " GB/s") * kGB;
  }
  if (auto v = n.find("nvls")) node.nvls = v->as_bool();

  if (preset && n.keys().size() == 1) return node;  // {"preset": id} alone is the preset
  const std::string base_display = node.display;
  const std::string base_source = node.source;
  node.id = "inline";
  node.display = preset ? base_display + " (modified in the scenario)"
                        : fmt::format("{} x {} (inline)", node.gpus, node.gpu.display);
  node.source = preset ? base_source + "; fields overridden in " + n.file() + " (" + n.path() + ")"
                       : "inline node in " + n.file() + " (" + n.path() + ")";
  return node;
}

// `instance` must look like "provider:name".
std::string read_instance_id(const JsonNode& n) {
  std::string id = n.as_string();
  const auto colon = id.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == id.size()) {
    n.fail("an instance id \"provider:name\"");
  }
  return id;
}

void read_cluster(const JsonNode& c, Scenario& s) {
  c.check_keys({"instance", "node", "nodes", "network", "profile"});
  const auto instance = c.find("instance");
  if (instance) {
    s.instance =
        read_choice<std::string>(*instance, "an instance id \"provider:name\"", read_instance_id);
  }
  if (auto n = c.find("node")) {
    if (n->is_string()) {
      s.node = node_preset(*n);
      s.node_id = s.node->id;
    } else if (n->is_object()) {
      s.node = read_inline_node(*n);
      s.node_id = s.node->id;  // "inline", or the preset's id when nothing was overridden
    } else {
      n->fail("a node preset id or an inline node object");
    }
  } else if (instance) {
    // No node: each named instance brings its own from the hardware table (the node wins when
    // both are given). "auto" leaves the node to the planner.
    std::vector<InstanceNode> nodes;
    for (std::size_t i = 0; i < s.instance.values.size(); ++i) {
      const std::string& id = s.instance.values[i];
      const JsonNode at = instance->is_array() ? instance->index(i) : *instance;
      InstanceNode in = instance_node(id);
      if (!in.known) {
        throw InputError(at.file(), at.path(),
                         "a known instance (`cirrus catalog list` shows them) or a cluster.node",
                         at.describe() + did_you_mean_suffix(id, known_instance_ids()));
      }
      if (!in.node) {
        throw InputError(at.file(), at.path(), "an instance cirrus can simulate, or a cluster.node",
                         in.why_not);
      }
      nodes.push_back(std::move(in));
    }
    if (!s.instance.open()) {
      s.node = nodes.front().node;
      s.node_id = s.node->id;
    }
  } else {
    fail_missing(c, "node", "a node preset, an inline node object or a cluster.instance");
  }
  s.nodes = read_choice<int>(c.at("nodes"), "a positive integer",
                             [](const JsonNode& v) { return read_int(v, kMaxNodes); });
  if (auto net = c.find("network")) {
    net->check_keys({"topology", "oversubscription", "algorithm", "routing", "switch_radix"});
    if (auto v = net->find("topology")) {
      s.network.topology = read_enum(*v, kTopologies);
    }
    if (auto v = net->find("oversubscription")) {
      const double o = v->as_number();
      if (!(o >= 1.0 && o <= kMaxOversubscription)) {
        v->fail(fmt::format("a number from 1 (non-blocking) to {:g}", kMaxOversubscription));
      }
      s.network.oversubscription = o;
    }
    if (auto v = net->find("algorithm")) {
      // The all-reduce algorithm (absent: NCCL's tuner). Whether it can run on this cluster and
      // strategy (NVLS needs one NVSwitch-gen-3 node per all-reduce) is checked with the
      // configuration (models/workload/validity.cpp), naming this field.
      s.network.algorithm = read_enum(*v, kAlgorithms);
    }
    if (auto v = net->find("routing")) {
      s.network.routing = read_enum(*v, kRoutings);
    }
    if (auto v = net->find("switch_radix")) {
      const int radix = read_int(*v, 4096);
      if (radix < 4 || radix % 2 != 0) v->fail("an even number of switch ports, at least 4");
      s.network.switch_radix = radix;
    }
  }
  if (auto v = c.find("profile")) {
    s.profile = v->as_string();
    if (s.profile.empty()) v->fail("the path of a calibration profile");
  }
}

// ---------------------------------------------------------------------------------------------
// strategy
// ---------------------------------------------------------------------------------------------

void read_strategy(const JsonNode& n, StrategySpace& st) {
  n.check_keys({"tp", "pp", "dp", "cp", "ep", "micro_batch", "schedule", "virtual_stages",
                "sequence_parallel", "zero", "dp_shard", "recompute", "recompute_every", "overlap",
                "attention", "offload"});
  st.tp = read_int_choice(n.find("tp"), st.tp);
  st.pp = read_int_choice(n.find("pp"), st.pp);
  if (auto v = n.find("dp")) {
    st.dp = read_int_choice(v, st.dp);
    // "auto" for dp has one answer per candidate, the GPUs left after tp x pp x cp: the same
    // as leaving it out.
    st.dp_given = !st.dp.is_auto;
    if (st.dp.is_auto) st.dp = Choice<int>::fixed(1);
  }
  st.cp = read_int_choice(n.find("cp"), st.cp);
  st.ep = read_int_choice(n.find("ep"), st.ep);
  st.micro_batch = read_int_choice(n.find("micro_batch"), st.micro_batch);
  if (auto v = n.find("schedule")) {
    st.schedule =
        read_choice<models::Schedule>(*v, "\"gpipe\", \"1f1b\" or \"interleaved\"",
                                      [](const JsonNode& x) { return read_enum(x, kSchedules); });
  }
  if (auto v = n.find("virtual_stages")) {
    st.virtual_stages = read_int_choice(v, st.virtual_stages);
    st.virtual_stages_given = true;
  } else if (!st.schedule.open() && st.schedule.value() == models::Schedule::kInterleaved) {
    st.virtual_stages = Choice<int>::fixed(2);
  }
  if (auto v = n.find("sequence_parallel")) {
    st.sequence_parallel =
        read_choice<bool>(*v, "true or false", [](const JsonNode& x) { return x.as_bool(); });
  }
  if (auto v = n.find("zero")) {
    st.zero = read_choice<int>(*v, "0, 1, 2 or 3", [](const JsonNode& x) {
      const std::int64_t z = x.as_int();
      if (z < 0 || z > 3) x.fail("0, 1, 2 or 3");
      return static_cast<int>(z);
    });
  }
  if (auto v = n.find("recompute")) {
    st.recompute = read_choice<models::Recompute>(
        *v, "\"none\", \"selective\", \"full\", \"selective-op\" or \"selective-layer\"",
        [](const JsonNode& x) { return read_enum(x, kRecomputes); });
  }
  if (auto v = n.find("dp_shard")) st.dp_shard = read_int(*v);
  if (auto v = n.find("recompute_every")) st.recompute_every = read_int(*v, 1 << 20);
  if (auto v = n.find("overlap")) {
    v->check_keys({"dp", "tp", "pp"});
    if (auto x = v->find("dp")) st.overlap.dp = x->as_bool();
    if (auto x = v->find("tp")) st.overlap.tp = x->as_bool();
    if (auto x = v->find("pp")) st.overlap.pp = x->as_bool();
  }
  if (auto v = n.find("offload")) {
    st.offload = read_offload(*v);
    st.offload_params = Choice<models::Tier>::fixed(st.offload.params);
    st.offload_optimizer = Choice<models::Tier>::fixed(st.offload.optimizer);
    const char* tiers = "\"gpu\", \"host\" or \"nvme\"";
    if (auto x = v->find("params"))
      st.offload_params = read_choice<models::Tier>(*x, tiers, read_tier);
    if (auto x = v->find("optimizer")) {
      st.offload_optimizer = read_choice<models::Tier>(*x, tiers, read_tier);
    }
  }
  if (auto v = n.find("attention")) {
    st.attention = read_enum(*v, kAttentionKernels);
  }
}

// dp, when not given, is what the GPUs leave: GPUs / (tp pp cp). Derived here only when all of
// those are pinned and divide; otherwise the planner (per candidate), pinned_strategy() and
// check_pinned() handle it.
void derive_dp(Scenario& s) {
  StrategySpace& st = s.strategy;
  if (st.dp_given || !s.node || s.nodes.open() || st.tp.open() || st.pp.open() || st.cp.open()) {
    return;
  }
  const std::int64_t gpus = std::int64_t{s.node->gpus} * s.nodes.value();
  // Each factor may be up to 2^30: multiply only while the product stays within the GPUs.
  std::int64_t per_replica = 1;
  for (const int f : {st.tp.value(), st.pp.value(), st.cp.value()}) {
    if (f > gpus / per_replica) return;
    per_replica *= f;
  }
  if (gpus % per_replica != 0) return;
  st.dp = Choice<int>::fixed(static_cast<int>(gpus / per_replica));
}

// A price per instance-hour as catalogs bound it: above 0, at most pricing::kMaxHourlyPrice.
double read_hourly_price(const JsonNode& n) {
  if (!n.is_number() || !(n.as_number() > 0) || n.as_number() > pricing::kMaxHourlyPrice) {
    n.fail(fmt::format("a price above 0 and at most {:.0f} USD per instance-hour",
                       pricing::kMaxHourlyPrice));
  }
  return n.as_number();
}

void read_pricing(const JsonNode& n, PricingSpec& p) {
  n.check_keys({"model", "region", "committed_reuse", "usd_per_hour"});
  if (auto v = n.find("usd_per_hour")) {
    if (v->is_object()) {
      for (const auto& id : v->keys())
        p.usd_per_hour_by_instance[id] = read_hourly_price(v->at(id));
    } else {
      p.usd_per_hour = read_hourly_price(*v);
    }
  }
  if (auto v = n.find("model")) {
    p.model = read_enum(*v, kPricingModelNames);
  }
  if (auto v = n.find("region")) p.region = v->as_string();
  if (auto v = n.find("committed_reuse")) p.committed_reuse = v->as_number_in(0, 1);
}

void read_objective(const JsonNode& n, Objective& o) {
  n.check_keys({"minimize", "max_usd", "max_days"});
  if (auto v = n.find("minimize")) o.minimize = v->as_enum({"cost", "time"});
  if (auto v = n.find("max_usd")) o.max_usd = v->as_positive();
  if (auto v = n.find("max_days")) o.max_days = v->as_positive();
}

// A serving block without its own dtype serves in the training block's precision, as the first
// serving scenarios said it; fp8 there means fp8 weights, which serving spells differently.
void serving_dtype_from_training(const JsonNode& training, models::ServingSpec& serving) {
  const auto p = training.find("precision");
  if (!p) return;
  const models::Precision given = read_enum(*p, accepted(models::kPrecisionNames));
  if (given == models::Precision::kFp8 || given == models::Precision::kTf32) {
    p->fail(
        "bf16, fp16 or fp32 for serving (fp8 weights are serving.quantization \"fp8\", an "
        "fp8 KV cache serving.kv_cache_dtype \"fp8\")");
  }
  serving.dtype = given;
}

// Megatron-LM names in a block become cirrus's fields before the block is read.
void rewrite_aliases(nlohmann::json& doc, const char* block, const AliasContext& context,
                     Scenario& s) {
  const auto it = doc.find(block);
  if (it == doc.end() || !it->is_object()) return;
  AliasResult r = rewrite_megatron_aliases(*it, s.file, block, context);
  s.hints.insert(s.hints.end(), r.hints.begin(), r.hints.end());
  s.aliases.insert(s.aliases.end(), r.uses.begin(), r.uses.end());
}

void read_scenario(const std::string& text, const std::string& file, Scenario& s) {
  nlohmann::json doc = parse_document(text, file);
  check_depth(text, file);
  const JsonNode root(doc, file, "");
  root.check_keys({"cirrus", "name", "model", "training", "cluster", "strategy", "pricing",
                   "objective", "expect", "elastic", "inference", "serving"});

  s.file = file;
  const JsonNode version = root.at("cirrus");
  if (version.as_int() != 1) version.fail("1 (the scenario format version)");
  if (auto v = root.find("name")) {
    s.name = v->as_string();
    // Printed in every table and report title: bounded, and no control characters (a terminal
    // escape sequence in a shared scenario must not reach the user's terminal).
    const bool printable = std::none_of(s.name.begin(), s.name.end(), [](char c) {
      return static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
    });
    if (s.name.empty() || s.name.size() > kMaxNameBytes || !printable) {
      v->fail(fmt::format("a name of 1 to {} bytes without control characters", kMaxNameBytes));
    }
  } else {
    s.name = std::filesystem::path(file).stem().string();
  }
  rewrite_aliases(doc, "model", {}, s);
  s.model = read_model(root.at("model"));
  const AliasContext context{s.model.layers, s.model.seq_len};
  rewrite_aliases(doc, "training", context, s);
  // A serving scenario needs no training block: it trains nothing.
  const auto training = root.find("training");
  if (training || !root.find("serving")) s.training = read_training(root.at("training"));
  const auto finetune = training ? training->find("finetune") : std::optional<JsonNode>{};
  if (finetune) s.training.finetune = read_finetune(*finetune, s.training, s.model);
  read_cluster(root.at("cluster"), s);
  rewrite_aliases(doc, "strategy", context, s);
  if (auto v = root.find("strategy")) read_strategy(*v, s.strategy);
  if (finetune && s.training.finetune.frozen_base()) check_finetune_strategy(*finetune, s.strategy);
  derive_dp(s);
  if (auto v = root.find("pricing")) read_pricing(*v, s.pricing);
  if (auto v = root.find("objective")) read_objective(*v, s.objective);
  if (auto v = root.find("elastic")) s.elastic = read_elastic(*v);
  if (auto v = root.find("inference")) s.inference = read_inference(*v);
  if (auto v = root.find("serving")) {
    s.serving = read_serving(*v);
    if (training && !v->find("dtype")) serving_dtype_from_training(*training, *s.serving);
  }
  if (auto v = root.find("expect")) {
    if (!v->is_object()) v->fail("an object");
    // Moved, not copied: the reading above is done with the document.
    s.expect = std::move(doc["expect"]);
  }
}

}  // namespace

Scenario parse_scenario(const std::string& text, const std::string& file) {
  Scenario s;
  try {
    read_scenario(text, file, s);
  } catch (const InputError& e) {
    // A field read from a Megatron-LM name is reported under the name the user wrote.
    if (auto moved = alias_error(e, s.aliases)) throw *moved;
    throw;
  }
  return s;
}

Scenario load_scenario(const std::string& path) {
  Scenario s = parse_scenario(read_file(path), path);
  for (const std::string& hint : s.hints) fmt::print(stderr, "cirrus: {}\n", hint);
  return s;
}

models::NodeSpec read_node(const JsonNode& n) {
  if (n.is_string()) return node_preset(n);
  if (n.is_object()) return read_inline_node(n);
  n.fail("a node preset id or an inline node object");
}

}  // namespace cirrus::scenarios
