#pragma once
// Published step times to validate against (`cirrus validate`). A dataset is a JSON file like
// data/validation/megatron_sc21_table1.json: rows of model shape (record_id, layers, hidden,
// heads, [kv_heads], ffn_hidden, [ffn], seq_len, vocab, [tied_embeddings], [rotary], [rmsnorm],
// [dropout]: by default Llama-style for a SwiGLU FFN, GPT-style for GeLU), parallel layout
// (global_batch, tp, pp, dp, [cp], [ep], gpus = tp x pp x dp x cp) and exactly one published
// figure:
//   "step_time_s"              seconds per optimizer step, taken as is;
//   "achieved_tflops_per_gpu"  the SC'21 convention (the paper's Eq. 3 FLOPs, one recomputed
//                              forward included): step = Eq. 3 FLOPs / (value x 1e12 x gpus);
//   "tokens_per_s_per_gpu"     step = global_batch x seq_len / (gpus x value).
// A row may also give "peak_memory_gib" (the published peak per GPU, for the memory column:
// compared with what cirrus predicts PyTorch's caching allocator reserves,
// models::MemoryBreakdown::reserved, since the frameworks that publish a peak log torch.cuda's
// max reserved memory), and, for the record: "source", "stated" (the setup as the source states
// it), "assumed" (this row's own assumption lines) and "note".
//
// The run's setup: an optional "setup" object applies to every row, and a row may carry the
// same keys for itself: node (a preset id or an inline node object, as cluster.node in a
// scenario), precision (fp32, fp16, bf16, fp8), micro_batch, schedule, virtual_stages, recompute
// (none, selective, full, selective-op, selective-layer), recompute_every, attention (flash,
// flash1, flash2, flash3, cudnn, unfused), sequence_parallel, zero, dp_shard, overlap{dp,tp,pp},
// kernels (fused, eager), loss_kernels and norm_kernels (fused, eager: the output layer's
// cross-entropy and the RMSNorms when they run differently from the rest; absent: as kernels),
// fp8_all_gather, and framework (a free-text label that validate groups its summary by:
// "Megatron-LM", "torchtitan", ...). Enum values are spelled as in a scenario
// (scenarios/enum_tables.hpp). What the setup does not state is
// Megatron-LM 2021's (fp16, micro-batch 1, 1F1B, full recomputation, unfused attention, no
// sequence parallelism, no ZeRO, no overlap, DGX A100 80GB, framework "Megatron-LM").
// "assumed" lists, in words, what the dataset's author assumed where the publication is
// silent; a dataset with neither "setup" nor "assumed" is the SC'21 table and gets its
// assumption lines.
#include <optional>
#include <string>
#include <vector>

#include "models/step/step_input.hpp"

namespace cirrus::scenarios {

struct ValidationRow {
  std::string id;
  models::StepInput input;
  double published_step_s = 0;
  // The published figure as the source gives it: its key (step_time_s,
  // achieved_tflops_per_gpu, tokens_per_s_per_gpu) and value.
  std::string published_kind;
  double published_value = 0;
  std::optional<double> published_memory_gib;  // peak memory per GPU, when published
  std::string framework;                       // grouping label (setup or row "framework")
  std::string source;                          // the row's own source, empty: the dataset's
  std::string stated;                          // the setup as the source states it
  std::vector<std::string> assumed;            // this row's own assumption lines
  std::string note;
};

struct ValidationSet {
  std::string title;
  std::string source;
  std::string file;
  std::vector<std::string> assumptions;  // what cirrus assumed where the source is silent
  std::vector<ValidationRow> rows;
};

// Reads a dataset. Throws InputError naming the file and JSON path on malformed files and
// unknown keys.
ValidationSet load_validation_set(const std::string& path);
// The same from text; `path` names the file in errors.
ValidationSet parse_validation_set(const std::string& text, const std::string& path);

// Megatron-LM (Narayanan et al., SC'21) Eq. 3: FLOPs per step with full recomputation, for a
// global batch b of sequences of s tokens, l layers, hidden h and vocabulary v.
double megatron_eq3_flops(double b, double s, double l, double h, double v);

// The step time a published tokens/s per GPU stands for: global_batch x seq_len / (gpus x
// tokens_per_s_per_gpu).
double step_from_tokens_per_gpu(double global_batch, double seq_len, double gpus,
                                double tokens_per_s_per_gpu);

}  // namespace cirrus::scenarios
