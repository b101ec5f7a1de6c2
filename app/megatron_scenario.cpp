#include "app/megatron_scenario.hpp"

#include <fmt/format.h>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>

#include "common/did_you_mean.hpp"
#include "common/input_error.hpp"
#include "scenarios/instance_node.hpp"
#include "scenarios/megatron_args.hpp"
#include "scenarios/scenario.hpp"

namespace cirrus::app {
namespace {

using Json = nlohmann::ordered_json;
using scenarios::kMegatronArgsLabel;
using scenarios::MegatronArgs;

[[noreturn]] void fail(const std::string& flag, const std::string& expected,
                       const std::string& found) {
  throw InputError(kMegatronArgsLabel, flag, expected, found);
}

models::NodeSpec node_of_instance(const std::string& id) {
  const scenarios::InstanceNode in = scenarios::instance_node(id);
  if (!in.known) {
    throw InputError("command line", "--instance",
                     "a known instance (`cirrus catalog list` shows them)",
                     "\"" + id + "\"" + did_you_mean_suffix(id, scenarios::known_instance_ids()));
  }
  if (!in.node)
    throw InputError("command line", "--instance", "an instance cirrus can simulate", in.why_not);
  return *in.node;
}

// Megatron-LM pads the vocabulary to a multiple of --make-vocab-size-divisible-by x TP
// (_vocab_size_with_padding; recalled, unverified), so the embedding splits evenly over TP.
std::int64_t padded_vocab(const MegatronArgs& a, std::vector<std::string>& notes) {
  if (a.padded_vocab_size) return *a.padded_vocab_size;
  const std::int64_t multiple =
      std::int64_t{a.make_vocab_size_divisible_by} * a.tensor_model_parallel_size;
  const std::int64_t padded = (*a.vocab_size + multiple - 1) / multiple * multiple;
  if (padded != *a.vocab_size) {
    notes.push_back(fmt::format(
        "--vocab-size {} read as {} rows: Megatron-LM pads the vocabulary to a multiple of "
        "--make-vocab-size-divisible-by {} x TP {} (recalled, unverified; --padded-vocab-size N "
        "takes N as it is)",
        *a.vocab_size, padded, a.make_vocab_size_divisible_by, a.tensor_model_parallel_size));
  }
  return padded;
}

// --moe-layer-freq: an integer N (every N-th layer is MoE) or the list form, one 1 (MoE) or 0
// (dense) per layer, which cirrus holds as leading dense layers and then every N-th layer.
void layer_pattern(const MegatronArgs& a, Json& moe) {
  std::string text = a.moe_layer_freq;
  if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'') &&
      text.back() == text.front()) {
    text = text.substr(1, text.size() - 2);
  }
  const std::string expected =
      "an integer N, or a list [1,0,...] of one 0 or 1 per layer: the first layers dense, then "
      "every N-th layer MoE (cirrus does not evaluate Python expressions: write the list out)";
  if (text.empty() || text.front() != '[') {
    char* end = nullptr;
    const long n = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || end != text.c_str() + text.size() || n < 1 || n > a.num_layers) {
      fail("--moe-layer-freq", expected, "\"" + text + "\"");
    }
    if (n != 1) moe["layer_freq"] = n;
    return;
  }
  std::vector<int> bits;
  for (const char c : text) {
    if (c == '0' || c == '1')
      bits.push_back(c - '0');
    else if (c != '[' && c != ']' && c != ',' && c != ' ')
      fail("--moe-layer-freq", expected, "\"" + text + "\"");
  }
  if (static_cast<int>(bits.size()) != a.num_layers) {
    fail("--moe-layer-freq", fmt::format("a list of {} entries (--num-layers)", a.num_layers),
         fmt::format("{} entries", bits.size()));
  }
  int dense = 0;
  while (dense < a.num_layers && bits[dense] == 0) ++dense;
  for (int freq = 1; freq <= a.num_layers && dense < a.num_layers; ++freq) {
    bool fits = true;
    for (int l = dense; l < a.num_layers && fits; ++l) fits = bits[l] == (l % freq == 0 ? 1 : 0);
    if (!fits) continue;
    if (freq != 1) moe["layer_freq"] = freq;
    if (dense > 0) moe["first_dense_layers"] = dense;
    return;
  }
  fail("--moe-layer-freq", expected, "a pattern of another kind");
}

Json model(const MegatronArgs& a, std::vector<std::string>& notes) {
  Json m;
  m["layers"] = a.num_layers;
  m["hidden"] = a.hidden_size;
  m["heads"] = a.num_attention_heads;
  m["kv_heads"] = a.num_query_groups.value_or(a.num_attention_heads);
  if (!a.ffn_hidden_size && a.swiglu) {
    fail("--ffn-hidden-size",
         "the FFN width with --swiglu (required: cirrus does not assume "
         "Megatron-LM's default width for SwiGLU)",
         "nothing");
  }
  m["ffn_hidden"] = a.ffn_hidden_size.value_or(4 * a.hidden_size);  // Megatron-LM: 4 x hidden
  m["ffn"] = a.swiglu ? "swiglu" : "gelu";
  m["vocab"] = padded_vocab(a, notes);
  m["seq_len"] = a.seq_length;
  m["tied_embeddings"] = !a.untie_embeddings_and_output_weights;
  m["rotary"] = a.position_embedding_type == "rope" || a.position_embedding_type == "mrope";
  m["rmsnorm"] = a.normalization == "RMSNorm";
  m["dropout"] = a.attention_dropout > 0 || a.hidden_dropout > 0;
  if (a.num_experts) {
    Json moe;
    moe["experts"] = *a.num_experts;
    moe["top_k"] = a.moe_router_topk;
    const std::int64_t expert = a.moe_ffn_hidden_size.value_or(m["ffn_hidden"].get<std::int64_t>());
    moe["expert_ffn_hidden"] = expert;
    if (a.moe_shared_expert_intermediate_size) {
      if (*a.moe_shared_expert_intermediate_size % expert != 0) {
        fail("--moe-shared-expert-intermediate-size",
             fmt::format("a multiple of the expert width {} (cirrus counts whole shared experts)",
                         expert),
             std::to_string(*a.moe_shared_expert_intermediate_size));
      }
      moe["shared_experts"] = *a.moe_shared_expert_intermediate_size / expert;
    }
    layer_pattern(a, moe);
    if (a.moe_token_dispatcher_type != "alltoall" && a.expert_model_parallel_size > 1) {
      notes.push_back(fmt::format(
          "--moe-token-dispatcher-type {}: cirrus models the expert-parallel dispatch as "
          "all-to-all",
          a.moe_token_dispatcher_type));
    }
    // Megatron Core routes without dropping unless a capacity factor is given.
    moe["drop_tokens"] = false;
    m["moe"] = moe;
  }
  return m;
}

const char* precision(const MegatronArgs& a, std::vector<std::string>& notes) {
  if (a.fp8_format) return "fp8";
  if (a.bf16) return "bf16";
  if (a.fp16) return "fp16";
  notes.push_back("no --bf16, --fp16 or --fp8-format: fp32, Megatron-LM's default");
  return "fp32";
}

std::string recompute(const MegatronArgs& a, int layers_per_chunk,
                      std::vector<std::string>& notes) {
  if (a.recompute_granularity.empty()) return "none";
  if (a.recompute_granularity == "selective") return "selective";
  const int n = a.recompute_num_layers.value_or(1);
  if (a.recompute_method == "uniform" && n > 1) {
    notes.push_back(fmt::format(
        "--recompute-method uniform --recompute-num-layers {}: modelled as every layer "
        "recomputed from its own stored input, which keeps {} times the inputs Megatron-LM "
        "keeps",
        n, n));
  } else if (a.recompute_method == "block" && n < layers_per_chunk) {
    notes.push_back(fmt::format(
        "--recompute-method block --recompute-num-layers {}: modelled as all {} layers of each "
        "pipeline chunk recomputed: more recomputation and less activation memory than "
        "Megatron-LM's",
        n, layers_per_chunk));
  }
  return "full";
}

// Virtual pipeline stages per rank from either of Megatron-LM's two flags.
int virtual_stages(const MegatronArgs& a) {
  const int pp = a.pipeline_model_parallel_size;
  int v = 1;
  if (a.num_layers_per_virtual_pipeline_stage) {
    const int per_stage = *a.num_layers_per_virtual_pipeline_stage;
    if (a.num_layers % pp != 0 || (a.num_layers / pp) % per_stage != 0) {
      fail("--num-layers-per-virtual-pipeline-stage",
           fmt::format("a divisor of the layers per pipeline stage ({} / {})", a.num_layers, pp),
           std::to_string(per_stage));
    }
    v = a.num_layers / pp / per_stage;
  }
  if (a.num_virtual_stages_per_pipeline_rank) v = *a.num_virtual_stages_per_pipeline_rank;
  if (v > 1 && pp < 2) {
    fail("--pipeline-model-parallel-size", "more than 1 with virtual pipeline stages", "1");
  }
  return v;
}

// The scenario as written: each block on one line, wrapped after a comma at 100 columns.
std::string inline_json(const Json& v) {
  if (!v.is_object()) return v.dump();
  std::string s = "{ ";
  bool first = true;
  for (const auto& [k, x] : v.items()) {
    s += (first ? "" : ", ") + Json(k).dump() + ": " + inline_json(x);
    first = false;
  }
  return s + " }";
}

std::string render(const Json& doc) {
  std::string out = "{\n";
  std::size_t i = 0;
  for (const auto& [key, value] : doc.items()) {
    std::string line = "  " + Json(key).dump() + ": ";
    if (value.is_object()) {
      const std::string indent(line.size() + 2, ' ');
      line += "{ ";
      bool first = true;
      for (const auto& [k, x] : value.items()) {
        const std::string item = Json(k).dump() + ": " + inline_json(x);
        const std::size_t col = line.size() - line.rfind('\n') - 1;
        if (!first && col + item.size() + 4 > 100) {  // ", " before, " }" or "," after
          line += ",\n" + indent;
        } else if (!first) {
          line += ", ";
        }
        line += item;
        first = false;
      }
      line += " }";
    } else {
      line += value.dump();
    }
    out += line + (++i < doc.size() ? ",\n" : "\n");
  }
  return out + "}\n";
}

// A rule the scenario's loader checks, reported at the flag that set the field.
std::string flag_of(const std::string& path) {
  static const std::map<std::string, std::string> kFlags = {
      {"model.layers", "--num-layers"},
      {"model.hidden", "--hidden-size"},
      {"model.heads", "--num-attention-heads"},
      {"model.kv_heads", "--num-query-groups"},
      {"model.ffn_hidden", "--ffn-hidden-size"},
      {"model.vocab", "--vocab-size"},
      {"model.seq_len", "--seq-length"},
      {"model.moe", "--num-experts"},
      {"model.moe.experts", "--num-experts"},
      {"model.moe.top_k", "--moe-router-topk"},
      {"model.moe.expert_ffn_hidden", "--moe-ffn-hidden-size"},
      {"model.moe.layer_freq", "--moe-layer-freq"},
      {"model.moe.first_dense_layers", "--moe-layer-freq"},
      {"training.global_batch", "--global-batch-size"},
      {"training.tokens", "--train-iters"},
      {"training.precision", "--bf16/--fp16/--fp8-format"},
      {"cluster.nodes", "--nodes"},
      {"strategy.tp", "--tensor-model-parallel-size"},
      {"strategy.pp", "--pipeline-model-parallel-size"},
      {"strategy.dp", "--nodes"},
      {"strategy.cp", "--context-parallel-size"},
      {"strategy.ep", "--expert-model-parallel-size"},
      {"strategy.micro_batch", "--micro-batch-size"},
      {"strategy.schedule", "--num-layers-per-virtual-pipeline-stage"},
      {"strategy.virtual_stages", "--num-layers-per-virtual-pipeline-stage"},
      {"strategy.sequence_parallel", "--sequence-parallel"},
      {"strategy.zero", "--use-distributed-optimizer"},
      {"strategy.recompute", "--recompute-granularity"},
      {"strategy.overlap.tp", "--tp-comm-overlap"},
  };
  const auto it = kFlags.find(path);
  return it == kFlags.end() ? path : it->second + " (" + path + ")";
}

}  // namespace

MegatronScenario megatron_scenario(const std::vector<std::string>& args,
                                   const MegatronScenarioOptions& o) {
  const MegatronArgs a = scenarios::parse_megatron_args(args);
  const models::NodeSpec node = node_of_instance(o.instance);
  MegatronScenario r;
  if (!a.launcher.empty()) r.notes.push_back("skipped the launcher: " + a.launcher);
  if (!a.ignored.empty()) {
    r.notes.push_back(
        fmt::format("ignored (cirrus does not model them): {}", fmt::join(a.ignored, ", ")));
  }

  const std::int64_t gpus = std::int64_t{node.gpus} * o.nodes;
  const std::int64_t tp = a.tensor_model_parallel_size;
  const std::int64_t pp = a.pipeline_model_parallel_size;
  const std::int64_t cp = a.context_parallel_size;
  const std::int64_t replica = tp * pp * cp;  // each below 2^30: no overflow in 64 bits
  const std::string cluster = fmt::format("the {} GPUs of --nodes {} x {} ({} GPUs each)", gpus,
                                          o.nodes, o.instance, node.gpus);
  if (replica > gpus || gpus % replica != 0) {
    fail("--tensor-model-parallel-size", "TP x PP x CP dividing " + cluster,
         fmt::format("{} x {} x {} = {}", tp, pp, cp, replica));
  }
  const std::int64_t dp = gpus / replica;
  r.notes.push_back(
      fmt::format("data parallel {} = {} GPUs / (TP {} x PP {} x CP {})", dp, gpus, tp, pp, cp));
  std::int64_t global_batch = a.micro_batch_size * dp;
  if (a.global_batch_size) {
    global_batch = *a.global_batch_size;
    if (global_batch % (a.micro_batch_size * dp) != 0) {
      fail("--global-batch-size",
           fmt::format("a multiple of micro-batch x data parallel = {} x {}", a.micro_batch_size,
                       dp),
           std::to_string(global_batch));
    }
  } else {
    r.notes.push_back(fmt::format(
        "no --global-batch-size: {} = micro-batch {} x data parallel {}, Megatron-LM's default",
        global_batch, a.micro_batch_size, dp));
  }

  Json doc;
  doc["cirrus"] = 1;
  doc["name"] = fmt::format("Megatron-LM arguments: {} layers, hidden {}, on {} x {}", a.num_layers,
                            a.hidden_size, o.nodes, o.instance);
  doc["model"] = model(a, r.notes);
  Json training;
  training["global_batch"] = global_batch;
  training["precision"] = precision(a, r.notes);
  training["optimizer"] = "adam";  // Megatron-LM's default --optimizer
  if (a.train_iters || a.train_samples) {
    // In double: iterations x batch x length can pass 2^63; past the scenario's limit the
    // loader refuses it below, at --train-iters.
    const double tokens =
        a.train_iters ? static_cast<double>(*a.train_iters) * static_cast<double>(global_batch) *
                            static_cast<double>(a.seq_length)
                      : static_cast<double>(*a.train_samples) * static_cast<double>(a.seq_length);
    if (tokens < 9e18) {
      training["tokens"] = static_cast<std::int64_t>(tokens);
    } else {
      training["tokens"] = tokens;
    }
  } else {
    r.notes.push_back(
        "no --train-iters or --train-samples: no training.tokens, so no run time "
        "or run cost");
  }
  doc["training"] = training;
  doc["cluster"] = Json{{"instance", o.instance}, {"nodes", o.nodes}};

  const int v = virtual_stages(a);
  Json st;
  st["tp"] = tp;
  st["pp"] = pp;
  st["cp"] = cp;
  st["ep"] = a.expert_model_parallel_size;
  st["micro_batch"] = a.micro_batch_size;
  st["schedule"] = v > 1 ? "interleaved" : "1f1b";
  if (v > 1) st["virtual_stages"] = v;
  st["sequence_parallel"] = a.sequence_parallel;
  st["zero"] = a.use_distributed_optimizer ? 1 : 0;
  st["recompute"] = recompute(a, static_cast<int>(a.num_layers / (pp * v)), r.notes);
  st["overlap"] = Json{{"dp", a.overlap_grad_reduce}, {"tp", a.tp_comm_overlap}};
  doc["strategy"] = st;
  r.json = render(doc);

  // What simulate will check, checked now and reported at the flags.
  try {
    scenarios::check_pinned(scenarios::parse_scenario(r.json, "from-megatron"));
  } catch (const InputError& e) {
    throw InputError(kMegatronArgsLabel, flag_of(e.path()), e.expected(), e.found());
  }
  return r;
}

}  // namespace cirrus::app
