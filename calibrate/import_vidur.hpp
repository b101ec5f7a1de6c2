#pragma once
// Importer of Microsoft Vidur's public profiling tables (github.com/microsoft/vidur,
// data/profiling/, MIT licence): per-operation timings of transformer layers and NCCL
// collectives measured on A100 80GB and H100 80GB DGX nodes, read into a cirrus profile for
// one GPU so that a machine without a calibration run of its own still gets measured rates.
//
// What is read, from DIR (the folder holding Vidur's compute/ and network/):
//   compute/<gpu>/<org>/<model>/mlp.csv, every one found (sorted by path): one row per
//     (model shape, num_tokens, num_tensor_parallel_workers); the median of each operation's
//     time_stats, in milliseconds on one GPU of the TP group, fp16. Per row, with t = tokens,
//     h = n_embd, f = n_expanded_embd, d = h / n_head, p = TP degree, B = 2 bytes:
//       GEMMs (GemmPoint, m = t, 2 m n k FLOPs):
//         attn_pre_proj   n = (n_head + 2 n_kv_head) d / p   k = h        (QKV, columns split)
//         attn_post_proj  n = h                              k = n_head d / p (rows split)
//         mlp_up_proj     n = (gated ? 2 : 1) f / p          k = h        (gate + up)
//         mlp_down_proj   n = h                              k = f / p
//       memory-bound kernels (MemoryPoint, bytes moved to and from HBM once):
//         input_layernorm, post_attention_layernorm -> layernorm: read x, write y: 2 B t h
//         mlp_act  -> elementwise: gated, read gate and up, write one: 3 B t f / p;
//                     not gated, read and write: 2 B t f / p
//         add      -> elementwise: residual add, read two, write one: 3 B t h; not for a
//                     parallel-residual block (a table without post_attention_layernorm:
//                     phi-2), whose add takes about twice the time per byte of every other
//                     model's for reasons the source does not document
//         attn_rope-> elementwise: read and write q and k: 2 B t (n_head + n_kv_head) d / p
//         emb      -> copy: gather rows, read and write them: 2 B t h
//     Every division must be exact, and n_kv_head a multiple of p: Vidur's tables have no row
//     with more TP ranks than KV heads, so how it would split them is not guessed (refused).
//   network/<gpu>_dgx/all_reduce.csv and send_recv.csv: NCCL through torch.distributed;
//     num_workers ranks, devices_per_node of them per node, size in bytes, median time in ms.
//     Rows on one node (num_workers = devices_per_node) become CollectivePoints (source
//     "public") in nccl-tests' conventions: time_us = median x 1000, algbw = size / time,
//     busbw = algbw x bus_factor (all_reduce 2 (n-1)/n, send_recv 1). Rows across nodes
//     (num_workers > devices_per_node: two-node runs over a fabric the source does not
//     describe) are left out: a scale-out network is the cluster's, not the GPU's.
//   Not read: network/<gpu>_pairwise_nvlink/, measured on 4-GPU nodes whose GPUs are NVLinked
//     in pairs (a 4-rank all-reduce crosses the slower links between pairs: not a DGX's
//     NVSwitch), and the attention tables (other files).
//
// Points measured at the same shape or size, by several models or twice in one file, are
// averaged (mean of the medians, in seconds) into one. Unless `all_points`, the tables are
// thinned so that the shipped profiles stay small: GEMM and memory rows only at token counts
// that are powers of two or three times one (the tile-aligned counts a training micro-batch
// has), collective sizes only the measured size nearest each quarter octave. The notes say how
// many rows each step kept.
//
// The result is deterministic: the date is the source's ("2024-11-19"), the notes name files
// relative to DIR, rows are sorted. Bad input (a missing file or column, a non-numeric or
// non-positive cell, a shape that does not divide) is an InputError naming the file and
// "line N, column NAME".
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/compute/profile.hpp"

namespace cirrus::calibrate {

enum class VidurGpu { kA100, kH100 };

// Provenance of the tables (docs/reference/vidur.md, a snapshot of their README).
inline constexpr const char* kVidurUrl = "https://github.com/microsoft/vidur";
inline constexpr const char* kVidurCommit = "7d47513363ec447a741ac5e47241580b47724fbf";
inline constexpr const char* kVidurDate = "2024-11-19";

struct VidurOptions {
  VidurGpu gpu = VidurGpu::kH100;
  bool all_points = false;  // keep every token count and size measured (no thinning)
  // The Vidur commit the tables come from and its date (the profile's date): a checkout of
  // another commit names its own.
  std::string commit = kVidurCommit;
  std::string date = kVidurDate;
};

// Rows of one or more Vidur tables, before averaging and thinning; `dropped` counts what was
// read and left out (multi-node collectives; rows off the token grid when thinning).
struct VidurRows {
  std::vector<models::GemmPoint> gemm;
  std::vector<models::MemoryPoint> memory;
  std::vector<models::CollectivePoint> collectives;
  std::int64_t max_tokens = 0;  // the largest num_tokens read
  std::size_t compute_rows = 0;
  std::size_t compute_rows_dropped = 0;   // off the token grid
  std::size_t parallel_adds_dropped = 0;  // rows of parallel-residual blocks: add left out
  std::size_t network_rows = 0;
  std::size_t network_rows_multi_node = 0;
};

// One mlp.csv; `file` names it in errors. Appends to `out`.
void parse_vidur_compute(std::string_view text, const std::string& file, bool all_points,
                         VidurRows& out);
// One network table of collective `op` (all_reduce or send_recv). Appends to `out`.
void parse_vidur_network(std::string_view text, const std::string& file, models::CollectiveKind op,
                         VidurRows& out);

// The profile of `dir` for options.gpu, with its fits (calibrate/fit.hpp), source and notes.
models::Profile import_vidur(const std::string& dir, const VidurOptions& options);

// "a100" / "h100"; parse_vidur_gpu returns nullopt for anything else.
const char* to_string(VidurGpu gpu);
std::optional<VidurGpu> parse_vidur_gpu(const std::string& s);

}  // namespace cirrus::calibrate
