#include "scenarios/megatron_args.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>

#include "common/excerpt.hpp"
#include "common/input_error.hpp"
#include "scenarios/limits.hpp"

namespace cirrus::scenarios {
namespace {

[[noreturn]] void fail(const std::string& flag, const std::string& expected,
                       const std::string& found) {
  throw InputError(kMegatronArgsLabel, flag, expected, found);
}

std::string quoted(const std::string& text) { return "\"" + excerpt(text, 40, false) + "\""; }

std::int64_t to_int(const std::string& flag, const std::string& text, std::int64_t max) {
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE || v < 1 || v > max) {
    fail(flag, fmt::format("a positive integer up to {}", max), quoted(text));
  }
  return v;
}

double to_fraction(const std::string& flag, const std::string& text) {
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE || !std::isfinite(v) ||
      v < 0 || v > 1) {
    fail(flag, "a number from 0 to 1", quoted(text));
  }
  return v;
}

std::string to_choice(const std::string& flag, const std::string& text,
                      const std::vector<std::string>& allowed) {
  if (std::find(allowed.begin(), allowed.end(), text) == allowed.end()) {
    fail(flag, fmt::format("one of {}", fmt::join(allowed, ", ")), quoted(text));
  }
  return text;
}

using Set = std::function<void(MegatronArgs&, const std::string& flag, const std::string& value)>;

struct Flag {
  bool takes_value;
  Set set;
};

Set size(std::int64_t MegatronArgs::*field, std::int64_t max = kMaxSize) {
  return [=](MegatronArgs& a, const std::string& f, const std::string& v) {
    a.*field = to_int(f, v, max);
  };
}
Set count(int MegatronArgs::*field, std::int64_t max = kMaxSize) {
  return [=](MegatronArgs& a, const std::string& f, const std::string& v) {
    a.*field = static_cast<int>(to_int(f, v, max));
  };
}
Set maybe_size(std::optional<std::int64_t> MegatronArgs::*field, std::int64_t max = kMaxSize) {
  return [=](MegatronArgs& a, const std::string& f, const std::string& v) {
    a.*field = to_int(f, v, max);
  };
}
Set maybe_count(std::optional<int> MegatronArgs::*field, std::int64_t max = kMaxSize) {
  return [=](MegatronArgs& a, const std::string& f, const std::string& v) {
    a.*field = static_cast<int>(to_int(f, v, max));
  };
}
Set on(bool MegatronArgs::*field) {
  return [=](MegatronArgs& a, const std::string&, const std::string&) { a.*field = true; };
}
Set choice(std::string MegatronArgs::*field, const std::vector<std::string>& allowed) {
  return [=](MegatronArgs& a, const std::string& f, const std::string& v) {
    a.*field = to_choice(f, v, allowed);
  };
}
Set fraction(double MegatronArgs::*field) {
  return [=](MegatronArgs& a, const std::string& f, const std::string& v) {
    a.*field = to_fraction(f, v);
  };
}

// The flags read. Those outside formats.md section (c) are marked (arguments.py, recalled).
const std::map<std::string, Flag>& flags() {
  using A = MegatronArgs;
  static const std::map<std::string, Flag> kTable = {
      {"--num-layers", {true, count(&A::num_layers, std::int64_t{1} << 14)}},
      {"--hidden-size", {true, size(&A::hidden_size)}},
      {"--num-attention-heads", {true, count(&A::num_attention_heads)}},
      {"--group-query-attention", {false, on(&A::group_query_attention)}},
      {"--num-query-groups", {true, maybe_count(&A::num_query_groups)}},
      {"--ffn-hidden-size", {true, maybe_size(&A::ffn_hidden_size)}},
      {"--seq-length", {true, size(&A::seq_length, kMaxSeqLen)}},
      {"--max-position-embeddings", {true, maybe_size(&A::max_position_embeddings)}},
      {"--vocab-size", {true, maybe_size(&A::vocab_size)}},                // recalled
      {"--padded-vocab-size", {true, maybe_size(&A::padded_vocab_size)}},  // cirrus's
      {"--make-vocab-size-divisible-by", {true, count(&A::make_vocab_size_divisible_by)}},
      {"--swiglu", {false, on(&A::swiglu)}},
      {"--normalization", {true, choice(&A::normalization, {"LayerNorm", "RMSNorm"})}},
      {"--position-embedding-type",
       {true, choice(&A::position_embedding_type, {"learned_absolute", "rope", "mrope", "none"})}},
      {"--untie-embeddings-and-output-weights",
       {false, on(&A::untie_embeddings_and_output_weights)}},
      {"--attention-dropout", {true, fraction(&A::attention_dropout)}},
      {"--hidden-dropout", {true, fraction(&A::hidden_dropout)}},
      {"--num-experts", {true, maybe_count(&A::num_experts)}},
      {"--moe-router-topk", {true, count(&A::moe_router_topk)}},
      {"--moe-ffn-hidden-size", {true, maybe_size(&A::moe_ffn_hidden_size)}},
      {"--moe-shared-expert-intermediate-size",
       {true, maybe_size(&A::moe_shared_expert_intermediate_size)}},
      {"--moe-layer-freq",
       {true, [](A& a, const std::string&, const std::string& v) { a.moe_layer_freq = v; }}},
      {"--moe-token-dispatcher-type",
       {true, choice(&A::moe_token_dispatcher_type, {"allgather", "alltoall", "flex"})}},
      {"--tensor-model-parallel-size", {true, count(&A::tensor_model_parallel_size)}},
      {"--pipeline-model-parallel-size", {true, count(&A::pipeline_model_parallel_size)}},
      {"--context-parallel-size", {true, count(&A::context_parallel_size)}},
      {"--expert-model-parallel-size", {true, count(&A::expert_model_parallel_size)}},
      {"--num-layers-per-virtual-pipeline-stage",
       {true, maybe_count(&A::num_layers_per_virtual_pipeline_stage)}},
      {"--num-virtual-stages-per-pipeline-rank",
       {true, maybe_count(&A::num_virtual_stages_per_pipeline_rank)}},
      {"--sequence-parallel", {false, on(&A::sequence_parallel)}},
      {"--use-distributed-optimizer", {false, on(&A::use_distributed_optimizer)}},
      {"--overlap-grad-reduce", {false, on(&A::overlap_grad_reduce)}},
      {"--tp-comm-overlap", {false, on(&A::tp_comm_overlap)}},
      {"--recompute-granularity", {true, choice(&A::recompute_granularity, {"full", "selective"})}},
      {"--recompute-method", {true, choice(&A::recompute_method, {"uniform", "block"})}},
      {"--recompute-num-layers", {true, maybe_count(&A::recompute_num_layers)}},
      {"--micro-batch-size", {true, count(&A::micro_batch_size, kMaxGlobalBatch)}},
      {"--global-batch-size", {true, maybe_size(&A::global_batch_size, kMaxGlobalBatch)}},
      {"--train-iters", {true, maybe_size(&A::train_iters, std::int64_t{1} << 40)}},  // recalled
      {"--train-samples", {true, maybe_size(&A::train_samples, std::int64_t{1} << 40)}},
      {"--bf16", {false, on(&A::bf16)}},
      {"--fp16", {false, on(&A::fp16)}},
      {"--fp8-format",
       {true,
        [](A& a, const std::string& f, const std::string& v) {
          a.fp8_format = to_choice(f, v, {"e4m3", "hybrid"});
        }}},
  };
  return kTable;
}

bool is_flag(const std::string& token) {
  return token.size() > 2 && token.compare(0, 2, "--") == 0;
}

// Where the arguments start: after the script (`torchrun ... pretrain_gpt.py`), when one is given.
std::size_t first_argument(const std::vector<std::string>& args, std::string& launcher) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& t = args[i];
    if (t.size() > 3 && t.compare(t.size() - 3, 3, ".py") == 0) {
      for (std::size_t j = 0; j <= i; ++j) launcher += (j ? " " : "") + args[j];
      return i + 1;
    }
  }
  return 0;
}

void require(bool given, const std::string& flag, const std::string& what) {
  if (!given) fail(flag, what + " (required)", "nothing");
}

void check(const MegatronArgs& a) {
  require(a.num_layers > 0, "--num-layers", "the number of transformer layers");
  require(a.hidden_size > 0, "--hidden-size", "the model's width");
  require(a.num_attention_heads > 0, "--num-attention-heads", "the number of attention heads");
  require(a.seq_length > 0, "--seq-length", "the training sequence length");
  require(a.vocab_size || a.padded_vocab_size, "--vocab-size",
          "the vocabulary size: Megatron-LM takes it from the tokenizer, which cirrus does not "
          "read; add --vocab-size N, or --padded-vocab-size N for the padded size");
  require(a.micro_batch_size > 0, "--micro-batch-size", "sequences per micro-batch");
  if (a.bf16 && a.fp16) fail("--fp16", "at most one of --bf16 and --fp16", "both");
  if (a.train_iters && a.train_samples) {
    fail("--train-samples", "at most one of --train-iters and --train-samples", "both");
  }
  if (a.num_layers_per_virtual_pipeline_stage && a.num_virtual_stages_per_pipeline_rank) {
    fail("--num-virtual-stages-per-pipeline-rank",
         "at most one of --num-layers-per-virtual-pipeline-stage and "
         "--num-virtual-stages-per-pipeline-rank",
         "both");
  }
  if (a.num_query_groups && !a.group_query_attention) {
    fail("--num-query-groups",
         "--group-query-attention beside it (without it Megatron-LM ignores the groups)",
         "no --group-query-attention");
  }
  if (a.group_query_attention && !a.num_query_groups) {
    fail("--num-query-groups", "the number of key-value heads with --group-query-attention",
         "nothing");
  }
}

}  // namespace

MegatronArgs parse_megatron_args(const std::vector<std::string>& args) {
  MegatronArgs a;
  std::size_t i = first_argument(args, a.launcher);
  std::string last;  // the last flag read, for a stray word after it
  while (i < args.size()) {
    const std::string& token = args[i++];
    if (!is_flag(token)) {
      // After a switch, or after a flag's one value: argparse refuses it too.
      throw InputError(kMegatronArgsLabel, last,
                       last.empty()                   ? "a flag (--name) first"
                       : flags().at(last).takes_value ? "one value after this flag"
                                                      : "no value after this switch",
                       quoted(token));
    }
    const auto eq = token.find('=');
    const std::string name = token.substr(0, eq);
    const auto known = flags().find(name);
    if (known == flags().end()) {
      if (std::find(a.ignored.begin(), a.ignored.end(), name) == a.ignored.end()) {
        a.ignored.push_back(name);
      }
      while (eq == std::string::npos && i < args.size() && !is_flag(args[i])) ++i;  // its values
      continue;
    }
    const Flag& f = known->second;
    std::string value;
    if (eq != std::string::npos) {
      if (!f.takes_value) fail(name, "no value (a switch)", quoted(token.substr(eq + 1)));
      value = token.substr(eq + 1);
    } else if (f.takes_value) {
      if (i == args.size() || is_flag(args[i])) fail(name, "a value after it", "nothing");
      value = args[i++];
    }
    f.set(a, name, value);
    last = name;
  }
  check(a);
  return a;
}

}  // namespace cirrus::scenarios
