// Transformer shapes: parameter counts of published models and Megatron-LM's FLOPs formula.
#include "models/workload/transformer.hpp"

#include <catch2/catch.hpp>
#include <string>

using cirrus::models::FfnKind;
using cirrus::models::find_model;
using cirrus::models::model_ids;

TEST_CASE("every model preset has a source and a consistent shape", "[models]") {
  const auto ids = model_ids();
  REQUIRE(ids.size() == 11);
  for (const char* id :
       {"gpt3-175b", "llama2-7b", "llama2-70b", "llama3-8b", "llama3-70b", "llama3-405b",
        "mixtral-8x7b", "gpt-1.3b", "gpt-2.7b", "gpt-1.3b-moe-128", "deepseek-v3"}) {
    INFO(id);
    const auto m = find_model(id);
    REQUIRE(m.has_value());
    CHECK(m->name == id);
    CHECK_FALSE(m->source.empty());
    CHECK(m->hidden % m->heads == 0);
    CHECK(m->heads % m->kv_heads == 0);
    CHECK(m->parameters() > 0);
    CHECK(m->model_flops_per_sequence() > 0);
  }
  CHECK_FALSE(find_model("gpt4").has_value());
}

TEST_CASE("parameter counts match the published sizes", "[models]") {
  // Llama 2 7B: 2 x 32000 x 4096 embeddings + 32 x (4 x 4096^2 + 3 x 4096 x 11008 + 4 x 4096)
  // + 2 x 4096 = 6.7385e9 (Meta reports 6.74e9).
  CHECK(find_model("llama2-7b")->parameters() == Approx(6.74e9).epsilon(0.01));
  CHECK(find_model("llama2-7b")->parameters() == Approx(6738.5e6).epsilon(1e-4));
  // Llama 3 70B, GQA with 8 KV heads: 2 x 128256 x 8192 + 80 x (2 x 8192^2 + 2 x 8192 x 1024
  // + 3 x 8192 x 28672 + ...) = 70.55e9 (Meta's model card: 70.6e9).
  CHECK(find_model("llama3-70b")->parameters() == Approx(70.6e9).epsilon(0.01));
  // GPT-3 175B, tied embeddings: 51200 x 12288 + 96 x 12 x 12288^2 = 174.6e9.
  CHECK(find_model("gpt3-175b")->parameters() == Approx(175e9).epsilon(0.01));
  CHECK(find_model("llama3-405b")->parameters() == Approx(405e9).epsilon(0.01));
  CHECK(find_model("llama3-8b")->parameters() == Approx(8.03e9).epsilon(0.01));
  CHECK(find_model("llama2-70b")->parameters() == Approx(69.0e9).epsilon(0.01));
  // Mixtral 8x7B: 46.7e9 total parameters (Jiang et al. 2024).
  CHECK(find_model("mixtral-8x7b")->parameters() == Approx(46.7e9).epsilon(0.01));
  CHECK(find_model("gpt-1.3b")->parameters() == Approx(1.3e9).epsilon(0.05));
  CHECK(find_model("gpt-2.7b")->parameters() == Approx(2.7e9).epsilon(0.05));
}

TEST_CASE("tied embeddings count once", "[models]") {
  auto m = *find_model("llama2-7b");
  const double untied = m.parameters();
  m.tied_embeddings = true;
  CHECK(untied - m.parameters() == 32000.0 * 4096.0);
}

TEST_CASE("FLOPs equal Megatron-LM's 72 s l h^2 (1 + s/6h + V/12lh) for GPT-3 175B", "[models]") {
  const auto m = *find_model("gpt3-175b");
  REQUIRE(m.ffn == FfnKind::kGelu);
  REQUIRE(m.kv_heads == m.heads);
  REQUIRE(m.ffn_hidden == 4 * m.hidden);
  const long long s = m.seq_len, l = m.layers, h = m.hidden, v = m.vocab;
  // Expanded, in exact integers: 72 s l h^2 + 72 s l h^2 s/(6h) + 72 s l h^2 V/(12 l h)
  //                              = 72 s l h^2 + 12 s^2 l h + 6 s h V.
  const long long expanded = 72 * s * l * h * h + 12 * s * s * l * h + 6 * s * h * v;
  // Every partial sum is an integer below 2^53, so the double computation is exact.
  CHECK(m.model_flops_per_sequence() == static_cast<double>(expanded));
  // The factored form as printed in the paper, in floating point.
  const double sd = static_cast<double>(s), ld = static_cast<double>(l),
               hd = static_cast<double>(h), vd = static_cast<double>(v);
  const double megatron =
      72.0 * sd * ld * hd * hd * (1.0 + sd / (6.0 * hd) + vd / (12.0 * ld * hd));
  CHECK(m.model_flops_per_sequence() == Approx(megatron).epsilon(1e-12));
}

TEST_CASE("FLOPs generalise to GQA and SwiGLU", "[models]") {
  // Llama 3 8B by hand, forward per layer: 2 s (2 h^2 + 2 h kv + 3 h f) + 4 s^2 h, with s 8192,
  // h 4096, kv 1024, f 14336; plus logits 2 s h V; times 3.
  const auto m = *find_model("llama3-8b");
  const long long s = 8192, h = 4096, kv = 1024, f = 14336, v = 128256, l = 32;
  const long long layer = 2 * s * (2 * h * h + 2 * h * kv + 3 * h * f) + 4 * s * s * h;
  const long long total = 3 * (l * layer + 2 * s * h * v);
  CHECK(m.model_flops_per_sequence() == static_cast<double>(total));
}

TEST_CASE("MoE FLOPs count top_k experts, parameters count all", "[models]") {
  const auto m = *find_model("mixtral-8x7b");
  REQUIRE(m.moe.has_value());
  auto dense = m;
  dense.moe.reset();
  const double h = 4096, f = 14336;
  // Per layer, all 8 experts' parameters minus one dense FFN, plus the router.
  CHECK(m.parameters() - dense.parameters() == Approx(32 * (7 * 3 * h * f + 8 * h)));
  // Per token and layer, forward: one more expert (2 x 3 h f FLOPs) and the router (2 h 8).
  CHECK(m.model_flops_per_sequence() - dense.model_flops_per_sequence() ==
        Approx(3.0 * 32 * 4096 * (2 * 3 * h * f + 2 * 8 * h)));
}
