#include "scenarios/megatron_aliases.hpp"

#include <fmt/format.h>
#include <cstdint>
#include <map>

#include "common/json_reader.hpp"

namespace cirrus::scenarios {
namespace {

constexpr const char* kMegatron = "Megatron-LM name";
// A field of Megatron Core's TransformerConfig without an argument of the same name
// (`--num-experts` is stored as `num_moe_experts`; formats.md section (c)), as NeMo writes it.
constexpr const char* kCore = "Megatron Core / NeMo name";

// The value at a dotted key ("moe.experts") of an object, or nullptr.
const nlohmann::json* find_dotted(const nlohmann::json& block, const std::string& dotted) {
  const auto dot = dotted.find('.');
  const auto it = block.find(dotted.substr(0, dot));
  if (it == block.end()) return nullptr;
  if (dot == std::string::npos) return &*it;
  if (!it->is_object()) return nullptr;
  return find_dotted(*it, dotted.substr(dot + 1));
}

class Rewriter {
 public:
  Rewriter(nlohmann::json& block, const std::string& file, const std::string& name)
      : block_(block), file_(file), name_(name), given_(block) {}

  std::string path(const std::string& key) const { return name_ + "." + key; }

  bool has(const char* key) const { return block_.contains(key); }
  const nlohmann::json& block() const { return block_; }
  const std::string& file() const { return file_; }
  void release(const std::string& field) { written_by_.erase(field); }

  JsonNode node(const char* key) const { return JsonNode(block_.at(key), file_, path(key)); }

  // The alias may stand for `field`: neither the user nor an earlier alias gave it.
  void claim(const MegatronAlias& a, const std::string& field) {
    const std::string alias = path(a.name);
    const auto by = written_by_.find(field);
    if (by != written_by_.end()) {
      throw InputError(file_, alias, fmt::format("either {} or {}, not both", by->second, alias),
                       "both");
    }
    if (find_dotted(given_, field) != nullptr) {
      throw InputError(file_, alias,
                       fmt::format("either {} ({}) or {}, not both", alias, a.origin, path(field)),
                       "both");
    }
    written_by_[field] = alias;
  }

  // Writes `value` at `field` (creating `moe` or `overlap` when absent).
  void write(const std::string& field, nlohmann::json value) {
    nlohmann::json* at = &block_;
    std::string rest = field;
    for (auto dot = rest.find('.'); dot != std::string::npos; dot = rest.find('.')) {
      const std::string key = rest.substr(0, dot);
      if (at->contains(key) && !(*at)[key].is_object()) {
        throw InputError(file_, path(key), "an object", "another value");
      }
      at = &(*at)[key];
      rest = rest.substr(dot + 1);
    }
    (*at)[rest] = std::move(value);
  }

  void done(const MegatronAlias& a, const std::string& field, const std::string& shown) {
    out.uses.push_back({path(field), path(a.name)});
    out.hints.push_back(fmt::format("{}: {}: read as {}{} ({})", file_, path(a.name), path(field),
                                    shown, a.origin));
    block_.erase(a.name);
  }

  AliasResult out;

 private:
  nlohmann::json& block_;
  const std::string& file_;
  const std::string& name_;
  const nlohmann::json given_;                     // the block as the user wrote it
  std::map<std::string, std::string> written_by_;  // field -> the alias path that wrote it
};

std::string shown(const nlohmann::json& v) { return " " + v.dump(); }

// training.precision from Megatron-LM's switches: fp8 (which keeps bf16 or fp16 outside the
// GEMMs) wins, then bf16, then fp16; none of them on is fp32, Megatron-LM's default.
void rewrite_precision(Rewriter& r, const std::vector<const MegatronAlias*>& given) {
  bool bf16 = false;
  bool fp16 = false;
  bool fp8 = false;
  for (const MegatronAlias* a : given) {
    r.claim(*a, "precision");
    r.release("precision");  // the switches are read together: only the user's field conflicts
    const JsonNode v = r.node(a->name);
    const std::string name = a->name;
    if (name == "bf16") bf16 = v.as_bool();
    if (name == "fp16") fp16 = v.as_bool();
    // null: FP8 off (Megatron-LM's default, None)
    if ((name == "fp8_format" || name == "fp8") && !v.is_null()) {
      v.as_enum({"e4m3", "hybrid"});
      fp8 = true;
    }
  }
  if (bf16 && fp16) {
    throw InputError(r.file(), r.path("fp16"),
                     fmt::format("at most one of {} and {} true (Megatron-LM refuses both)",
                                 r.path("bf16"), r.path("fp16")),
                     "both true");
  }
  const char* precision = fp8 ? "fp8" : bf16 ? "bf16" : fp16 ? "fp16" : "fp32";
  r.write("precision", precision);
  for (const MegatronAlias* a : given) r.done(*a, "precision", shown(precision));
}

// virtual_stages (and the interleaved schedule) from a count of virtual stages per rank.
void write_virtual(Rewriter& r, const MegatronAlias& a, std::int64_t stages,
                   const std::string& why) {
  r.claim(a, "virtual_stages");
  r.claim(a, "schedule");
  if (stages > 1) {
    r.write("schedule", "interleaved");
    r.write("virtual_stages", stages);
    r.done(a, "virtual_stages",
           fmt::format(" {} with {} \"interleaved\"{}", stages, r.path("schedule"), why));
  } else {
    r.write("virtual_stages", 1);
    r.done(a, "virtual_stages", " 1 (no interleaving)" + why);
  }
}

// A positive integer the block gives at `field` (after its aliases), which `alias` needs.
std::int64_t needed_int(const Rewriter& r, const MegatronAlias& a, const char* field) {
  const nlohmann::json* v = find_dotted(r.block(), field);
  if (v == nullptr || !v->is_number_integer() || v->get<std::int64_t>() <= 0) {
    throw InputError(r.file(), r.path(a.name),
                     fmt::format("{} given as one positive integer ({} is converted with it)",
                                 r.path(field), r.path(a.name)),
                     v == nullptr ? "none" : "the value " + v->dump());
  }
  return v->get<std::int64_t>();
}

void rewrite_one(Rewriter& r, const MegatronAlias& a, const AliasContext& c) {
  const JsonNode v = r.node(a.name);
  if (v.is_null()) {
    // Megatron-LM's None (NeMo writes null): not given, so cirrus's default stands.
    r.claim(a, a.field);
    r.done(a, a.field, " not given (null: cirrus's default)");
    return;
  }
  switch (a.kind) {
    case AliasKind::kRename:
    case AliasKind::kPrecision: {  // precision: rewrite_precision
      r.claim(a, a.field);
      r.write(a.field, v.raw());
      r.done(a, a.field, "");
      return;
    }
    case AliasKind::kRecompute: {
      const std::string g = v.as_enum({"full", "selective"});
      r.claim(a, a.field);
      r.write(a.field, g);
      r.done(a, a.field, shown(g));
      return;
    }
    case AliasKind::kDistributedOptimizer: {
      const int zero = v.as_bool() ? 1 : 0;
      r.claim(a, a.field);
      r.write(a.field, zero);
      r.done(a, a.field, shown(zero));
      return;
    }
    case AliasKind::kSwiglu: {
      const char* ffn = v.as_bool() ? "swiglu" : "gelu";
      r.claim(a, a.field);
      r.write(a.field, ffn);
      r.done(a, a.field, shown(ffn));
      return;
    }
    case AliasKind::kVirtualStages:
      write_virtual(r, a, v.as_positive_int(), "");
      return;
    case AliasKind::kLayersPerVirtualStage: {
      const std::int64_t per_stage = v.as_positive_int();
      const std::int64_t pp = needed_int(r, a, "pp");
      const std::int64_t per_rank = c.layers / pp;
      if (pp < 2 || c.layers % pp != 0 || per_rank % per_stage != 0) {
        v.fail(
            fmt::format("a divisor of the layers per pipeline stage ({} layers / pp {}), with "
                        "pp > 1 (Megatron-LM's interleaved schedule)",
                        c.layers, pp));
      }
      write_virtual(r, a, per_rank / per_stage,
                    fmt::format(" ({} layers / (pp {} x {}))", c.layers, pp, per_stage));
      return;
    }
    case AliasKind::kTrainIters:
    case AliasKind::kTrainSamples: {
      const std::int64_t n = v.as_positive_int();
      const double seq = static_cast<double>(c.seq_len);
      double tokens = static_cast<double>(n) * seq;
      std::string why = fmt::format("{} x seq_len {}", a.name, c.seq_len);
      if (a.kind == AliasKind::kTrainIters) {
        const std::int64_t batch = needed_int(r, a, "global_batch");
        tokens *= static_cast<double>(batch);
        why =
            fmt::format("train_iters x global_batch x seq_len = {} x {} x {}", n, batch, c.seq_len);
      }
      r.claim(a, a.field);
      r.write(a.field, tokens);
      r.done(a, a.field, fmt::format(" {:g} ({})", tokens, why));
      return;
    }
  }
}

}  // namespace

const std::vector<MegatronAlias>& megatron_aliases() {
  using K = AliasKind;
  static const std::vector<MegatronAlias> kTable = {
      {"model", "num_layers", "layers", K::kRename, kMegatron},
      {"model", "hidden_size", "hidden", K::kRename, kMegatron},
      {"model", "num_attention_heads", "heads", K::kRename, kMegatron},
      {"model", "num_query_groups", "kv_heads", K::kRename, kMegatron},
      {"model", "ffn_hidden_size", "ffn_hidden", K::kRename, kMegatron},
      {"model", "seq_length", "seq_len", K::kRename, kMegatron},
      {"model", "vocab_size", "vocab", K::kRename, kMegatron},
      {"model", "padded_vocab_size", "vocab", K::kRename, kMegatron},
      {"model", "swiglu", "ffn", K::kSwiglu, kMegatron},
      {"model", "num_experts", "moe.experts", K::kRename, kMegatron},
      {"model", "num_moe_experts", "moe.experts", K::kRename, kCore},
      {"model", "moe_router_topk", "moe.top_k", K::kRename, kMegatron},
      {"model", "moe_ffn_hidden_size", "moe.expert_ffn_hidden", K::kRename, kMegatron},
      {"training", "global_batch_size", "global_batch", K::kRename, kMegatron},
      {"training", "bf16", "precision", K::kPrecision, kMegatron},
      {"training", "fp16", "precision", K::kPrecision, kMegatron},
      {"training", "fp8_format", "precision", K::kPrecision, kMegatron},
      {"training", "fp8", "precision", K::kPrecision, kCore},
      {"training", "train_iters", "tokens", K::kTrainIters, kMegatron},
      {"training", "train_samples", "tokens", K::kTrainSamples, kMegatron},
      {"strategy", "tensor_model_parallel_size", "tp", K::kRename, kMegatron},
      {"strategy", "pipeline_model_parallel_size", "pp", K::kRename, kMegatron},
      {"strategy", "context_parallel_size", "cp", K::kRename, kMegatron},
      {"strategy", "expert_model_parallel_size", "ep", K::kRename, kMegatron},
      {"strategy", "micro_batch_size", "micro_batch", K::kRename, kMegatron},
      {"strategy", "recompute_granularity", "recompute", K::kRecompute, kMegatron},
      {"strategy", "use_distributed_optimizer", "zero", K::kDistributedOptimizer, kMegatron},
      {"strategy", "overlap_grad_reduce", "overlap.dp", K::kRename, kMegatron},
      {"strategy", "tp_comm_overlap", "overlap.tp", K::kRename, kMegatron},
      {"strategy", "virtual_pipeline_model_parallel_size", "virtual_stages", K::kVirtualStages,
       kMegatron},
      {"strategy", "num_virtual_stages_per_pipeline_rank", "virtual_stages", K::kVirtualStages,
       kMegatron},
      {"strategy", "num_layers_per_virtual_pipeline_stage", "virtual_stages",
       K::kLayersPerVirtualStage, kMegatron},
  };
  return kTable;
}

AliasResult rewrite_megatron_aliases(nlohmann::json& block, const std::string& file,
                                     const std::string& block_name, const AliasContext& context) {
  Rewriter r(block, file, block_name);
  std::vector<const MegatronAlias*> precision;
  for (const MegatronAlias& a : megatron_aliases()) {
    if (block_name != a.block || !r.has(a.name)) continue;
    if (a.kind == AliasKind::kPrecision) {
      precision.push_back(&a);
    } else {
      rewrite_one(r, a, context);
    }
  }
  if (!precision.empty()) rewrite_precision(r, precision);
  return std::move(r.out);
}

std::optional<InputError> alias_error(const InputError& e, const std::vector<AliasUse>& uses) {
  for (const AliasUse& u : uses) {
    const std::string& p = e.path();
    if (p.compare(0, u.field_path.size(), u.field_path) != 0) continue;
    const std::string below = p.substr(u.field_path.size());
    if (!below.empty() && below.front() != '.' && below.front() != '[') continue;
    return InputError(e.file(), u.alias_path + below, e.expected(), e.found());
  }
  return std::nullopt;
}

}  // namespace cirrus::scenarios
