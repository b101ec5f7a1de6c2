// The scenario loader: every refusal names the file and the JSON path of the field to fix;
// the shipped examples load and satisfy the divisibility rules.
//
// Inline node schema under test (scenarios/loader.cpp documents it):
//   {"preset"?, "gpu", "gpus", "scale_up", "scale_up_gbyte_per_s", "scale_up_latency_us"?,
//    "nics", "nic_gbit_per_s", "nic_latency_us"?, "host_memory_gib"?, "pcie_gbyte_per_s"?,
//    "nvls"?}  -- GB/s for scale-up and PCIe, Gb/s for NICs.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/input_error.hpp"
#include "scenarios/scenario.hpp"
#include "tests/json_edit.hpp"

namespace {

using cirrus::InputError;
using cirrus::scenarios::check_pinned;
using cirrus::scenarios::parse_scenario;
using cirrus::scenarios::Scenario;
using nlohmann::json;

const std::string kFile = "tests/fake-scenario.json";

// A valid pinned scenario: GPT-3 175B on 128 x 8 A100s, tp 8 x pp 8 x dp 16.
const char* const kBase = R"({
  "cirrus": 1,
  "model": { "preset": "gpt3-175b" },
  "training": { "global_batch": 1536 },
  "cluster": { "node": "dgx-a100-80gb", "nodes": 128 },
  "strategy": { "tp": 8, "pp": 8, "dp": 16, "micro_batch": 1, "schedule": "interleaved",
                "virtual_stages": 2, "sequence_parallel": true, "zero": 1 }
})";

std::string with(const std::string& pointer, const json& value) {
  return cirrus::testing::with_value(kBase, pointer, value);
}

std::string without(const std::string& pointer) {
  return cirrus::testing::without_key(kBase, pointer);
}

Scenario load(const std::string& text) { return parse_scenario(text, kFile); }

// Loading and checking `text` must fail with an InputError at `path` whose message names the
// file (and contains `fragment`, when given).
void require_error(const std::string& text, const std::string& path,
                   const std::string& fragment = "") {
  INFO("scenario: " << text);
  try {
    const Scenario s = load(text);
    check_pinned(s);
  } catch (const InputError& e) {
    INFO("error: " << e.what());
    CHECK(e.path() == path);
    CHECK(e.file() == kFile);
    CHECK_THAT(e.what(), Catch::Contains(kFile));
    if (!fragment.empty()) CHECK_THAT(e.what(), Catch::Contains(fragment));
    return;
  }
  FAIL("no InputError; expected one at " << path);
}

std::string example(const std::string& name) {
  return std::string(CIRRUS_SOURCE_DIR) + "/scenarios/examples/" + name;
}

}  // namespace

TEST_CASE("the base scenario of these tests is valid", "[scenarios]") {
  const Scenario s = load(kBase);
  REQUIRE_NOTHROW(check_pinned(s));
  CHECK(s.pinned_strategy().gpus() == 1024);
  CHECK(s.pinned_cluster().gpus() == 1024);
}

TEST_CASE("malformed JSON is refused with the file", "[scenarios]") {
  require_error(R"({"cirrus": 1, "model": )", "", "well-formed JSON");
  require_error("", "", "well-formed JSON");
  require_error("[1, 2]", "", "an object");
  // nlohmann reports this with out_of_range, not parse_error (found by scenario_fuzz).
  require_error(R"({"cirrus": 1, "training": {"tokens": 1.0e1128}})", "", "number overflow");
}

TEST_CASE("the format version is required and must be 1", "[scenarios]") {
  require_error(without("/cirrus"), "cirrus", "required");
  require_error(with("/cirrus", 2), "cirrus", "found the number 2");
  require_error(with("/cirrus", "1"), "cirrus");
}

TEST_CASE("wrong types name the path and what was found", "[scenarios]") {
  require_error(with("/model/hidden", "12288"), "model.hidden", "found the string \"12288\"");
  require_error(with("/strategy/tp", "eight"), "strategy.tp", "\"auto\"");
  require_error(with("/training/global_batch", 1.5), "training.global_batch", "integer");
  require_error(with("/strategy/sequence_parallel", 1), "strategy.sequence_parallel",
                "true or false");
  require_error(with("/cluster/network", json::array()), "cluster.network", "an object");
  require_error(with("/training/precision", "bf61"), "training.precision", "did you mean 'bf16'");
  require_error(with("/strategy/schedule", "1F1B"), "strategy.schedule", "1f1b");
  require_error(with("/expect", json::array({1, 2})), "expect", "an object");
}

TEST_CASE("zero and negative sizes are refused", "[scenarios]") {
  require_error(with("/model/layers", 0), "model.layers", "positive");
  require_error(with("/model/hidden", -4096), "model.hidden", "positive");
  require_error(with("/training/global_batch", 0), "training.global_batch", "positive");
  require_error(with("/cluster/nodes", -2), "cluster.nodes", "positive");
  require_error(with("/strategy/micro_batch", 0), "strategy.micro_batch", "positive");
  require_error(with("/strategy/pp", json::array({1, -2})), "strategy.pp[1]", "positive");
  require_error(with("/training/tokens", 0), "training.tokens", "positive");
  require_error(with("/model/layers", 1e12), "model.layers", "up to");
}

TEST_CASE("tp x pp x dp x cp must equal the GPUs", "[scenarios]") {
  // 8 x 8 x 8 x 1 = 512 on 128 x 8 = 1024 GPUs: both numbers are named.
  require_error(with("/strategy/dp", 8), "strategy.dp", "1024");
  require_error(with("/strategy/dp", 8), "strategy.dp", "512");
  // dp derived: tp x pp x cp must divide the GPUs.
  json j = json::parse(without("/strategy/dp"));
  j["strategy"]["tp"] = 3;
  require_error(j.dump(), "strategy.tp", "1024 GPUs");
}

TEST_CASE("heads must be divisible by tp", "[scenarios]") {
  json j = json::parse(kBase);
  j["strategy"]["tp"] = 64;  // 96 heads
  j["strategy"]["pp"] = 2;
  j["strategy"]["dp"] = 8;
  j["strategy"]["virtual_stages"] = 2;
  require_error(j.dump(), "strategy.tp", "96 attention heads");
}

TEST_CASE("KV heads must split evenly over tp or replicate evenly", "[scenarios]") {
  json j = json::parse(kBase);
  j["model"]["kv_heads"] = 12;  // 12 KV heads over tp 8: neither divides the other
  require_error(j.dump(), "strategy.tp", "12 KV heads");
  j["model"]["kv_heads"] = 2;  // replicated 4 times: fine
  CHECK_NOTHROW(check_pinned(load(j.dump())));
}

TEST_CASE("every pipeline chunk must hold a layer; uneven splits run", "[scenarios]") {
  // 8 x 13 = 104 chunks for 96 layers: some would be empty.
  require_error(with("/strategy/virtual_stages", 13), "strategy.pp", "96 layers");
  // 8 x 5 = 40 chunks of 96 layers: 16 chunks of 3 and 24 of 2, as DeepSpeed and torchtitan
  // split them.
  CHECK_NOTHROW(check_pinned(load(with("/strategy/virtual_stages", 5))));
}

TEST_CASE("global batch must be divisible by dp x micro_batch", "[scenarios]") {
  require_error(with("/training/global_batch", 1000), "training.global_batch", "16 x 1");
  require_error(with("/strategy/micro_batch", 5), "training.global_batch", "16 x 5");
}

TEST_CASE("schedule rules", "[scenarios]") {
  // Interleaving needs the micro-batches in groups of pp: 1552 / 16 = 97 is not a multiple of 8.
  require_error(with("/training/global_batch", 1552), "strategy.schedule", "97");
  require_error(with("/strategy/virtual_stages", 1), "strategy.virtual_stages", "at least 2");
  require_error(with("/strategy/schedule", "1f1b"), "strategy.virtual_stages", "interleaved");
}

TEST_CASE("context, expert and sequence parallelism rules", "[scenarios]") {
  json j = json::parse(kBase);
  j["strategy"]["dp"] = 8;
  j["strategy"]["cp"] = 2;
  CHECK_NOTHROW(check_pinned(load(j.dump())));
  j["model"]["seq_len"] = 2047;
  require_error(j.dump(), "strategy.cp", "2047");
  j["model"]["seq_len"] = 2050;  // divisible by cp but not by 2 x cp
  require_error(j.dump(), "strategy.cp", "load-balanced");

  require_error(with("/strategy/ep", 2), "strategy.ep", "dense model");

  json sp = json::parse(kBase);
  sp["strategy"]["tp"] = 1;
  sp["strategy"]["dp"] = 128;
  sp["strategy"]["schedule"] = "1f1b";
  sp["strategy"].erase("virtual_stages");
  require_error(sp.dump(), "strategy.sequence_parallel", "tp = 1");
}

TEST_CASE("MoE: top_k at most the experts, ep dividing experts and dp x cp", "[scenarios]") {
  json j = json::parse(kBase);
  j["model"]["moe"] = {{"experts", 8}, {"top_k", 9}};
  require_error(j.dump(), "model.moe.top_k", "8");

  j["model"]["moe"] = {{"experts", 8}, {"top_k", 2}, {"capacity_factor", 0}};
  require_error(j.dump(), "model.moe.capacity_factor", "0.001 to 1000");
  j["model"]["moe"] = {{"experts", 8}, {"top_k", 2}, {"imbalance", -0.5}};
  require_error(j.dump(), "model.moe.imbalance", "0 to 1000");
  j["model"]["moe"] = {{"top_k", 2}};
  require_error(j.dump(), "model.moe.experts", "required");

  j["model"]["moe"] = {{"experts", 8}, {"top_k", 2}};
  j["strategy"]["ep"] = 16;
  require_error(j.dump(), "strategy.ep", "8 experts");
  j["strategy"]["ep"] = 32;  // dp x cp = 16
  require_error(j.dump(), "strategy.ep", "dp x cp");
  j["strategy"]["ep"] = 8;
  const Scenario s = load(j.dump());
  CHECK_NOTHROW(check_pinned(s));
  REQUIRE(s.model.moe);
  CHECK(s.model.moe->expert_ffn_hidden == s.model.ffn_hidden);
  CHECK(s.model.moe->layer_freq == 1);
}

TEST_CASE("MoE: shared and fine-grained experts, dropping, popularity", "[scenarios][moe]") {
  json j = json::parse(kBase);
  // DeepSeekMoE-style fine-grained experts: many small experts plus always-active ones.
  j["model"]["moe"] = {{"experts", 64},
                       {"top_k", 6},
                       {"expert_ffn_hidden", 1408},
                       {"shared_experts", 2},
                       {"first_dense_layers", 1},
                       {"drop_tokens", false},
                       {"popularity", {{"zipf", 0.5}}}};
  j["strategy"]["ep"] = 8;
  const Scenario s = load(j.dump());
  REQUIRE(s.model.moe);
  CHECK(s.model.moe->experts == 64);
  CHECK(s.model.moe->shared_experts == 2);
  CHECK(s.model.moe->first_dense_layers == 1);
  CHECK_FALSE(s.model.moe->drop_tokens);
  CHECK(s.model.moe->popularity == cirrus::models::Popularity::kZipf);
  CHECK(s.model.moe->zipf_s == 0.5);
  CHECK_FALSE(s.model.is_moe_layer(0));
  CHECK(s.model.is_moe_layer(1));
  CHECK_NOTHROW(check_pinned(s));

  j["model"]["moe"] = {{"experts", 8}, {"popularity", "uniform"}};
  CHECK(load(j.dump()).model.moe->popularity == cirrus::models::Popularity::kUniform);
  // Bad input, each naming its field.
  j["model"]["moe"] = {{"experts", 8}, {"capacity_factor", 0.9}, {"drop_tokens", false}};
  require_error(j.dump(), "model.moe.capacity_factor", "drop_tokens is false");
  j["model"]["moe"] = {{"experts", 8}, {"popularity", "zipff"}};
  require_error(j.dump(), "model.moe.popularity", "uniform");
  j["model"]["moe"] = {{"experts", 8}, {"popularity", {{"zipf", 0}}}};
  require_error(j.dump(), "model.moe.popularity.zipf", "0.001 to 100");
  j["model"]["moe"] = {{"experts", 8}, {"top_k", 2}, {"popularity", {{"zipf", 3}}}};
  require_error(j.dump(), "model.moe.popularity.zipf", "experts / top_k");
  j["model"]["moe"] = {{"experts", 8}, {"popularity", {{"zipf", 1}}}, {"imbalance", 0.5}};
  require_error(j.dump(), "model.moe.imbalance", "Zipf");
  j["model"]["moe"] = {{"experts", 8}, {"top_k", 2}, {"imbalance", 4}};
  require_error(j.dump(), "model.moe.imbalance", "every token at most once");
  j["model"]["moe"] = {{"experts", 8}, {"first_dense_layers", 96}};
  require_error(j.dump(), "model.moe.first_dense_layers", "layers - 1");
  j["model"]["moe"] = {{"experts", 8}, {"shared_expert", 1}};
  require_error(j.dump(), "model.moe.shared_expert", "shared_experts");
  // A preset's MoE block is checked after the overrides it must agree with.
  json p = json::parse(kBase);
  p["model"] = {{"preset", "deepseek-v3"}, {"layers", 3}};
  require_error(p.dump(), "model.moe.first_dense_layers", "layers - 1");
}

TEST_CASE("unknown presets suggest the closest id", "[scenarios]") {
  require_error(with("/model/preset", "llama3-70"), "model.preset", "did you mean 'llama3-70b'");
  require_error(with("/cluster/node", "dgx-h10"), "cluster.node", "did you mean 'dgx-h100'");
  require_error(with("/cluster/node", json{{"gpu", "h100-sxn"}, {"gpus", 8}}), "cluster.node.gpu",
                "did you mean 'h100-sxm'");
}

TEST_CASE("unknown keys suggest the closest key", "[scenarios]") {
  require_error(with("/strategy/tpp", 8), "strategy.tpp", "did you mean 'tp'");
  require_error(with("/clustr", json::object()), "clustr", "did you mean 'cluster'");
  require_error(with("/model/kv_head", 8), "model.kv_head", "did you mean 'kv_heads'");
  require_error(with("/cluster/network/oversubscribtion", 2), "cluster.network.oversubscribtion",
                "did you mean 'oversubscription'");
  require_error(with("/strategy/overlap", json{{"db", true}}), "strategy.overlap.db",
                "did you mean 'dp'");
}

TEST_CASE("required fields", "[scenarios]") {
  require_error(without("/model"), "model", "required");
  require_error(without("/training/global_batch"), "training.global_batch", "required");
  require_error(without("/cluster/nodes"), "cluster.nodes", "required");
  require_error(without("/cluster/node"), "cluster.node", "cluster.instance");
  require_error(with("/model", json{{"layers", 2}, {"hidden", 64}, {"heads", 4}, {"vocab", 100}}),
                "model.seq_len", "required");
}

TEST_CASE("model shape rules", "[scenarios]") {
  require_error(with("/model/heads", 100), "model.heads", "12288");
  require_error(with("/model/kv_heads", 7), "model.kv_heads", "96");
  require_error(with("/model/kv_heads", 192), "model.kv_heads", "96");
}

TEST_CASE("network: oversubscription below 1 is refused", "[scenarios]") {
  require_error(with("/cluster/network/oversubscription", 0.5), "cluster.network.oversubscription",
                "from 1 (non-blocking)");
  require_error(with("/cluster/network/topology", "fat_tree"), "cluster.network.topology",
                "did you mean 'fat-tree'");
}

TEST_CASE("network: algorithm, routing and switch radix", "[scenarios]") {
  const Scenario s =
      load(with("/cluster/network",
                json{{"algorithm", "tree"}, {"routing", "ecmp-hash"}, {"switch_radix", 32}}));
  REQUIRE(s.network.algorithm);
  CHECK(*s.network.algorithm == cirrus::models::Algorithm::kTree);
  REQUIRE(s.network.routing);
  CHECK(*s.network.routing == cirrus::models::Routing::kEcmpHash);
  CHECK(s.network.switch_radix == 32);
  CHECK_FALSE(load(kBase).network.algorithm);  // absent: NCCL's tuner
  require_error(with("/cluster/network/algorithm", "rign"), "cluster.network.algorithm",
                "did you mean 'ring'");
  require_error(with("/cluster/network/routing", "ecmp"), "cluster.network.routing",
                "destination-mod-k");
  require_error(with("/cluster/network/switch_radix", 7), "cluster.network.switch_radix",
                "even number");
  // NVLS on A100 nodes (no NVLink SHARP), and across nodes: refused naming the field.
  require_error(with("/cluster/network/algorithm", "nvls"), "cluster.network.algorithm",
                "lacks NVLink SHARP");
}

TEST_CASE("instances: the node comes from the instance unless given", "[scenarios]") {
  const std::string only_instance = without("/cluster/node");
  json j = json::parse(only_instance);
  j["cluster"]["instance"] = "aws:p4de.24xlarge";
  Scenario s = load(j.dump());
  REQUIRE(s.node);
  CHECK(s.node_id == "aws-p4de");
  CHECK_NOTHROW(check_pinned(s));

  j["cluster"]["instance"] = "aws:p4de.24xlarg";
  require_error(j.dump(), "cluster.instance", "did you mean 'aws:p4de.24xlarge'");
  j["cluster"]["instance"] = json::array({"aws:p5.48xlarge", "aws:p9.48xlarge"});
  require_error(j.dump(), "cluster.instance[1]", "aws:p9.48xlarge");
  j["cluster"]["instance"] = "p5.48xlarge";
  require_error(j.dump(), "cluster.instance", "provider:name");

  // A pinned instance with a node: the node wins, even for an instance the table lacks.
  json k = json::parse(kBase);
  k["cluster"]["instance"] = "aws:p5.48xlarge";
  s = load(k.dump());
  CHECK(s.node_id == "dgx-a100-80gb");
  k["cluster"]["instance"] = "oci:BM.GPU.H100.8";
  CHECK(load(k.dump()).node_id == "dgx-a100-80gb");

  // "auto" leaves the node to the planner.
  j["cluster"]["instance"] = "auto";
  s = load(j.dump());
  CHECK_FALSE(s.node);
  CHECK(s.open_choices().front() == "cluster.instance");
}

TEST_CASE("inline nodes", "[scenarios]") {
  json j = json::parse(kBase);
  j["cluster"]["node"] = {{"gpu", "h100-sxm"},
                          {"gpus", 8},
                          {"scale_up", "nvswitch"},
                          {"scale_up_gbyte_per_s", 450},
                          {"nics", 8},
                          {"nic_gbit_per_s", 400},
                          {"host_memory_gib", 2048},
                          {"pcie_gbyte_per_s", 64},
                          {"nvls", true}};
  Scenario s = load(j.dump());
  REQUIRE(s.node);
  CHECK(s.node_id == "inline");
  CHECK(s.node->gpu.id == "h100-sxm");
  CHECK(s.node->gpus == 8);
  CHECK(s.node->scale_up == cirrus::models::ScaleUpKind::kNvSwitch);
  CHECK(s.node->scale_up_bw == Approx(450e9));
  CHECK(s.node->nic_bw == Approx(50e9));  // 400 Gb/s
  CHECK(s.node->nics == 8);
  CHECK(s.node->host_memory_bytes == Approx(2048.0 * 1024 * 1024 * 1024));
  CHECK(s.node->pcie_bw == Approx(64e9));
  CHECK(s.node->nvls);
  // Latencies not given come from a shipped node with the same scale-up kind.
  const auto dgx = cirrus::models::find_node("dgx-h100");
  REQUIRE(dgx);
  CHECK(s.node->scale_up_latency_s == dgx->scale_up_latency_s);
  CHECK(s.node->nic_latency_s == dgx->nic_latency_s);
  CHECK_NOTHROW(check_pinned(s));

  j["cluster"]["node"]["nic_latency_us"] = 3.5;
  CHECK(load(j.dump()).node->nic_latency_s == Approx(3.5e-6));

  j["cluster"]["node"].erase("nic_gbit_per_s");
  require_error(j.dump(), "cluster.node.nic_gbit_per_s", "nics > 0");
  j["cluster"]["node"]["nic_gbit_per_s"] = 400;
  j["cluster"]["node"]["gpus"] = 0;
  require_error(j.dump(), "cluster.node.gpus", "positive");
  j["cluster"]["node"]["gpus"] = 8;
  j["cluster"]["node"]["scale_up"] = "nvlink";
  require_error(j.dump(), "cluster.node.scale_up", "nvswitch");
  j["cluster"]["node"]["scale_up"] = "nvswitch";
  j["cluster"]["node"]["nics"] = 0;  // fine on one node, not on 128
  require_error(j.dump(), "cluster.node", "inter-node NICs");
  j["cluster"]["node"].erase("gpus");
  require_error(j.dump(), "cluster.node.gpus", "required");
  j["cluster"]["node"] = 8;
  require_error(j.dump(), "cluster.node", "inline node object");
}

TEST_CASE("a preset node with overrides", "[scenarios]") {
  json j = json::parse(kBase);
  j["cluster"]["node"] = {{"preset", "dgx-a100-80gb"}};
  Scenario s = load(j.dump());
  CHECK(s.node_id == "dgx-a100-80gb");

  j["cluster"]["node"]["nics"] = 4;
  j["cluster"]["node"]["nic_gbit_per_s"] = 100;
  s = load(j.dump());
  const auto dgx = cirrus::models::find_node("dgx-a100-80gb");
  REQUIRE(dgx);
  CHECK(s.node_id == "inline");
  CHECK(s.node->nics == 4);
  CHECK(s.node->nic_bw == Approx(12.5e9));
  CHECK(s.node->gpus == dgx->gpus);
  CHECK(s.node->gpu.id == dgx->gpu.id);
  CHECK(s.node->scale_up_bw == dgx->scale_up_bw);
  CHECK_THAT(s.node->source, Catch::Contains(kFile));

  j["cluster"]["node"]["preset"] = "dgx-a100-80g";
  require_error(j.dump(), "cluster.node.preset", "did you mean");
}

TEST_CASE("a preset with overrides", "[scenarios]") {
  json j = json::parse(kBase);
  j["model"] = {{"preset", "llama3-70b"}, {"layers", 40}, {"seq_len", 4096}};
  const Scenario s = load(j.dump());
  const auto base = cirrus::models::find_model("llama3-70b");
  REQUIRE(base);
  CHECK(s.model.layers == 40);
  CHECK(s.model.seq_len == 4096);
  CHECK(s.model.hidden == base->hidden);
  CHECK(s.model.kv_heads == base->kv_heads);
  CHECK(s.model.ffn_hidden == base->ffn_hidden);
  CHECK(s.model.ffn == cirrus::models::FfnKind::kSwiglu);
  CHECK(s.model.vocab == base->vocab);

  // Derived values of a preset follow the fields they derive from.
  j["model"] = {{"preset", "gpt3-175b"}, {"heads", 64}, {"hidden", 8192}};
  const Scenario g = load(j.dump());
  CHECK(g.model.kv_heads == 64);
  CHECK(g.model.ffn_hidden == 4 * 8192);
  // ... unless the preset's value was not the derived default (GQA stays GQA).
  j["model"] = {{"preset", "llama3-70b"}, {"heads", 32}};
  CHECK(load(j.dump()).model.kv_heads == 8);
}

TEST_CASE("defaults", "[scenarios]") {
  const char* text = R"({
    "cirrus": 1,
    "model": { "layers": 24, "hidden": 2048, "heads": 16, "vocab": 50304, "seq_len": 2048 },
    "training": { "global_batch": 512 },
    "cluster": { "node": "dgx-h100", "nodes": 4 },
    "strategy": { "tp": 2, "pp": 2 }
  })";
  const Scenario s = load(text);
  CHECK(s.name == "fake-scenario");  // the file's stem
  CHECK(s.model.kv_heads == 16);
  CHECK(s.model.ffn_hidden == 4 * 2048);
  CHECK(s.model.ffn == cirrus::models::FfnKind::kGelu);
  CHECK_FALSE(s.model.moe);
  CHECK(s.training.precision == cirrus::models::Precision::kBf16);
  CHECK(s.training.optimizer == cirrus::models::Optimizer::kAdam);
  CHECK(s.training.tokens == 0);
  CHECK(s.network.topology == cirrus::models::Topology::kFatTree);
  CHECK(s.network.oversubscription == 1.0);
  CHECK(s.profile.empty());
  CHECK(s.instance.values.empty());
  CHECK_FALSE(s.instance.is_auto);
  CHECK(s.pricing.model == cirrus::pricing::PricingModel::kOnDemand);
  CHECK(s.objective.minimize == "cost");
  CHECK(s.expect.is_null());
  CHECK(s.open_choices().empty());
  // dp is what the GPUs leave: 32 / (2 x 2).
  CHECK_FALSE(s.strategy.dp_given);
  CHECK(s.strategy.dp.value() == 8);
  const auto st = s.pinned_strategy();
  CHECK(st.dp == 8);
  CHECK(st.cp == 1);
  CHECK(st.ep == 1);
  CHECK(st.micro_batch == 1);
  CHECK(st.schedule == cirrus::models::Schedule::k1F1B);
  CHECK(st.virtual_stages == 1);
  CHECK(st.zero == 0);
  CHECK(st.recompute == cirrus::models::Recompute::kNone);
  CHECK_FALSE(st.sequence_parallel);
  CHECK(st.attention == cirrus::models::AttentionKernel::kFlash);
  CHECK_NOTHROW(check_pinned(s));

  // The interleaved schedule without virtual_stages gets 2.
  json j = json::parse(text);
  j["strategy"]["schedule"] = "interleaved";
  const Scenario i = load(j.dump());
  CHECK(i.strategy.virtual_stages.value() == 2);
  CHECK(i.pinned_strategy().virtual_stages == 2);
}

TEST_CASE("every field is read", "[scenarios]") {
  const char* text = R"({
    "cirrus": 1, "name": "everything",
    "model": { "layers": 4, "hidden": 512, "heads": 8, "kv_heads": 2, "ffn_hidden": 1536,
               "ffn": "swiglu", "vocab": 1000, "seq_len": 1024, "tied_embeddings": true,
               "moe": { "experts": 4, "top_k": 2, "layer_freq": 2, "expert_ffn_hidden": 768,
                        "capacity_factor": 1.25, "imbalance": 0.5 } },
    "training": { "global_batch": 64, "precision": "fp8", "optimizer": "sgd", "tokens": 1e9 },
    "cluster": { "instance": "aws:p5.48xlarge", "node": "dgx-h100", "nodes": 2,
                 "network": { "topology": "rail-optimized", "oversubscription": 2 },
                 "profile": "calibrate/profiles/h100.json" },
    "strategy": { "tp": 2, "pp": 2, "dp": 4, "cp": 1, "ep": 4, "micro_batch": 2,
                  "schedule": "gpipe", "virtual_stages": 1, "sequence_parallel": true,
                  "zero": 3, "recompute": "full",
                  "overlap": { "dp": false, "tp": true, "pp": false }, "attention": "unfused" },
    "pricing": { "model": "committed-1y", "region": "us-west-2" },
    "objective": { "minimize": "time", "max_usd": 1e6, "max_days": 14.5 },
    "expect": { "best": { "tp": 2 }, "step_time_s": [1.0, 2.0] }
  })";
  const Scenario s = load(text);
  CHECK(s.name == "everything");
  CHECK(s.model.name == "custom");
  CHECK(s.model.kv_heads == 2);
  CHECK(s.model.ffn_hidden == 1536);
  CHECK(s.model.ffn == cirrus::models::FfnKind::kSwiglu);
  CHECK(s.model.tied_embeddings);
  REQUIRE(s.model.moe);
  CHECK(s.model.moe->experts == 4);
  CHECK(s.model.moe->top_k == 2);
  CHECK(s.model.moe->layer_freq == 2);
  CHECK(s.model.moe->expert_ffn_hidden == 768);
  CHECK(s.model.moe->capacity_factor == 1.25);
  CHECK(s.model.moe->imbalance == 0.5);
  CHECK(s.training.global_batch == 64);
  CHECK(s.training.precision == cirrus::models::Precision::kFp8);
  CHECK(s.training.optimizer == cirrus::models::Optimizer::kSgd);
  CHECK(s.training.tokens == 1e9);
  CHECK(s.instance.value() == "aws:p5.48xlarge");
  CHECK(s.node_id == "dgx-h100");
  CHECK(s.nodes.value() == 2);
  CHECK(s.network.topology == cirrus::models::Topology::kRailOptimized);
  CHECK(s.network.oversubscription == 2.0);
  CHECK(s.profile == "calibrate/profiles/h100.json");
  CHECK(s.pricing.model == cirrus::pricing::PricingModel::kCommitted1y);
  CHECK(s.pricing.region == "us-west-2");
  CHECK(s.objective.minimize == "time");
  CHECK(s.objective.max_usd == 1e6);
  CHECK(s.objective.max_days == 14.5);
  CHECK(s.expect["best"]["tp"] == 2);
  CHECK(s.expect["step_time_s"].size() == 2);
  const auto st = s.pinned_strategy();
  CHECK(s.strategy.dp_given);
  CHECK(st.tp == 2);
  CHECK(st.pp == 2);
  CHECK(st.dp == 4);
  CHECK(st.ep == 4);
  CHECK(st.micro_batch == 2);
  CHECK(st.schedule == cirrus::models::Schedule::kGpipe);
  CHECK(st.sequence_parallel);
  CHECK(st.zero == 3);
  CHECK(st.recompute == cirrus::models::Recompute::kFull);
  CHECK_FALSE(st.overlap.dp);
  CHECK(st.overlap.tp);
  CHECK_FALSE(st.overlap.pp);
  CHECK(st.attention == cirrus::models::AttentionKernel::kUnfused);
  const auto c = s.pinned_cluster();
  CHECK(c.nodes == 2);
  CHECK(c.gpus() == 16);
  CHECK_NOTHROW(check_pinned(s));
}

TEST_CASE("open choices", "[scenarios]") {
  json j = json::parse(kBase);
  j["strategy"]["tp"] = json::array({4, 8});
  const Scenario s = load(j.dump());
  CHECK(s.strategy.tp.values == std::vector<int>{4, 8});
  CHECK(s.open_choices() == std::vector<std::string>{"strategy.tp"});
  try {
    (void)s.pinned_strategy();
    FAIL("pinned_strategy accepted an open choice");
  } catch (const InputError& e) {
    CHECK(e.path() == "strategy.tp");
    CHECK_THAT(e.what(), Catch::Contains(kFile));
    CHECK_THAT(e.what(), Catch::Contains("a list of 2"));
  }
  require_error(j.dump(), "strategy.tp", "simulate needs every choice pinned");
  CHECK_NOTHROW(s.pinned_cluster());

  j["strategy"]["pp"] = "auto";
  j["cluster"]["nodes"] = json::array({64, 128});
  j["strategy"]["recompute"] = json::array({"none", "full"});
  j["strategy"]["sequence_parallel"] = "auto";
  const Scenario o = load(j.dump());
  CHECK(o.strategy.pp.is_auto);
  CHECK(o.open_choices() == std::vector<std::string>{"cluster.nodes", "strategy.tp", "strategy.pp",
                                                     "strategy.sequence_parallel",
                                                     "strategy.recompute"});
  require_error(j.dump(), "cluster.nodes", "a list of 2");
  try {
    (void)o.pinned_cluster();
    FAIL("pinned_cluster accepted an open choice");
  } catch (const InputError& e) {
    CHECK(e.path() == "cluster.nodes");
  }

  // A one-element list is pinned; repeats and empty lists are refused.
  j = json::parse(kBase);
  j["strategy"]["tp"] = json::array({8});
  CHECK(load(j.dump()).open_choices().empty());
  j["strategy"]["tp"] = json::array({8, 8});
  require_error(j.dump(), "strategy.tp[1]", "not already in the list");
  j["strategy"]["tp"] = json::array();
  require_error(j.dump(), "strategy.tp", "non-empty list");
  j["strategy"]["tp"] = "Auto";
  require_error(j.dump(), "strategy.tp", "\"auto\"");
  j["strategy"]["tp"] = 8;
  j["strategy"]["zero"] = json::array({0, 4});
  require_error(j.dump(), "strategy.zero[1]", "0, 1, 2 or 3");

  // dp not given with nodes open: it cannot be derived until the planner pins the nodes.
  json d = json::parse(without("/strategy/dp"));
  d["cluster"]["nodes"] = json::array({64, 128});
  const Scenario ds = load(d.dump());
  CHECK(ds.open_choices() == std::vector<std::string>{"cluster.nodes"});
  try {
    (void)ds.pinned_strategy();
    FAIL("pinned_strategy derived dp from an open cluster");
  } catch (const InputError& e) {
    CHECK(e.path() == "cluster.nodes");
  }
}

TEST_CASE("deeply nested JSON is refused", "[scenarios]") {
  std::string deep = std::string(200, '[') + std::string(200, ']');
  require_error(with("/expect", json{{"x", json::parse(deep)}}), "", "nested");
}

TEST_CASE("load_scenario reads files and reports unreadable ones", "[scenarios]") {
  CHECK_THROWS_AS(cirrus::scenarios::load_scenario("/nonexistent/cirrus/scenario.json"),
                  cirrus::IoError);
  const std::string path = example("gpt3-175b-p4de.json");
  try {
    (void)cirrus::scenarios::load_scenario(path);
  } catch (const InputError& e) {
    FAIL(e.what());
  }
}

TEST_CASE("the shipped examples load and pass the rules", "[scenarios]") {
  for (const char* name : {"gpt3-175b-p4de.json", "llama3-70b-h100.json", "llama2-7b-a100.json"}) {
    INFO(name);
    const Scenario s = cirrus::scenarios::load_scenario(example(name));
    CHECK(s.file == example(name));
    CHECK(s.open_choices().empty());
    CHECK_NOTHROW(check_pinned(s));
  }

  const Scenario gpt = cirrus::scenarios::load_scenario(example("gpt3-175b-p4de.json"));
  CHECK(gpt.name == "GPT-3 175B on 128 p4de nodes");
  CHECK(gpt.model.name == "gpt3-175b");
  CHECK(gpt.node_id == "aws-p4de");
  CHECK(gpt.instance.value() == "aws:p4de.24xlarge");
  CHECK(gpt.training.tokens == 3e11);
  const auto st = gpt.pinned_strategy();
  CHECK(st.tp == 8);
  CHECK(st.pp == 8);
  CHECK(st.dp == 16);
  CHECK(st.schedule == cirrus::models::Schedule::kInterleaved);
  CHECK(st.virtual_stages == 2);
  CHECK(st.sequence_parallel);
  CHECK(st.zero == 1);
  CHECK(st.recompute == cirrus::models::Recompute::kSelective);
  CHECK(gpt.pinned_cluster().gpus() == 1024);

  const Scenario llama = cirrus::scenarios::load_scenario(example("llama3-70b-h100.json"));
  CHECK(llama.node_id == "aws-p5");  // from the instance

  const Scenario plan = cirrus::scenarios::load_scenario(example("llama3-70b-plan.json"));
  CHECK(plan.open_choices() == std::vector<std::string>{"cluster.instance", "cluster.nodes",
                                                        "strategy.tp", "strategy.pp",
                                                        "strategy.micro_batch", "strategy.schedule",
                                                        "strategy.zero", "strategy.recompute"});
  CHECK_FALSE(plan.strategy.dp_given);
  CHECK_FALSE(plan.strategy.virtual_stages_given);
  CHECK(plan.objective.max_days == 60);
  try {
    check_pinned(plan);
    FAIL("check_pinned accepted the planning scenario");
  } catch (const InputError& e) {
    CHECK(e.path() == "cluster.instance");
    CHECK_THAT(e.what(), Catch::Contains("a list of 4"));
  }
}

TEST_CASE("pricing model names", "[scenarios]") {
  using cirrus::pricing::PricingModel;
  CHECK(std::string(to_string(PricingModel::kOnDemand)) == "on-demand");
  CHECK(std::string(to_string(PricingModel::kSpot)) == "spot");
  CHECK(std::string(to_string(PricingModel::kCommitted1y)) == "committed-1y");
  CHECK(std::string(to_string(PricingModel::kCommitted3y)) == "committed-3y");
  require_error(with("/pricing", json{{"model", "ondemand"}}), "pricing.model",
                "did you mean 'on-demand'");
  require_error(with("/objective", json{{"max_usd", 0}}), "objective.max_usd", "positive");
  require_error(with("/objective", json{{"minimize", "money"}}), "objective.minimize", "cost");
}

TEST_CASE("the accuracy fields: kernels, recomputation policies, HSDP, fp8 all-gather",
          "[scenarios]") {
  json j = json::parse(kBase);
  j["strategy"]["attention"] = "cudnn";
  j["strategy"]["recompute"] = "selective-layer";
  j["strategy"]["recompute_every"] = 3;
  j["strategy"]["dp_shard"] = 8;
  j["training"]["precision"] = "bf16";
  j["training"]["kernels"] = "eager";
  j["training"]["norm_kernels"] = "fused";
  const Scenario s = load(j.dump());
  CHECK_NOTHROW(check_pinned(s));
  const auto st = s.pinned_strategy();
  CHECK(st.attention == cirrus::models::AttentionKernel::kCudnn);
  CHECK(st.recompute == cirrus::models::Recompute::kSelectiveLayer);
  CHECK(st.recompute_every == 3);
  CHECK(st.dp_shard == 8);
  CHECK(st.shard_group() == 8);
  CHECK(s.training.kernels == cirrus::models::Kernels::kEager);
  // Unset, the loss follows `kernels`; the norms take their own.
  CHECK(s.training.loss() == cirrus::models::Kernels::kEager);
  CHECK(s.training.norm() == cirrus::models::Kernels::kFused);
  // A preset keeps its family (GPT-3: learned positions, LayerNorm, dropout); a model given by
  // its shape follows its FFN unless told otherwise.
  CHECK(s.model.dropout);
  CHECK_FALSE(s.model.rotary);
  json custom = json::parse(kBase);
  custom["model"] = {{"layers", 8},    {"hidden", 1024},  {"heads", 8},
                     {"vocab", 32000}, {"seq_len", 2048}, {"ffn", "swiglu"}};
  const Scenario c = load(custom.dump());
  CHECK(c.model.rotary);
  CHECK(c.model.rmsnorm);
  CHECK_FALSE(c.model.dropout);
  custom["model"]["dropout"] = true;
  CHECK(load(custom.dump()).model.dropout);
}

TEST_CASE("the accuracy fields are checked", "[scenarios]") {
  require_error(with("/strategy/attention", "flash4"), "strategy.attention");
  require_error(with("/strategy/recompute", "op"), "strategy.recompute");
  // dp x cp = 16: a shard group of 3 does not divide it.
  require_error(with("/strategy/dp_shard", 3), "strategy.dp_shard", "16");
  require_error(with("/training/fp8_all_gather", true), "training.fp8_all_gather", "fp8");
  require_error(with("/training/kernels", "compiled"), "training.kernels");
  require_error(with("/training/loss_kernels", "triton"), "training.loss_kernels");
  require_error(with("/training/norm_kernels", 1), "training.norm_kernels");
  json j = json::parse(kBase);
  j["strategy"]["zero"] = 0;
  j["strategy"]["dp_shard"] = 8;
  require_error(j.dump(), "strategy.dp_shard", "ZeRO");
}
