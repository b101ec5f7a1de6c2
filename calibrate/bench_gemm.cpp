// The GEMM stage: cuBLASLt over the products of transformer layers split over TP ranks.
#include <fmt/format.h>
#include <algorithm>
#include <array>
#include <cmath>
#include <set>
#include <tuple>
#include <vector>

#include "calibrate/bench.hpp"
#include "calibrate/cuda_util.hpp"
#include "calibrate/lt_gemm.hpp"
#include "calibrate/profile_io.hpp"

namespace cirrus::calibrate {
namespace {

using models::Precision;

struct Shape {
  std::int64_t m, n, k, batch;
  bool operator<(const Shape& o) const {
    return std::tie(m, n, k, batch) < std::tie(o.m, o.n, o.k, o.batch);
  }
};

struct Plan {
  Precision dtype;
  std::vector<Shape> shapes;
};

bool has_fp8(const BenchContext& ctx) { return ctx.props.major * 10 + ctx.props.minor >= 89; }

// The linear layers of one transformer layer on one TP rank, as (out, in) widths: QKV and
// FC1 are split by columns, the output projection and FC2 by rows (Megatron-LM). Each gives
// three products per step: forward Y = X W^T (tokens x out x in), data gradient dX = dY W
// (tokens x in x out) and weight gradient dW = dY^T X (out x in x tokens).
void add_layer_shapes(std::set<Shape>& out, std::int64_t tokens, std::int64_t hidden,
                      std::int64_t tp, bool all_passes) {
  const std::array<std::pair<std::int64_t, std::int64_t>, 4> linears = {{
      {3 * hidden / tp, hidden},  // QKV
      {hidden, hidden / tp},      // attention output projection
      {4 * hidden / tp, hidden},  // FC1
      {hidden, 4 * hidden / tp},  // FC2
  }};
  for (const auto& [o, i] : linears) {
    out.insert({tokens, o, i, 1});
    if (all_passes) {
      out.insert({tokens, i, o, 1});
      out.insert({o, i, tokens, 1});
    }
  }
}

// Unfused attention's batched products over (batch x heads): scores (s x s x d) and context
// (s x d x s), at 16k tokens with 2048-wide heads in total, for 64- and 128-wide heads.
void add_attention_shapes(std::set<Shape>& out, bool quick) {
  const std::vector<std::int64_t> seqs =
      quick ? std::vector<std::int64_t>{2048} : std::vector<std::int64_t>{1024, 2048, 4096};
  for (std::int64_t d : {64, 128}) {
    for (std::int64_t s : seqs) {
      const std::int64_t batch = (16384 / s) * (2048 / d);
      out.insert({s, s, d, batch});
      out.insert({s, d, s, batch});
    }
  }
}

std::vector<Plan> plans(const BenchContext& ctx) {
  std::vector<Plan> out;
  const bool quick = ctx.quick;
  const std::vector<std::int64_t> tokens =
      quick ? std::vector<std::int64_t>{2048, 8192}
            : std::vector<std::int64_t>{1024, 2048, 4096, 8192, 16384};
  const std::vector<std::int64_t> hiddens =
      quick ? std::vector<std::int64_t>{4096, 8192}
            : std::vector<std::int64_t>{2048, 4096, 8192, 16384};
  const std::vector<std::int64_t> tps =
      quick ? std::vector<std::int64_t>{1, 4} : std::vector<std::int64_t>{1, 2, 4, 8};

  auto grid = [&](bool all_passes, bool small) {
    std::set<Shape> s;
    for (std::int64_t t : small ? std::vector<std::int64_t>{4096} : tokens) {
      for (std::int64_t h : small ? std::vector<std::int64_t>{4096, 8192} : hiddens) {
        for (std::int64_t tp : small ? std::vector<std::int64_t>{1} : tps) {
          add_layer_shapes(s, t, h, tp, all_passes);
        }
      }
    }
    return s;
  };
  // bf16 is what training runs: every pass, every shape, plus the attention products.
  {
    std::set<Shape> s = grid(true, false);
    add_attention_shapes(s, quick);
    out.push_back({Precision::kBf16, {s.begin(), s.end()}});
  }
  // fp16 and fp8 (where the GPU has it): every pass in a full run; tf32 forward only (it is
  // the fp32 fallback, rarely what a large model trains in). A quick run samples each.
  {
    std::set<Shape> s = grid(!quick, quick);
    if (!quick) add_attention_shapes(s, quick);
    out.push_back({Precision::kFp16, {s.begin(), s.end()}});
  }
  if (has_fp8(ctx)) {
    const std::set<Shape> s = grid(!quick, quick);
    out.push_back({Precision::kFp8, {s.begin(), s.end()}});
  }
  {
    const std::set<Shape> s = grid(false, quick);
    out.push_back({Precision::kTf32, {s.begin(), s.end()}});
  }
  return out;
}

double footprint(const Shape& s, const LtTypes& t) {
  const auto m = static_cast<double>(s.m), n = static_cast<double>(s.n),
             k = static_cast<double>(s.k), b = static_cast<double>(s.batch);
  return b * (static_cast<double>(t.a_bytes) * (m * k + n * k) +
              static_cast<double>(t.c_bytes) * m * n);
}

}  // namespace

int gemm_units(const BenchContext& ctx) {
  int n = 0;
  for (const Plan& p : plans(ctx)) n += static_cast<int>(p.shapes.size());
  return n;
}

void bench_gemm(BenchContext& ctx, models::Profile& profile) {
  cublasLtHandle_t handle = nullptr;
  CIRRUS_CUBLAS_CHECK(cublasLtCreate(&handle));
  struct HandleGuard {
    cublasLtHandle_t h;
    ~HandleGuard() { cublasLtDestroy(h); }
  } guard{handle};

  const std::vector<Plan> all = plans(ctx);
  if (!has_fp8(ctx)) {
    ctx.notes->push_back(fmt::format("gemm: no fp8 on compute capability {}.{} (needs 8.9)",
                                     ctx.props.major, ctx.props.minor));
  }
  // One pool for operands, sized to the largest working set that fits; shapes whose working
  // set does not fit are skipped and named in the notes.
  double largest = 0;
  for (const Plan& p : all) {
    for (const Shape& s : p.shapes) largest = std::max(largest, footprint(s, lt_types(p.dtype)));
  }
  const double pool_bytes = std::min(largest + 3.0 * ctx.l2_bytes, ctx.usable_bytes());
  DeviceBuffer pool(static_cast<std::size_t>(pool_bytes));
  DeviceBuffer workspace(kLtWorkspaceBytes);
  TimingPolicy timing;
  timing.repeats = ctx.quick ? 3 : 5;
  timing.min_batch_s = 1e-3;

  for (const Plan& plan : all) {
    const LtTypes types = lt_types(plan.dtype);
    ctx.progress->set_label(fmt::format("gemm {}", models::to_string(plan.dtype)));
    // Random non-zero operands everywhere in the pool, once per type.
    fill_random(pool.get(), pool.size() / types.a_bytes, types.a_fill, 0x9e37u, ctx.stream);
    CIRRUS_CUDA_CHECK(cudaStreamSynchronize(ctx.stream));
    int measured = 0, skipped = 0;
    double best = 0;
    for (const Shape& s : plan.shapes) {
      const double fp = footprint(s, types);
      if (fp > pool_bytes) {
        ++skipped;
        ctx.progress->step();
        continue;
      }
      LtMatmul mm(handle, types, s.m, s.n, s.k, false, true, s.batch, s.m * s.k, s.n * s.k,
                  s.m * s.n);
      if (!mm.ok()) {
        ++skipped;
        ctx.progress->step();
        continue;
      }
      // Rotate through copies of the working set laid end to end in the pool.
      const std::size_t a_len =
          align256(static_cast<std::size_t>(s.batch * s.m * s.k) * types.a_bytes);
      const std::size_t b_len =
          align256(static_cast<std::size_t>(s.batch * s.n * s.k) * types.a_bytes);
      const std::size_t c_len =
          align256(static_cast<std::size_t>(s.batch * s.m * s.n) * types.c_bytes);
      const std::size_t set = a_len + b_len + c_len;
      const int copies =
          std::max(1, std::min(rotation_count(static_cast<double>(set), ctx.l2_bytes),
                               static_cast<int>(pool.size() / set)));
      const double seconds = time_launches(
          ctx.stream,
          [&](int i) {
            std::byte* base = pool.bytes() + static_cast<std::size_t>(i % copies) * set;
            mm.run(base, base + a_len, base + a_len + b_len, workspace.get(), ctx.stream);
          },
          timing);
      models::GemmPoint g;
      g.dtype = plan.dtype;
      g.m = s.m;
      g.n = s.n;
      g.k = s.k;
      g.batch = s.batch;
      g.seconds = round_significant(seconds);
      g.tflops = round_significant(2.0 * static_cast<double>(s.m) * static_cast<double>(s.n) *
                                   static_cast<double>(s.k) * static_cast<double>(s.batch) /
                                   g.seconds / 1e12);
      best = std::max(best, g.tflops);
      profile.gemm.push_back(g);
      ++measured;
      ctx.progress->step();
    }
    if (skipped > 0) {
      ctx.notes->push_back(
          fmt::format("gemm {}: {} shapes skipped (working set larger than free "
                      "memory, or no cuBLASLt algorithm)",
                      models::to_string(plan.dtype), skipped));
    }
    ctx.say(fmt::format("gemm {}: {} shapes, best {:.0f} TFLOP/s", models::to_string(plan.dtype),
                        measured, best));
  }
}

}  // namespace cirrus::calibrate
