// Megatron-LM / NeMo names in a scenario (scenarios/megatron_aliases.hpp): each is read as the
// cirrus field it stands for, with one hint; an alias beside its field is an error naming both;
// an error found at the field later names the alias the user wrote.
#include <catch2/catch.hpp>
#include <string>

#include "common/input_error.hpp"
#include "scenarios/scenario.hpp"

namespace {

using cirrus::InputError;
using cirrus::scenarios::check_pinned;
using cirrus::scenarios::parse_scenario;
using cirrus::scenarios::Scenario;

const std::string kFile = "tests/megatron-names.json";

// Llama 3 70B on 64 x 8 H100 (512 GPUs), every block written with Megatron-LM's names.
const char* const kMegatronNames = R"({
  "cirrus": 1,
  "model": { "num_layers": 80, "hidden_size": 8192, "num_attention_heads": 64,
             "num_query_groups": 8, "ffn_hidden_size": 28672, "swiglu": true,
             "vocab_size": 128256, "seq_length": 8192 },
  "training": { "global_batch_size": 1024, "bf16": true, "train_iters": 1000 },
  "cluster": { "node": "dgx-h100", "nodes": 64 },
  "strategy": { "tensor_model_parallel_size": 8, "pipeline_model_parallel_size": 4,
                "context_parallel_size": 1, "expert_model_parallel_size": 1,
                "micro_batch_size": 1, "num_layers_per_virtual_pipeline_stage": 5,
                "sequence_parallel": true, "use_distributed_optimizer": true,
                "recompute_granularity": "selective", "overlap_grad_reduce": true }
})";

// The same with cirrus's names.
const char* const kCirrusNames = R"({
  "cirrus": 1,
  "model": { "layers": 80, "hidden": 8192, "heads": 64, "kv_heads": 8, "ffn_hidden": 28672,
             "ffn": "swiglu", "vocab": 128256, "seq_len": 8192 },
  "training": { "global_batch": 1024, "precision": "bf16", "tokens": 8388608000 },
  "cluster": { "node": "dgx-h100", "nodes": 64 },
  "strategy": { "tp": 8, "pp": 4, "cp": 1, "ep": 1, "micro_batch": 1, "schedule": "interleaved",
                "virtual_stages": 2, "sequence_parallel": true, "zero": 1,
                "recompute": "selective", "overlap": { "dp": true } }
})";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

InputError error_of(const std::string& text) {
  try {
    check_pinned(parse_scenario(text, kFile));
  } catch (const InputError& e) {
    return e;
  }
  FAIL("no error for " << text);
  throw;
}

}  // namespace

TEST_CASE("Megatron-LM names read as cirrus's fields", "[scenarios][megatron]") {
  const Scenario m = parse_scenario(kMegatronNames, kFile);
  const Scenario c = parse_scenario(kCirrusNames, kFile);
  CHECK(m.model.layers == c.model.layers);
  CHECK(m.model.hidden == c.model.hidden);
  CHECK(m.model.heads == c.model.heads);
  CHECK(m.model.kv_heads == c.model.kv_heads);
  CHECK(m.model.ffn_hidden == c.model.ffn_hidden);
  CHECK(m.model.ffn == c.model.ffn);
  CHECK(m.model.vocab == c.model.vocab);
  CHECK(m.model.seq_len == c.model.seq_len);
  CHECK(m.training.global_batch == c.training.global_batch);
  CHECK(m.training.precision == c.training.precision);
  // train_iters 1000 x global batch 1024 x seq_len 8192 = 8,388,608,000 tokens
  CHECK(m.training.tokens == 8388608000.0);
  CHECK(m.training.tokens == c.training.tokens);
  const auto ms = m.pinned_strategy();
  const auto cs = c.pinned_strategy();
  CHECK(ms.tp == 8);
  CHECK(ms.pp == 4);
  CHECK(ms.dp == cs.dp);  // 512 / (8 x 4) = 16
  CHECK(ms.micro_batch == 1);
  // 80 layers / pp 4 = 20 layers per rank, / 5 layers per virtual stage = 4 virtual stages
  CHECK(ms.schedule == cirrus::models::Schedule::kInterleaved);
  CHECK(ms.virtual_stages == 4);
  CHECK(ms.sequence_parallel);
  CHECK(ms.zero == 1);
  CHECK(ms.recompute == cs.recompute);
  CHECK(ms.overlap.dp);
  check_pinned(m);
  CHECK(c.hints.empty());
}

TEST_CASE("each Megatron-LM name gives one hint naming both paths", "[scenarios][megatron]") {
  const Scenario m = parse_scenario(kMegatronNames, kFile);
  // 8 model names, 3 training, 9 strategy
  REQUIRE(m.hints.size() == 20);
  CHECK(m.hints[0] ==
        "tests/megatron-names.json: model.num_layers: read as model.layers (Megatron-LM name)");
  CHECK_THAT(m.hints[8], Catch::Contains("training.global_batch_size: read as "
                                         "training.global_batch (Megatron-LM name)"));
  bool tp = false;
  bool bf16 = false;
  bool virt = false;
  for (const auto& h : m.hints) {
    tp = tp || h == "tests/megatron-names.json: strategy.tensor_model_parallel_size: read as "
                    "strategy.tp (Megatron-LM name)";
    bf16 = bf16 || h == "tests/megatron-names.json: training.bf16: read as training.precision "
                        "\"bf16\" (Megatron-LM name)";
    virt = virt || h.find(
                       "strategy.num_layers_per_virtual_pipeline_stage: read as "
                       "strategy.virtual_stages 4 with strategy.schedule \"interleaved\" (80 "
                       "layers / (pp 4 x 5))") != std::string::npos;
  }
  CHECK(tp);
  CHECK(bf16);
  CHECK(virt);
}

TEST_CASE("precision from Megatron-LM's switches", "[scenarios][megatron]") {
  auto precision = [](const std::string& training) {
    return parse_scenario(replaced(kMegatronNames, R"("bf16": true)", training), kFile)
        .training.precision;
  };
  using cirrus::models::Precision;
  CHECK(precision(R"("fp16": true)") == Precision::kFp16);
  CHECK(precision(R"("bf16": true, "fp8_format": "hybrid")") == Precision::kFp8);
  CHECK(precision(R"("bf16": false, "fp16": false)") == Precision::kFp32);  // Megatron's default
  CHECK(precision(R"("bf16": true, "fp8": null)") == Precision::kBf16);
  const InputError both =
      error_of(replaced(kMegatronNames, R"("bf16": true)", R"("bf16": true, "fp16": true)"));
  CHECK(both.path() == "training.fp16");
  const InputError format =
      error_of(replaced(kMegatronNames, R"("bf16": true)", R"("fp8_format": "e5m2")"));
  CHECK(format.path() == "training.fp8_format");
}

TEST_CASE("an alias beside its cirrus field is an error naming both", "[scenarios][megatron]") {
  const InputError tp = error_of(replaced(kMegatronNames, R"("context_parallel_size": 1,)",
                                          R"("context_parallel_size": 1, "tp": 8,)"));
  CHECK(tp.path() == "strategy.tensor_model_parallel_size");
  CHECK_THAT(tp.what(), Catch::Contains("either strategy.tensor_model_parallel_size "
                                        "(Megatron-LM name) or strategy.tp, not both"));
  const InputError precision =
      error_of(replaced(kMegatronNames, R"("bf16": true)", R"("bf16": true, "precision": "bf16")"));
  CHECK(precision.path() == "training.bf16");
  CHECK_THAT(precision.what(), Catch::Contains("training.precision"));
  // two aliases of one field
  const InputError vocab = error_of(replaced(kMegatronNames, R"("vocab_size": 128256,)",
                                             R"("vocab_size": 128256, "padded_vocab_size": 1,)"));
  CHECK(vocab.path() == "model.padded_vocab_size");
  CHECK_THAT(vocab.what(), Catch::Contains("model.vocab_size"));
  // a nested field: overlap_grad_reduce stands for overlap.dp
  const InputError overlap = error_of(replaced(kMegatronNames, R"("overlap_grad_reduce": true)",
                                               R"("overlap_grad_reduce": true,
                                                  "overlap": { "dp": false })"));
  CHECK(overlap.path() == "strategy.overlap_grad_reduce");
}

TEST_CASE("an error at a field read from an alias names the alias", "[scenarios][megatron]") {
  // read by the loader: a wrong type
  const InputError type = error_of(replaced(kMegatronNames, R"("tensor_model_parallel_size": 8)",
                                            R"("tensor_model_parallel_size": "eight")"));
  CHECK(type.path() == "strategy.tensor_model_parallel_size");
  CHECK(type.file() == kFile);
  // checked with the cluster: 3 x 4 does not divide 512 GPUs
  const InputError rule = error_of(replaced(kMegatronNames, R"("tensor_model_parallel_size": 8)",
                                            R"("tensor_model_parallel_size": 3)"));
  CHECK(rule.path() == "strategy.tensor_model_parallel_size");
  // a converted value of the wrong kind
  const InputError recompute = error_of(replaced(
      kMegatronNames, R"("recompute_granularity": "selective")", R"("recompute_granularity": 1)"));
  CHECK(recompute.path() == "strategy.recompute_granularity");
  // layers per virtual stage must divide the 20 layers of each stage
  const InputError virt =
      error_of(replaced(kMegatronNames, R"("num_layers_per_virtual_pipeline_stage": 5)",
                        R"("num_layers_per_virtual_pipeline_stage": 3)"));
  CHECK(virt.path() == "strategy.num_layers_per_virtual_pipeline_stage");
  CHECK_THAT(virt.what(), Catch::Contains("80 layers / pp 4"));
}

TEST_CASE("MoE names fill model.moe and NeMo's dataclass names read too", "[scenarios][megatron]") {
  const Scenario s =
      parse_scenario(replaced(kMegatronNames, R"("seq_length": 8192 })",
                              R"("seq_length": 8192, "num_moe_experts": 8, "moe_router_topk": 2,
                  "moe_ffn_hidden_size": 14336 })"),
                     kFile);
  REQUIRE(s.model.moe);
  CHECK(s.model.moe->experts == 8);
  CHECK(s.model.moe->top_k == 2);
  CHECK(s.model.moe->expert_ffn_hidden == 14336);
  bool nemo = false;
  for (const auto& h : s.hints) {
    nemo = nemo || h == "tests/megatron-names.json: model.num_moe_experts: read as "
                        "model.moe.experts (Megatron Core / NeMo name)";
  }
  CHECK(nemo);
  // virtual_pipeline_model_parallel_size gives the count directly; 1 is no interleaving
  const Scenario v =
      parse_scenario(replaced(kMegatronNames, R"("num_layers_per_virtual_pipeline_stage": 5)",
                              R"("virtual_pipeline_model_parallel_size": 1)"),
                     kFile);
  CHECK(v.pinned_strategy().schedule == cirrus::models::Schedule::k1F1B);
  CHECK(v.pinned_strategy().virtual_stages == 1);
}

TEST_CASE("a null Megatron-LM value leaves cirrus's default", "[scenarios][megatron]") {
  // NeMo writes Megatron-LM's None as null: no recomputation, multi-head attention
  const Scenario s =
      parse_scenario(replaced(replaced(kMegatronNames, R"("recompute_granularity": "selective")",
                                       R"("recompute_granularity": null)"),
                              R"("num_query_groups": 8,)", R"("num_query_groups": null,)"),
                     kFile);
  CHECK(s.pinned_strategy().recompute == cirrus::models::Recompute::kNone);
  CHECK(s.model.kv_heads == 64);
}
