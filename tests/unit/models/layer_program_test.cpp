// The kernels and collectives of one layer (models/workload/layer_program.hpp), counted by hand.
#include <catch2/catch.hpp>
#include <string>

#include "models/compute/compute_model.hpp"
#include "models/hardware/hardware.hpp"
#include "models/step/step_costs.hpp"
#include "models/workload/layer_program.hpp"
#include "models/workload/transformer.hpp"

namespace cirrus::models {
namespace {

const LayerItem* find(const std::vector<LayerItem>& items, const std::string& name) {
  for (const auto& it : items) {
    if (!it.is_comm && name == it.op.name) return &it;
  }
  return nullptr;
}

double bytes_of(const std::vector<LayerItem>& items, const std::string& name) {
  const LayerItem* it = find(items, name);
  REQUIRE(it != nullptr);
  return it->op.bytes;
}

TransformerConfig llama8b() { return *find_model("llama3-8b"); }

}  // namespace

TEST_CASE("fp8: linear layers in fp8 with their casts, the rest in bf16", "[models][layer]") {
  const TransformerConfig m = llama8b();  // h 4096, kv 1024, ffn 14336, SwiGLU, seq 8192
  Strategy s;
  Training t;
  t.precision = Precision::kFp8;
  const LayerProgram p = transformer_layer(m, s, t);
  const LayerItem* qkv = find(p.forward, "qkv");
  REQUIRE(qkv);
  CHECK(qkv->op.fp8);
  CHECK(find(p.backward, "qkv_wgrad")->op.fp8);
  // The qkv input cast: 6 bytes (amax 2, read 2, fp8 1, transpose 1) x 8192 tokens x 4096.
  CHECK(bytes_of(p.forward, "qkv_fp8_cast") == Approx(6.0 * 8192 * 4096));
  // fc2's output-gradient cast in the backward pass: 6 x 8192 x 4096.
  CHECK(bytes_of(p.backward, "fc2_grad_fp8_cast") == Approx(6.0 * 8192 * 4096));
  // Resident weights (ZeRO < 3) are cast once per step, not in the layer.
  CHECK(bytes_of(p.forward, "fc1_fp8_cast") == Approx(6.0 * 8192 * 4096));
  s.zero = 3;
  const LayerProgram z3 = transformer_layer(m, s, t);
  // Under ZeRO-3 every gather is cast: + 6 x 4096 x 2 x 14336 for fc1's gate and up weights.
  CHECK(bytes_of(z3.forward, "fc1_fp8_cast") == Approx(6.0 * 8192 * 4096 + 6.0 * 4096 * 2 * 14336));
  t.fp8_all_gather = true;
  const LayerProgram gathered = transformer_layer(m, s, t);
  // Gathered in fp8, only the transpose remains (2 bytes per weight).
  CHECK(bytes_of(gathered.forward, "fc1_fp8_cast") ==
        Approx(6.0 * 8192 * 4096 + 2.0 * 4096 * 2 * 14336));
  // Attention stays 16-bit.
  for (const auto& it : p.forward) {
    if (!it.is_comm && it.op.kind == OpKind::kFlashAttention) CHECK_FALSE(it.op.fp8);
  }
  // The output layer too.
  const LayerProgram head = output_layer(m, s, t);
  CHECK_FALSE(find(head.forward, "logits")->op.fp8);
}

TEST_CASE("backward GEMMs look up the forward GEMM they differentiate", "[models][layer]") {
  const LayerProgram p = transformer_layer(llama8b(), Strategy{}, Precision::kBf16);
  const LayerItem* fc1 = find(p.forward, "fc1");
  const LayerItem* wgrad = find(p.backward, "fc1_wgrad");
  REQUIRE(fc1);
  REQUIRE(wgrad);
  // wgrad is (k x m) @ (m x n): M = 4096, N = 28672, K = 8192 tokens; it takes fc1's (m, n, k).
  CHECK(wgrad->op.m == Approx(4096));
  CHECK(wgrad->op.k == Approx(8192));
  CHECK(wgrad->op.lookup_m == Approx(fc1->op.m));
  CHECK(wgrad->op.lookup_n == Approx(fc1->op.n));
  CHECK(wgrad->op.lookup_k == Approx(fc1->op.k));
  CHECK(wgrad->op.flops == Approx(fc1->op.flops));
}

TEST_CASE("element-wise kernels: Llama vs GPT families, fused vs eager", "[models][layer]") {
  const TransformerConfig llama = llama8b();
  Strategy s;
  Training fused;
  const LayerProgram f = transformer_layer(llama, s, fused);
  const double elems = 8192.0 * 4096;
  // Fused RMSNorm reads and writes: 4 bytes per element; the residual add (no dropout) 6.
  CHECK(bytes_of(f.forward, "norm1") == Approx(4.0 * elems));
  CHECK(bytes_of(f.forward, "residual_add1") == Approx(6.0 * elems));
  CHECK(find(f.forward, "bias_dropout_add1") == nullptr);
  // Rotary embeddings on q (4096 wide) and k (1024): read + write, 4 bytes each.
  CHECK(bytes_of(f.forward, "rope") == Approx(4.0 * 8192 * (4096 + 1024)));
  // SwiGLU fused: read gate and up, write one: 6 bytes per 8192 x 14336.
  CHECK(bytes_of(f.forward, "activation") == Approx(6.0 * 8192 * 14336));
  Training eager;
  eager.kernels = Kernels::kEager;
  const LayerProgram e = transformer_layer(llama, s, eager);
  // Eager RMSNorm: (2 + 4) + 8 + 4 + 8 + (4 + 2) + 4 = 36 bytes per element, 72 backward.
  CHECK(bytes_of(e.forward, "norm1") == Approx(36.0 * elems));
  CHECK(bytes_of(e.backward, "norm1_bwd") == Approx(72.0 * elems));
  CHECK(bytes_of(e.forward, "rope") == Approx(20.0 * 8192 * (4096 + 1024)));
  CHECK(bytes_of(e.forward, "activation") == Approx(10.0 * 8192 * 14336));
  // An eager model with a fused RMSNorm (torchtitan's fused_rmsnorm): the norms move the fused
  // kernel's bytes, rotary embeddings and SwiGLU stay eager.
  Training fused_norm = eager;
  fused_norm.norm_kernels = Kernels::kFused;
  const LayerProgram n = transformer_layer(llama, s, fused_norm);
  CHECK(bytes_of(n.forward, "norm1") == Approx(4.0 * elems));
  CHECK(bytes_of(n.backward, "norm1_bwd") == Approx(6.0 * elems));
  CHECK(bytes_of(n.forward, "rope") == Approx(20.0 * 8192 * (4096 + 1024)));
  CHECK(bytes_of(n.forward, "activation") == Approx(10.0 * 8192 * 14336));
  // GPT-style: fused bias-dropout-add with a 1-byte mask, no rotary embeddings.
  const TransformerConfig gpt = *find_model("gpt3-175b");
  const LayerProgram g = transformer_layer(gpt, s, fused);
  CHECK(bytes_of(g.forward, "bias_dropout_add1") == Approx(7.0 * 2048 * 12288));
  CHECK(find(g.forward, "rope") == nullptr);
}

TEST_CASE("torchtitan's op-level checkpointing reruns the unsaved ops", "[models][layer]") {
  Strategy s;
  s.recompute = Recompute::kSelectiveOp;
  const LayerProgram p = transformer_layer(llama8b(), s, Precision::kBf16);
  // norm1, the K projection (8192 x 1024 x 4096), rope, norm2, w3 (8192 x 14336 x 4096) and
  // the activation; never wo, wq, wv, w1 or w2.
  const LayerItem* k = find(p.recompute, "attn_k");
  REQUIRE(k);
  CHECK(k->op.flops == Approx(2.0 * 8192 * 1024 * 4096));
  const LayerItem* up = find(p.recompute, "fc1_up");
  REQUIRE(up);
  CHECK(up->op.flops == Approx(2.0 * 8192 * 14336 * 4096));
  CHECK(find(p.recompute, "rope") != nullptr);
  CHECK(find(p.recompute, "norm1") != nullptr);
  CHECK(find(p.recompute, "norm2") != nullptr);
  CHECK(find(p.recompute, "activation") != nullptr);
  CHECK(find(p.recompute, "attn_out") == nullptr);
  CHECK(find(p.recompute, "qkv") == nullptr);
  CHECK(p.recompute.size() == 6);
  // The layer policy reruns the whole forward of one layer in recompute_every, counting from 1.
  s.recompute = Recompute::kSelectiveLayer;
  s.recompute_every = 2;
  CHECK_FALSE(recomputes_layer(s, 0));
  CHECK(recomputes_layer(s, 1));
  CHECK(recompute_share(s) == Approx(0.5));
}

TEST_CASE("ring attention: cp steps, each after an overlapped K,V send", "[models][layer]") {
  Strategy s;
  s.cp = 4;
  const LayerProgram p = transformer_layer(llama8b(), s, Precision::kBf16);
  int steps = 0, sends = 0;
  for (const auto& it : p.forward) {
    if (!it.is_comm && it.op.kind == OpKind::kFlashAttention) ++steps;
    if (it.is_comm && it.group == CommGroup::kCp) {
      ++sends;
      CHECK(it.collective == CollectiveKind::kSendRecv);
      CHECK(it.overlap);
      // This rank's K and V: 2 x 2 bytes x 2048 tokens x 1024.
      CHECK(it.comm_bytes == Approx(2.0 * 2 * 2048 * 1024));
    }
  }
  CHECK(steps == 4);
  CHECK(sends == 3);
  // FLOPs over the steps add up to the rank's share of causal attention: 2 x 32 heads x
  // 2048 x 8192 x 128 (FlashAttention's convention).
  double fa = 0;
  for (const auto& it : p.forward) {
    if (!it.is_comm && it.op.kind == OpKind::kFlashAttention) fa += it.op.attention.fa_flops;
  }
  CHECK(fa == Approx(2.0 * 32 * 2048 * 8192 * 128));
}

TEST_CASE("uneven pipeline chunks: the first chunks take one more layer", "[models][step]") {
  TransformerConfig m = llama8b();
  m.layers = 70;
  Strategy s;
  s.pp = 12;  // BLOOM's 70 layers on 12 stages: 10 stages of 6, 2 of 5
  CHECK(chunk_layers(m, s, 0, 0).count == 6);
  CHECK(chunk_layers(m, s, 9, 0).first == 54);
  CHECK(chunk_layers(m, s, 10, 0).count == 5);
  CHECK(chunk_layers(m, s, 11, 0).first == 65);
  s.schedule = Schedule::kInterleaved;
  s.virtual_stages = 2;  // 24 chunks: 22 of 3, 2 of 2
  CHECK(stage_layer_count(m, s, 0) == 6);
  CHECK(stage_layer_count(m, s, 11) == 5);
}

}  // namespace cirrus::models
