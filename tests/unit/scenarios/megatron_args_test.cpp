// Reading a Megatron-LM pretrain_gpt.py command line (scenarios/megatron_args.hpp): the flags
// of formats.md section (c) as typed values, every other flag listed once as ignored, and one
// error naming the flag for anything cirrus cannot read or needs and does not get.
#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "common/input_error.hpp"
#include "scenarios/megatron_args.hpp"

namespace {

using cirrus::InputError;
using cirrus::scenarios::MegatronArgs;
using cirrus::scenarios::parse_megatron_args;

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

MegatronArgs parse(const std::string& line) { return parse_megatron_args(words(line)); }

// Llama 3 8B as Megatron-LM's Llama recipes write it (the shape of the llama3-8b preset).
const std::string kLlama8b =
    "--tensor-model-parallel-size 1 --pipeline-model-parallel-size 1 --num-layers 32 "
    "--hidden-size 4096 --ffn-hidden-size 14336 --num-attention-heads 32 "
    "--group-query-attention --num-query-groups 8 --seq-length 8192 "
    "--max-position-embeddings 8192 --micro-batch-size 1 --global-batch-size 128 --bf16 "
    "--swiglu --normalization RMSNorm --position-embedding-type rope "
    "--untie-embeddings-and-output-weights --vocab-size 128256 --data-path 1.0 /data/a 1.0 "
    "/data/b --tokenizer-type HuggingFaceTokenizer --lr 3e-4 --train-iters 1000";

std::string error_path(const std::string& line, std::string* what = nullptr) {
  try {
    parse(line);
  } catch (const InputError& e) {
    if (what) *what = e.what();
    CHECK(e.file() == "megatron arguments");
    return e.path();
  }
  FAIL("no error for " << line);
  return "";
}

}  // namespace

TEST_CASE("a Llama 3 8B command line", "[scenarios][megatron]") {
  const MegatronArgs a = parse(kLlama8b);
  CHECK(a.num_layers == 32);
  CHECK(a.hidden_size == 4096);
  CHECK(a.ffn_hidden_size == 14336);
  CHECK(a.num_attention_heads == 32);
  CHECK(a.group_query_attention);
  CHECK(a.num_query_groups == 8);
  CHECK(a.seq_length == 8192);
  CHECK(a.micro_batch_size == 1);
  CHECK(a.global_batch_size == 128);
  CHECK(a.bf16);
  CHECK(a.swiglu);
  CHECK(a.normalization == "RMSNorm");
  CHECK(a.position_embedding_type == "rope");
  CHECK(a.untie_embeddings_and_output_weights);
  CHECK(a.vocab_size == 128256);
  CHECK(a.train_iters == 1000);
  CHECK(a.tensor_model_parallel_size == 1);
  // --data-path's four values are skipped with it
  CHECK(a.ignored == std::vector<std::string>{"--data-path", "--tokenizer-type", "--lr"});
}

TEST_CASE("a Llama 3 70B and a Mixtral command line", "[scenarios][megatron]") {
  const MegatronArgs b = parse(
      "torchrun --nproc_per_node 8 --nnodes 64 pretrain_gpt.py --tensor-model-parallel-size 8 "
      "--pipeline-model-parallel-size 4 --num-layers-per-virtual-pipeline-stage 5 "
      "--sequence-parallel --use-distributed-optimizer --overlap-grad-reduce "
      "--recompute-granularity=full --recompute-method uniform --recompute-num-layers 1 "
      "--num-layers 80 --hidden-size 8192 --num-attention-heads 64 --seq-length 8192 "
      "--micro-batch-size 1 --padded-vocab-size 128256 --fp8-format hybrid --bf16 "
      "--log-interval 1 --log-interval 10");
  CHECK(b.launcher == "torchrun --nproc_per_node 8 --nnodes 64 pretrain_gpt.py");
  CHECK(b.tensor_model_parallel_size == 8);
  CHECK(b.pipeline_model_parallel_size == 4);
  CHECK(b.num_layers_per_virtual_pipeline_stage == 5);
  CHECK(b.sequence_parallel);
  CHECK(b.use_distributed_optimizer);
  CHECK(b.overlap_grad_reduce);
  CHECK(b.recompute_granularity == "full");
  CHECK(b.recompute_method == "uniform");
  CHECK(b.padded_vocab_size == 128256);
  CHECK(b.fp8_format == "hybrid");
  CHECK(b.ignored == std::vector<std::string>{"--log-interval"});  // once

  const MegatronArgs m = parse(
      "--num-layers 32 --hidden-size 4096 --num-attention-heads 32 --seq-length 4096 "
      "--micro-batch-size 1 --vocab-size 32000 --num-experts 8 --moe-router-topk 2 "
      "--expert-model-parallel-size 8 --moe-token-dispatcher-type alltoall "
      "--tensor-model-parallel-size 2 --tensor-model-parallel-size 1 --moe-aux-loss-coeff 1e-2");
  CHECK(m.num_experts == 8);
  CHECK(m.moe_router_topk == 2);
  CHECK(m.expert_model_parallel_size == 8);
  CHECK(m.tensor_model_parallel_size == 1);  // the later flag wins, as in argparse
  CHECK(m.moe_token_dispatcher_type == "alltoall");
  CHECK(m.ignored == std::vector<std::string>{"--moe-aux-loss-coeff"});
  CHECK(!m.bf16);
  CHECK(m.attention_dropout == 0.1);  // Megatron-LM's default
}

TEST_CASE("Megatron-LM arguments cirrus cannot use are one error naming the flag",
          "[scenarios][megatron]") {
  const std::string shape =
      "--num-layers 32 --hidden-size 4096 --num-attention-heads 32 --seq-length 4096 "
      "--micro-batch-size 1 --vocab-size 32000";
  CHECK(error_path(shape + " --hidden-size 0") == "--hidden-size");
  CHECK(error_path(shape + " --hidden-size") == "--hidden-size");
  CHECK(error_path(shape + " --tensor-model-parallel-size two") == "--tensor-model-parallel-size");
  CHECK(error_path(shape + " --recompute-granularity some") == "--recompute-granularity");
  CHECK(error_path(shape + " --fp8-format e5m2") == "--fp8-format");
  CHECK(error_path(shape + " --bf16 --fp16") == "--fp16");
  CHECK(error_path(shape + " --bf16=1") == "--bf16");
  CHECK(error_path(shape + " --bf16 yes") == "--bf16");
  CHECK(error_path(shape + " --num-query-groups 8") == "--num-query-groups");
  CHECK(error_path(shape + " --train-iters 10 --train-samples 100") == "--train-samples");
  std::string what;
  CHECK(error_path("--num-layers 32 --num-attention-heads 32 --seq-length 4096", &what) ==
        "--hidden-size");
  CHECK(what ==
        "megatron arguments: --hidden-size: expected the model's width (required), "
        "found nothing");
  CHECK(error_path("--num-layers 32 --hidden-size 4096 --num-attention-heads 32 --seq-length "
                   "4096 --micro-batch-size 1",
                   &what) == "--vocab-size");
  CHECK_THAT(what, Catch::Contains("from the tokenizer"));
  CHECK(error_path("pretrain_gpt " + shape) == "");
}
