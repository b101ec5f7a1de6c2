// The Vidur importer on a few real rows (tests/data/calibrate/vidur_mini), checked by hand:
// GEMM shapes and rates, bytes of memory-bound kernels, nccl-tests conventions for the
// collectives, what is left out and why, determinism, and the refusals of bad input.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "calibrate/import_vidur.hpp"
#include "calibrate/profile_io.hpp"
#include "common/input_error.hpp"
#include "tests/golden/cli_support.hpp"

namespace {

using cirrus::InputError;
using cirrus::calibrate::import_vidur;
using cirrus::calibrate::parse_vidur_compute;
using cirrus::calibrate::VidurGpu;
using cirrus::calibrate::VidurOptions;
using cirrus::calibrate::VidurRows;
using namespace cirrus::models;

const std::string kMini = std::string(CIRRUS_SOURCE_DIR) + "/tests/data/calibrate/vidur_mini";

Profile import_h100(bool all_points = false) {
  VidurOptions o;
  o.gpu = VidurGpu::kH100;
  o.all_points = all_points;
  return import_vidur(kMini, o);
}

const GemmPoint* find_gemm(const Profile& p, std::int64_t m, std::int64_t n, std::int64_t k) {
  for (const auto& g : p.gemm) {
    if (g.m == m && g.n == n && g.k == k) return &g;
  }
  return nullptr;
}

const MemoryPoint* find_memory(const Profile& p, MemoryKernel kind, std::int64_t bytes) {
  for (const auto& m : p.memory) {
    if (m.kind == kind && m.bytes == bytes) return &m;
  }
  return nullptr;
}

// A compute table of one row with the given cells replaced.
std::string compute_csv(const std::string& tokens = "4096", const std::string& tp = "1",
                        const std::string& kv = "8", const std::string& act = "0.361") {
  std::string header;
  std::string row;
  for (const char* op :
       {"emb", "input_layernorm", "attn_pre_proj", "attn_rope", "attn_post_proj",
        "post_attention_layernorm", "mlp_up_proj", "mlp_act", "mlp_down_proj", "add"}) {
    header += std::string("time_stats.") + op + ".median,";
    row += std::string(op) == "mlp_act" ? act + "," : "0.1,";
  }
  header +=
      "n_head,n_kv_head,n_embd,n_expanded_embd,vocab_size,use_gated_mlp,num_tokens,"
      "num_tensor_parallel_workers\n";
  row += "64," + kv + ",8192,28672,32768,True," + tokens + "," + tp + "\n";
  return header + row;
}

std::string error_of(const std::string& text) {
  VidurRows rows;
  try {
    parse_vidur_compute(text, "mlp.csv", false, rows);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("Vidur GEMMs: shapes from the layer and TP degree, rates by hand", "[calibrate][vidur]") {
  const Profile p = import_h100();
  // Llama-2-70B: 64 heads, 8 KV heads, hidden 8192, FFN 28672, gated; head_dim 128.
  // mlp_up_proj at 4096 tokens, TP 1: n = 2 x 28672, k = 8192; the table's two rows have
  // medians 5.6685 and 5.749 ms, averaged: 5.70875 ms.
  // 2 x 4096 x 57344 x 8192 = 3.8483e12 FLOPs / 5.70875 ms = 674.1 TFLOP/s.
  const GemmPoint* up = find_gemm(p, 4096, 57344, 8192);
  REQUIRE(up != nullptr);
  CHECK(up->dtype == Precision::kFp16);
  CHECK(up->seconds == Approx(5.70875e-3));
  CHECK(up->tflops == Approx(674.1).epsilon(1e-4));
  // TP 8: n = 2 x 28672 / 8 = 7168; medians 0.643 and 0.631 ms -> 0.637 ms:
  // 2 x 4096 x 7168 x 8192 / 0.637 ms = 755.2 TFLOP/s.
  CHECK(find_gemm(p, 4096, 7168, 8192)->tflops == Approx(755.2).epsilon(1e-3));
  // QKV at TP 8: n = (64 + 2 x 8) x 128 / 8 = 1280; output projection k = 64 x 128 / 8 = 1024;
  // down projection k = 28672 / 8 = 3584.
  CHECK(find_gemm(p, 4096, 1280, 8192) != nullptr);
  CHECK(find_gemm(p, 4096, 8192, 1024) != nullptr);
  CHECK(find_gemm(p, 4096, 8192, 3584) != nullptr);
  // phi-2 (32 heads, hidden 2560, FFN 10240, not gated): up n = 10240.
  CHECK(find_gemm(p, 4096, 10240, 2560) != nullptr);
  // 4 GEMMs x (Llama TP 1, Llama TP 8, phi-2 TP 1); 4064 tokens is off the grid.
  CHECK(p.gemm.size() == 12);
  CHECK(find_gemm(p, 4064, 57344, 8192) == nullptr);
  const Profile all = import_h100(true);
  CHECK(all.gemm.size() == 16);
  CHECK(find_gemm(all, 4064, 57344, 8192) != nullptr);
}

TEST_CASE("Vidur memory-bound kernels: bytes moved once, by kind", "[calibrate][vidur]") {
  const Profile p = import_h100();
  // Norms at 4096 tokens, hidden 8192: read x, write y, 2 bytes: 2 x 2 x 4096 x 8192 =
  // 134217728 bytes. The same size at TP 1 and TP 8 and for both norms: the mean of the eight
  // medians 0.124 0.1245 0.125 0.126 (TP 1) 0.112 0.112 0.1115 0.111 (TP 8) = 0.11825 ms,
  // 134217728 B / 0.11825 ms = 1135.0 GB/s.
  const MemoryPoint* norm = find_memory(p, MemoryKernel::kLayerNorm, 134217728);
  REQUIRE(norm != nullptr);
  CHECK(norm->seconds == Approx(0.11825e-3));
  CHECK(norm->gbps == Approx(1135.0).epsilon(1e-3));
  // Gated activation at TP 8: read gate and up, write one: 3 x 2 x 4096 x 28672 / 8.
  CHECK(find_memory(p, MemoryKernel::kElementwise, 3LL * 2 * 4096 * 3584) != nullptr);
  // Residual add: 3 x 2 x 4096 x 8192; rotary embedding at TP 1: 2 x 2 x 4096 x (64 + 8) x 128.
  CHECK(find_memory(p, MemoryKernel::kElementwise, 3LL * 2 * 4096 * 8192) != nullptr);
  CHECK(find_memory(p, MemoryKernel::kElementwise, 2LL * 2 * 4096 * 72 * 128) != nullptr);
  // Embedding gather: 2 x 2 x 4096 x 8192, a copy.
  CHECK(find_memory(p, MemoryKernel::kCopy, 134217728) != nullptr);
  // phi-2 has no post-attention norm (a parallel-residual block): its input norm is read,
  // its add (3 x 2 x 4096 x 2560) is left out.
  CHECK(find_memory(p, MemoryKernel::kLayerNorm, 2LL * 2 * 4096 * 2560) != nullptr);
  CHECK(find_memory(p, MemoryKernel::kElementwise, 3LL * 2 * 4096 * 2560) == nullptr);
}

TEST_CASE("Vidur collectives: one node, nccl-tests conventions", "[calibrate][vidur]") {
  const Profile p = import_h100();
  // all_reduce, 8 ranks, 64 MiB in 0.322 ms: algbw 67108864 / 322 us = 208.41 GB/s,
  // busbw x 2 x 7/8 = 364.72 GB/s.
  const CollectivePoint* ar = nullptr;
  int send_recv = 0;
  for (const auto& c : p.collectives) {
    CHECK(c.source == CollectiveSource::kPublic);
    CHECK(c.nodes == 1);
    if (c.op == CollectiveKind::kAllReduce && c.ranks == 8 && c.bytes == 67108864) ar = &c;
    if (c.op == CollectiveKind::kSendRecv) ++send_recv;
  }
  REQUIRE(ar != nullptr);
  CHECK(ar->time_us == Approx(322));
  CHECK(ar->algbw_gbs == Approx(208.41).epsilon(1e-4));
  CHECK(ar->busbw_gbs == Approx(364.72).epsilon(1e-4));
  // The send/recv between two nodes (devices_per_node 1) is left out; the one-node pair stays.
  CHECK(send_recv == 1);
  CHECK(p.collectives.size() == 5);
}

TEST_CASE("Vidur profiles: provenance, notes, determinism, round trip", "[calibrate][vidur]") {
  const Profile p = import_h100();
  CHECK(p.date == "2024-11-19");
  CHECK(p.mode == "import");
  CHECK(p.device.gpu == "h100-sxm");
  REQUIRE(p.source.has_value());
  CHECK(p.source->name == "Vidur");
  CHECK(p.source->licence == "MIT");
  CHECK(p.source->commit == "7d47513363ec447a741ac5e47241580b47724fbf");
  CHECK_FALSE(p.fits.empty());
  const std::string text = cirrus::calibrate::format_profile(p);
  CHECK(text.find(kMini) == std::string::npos);  // no path of this machine
  CHECK(text.find("bf16 query reads them") != std::string::npos);
  CHECK(cirrus::calibrate::format_profile(import_h100()) == text);
  const Profile back = cirrus::calibrate::parse_profile(text, "x.json");
  CHECK(cirrus::calibrate::format_profile(back) == text);
  CHECK(calibration_label(p) == "public profile (Vidur, H100, 2024-11)");

  VidurOptions a100;
  a100.gpu = VidurGpu::kA100;
  const Profile q = import_vidur(kMini, a100);
  CHECK(q.device.gpu == "a100-sxm-80gb");
  CHECK(calibration_label(q) == "public profile (Vidur, A100, 2024-11)");
  // a100_dgx: 16 ranks on 2 nodes left out; 8 on one kept, as is the one-node send/recv.
  CHECK(q.collectives.size() == 2);
}

TEST_CASE("Vidur importer refuses bad input, naming the file, line and column",
          "[calibrate][vidur]") {
  CHECK(error_of(compute_csv()).empty());
  CHECK(error_of(compute_csv("40x")) ==
        "mlp.csv: line 2, column num_tokens: expected a number, found '40x'");
  CHECK(error_of(compute_csv("4096", "1", "8", "")) ==
        "mlp.csv: line 2, column time_stats.mlp_act.median: expected a number, found ''");
  CHECK(error_of(compute_csv("4096", "1", "8", "-1")) ==
        "mlp.csv: line 2, column time_stats.mlp_act.median: expected a positive number, "
        "found -1");
  CHECK(error_of(compute_csv("4096.5")).find("expected a whole number") != std::string::npos);
  // More TP ranks than KV heads: not in Vidur's tables, not guessed.
  CHECK(error_of(compute_csv("4096", "16", "8"))
            .find("line 2, column n_kv_head: expected "
                  "n_kv_head") != std::string::npos);
  // A missing column.
  std::string no_act = compute_csv();
  no_act.replace(no_act.find("time_stats.mlp_act.median"), 25, "time_stats.mlp_act.mean");
  CHECK(error_of(no_act) ==
        "mlp.csv: line 1: expected a column 'time_stats.mlp_act.median', found none");

  // A missing network table names its path.
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(cirrus::testing::scratch_dir()) / "vidur_missing";
  fs::remove_all(dir);
  fs::copy(kMini, dir, fs::copy_options::recursive);
  fs::remove(dir / "network" / "h100_dgx" / "send_recv.csv");
  try {
    import_vidur(dir.string(), VidurOptions{});
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()) == (dir / "network/h100_dgx/send_recv.csv").generic_string() +
                                       ": expected a Vidur network table, found no such file");
  }
}
