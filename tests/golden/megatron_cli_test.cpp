// Megatron-LM's names through the real binary: `cirrus scenario from-megatron` writes a scenario
// that `cirrus simulate` accepts; `--emit megatron` read back gives the same configuration (and,
// for a dense model given its vocabulary, the same step); a scenario written with Megatron-LM's
// names simulates like the one with cirrus's and says once per name how it was read; an alias
// beside its field, or arguments cirrus cannot use, are one line and exit 3, nothing written.
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tests/golden/cli_support.hpp"

using cirrus::testing::run_cli;
using cirrus::testing::scratch_dir;
using cirrus::testing::slurp;
using cirrus::testing::source_path;
using cirrus::testing::write_text;

namespace {

// Llama 3 8B on one p5 node, as Megatron-LM's Llama recipes write it.
const std::string kLlama8b =
    "--tensor-model-parallel-size 2 --pipeline-model-parallel-size 1 --num-layers 32 "
    "--hidden-size 4096 --ffn-hidden-size 14336 --num-attention-heads 32 "
    "--group-query-attention --num-query-groups 8 --seq-length 8192 "
    "--max-position-embeddings 8192 --micro-batch-size 1 --global-batch-size 128 --bf16 "
    "--swiglu --normalization RMSNorm --position-embedding-type rope "
    "--untie-embeddings-and-output-weights --attention-dropout 0.0 --hidden-dropout 0.0 "
    "--use-distributed-optimizer --sequence-parallel --recompute-granularity selective "
    "--vocab-size 128256 --train-iters 1000 --data-path /data/a --lr 3e-4 --lr 1e-4";

// The arguments of `--emit megatron` output as one line: `#` lines dropped, ` \` joins removed.
std::string emitted_args(const std::string& text) {
  std::istringstream in(text);
  std::string line, args;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line.size() >= 2 && line.compare(line.size() - 2, 2, " \\") == 0)
      line.resize(line.size() - 2);
    args += " " + line;
  }
  return args;
}

nlohmann::json simulate_json(const std::string& scenario) {
  const auto r = run_cli("simulate " + scenario + " --format json");
  INFO(r.err);
  REQUIRE(r.status == 0);
  return nlohmann::json::parse(r.out);
}

}  // namespace

TEST_CASE("from-megatron writes a scenario simulate accepts", "[golden][megatron]") {
  const std::string out = scratch_dir() + "/megatron-8b.json";
  std::filesystem::remove(out);
  const auto r =
      run_cli("scenario from-megatron --instance aws:p5.48xlarge -o " + out + " -- " + kLlama8b);
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.empty());
  // every flag not read, once, on one line
  CHECK_THAT(r.err, Catch::Contains("cirrus: from-megatron: ignored (cirrus does not model "
                                    "them): --data-path, --lr\n"));
  CHECK_THAT(r.err, Catch::Contains("cirrus: from-megatron: data parallel 4 = 8 GPUs / (TP 2 x "
                                    "PP 1 x CP 1)\n"));
  const auto scenario = nlohmann::json::parse(slurp(out));
  CHECK(scenario["cluster"]["nodes"] == 1);
  CHECK(scenario["model"]["layers"] == 32);
  const auto result = simulate_json(out);
  CHECK(result["feasible"] == true);
  CHECK(result["config"]["tp"] == 2);
  CHECK(result["config"]["dp"] == 4);
  CHECK(result["config"]["zero"] == 1);
  CHECK(result["config"]["recompute"] == "selective");

  // stdout without -o, the same bytes every time
  const auto a = run_cli("scenario from-megatron --instance aws:p5.48xlarge -- " + kLlama8b);
  const auto b = run_cli("scenario from-megatron --instance aws:p5.48xlarge -- " + kLlama8b);
  CHECK(a.status == 0);
  CHECK(a.out == slurp(out));
  CHECK(a.out == b.out);
}

TEST_CASE("the arguments of emit megatron, read back by from-megatron, give the same configuration",
          "[golden][megatron]") {
  // Llama 3 70B, tp 8 x pp 4 on 64 p5 nodes; the emitted arguments leave the vocabulary to the
  // tokenizer (128256 rows, its note says), so it is given back as it is.
  const std::string pinned = source_path("scenarios/examples/llama3-70b-h100.json");
  const auto emitted = run_cli("simulate " + pinned + " --emit megatron");
  REQUIRE(emitted.status == 0);
  const std::string back = scratch_dir() + "/megatron-70b.json";
  const auto r = run_cli("scenario from-megatron --instance aws:p5.48xlarge --nodes 64 -o " + back +
                         " --" + emitted_args(emitted.out) + " --padded-vocab-size 128256");
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.err.find("ignored") == std::string::npos);  // every emitted flag is read
  const auto original = simulate_json(pinned);
  const auto read_back = simulate_json(back);
  CHECK(read_back["config"] == original["config"]);
  // the same model and run: the same step
  CHECK(read_back["step_time_s"] == original["step_time_s"]);

  // Mixtral 8x7B: MoE, expert parallelism 8, interleaved with 2 virtual stages per rank
  const std::string moe = source_path("scenarios/examples/mixtral-8x7b.json");
  const auto moe_args = run_cli("simulate " + moe + " --emit megatron");
  REQUIRE(moe_args.status == 0);
  const std::string moe_back = scratch_dir() + "/megatron-mixtral.json";
  const auto m = run_cli("scenario from-megatron --instance aws:p5.48xlarge --nodes 8 -o " +
                         moe_back + " --" + emitted_args(moe_args.out) + " --vocab-size 32000");
  INFO(m.err);
  REQUIRE(m.status == 0);
  CHECK(simulate_json(moe_back)["config"] == simulate_json(moe)["config"]);
}

TEST_CASE("Megatron-LM names in a scenario: read, hinted once each, same result",
          "[golden][megatron]") {
  const std::string dir = scratch_dir() + "/megatron-names";
  std::filesystem::create_directories(dir);
  const std::string body = R"(
  "model": { "preset": "llama3-70b", "seq_length": 8192 },
  "training": { "global_batch_size": 1024, "bf16": true, "tokens": 1.0e12 },
  "cluster": { "instance": "aws:p5.48xlarge", "nodes": 64 },
  "strategy": { "tensor_model_parallel_size": 8, "pipeline_model_parallel_size": 4,
                "micro_batch_size": 1, "sequence_parallel": true,
                "use_distributed_optimizer": true, "recompute_granularity": "selective" })";
  const std::string aliased = dir + "/scenario.json";
  write_text(aliased, "{ \"cirrus\": 1, \"name\": \"n\"," + body + " }");
  const std::string canonical = dir + "/canonical.json";
  write_text(canonical, R"({ "cirrus": 1, "name": "n",
  "model": { "preset": "llama3-70b", "seq_len": 8192 },
  "training": { "global_batch": 1024, "precision": "bf16", "tokens": 1.0e12 },
  "cluster": { "instance": "aws:p5.48xlarge", "nodes": 64 },
  "strategy": { "tp": 8, "pp": 4, "micro_batch": 1, "sequence_parallel": true, "zero": 1,
                "recompute": "selective" } })");

  const auto r = run_cli("simulate " + aliased);
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.err, Catch::Contains("cirrus: " + aliased +
                                    ": strategy.tensor_model_parallel_size: read as strategy.tp "
                                    "(Megatron-LM name)\n"));
  CHECK_THAT(r.err, Catch::Contains("cirrus: " + aliased +
                                    ": training.bf16: read as training.precision \"bf16\" "
                                    "(Megatron-LM name)\n"));
  CHECK_THAT(r.err, Catch::Contains(": strategy.use_distributed_optimizer: read as strategy.zero "
                                    "1 (Megatron-LM name)\n"));
  // one line per name: 1 model, 2 training, 5 strategy
  std::size_t lines = 0;
  for (std::size_t at = 0; (at = r.err.find("read as", at)) != std::string::npos; ++at) ++lines;
  CHECK(lines == 8);
  const auto c = run_cli("simulate " + canonical);
  REQUIRE(c.status == 0);
  CHECK(c.err.empty());
  CHECK(r.out == c.out);

  // the alias and its field both given: exit 3, both paths named
  const std::string both = dir + "/both.json";
  std::string text = "{ \"cirrus\": 1," + body + " }";
  const std::string micro = "\"micro_batch_size\": 1,";
  text.replace(text.find(micro), micro.size(), micro + " \"tp\": 8,");
  write_text(both, text);
  const auto e = run_cli("simulate " + both);
  CHECK(e.status == 3);
  CHECK(e.out.empty());
  CHECK(e.err == "cirrus: " + both +
                     ": strategy.tensor_model_parallel_size: expected either "
                     "strategy.tensor_model_parallel_size (Megatron-LM name) or strategy.tp, not "
                     "both, found both\n");
}

TEST_CASE("from-megatron refusals: one line, nothing written", "[golden][megatron]") {
  const std::string out = scratch_dir() + "/megatron-refused.json";
  std::filesystem::remove(out);
  // a flag that matters is missing
  auto r = run_cli("scenario from-megatron --instance aws:p5.48xlarge -o " + out +
                   " -- --num-layers 32 --num-attention-heads 32 --seq-length 4096 "
                   "--micro-batch-size 1 --vocab-size 32000");
  CHECK(r.status == 3);
  CHECK(r.err ==
        "cirrus: megatron arguments: --hidden-size: expected the model's width "
        "(required), found nothing\n");
  CHECK(!std::filesystem::exists(out));
  // tp x pp does not divide the GPUs of the default single node
  r = run_cli("scenario from-megatron --instance aws:p5.48xlarge -o " + out + " -- " + kLlama8b +
              " --pipeline-model-parallel-size 8");
  CHECK(r.status == 3);
  CHECK_THAT(r.err, Catch::Contains("cirrus: megatron arguments: --tensor-model-parallel-size: "
                                    "expected TP x PP x CP dividing the 8 GPUs of --nodes 1"));
  CHECK(!std::filesystem::exists(out));
  // the hardware is not guessed
  r = run_cli("scenario from-megatron -- " + kLlama8b);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("--instance is required"));
}
