// Peak memory against the development records with a published peak
// (../shared/validation/training_runs_dev.json, `other_measured` of kind `peak_memory`), and
// every development run that ran for real fitting its GPU. Each record's setup is transcribed
// here by hand with its record id; what the record leaves open is said next to it.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "models/hardware.hpp"
#include "models/memory.hpp"

using namespace cirrus::models;

namespace {

constexpr double kGiBytes = 1024.0 * 1024.0 * 1024.0;

struct Record {
  std::string id;
  TransformerConfig model;
  Strategy strategy;
  Training training;
  std::string node;        // hardware preset: its GPU's capacity
  double published = 0;    // published peak, GiB (0: none published; the run must only fit)
  std::string assumption;  // what the record leaves open and the transcription assumed
  // Not within 10% without a special case: left out of the assertion, printed as an error
  // with the best explanation (the test checks it is still outside, to keep this list true).
  std::string known_error;
};

TransformerConfig with_seq(TransformerConfig m, long seq) {
  m.seq_len = seq;
  return m;
}

// Llama 2 13B (Touvron et al. 2023; Meta's config.json: 40 layers, d 5120, 40 heads, FFN
// 13,824, vocab 32,000): not a cirrus preset.
TransformerConfig llama2_13b() {
  TransformerConfig m = *find_model("llama2-7b");
  m.name = "llama2-13b";
  m.layers = 40;
  m.hidden = 5120;
  m.heads = 40;
  m.kv_heads = 40;
  m.ffn_hidden = 13824;
  return m;
}

// MPT (llm-foundry scripts/train/yamls/pretrain/mpt-*.yaml): GeLU FFN of 4 d, tied embeddings,
// vocab 50,368, no dropout (attn_pdrop = resid_pdrop = emb_pdrop = 0).
TransformerConfig mpt(int layers, long hidden, int heads, long seq) {
  TransformerConfig m = *find_model("gpt-1.3b");
  m.name = "mpt";
  m.layers = layers;
  m.hidden = hidden;
  m.heads = heads;
  m.kv_heads = heads;
  m.ffn_hidden = 4 * hidden;
  m.vocab = 50368;
  m.seq_len = seq;
  m.tied_embeddings = true;
  return m;
}

Strategy fsdp(int dp, int mb) {
  Strategy s;
  s.dp = dp;
  s.micro_batch = mb;
  s.zero = 3;
  return s;
}

Training training(long global_batch, Precision p, Kernels k) {
  Training t;
  t.global_batch = global_batch;
  t.precision = p;
  t.kernels = k;
  return t;
}

// torchtitan's benchmark of December 2024 (benchmarks/llama3_h100_202412_torchtitan.md at
// 31a17bf): Grand Teton H100 96 GB; "Memory" is torchtitan's logged max reserved memory of
// the CUDA caching allocator (torchtitan/metrics.py, DeviceMemoryMonitor: reserved_bytes.all.peak,
// GiB).
std::vector<Record> records() {
  std::vector<Record> r;
  const TransformerConfig l8 = *find_model("llama3-8b");
  const TransformerConfig l70 = *find_model("llama3-70b");
  const TransformerConfig l405 = *find_model("llama3-405b");
  const char* kSac =
      "selective AC = torchtitan's llama3_8b.toml default selective_ac_option 'op' (the record "
      "says 'selective')";

  // Table 1: 8 GPUs, FSDP, local batch 2.
  {
    Record x{"torchtitan_l31_8b_8gpu_fsdp",
             l8,
             fsdp(8, 2),
             training(16, Precision::kBf16, Kernels::kEager),
             "grand-teton-h100",
             82.4,
             kSac,
             ""};
    x.strategy.recompute = Recompute::kSelectiveOp;
    r.push_back(x);
    x.id = "torchtitan_l31_8b_8gpu_fsdp_torchcompile";
    x.training.kernels = Kernels::kFused;
    x.training.loss_kernels = Kernels::kEager;
    x.published = 77.0;
    r.push_back(x);
    x.id = "torchtitan_l31_8b_8gpu_fsdp_torchcompile_float8";
    x.training.precision = Precision::kFp8;
    x.published = 76.8;
    r.push_back(x);
  }
  // Table 2: 8 GPUs, FSDP x CP, torch.compile + Float8, full AC, local batch 1 per dp rank.
  {
    const double peaks[] = {83.9, 84.2, 84.0, 84.5};
    const char* ids[] = {
        "torchtitan_l31_8b_8gpu_fsdp8_cp1_seq32768", "torchtitan_l31_8b_8gpu_fsdp4_cp2_seq65536",
        "torchtitan_l31_8b_8gpu_fsdp2_cp4_seq131072", "torchtitan_l31_8b_8gpu_fsdp1_cp8_seq262144"};
    for (int i = 0; i < 4; ++i) {
      const int cp = 1 << i;
      Record x{ids[i],
               with_seq(l8, 32768L * cp),
               fsdp(8 / cp, 1),
               training(8 / cp, Precision::kFp8, Kernels::kFused),
               "grand-teton-h100",
               peaks[i],
               "",
               ""};
      x.strategy.cp = cp;
      x.strategy.recompute = Recompute::kFull;
      x.training.loss_kernels = Kernels::kEager;
      r.push_back(x);
    }
  }
  // Table 3: 128 GPUs, FSDP, local batch 2.
  {
    Record x{"torchtitan_l31_8b_128gpu_fsdp",
             l8,
             fsdp(128, 2),
             training(256, Precision::kBf16, Kernels::kEager),
             "grand-teton-h100",
             67.0,
             kSac,
             ""};
    x.strategy.recompute = Recompute::kSelectiveOp;
    r.push_back(x);
    x.id = "torchtitan_l31_8b_128gpu_fsdp_torchcompile";
    x.training.kernels = Kernels::kFused;
    x.training.loss_kernels = Kernels::kEager;
    x.published = 62.0;
    r.push_back(x);
    x.id = "torchtitan_l31_8b_128gpu_fsdp_torchcompile_float8";
    x.training.precision = Precision::kFp8;
    x.published = 61.8;
    r.push_back(x);
  }
  // Table 4: 70B on 256 GPUs, FSDP 32 x TP 8 (torchtitan's TP plan: sequence-parallel norms,
  // loss parallel), local batch 16, full AC, compile + Float8.
  {
    Record x{"torchtitan_l31_70b_256gpu_2d",
             l70,
             fsdp(32, 16),
             training(512, Precision::kFp8, Kernels::kFused),
             "grand-teton-h100",
             71.9,
             "",
             ""};
    x.strategy.tp = 8;
    x.strategy.sequence_parallel = true;
    x.strategy.recompute = Recompute::kFull;
    x.training.loss_kernels = Kernels::kEager;
    x.known_error =
        "cirrus 24% low: the peak is the loss-parallel cross-entropy over 131k tokens x 16k "
        "vocabulary entries per GPU; torch's DTensor loss_parallel (log_softmax and nll_loss "
        "handlers in torch/distributed/tensor/parallel/loss.py) allocates more fp32 temporaries "
        "than the fused CUDA kernels counted here (not verified), and async TP lowering the "
        "peak by 4.3 GiB says TP collective buffers inside the compiled blocks matter too";
    r.push_back(x);
    x.id = "torchtitan_l31_70b_256gpu_2d_asynctp";
    x.published = 67.6;
    x.assumption = "async TP's symmetric-memory buffers are not modelled (same as plain TP)";
    x.known_error = "cirrus 19% low: as torchtitan_l31_70b_256gpu_2d";
    r.push_back(x);
  }
  // Table 5: 405B on 512 GPUs, FSDP 8 x TP 8 x PP 8, local batch 32, full AC.
  {
    const char* kMicro =
        "8 micro-batches of 4 (torchtitan's default pipeline_parallel_microbatches = pp degree; "
        "the record does not state the micro-batching)";
    Record x{"torchtitan_l31_405b_512gpu_1f1b",
             l405,
             fsdp(8, 4),
             training(256, Precision::kFp8, Kernels::kFused),
             "grand-teton-h100",
             82.5,
             kMicro,
             ""};
    x.strategy.tp = 8;
    x.strategy.pp = 8;
    x.strategy.sequence_parallel = true;
    x.strategy.recompute = Recompute::kFull;
    x.strategy.schedule = Schedule::k1F1B;
    x.training.loss_kernels = Kernels::kEager;
    r.push_back(x);
    x.id = "torchtitan_l31_405b_512gpu_interleaved1f1b";
    x.published = 72.7;
    x.strategy.schedule = Schedule::kInterleaved;
    x.strategy.virtual_stages = 2;
    x.assumption = std::string(kMicro) + "; 2 stages per rank (not stated)";
    x.known_error =
        "cirrus 11% high while the record is 10 GiB below the 1F1B run of the same setup; an "
        "interleaved schedule holds more micro-batches in flight (11.5 vs 8 on rank 0), so the "
        "run must differ in what the record does not state (stages per rank, micro-batches, "
        "split points)";
    r.push_back(x);
  }
  // Table 6: 405B on 512 GPUs, TP 8 x PP 8 x FSDP x CP, local batch 8 (1 sequence per
  // micro-batch with 8 micro-batches), full AC.
  {
    const double peaks[] = {75.3, 75.9, 77.1, 84.9};
    const char* ids[] = {"torchtitan_l31_405b_512gpu_fsdp8_cp1_seq32768",
                         "torchtitan_l31_405b_512gpu_fsdp4_cp2_seq65536",
                         "torchtitan_l31_405b_512gpu_fsdp2_cp4_seq131072",
                         "torchtitan_l31_405b_512gpu_fsdp1_cp8_seq262144"};
    for (int i = 0; i < 4; ++i) {
      const int cp = 1 << i;
      const int dp = 8 / cp;
      Record x{ids[i],
               with_seq(l405, 32768L * cp),
               fsdp(dp, 1),
               training(8L * dp, Precision::kFp8, Kernels::kFused),
               "grand-teton-h100",
               peaks[i],
               "8 micro-batches of 1 (pp degree), 1F1B",
               ""};
      x.strategy.tp = 8;
      x.strategy.pp = 8;
      x.strategy.cp = cp;
      x.strategy.sequence_parallel = true;
      x.strategy.recompute = Recompute::kFull;
      x.training.loss_kernels = Kernels::kEager;
      r.push_back(x);
    }
  }
  // H200 (benchmarks/llama3_8b_h200_2025-06_torchtitan_trainy_whitefiber.md at b3eec1e):
  // torchtitan e7c0cae, FSDP2 with float8 all-gather, torch.compile, local batch 2.
  for (int gpus : {32, 64}) {
    Record x{
        gpus == 32 ? "torchtitan_h200_trainy_l31_8b_32gpu" : "torchtitan_h200_trainy_l31_8b_64gpu",
        l8,
        fsdp(gpus, 2),
        training(2L * gpus, Precision::kFp8, Kernels::kFused),
        "dgx-h200",
        gpus == 32 ? 47.96 : 46.97,
        "selective op AC (llama3_8b.toml default, assumed by the record); seq 8192",
        ""};
    x.strategy.recompute = Recompute::kSelectiveOp;
    x.training.fp8_all_gather = true;
    r.push_back(x);
  }

  // ---- Runs without a published peak: they ran, so they must fit. ----
  // torchtitan docs/performance.md (041336434), 64 A100 80GB, FSDP2, eager.
  {
    auto a100 = [&](const char* id, TransformerConfig m, int mb, Recompute rc) {
      Record x{id,
               m,
               fsdp(64, mb),
               training(64L * mb, Precision::kBf16, Kernels::kEager),
               "dgx-a100-80gb",
               0,
               "eager PyTorch (no torch.compile stated), eager loss",
               ""};
      x.strategy.recompute = rc;
      if (m.hidden != 4096 && m.vocab == 32000) {
        // Llama 2: torchtitan's llama2_13b/70b.toml of 2024 set norm_type "fused_rmsnorm" (a
        // Triton RMSNorm saving its input and rstd; recalled, not verified). cirrus has no
        // fused-norm-only setting: "fused" also counts SwiGLU's three saved tensors, not four.
        x.training.kernels = Kernels::kFused;
        x.training.loss_kernels = Kernels::kEager;
        x.assumption = "fused_rmsnorm (torchtitan's Llama 2 configs, not verified), eager loss";
      }
      return x;
    };
    r.push_back(a100("torchtitan_a100_64gpu_l3_8b_sel_layer", l8, 1, Recompute::kSelectiveLayer));
    r.push_back(a100("torchtitan_a100_64gpu_l3_8b_sel_op", l8, 1, Recompute::kSelectiveOp));
    r.push_back(a100("torchtitan_a100_64gpu_l3_70b_full", l70, 1, Recompute::kFull));
    r.push_back(a100("torchtitan_a100_64gpu_l2_13b_noac", llama2_13b(), 2, Recompute::kNone));
    r.push_back(a100("torchtitan_a100_64gpu_l2_13b_sel_layer", llama2_13b(), 2,
                     Recompute::kSelectiveLayer));
    r.push_back(
        a100("torchtitan_a100_64gpu_l2_13b_sel_op", llama2_13b(), 2, Recompute::kSelectiveOp));
    r.push_back(a100("torchtitan_a100_64gpu_l2_70b_sel_op_lbs1", *find_model("llama2-70b"), 1,
                     Recompute::kSelectiveOp));
    r.push_back(a100("torchtitan_a100_64gpu_l2_70b_full_lbs2", *find_model("llama2-70b"), 2,
                     Recompute::kFull));
  }
  // MosaicML llm-foundry (scripts/train/benchmarking/README.md at 4952183): Composer + PyTorch
  // FSDP FULL_SHARD, bf16, FlashAttention, data parallel only.
  {
    struct Mpt {
      const char* id;
      int size;  // 7, 13, 30, 70 (billions)
      const char* node;
      int gpus, mb;
      long seq;
      bool full_ac;
    };
    const Mpt rows[] = {
        {"llmfoundry_mpt70b_h100_80gb_512gpu_seq2048_mb8", 70, "dgx-h100", 512, 8, 2048, true},
        {"llmfoundry_mpt70b_h100_80gb_256gpu_seq2048_mb8", 70, "dgx-h100", 256, 8, 2048, true},
        {"llmfoundry_mpt70b_h100_80gb_128gpu_seq2048_mb8", 70, "dgx-h100", 128, 8, 2048, true},
        {"llmfoundry_mpt30b_h100_80gb_512gpu_seq2048_mb8", 30, "dgx-h100", 512, 8, 2048, true},
        {"llmfoundry_mpt30b_h100_80gb_256gpu_seq2048_mb8", 30, "dgx-h100", 256, 8, 2048, true},
        {"llmfoundry_mpt30b_h100_80gb_128gpu_seq2048_mb8", 30, "dgx-h100", 128, 8, 2048, true},
        {"llmfoundry_mpt13b_h100_80gb_512gpu_seq2048_mb16", 13, "dgx-h100", 512, 16, 2048, true},
        {"llmfoundry_mpt13b_h100_80gb_256gpu_seq2048_mb16", 13, "dgx-h100", 256, 16, 2048, true},
        {"llmfoundry_mpt13b_h100_80gb_128gpu_seq2048_mb16", 13, "dgx-h100", 128, 16, 2048, true},
        {"llmfoundry_mpt7b_h100_80gb_512gpu_seq2048_mb6", 7, "dgx-h100", 512, 6, 2048, false},
        {"llmfoundry_mpt7b_h100_80gb_256gpu_seq2048_mb6", 7, "dgx-h100", 256, 6, 2048, false},
        {"llmfoundry_mpt7b_h100_80gb_128gpu_seq2048_mb6", 7, "dgx-h100", 128, 6, 2048, false},
        {"llmfoundry_mpt70b_h100_80gb_64gpu_seq2048_mb8", 70, "dgx-h100", 64, 8, 2048, true},
        {"llmfoundry_mpt70b_h100_80gb_32gpu_seq2048_mb2", 70, "dgx-h100", 32, 2, 2048, true},
        {"llmfoundry_mpt30b_h100_80gb_32gpu_seq2048_mb14", 30, "dgx-h100", 32, 14, 2048, true},
        {"llmfoundry_mpt30b_h100_80gb_16gpu_seq2048_mb10", 30, "dgx-h100", 16, 10, 2048, true},
        {"llmfoundry_mpt30b_h100_80gb_8gpu_seq2048_mb3", 30, "dgx-h100", 8, 3, 2048, true},
        {"llmfoundry_mpt13b_h100_80gb_8gpu_seq32768_mb1", 13, "dgx-h100", 8, 1, 32768, true},
        {"llmfoundry_mpt13b_h100_80gb_64gpu_seq2048_mb2", 13, "dgx-h100", 64, 2, 2048, false},
        {"llmfoundry_mpt13b_h100_80gb_32gpu_seq2048_mb2", 13, "dgx-h100", 32, 2, 2048, false},
        {"llmfoundry_mpt13b_h100_80gb_16gpu_seq2048_mb2", 13, "dgx-h100", 16, 2, 2048, false},
        {"llmfoundry_mpt13b_h100_80gb_8gpu_seq2048_mb2", 13, "dgx-h100", 8, 2, 2048, false},
        {"llmfoundry_mpt7b_h100_80gb_8gpu_seq32768_mb2", 7, "dgx-h100", 8, 2, 32768, true},
        {"llmfoundry_mpt7b_h100_80gb_8gpu_seq8192_mb8", 7, "dgx-h100", 8, 8, 8192, true},
        {"llmfoundry_mpt7b_h100_80gb_8gpu_seq2048_mb6", 7, "dgx-h100", 8, 6, 2048, false},
        {"llmfoundry_mpt70b_a100_80gb_64gpu_seq2048_mb8", 70, "dgx-a100-80gb", 64, 8, 2048, true},
        {"llmfoundry_mpt70b_a100_80gb_32gpu_seq2048_mb2", 70, "dgx-a100-80gb", 32, 2, 2048, true},
        {"llmfoundry_mpt30b_a100_80gb_8gpu_seq2048_mb3", 30, "dgx-a100-80gb", 8, 3, 2048, true},
        {"llmfoundry_mpt13b_a100_80gb_8gpu_seq32768_mb1", 13, "dgx-a100-80gb", 8, 1, 32768, true},
        {"llmfoundry_mpt13b_a100_80gb_8gpu_seq8192_mb5", 13, "dgx-a100-80gb", 8, 5, 8192, true},
        {"llmfoundry_mpt13b_a100_80gb_8gpu_seq2048_mb2", 13, "dgx-a100-80gb", 8, 2, 2048, false},
        {"llmfoundry_mpt7b_a100_80gb_8gpu_seq32768_mb2", 7, "dgx-a100-80gb", 8, 2, 32768, true},
        {"llmfoundry_mpt7b_a100_80gb_8gpu_seq8192_mb8", 7, "dgx-a100-80gb", 8, 8, 8192, true},
        {"llmfoundry_mpt7b_a100_80gb_8gpu_seq2048_mb6", 7, "dgx-a100-80gb", 8, 6, 2048, false},
        {"llmfoundry_mpt70b_a100_40gb_128gpu_seq2048_mb4", 70, "dgx-a100-40gb", 128, 4, 2048, true},
        {"llmfoundry_mpt70b_a100_40gb_64gpu_seq2048_mb2", 70, "dgx-a100-40gb", 64, 2, 2048, true},
        {"llmfoundry_mpt30b_a100_40gb_128gpu_seq2048_mb6", 30, "dgx-a100-40gb", 128, 6, 2048, true},
        {"llmfoundry_mpt30b_a100_40gb_32gpu_seq2048_mb4", 30, "dgx-a100-40gb", 32, 4, 2048, true},
        {"llmfoundry_mpt13b_a100_40gb_8gpu_seq8192_mb1", 13, "dgx-a100-40gb", 8, 1, 8192, true},
        {"llmfoundry_mpt13b_a100_40gb_128gpu_seq2048_mb16", 13, "dgx-a100-40gb", 128, 16, 2048,
         true},
        {"llmfoundry_mpt13b_a100_40gb_64gpu_seq2048_mb16", 13, "dgx-a100-40gb", 64, 16, 2048, true},
        {"llmfoundry_mpt13b_a100_40gb_32gpu_seq2048_mb14", 13, "dgx-a100-40gb", 32, 14, 2048, true},
        {"llmfoundry_mpt13b_a100_40gb_16gpu_seq2048_mb10", 13, "dgx-a100-40gb", 16, 10, 2048, true},
        {"llmfoundry_mpt13b_a100_40gb_8gpu_seq2048_mb4", 13, "dgx-a100-40gb", 8, 4, 2048, true},
        {"llmfoundry_mpt7b_a100_40gb_8gpu_seq8192_mb3", 7, "dgx-a100-40gb", 8, 3, 8192, true},
        {"llmfoundry_mpt7b_a100_40gb_128gpu_seq2048_mb18", 7, "dgx-a100-40gb", 128, 18, 2048, true},
        {"llmfoundry_mpt7b_a100_40gb_64gpu_seq2048_mb18", 7, "dgx-a100-40gb", 64, 18, 2048, true},
        {"llmfoundry_mpt7b_a100_40gb_32gpu_seq2048_mb18", 7, "dgx-a100-40gb", 32, 18, 2048, true},
        {"llmfoundry_mpt7b_a100_40gb_16gpu_seq2048_mb16", 7, "dgx-a100-40gb", 16, 16, 2048, true},
        {"llmfoundry_mpt7b_a100_40gb_8gpu_seq2048_mb12", 7, "dgx-a100-40gb", 8, 12, 2048, true},
    };
    for (const Mpt& row : rows) {
      TransformerConfig m = row.size == 70   ? mpt(80, 8192, 64, row.seq)
                            : row.size == 30 ? mpt(48, 7168, 56, row.seq)
                            : row.size == 13 ? mpt(40, 5120, 40, row.seq)
                                             : mpt(32, 4096, 32, row.seq);
      Record x{row.id,
               m,
               fsdp(row.gpus, row.mb),
               training(static_cast<long>(row.gpus) * row.mb, Precision::kBf16, Kernels::kFused),
               row.node,
               0,
               "one micro-batch per step (grad_accum 1)",
               ""};
      x.strategy.recompute = row.full_ac ? Recompute::kFull : Recompute::kNone;
      r.push_back(x);
    }
  }
  // BLOOM-176B (bigscience tr11-176B-ml README): Megatron-DeepSpeed, TP 4 x PP 12 x DP 8,
  // micro-batch 2, global 2048, full recompute, ZeRO-1, bf16, no dropout, tied embeddings.
  {
    TransformerConfig m = mpt(70, 14336, 112, 2048);
    m.name = "bloom-176b";
    m.vocab = 250880;
    Strategy s;
    s.tp = 4;
    s.pp = 12;
    s.dp = 8;
    s.micro_batch = 2;
    s.zero = 1;
    s.recompute = Recompute::kFull;
    r.push_back(Record{"bloom176b_tr11_steady_state", m, s,
                       training(2048, Precision::kBf16, Kernels::kFused), "dgx-a100-80gb", 0,
                       "1F1B for DeepSpeed's pipeline engine", ""});
  }
  // MT-NLG 530B (Smith et al. 2022): TP 8 x PP 35, global batch 1920; micro-batch 1, full
  // recompute and ZeRO-1 assumed (not retrieved by the record); GPT-style dropout 0.1.
  for (int dp : {8, 10, 12}) {
    TransformerConfig m = *find_model("gpt3-175b");
    m.name = "mt-nlg-530b";
    m.layers = 105;
    m.hidden = 20480;
    m.heads = 128;
    m.kv_heads = 128;
    m.ffn_hidden = 81920;
    m.vocab = 50272;
    Strategy s;
    s.tp = 8;
    s.pp = 35;
    s.dp = dp;
    s.micro_batch = 1;
    s.zero = 1;
    s.recompute = Recompute::kFull;
    r.push_back(Record{"mtnlg530b_" + std::to_string(280 * dp) + "gpu", m, s,
                       training(1920, Precision::kBf16, Kernels::kFused), "dgx-a100-80gb", 0,
                       "micro-batch 1, full recompute, ZeRO-1 (not retrieved)", ""});
  }
  return r;
}

double capacity(const Record& x) { return find_node(x.node)->gpu.memory_bytes; }

}  // namespace

TEST_CASE("peak memory of the development records", "[memory][records]") {
  // Published peaks are torch.cuda's max reserved memory: compared with what the caching
  // allocator holds (MemoryEstimate::allocator()); capacity with the whole total.
  std::printf("%-52s %9s %9s %9s %7s\n", "record", "published", "cirrus", "capacity", "error");
  int asserted = 0;
  double worst = 0;
  for (const Record& x : records()) {
    INFO(x.id);
    int stage = 0;
    const MemoryEstimate e = peak_memory(x.model, x.training, x.strategy, &stage);
    const double cap = capacity(x);
    // Every development run ran for real: none may exceed its GPU.
    CHECK(e.total <= cap);
    const double total = e.total / kGiBytes;
    if (x.published <= 0) {
      std::printf("%-52s %9s %9.1f %9.1f\n", x.id.c_str(), "-", total, cap / kGiBytes);
      continue;
    }
    const double gib = e.allocator() / kGiBytes;
    const double error = gib / x.published - 1.0;
    std::printf(
        "%-52s %9.1f %9.1f %9.1f %+6.1f%%  stage %d at %s: states %.1f act %.1f "
        "(loss %.1f, recompute %.1f) buf %.1f (gathered %.1f)\n",
        x.id.c_str(), x.published, gib, cap / kGiBytes, 100.0 * error, stage, to_string(e.phase),
        (e.params + e.grads + e.optimizer) / kGiBytes, e.activations / kGiBytes, e.loss / kGiBytes,
        e.recompute / kGiBytes, e.buffers / kGiBytes, e.gathered / kGiBytes);
    if (!x.known_error.empty()) {
      std::printf("  ERROR (not asserted): %s\n", x.known_error.c_str());
      CHECK(std::abs(error) > 0.10);
      continue;
    }
    CHECK(std::abs(error) <= 0.10);
    ++asserted;
    worst = std::max(worst, std::abs(error));
  }
  std::printf("%d published peaks asserted within 10%% (worst %.1f%%)\n", asserted, 100 * worst);
  CHECK(asserted == 17);
}

// Held-out runs named in issue 12, printed for the report and not asserted (nothing may be
// tuned to them): Nemotron-4 340B (NVIDIA 2024, arXiv:2406.11704: 96 layers, d 18432, 96 heads,
// 8 KV heads, squared-ReLU FFN 73,728 (two matrices), vocabulary 256,000, untied, no dropout)
// on 128 H100 80GB, TP 8 x PP 8 x DP 2, 12 virtual stages, micro-batch 1 of 4,096 tokens,
// global batch 32 (16 micro-batches), sequence parallel, distributed optimizer.
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
          p == Precision::kFp8 ? "fp8" : "bf16", to_string(r), e.total / kGiBytes, stage,
          to_string(e.phase), e.params / kGiBytes, e.fp8_weights / kGiBytes, e.grads / kGiBytes,
          e.optimizer / kGiBytes, e.activations / kGiBytes, e.buffers / kGiBytes);
    }
  }
}
