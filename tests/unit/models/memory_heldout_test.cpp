// Held-out runs named in issue 12, printed for the report and not asserted (nothing may be
// tuned to them): Nemotron-4 340B (NVIDIA 2024, arXiv:2406.11704: 96 layers, d 18432, 96 heads,
// 8 KV heads, squared-ReLU FFN 73,728 (two matrices), vocabulary 256,000, untied, no dropout)
// on 128 H100 80GB, TP 8 x PP 8 x DP 2, 12 virtual stages, micro-batch 1 of 4,096 tokens,
// global batch 32 (16 micro-batches), sequence parallel, distributed optimizer.
#include <catch2/catch.hpp>
#include <cstdio>

#include "common/units.hpp"
#include "models/workload/memory.hpp"

using namespace cirrus::models;
using cirrus::kGiB;

TEST_CASE("held-out: Nemotron-4 340B on 128 H100 (printed, not asserted)", "[memory][records]") {
  TransformerConfig m = *find_model("gpt3-175b");
  m.name = "nemotron-4-340b";
  m.layers = 96;
  m.hidden = 18432;
  m.heads = 96;
  m.kv_heads = 8;
  m.ffn_hidden = 73728;
  m.ffn = FfnKind::kGelu;  // squared ReLU: two matrices, saves its input and output like GeLU
  m.vocab = 256000;
  m.seq_len = 4096;
  m.tied_embeddings = false;
  m.dropout = false;
  Strategy s;
  s.tp = 8;
  s.pp = 8;
  s.dp = 2;
  s.micro_batch = 1;
  s.schedule = Schedule::kInterleaved;
  s.virtual_stages = 12;
  s.sequence_parallel = true;
  s.zero = 1;
  for (Precision p : {Precision::kBf16, Precision::kFp8}) {
    for (Recompute r : {Recompute::kNone, Recompute::kSelective, Recompute::kFull}) {
      s.recompute = r;
      Training t;
      t.global_batch = 32;
      t.precision = p;
      int stage = 0;
      const MemoryEstimate e = peak_memory(m, t, s, &stage);
      std::printf(
          "nemotron-4-340b %-4s recompute %-9s %6.1f GiB (stage %d at %s: params %.1f "
          "[fp8 copies %.1f] grads %.1f optimizer %.1f activations %.1f buffers %.1f)\n",
          p == Precision::kFp8 ? "fp8" : "bf16", to_string(r), e.total / kGiB, stage,
          to_string(e.phase), e.params / kGiB, e.fp8_weights / kGiB, e.grads / kGiB,
          e.optimizer / kGiB, e.activations / kGiB, e.buffers / kGiB);
      CHECK(e.total > 0);
    }
  }
}
